"""Interval estimates shared by the Lab and the Bench."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


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
    from scipy import stats  # lazy: `import alignlab` must not pay for SciPy's stats

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


def cluster_fr_per_100(
    failures: Sequence[float] | np.ndarray,
    clusters: Sequence[int] | np.ndarray,
    confidence: float = 0.95,
) -> tuple[float, tuple[float, float], float]:
    """Return FR /100, its cluster interval and the design effect, for clustered outputs.

    When outputs come in clusters that share a cause (rewordings of one base prompt),
    they are not independent trials and a plain Wilson interval is too narrow. This
    estimates the variance of the ratio FR from the cluster totals (the standard
    cluster-robust estimator), turns it into Kish's design effect (1965) against the
    binomial variance, and returns the Wilson interval at the effective sample size
    n / design effect. The design effect is truncated below at 1, as Korn & Graubard
    (1998) do, so the interval is never narrower than Wilson's. When every output fails
    or none does, the variance cannot be estimated, and the effective sample size is
    the number of clusters (the conservative case of perfectly correlated clusters).

    Args:
        failures: Per output, 1 for a failure and 0 otherwise (or a probability).
        clusters: Per output, the id of its cluster.
        confidence: Coverage of the interval.

    Returns:
        (FR, (lo, hi), design effect), FR and interval in [0, 100].

    Example:
        >>> clusters = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
        >>> fr, (lo, hi), deff = cluster_fr_per_100([1, 1, 1, 0, 0, 0] * 2, clusters)
        >>> fr, round(deff, 2)
        (50.0, 4.0)
    """
    y = np.asarray(failures, dtype=float)
    ids = np.unique(np.asarray(clusters), return_inverse=True)[1].ravel()
    n, n_clusters = y.size, int(ids.max()) + 1 if y.size else 0
    if n == 0:
        return 0.0, (0.0, 100.0), 1.0
    p = float(y.mean())
    if n_clusters < 2 or p <= 0.0 or p >= 1.0:
        n_eff = float(min(n, max(n_clusters, 1)))
        deff = n / n_eff
    else:
        totals = np.bincount(ids, weights=y, minlength=n_clusters)
        sizes = np.bincount(ids, minlength=n_clusters)
        residual = totals - p * sizes
        variance = n_clusters / (n_clusters - 1) * float(residual @ residual) / n**2
        deff = max(1.0, variance / (p * (1 - p) / n))
        n_eff = n / deff
    lo, hi = wilson_interval(p * n_eff, n_eff, confidence)
    fr = 100.0 * p
    return fr, (max(0.0, min(fr, 100.0 * lo)), min(100.0, max(fr, 100.0 * hi))), deff
