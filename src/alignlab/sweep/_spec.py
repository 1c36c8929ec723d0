"""What a sweep runs: slider grids x option values x seeds, parsed and validated once.

Grammar (the CLI's and the Python API's): a slider grid is `start:stop:count` (count
evenly spaced values, both ends included), a comma list `0,0.5,1`, or one value; seeds
are `start:stop` (Python's half-open range, so `0:100` is 100 seeds) or a list; an
option is `name=v1,v2`. Every value is validated by the experiment's own schema, so a
sweep fails before it starts, never halfway through a cluster job.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from alignlab.core import SLIDERS, ExperimentSpec, OptionValue, ParameterError, get, validate_seed

MAX_RUNS = 50_000_000
"""A guard against a typo (`0:1:1e9`) that would plan more runs than any cluster finishes."""

_KEY_DIGITS = 9
"""Slider values in a resume key are rounded to this many decimals, so a value written to
Parquet and read back (exact for float64) and one re-parsed from the same grid match."""


@dataclass(frozen=True)
class Run:
    """One run of a sweep: the settings a task carries to a worker (plain data, no objects)."""

    pressure: float
    fidelity: float
    oversight: float
    options: Mapping[str, OptionValue]
    seed: int


_T = TypeVar("_T")

RunKey = tuple[int, float, float, float, str, int]
"""(experiment version, pressure, fidelity, oversight, options as canonical JSON, seed)."""


def run_key(
    version: int,
    pressure: float,
    fidelity: float,
    oversight: float,
    options: Mapping[str, Any],
    seed: int,
) -> RunKey:
    """The identity of a run for `--resume`: equal keys mean the same result."""
    return (
        int(version),
        round(float(pressure), _KEY_DIGITS),
        round(float(fidelity), _KEY_DIGITS),
        round(float(oversight), _KEY_DIGITS),
        json.dumps(dict(options), sort_keys=True),
        int(seed),
    )


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: the product of the slider grids, option values and seeds.

    Example:
        >>> spec = plan("goodhart", pressure="0:1:3", fidelity="0.3", seeds="0:2")
        >>> spec.size, spec.pressure
        (6, (0.0, 0.5, 1.0))
    """

    experiment: str
    version: int
    pressure: tuple[float, ...]
    fidelity: tuple[float, ...]
    oversight: tuple[float, ...]
    options: tuple[tuple[str, tuple[OptionValue, ...]], ...]
    seeds: tuple[int, ...]

    @property
    def size(self) -> int:
        """The number of runs in the sweep."""
        n = len(self.pressure) * len(self.fidelity) * len(self.oversight) * len(self.seeds)
        for _, values in self.options:
            n *= len(values)
        return n

    def runs(self) -> Iterator[Run]:
        """Every run, pressure innermost; options not swept are at the experiment's default.

        Pressure varies fastest because runs that differ only in pressure share a seed's
        cached work (sample pools, fitted reward models, trained policies), and the
        batches of a sweep are consecutive runs.
        """
        defaults = get(self.experiment).schema.defaults()
        names = [name for name, _ in self.options]
        value_lists = [values for _, values in self.options]
        for fidelity, oversight in itertools.product(self.fidelity, self.oversight):
            for option_values in itertools.product(*value_lists):
                options = {**defaults, **dict(zip(names, option_values, strict=True))}
                for seed in self.seeds:
                    for pressure in self.pressure:
                        yield Run(pressure, fidelity, oversight, options, seed)

    def key(self, run: Run) -> RunKey:
        """The resume key of one of this sweep's runs."""
        return run_key(
            self.version, run.pressure, run.fidelity, run.oversight, run.options, run.seed
        )

    def to_dict(self) -> dict[str, Any]:
        """The spec as JSON (stored in the Parquet file's metadata)."""
        return {
            "experiment": self.experiment,
            "experiment_version": self.version,
            "pressure": list(self.pressure),
            "fidelity": list(self.fidelity),
            "oversight": list(self.oversight),
            "options": {name: list(values) for name, values in self.options},
            "seeds": _compact_seeds(self.seeds),
            "runs": self.size,
        }


def plan(
    experiment: str,
    *,
    pressure: str | Sequence[float] | None = None,
    fidelity: str | Sequence[float] | None = None,
    oversight: str | Sequence[float] | None = None,
    seeds: str | Sequence[int] = "0",
    options: Mapping[str, str | Sequence[object]] | None = None,
) -> SweepSpec:
    """Validate a sweep of `experiment` and return its `SweepSpec`.

    Grids are strings in the grammar of the module docstring or sequences of values; a
    slider left as None takes the experiment's default; options not named take theirs.

    Raises:
        ParameterError: for an unknown experiment, a malformed grid, a value the
            experiment rejects, or a sweep of more than `MAX_RUNS` runs.
    """
    spec = get(experiment)
    grids: dict[str, tuple[float, ...]] = {}
    for name, raw in zip(SLIDERS, (pressure, fidelity, oversight), strict=True):
        slider = getattr(spec.schema, name)
        values = (slider.default,) if raw is None else _slider_grid(name, raw)
        # Validate through the schema, one slider at a time (the others at their default).
        for value in values:
            spec.schema.validate_sliders(**{name: value})
        grids[name] = values
    option_grid = _option_grid(spec, options or {})
    seed_values = _seed_grid(seeds)
    sweep = SweepSpec(
        experiment=spec.id,
        version=spec.version,
        pressure=grids["pressure"],
        fidelity=grids["fidelity"],
        oversight=grids["oversight"],
        options=option_grid,
        seeds=seed_values,
    )
    if sweep.size > MAX_RUNS:
        raise ParameterError(f"the sweep has {sweep.size:,} runs; at most {MAX_RUNS:,} allowed")
    return sweep


def _slider_grid(name: str, raw: str | Sequence[float]) -> tuple[float, ...]:
    if not isinstance(raw, str):
        values = tuple(float(v) for v in raw)
    elif raw.count(":") == 2:
        start, stop, count = (part.strip() for part in raw.split(":"))
        n = _number(count, f"{name} count", integer=True)
        if n < 1:
            raise ParameterError(f"{name} grid {raw!r}: count must be at least 1")
        lo = _number(start, name)
        hi = _number(stop, name)
        values = tuple(float(v) for v in np.linspace(lo, hi, int(n)))
    elif ":" in raw:
        raise ParameterError(f"{name} grid {raw!r}: use start:stop:count, a list, or one value")
    else:
        values = tuple(_number(part, name) for part in raw.split(","))
    if not values:
        raise ParameterError(f"{name} grid is empty")
    return _unique(values)


def _seed_grid(raw: str | Sequence[int]) -> tuple[int, ...]:
    if not isinstance(raw, str):
        values = tuple(validate_seed(v) for v in raw)
    elif ":" in raw:
        parts = raw.split(":")
        if len(parts) != 2:
            raise ParameterError(f"seeds {raw!r}: use start:stop (stop excluded) or a list")
        start = validate_seed(parts[0].strip())
        stop = int(_number(parts[1].strip(), "seeds stop", integer=True))
        if stop <= start or stop > 2**32:
            raise ParameterError(f"seeds {raw!r}: need start < stop <= 2**32")
        values = tuple(range(start, stop))
    else:
        values = tuple(validate_seed(part.strip()) for part in raw.split(","))
    if not values:
        raise ParameterError("the seed list is empty")
    return _unique(values)


def _option_grid(
    spec: ExperimentSpec, options: Mapping[str, str | Sequence[object]]
) -> tuple[tuple[str, tuple[OptionValue, ...]], ...]:
    grid = []
    for name, raw in options.items():
        option = spec.schema.option(name)
        parts: Sequence[object] = raw.split(",") if isinstance(raw, str) else raw
        values = _unique(tuple(option.parse(part) for part in parts))
        if not values:
            raise ParameterError(f"option {name!r} has no values")
        grid.append((name, values))
    return tuple(grid)


def _number(text: str, where: str, *, integer: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ParameterError(f"{where} must be a number; got {text!r}") from None
    if not np.isfinite(value) or (integer and value != int(value)):
        kind = "a whole number" if integer else "a finite number"
        raise ParameterError(f"{where} must be {kind}; got {text!r}")
    return value


def _unique(values: tuple[_T, ...]) -> tuple[_T, ...]:
    """Drop repeated values, keeping the first order (a repeated setting is one run)."""
    return tuple(dict.fromkeys(values))


def _compact_seeds(seeds: tuple[int, ...]) -> dict[str, int] | list[int]:
    if len(seeds) > 1 and seeds == tuple(range(seeds[0], seeds[-1] + 1)):
        return {"start": seeds[0], "stop": seeds[-1] + 1}
    return list(seeds)
