"""The Lab page: a local web server and a static page that show every experiment live.

Three sliders drive the chosen experiment; while one is dragged the page interpolates a
precomputed response surface (float32 binary from `/api/surface/{id}`), and on release
it fetches the exact result from `/api/run`. All assets ship in this package: no CDN,
no build step, works offline.

    >>> from alignlab.lab import create_app  # doctest: +SKIP
    >>> app = create_app()  # an ASGI app; `alignlab lab` serves it with uvicorn
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alignlab.lab._app import (
    LOCAL_HOSTS,
    MAX_BODY_BYTES,
    STATIC_DIR,
    allowed_hosts,
    create_app,
    default_app,
    parse_run_request,
    parse_surface_query,
)
from alignlab.lab._serve import bind, open_browser, running_server, serve, url_of
from alignlab.lab._surface import (
    DEFAULT_BUDGET_S,
    DEFAULT_DISK_BYTES,
    DEFAULT_MAX_PENDING,
    FORMAT_VERSION,
    GRID_LADDER,
    Surface,
    SurfaceBusy,
    SurfaceCache,
    SurfaceGrid,
    choose_grid,
    compute_surface,
    decode_surface,
    default_cache_dir,
    encode_surface,
    surface_key,
)

if TYPE_CHECKING:
    from alignlab.lab._widget import LabWidget


def widget(experiment: str = "goodhart", **settings: Any) -> LabWidget:
    """Show one experiment of the Lab in a Jupyter notebook (see `alignlab.lab._widget.widget`).

    Needs the `notebook` extra; without it this raises one clear `AlignlabError`.

    Examples:
        >>> from alignlab.lab import widget  # doctest: +SKIP
        >>> w = widget("goodhart", pressure=0.9)  # doctest: +SKIP
        >>> w.result.fr  # doctest: +SKIP
    """
    try:
        from alignlab.lab._widget import widget as make
    except ModuleNotFoundError as exc:
        from alignlab.core import AlignlabError

        raise AlignlabError(
            f'the notebook widget needs {exc.name}: pip install "alignlab[notebook]"'
        ) from None
    return make(experiment, **settings)


__all__ = [
    "DEFAULT_BUDGET_S",
    "DEFAULT_DISK_BYTES",
    "DEFAULT_MAX_PENDING",
    "FORMAT_VERSION",
    "GRID_LADDER",
    "LOCAL_HOSTS",
    "MAX_BODY_BYTES",
    "STATIC_DIR",
    "Surface",
    "SurfaceBusy",
    "SurfaceCache",
    "SurfaceGrid",
    "allowed_hosts",
    "bind",
    "choose_grid",
    "compute_surface",
    "create_app",
    "decode_surface",
    "default_app",
    "default_cache_dir",
    "encode_surface",
    "open_browser",
    "parse_run_request",
    "parse_surface_query",
    "running_server",
    "serve",
    "surface_key",
    "url_of",
    "widget",
]
