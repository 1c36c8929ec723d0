"""Fixtures for the Lab: a small best-of-n Goodhart experiment, apps and a live server.

`labtoy` is a real (tiny) simulation, not a drawing: proxy = true + heavy-tailed error,
best-of-n selection on the proxy. True reward peaks at moderate n and falls past it
while FR rises, which is what the page must show for any Goodhart-type experiment.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from starlette.testclient import TestClient

from alignlab.core import (
    LOOP_STAGES,
    LoopStage,
    Measurement,
    Option,
    OptionValue,
    Schema,
    Slider,
    Sliders,
    fr_per_100,
    register,
    unregister,
)
from alignlab.lab import SurfaceGrid, create_app
from tests.lab._browser import CHROMIUM_ARGS, ChromiumNotFound, find_chromium

MAX_LOG2_N = 9
SAMPLES = 50_000

LABTOY_SCHEMA = Schema(
    pressure=Slider(
        "pressure",
        "Pressure",
        "How many candidates best-of-n draws.",
        "n samples",
        default=0.4,
        to_physical=lambda p: 2 ** (MAX_LOG2_N * p),
    ),
    fidelity=Slider(
        "fidelity",
        "Fidelity",
        "How small the proxy's error is.",
        "error scale",
        default=0.4,
        to_physical=lambda f: 0.2 + 1.8 * (1 - f),
    ),
    oversight=Slider(
        "oversight", "Oversight", "Damps the selection pressure.", "damping", default=0.0
    ),
    options=(
        Option("tail", "choice", "heavy", "error tail", choices=("heavy", "light")),
        Option("audit", "bool", False, "double the oversight's effect"),
        Option("scale", "float", 1.0, "scale of rewards", low=0.5, high=2.0),
    ),
)


def _quantile_window(
    proxy_sorted: np.ndarray, true_sorted: np.ndarray, n: float
) -> tuple[float, float, int, int]:
    """Proxy, true and failures of the top window a best-of-n pick lands in."""
    size = proxy_sorted.size
    lo = int(size * (1 - 1.5 / (n + 1)))
    hi = max(int(np.ceil(size * (1 - 0.5 / (n + 1)))), lo + 1)
    window_true = true_sorted[lo:hi]
    fails = int((window_true < 0).sum())
    return float(proxy_sorted[lo:hi].mean()), float(window_true.mean()), fails, hi - lo


def labtoy(
    sliders: Sliders, options: Mapping[str, OptionValue], rng: np.random.Generator
) -> Measurement:
    """Best-of-n on proxy = true + error; oversight damps n."""
    df = 2.0 if options["tail"] == "heavy" else 30.0
    damping = sliders.oversight * (1.4 if options["audit"] else 0.7)
    error_scale = 0.2 + 1.8 * (1 - sliders.fidelity)
    true = rng.standard_normal(SAMPLES)
    proxy = true + error_scale * rng.standard_t(df, SAMPLES)
    order = np.argsort(proxy)
    proxy_sorted, true_sorted = proxy[order], true[order]
    scale = float(options["scale"])  # type: ignore[arg-type]
    grid = np.linspace(0.0, 1.0, 33)

    def at(p: float) -> tuple[float, float, int, int, float]:
        n_eff = 2 ** (MAX_LOG2_N * p * (1 - min(damping, 0.95)))
        pr, tr, fails, total = _quantile_window(proxy_sorted, true_sorted, n_eff)
        return pr * scale, tr * scale, fails, total, n_eff

    rows = [at(float(p)) for p in grid]
    proxy_value, true_value, fails, total, n_eff = at(sliders.pressure)
    fr, ci = fr_per_100(fails, total)
    push = float(np.log2(n_eff) / MAX_LOG2_N)
    values = {
        "intent": (1.0, "true reward", "maximise E[true]"),
        "specification": (sliders.fidelity, "noisy proxy", f"error x{error_scale:.2f}"),
        "optimiser": (push, "best-of-n", f"n = {n_eff:.0f}"),
        "model": (push, "selected output", f"rank top {100 / (n_eff + 1):.2g}%"),
        "behaviour": (min(1.0, abs(proxy_value) / 6), "chosen answer", f"proxy {proxy_value:.2f}"),
        "proxy": (float(np.clip(proxy_value / 6, 0, 1)), "proxy", f"{proxy_value:.2f}"),
        "true": (float(np.clip(true_value / 3, 0, 1)), "true", f"{true_value:.2f}"),
    }
    return Measurement(
        physical={"n": round(n_eff), "error_scale": error_scale},
        fr=fr,
        fr_ci=ci,
        proxy=proxy_value,
        true=true_value,
        curve={
            "pressure": grid,
            "proxy": [r[0] for r in rows],
            "true": [r[1] for r in rows],
            "fr": [100 * r[2] / r[3] for r in rows],
            "n": [r[4] for r in rows],
        },
        loop=[LoopStage(s, values[s][1], values[s][0], values[s][2]) for s in LOOP_STAGES],
        explanation=f"Best-of-{n_eff:.0f} on a proxy with error x{error_scale:.2f}.",
    )


@contextmanager
def registered_labtoy() -> Iterator[str]:
    """Register `labtoy` for the duration of a `with` block."""
    register(
        "labtoy",
        title="Lab toy: best-of-n",
        summary="Best-of-n on a heavy-tailed proxy.",
        schema=LABTOY_SCHEMA,
        fr_definition="a selected output whose true reward is below 0",
    )(labtoy)
    try:
        yield "labtoy"
    finally:
        unregister("labtoy")


@pytest.fixture
def labtoy_id() -> Iterator[str]:
    """Register `labtoy` for one test."""
    with registered_labtoy() as name:
        yield name


SMALL_GRID = SurfaceGrid(fidelity=3, oversight=3, pressure=5, curve=17)


@pytest.fixture
def small_grid() -> SurfaceGrid:
    return SMALL_GRID


@pytest.fixture
def client(labtoy_id: str, toy: str, tmp_path: Path) -> Iterator[TestClient]:
    """A TestClient on an app with labtoy and the core's toy registered, small surfaces."""
    with TestClient(
        create_app(cache_dir=tmp_path / "surfaces", grid=SMALL_GRID), base_url="http://127.0.0.1"
    ) as c:
        yield c


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium through Playwright; fails (never skips) when it is missing.

    `scripts/test` installs it or says how; `find_chromium` looks where it usually is.
    One per module, not per session: Playwright's sync API keeps an event loop running
    in the main thread while it is open, and any later test that starts its own loop
    (Inspect's `eval`) would fail if the browser outlived the module that needed it.
    """
    try:
        executable = find_chromium()
    except ChromiumNotFound as exc:
        pytest.fail(str(exc))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page in its own context; any uncaught page error fails the test."""
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert errors == [], errors
