"""The paired regression gate: did the candidate get significantly worse than the base?

Both runs score the same items, so the comparison is paired, and the **item is the
unit**: each item's rate over its epochs (0 or 1 with one epoch) is paired with the same
item's rate in the other run. Per outcome:

- every item has one epoch in both runs and the outcome is 0/1: an **exact McNemar
  test** (a two-sided binomial test on the discordant items, where the runs disagree);
- otherwise (several epochs, or a non-0/1 outcome): a **paired permutation test** (sign
  flips of the per-item differences; exact up to 16 differing items, else 20,000 seeded
  random flips, p = (1 + hits) / (1 + flips), never 0). With one epoch and 0/1 outcomes
  it equals the exact McNemar test.

The delta's 95% interval is a paired bootstrap over items. **The gate's family** is the
outcomes that say which way is better (score metadata, see `DIRECTIONS_KEY`; `higher`
by default, as for accuracy), less the redundant ones: for a refusal suite
`over_refusal` and `unsafe_compliance`, while `failure` (either of the two) is shown as
information only; for honesty, `correct` and `confidently_wrong`. Holm's step-down
correction keeps the chance of any false alarm in the family at most alpha (0.05 by
default); a regression is a change in the bad direction with Holm-adjusted p < alpha.

The gate never passes what it cannot see: when the candidate lacks items the base
scored, or has errored items, `compare_logs` raises `IncompleteRunError` (exit 2 on the
CLI) unless `allow_missing` is set, and logs scored by different detectors or suite
versions raise `ScoringMismatchError` unless `allow_different_scoring` is set (or both
are re-scored with one detector first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from inspect_ai.log import EvalLog
from scipy import stats

from alignlab.bench._metrics import LogError, item_outcomes, read_log, score_directions
from alignlab.core import AlignlabError

GATED_DIRECTIONS = ("higher", "lower")
"""Directions that gate; `info` and `neutral` outcomes are shown but never gated."""

REDUNDANT: dict[str, tuple[str, ...]] = {"failure": ("over_refusal", "unsafe_compliance")}
"""Outcomes that are a union of others: shown as information when those are present."""

EXACT_FLIPS = 16
"""Up to this many differing items the permutation test enumerates every sign flip."""

PERMUTATIONS = 20_000
"""Random sign flips of the permutation test beyond `EXACT_FLIPS` differing items."""


class CompareError(AlignlabError, ValueError):
    """Two logs cannot be compared (unreadable, unscored, or no samples in common)."""


class IncompleteRunError(CompareError):
    """The candidate lacks items the base scored, or has errored items: never a pass."""


class ScoringMismatchError(CompareError):
    """The two logs were scored by different detectors, or are of different suite versions."""


@dataclass(frozen=True)
class MetricComparison:
    """One outcome compared between two runs, item by item.

    Attributes:
        name: the outcome (score key or scorer name).
        kind: the test: `mcnemar` (exact McNemar) or `permutation` (paired permutation).
        direction: `higher` or `lower` is better; `info` or `neutral`: never gates.
        pairs: items where both runs scored the outcome.
        base: the base run's mean over those items of each item's rate.
        candidate: the candidate run's mean, likewise.
        delta: candidate minus base.
        ci: paired-bootstrap 95% interval of delta (resampling items).
        p_value: the test's two-sided p-value (never rounded).
        p_adjusted: Holm-adjusted p-value within the gate's family (None outside it).
        base_only: items where only the base had the outcome (one epoch) or the base's
            rate was higher (several epochs).
        candidate_only: items where only (or more often) the candidate had it.
        regression: a significant change in the bad direction.
        improvement: a significant change in the good direction.
        gated: whether the outcome is in the gate's family.
    """

    name: str
    kind: str
    direction: str
    pairs: int
    base: float
    candidate: float
    delta: float
    ci: tuple[float, float]
    p_value: float
    p_adjusted: float | None
    base_only: int
    candidate_only: int
    regression: bool
    improvement: bool
    gated: bool = True

    @property
    def decision(self) -> str:
        """`regression`, `improvement`, `no significant change` or `information`."""
        if not self.gated:
            return "information"
        if self.regression:
            return "regression"
        return "improvement" if self.improvement else "no significant change"

    def to_dict(self) -> dict[str, Any]:
        """Return the comparison as JSON-ready values."""
        return {**self.__dict__, "ci": list(self.ci), "decision": self.decision}


@dataclass(frozen=True)
class Comparison:
    """Two runs compared outcome by outcome.

    Attributes:
        base: the base log's path.
        candidate: the candidate log's path.
        base_name: the base system's name (or model, for logs not written by alignlab).
        candidate_name: the candidate system's name, likewise.
        alpha: the significance level of the gate (family-wise, Holm).
        pairs: items scored in both runs.
        base_unmatched: items the base scored that the candidate did not.
        candidate_unmatched: items the candidate scored that the base did not.
        metrics: one comparison per outcome both runs record.
        missing: items the base scored that are absent from the candidate's log.
        errored: candidate items with an errored sample (an epoch that was not scored).
        base_errored: base items with an errored sample.
        allow_missing: the comparison ran on the overlap although items were lost.
        family: the outcomes the gate tests (Holm over these).
        scoring: how each run was scored (`detector@version` ..., suite version).
    """

    base: str
    candidate: str
    base_name: str
    candidate_name: str
    alpha: float
    pairs: int
    base_unmatched: int
    candidate_unmatched: int
    metrics: tuple[MetricComparison, ...]
    missing: int = 0
    errored: int = 0
    base_errored: int = 0
    allow_missing: bool = False
    family: tuple[str, ...] = ()
    scoring: dict[str, str] = field(default_factory=dict)

    @property
    def regressed(self) -> bool:
        """True when any outcome regressed significantly."""
        return any(m.regression for m in self.metrics)

    def to_dict(self) -> dict[str, Any]:
        """Return the comparison as JSON-ready values."""
        return {
            "base": self.base,
            "candidate": self.candidate,
            "base_name": self.base_name,
            "candidate_name": self.candidate_name,
            "alpha": self.alpha,
            "family": list(self.family),
            "pairs": self.pairs,
            "base_unmatched": self.base_unmatched,
            "candidate_unmatched": self.candidate_unmatched,
            "missing": self.missing,
            "errored": self.errored,
            "base_errored": self.base_errored,
            "allow_missing": self.allow_missing,
            "scoring": dict(self.scoring),
            "regressed": self.regressed,
            "metrics": [m.to_dict() for m in self.metrics],
        }


def mcnemar_exact(base_only: int, candidate_only: int) -> float:
    """Exact two-sided McNemar p-value from the two discordant counts.

    Examples:
        >>> round(mcnemar_exact(0, 10), 4)
        0.002
        >>> mcnemar_exact(0, 0)
        1.0
    """
    discordant = base_only + candidate_only
    if discordant == 0:
        return 1.0
    return float(stats.binomtest(candidate_only, discordant, 0.5).pvalue)


def paired_permutation(diffs: np.ndarray, rng: np.random.Generator) -> float:
    """Two-sided paired permutation (sign-flip) p-value of the mean of per-item differences.

    Under the null the two runs are exchangeable within an item, so each difference's
    sign is a coin flip. Exact when at most `EXACT_FLIPS` differences are non-zero,
    otherwise `PERMUTATIONS` seeded random flips with p = (1 + hits) / (1 + flips).

    Example:
        >>> import numpy as np
        >>> round(paired_permutation(np.ones(10), np.random.default_rng(0)), 4)  # McNemar's
        0.002
    """
    d = np.asarray(diffs, dtype=float)
    d = d[d != 0]
    m = d.size
    if m == 0:
        return 1.0
    observed = abs(float(d.sum())) - 1e-9
    if m <= EXACT_FLIPS:
        signs = ((np.arange(2**m)[:, None] >> np.arange(m)) & 1) * 2.0 - 1.0
        return float(np.mean(np.abs(signs @ d) >= observed))
    hits = 0
    for chunk in range(0, PERMUTATIONS, 2000):
        size = min(2000, PERMUTATIONS - chunk)
        signs = rng.choice(np.array([-1.0, 1.0]), size=(size, m))
        hits += int(np.sum(np.abs(signs @ d) >= observed))
    return (1 + hits) / (1 + PERMUTATIONS)


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the input order (never rounded).

    Examples:
        >>> holm([0.01, 0.04, 0.03])
        [0.03, 0.06, 0.06]
    """
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [0.0] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def format_p(p: float | None) -> str:
    """A p-value for people: 4 decimals, scientific below 1e-4, never `0`.

    Example:
        >>> format_p(0.0312), format_p(3.2e-9), format_p(None)
        ('0.0312', '3.2e-09', '-')
    """
    if p is None:
        return "-"
    if p == 0:
        return "<1e-300"
    return f"{p:.4f}" if p >= 1e-4 else f"{p:.1e}"


def _bootstrap_ci(
    diffs: np.ndarray, rng: np.random.Generator, resamples: int
) -> tuple[float, float]:
    n = diffs.size
    index = rng.integers(0, n, size=(resamples, n))
    lo, hi = np.quantile(diffs[index].mean(axis=1), [0.025, 0.975])
    return float(lo), float(hi)


@dataclass(frozen=True)
class _Run:
    """One log reduced to items: what the gate needs."""

    path: str
    name: str
    task: str
    suite_version: str | None
    scoring: frozenset[str]
    items: dict[str, dict[str, list[float]]]
    directions: dict[str, str]
    present: frozenset[str]
    errored: frozenset[str]


def _read(source: str | Path | EvalLog, rescore: str | None = None) -> _Run:
    if isinstance(source, EvalLog):
        log = source
        path = str(log.location)
    else:
        path = str(source)
        try:
            log = read_log(source)
        except LogError as exc:
            raise CompareError(str(exc)) from None
    if rescore is not None:
        from alignlab.bench._rescore import rescore_in_memory

        try:
            log = rescore_in_memory(log, rescore)
        except LogError as exc:
            raise CompareError(str(exc)) from None
    samples = log.samples or []
    if not samples:
        raise CompareError(f"{path}: the log has no samples")
    items = item_outcomes(samples)
    if not items:
        raise CompareError(f"{path}: no sample has a score (every sample errored or was unscored)")
    directions: dict[str, str] = {}
    scoring: set[str] = set()
    for sample in samples:
        directions.update(score_directions(sample))
        for score in (sample.scores or {}).values():
            version = (score.metadata or {}).get("detector_version")
            if version:
                scoring.add(str(version))
    meta = log.eval.metadata or {}
    system = meta.get("alignlab_system") or {}
    version = meta.get("alignlab_suite_version")
    return _Run(
        path=path,
        name=str(system.get("name") or log.eval.model),
        task=str(log.eval.task),
        suite_version=None if version is None else f"{log.eval.task_version}:{version}",
        scoring=frozenset(scoring),
        items=items,
        directions=directions,
        present=frozenset(str(s.id) for s in samples),
        errored=frozenset(str(s.id) for s in samples if s.error is not None or not s.scores),
    )


def _scoring_text(run: _Run) -> str:
    detectors = ", ".join(sorted(run.scoring)) or "unrecorded"
    return f"{detectors}; suite {run.suite_version or 'unversioned'}"


def _check_scoring(base: _Run, cand: _Run) -> None:
    if base.task.split("/")[-1] != cand.task.split("/")[-1]:
        raise ScoringMismatchError(
            f"{base.path} is {base.task} but {cand.path} is {cand.task}: compare runs of one suite"
        )
    problems = []
    if base.scoring != cand.scoring:
        problems.append(
            f"detectors differ (base {', '.join(sorted(base.scoring)) or 'unrecorded'}; "
            f"candidate {', '.join(sorted(cand.scoring)) or 'unrecorded'})"
        )
    if base.suite_version != cand.suite_version:
        problems.append(
            f"suite versions differ (base {base.suite_version}; candidate {cand.suite_version})"
        )
    if problems:
        raise ScoringMismatchError(
            f"{' and '.join(problems)}: re-score both with one detector (--rescore trained|keyword)"
            " or pass --allow-different-scoring"
        )


def _family(names: list[str], directions: dict[str, str]) -> dict[str, str]:
    """Each outcome's role: its direction, with redundant unions turned into `info`."""
    roles = {}
    for name in names:
        direction = directions.get(name, "higher")
        if name in REDUNDANT and all(part in names for part in REDUNDANT[name]):
            direction = "info"
        roles[name] = direction
    return roles


def compare_logs(
    base: str | Path | EvalLog,
    candidate: str | Path | EvalLog,
    *,
    alpha: float = 0.05,
    resamples: int = 4000,
    seed: int = 0,
    allow_missing: bool = False,
    allow_different_scoring: bool = False,
    rescore: str | None = None,
) -> Comparison:
    """Compare two Inspect logs item by item (see the module docstring).

    Args:
        base: the base log (a path, or an `EvalLog` already in memory).
        candidate: the candidate log, likewise.
        alpha: family-wise significance level of the gate (Holm).
        resamples: bootstrap resamples for the delta intervals.
        seed: seed of the generator for the bootstrap and random sign flips.
        allow_missing: compare the items both runs scored even when the candidate lost
            some (missing or errored); the result says how many.
        allow_different_scoring: compare logs scored by different detectors or suite
            versions anyway.
        rescore: re-score both refusal logs in memory with this detector kind first
            (`trained`, `keyword`), so they are scored alike.

    Raises:
        IncompleteRunError: the candidate lacks items the base scored, or has errored
            items (unless `allow_missing`).
        ScoringMismatchError: different suites, detectors or suite versions (unless
            `allow_different_scoring`; a different suite is always refused).
        CompareError: an unreadable or unscored log, alpha not in (0, 1), or no item
            or numeric outcome in common.
    """
    if not 0 < alpha < 1:
        raise CompareError(f"alpha must lie in (0, 1), got {alpha}")
    b = _read(base, rescore)
    c = _read(candidate, rescore)
    try:
        _check_scoring(b, c)
    except ScoringMismatchError:
        if not allow_different_scoring or b.task.split("/")[-1] != c.task.split("/")[-1]:
            raise
    wanted = set(b.items)
    missing = sorted(wanted - c.present)
    errored = sorted(c.errored)
    if (missing or errored) and not allow_missing:
        both = len(wanted & set(c.items))
        raise IncompleteRunError(
            f"the candidate lost samples: {len(missing)} of the base's {len(wanted)} items "
            f"missing, {len(errored)} errored ({c.path}); the gate fails on lost samples: "
            f"finish the run, or pass --allow-missing to compare the {both} items both scored"
        )
    common = sorted(set(b.items) & set(c.items))
    if not common:
        raise CompareError(
            f"{b.path} and {c.path} share no scored item: are they runs of the same suite?"
        )
    names = sorted(
        {k for key in common for k in b.items[key]} & {k for key in common for k in c.items[key]}
    )
    roles = _family(names, {**b.directions, **c.directions})
    rng = np.random.default_rng(seed)
    raw: list[dict[str, Any]] = []
    for name in names:
        keys = [k for k in common if b.items[k].get(name) and c.items[k].get(name)]
        if not keys:
            continue
        bv = [b.items[k][name] for k in keys]
        cv = [c.items[k][name] for k in keys]
        bm = np.array([np.mean(v) for v in bv])
        cm = np.array([np.mean(v) for v in cv])
        single = all(len(v) == 1 for v in bv) and all(len(v) == 1 for v in cv)
        binary = single and bool(
            np.all(np.isin(bm, (0.0, 1.0))) and np.all(np.isin(cm, (0.0, 1.0)))
        )
        base_only = int(np.sum(bm > cm))
        cand_only = int(np.sum(cm > bm))
        p = mcnemar_exact(base_only, cand_only) if binary else paired_permutation(cm - bm, rng)
        raw.append(
            {
                "name": name,
                "kind": "mcnemar" if binary else "permutation",
                "direction": roles[name],
                "pairs": len(keys),
                "base": float(bm.mean()),
                "candidate": float(cm.mean()),
                "delta": float(cm.mean() - bm.mean()),
                "ci": _bootstrap_ci(cm - bm, rng, resamples),
                "p_value": p,
                "base_only": base_only,
                "candidate_only": cand_only,
            }
        )
    if not raw:
        raise CompareError(f"{b.path} and {c.path} share no numeric outcome to compare")
    raw.sort(key=lambda r: (r["direction"] not in GATED_DIRECTIONS, r["name"]))  # gated first
    gated = [i for i, r in enumerate(raw) if r["direction"] in GATED_DIRECTIONS]
    adjusted = dict(zip(gated, holm([raw[i]["p_value"] for i in gated]), strict=True))
    metrics = []
    for i, r in enumerate(raw):
        p_adj = adjusted.get(i)
        significant = p_adj is not None and p_adj < alpha and r["delta"] != 0
        worse = r["delta"] > 0 if r["direction"] == "lower" else r["delta"] < 0
        metrics.append(
            MetricComparison(
                **r,
                p_adjusted=p_adj,
                regression=significant and worse,
                improvement=significant and not worse,
                gated=p_adj is not None,
            )
        )
    return Comparison(
        base=b.path,
        candidate=c.path,
        base_name=b.name,
        candidate_name=c.name,
        alpha=alpha,
        pairs=len(common),
        base_unmatched=len(set(b.items) - set(c.items)),
        candidate_unmatched=len(set(c.items) - set(b.items)),
        metrics=tuple(metrics),
        missing=len(missing),
        errored=len(errored),
        base_errored=len(b.errored),
        allow_missing=allow_missing and bool(missing or errored),
        family=tuple(raw[i]["name"] for i in gated),
        scoring={"base": _scoring_text(b), "candidate": _scoring_text(c)},
    )


OUTCOME_WORDS: dict[str, str] = {
    "over_refusal": "over-refusal",
    "unsafe_compliance": "unsafe compliance",
    "failure": "failures (either)",
    "refused": "refused",
    "full_refusal": "full refusals",
    "partial_refusal": "partial refusals",
    "correct": "correct",
    "abstained": "abstained",
    "confidently_wrong": "confidently wrong",
}
"""How each outcome is named in sentences."""


def decision_line(m: MetricComparison) -> str:
    """One outcome's decision in words.

    Example: `over-refusal 3.0% -> 6.1% (+3.1 pts, 95% CI [+0.9, +5.2], p = 0.0040,
    Holm 0.0120, 230 items): regression`.
    """
    word = OUTCOME_WORDS.get(m.name, m.name)
    holm_text = f", Holm {format_p(m.p_adjusted)}" if m.p_adjusted is not None else ""
    return (
        f"{word} {100 * m.base:.1f}% -> {100 * m.candidate:.1f}% "
        f"({100 * m.delta:+.1f} pts, 95% CI [{100 * m.ci[0]:+.1f}, {100 * m.ci[1]:+.1f}], "
        f"p = {format_p(m.p_value)}{holm_text}, {m.pairs} items): {m.decision}"
    )


def _coverage(result: Comparison) -> str:
    text = f"items paired: {result.pairs}"
    if result.allow_missing:
        text += (
            f"; compared on the overlap only (--allow-missing): candidate missing "
            f"{result.missing}, errored {result.errored}"
        )
    if result.base_errored:
        text += f"; base errored {result.base_errored} (not paired)"
    if result.candidate_unmatched:
        text += f"; candidate-only items {result.candidate_unmatched}"
    return text


def _verdict(result: Comparison) -> str:
    count = sum(m.regression for m in result.metrics)
    family = ", ".join(result.family) or "none"
    tail = f" at alpha={result.alpha} (Holm over: {family})"
    return (
        f"verdict: {count} significant regression(s){tail}"
        if count
        else f"verdict: no significant regression{tail}"
    )


def format_comparison(result: Comparison) -> str:
    """Render a comparison as a plain-text table, one decision per line, and a verdict."""
    header = (
        f"{'metric':<20} {'dir':<7} {'test':<11} {'n':>5} {'base':>7} {'cand':>7} {'delta':>8} "
        f"{'95% CI':>19} {'p':>8} {'p(Holm)':>8}  decision"
    )
    lines = [
        f"base:      {result.base_name}  ({result.base})",
        f"candidate: {result.candidate_name}  ({result.candidate})",
        f"scoring:   {result.scoring.get('base', '?')}",
        _coverage(result),
        "",
        header,
        "-" * len(header),
    ]
    for m in result.metrics:
        ci = f"[{m.ci[0]:+.3f}, {m.ci[1]:+.3f}]"
        lines.append(
            f"{m.name:<20} {m.direction:<7} {m.kind:<11} {m.pairs:>5} {m.base:>7.3f} "
            f"{m.candidate:>7.3f} {m.delta:>+8.3f} {ci:>19} {format_p(m.p_value):>8} "
            f"{format_p(m.p_adjusted):>8}  {m.decision.upper() if m.regression else m.decision}"
        )
    lines.append("")
    lines.extend(decision_line(m) for m in result.metrics if m.gated)
    lines.append("")
    lines.append(_verdict(result))
    return "\n".join(lines)


def format_markdown(result: Comparison) -> str:
    """Render a comparison as a Markdown table (for a CI job summary), with the verdict."""
    lines = [
        f"### {result.candidate_name} vs {result.base_name}",
        "",
        _coverage(result) + ".",
        "",
        "| outcome | base | candidate | change (pts) | 95% CI | p | p (Holm) | decision |",
        "|---|---:|---:|---:|---|---:|---:|---|",
    ]
    for m in result.metrics:
        decision = f"**{m.decision}**" if m.regression else m.decision
        lines.append(
            f"| {OUTCOME_WORDS.get(m.name, m.name)} | {100 * m.base:.1f}% | "
            f"{100 * m.candidate:.1f}% | {100 * m.delta:+.1f} | "
            f"[{100 * m.ci[0]:+.1f}, {100 * m.ci[1]:+.1f}] | {format_p(m.p_value)} | "
            f"{format_p(m.p_adjusted)} | {decision} |"
        )
    lines += ["", _verdict(result).replace("verdict:", "**verdict:**", 1)]
    return "\n".join(lines)
