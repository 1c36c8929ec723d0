"""The paired regression gate: did the candidate get significantly worse than the base?

Both runs score the same items, so the comparison is paired: samples are matched by
(id, epoch), and each 0/1 outcome gets an exact McNemar test (a two-sided binomial test
on the discordant pairs, the items where the two runs disagree). Outcomes that are not
0/1 get a paired bootstrap of the mean difference. Pairing is what makes small changes
detectable: an unpaired test on two rates throws away that both runs saw the same items.

Each outcome says which way is better (score metadata, see `DIRECTIONS_KEY`; `higher`
by default, as for accuracy); a regression is a change in the bad direction whose
Holm-adjusted p-value is below alpha (Holm over the outcomes with a direction, so
gating on many outcomes does not inflate false alarms).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from inspect_ai.log import EvalLog
from scipy import stats

from alignlab.bench._metrics import LogError, read_log, sample_outcomes, score_directions
from alignlab.core import AlignlabError


class CompareError(AlignlabError, ValueError):
    """Two logs cannot be compared (unreadable, unscored, or no samples in common)."""


@dataclass(frozen=True)
class MetricComparison:
    """One outcome compared between two runs.

    Attributes:
        name: the outcome (score key or scorer name).
        kind: `binary` (McNemar) or `mean` (paired bootstrap).
        direction: `higher` or `lower` is better, or `neutral` (never gates).
        pairs: pairs where both runs scored the outcome.
        base: the base run's mean over those pairs.
        candidate: the candidate run's mean over those pairs.
        delta: candidate minus base.
        ci: paired-bootstrap 95% interval of delta.
        p_value: exact McNemar (binary) or bootstrap (mean) two-sided p-value.
        p_adjusted: Holm-adjusted p-value (equal to p_value for neutral outcomes).
        base_only: pairs where only the base had the outcome (binary only).
        candidate_only: pairs where only the candidate had it (binary only).
        regression: a significant change in the bad direction.
        improvement: a significant change in the good direction.
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
    p_adjusted: float
    base_only: int
    candidate_only: int
    regression: bool
    improvement: bool

    def to_dict(self) -> dict[str, Any]:
        """Return the comparison as JSON-ready values."""
        return {**self.__dict__, "ci": list(self.ci)}


@dataclass(frozen=True)
class Comparison:
    """Two runs compared outcome by outcome.

    Attributes:
        base: the base log's path.
        candidate: the candidate log's path.
        base_name: the base system's name (or model, for logs not written by alignlab).
        candidate_name: the candidate system's name, likewise.
        alpha: the significance level.
        pairs: samples matched by (id, epoch) and scored in both.
        base_unmatched: base samples with no scored partner in the candidate.
        candidate_unmatched: candidate samples with no scored partner in the base.
        metrics: one comparison per outcome both runs record.
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
            "pairs": self.pairs,
            "base_unmatched": self.base_unmatched,
            "candidate_unmatched": self.candidate_unmatched,
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


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the input order.

    Examples:
        >>> holm([0.01, 0.04, 0.03])
        [0.03, 0.06, 0.06]
    """
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [0.0] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = round(running, 12)
    return adjusted


def _bootstrap(
    diffs: np.ndarray, rng: np.random.Generator, resamples: int
) -> tuple[tuple[float, float], float]:
    n = diffs.size
    index = rng.integers(0, n, size=(resamples, n))
    means = diffs[index].mean(axis=1)
    lo, hi = np.quantile(means, [0.025, 0.975])
    observed = float(diffs.mean())
    centred = means - observed
    p = float((np.abs(centred) >= abs(observed) - 1e-12).mean()) if observed != 0 else 1.0
    return (float(lo), float(hi)), p


def _keyed(
    path: str | Path | EvalLog,
) -> tuple[dict[tuple[str, int], dict[str, float | None]], dict[str, str], str]:
    if isinstance(path, EvalLog):
        log = path
        path = str(log.location)
    else:
        try:
            log = read_log(path)
        except LogError as exc:
            raise CompareError(str(exc)) from None
    samples = log.samples or []
    if not samples:
        raise CompareError(f"{path}: the log has no samples")
    keyed: dict[tuple[str, int], dict[str, float | None]] = {}
    directions: dict[str, str] = {}
    for sample in samples:
        if sample.error is not None or not sample.scores:
            continue
        keyed[(str(sample.id), int(sample.epoch))] = sample_outcomes(sample)
        directions.update(score_directions(sample))
    if not keyed:
        raise CompareError(f"{path}: no sample has a score (every sample errored or was unscored)")
    system = (log.eval.metadata or {}).get("alignlab_system") or {}
    return keyed, directions, str(system.get("name") or log.eval.model)


def compare_logs(
    base: str | Path | EvalLog,
    candidate: str | Path | EvalLog,
    *,
    alpha: float = 0.05,
    resamples: int = 4000,
    seed: int = 0,
) -> Comparison:
    """Compare two Inspect logs sample by sample (see the module docstring).

    Args:
        base: the base log (a path, or an `EvalLog` already in memory).
        candidate: the candidate log, likewise.
        alpha: significance level for the Holm-adjusted p-values.
        resamples: bootstrap resamples for the delta intervals and mean outcomes.
        seed: seed of the bootstrap's generator (the result is reproducible).

    Raises:
        CompareError: when a log is unreadable or unscored, alpha is not in (0, 1), or
            the logs share no scored (id, epoch) pair or no numeric outcome.
    """
    if not 0 < alpha < 1:
        raise CompareError(f"alpha must lie in (0, 1), got {alpha}")
    base_rows, base_dirs, base_name = _keyed(base)
    cand_rows, cand_dirs, cand_name = _keyed(candidate)
    base = str(base.location) if isinstance(base, EvalLog) else base
    candidate = str(candidate.location) if isinstance(candidate, EvalLog) else candidate
    common = sorted(set(base_rows) & set(cand_rows))
    if not common:
        raise CompareError(
            f"{base} and {candidate} share no scored sample (id, epoch): "
            "are they runs of the same suite?"
        )
    directions = {**base_dirs, **cand_dirs}
    names = sorted(
        {k for key in common for k in base_rows[key]}
        & {k for key in common for k in cand_rows[key]}
    )
    rng = np.random.default_rng(seed)
    raw: list[dict[str, Any]] = []
    for name in names:
        pairs = [
            (base_rows[key][name], cand_rows[key][name])
            for key in common
            if base_rows[key].get(name) is not None and cand_rows[key].get(name) is not None
        ]
        if not pairs:
            continue
        b = np.array([p[0] for p in pairs], dtype=float)
        c = np.array([p[1] for p in pairs], dtype=float)
        binary = bool(np.all(np.isin(b, (0.0, 1.0))) and np.all(np.isin(c, (0.0, 1.0))))
        ci, p_boot = _bootstrap(c - b, rng, resamples)
        base_only = int(np.sum((b == 1) & (c == 0))) if binary else 0
        cand_only = int(np.sum((b == 0) & (c == 1))) if binary else 0
        p = mcnemar_exact(base_only, cand_only) if binary else p_boot
        raw.append(
            {
                "name": name,
                "kind": "binary" if binary else "mean",
                "direction": directions.get(name, "higher"),
                "pairs": len(pairs),
                "base": float(b.mean()),
                "candidate": float(c.mean()),
                "delta": float(c.mean() - b.mean()),
                "ci": ci,
                "p_value": p,
                "base_only": base_only,
                "candidate_only": cand_only,
            }
        )
    if not raw:
        raise CompareError(f"{base} and {candidate} share no numeric outcome to compare")
    gated = [i for i, r in enumerate(raw) if r["direction"] in ("higher", "lower")]
    adjusted = holm([raw[i]["p_value"] for i in gated])
    for i, r in enumerate(raw):
        r["p_adjusted"] = adjusted[gated.index(i)] if i in gated else r["p_value"]
    metrics = []
    for r in raw:
        significant = r["direction"] != "neutral" and r["p_adjusted"] < alpha and r["delta"] != 0
        worse = r["delta"] > 0 if r["direction"] == "lower" else r["delta"] < 0
        metrics.append(
            MetricComparison(
                **r, regression=significant and worse, improvement=significant and not worse
            )
        )
    return Comparison(
        base=str(base),
        candidate=str(candidate),
        base_name=base_name,
        candidate_name=cand_name,
        alpha=alpha,
        pairs=len(common),
        base_unmatched=len(base_rows) - len(common),
        candidate_unmatched=len(cand_rows) - len(common),
        metrics=tuple(metrics),
    )


def format_comparison(result: Comparison) -> str:
    """Render a comparison as a plain-text table with a verdict line."""
    header = (
        f"{'metric':<20} {'dir':<7} {'n':>5} {'base':>7} {'cand':>7} {'delta':>8} "
        f"{'95% CI':>19} {'p':>8} {'p(Holm)':>8}  verdict"
    )
    lines = [
        f"base:      {result.base_name}  ({result.base})",
        f"candidate: {result.candidate_name}  ({result.candidate})",
        f"paired samples: {result.pairs} (unmatched: base {result.base_unmatched}, "
        f"candidate {result.candidate_unmatched})",
        "",
        header,
        "-" * len(header),
    ]
    for m in result.metrics:
        verdict = "REGRESSION" if m.regression else "improved" if m.improvement else ""
        ci = f"[{m.ci[0]:+.3f}, {m.ci[1]:+.3f}]"
        lines.append(
            f"{m.name:<20} {m.direction:<7} {m.pairs:>5} {m.base:>7.3f} {m.candidate:>7.3f} "
            f"{m.delta:>+8.3f} {ci:>19} {m.p_value:>8.4f} {m.p_adjusted:>8.4f}  {verdict}"
        )
    lines.append("")
    count = sum(m.regression for m in result.metrics)
    lines.append(
        f"verdict: {count} significant regression(s) at alpha={result.alpha}"
        if count
        else f"verdict: no significant regression at alpha={result.alpha}"
    )
    return "\n".join(lines)
