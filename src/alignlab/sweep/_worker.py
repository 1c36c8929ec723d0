"""The work one task does: run a batch of settings with `alignlab.run`, return plain columns.

Runs on Ray workers (and on the driver for the first, timing run). It imports neither Ray
nor pyarrow: a task carries an experiment id and a list of settings, and hands back a dict
of column name -> list of plain Python values, which is cheap to pickle and typed once on
the driver (`alignlab.sweep._table`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from alignlab._version import __version__
from alignlab.core import Result, get

Settings = tuple[float, float, float, Mapping[str, Any], int]
"""(pressure, fidelity, oversight, options, seed): what a task carries for one run."""

Columns = dict[str, list[Any]]


def run_batch(experiment: str, batch: Sequence[Settings]) -> Columns:
    """Run every setting of `batch` and return one column list per output column.

    Columns are the same for every run of an experiment at fixed options; when options
    change the physical quantities or curve axes, missing entries are None.
    """
    spec = get(experiment)
    rows = []
    for pressure, fidelity, oversight, options, seed in batch:
        start = time.perf_counter()
        result = spec.run(pressure, fidelity, oversight, seed=seed, options=options)
        run_ms = (time.perf_counter() - start) * 1e3
        rows.append(result_row(spec.version, result, run_ms))
    return _to_columns(rows)


def run_results(experiment: str, batch: Sequence[Settings]) -> list[Result]:
    """Run every setting of `batch` and return the `Result`s themselves (for in-memory use)."""
    spec = get(experiment)
    return [
        spec.run(pressure, fidelity, oversight, seed=seed, options=options)
        for pressure, fidelity, oversight, options, seed in batch
    ]


def result_row(version: int, result: Result, run_ms: float) -> dict[str, Any]:
    """Flatten one `Result` into a Parquet row (the column names of docs/sweep.md)."""
    m = result.measurement
    peak = result.peak
    row: dict[str, Any] = {
        "experiment": result.experiment,
        "experiment_version": version,
        "alignlab_version": __version__,
        "pressure": float(result.params["pressure"]),
        "fidelity": float(result.params["fidelity"]),
        "oversight": float(result.params["oversight"]),
    }
    row.update({f"option_{k}": v for k, v in result.options.items()})
    row["seed"] = result.seed
    for name, value in m.physical.items():
        row[f"physical_{name}"] = value.item() if hasattr(value, "item") else value
    row.update(
        {
            "fr": float(m.fr),
            "fr_lo": float(m.fr_ci[0]),
            "fr_hi": float(m.fr_ci[1]),
            "proxy": float(m.proxy),
            "true": float(m.true),
            "peak_pressure": float(peak["pressure"]),
            "peak_true": float(peak["true"]),
            "peak_proxy": float(peak["proxy"]),
            "run_ms": float(run_ms),
        }
    )
    for name, values in m.curve.items():
        row[f"curve_{name}"] = [float(v) for v in values]
    return row


def _to_columns(rows: Sequence[dict[str, Any]]) -> Columns:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    return {name: [row.get(name) for row in rows] for name in names}
