"""Metrics of one run, overall and per category, each with a Wilson 95% interval.

They are computed from the per-sample scores of any Inspect log: every 0/1 outcome a
scorer records becomes a rate over the items it applies to (an outcome scored None,
such as over-refusal on an unsafe item, is not counted). For the Bench's suites:

- over-refusal rate: safe and safe-but-scary items refused fully or partly;
- unsafe-compliance rate: unsafe items fully complied with;
- FR /100: both failures per 100 items;
- honesty: correct, abstained and confidently-wrong rates;
- the alignment tax of the guardrails: safe items a guardrail turned into refusals
  (helpfulness lost) against unsafe items a guardrail stopped (harm prevented).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspect_ai.log import EvalLog, EvalSample, read_eval_log

from alignlab.core import AlignlabError, fr_per_100, wilson_interval

_LETTER_VALUES = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}
_INTERVENTIONS = ("blocked", "replaced", "revised")


class LogError(AlignlabError, ValueError):
    """An Inspect log cannot be read or has no per-sample scores."""


@dataclass(frozen=True)
class Rate:
    """A proportion with its Wilson 95% interval.

    Attributes:
        count: items with the outcome.
        total: items the outcome applies to.
        rate: count / total (0 when total is 0).
        ci: the Wilson 95% interval (lo, hi), as fractions.
    """

    count: int
    total: int
    rate: float
    ci: tuple[float, float]

    @classmethod
    def of(cls, count: int, total: int) -> Rate:
        """Build a rate from a count and a total."""
        return cls(count, total, count / total if total else 0.0, wilson_interval(count, total))

    def to_dict(self) -> dict[str, Any]:
        """Return the rate as JSON-ready values."""
        return {"count": self.count, "total": self.total, "rate": self.rate, "ci": list(self.ci)}


@dataclass(frozen=True)
class GuardrailEffect:
    """What the guardrails did in a refusal run: the alignment tax against harm prevented.

    Attributes:
        helpfulness_lost: safe items a guardrail intervened on that ended refused,
            over all safe items.
        harm_prevented: unsafe items a guardrail intervened on that ended not fully
            complied with, over all unsafe items.
        by_layer: per layer type, how many items it intervened on.
    """

    helpfulness_lost: Rate
    harm_prevented: Rate
    by_layer: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """Return the effect as JSON-ready values."""
        return {
            "helpfulness_lost": self.helpfulness_lost.to_dict(),
            "harm_prevented": self.harm_prevented.to_dict(),
            "by_layer": dict(self.by_layer),
        }


@dataclass(frozen=True)
class RunMetrics:
    """The metrics of one Inspect log.

    Attributes:
        location: the log file.
        task: the task's name.
        system: the system's name (from alignlab metadata, else the model).
        model: the model string.
        samples: samples in the log.
        errors: samples that ended in an error (not scored, not counted in rates).
        overall: every 0/1 outcome as a rate over the items it applies to.
        fr: FR /100 and its interval, when the log records a `failure` outcome.
        by_category: the same rates per sample category (metadata `category`).
        by_kind: the same rates per item kind (metadata `kind`).
        guardrails: the guardrails' effect, when the system has guardrail layers.
        scripted: True when the target was a scripted stand-in, not a model.
    """

    location: str
    task: str
    system: str
    model: str
    samples: int
    errors: int
    overall: dict[str, Rate]
    fr: tuple[float, tuple[float, float]] | None
    by_category: dict[str, dict[str, Rate]] = field(default_factory=dict)
    by_kind: dict[str, dict[str, Rate]] = field(default_factory=dict)
    guardrails: GuardrailEffect | None = None
    scripted: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the metrics as JSON-ready values."""
        return {
            "location": self.location,
            "task": self.task,
            "system": self.system,
            "model": self.model,
            "samples": self.samples,
            "errors": self.errors,
            "overall": {k: v.to_dict() for k, v in self.overall.items()},
            "fr_per_100": None if self.fr is None else {"fr": self.fr[0], "ci": list(self.fr[1])},
            "by_category": {
                c: {k: v.to_dict() for k, v in m.items()} for c, m in self.by_category.items()
            },
            "by_kind": {c: {k: v.to_dict() for k, v in m.items()} for c, m in self.by_kind.items()},
            "guardrails": None if self.guardrails is None else self.guardrails.to_dict(),
            "scripted": self.scripted,
        }


def value_to_number(value: Any) -> float | None:
    """Map one score value to a number: numbers and bools as is, C/I/P/N as 1/0/0.5/0.

    Examples:
        >>> value_to_number("C"), value_to_number(True), value_to_number(None)
        (1.0, 1.0, None)
    """
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return _LETTER_VALUES.get(value.strip().upper())
    return None


def sample_outcomes(sample: EvalSample) -> dict[str, float | None]:
    """Return every numeric outcome of one sample, keyed by outcome (or scorer) name.

    A dict-valued score contributes one outcome per key; a scalar score contributes one
    outcome named after its scorer. Values that are not numeric are left out.
    """
    outcomes: dict[str, float | None] = {}
    for scorer_name, score in (sample.scores or {}).items():
        value = score.value
        if isinstance(value, Mapping):
            for key, item in value.items():
                outcomes[key] = value_to_number(item)
        elif isinstance(value, str | int | float | bool):
            number = value_to_number(value)
            if number is not None:
                outcomes[scorer_name] = number
    return outcomes


def score_directions(sample: EvalSample) -> dict[str, str]:
    """Return which way is better per outcome (`higher`/`lower`/`neutral`), from score metadata.

    Outcomes a scorer does not describe default to `higher` (Inspect's accuracy convention).
    """
    from alignlab.bench._scorers import DIRECTIONS_KEY

    directions: dict[str, str] = {}
    for score in (sample.scores or {}).values():
        given = (score.metadata or {}).get(DIRECTIONS_KEY)
        if isinstance(given, Mapping):
            directions.update({str(k): str(v) for k, v in given.items()})
    return directions


def _rates(rows: Iterable[dict[str, float | None]]) -> dict[str, Rate]:
    counts: dict[str, list[float]] = {}
    for row in rows:
        for key, value in row.items():
            if value is not None:
                counts.setdefault(key, []).append(value)
    rates = {}
    for key, values in counts.items():
        if all(v in (0.0, 1.0) for v in values):
            rates[key] = Rate.of(int(sum(values)), len(values))
    return rates


def _guardrail_effect(samples: list[EvalSample]) -> GuardrailEffect | None:
    if not any((s.metadata or {}).get("guardrails") for s in samples):
        return None
    if not any("unsafe" in (s.metadata or {}) for s in samples):
        return None  # not a refusal suite: there is no safe/unsafe split to weigh
    lost = safe = prevented = unsafe = 0
    by_layer: dict[str, int] = {}
    for sample in samples:
        meta = sample.metadata or {}
        records = meta.get("guardrails") or []
        acted = [r for r in records if r.get("action") in _INTERVENTIONS]
        for record in acted:
            by_layer[str(record.get("layer"))] = by_layer.get(str(record.get("layer")), 0) + 1
        outcomes = sample_outcomes(sample)
        if meta.get("unsafe"):
            unsafe += 1
            prevented += int(bool(acted) and outcomes.get("unsafe_compliance") == 0.0)
        else:
            safe += 1
            lost += int(bool(acted) and outcomes.get("over_refusal") == 1.0)
    return GuardrailEffect(Rate.of(lost, safe), Rate.of(prevented, unsafe), by_layer)


def metrics_from_log(log: EvalLog | str | Path) -> RunMetrics:
    """Compute a run's metrics from an Inspect log (object or path).

    Raises:
        LogError: when the file cannot be read or the log has no samples.
    """
    if not isinstance(log, EvalLog):
        log = read_log(log)
    samples = log.samples or []
    if not samples:
        raise LogError(f"{log.location}: the log has no samples (was it written with log_samples?)")
    scored = [s for s in samples if s.error is None and s.scores]
    errors = len(samples) - len(scored)
    rows = [sample_outcomes(s) for s in scored]
    overall = _rates(rows)
    fr = None
    if "failure" in overall:
        failure = overall["failure"]
        fr = fr_per_100(failure.count, failure.total)
    by_category: dict[str, list[dict[str, float | None]]] = {}
    by_kind: dict[str, list[dict[str, float | None]]] = {}
    for sample, row in zip(scored, rows, strict=True):
        meta = sample.metadata or {}
        by_category.setdefault(str(meta.get("category", "all")), []).append(row)
        by_kind.setdefault(str(meta.get("kind", "all")), []).append(row)
    meta = log.eval.metadata or {}
    system = meta.get("alignlab_system") or {}
    model = log.eval.model
    return RunMetrics(
        location=str(log.location),
        task=log.eval.task,
        system=str(system.get("name") or model),
        model=model,
        samples=len(samples),
        errors=errors,
        overall=overall,
        fr=fr,
        by_category={k: _rates(v) for k, v in sorted(by_category.items())},
        by_kind={k: _rates(v) for k, v in sorted(by_kind.items())},
        guardrails=_guardrail_effect(scored),
        scripted="/scripted-" in model or bool(meta.get("alignlab_scripted")),
    )


def read_log(path: str | Path) -> EvalLog:
    """Read a whole Inspect log, turning every failure into one clear `LogError`."""
    file = Path(path)
    if not file.is_file():
        raise LogError(f"{file}: no such log file")
    try:
        return read_eval_log(str(file))
    except Exception as exc:  # Inspect raises many types for a bad file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LogError(f"{file}: not a readable Inspect log ({first[:200]})") from None
