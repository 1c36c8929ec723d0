"""Figures of `goodhart` that docs/goodhart.md quotes (means over seeds 0-3).

    PYTHONPATH=src python benchmarks/bench_goodhart.py [--seeds 4]

* reward-model size: peak KL and peak true-reward gain of best-of-n against the number of
  hidden units and labels, with the R^2 of Gao's best-of-n form and its worst residual;
* RL's functional form: R^2 of d (alpha - beta ln d) against d (alpha - beta d) for the
  exact KL-regularised optimum (`rl`) and the policy-gradient policy (`pg`);
* mitigations: FR at full pressure and the true-reward gain over the base policy, with no
  oversight, the ensemble alone, the KL penalty alone, and both (oversight 1).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import numpy as np

import alignlab


def _run(seed: int, **options: Any) -> dict[str, Any]:
    return alignlab.run("goodhart", seed=seed, **options).to_dict()


def _peak_kl(data: dict[str, Any]) -> float:
    return float(data["curve"]["kl"][data["peak"]["index"]])


def rm_size(seeds: int) -> None:
    """Gao et al.'s reward-model-size result: peak KL and gain against capacity."""
    print(
        "| hidden units | labels | peak KL (nats) | peak gain | gain at 10 nats | bon R^2 | "
        "worst residual (at KL) |"
    )
    print("|---:|---:|---|---|---|---|---|")
    for fidelity in (0.5, 0.75, 1.0):
        for units in (0, 8, 32, 64):
            runs = [
                _run(s, pressure=1.0, fidelity=fidelity, hidden_units=units) for s in range(seeds)
            ]
            peak = np.mean([_peak_kl(r) for r in runs])
            gain = np.mean([r["peak"]["true"] - r["base"]["true"] for r in runs])
            end = np.mean([r["true"] - r["base"]["true"] for r in runs])
            r2 = [r["fit"]["r2"] for r in runs]
            worst = max(runs, key=lambda r: abs(r["fit"]["max_residual"]))["fit"]
            print(
                f"| {units} | {runs[0]['physical']['labels']} | {peak:.1f} | {gain:+.2f} | "
                f"{end:+.2f} | {min(r2):.3f}-{max(r2):.3f} | {worst['max_residual']:+.2f} "
                f"({worst['max_residual_kl']:.1f}) |"
            )


CASES: list[tuple[str, dict[str, Any]]] = [
    ("learned, linear", {}),
    ("learned, 32 units, f 0.75", {"hidden_units": 32, "fidelity": 0.75}),
    ("additive student-t", {"proxy": "additive", "tail": "student-t"}),
    ("additive lognormal", {"proxy": "additive", "tail": "lognormal"}),
    ("additive gaussian", {"proxy": "additive"}),
]


def rl_form(seeds: int) -> None:
    """Which of Gao's forms fits RL's true-reward curve, for the exact optimum and for PG."""
    print(
        "| proxy | method | R^2 log form | R^2 quadratic form | log fits better | "
        "policy width range (pg) |"
    )
    print("|---|---|---|---|---|---|")
    for name, options in [
        *CASES,
        ("learned, linear, ensemble", {"oversight": 1.0, "mitigation": "ensemble"}),
    ]:
        for method in ("rl", "pg"):
            runs = [_run(s, pressure=1.0, method=method, **options) for s in range(seeds)]
            log = [r["fit"]["r2_log"] for r in runs]
            quad = [r["fit"]["r2_quadratic"] for r in runs]
            better = sum(r["fit"]["better"] == "log" for r in runs)
            width = ""
            if method == "pg":
                widths = np.concatenate([r["curve"]["policy_width"] for r in runs])
                width = f"{widths.min():.2f}-{widths.max():.2f}"
            print(
                f"| {name} | {method} | {min(log):.3f}-{max(log):.3f} | "
                f"{min(quad):.3f}-{max(quad):.3f} | {better} of {seeds} | {width} |"
            )


def mitigations(seeds: int) -> None:
    """FR and true gain at full pressure: none, ensemble only, KL penalty only, both."""
    settings = [
        ("none", 0.0, "both"),
        ("ensemble", 1.0, "ensemble"),
        ("KL penalty", 1.0, "kl-penalty"),
        ("both", 1.0, "both"),
    ]
    print("| proxy | method | " + " | ".join(f"{n}: FR, gain" for n, _, _ in settings) + " |")
    print("|---|---|" + "---|" * len(settings))
    for name, options in CASES:
        for method in ("bon", "rl", "pg"):
            cells = []
            for _, oversight, mitigation in settings:
                runs = [
                    _run(
                        s,
                        pressure=1.0,
                        oversight=oversight,
                        mitigation=mitigation,
                        method=method,
                        **options,
                    )
                    for s in range(seeds)
                ]
                fr = np.mean([r["fr"] for r in runs])
                gain = np.mean([r["true"] - r["base"]["true"] for r in runs])
                cells.append(f"{fr:.1f}, {gain:+.2f}")
            print(f"| {name} | {method} | " + " | ".join(cells) + " |")


def defaults() -> None:
    """The default view (seed 0) the page and the figure show."""
    for method in ("bon", "rl", "pg"):
        data = _run(0, method=method, pressure=1.0)
        fit = data["fit"]
        print(
            f"default, {method}, seed 0: peak {data['peak']['true'] - data['base']['true']:+.2f}"
            f" at {_peak_kl(data):.1f} nats, end {data['true'] - data['base']['true']:+.2f}, "
            f"FR {data['fr']:.1f} [{data['fr_ci'][0]:.1f}, {data['fr_ci'][1]:.1f}], "
            f"R^2 {fit['r2']:.3f}"
        )


def main() -> None:
    """Print the figures of docs/goodhart.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    defaults()
    rm_size(args.seeds)
    rl_form(args.seeds)
    mitigations(args.seeds)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
