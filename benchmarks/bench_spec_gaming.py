"""Time one `alignlab.run("spec-gaming", ...)` per world: median and p95 after warm-up.

Each world is timed at random settings of the three sliders (fresh fidelity and
oversight every run, so the solved-MDP caches do not help), after a few warm-up runs
that load modules and build the static tables. It also prints, per world, the observed
return and hidden performance of the hacking and the honest behaviour (the README's
table) and FR at full pressure with and without the loophole closed, and FR (the hack
rate) beside the hidden performance lost against honest play, saying which FRs are exact.

    python benchmarks/bench_spec_gaming.py [--runs 60] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import alignlab
from alignlab.experiments import spec_gaming

PLOTTED = (("absent-supervisor", 0.0, 0.5), ("tomato-watering", 0.0, 0.25), ("boat-race", 0.0, 0.0))
"""(world, fidelity, oversight) of the README's plots."""


def time_world(world: str, runs: int, seed: int) -> tuple[float, float, float]:
    """Return (median wall ms, p95 wall ms, median CPU ms) of one run at random settings.

    CPU time (this process only) is reported beside wall time because the machine is
    shared: under load, wall time includes waiting for a core.
    """
    rng = np.random.default_rng(seed)
    for _ in range(3):
        alignlab.run("spec-gaming", world=world, **_random_setting(rng))
    wall, cpu = [], []
    for _ in range(runs):
        setting = _random_setting(rng)
        start, start_cpu = time.perf_counter(), time.process_time()
        alignlab.run("spec-gaming", world=world, **setting)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    ms = 1000 * np.array(wall)
    return float(np.median(ms)), float(np.percentile(ms, 95)), float(1000 * np.median(cpu))


def _random_setting(rng: np.random.Generator) -> dict[str, float]:
    pressure, fidelity, oversight = rng.random(3).tolist()
    return {"pressure": pressure, "fidelity": fidelity, "oversight": oversight}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print("| world | behaviour | observed return | hidden performance |")
    print("|---|---|---|---|")
    for world in spec_gaming.WORLDS:
        for b in spec_gaming.reference_behaviours(world):
            print(f"| {world} | {b.name} | {b.observed:.2f} | {b.hidden:.2f} |")
    print()
    print("| world | FR at pressure 1 (fidelity 0, oversight 0) | closed: fidelity 1 |")
    print("|---|---|---|")
    for world in spec_gaming.WORLDS:
        open_fr = alignlab.run("spec-gaming", pressure=1, fidelity=0, oversight=0, world=world).fr
        closed = alignlab.run("spec-gaming", pressure=1, fidelity=1, oversight=0, world=world).fr
        print(f"| {world} | {open_fr:.1f} | {closed:.1f} |")
    print()
    print(
        "| world (plot setting) | pressure | proxy | true | FR /100 (hack rate) | fr_ci "
        "| hidden lost vs honest |"
    )
    print("|---|---|---|---|---|---|---|")
    for world, fidelity, oversight in (*PLOTTED, ("tomato-watering", 0.0, 0.5)):
        for pressure in (0.0, 0.7, 1.0):
            data = alignlab.run(
                "spec-gaming",
                pressure=pressure,
                fidelity=fidelity,
                oversight=oversight,
                world=world,
            ).to_dict()
            lo, hi = data["fr_ci"]
            interval = "exact" if data["fr_ci_covers"].startswith("exact") else f"{lo:.1f}-{hi:.1f}"
            harm = data["harm"]
            print(
                f"| {world} (f={fidelity}, o={oversight}) | {pressure} | {data['proxy']:.2f} "
                f"| {data['true']:.2f} | {data['fr']:.1f} | {interval} | "
                f"{harm['hidden_lost']:.2f} ({100 * harm['hidden_lost_share']:.0f}%) |"
            )
    print()
    print(f"| world | median ms | p95 ms | median CPU ms | ({args.runs} runs, random settings)")
    print("|---|---|---|---|")
    for world in spec_gaming.WORLDS:
        median, p95, cpu = time_world(world, args.runs, args.seed)
        print(f"| {world} | {median:.1f} | {p95:.1f} | {cpu:.1f} |")
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
