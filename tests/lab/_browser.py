"""Helpers for the Lab's end-to-end tests in headless Chromium (real mouse events)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

CHROMIUM_ENV = "ALIGNLAB_CHROMIUM"
"""Set to a Chromium or Chrome executable to use it instead of searching."""

CHROMIUM_PLACES = (
    "/usr/bin/chromium",  # Debian
    "/usr/bin/chromium-browser",  # Ubuntu, Fedora
    "/snap/bin/chromium",  # Ubuntu's snap
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/opt/homebrew/bin/chromium",
)
"""Where a browser usually lives, in the order they are tried."""

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Names looked up on PATH after the usual places."""


class ChromiumNotFound(LookupError):
    """No usable Chromium: the message says how to get one."""


def find_chromium(
    env: dict[str, str] | None = None, places: tuple[str, ...] = CHROMIUM_PLACES
) -> Path:
    """The browser the tests drive: `$ALIGNLAB_CHROMIUM`, else the usual places, else PATH.

    Raises:
        ChromiumNotFound: with one line saying what to install or set.
    """
    env = dict(os.environ) if env is None else env
    explicit = env.get(CHROMIUM_ENV)
    if explicit:
        path = Path(explicit)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise ChromiumNotFound(f"{CHROMIUM_ENV}={explicit} is not an executable file")
    for place in places:
        if os.path.isfile(place) and os.access(place, os.X_OK):
            return Path(place)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name, path=env.get("PATH"))
        if found:
            return Path(found)
    raise ChromiumNotFound(
        "the browser tests need Chromium: install it (Debian/Ubuntu: apt-get install chromium; "
        f"macOS: brew install --cask chromium) or set {CHROMIUM_ENV}=/path/to/chromium"
    )


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

READ = """() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => {
  const r = document.getElementById("readout").dataset;
  const stage = (s) => Number(document.querySelector(`#loop [data-stage="${s}"]`).dataset.value);
  resolve({
    source: r.source, key: r.key, fr: Number(r.fr), frLo: Number(r.frLo), frHi: Number(r.frHi),
    proxy: Number(r.proxy), true: Number(r.true),
    optimiser: stage("optimiser"), specification: stage("specification"),
    gap: Number(document.querySelector('#loop [data-role="gap"]').dataset.gap),
    cursor: Number(document.querySelector("#chart .cursor").getAttribute("x1")),
    chartTrue: Number(document.querySelector('#chart [data-point="true"]').dataset.value),
    chartProxy: Number(document.querySelector('#chart [data-point="proxy"]').dataset.value),
    chartPressure: Number(document.getElementById("chart").dataset.pressure),
    dialFr: Number(document.getElementById("dial").dataset.fr),
    dialText: document.getElementById("fr-value").textContent,
    explanation: document.getElementById("explanation").textContent,
  });
})))"""


def open_lab(page: Any, url: str, hash_: str = "") -> dict[str, Any]:
    """Open the page and wait until it shows the exact result for its URL."""
    page.goto(url + hash_)
    return wait_exact(page)


def without_surfaces(page: Any) -> None:
    """Make every surface request fail, as if the server could not provide one."""
    page.route("**/api/surface/**", lambda route: route.abort())


def wait_exact(page: Any) -> dict[str, Any]:
    page.wait_for_function(
        "() => document.getElementById('readout').dataset.source === 'exact'", timeout=20_000
    )
    state: dict[str, Any] = page.evaluate(READ)
    return state


def wait_surface(page: Any) -> None:
    page.wait_for_function("() => window.lab && window.lab.surface !== null", timeout=60_000)


def drag(page: Any, name: str, to: float) -> dict[str, Any]:
    """Drag slider `name` to position `to` with real mouse events; return the mid-drag view."""
    slider = page.locator(f"#s-{name}")
    box = slider.bounding_box()
    value = float(slider.input_value())
    half_thumb = 8
    y = box["y"] + box["height"] / 2

    def x_of(v: float) -> float:
        return float(box["x"] + half_thumb + v * (box["width"] - 2 * half_thumb))

    def target(v: float) -> float:
        # Past either end clamps to it, as a person overshooting the track would.
        return float(
            box["x"] + box["width"] + 20 if v >= 1 else box["x"] - 20 if v <= 0 else x_of(v)
        )

    page.mouse.move(x_of(value), y)
    page.mouse.down()
    page.mouse.move(target(to), y, steps=15)
    mid: dict[str, Any] = page.evaluate(READ)
    page.mouse.up()
    return mid


def url_state(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).fragment))


def library_result(url: str) -> dict[str, Any]:
    """`alignlab.run` at the settings the page's URL holds."""
    import alignlab

    state = url_state(url)
    spec = alignlab.get(state.pop("experiment"))
    sliders = {s: float(state.pop(s)) for s in ("pressure", "fidelity", "oversight")}
    seed = int(state.pop("seed"))
    seeds = int(state.pop("seeds", "1"))
    if seeds > 1:
        band = alignlab.run_seeds(spec.id, **sliders, seeds=seeds, seed=seed, **state)
        data: dict[str, Any] = json.loads(json.dumps(band.to_dict()))
        return data
    result = spec.run(**sliders, seed=seed, options=state)
    data = json.loads(json.dumps(result.to_dict()))
    return data


def assert_matches_library(shown: dict[str, Any], url: str) -> None:
    expected = library_result(url)
    assert shown["source"] == "exact"
    assert shown["fr"] == expected["fr"]
    assert shown["proxy"] == expected["proxy"]
    assert shown["true"] == expected["true"]
    assert [shown["frLo"], shown["frHi"]] == expected["fr_ci"]
    assert shown["explanation"] == expected["explanation"]
    assert shown["dialText"] == f"{expected['fr']:.1f}"


if __name__ == "__main__":  # `python3 tests/lab/_browser.py`: print the browser, for scripts/test
    try:
        print(find_chromium())
    except ChromiumNotFound as exc:
        print(f"chromium: {exc}", file=sys.stderr)
        sys.exit(1)


def screenshot_path(name: str, scratch: Path) -> Path:
    """Where a docs screenshot test saves `name`: `scratch`, or `docs/` when asked.

    Tests never change the checkout; `ALIGNLAB_WRITE_SCREENSHOT=1` refreshes the docs'
    images after a change to the page or the widget.
    """
    if os.environ.get("ALIGNLAB_WRITE_SCREENSHOT") == "1":
        return Path(__file__).resolve().parents[2] / "docs" / name
    return scratch / name
