"""Figures and timing of `rater-bias`, as docs/rater-bias.md quotes them.

    PYTHONPATH=src python benchmarks/bench_rater_bias.py [--runs 200] [--seeds 8]

* settings table: FR at full pressure with its 95% interval, and correctness from the base
  policy to its peak and to full pressure, at a few rater settings (seed 0, both
  optimisers), with the reward model's correlation with correctness;
* smoothness: FR at full pressure over a 0.1 grid of rater attention (no experts) and of
  expert share (attention 0.2): the mean over seeds, the across-seed range, and the
  largest drop between neighbouring grid points of any one seed;
* speed: median and p95 of one `alignlab.run` at random settings (sliders, optimiser,
  seed), after a short warm-up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import alignlab

OPTIMISERS = ("best-of-n", "kl")


def settings_table() -> None:
    """FR and correctness along the curve at a few rater settings (seed 0)."""
    print(
        "| optimiser | attention | experts | FR n=1 -> n=1024 [95% CI] | correctness: base "
        "-> peak (KL) -> end | RM corr. with correctness |"
    )
    print("|---|---|---|---|---|---|")
    for optimiser in OPTIMISERS:
        for attention, experts in (
            (0.0, 0.0),
            (0.2, 0.0),
            (0.5, 0.0),
            (1.0, 0.0),
            (0.2, 0.5),
            (0.2, 1.0),
        ):
            data = alignlab.run(
                "rater-bias",
                pressure=1.0,
                fidelity=attention,
                oversight=experts,
                optimiser=optimiser,
            ).to_dict()
            curve, peak = data["curve"], data["peak"]
            lo, hi = data["fr_ci"]
            print(
                f"| {optimiser} | {attention:.1f} | {experts:.1f} | {curve['fr'][0]:.1f} -> "
                f"{data['fr']:.1f} [{lo:.1f}, {hi:.1f}] | {curve['true'][0]:.2f} -> "
                f"{peak['true']:.2f} ({curve['kl'][peak['index']]:.2f} nats) -> "
                f"{data['true']:.2f} | {data['correctness_correlation']:.2f} |"
            )


def smoothness(seeds: int) -> None:
    """FR at full pressure over a grid of each oversight slider, across seeds."""
    grid = np.round(np.linspace(0.0, 1.0, 11), 2)
    for optimiser in OPTIMISERS:
        for slider, fixed in (("fidelity", {"oversight": 0.0}), ("oversight", {"fidelity": 0.2})):
            frs = np.array(
                [
                    [
                        alignlab.run(
                            "rater-bias",
                            pressure=1.0,
                            seed=seed,
                            optimiser=optimiser,
                            **{**fixed, slider: float(value)},
                        ).fr
                        for value in grid
                    ]
                    for seed in range(seeds)
                ]
            )
            mean = " ".join(f"{v:.0f}" for v in frs.mean(axis=0))
            step = float(np.max(-np.diff(frs, axis=1)))
            print(
                f"{optimiser}, {slider} 0 -> 1 ({fixed}): mean FR over {seeds} seeds: {mean}; "
                f"seed range at 1: {frs[:, -1].min():.1f}-{frs[:, -1].max():.1f}; largest "
                f"one-step drop of any seed: {step:.1f}"
            )


def speed(runs: int, rng: np.random.Generator) -> None:
    """Median and p95 (ms) of one run at random settings."""
    for _ in range(5):
        alignlab.run("rater-bias")
    times = []
    for _ in range(runs):
        p, f, o = rng.random(3).tolist()
        optimiser = str(rng.choice(OPTIMISERS))
        seed = int(rng.integers(0, 1000))
        start = time.perf_counter()
        alignlab.run(
            "rater-bias", pressure=p, fidelity=f, oversight=o, seed=seed, optimiser=optimiser
        )
        times.append(1000.0 * (time.perf_counter() - start))
    print(
        f"rater-bias, random settings: median {statistics.median(times):.1f} ms, "
        f"p95 {float(np.percentile(times, 95)):.1f} ms (n={runs})"
    )


def main() -> None:
    """Print the figures of docs/rater-bias.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="timed runs")
    parser.add_argument("--seeds", type=int, default=8, help="seeds for the smoothness rows")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    settings_table()
    smoothness(args.seeds)
    speed(args.runs, np.random.default_rng(2026))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
