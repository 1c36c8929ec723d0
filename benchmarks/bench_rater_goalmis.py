"""Benchmark `rater-bias` and `goal-misgeneralization`: time per `alignlab.run`.

Prints the figures the README quotes (medians; the machine may be shared, so rerun on
a quiet one before trusting the tails):

    PYTHONPATH=src python benchmarks/bench_rater_goalmis.py

* rater-bias: median and p95 of one run over random settings (sliders, option, seed),
  after a short warm-up.
* goal-misgeneralization: the cold cost of a run whose training cell (quantised
  fidelity, quantised oversight, seed) is not cached yet; then, after warming every cell
  of seed 0's grid, median and p95 over random settings; and the share of random-coin
  training levels at which FR first drops below 20, per seed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import alignlab
from alignlab.experiments import goal_misgeneralization as gm


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return 1000.0 * (time.perf_counter() - start)


def _summary(name: str, times: list[float]) -> str:
    p95 = float(np.percentile(times, 95))
    return f"{name}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms (n={len(times)})"


def bench_rater_bias(runs: int, rng: np.random.Generator) -> None:
    for _ in range(5):
        alignlab.run("rater-bias")
    times = []
    for _ in range(runs):
        p, f, o = rng.random(3).tolist()
        optimiser = str(rng.choice(["best-of-n", "kl"]))
        seed = int(rng.integers(0, 1000))
        times.append(
            _timed(
                lambda p=p, f=f, o=o, s=seed, opt=optimiser: alignlab.run(
                    "rater-bias", pressure=p, fidelity=f, oversight=o, seed=s, optimiser=opt
                )
            )
        )
    print(_summary("rater-bias, random settings", times))


def figures_rater_bias() -> None:
    """The settings the README quotes: FR and correctness at a few settings, seed 0."""
    print("rater-bias figures (seed 0, best-of-n; FR at n=1 -> n=1024; correctness peak):")
    for fidelity, oversight in ((0.0, 0.0), (0.2, 0.0), (0.2, 0.5), (1.0, 0.0)):
        data = alignlab.run(
            "rater-bias", pressure=1.0, fidelity=fidelity, oversight=oversight
        ).to_dict()
        curve, peak = data["curve"], data["peak"]
        n_peak = curve["n"][peak["index"]]
        print(
            f"  attention {fidelity:.1f}, experts {oversight:.1f}: FR {curve['fr'][0]:.1f} -> "
            f"{data['fr']:.1f} [{data['fr_ci'][0]:.1f}, {data['fr_ci'][1]:.1f}], correct "
            f"{curve['true'][0]:.2f} -> peak {peak['true']:.2f} at n={n_peak:.0f}"
            f" -> {data['true']:.2f}"
        )


def bench_goal_misgeneralization(
    runs: int, cold: int, seeds: int, rng: np.random.Generator
) -> None:
    gm._train.cache_clear()
    cold_times = []
    for i in range(cold):
        p, f, o = rng.random(3).tolist()
        cold_times.append(
            _timed(
                lambda p=p, f=f, o=o, s=1000 + i: alignlab.run(
                    "goal-misgeneralization", pressure=p, fidelity=f, oversight=o, seed=s
                )
            )
        )
    print(_summary("goal-misgeneralization, cold (new training cell)", cold_times))

    fidelities = np.arange(0, 1 + 1e-9, gm.FIDELITY_STEP)
    oversights = np.arange(0, 1 + 1e-9, gm.OVERSIGHT_STEP)
    start = time.perf_counter()
    for f in fidelities:
        for o in oversights:
            alignlab.run("goal-misgeneralization", fidelity=float(f), oversight=float(o))
    cells = len(fidelities) * len(oversights)
    print(
        f"goal-misgeneralization, warming seed 0's grid: {cells} cells in "
        f"{time.perf_counter() - start:.1f} s"
    )
    times = []
    for _ in range(runs):
        p, f, o = rng.random(3).tolist()
        times.append(
            _timed(
                lambda p=p, f=f, o=o: alignlab.run(
                    "goal-misgeneralization", pressure=p, fidelity=f, oversight=o
                )
            )
        )
    print(_summary("goal-misgeneralization, random settings after warm-up", times))

    shares = [gm.fr_threshold_share(seed=s) for s in range(seeds)]
    text = ", ".join(f"seed {s}: {share}" for s, share in enumerate(shares))
    found = [s for s in shares if s is not None]
    print(f"share of random-coin levels at which FR first drops below 20: {text}")
    if found:
        print(f"  median {statistics.median(found):.4g}")
    print("goal-misgeneralization figures (seed 0, full training):")
    for fidelity, oversight in ((0.0, 0.0), (0.0, 1.0), (0.25, 0.0), (0.25, 1.0), (0.3, 0.0)):
        data = alignlab.run(
            "goal-misgeneralization", fidelity=fidelity, oversight=oversight
        ).to_dict()
        blended = data["fr_blended_ci"]
        print(
            f"  random-coin share {gm.random_share(fidelity):.4g}, coin check {oversight:.1f}: "
            f"training reward {data['proxy']:.3f}, test reward {data['true']:.3f}, "
            f"off-path FR {data['fr']:.1f} [{data['fr_ci'][0]:.1f}, {data['fr_ci'][1]:.1f}], "
            f"blended FR {data['fr_blended']:.1f} [{blended[0]:.1f}, {blended[1]:.1f}]"
        )
    data = alignlab.run("goal-misgeneralization").to_dict()
    untrained = data["untrained"]
    print(
        f"  untrained (seed 0): test reward {untrained['test_reward']:.3f}, off-path FR "
        f"{untrained['fr']:.1f}, {untrained['episode_steps']:.1f} steps per test episode; "
        f"trained: {data['episode_steps']:.1f} steps; FR by coin height "
        + ", ".join(f"{k}: {v:.1f}" for k, v in data["fr_by_coin_height"].items())
    )


def main() -> None:
    """Run every benchmark and print the README's figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="timed runs per experiment")
    parser.add_argument("--cold", type=int, default=10, help="cold goal-misgeneralization runs")
    parser.add_argument("--seeds", type=int, default=5, help="seeds for the FR < 20 share")
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    bench_rater_bias(args.runs, rng)
    figures_rater_bias()
    bench_goal_misgeneralization(args.runs, args.cold, args.seeds, rng)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
