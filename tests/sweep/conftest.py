"""Fixtures for sweep tests: results files built without Ray, and Ray kept on loopback.

Ray reads RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER when it is imported; "0" keeps every node
and worker on 127.0.0.1 (tests only ever talk to 127.0.0.1). Set here, before any test
imports Ray, and inherited by the processes a test cluster starts.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

from alignlab.sweep import SweepSpec, plan
from alignlab.sweep._table import PartWriter, columns_to_table, finalize
from alignlab.sweep._worker import run_batch

SRC = Path(__file__).resolve().parents[2] / "src"


def write_results(spec: SweepSpec, out: Path, *, parts: int = 3) -> Path:
    """Run `spec` in-process (no Ray) through the same worker and writer code as a sweep."""
    runs = [(r.pressure, r.fidelity, r.oversight, dict(r.options), r.seed) for r in spec.runs()]
    writer = PartWriter(out)
    step = max(1, -(-len(runs) // parts))
    for i in range(0, len(runs), step):
        writer.write(columns_to_table(run_batch(spec.experiment, runs[i : i + step])))
    finalize(out, {**spec.to_dict(), "address": "in-process"})
    return out


@pytest.fixture(scope="module")
def rc_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small refusal-calibration results file: 3 pressures x 2 fidelities x 4 seeds."""
    spec = plan("refusal-calibration", pressure="0:1:3", fidelity="0,1", seeds="0:4")
    return write_results(spec, tmp_path_factory.mktemp("rc") / "rc.parquet")
