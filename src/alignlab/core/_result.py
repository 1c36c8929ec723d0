"""The result of one experiment run: a frozen dataclass whose `to_dict()` is the JSON contract.

The page, the CLI and the API all read the same keys (see DESIGN.md): `experiment`,
`params`, `options`, `seed`, `physical`, `fr`, `fr_ci`, `proxy`, `true`, `curve`, `loop`,
`explanation`, plus `peak` (where true reward peaks along the curve) and any
experiment-specific extras (e.g. `fit` for `goodhart`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

LOOP_STAGES: tuple[str, ...] = (
    "intent",
    "specification",
    "optimiser",
    "model",
    "behaviour",
    "proxy",
    "true",
)
"""Agent-loop stages, in the order the page draws them."""

REQUIRED_CURVE_KEYS: tuple[str, ...] = ("pressure", "proxy", "true", "fr")
"""Arrays every curve carries, all over the same pressure grid in [0, 1]."""

WITHIN_SEED_INTERVAL = (
    "within-seed: 95% sampling interval of this seed's evaluation, with the trained or "
    "fitted system held fixed; it does not cover variation across seeds (for that, run "
    "several seeds: alignlab.run_seeds, or --seeds K)"
)
"""What `fr_ci` covers unless an experiment says more precisely (`Measurement.fr_ci_covers`)."""


@dataclass(frozen=True)
class LoopStage:
    """The value of one agent-loop stage, for the diagram.

    Attributes:
        stage: One of `LOOP_STAGES`.
        label: What this stage is in this experiment ("best-of-n sampler").
        value: Intensity in [0, 1] that drives the diagram's colour and thickness.
        detail: A short human-readable reading ("n = 512", "proxy 2.31").
    """

    stage: str
    label: str
    value: float
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """Return the stage as JSON."""
        return {
            "stage": self.stage,
            "label": self.label,
            "value": self.value,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Measurement:
    """What an experiment function computes; the core adds inputs and seed to make a `Result`.

    Attributes:
        physical: What the sliders (and options) mapped to, e.g. {"kl_budget": 4.2}.
        fr: FR /100 at the current setting.
        fr_ci: 95% interval of FR, (lo, hi), in [0, 100].
        proxy: Proxy reward of the optimised system at the current setting.
        true: True reward of the optimised system at the current setting.
        curve: Arrays over pressure (see `REQUIRED_CURVE_KEYS`) plus extra axes.
        loop: One `LoopStage` per stage of `LOOP_STAGES`.
        explanation: One or two plain sentences on what happened at these settings.
        extras: Experiment-specific JSON-ready values merged into `to_dict()`.
        fr_ci_covers: What `fr_ci` covers, in one sentence (which error, over what).
    """

    physical: Mapping[str, float | int | str]
    fr: float
    fr_ci: tuple[float, float]
    proxy: float
    true: float
    curve: Mapping[str, Sequence[float] | np.ndarray]
    loop: Sequence[LoopStage]
    explanation: str
    extras: Mapping[str, Any] = field(default_factory=dict)
    fr_ci_covers: str = WITHIN_SEED_INTERVAL


@dataclass(frozen=True)
class Result:
    """One experiment run, reproducible from its own fields (experiment, params, options, seed)."""

    experiment: str
    params: Mapping[str, float]
    options: Mapping[str, Any]
    seed: int
    measurement: Measurement

    def __getattr__(self, name: str) -> Any:
        # Expose measurement fields (fr, curve, ...) directly on the result.
        if name != "measurement" and name in Measurement.__dataclass_fields__:
            return getattr(self.measurement, name)
        raise AttributeError(name)

    @property
    def peak(self) -> dict[str, float]:
        """Where true reward peaks along the pressure curve (first maximum)."""
        curve = self.measurement.curve
        true = np.asarray(curve["true"], dtype=float)
        i = int(np.argmax(true))
        return {
            "index": i,
            "pressure": float(np.asarray(curve["pressure"])[i]),
            "true": float(true[i]),
            "proxy": float(np.asarray(curve["proxy"])[i]),
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON contract of DESIGN.md (plain Python types only)."""
        m = self.measurement
        out: dict[str, Any] = {
            "experiment": self.experiment,
            "params": dict(self.params),
            "options": dict(self.options),
            "seed": self.seed,
            "physical": {k: _plain(v) for k, v in m.physical.items()},
            "fr": float(m.fr),
            "fr_ci": [float(m.fr_ci[0]), float(m.fr_ci[1])],
            "fr_ci_covers": m.fr_ci_covers,
            "proxy": float(m.proxy),
            "true": float(m.true),
            "curve": {k: np.asarray(v, dtype=float).tolist() for k, v in m.curve.items()},
            "loop": [s.to_dict() for s in m.loop],
            "explanation": m.explanation,
            "peak": self.peak,
        }
        for key, value in m.extras.items():
            out.setdefault(key, _plain(value))
        return out


def _plain(value: Any) -> Any:
    """Convert NumPy scalars/arrays (also nested in dicts/lists) to plain Python."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
