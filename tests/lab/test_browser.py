"""End to end: the Lab page in real headless Chromium, driven with real mouse events.

These tests fail (never skip) when Chromium is missing: CI installs it (`.ci/run`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import alignlab
from alignlab.core import register, unregister
from alignlab.lab import create_app, running_server
from tests.conftest import TOY_SCHEMA, toy_experiment
from tests.lab._browser import (
    READ,
    assert_matches_library,
    drag,
    open_lab,
    url_state,
    wait_exact,
    wait_surface,
    without_surfaces,
)
from tests.lab.conftest import registered_labtoy

pytestmark = pytest.mark.browser

# Past the peak FR must rise: for labtoy, and for goodhart, the README's experiment.
PEAKED = (
    ["labtoy", "goodhart"] if "goodhart" in {s.id for s in alignlab.experiments()} else ["labtoy"]
)


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1 (free port) with labtoy and the core's toy."""
    with registered_labtoy():
        register("toy", title="Toy", summary="A toy.", schema=TOY_SCHEMA, fr_definition="t<0")(
            toy_experiment
        )
        try:
            cache = tmp_path_factory.mktemp("surfaces")
            # Surfaces on the grid `alignlab lab` would choose, within a 4 s budget each.
            app = create_app(cache_dir=cache, budget_s=2.0)
            with running_server(app) as url:
                yield url
        finally:
            unregister("toy")


def test_picker_lists_every_registered_experiment(page: Any, lab_url: str) -> None:
    # Surfaces of slow experiments take many seconds of CPU; this test only needs the
    # exact results, and also checks that the page works when no surface is available.
    without_surfaces(page)
    open_lab(page, lab_url)
    assert "surface unavailable" in page.locator("#status").text_content()
    values = page.eval_on_selector_all("#picker input", "els => els.map(e => e.value)")
    assert values == [s.id for s in alignlab.experiments()]
    labels = page.eval_on_selector_all("#picker label", "els => els.map(e => e.textContent)")
    assert labels == [s.title for s in alignlab.experiments()]
    # Every experiment opens from the picker and shows its own exact result.
    for spec in alignlab.experiments():
        page.check(f"#picker input[value='{spec.id}']")
        page.wait_for_function(
            "(id) => { const r = document.getElementById('readout').dataset;"
            " return location.hash.includes('experiment=' + id) && r.source === 'exact'"
            " && JSON.parse(r.key).experiment === id; }",
            arg=spec.id,
            timeout=20_000,
        )
        assert_matches_library(page.evaluate(READ), page.url)
        assert page.locator("#exp-title").text_content() == spec.title


@pytest.mark.parametrize("experiment", PEAKED)
def test_pressure_far_past_the_peak_raises_fr(page: Any, lab_url: str, experiment: str) -> None:
    peak = alignlab.run(experiment).to_dict()["peak"]["pressure"]
    start = open_lab(page, lab_url, f"#experiment={experiment}&pressure={peak:.3f}")
    assert start["chartPressure"] == pytest.approx(peak, abs=1e-3)
    wait_surface(page)
    mid = drag(page, "pressure", 1.0)
    # While dragging the page paints from the surface, and already shows the failure.
    assert mid["source"] == "surface"
    assert mid["dialText"].startswith("≈")
    assert mid["fr"] > start["fr"]
    assert mid["cursor"] > start["cursor"]
    assert mid["gap"] > start["gap"]
    assert mid["chartTrue"] < start["chartTrue"]  # past the peak, true reward falls
    assert mid["chartProxy"] > start["chartProxy"]  # while the proxy keeps rising
    end = wait_exact(page)
    assert url_state(page.url)["pressure"] == "1"
    assert end["fr"] > start["fr"]
    assert end["gap"] > start["gap"]
    assert end["optimiser"] > start["optimiser"]
    assert_matches_library(end, page.url)


def test_fidelity_drag_closes_the_gap(page: Any, lab_url: str) -> None:
    start = open_lab(page, lab_url, "#experiment=labtoy&pressure=0.85&fidelity=0.2")
    wait_surface(page)
    mid = drag(page, "fidelity", 1.0)
    assert mid["source"] == "surface"
    assert mid["fr"] < start["fr"]
    assert mid["specification"] > start["specification"]
    assert mid["chartTrue"] > start["chartTrue"]  # a better proxy: more true reward
    end = wait_exact(page)
    assert end["fr"] < start["fr"]
    assert end["specification"] > start["specification"]
    assert end["chartTrue"] > start["chartTrue"]
    assert_matches_library(end, page.url)


def test_oversight_drag_damps_the_optimiser(page: Any, lab_url: str) -> None:
    start = open_lab(page, lab_url, "#experiment=labtoy&pressure=1&fidelity=0.3&oversight=0")
    wait_surface(page)
    mid = drag(page, "oversight", 1.0)
    assert mid["source"] == "surface"
    assert mid["optimiser"] < start["optimiser"]
    assert mid["fr"] < start["fr"]
    assert mid["chartProxy"] < start["chartProxy"]  # less pressure reaches the proxy
    end = wait_exact(page)
    assert end["optimiser"] < start["optimiser"]
    assert end["fr"] < start["fr"]
    assert end["chartProxy"] < start["chartProxy"]
    assert end["chartTrue"] > start["chartTrue"]
    assert_matches_library(end, page.url)


def test_url_round_trips_the_whole_view(page: Any, browser: Any, lab_url: str) -> None:
    open_lab(page, lab_url, "#experiment=labtoy&seed=7&tail=light&audit=true&scale=1.5")
    assert page.locator("#o-tail").input_value() == "light"
    assert page.locator("#o-audit").is_checked()
    assert page.locator("#seed").input_value() == "7"
    wait_surface(page)
    drag(page, "pressure", 0.8)
    wait_exact(page)
    drag(page, "fidelity", 0.25)
    shown = wait_exact(page)
    link = page.url
    state = url_state(link)
    assert state["seed"] == "7" and state["tail"] == "light" and state["audit"] == "true"
    assert_matches_library(shown, link)
    # A second browser tab opened on the copied link shows the same view.
    other = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
    try:
        again = open_lab(other, link)
        assert other.url == link
        for name in ("pressure", "fidelity", "oversight"):
            assert (
                other.locator(f"#s-{name}").input_value()
                == page.locator(f"#s-{name}").input_value()
            )
        assert {k: again[k] for k in ("fr", "proxy", "true", "key")} == {
            k: shown[k] for k in ("fr", "proxy", "true", "key")
        }
    finally:
        other.context.close()


def test_invalid_url_values_fall_back_to_defaults(page: Any, lab_url: str) -> None:
    shown = open_lab(page, lab_url, "#experiment=labtoy&pressure=7&seed=-1&tail=fat&scale=x")
    state = url_state(page.url)
    spec = alignlab.get("labtoy")
    assert float(state["pressure"]) == spec.schema.pressure.default
    assert state["seed"] == "0" and state["tail"] == "heavy" and state["scale"] == "1"
    assert_matches_library(shown, page.url)


def test_physical_value_is_shown_beside_each_slider(page: Any, lab_url: str) -> None:
    open_lab(page, lab_url, "#experiment=labtoy&pressure=0.55&fidelity=1")
    # labtoy maps pressure p to n = 2**(9 p), between grid points too (the page
    # interpolates decades geometrically): 30.9 at p = 0.55; fidelity 1 to error 0.2.
    assert pytest.approx(30.9, abs=0.05) == 2 ** (9 * 0.55)
    assert page.locator("#phys-pressure").text_content() == "30.9"
    assert page.locator("#phys-fidelity").text_content() == "0.20"
    open_lab(page, lab_url, "#experiment=toy&fidelity=0.25")
    assert page.locator("#phys-fidelity").text_content() == "0.25"  # no mapping: position


def test_one_exact_request_in_flight_and_no_request_per_move(page: Any, lab_url: str) -> None:
    open_lab(page, lab_url, "#experiment=labtoy&pressure=0.1")
    wait_surface(page)
    in_flight = 0
    peak_in_flight = 0
    runs = 0

    def started(request: Any) -> None:
        nonlocal in_flight, peak_in_flight, runs
        if request.url.endswith("/api/run"):
            runs += 1
            in_flight += 1
            peak_in_flight = max(peak_in_flight, in_flight)

    def finished(request: Any) -> None:
        nonlocal in_flight
        if request.url.endswith("/api/run"):
            in_flight -= 1

    page.on("request", started)
    page.on("requestfinished", finished)
    page.on("requestfailed", finished)
    for target in (0.9, 0.2, 0.7, 0.4):
        drag(page, "pressure", target)
    shown = wait_exact(page)
    page.wait_for_timeout(300)
    assert peak_in_flight == 1
    assert 1 <= runs <= 8  # 60 mouse moves, at most a request per release or idle pause
    assert_matches_library(shown, page.url)


def test_page_model_interpolates_the_surface_like_numpy(page: Any, lab_url: str) -> None:
    from scipy.interpolate import RegularGridInterpolator

    from alignlab.lab import decode_surface

    open_lab(page, lab_url, "#experiment=labtoy")
    wait_surface(page)
    blob = page.request.get(lab_url + "api/surface/labtoy?seed=0&tail=heavy&audit=false&scale=1")
    surface = decode_surface(blob.body())
    axes = surface.meta["axes"]
    rng = np.random.default_rng(3)
    points = np.vstack(
        [[[0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [0.25, 0.5, 0.125]], rng.random((40, 3))]
    )
    got = page.evaluate(
        """async (points) => {
          const M = await import("./static/model.js");
          const s = window.lab.surface;
          return points.map(([f, o, p]) => {
            const v = s.sample(f, o, p);
            const c = s.curve(f, o);
            return [v.proxy, v.true, v.fr, v.frLo, ...v.loop, ...c.true];
          });
        }""",
        points.tolist(),
    )
    grid = (axes["fidelity"], axes["oversight"], axes["pressure"])
    for row, (f, o, p) in zip(got, points, strict=True):
        expected = [
            RegularGridInterpolator(grid, surface.arrays[name].astype(float))((f, o, p))
            for name in ("proxy", "true", "fr", "fr_lo")
        ]
        loop = RegularGridInterpolator(grid, surface.arrays["loop"].astype(float))((f, o, p))
        curve = RegularGridInterpolator(grid[:2], surface.arrays["curve_true"].astype(float))(
            (f, o)
        )
        np.testing.assert_allclose(row, [*expected, *loop, *curve], rtol=1e-5, atol=1e-5)


def test_page_model_url_state_round_trips(page: Any, lab_url: str) -> None:
    open_lab(page, lab_url, "#experiment=labtoy")
    rng = np.random.default_rng(5)
    states = [
        {
            "experiment": "labtoy",
            "sliders": {
                "pressure": round(float(rng.random()), 3),
                "fidelity": round(float(rng.random()), 3),
                "oversight": round(float(rng.random()), 3),
            },
            "seed": int(rng.integers(0, 2**32)),
            "seeds": int(rng.integers(1, 17)),
            "options": {
                "tail": str(rng.choice(["heavy", "light"])),
                "audit": bool(rng.random() < 0.5),
                "scale": round(float(rng.uniform(0.5, 2.0)), 4),
            },
        }
        for _ in range(30)
    ]
    back = page.evaluate(
        """async (states) => {
          const M = await import("./static/model.js");
          const experiments = window.lab.experiments;
          const spec = experiments.find((e) => e.id === "labtoy");
          return states.map((s) => M.parseHash(M.toHash(s, spec), experiments));
        }""",
        states,
    )
    assert back == states


REAL = [s.id for s in alignlab.experiments()]


@pytest.mark.parametrize("experiment", REAL)
def test_every_experiment_drags_and_matches_the_library(
    page: Any, lab_url: str, experiment: str
) -> None:
    open_lab(page, lab_url, f"#experiment={experiment}")
    wait_surface(page)
    for name, target in (("pressure", 0.9), ("fidelity", 0.7), ("oversight", 0.6)):
        mid = drag(page, name, target)
        assert mid["source"] == "surface", name
        assert all(np.isfinite([mid["fr"], mid["proxy"], mid["true"], mid["gap"]]))
        shown = wait_exact(page)
        assert float(url_state(page.url)[name]) == pytest.approx(target, abs=0.02)
        assert_matches_library(shown, page.url)


def test_seed_band_runs_several_seeds_and_says_what_each_interval_covers(
    page: Any, lab_url: str
) -> None:
    shown = open_lab(page, lab_url, "#experiment=labtoy&pressure=0.8&seed=3&seeds=4")
    assert page.locator("#seeds").input_value() == "4"
    assert url_state(page.url)["seeds"] == "4"
    page.wait_for_function("document.getElementById('seed-band').textContent.length > 0")
    text = page.locator("#seed-band").text_content()
    band = alignlab.run_seeds("labtoy", pressure=0.8, seeds=4, seed=3).summary()
    assert text.startswith("Across 4 seeds (3–6): FR mean")
    assert "covers seed 3 alone" in text
    assert f"{band['within_seed_ci_covering_mean']} of 4" in text
    assert_matches_library(shown, page.url)  # the dial still shows seed 3's own result
    # Back to one seed: no band, and the request carries no seeds.
    page.fill("#seeds", "1")
    page.dispatch_event("#seeds", "change")
    page.wait_for_function("document.getElementById('seed-band').textContent === ''")
    assert url_state(page.url)["seeds"] == "1"
    # A hand-edited link with a bad seed count falls back to one seed.
    open_lab(page, lab_url, "#experiment=labtoy&seeds=99")
    assert url_state(page.url)["seeds"] == "1"
