"""The Lab in a notebook: an anywidget that runs the page's own JavaScript model and views.

The browser side is the Lab page's `model.js` and `view.js` (bundled into one ES module,
no second implementation), wired by `widget.js` to synced traits instead of HTTP: the
sliders write `state` on release, Python answers with the exact `alignlab.run` result,
and while a slider moves the page interpolates the same float32 response surface the
server would send. Needs the `notebook` extra (`pip install "alignlab[notebook]"`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from functools import cache
from typing import Any

import anywidget
import traitlets

import alignlab
from alignlab.core import AlignlabError, OptionValue, Result, validate_seed
from alignlab.core import get as get_spec
from alignlab.lab._app import STATIC_DIR
from alignlab.lab._surface import SurfaceCache, default_cache_dir

_MODULES = ("model.js", "view.js", "widget.js")
_IMPORT_ALL = re.compile(r'^import \* as (\w+) from "\./([\w.]+)";\n', re.M)
_IMPORT_NAMES = re.compile(r'^import \{([^}]*)\} from "\./([\w.]+)";\n', re.M)
_EXPORT_DECL = re.compile(r"^export (const|let|function|class|async function) (\w+)", re.M)
_CSS_RULE = re.compile(r"([^{}@]+)\{")


def _namespace(module: str) -> str:
    return "__alignlab_" + module.removesuffix(".js").replace(".", "_")


@cache
def bundle_esm() -> str:
    """The widget's ES module: model.js, view.js and widget.js joined into one file.

    A notebook loads a widget's JavaScript as a single module with no base URL, so the
    page's relative imports cannot resolve. Each dependency becomes a namespace object
    (its exported names), and each import becomes a read from that object.
    """
    parts: list[str] = []
    for module in _MODULES:
        source = (STATIC_DIR / module).read_text(encoding="utf-8")
        source = _IMPORT_ALL.sub(lambda m: f"const {m[1]} = {_namespace(m[2])};\n", source)
        source = _IMPORT_NAMES.sub(lambda m: f"const {{{m[1]}}} = {_namespace(m[2])};\n", source)
        if module == _MODULES[-1]:
            parts.append(source)
            continue
        names = [m[2] for m in _EXPORT_DECL.finditer(source)]
        source = _EXPORT_DECL.sub(lambda m: f"{m[1]} {m[2]}", source)
        parts.append(
            f"const {_namespace(module)} = (() => {{\n{source}\n"
            f"return {{ {', '.join(names)} }};\n}})();\n"
        )
    return "\n".join(parts)


@cache
def scoped_css() -> str:
    """The page's stylesheet scoped to the widget, so it cannot restyle the notebook."""
    css = (STATIC_DIR / "lab.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)

    def scope(match: re.Match[str]) -> str:
        selectors = []
        for selector in match[1].split(","):
            selector = selector.strip()
            if selector in (":root", "body", "html"):
                selectors.append(".alignlab-widget")
            elif selector.startswith(("from", "to")) or selector.endswith("%"):
                selectors.append(selector)  # keyframe steps stay as they are
            else:
                selectors.append(f".alignlab-widget {selector}")
        return ", ".join(selectors) + " {"

    return _CSS_RULE.sub(scope, css)


class LabWidget(anywidget.AnyWidget):
    """One experiment of the Lab, live in a notebook cell.

    Drag a slider and the diagram, the curve and the FR dial follow from the response
    surface; let go and Python computes the exact result (`result`). Setting `state`
    from Python moves the sliders too.
    """

    _esm = traitlets.Unicode().tag(sync=True)
    _css = traitlets.Unicode().tag(sync=True)
    spec = traitlets.Dict().tag(sync=True)
    state = traitlets.Dict().tag(sync=True)
    exact = traitlets.Dict().tag(sync=True)
    exact_for = traitlets.Dict().tag(sync=True)
    surface = traitlets.Bytes(b"").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        experiment: str,
        *,
        sliders: Mapping[str, float],
        options: Mapping[str, OptionValue],
        seed: int,
        surfaces: SurfaceCache | None,
    ) -> None:
        spec = get_spec(experiment)
        state = {
            "experiment": spec.id,
            "sliders": dict(sliders),
            "seed": seed,
            "options": dict(options),
        }
        super().__init__(_esm=bundle_esm(), _css=scoped_css(), spec=spec.to_dict(), state=state)
        self._surfaces = surfaces
        self._result: Result | None = None
        self._surface_done = threading.Event()
        self._surface_key: tuple[Any, ...] | None = None
        self._apply(state)
        self.observe(self._on_state, names="state")

    @property
    def result(self) -> Result:
        """The exact result for the widget's current settings.

        Raises:
            AlignlabError: if the current settings are invalid (the widget shows why).
        """
        if self.error or self._result is None:
            raise AlignlabError(self.error or "no result has been computed yet")
        return self._result

    def wait_surface(self, timeout: float = 120.0) -> bool:
        """Block until the response surface for the current settings is in; True if it is."""
        return self._surface_done.wait(timeout)

    def _on_state(self, change: Mapping[str, Any]) -> None:
        self._apply(change["new"])

    def _apply(self, state: Mapping[str, Any]) -> None:
        """Compute the exact result for `state`; bad settings become `error`, never a raise."""
        try:
            sliders = state["sliders"]
            result = alignlab.run(
                str(state["experiment"]),
                pressure=sliders["pressure"],
                fidelity=sliders["fidelity"],
                oversight=sliders["oversight"],
                seed=state["seed"],
                **state["options"],
            )
        except (AlignlabError, KeyError, TypeError) as exc:
            self.error = f"{exc}"
            return
        self._result = result
        self.error = ""
        self.exact_for = dict(state)
        self.exact = result.to_dict()
        self._want_surface(result)

    def _want_surface(self, result: Result) -> None:
        """Compute the surface for these options and seed in the background (once each)."""
        if self._surfaces is None:
            self._surface_done.set()
            return
        key = (result.experiment, tuple(sorted(result.options.items())), result.seed)
        if key == self._surface_key:
            return
        self._surface_key = key
        self._surface_done.clear()
        spec = get_spec(result.experiment)
        surfaces = self._surfaces

        def work() -> None:
            try:
                blob = surfaces.get(spec, result.options, result.seed)
            except AlignlabError as exc:
                self.error = f"surface unavailable: {exc}"
            else:
                if self._surface_key == key:
                    self.surface = blob
            finally:
                if self._surface_key == key:
                    self._surface_done.set()

        threading.Thread(target=work, name="alignlab-surface", daemon=True).start()


def widget(
    experiment: str = "goodhart",
    *,
    pressure: float | None = None,
    fidelity: float | None = None,
    oversight: float | None = None,
    seed: int = 0,
    surface: bool = True,
    **options: OptionValue,
) -> LabWidget:
    """Show one experiment of the Lab in a notebook, with the page's sliders and views.

    Args:
        experiment: The experiment id (see `alignlab.experiments()`).
        pressure: Initial slider value in [0, 1] (None: the experiment's default).
        fidelity: Initial slider value in [0, 1] (None: the experiment's default).
        oversight: Initial slider value in [0, 1] (None: the experiment's default).
        seed: The seed of every run.
        surface: Compute the response surface for smooth dragging (cached on disk, as
            the Lab server does); False shows exact results only.
        **options: The experiment's named options.

    Returns:
        The widget; display it as a cell's last value. `widget.result` is the exact run.

    Examples:
        >>> from alignlab.lab import widget  # doctest: +SKIP
        >>> w = widget("goodhart", pressure=0.9)  # doctest: +SKIP
        >>> w.result.fr  # doctest: +SKIP
    """
    spec = get_spec(experiment)
    sliders = spec.schema.validate_sliders(pressure, fidelity, oversight).to_dict()
    valid = spec.schema.validate_options(options)
    cache_ = SurfaceCache(default_cache_dir()) if surface else None
    return LabWidget(
        spec.id, sliders=sliders, options=valid, seed=validate_seed(seed), surfaces=cache_
    )
