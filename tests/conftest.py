"""Shared fixtures: a tiny, honest toy experiment for testing the core's machinery."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
import pytest

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

TOY_SCHEMA = Schema(
    pressure=Slider("pressure", "Pressure", "samples drawn", "n", to_physical=lambda p: 1 + 99 * p),
    fidelity=Slider("fidelity", "Fidelity", "proxy noise", "noise sd"),
    oversight=Slider("oversight", "Oversight", "unused", "none", default=0.0),
    options=(Option("tail", "choice", "gaussian", "error tail", choices=("gaussian", "cauchy")),),
)


def toy_experiment(
    sliders: Sliders, options: Mapping[str, OptionValue], rng: np.random.Generator
) -> Measurement:
    """Best-of-n on proxy = true + noise: a real, tiny Goodhart simulation for core tests."""
    grid = np.linspace(0, 1, 8)
    true = rng.standard_normal(512)
    noise_sd = 1.0 - sliders.fidelity
    noise = rng.standard_cauchy(512) if options["tail"] == "cauchy" else rng.standard_normal(512)
    proxy = true + noise_sd * noise
    ns = (1 + 99 * grid).astype(int)
    order = np.argsort(proxy)
    proxy_curve = np.array([proxy[order[-n:]].mean() for n in ns])
    true_curve = np.array([true[order[-n:]].mean() for n in ns])[::-1]
    fails = np.array([(true[order[-n:]] < 0).mean() * 100 for n in ns])
    i = round(sliders.pressure * 7)
    fr, ci = fr_per_100(float(fails[i]) * ns[i] / 100, int(ns[i]))
    return Measurement(
        physical={"n": int(ns[i]), "noise_sd": noise_sd},
        fr=fr,
        fr_ci=ci,
        proxy=float(proxy_curve[i]),
        true=float(true_curve[i]),
        curve={"pressure": grid, "proxy": proxy_curve[::-1], "true": true_curve, "fr": fails},
        loop=[LoopStage(s, s, 0.5, "toy") for s in LOOP_STAGES],
        explanation="Toy best-of-n.",
    )


@pytest.fixture
def toy() -> Iterator[str]:
    """Register the toy experiment for one test and remove it afterwards."""
    register("toy", title="Toy", summary="A toy.", schema=TOY_SCHEMA, fr_definition="true < 0")(
        toy_experiment
    )
    yield "toy"
    unregister("toy")
