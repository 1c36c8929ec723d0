"""The Lab in a notebook: the widget's Python side and the page's JavaScript inside it."""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import alignlab
from alignlab.core import AlignlabError
from alignlab.lab import SurfaceCache, widget
from alignlab.lab._widget import LabWidget, bundle_esm, scoped_css
from tests.lab._browser import screenshot_path
from tests.lab.conftest import SMALL_GRID


def _widget(tmp_path: Path, pressure: float = 0.9, seed: int = 0) -> LabWidget:
    spec = alignlab.get("goodhart")
    return LabWidget(
        "goodhart",
        sliders={"pressure": pressure, "fidelity": 0.3, "oversight": 0.0},
        options=spec.schema.defaults(),
        seed=seed,
        surfaces=SurfaceCache(tmp_path, grid=SMALL_GRID),
    )


def test_result_is_the_exact_run_and_follows_the_state() -> None:
    w = widget("goodhart", pressure=0.9, fidelity=0.3, surface=False)
    expected = alignlab.run("goodhart", pressure=0.9, fidelity=0.3)
    assert w.result.to_dict() == expected.to_dict()
    assert w.exact == json.loads(json.dumps(expected.to_dict()))
    w.state = {**w.state, "sliders": {**w.state["sliders"], "pressure": 0.2}, "seed": 3}
    moved = alignlab.run("goodhart", pressure=0.2, fidelity=0.3, seed=3)
    assert w.result.fr == moved.fr and w.exact["fr"] == moved.fr
    assert w.exact_for == w.state


def test_bad_settings_become_an_error_not_a_raise() -> None:
    w = widget("goodhart", surface=False)
    w.state = {**w.state, "sliders": {**w.state["sliders"], "pressure": 2}}
    assert w.error == "pressure must lie in [0, 1]; got 2"
    with pytest.raises(AlignlabError, match="pressure must lie"):
        _ = w.result
    w.state = {**w.state, "sliders": {**w.state["sliders"], "pressure": 0.5}}
    assert w.error == "" and w.result.params["pressure"] == 0.5


def test_bad_arguments_are_one_clear_error() -> None:
    with pytest.raises(AlignlabError, match="unknown experiment"):
        widget("nope")
    with pytest.raises(AlignlabError, match="unknown option"):
        widget("goodhart", colour="red")
    with pytest.raises(AlignlabError, match="must lie in"):
        widget("goodhart", oversight=-1)


def test_surface_is_computed_once_per_options_and_seed(tmp_path: Path) -> None:
    w = _widget(tmp_path)
    assert w.wait_surface(120)
    first = w.surface
    assert first[:4] == b"ALSF"
    w.state = {**w.state, "sliders": {**w.state["sliders"], "pressure": 0.1}}
    assert w.wait_surface(1) and w.surface == first  # sliders alone reuse it
    w.state = {**w.state, "seed": 7}
    assert w.wait_surface(120) and w.surface != first


def test_bundle_is_one_valid_module_built_from_the_page_files() -> None:
    esm = bundle_esm()
    assert 'from "./' not in esm  # no relative import is left to resolve
    assert "export default" in esm and esm.count("export ") == 1
    for name in ("decodeSurface", "buildControls", "createDial", "display"):
        assert name in esm
    done = subprocess.run(
        ["node", "--input-type=module", "--check"], input=esm, text=True, capture_output=True
    )
    assert done.returncode == 0, done.stderr


def test_css_is_scoped_to_the_widget() -> None:
    css = scoped_css()
    rules = [r.split("{")[0].strip() for r in css.split("}") if "{" in r]
    selectors = [s.strip() for r in rules if not r.startswith("@") for s in r.split(",")]
    assert selectors and all(s.startswith(".alignlab-widget") for s in selectors), selectors


# ---------------------------------------------------------------- in the browser

HOST = """<!doctype html><html><head><meta charset="utf-8"><style>%s</style></head>
<body style="margin:0;font-family:sans-serif"><div id="cell" style="padding:12px"></div>
</body></html>"""

# A minimal stand-in for the notebook's widget manager: it keeps the synced state in the
# page and sends changes to the real Python widget (exposed as window.pySave).
MANAGER = """async ([esm, state]) => {
  const toBytes = (b64) => { const raw = atob(b64); const a = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) a[i] = raw.charCodeAt(i); return new DataView(a.buffer); };
  const handlers = {};
  const decode = (changes) => {
    if (changes.surface !== undefined) changes.surface = toBytes(changes.surface);
    return changes;
  };
  const model = {
    state: decode(state), dirty: {},
    get(k) { return this.state[k]; },
    set(k, v) { this.state[k] = v; this.dirty[k] = v; },
    on(evt, cb) { (handlers[evt] ||= []).push(cb); },
    off(evt, cb) { handlers[evt] = (handlers[evt] || []).filter((h) => h !== cb); },
    async save_changes() {
      const dirty = this.dirty; this.dirty = {};
      this.apply(JSON.parse(await window.pySave(JSON.stringify(dirty))));
    },
    apply(changes) {
      for (const [k, v] of Object.entries(decode(changes))) {
        this.state[k] = v; (handlers["change:" + k] || []).forEach((h) => h());
      }
    },
  };
  window.widgetModel = model;
  const url = URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
  const mod = await import(url);
  mod.default.render({ model, el: document.getElementById("cell") });
}"""

SYNCED = ("spec", "state", "exact", "exact_for", "surface", "error")


def _synced(w: LabWidget, names: tuple[str, ...] = SYNCED) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(w, name)
        out[name] = base64.b64encode(value).decode() if name == "surface" else value
    return out


READOUT = """() => new Promise((resolve) =>
  requestAnimationFrame(() => requestAnimationFrame(() => {
  // two frames: the scheduled draw has run
  const r = document.querySelector(".alignlab-widget .readout").dataset;
  resolve({ source: r.source, fr: Number(r.fr), proxy: Number(r.proxy), true: Number(r.true),
            dial: document.querySelector(".alignlab-widget #fr-value").textContent,
            status: document.querySelector(".alignlab-widget .status").textContent });
})))"""


@pytest.fixture
def live(page: Any, tmp_path: Path) -> Iterator[tuple[Any, LabWidget]]:
    w = _widget(tmp_path)
    assert w.wait_surface(120)

    def py_save(changes: str) -> str:
        before = _synced(w)
        for name, value in json.loads(changes).items():
            setattr(w, name, value)
        after = _synced(w)
        return json.dumps({k: v for k, v in after.items() if v != before[k]})

    page.expose_function("pySave", py_save)
    page.set_content(HOST % w._css)
    page.evaluate(MANAGER, [w._esm, _synced(w)])
    yield page, w


@pytest.mark.browser
def test_widget_renders_drags_on_the_surface_and_returns_the_exact_run(
    live: tuple[Any, LabWidget], tmp_path: Path
) -> None:
    page, w = live
    page.wait_for_function(
        "() => document.querySelector('.alignlab-widget .readout').dataset.source === 'exact'"
    )
    shown = page.evaluate(READOUT)
    assert shown["fr"] == w.result.fr and shown["dial"] == f"{w.result.fr:.1f}"
    assert "interpolates" in shown["status"]

    slider = page.locator(".alignlab-widget input[name=pressure]")
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 8 + 0.9 * (box["width"] - 16), y)
    page.mouse.down()
    page.mouse.move(box["x"] + 8 + 0.15 * (box["width"] - 16), y, steps=12)
    mid = page.evaluate(READOUT)
    assert mid["source"] == "surface"  # dragging reads the interpolated surface
    page.mouse.up()
    page.wait_for_function(
        "() => document.querySelector('.alignlab-widget .readout').dataset.source === 'exact'"
    )
    after = page.evaluate(READOUT)
    pressure = float(slider.input_value())
    assert w.state["sliders"]["pressure"] == pressure < 0.3
    expected = alignlab.run("goodhart", pressure=pressure, fidelity=0.3)
    assert w.result.fr == expected.fr == after["fr"]
    assert after["true"] == expected.true

    # Past the peak and back: the screenshot in the docs shows goodhart over-optimised.
    w.state = {**w.state, "sliders": {**w.state["sliders"], "pressure": 0.9}}
    page.evaluate("(c) => window.widgetModel.apply(c)", _synced(w, ("state", "exact", "exact_for")))
    page.wait_for_function(
        "() => document.querySelector('.alignlab-widget .readout').dataset.source === 'exact'"
    )
    assert page.evaluate(READOUT)["fr"] == w.result.fr
    page.set_viewport_size({"width": 1200, "height": 860})
    page.wait_for_timeout(100)
    shot = screenshot_path("notebook-widget.png", tmp_path)
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
