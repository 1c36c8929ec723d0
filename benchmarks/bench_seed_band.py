"""How much FR moves between seeds, beside each seed's own interval: the seed band.

For every registered experiment at its default setting (and for spec-gaming, every
world), runs `alignlab.run_seeds` over K seeds and prints the across-seed mean, sd and
range, the 95% interval of the mean over seeds, the 95% interval for one new seed, the
median width of the per-seed (within-seed) intervals, and how many of the K per-seed
intervals hold the across-seed mean. Where far fewer than 95% do, a single seed's
interval understates how much the result depends on the seed.

Usage:
    PYTHONPATH=src python benchmarks/bench_seed_band.py [--seeds 20]
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import numpy as np

import alignlab


def cases() -> list[tuple[str, dict[str, Any]]]:
    """Every experiment at its defaults; spec-gaming once per world."""
    out: list[tuple[str, dict[str, Any]]] = []
    for spec in alignlab.experiments():
        worlds = [o for o in spec.schema.options if o.name == "world"]
        if worlds:
            out.extend((spec.id, {"world": w}) for w in worlds[0].choices)
        else:
            out.append((spec.id, {}))
    return out


def main() -> None:
    """Print the seed-band table of docs/lab.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds per experiment")
    args = parser.parse_args()
    k = args.seeds
    print(f"alignlab {alignlab.__version__}, {k} seeds (0..{k - 1}) at default settings, ")
    print(f"load average {os.getloadavg()[0]:.1f} at start")
    print()
    print(
        "| experiment | FR mean | sd | range | 95% CI of the mean | a new seed | "
        "median within-seed width | within-seed CIs holding the mean | seconds |"
    )
    print("|---|---:|---:|---|---|---|---:|---:|---:|")
    for experiment, options in cases():
        start = time.perf_counter()
        band = alignlab.run_seeds(experiment, seeds=k, **options).summary()
        elapsed = time.perf_counter() - start
        widths = np.median([hi - lo for lo, hi in band["fr_ci"]])
        name = experiment + (f" ({options['world']})" if options else "")
        print(
            f"| {name} | {band['mean']:.1f} | {band['sd']:.1f} | "
            f"{band['min']:.1f}-{band['max']:.1f} | "
            f"{band['mean_ci'][0]:.1f}-{band['mean_ci'][1]:.1f} | "
            f"{band['prediction'][0]:.1f}-{band['prediction'][1]:.1f} | {widths:.1f} | "
            f"{band['within_seed_ci_covering_mean']} of {k} | {elapsed:.1f} |"
        )


if __name__ == "__main__":
    main()
