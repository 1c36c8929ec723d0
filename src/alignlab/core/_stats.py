"""Interval estimates shared by the Lab and the Bench."""

from __future__ import annotations

import math

from scipy import stats


def wilson_interval(
    successes: float, trials: float, confidence: float = 0.95
) -> tuple[float, float]:
    """Return the Wilson score interval for a binomial proportion, as fractions in [0, 1].

    Unlike the normal (Wald) interval it stays honest at 0/N and N/N.

    Examples:
        >>> lo, hi = wilson_interval(0, 50)
        >>> lo == 0.0 and 0.05 < hi < 0.08
        True
    """
    if trials <= 0:
        return (0.0, 1.0)
    if not 0 <= successes <= trials:
        raise ValueError("successes must lie in [0, trials]")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def fr_per_100(
    failures: float, total: float, confidence: float = 0.95
) -> tuple[float, tuple[float, float]]:
    """Return FR /100 (failures per 100 outputs) and its Wilson interval, both in [0, 100].

    Examples:
        >>> fr, (lo, hi) = fr_per_100(7, 200)
        >>> fr
        3.5
    """
    lo, hi = wilson_interval(failures, total, confidence)
    fr = 100.0 * failures / total if total > 0 else 0.0
    return fr, (max(0.0, min(fr, 100.0 * lo)), min(100.0, max(fr, 100.0 * hi)))
