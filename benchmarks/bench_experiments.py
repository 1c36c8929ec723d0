"""Time `alignlab.run` for every registered experiment, and goodhart's cost vs pool size.

Each experiment is warmed up with one call, then run at random slider positions with
random choice options (the way the page asks for exact values while a user drags). Two
regimes are timed:

- ``same seed``: one seed throughout, as on the page (caches of pure, seed-determined
  work such as a fitted reward model may be reused; results stay bit-identical);
- ``fresh seed``: a new seed every call, so nothing can be reused.

Then goodhart's run time is measured against its ``pool_size`` option. Medians and p95
are reported in milliseconds, with the machine's load average (this 2-core machine is
shared, so figures vary with what else runs).

Usage:
    python benchmarks/bench_experiments.py            # full run (a few minutes)
    python benchmarks/bench_experiments.py --quick    # fewer runs
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from typing import Any

import numpy as np

import alignlab
from alignlab.core import ExperimentSpec


def _random_options(spec: ExperimentSpec, rng: np.random.Generator) -> dict[str, Any]:
    """A random choice for every choice option; other options keep their defaults."""
    return {
        opt.name: str(rng.choice(list(opt.choices)))
        for opt in spec.schema.options
        if opt.kind == "choice"
    }


def _summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def bench_experiment(
    spec: ExperimentSpec, runs: int, *, fresh_seed: bool, seed: int
) -> tuple[list[float], list[float]]:
    """Wall and CPU times (ms) of `runs` calls at random settings, after one warm-up call.

    CPU time (this process) is reported beside wall time because the machine is shared:
    under load, wall time includes waiting for a core.
    """
    rng = np.random.default_rng(seed)
    alignlab.run(spec.id, seed=seed)  # the first call: imports, tables, caches
    times, cpu = [], []
    for i in range(runs):
        pressure, fidelity, oversight = rng.random(3).tolist()
        kwargs = {
            "pressure": pressure,
            "fidelity": fidelity,
            "oversight": oversight,
            "seed": seed + 1 + i if fresh_seed else seed,
            **_random_options(spec, rng),
        }
        start, start_cpu = time.perf_counter(), time.process_time()
        alignlab.run(spec.id, **kwargs)
        times.append(1000.0 * (time.perf_counter() - start))
        cpu.append(1000.0 * (time.process_time() - start_cpu))
    return times, cpu


def bench_pool_sizes(sizes: list[int], runs: int, seed: int) -> list[tuple[int, str, float, float]]:
    """Time goodhart against its pool_size, per method (random pressure and oversight).

    Fidelity stays at its default, so the reward model is fitted once (its cost does not
    depend on the pool and is in the main table). Sizes and methods are interleaved run by
    run, so that a change in the machine's load hits every size alike.
    """
    cases = [(size, method) for method in ("bon", "rl") for size in sizes]
    for size, method in cases:
        for oversight in (0.0, 1.0):  # fit the reward model, and its ensemble, once
            alignlab.run("goodhart", seed=seed, method=method, pool_size=size, oversight=oversight)
    rng = np.random.default_rng(seed)
    times: dict[tuple[int, str], list[float]] = {case: [] for case in cases}
    for pressure, oversight in rng.random((runs, 2)).tolist():
        for size, method in cases:
            start = time.perf_counter()
            alignlab.run(
                "goodhart",
                pressure=pressure,
                oversight=oversight,
                seed=seed,
                method=method,
                pool_size=size,
            )
            times[size, method].append(1000.0 * (time.perf_counter() - start))
    return [(size, method, *_summary(times[size, method])) for size, method in cases]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="timed runs per regime")
    parser.add_argument("--pool-runs", type=int, default=30, help="timed runs per pool size")
    parser.add_argument("--quick", action="store_true", help="40 runs, 10 per pool size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--only", nargs="*", default=[], metavar="ID", help="time only these experiments"
    )
    args = parser.parse_args()
    runs, pool_runs = (40, 10) if args.quick else (args.runs, args.pool_runs)

    load = os.getloadavg()
    print(
        f"alignlab {alignlab.__version__}, Python {platform.python_version()}, "
        f"numpy {np.__version__}, {os.cpu_count()} CPUs, "
        f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at start"
    )
    print()
    print(f"alignlab.run, {runs} random settings and options per row, after one warm-up call")
    print()
    print("| experiment | seed | median ms | p95 ms | median CPU ms |")
    print("|---|---|---:|---:|---:|")
    chosen = [s for s in alignlab.experiments() if not args.only or s.id in args.only]
    for spec in chosen:
        for fresh in (False, True):
            wall, cpu = bench_experiment(spec, runs, fresh_seed=fresh, seed=args.seed)
            median, p95 = _summary(wall)
            regime = "fresh each call" if fresh else "same seed"
            print(f"| {spec.id} | {regime} | {median:.1f} | {p95:.1f} | {_summary(cpu)[0]:.1f} |")
    if args.only:
        return
    print()
    print(
        f"goodhart cost vs pool_size ({pool_runs} random pressure/oversight settings each, "
        "default fidelity, same seed)"
    )
    print()
    print("| pool_size | method | median ms | p95 ms |")
    print("|---:|---|---:|---:|")
    sizes = [2**k for k in range(12, 19)]
    for size, method, median, p95 in bench_pool_sizes(sizes, pool_runs, args.seed):
        print(f"| {size} | {method} | {median:.1f} | {p95:.1f} |")
    load = os.getloadavg()
    print()
    print(f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at end")


if __name__ == "__main__":
    main()
