"""Choose a system by its alignment profile: every axis side by side, ranked with ties.

`profile_logs` takes the logs of several systems (one per suite each) and returns, per
system, every axis with its interval and n (over-refusal of safe prompts, unsafe
compliance, refusal of unsafe prompts, honesty's correct / false premises / sycophancy /
unanswerable, and red-team attack success where a red-team log is present), and per
suite a ranking in which systems that are not significantly different share a rank.

Ranking: on the suite's primary outcome (refusal: `failure`, either refusal failure;
honesty: `correct`), every pair of systems is compared item by item with the gate's
paired test (exact McNemar with one epoch, else a paired permutation test), and Holm's
correction runs over all pairs of the suite. A system's rank is 1 + the number of
systems significantly better than it, so systems no test separates share a rank.

`ablation_specs` builds the prefixes of a system's guardrail layers (none, the first,
the first two, ...), whose runs give each layer's tax and benefit as paired differences.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from inspect_ai.log import EvalLog

from alignlab.bench._compare import Comparison, compare_logs, holm
from alignlab.bench._metrics import Rate, RunMetrics, metrics_from_log
from alignlab.bench._system import SystemSpec

PRIMARY: dict[str, tuple[str, str]] = {
    "refusal_calibration": ("failure", "lower"),
    "xstest": ("failure", "lower"),
    "honesty": ("correct", "higher"),
}
"""Each suite's ranking outcome and which way is better."""

REDTEAM_OUTCOME = "attack_success"
"""The outcome a red-team log records per attack (read where such a log is present)."""


def _suite(task: str) -> str:
    return task.split("/")[-1]


def _complement(rate: Rate) -> Rate:
    """1 - rate, with the interval mirrored (for refusal of unsafe = 1 - unsafe compliance)."""
    return Rate(
        rate.total - rate.count,
        rate.total,
        1.0 - rate.rate if rate.total else 0.0,
        (1.0 - rate.ci[1], 1.0 - rate.ci[0]),
        rate.errored,
        rate.epochs,
    )


def profile_axes(runs: Sequence[RunMetrics]) -> dict[str, Rate]:
    """The axes of one system from its runs (one per suite), each a rate with interval and n."""
    axes: dict[str, Rate] = {}
    for run in runs:
        suite = _suite(run.task)
        if suite in ("refusal_calibration", "xstest"):
            prefix = "" if suite == "refusal_calibration" else "xstest "
            for key in ("over_refusal", "unsafe_compliance"):
                if key in run.overall:
                    axes[prefix + key] = run.overall[key]
            if "unsafe_compliance" in run.overall:
                axes[prefix + "refusal_of_unsafe"] = _complement(run.overall["unsafe_compliance"])
        elif suite == "honesty":
            for key in ("correct", "confidently_wrong"):
                if key in run.overall:
                    axes[key] = run.overall[key]
            for kind in ("false_premise", "sycophancy", "unanswerable"):
                found = run.by_kind.get(kind, {}).get("correct")
                if found is not None:
                    axes[f"{kind}_correct"] = found
        elif REDTEAM_OUTCOME in run.overall:  # a red-team log, where one was run
            axes[REDTEAM_OUTCOME] = run.overall[REDTEAM_OUTCOME]
    return axes


@dataclass(frozen=True)
class Ranking:
    """Systems ranked on one suite's primary outcome, with statistical ties.

    Attributes:
        suite: the suite.
        outcome: the outcome ranked on.
        direction: `lower` or `higher` is better.
        ranks: system -> rank (1 is best; systems not significantly apart share a rank).
        values: system -> its rate of the outcome.
        pairs: (a, b) -> Holm-adjusted p-value of the paired test between a and b.
    """

    suite: str
    outcome: str
    direction: str
    ranks: dict[str, int]
    values: dict[str, float]
    pairs: dict[tuple[str, str], float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the ranking as JSON-ready values."""
        return {
            "suite": self.suite,
            "outcome": self.outcome,
            "direction": self.direction,
            "ranks": dict(self.ranks),
            "values": dict(self.values),
            "pairs": [{"a": a, "b": b, "p_holm": p} for (a, b), p in self.pairs.items()],
        }


@dataclass(frozen=True)
class Profile:
    """Several systems side by side.

    Attributes:
        systems: system names, in the order given.
        axes: system -> axis -> rate.
        runs: every run's metrics.
        rankings: one ranking per suite that has a primary outcome.
        alpha: the family-wise level of the ranking tests.
        ablations: system -> per-layer paired comparisons (layer added vs not), if asked.
    """

    systems: tuple[str, ...]
    axes: dict[str, dict[str, Rate]]
    runs: tuple[RunMetrics, ...]
    rankings: tuple[Ranking, ...]
    alpha: float
    ablations: dict[str, list[tuple[str, Comparison]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the profile as JSON-ready values."""
        return {
            "systems": list(self.systems),
            "alpha": self.alpha,
            "axes": {s: {k: r.to_dict() for k, r in a.items()} for s, a in self.axes.items()},
            "rankings": [r.to_dict() for r in self.rankings],
            "ablations": {
                s: [{"layer": layer, "comparison": c.to_dict()} for layer, c in steps]
                for s, steps in self.ablations.items()
            },
            "runs": [r.to_dict() for r in self.runs],
        }


def rank_systems(
    logs: Mapping[str, EvalLog | str], suite: str, alpha: float = 0.05
) -> Ranking | None:
    """Rank systems (name -> their log of `suite`) on the suite's primary outcome."""
    if suite not in PRIMARY or len(logs) < 1:
        return None
    outcome, direction = PRIMARY[suite]
    names = list(logs)
    values = {}
    for name in names:
        rate = metrics_from_log(logs[name]).overall.get(outcome)
        values[name] = rate.rate if rate is not None else float("nan")
    raw: dict[tuple[str, str], tuple[float, float]] = {}
    for a, b in itertools.combinations(names, 2):
        comparison = compare_logs(
            logs[a], logs[b], allow_missing=True, allow_different_scoring=False
        )
        found = [m for m in comparison.metrics if m.name == outcome]
        if found:
            raw[(a, b)] = (found[0].p_value, found[0].delta)
    keys = list(raw)
    adjusted = dict(zip(keys, holm([raw[k][0] for k in keys]), strict=True))
    better: dict[str, int] = dict.fromkeys(names, 0)
    for (a, b), p in adjusted.items():
        delta = raw[(a, b)][1]  # b minus a
        if p >= alpha or delta == 0:
            continue
        b_better = delta < 0 if direction == "lower" else delta > 0
        better[a if b_better else b] += 1
    return Ranking(
        suite=suite,
        outcome=outcome,
        direction=direction,
        ranks={name: 1 + better[name] for name in names},
        values=values,
        pairs=adjusted,
    )


def profile_logs(logs: Mapping[str, Sequence[EvalLog | str]], alpha: float = 0.05) -> Profile:
    """Build the profile of several systems from their logs (system -> its logs, one per suite).

    Raises:
        CompareError: when two systems' logs of one suite cannot be paired (different
            detectors or suite versions).
    """
    runs = {
        name: [metrics_from_log(log) for log in system_logs] for name, system_logs in logs.items()
    }
    axes = {name: profile_axes(system_runs) for name, system_runs in runs.items()}
    suites = list(
        dict.fromkeys(_suite(m.task) for system_runs in runs.values() for m in system_runs)
    )
    rankings = []
    for suite in suites:
        by_system: dict[str, EvalLog | str] = {}
        for name, system_logs in logs.items():
            for log, metrics in zip(system_logs, runs[name], strict=True):
                if _suite(metrics.task) == suite:
                    by_system[name] = log
        ranking = rank_systems(by_system, suite, alpha) if len(by_system) > 1 else None
        if ranking is not None:
            rankings.append(ranking)
    return Profile(
        systems=tuple(logs),
        axes=axes,
        runs=tuple(m for system_runs in runs.values() for m in system_runs),
        rankings=tuple(rankings),
        alpha=alpha,
    )


def ablation_specs(spec: SystemSpec) -> list[tuple[str, SystemSpec]]:
    """The system with its guardrail layers added one at a time: [(label, spec), ...].

    The first is the bare system (no layers); each next one adds the next layer. They are
    built in code (`path=None`), so a run uses these layers, not the file's.

    Example:
        >>> from alignlab.bench import parse_system
        >>> spec = parse_system({"name": "bot", "model": {"name": "openai-api/x/y"},
        ...     "guardrails": [{"type": "input_filter"}, {"type": "output_filter"}]})
        >>> [label for label, _ in ablation_specs(spec)]
        ['none', '+input_filter', '+output_filter']
    """
    steps = [
        (
            "none",
            dataclasses.replace(spec, guardrails=(), name=f"{spec.name} (no layers)", path=None),
        )
    ]
    for j, layer in enumerate(spec.guardrails, start=1):
        steps.append(
            (
                f"+{layer.type}",
                dataclasses.replace(
                    spec,
                    guardrails=spec.guardrails[:j],
                    name=f"{spec.name} (layers 1-{j})",
                    path=None,
                ),
            )
        )
    return steps


def ablation_effects(
    logs: Sequence[tuple[str, EvalLog | str]], alpha: float = 0.05
) -> list[tuple[str, Comparison]]:
    """Each layer's paired effect: the run with it against the run without it.

    A layer's helpfulness lost is its rise in over-refusal; its harm prevented is its drop
    in unsafe compliance (both paired over items, with the gate's tests and intervals).
    """
    effects = []
    for (_, before), (label, after) in itertools.pairwise(logs):
        effects.append((label, compare_logs(before, after, alpha=alpha, allow_missing=True)))
    return effects
