"""The Lab page: a local web server and a static page that show every experiment live.

Three sliders drive the chosen experiment; while one is dragged the page interpolates a
precomputed response surface (float32 binary from `/api/surface/{id}`), and on release
it fetches the exact result from `/api/run`. All assets ship in this package: no CDN,
no build step, works offline.

    >>> from alignlab.lab import create_app  # doctest: +SKIP
    >>> app = create_app()  # an ASGI app; `alignlab lab` serves it with uvicorn
"""

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
]
