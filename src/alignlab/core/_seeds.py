"""The seed band: run one setting under K seeds and say how much FR moves between them.

An experiment's `fr_ci` covers only the sampling error of one seed's evaluation, with the
trained or fitted system held fixed. Retraining on another seed moves FR by more than
that (across 20 seeds, rater-bias's per-seed intervals held the cross-seed mean 12
times, goodhart's 15), so a claim about the *method* needs the spread across seeds.
`run_seeds` runs seeds `seed, seed + 1, ..., seed + K - 1` and reports, beside each
seed's own interval, the across-seed mean, standard deviation and range, a 95% t
interval for the mean over seeds, and a 95% prediction interval for one new seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from alignlab.core._errors import ParameterError
from alignlab.core._params import _as_number, validate_seed
from alignlab.core._registry import DEFAULT_SEED, get
from alignlab.core._result import Result

MAX_SEEDS = 64
"""Most seeds one seed band may run (each is a full run)."""

ACROSS_SEEDS = (
    "across seeds: each seed redraws everything it controls (training levels, samples, "
    "labels, fitted models); mean_ci is the 95% t interval of the mean FR over the seeds "
    "run, prediction the 95% interval for the FR of one new seed, sd and range the spread; "
    "each seed's own fr_ci covers only its within-seed sampling error"
)
"""What the seed band's intervals cover."""


def validate_seed_count(raw: object) -> int:
    """Validate a number of seeds: a whole number in [1, `MAX_SEEDS`].

    Raises:
        ParameterError: if it is not such a number.
    """
    count = _as_number(raw, "seeds", integer=True)
    if not 1 <= count <= MAX_SEEDS:
        raise ParameterError(f"seeds must be a whole number in [1, {MAX_SEEDS}]; got {raw!r}")
    return int(count)


def _t_interval(mean: float, half: float) -> list[float]:
    return [max(0.0, float(mean - half)), min(100.0, float(mean + half))]


@dataclass(frozen=True)
class SeedBand:
    """K runs of one setting that differ only in the seed; `to_dict()` extends the first's JSON.

    Attributes:
        results: One `Result` per seed, in seed order.
    """

    results: tuple[Result, ...]

    @property
    def fr(self) -> np.ndarray:
        """FR /100 of each seed."""
        return np.array([float(r.measurement.fr) for r in self.results])

    def summary(self) -> dict[str, Any]:
        """The across-seed statistics, as JSON (the `seed_band` key of `to_dict()`)."""
        from scipy import stats  # lazy: `import alignlab` must not pay for SciPy's stats

        fr = self.fr
        k = len(fr)
        mean = float(fr.mean())
        sd = float(fr.std(ddof=1)) if k > 1 else 0.0
        t = float(stats.t.ppf(0.975, k - 1)) if k > 1 else float("inf")
        if k > 1:
            mean_ci = _t_interval(mean, t * sd / np.sqrt(k))
            prediction = _t_interval(mean, t * sd * np.sqrt(1 + 1 / k))
        else:  # one seed says nothing about the spread between seeds
            mean_ci = prediction = [0.0, 100.0]
        per_seed_ci = [[float(v) for v in r.measurement.fr_ci] for r in self.results]
        slack = 1e-9 * (1.0 + abs(mean))  # a zero-width exact interval holds its own mean
        covering = sum(lo - slack <= mean <= hi + slack for lo, hi in per_seed_ci)
        curves = np.array(
            [np.asarray(r.measurement.curve["fr"], dtype=float) for r in self.results]
        )
        return {
            "seeds": [r.seed for r in self.results],
            "fr": fr.tolist(),
            "fr_ci": per_seed_ci,
            "proxy": [float(r.measurement.proxy) for r in self.results],
            "true": [float(r.measurement.true) for r in self.results],
            "mean": mean,
            "sd": sd,
            "min": float(fr.min()),
            "max": float(fr.max()),
            "mean_ci": mean_ci,
            "prediction": prediction,
            "within_seed_ci_covering_mean": int(covering),
            "curve_fr_mean": curves.mean(axis=0).tolist(),
            "curve_fr_sd": (curves.std(axis=0, ddof=1) if k > 1 else 0 * curves[0]).tolist(),
            "covers": ACROSS_SEEDS,
        }

    def to_dict(self) -> dict[str, Any]:
        """The first seed's result JSON (the contract), plus the `seed_band` summary."""
        data = self.results[0].to_dict()
        data["seed_band"] = self.summary()
        return data


def run_seeds(
    experiment: str,
    pressure: object = None,
    fidelity: object = None,
    oversight: object = None,
    *,
    seeds: object = 5,
    seed: object = DEFAULT_SEED,
    options: Mapping[str, object] | None = None,
) -> SeedBand:
    """Run `experiment` at one setting under seeds `seed` .. `seed + seeds - 1`.

    Raises:
        ParameterError: for an unknown experiment, bad input, or seeds outside [1, 64].

    Example:
        >>> band = run_seeds("rater-bias", 0.8, seeds=3)  # doctest: +SKIP
        >>> band.to_dict()["seed_band"]["seeds"]  # doctest: +SKIP
        [0, 1, 2]
    """
    spec = get(experiment)
    count = validate_seed_count(seeds)
    first = validate_seed(seed)
    last = validate_seed(first + count - 1)
    results = tuple(
        spec.run(pressure, fidelity, oversight, seed=s, options=options)
        for s in range(first, last + 1)
    )
    return SeedBand(results)
