"""An API checker any new experiment can be run through (in the spirit of Gymnasium's).

`check_experiment("my-id")` runs the experiment at corner, default and random settings,
for every choice of every choice-option, and verifies the contracts the CLI and the page
rely on: bit-identical results for the same seed, JSON-clean output, FR in [0, 100]
inside its interval (which says what it covers), well-formed curves and agent loop, and
clear errors for bad input.
"""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

import numpy as np

from alignlab.core._errors import ExperimentCheckError, ParameterError
from alignlab.core._params import SLIDERS, OptionValue
from alignlab.core._registry import ExperimentSpec, get
from alignlab.core._result import LOOP_STAGES, REQUIRED_CURVE_KEYS

CONTRACT_KEYS = (
    "experiment",
    "params",
    "options",
    "seed",
    "physical",
    "fr",
    "fr_ci",
    "proxy",
    "true",
    "curve",
    "loop",
    "explanation",
)


def _settings(spec: ExperimentSpec, n_random: int, seed: int) -> list[dict[str, float]]:
    corners = [dict(zip(SLIDERS, c, strict=True)) for c in itertools.product((0.0, 1.0), repeat=3)]
    defaults = {s.name: s.default for s in spec.schema.sliders}
    rng = np.random.default_rng(seed)
    randoms = [dict(zip(SLIDERS, rng.random(3).tolist(), strict=True)) for _ in range(n_random)]
    return [defaults, *corners, *randoms]


def _option_sets(spec: ExperimentSpec) -> list[dict[str, OptionValue]]:
    sets: list[dict[str, OptionValue]] = [{}]
    for opt in spec.schema.options:
        if opt.kind == "choice":
            sets.extend({opt.name: choice} for choice in opt.choices if choice != opt.default)
    return sets


def check_result_dict(data: dict[str, Any]) -> list[str]:
    """Return the contract violations in one result's `to_dict()` output (empty if none)."""
    problems: list[str] = []
    missing = [k for k in CONTRACT_KEYS if k not in data]
    if missing:
        return [f"missing keys {missing}"]
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as exc:
        problems.append(f"not JSON-clean: {exc}")
    fr, (lo, hi) = data["fr"], data["fr_ci"]
    if not (0.0 <= lo <= fr <= hi <= 100.0):
        problems.append(f"need 0 <= fr_ci[0] <= fr <= fr_ci[1] <= 100, got {lo}, {fr}, {hi}")
    for key in ("proxy", "true"):
        if not isinstance(data[key], float) or not math.isfinite(data[key]):
            problems.append(f"{key} must be a finite float, got {data[key]!r}")
    curve = data["curve"]
    absent = [k for k in REQUIRED_CURVE_KEYS if k not in curve]
    if absent:
        problems.append(f"curve lacks {absent}")
    else:
        lengths = {k: len(v) for k, v in curve.items()}
        if len(set(lengths.values())) != 1 or lengths["pressure"] < 2:
            problems.append(f"curve arrays must share one length >= 2, got {lengths}")
        pressure = np.asarray(curve["pressure"], dtype=float)
        if np.any(np.diff(pressure) <= 0) or pressure[0] < 0 or pressure[-1] > 1:
            problems.append("curve pressure must increase strictly within [0, 1]")
        fr_curve = np.asarray(curve["fr"], dtype=float)
        if np.any(fr_curve < 0) or np.any(fr_curve > 100):
            problems.append("curve fr must lie in [0, 100]")
        for key, values in curve.items():
            if not np.all(np.isfinite(np.asarray(values, dtype=float))):
                problems.append(f"curve {key!r} has non-finite values")
    stages = [s.get("stage") for s in data["loop"]]
    if tuple(stages) != LOOP_STAGES:
        problems.append(f"loop stages must be {LOOP_STAGES}, got {stages}")
    for stage in data["loop"]:
        if not 0.0 <= float(stage.get("value", -1)) <= 1.0:
            problems.append(f"loop value of {stage.get('stage')!r} must lie in [0, 1]")
    if not isinstance(data["explanation"], str) or not data["explanation"].strip():
        problems.append("explanation must be a non-empty sentence")
    if not data["physical"]:
        problems.append("physical must report what the sliders mapped to")
    covers = data.get("fr_ci_covers")
    if not isinstance(covers, str) or not covers.strip():
        problems.append("fr_ci_covers must say, in a sentence, what fr_ci covers")
    return problems


def check_experiment(id: str, *, n_random: int = 4, seed: int = 12345) -> int:
    """Run experiment `id` through the contract checks; return how many runs were checked.

    Raises:
        ExperimentCheckError: listing every problem found.

    Examples:
        >>> import alignlab
        >>> alignlab.check_experiment("goodhart") > 0  # doctest: +SKIP
        True
    """
    spec = get(id)
    problems: list[str] = []
    runs = 0
    for options in _option_sets(spec):
        for setting in _settings(spec, n_random, seed):
            where = f"{id} {setting} {options}"
            args = (setting["pressure"], setting["fidelity"], setting["oversight"])
            first = spec.run(*args, seed=seed, options=options).to_dict()
            second = spec.run(*args, seed=seed, options=options).to_dict()
            runs += 2
            if json.dumps(first, sort_keys=True) != json.dumps(second, sort_keys=True):
                problems.append(f"{where}: same seed gave different results")
            if first.get("params") != setting:
                problems.append(f"{where}: params do not echo the sliders")
            problems.extend(f"{where}: {p}" for p in check_result_dict(first))
    for bad in ((1.5, None, None), (None, -0.1, None), (None, None, float("nan"))):
        try:
            spec.run(*bad)
        except ParameterError:
            pass
        else:
            problems.append(f"{id}: {bad} was accepted; expected ParameterError")
    try:
        spec.run(options={"no-such-option": 1})
    except ParameterError:
        pass
    else:
        problems.append(f"{id}: an unknown option was accepted; expected ParameterError")
    if problems:
        raise ExperimentCheckError("\n".join(problems))
    return runs
