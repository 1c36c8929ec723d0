"""The results file: one row per run, typed columns, curves as lists, the spec in metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import alignlab
from alignlab.core import ParameterError
from alignlab.sweep import plan, read_metadata
from alignlab.sweep._table import PartWriter, columns_to_table, done_keys, finalize, partial_dir
from alignlab.sweep._worker import run_batch
from tests.sweep.conftest import write_results

SCALARS = ("fr", "fr_lo", "fr_hi", "proxy", "true", "peak_pressure", "peak_true", "run_ms")


def test_schema_has_the_issue_columns_with_fixed_types(rc_results: Path) -> None:
    schema = pq.read_schema(rc_results)
    types = {f.name: f.type for f in schema}
    assert types["experiment"] == pa.string()
    assert types["experiment_version"] == pa.int64()
    assert types["alignlab_version"] == pa.string()
    assert types["seed"] == pa.int64()
    for name in ("pressure", "fidelity", "oversight", *SCALARS):
        assert types[name] == pa.float64(), name
    physical = [n for n in types if n.startswith("physical_")]
    assert "physical_rewordings_tried" in physical
    curves = [n for n in types if n.startswith("curve_")]
    assert {"curve_pressure", "curve_proxy", "curve_true", "curve_fr"} <= set(curves)
    assert all(types[n] == pa.list_(pa.float64()) for n in curves)


def test_rows_are_the_runs_and_match_alignlab_run(rc_results: Path) -> None:
    table = pq.read_table(rc_results)
    assert table.num_rows == 3 * 2 * 4
    rows = table.to_pylist()
    keys = {(r["pressure"], r["fidelity"], r["seed"]) for r in rows}
    assert len(keys) == len(rows)  # no duplicates
    for row in rows[::7]:
        data = alignlab.run(
            "refusal-calibration",
            pressure=row["pressure"],
            fidelity=row["fidelity"],
            oversight=row["oversight"],
            seed=row["seed"],
        ).to_dict()
        assert row["fr"] == data["fr"]
        assert [row["fr_lo"], row["fr_hi"]] == data["fr_ci"]
        assert row["true"] == data["true"]
        assert row["curve_fr"] == data["curve"]["fr"]
        assert row["physical_rewordings_tried"] == data["physical"]["rewordings_tried"]
        assert row["peak_true"] == data["peak"]["true"]
        assert row["alignlab_version"] == alignlab.__version__
        assert row["run_ms"] > 0


def test_metadata_holds_the_sweep_spec(rc_results: Path) -> None:
    raw = pq.read_metadata(rc_results).metadata
    spec = json.loads(raw[b"alignlab.sweep"])
    assert spec["experiment"] == "refusal-calibration"
    assert spec["pressure"] == [0.0, 0.5, 1.0]
    assert spec["fidelity"] == [0.0, 1.0]
    assert spec["seeds"] == {"start": 0, "stop": 4}
    assert spec["runs"] == 24
    assert read_metadata(rc_results)["history"] == [spec]


def test_row_groups_are_merged_not_one_per_batch(rc_results: Path) -> None:
    assert pq.ParquetFile(rc_results).metadata.num_row_groups == 1
    assert not partial_dir(rc_results).exists()


def test_pandas_reads_the_file_as_is(rc_results: Path) -> None:
    import pandas as pd
    frame = pd.read_parquet(rc_results)
    assert len(frame) == 24
    assert frame.groupby("pressure")["fr"].mean().shape == (3,)
    assert len(frame["curve_fr"].iloc[0]) == len(frame["curve_pressure"].iloc[0])


def test_polars_reads_the_file_as_is(rc_results: Path) -> None:
    import polars as pl

    frame = pl.read_parquet(rc_results)
    assert frame.height == 24
    assert frame.group_by("pressure").agg(pl.col("fr").mean()).height == 3
    first = frame.row(0, named=True)
    assert len(first["curve_fr"]) == len(first["curve_pressure"]) > 1


def test_duckdb_queries_the_file_as_is(rc_results: Path) -> None:
    import duckdb

    con = duckdb.connect()
    try:
        rows = con.execute(
            "SELECT pressure, count(*), avg(fr), max(len(curve_fr)) FROM read_parquet(?) "
            "GROUP BY pressure ORDER BY pressure",
            [str(rc_results)],
        ).fetchall()
    finally:
        con.close()
    assert [r[0] for r in rows] == [0.0, 0.5, 1.0]
    assert all(r[1] == 8 and r[3] > 1 for r in rows)


def test_finalize_merges_old_rows_parts_and_keeps_spec_history(tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    first = plan("refusal-calibration", pressure="0,1", seeds="0:2")
    write_results(first, out, parts=2)
    second = plan("refusal-calibration", pressure="0,1", seeds="0:3")
    done = done_keys(out, "refusal-calibration")
    assert done == {first.key(r) for r in first.runs()}
    todo = [r for r in second.runs() if second.key(r) not in done]
    assert len(todo) == 2
    settings = [(r.pressure, r.fidelity, r.oversight, dict(r.options), r.seed) for r in todo]
    PartWriter(out).write(columns_to_table(run_batch("refusal-calibration", settings)))
    # A killed sweep leaves its parts; their runs count as done before any merge.
    assert done_keys(out, "refusal-calibration") == {second.key(r) for r in second.runs()}
    assert finalize(out, second.to_dict()) == 6
    history = read_metadata(out)["history"]
    assert [h["runs"] for h in history] == [4, 6]
    assert sorted(pq.read_table(out, columns=["seed"]).column("seed").to_pylist()) == [
        0,
        0,
        1,
        1,
        2,
        2,
    ]


def test_parts_with_different_columns_merge_with_nulls(tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    writer = PartWriter(out)
    base = run_batch("refusal-calibration", [(0.5, 0.5, 0.5, {}, 0)])
    writer.write(columns_to_table(base))
    extra = {**base, "physical_extra": ["x"]}
    writer.write(columns_to_table(extra))
    finalize(out, {"experiment": "refusal-calibration"})
    column = pq.read_table(out).column("physical_extra").to_pylist()
    assert column == [None, "x"]


def test_a_file_of_another_experiment_is_refused(rc_results: Path) -> None:
    with pytest.raises(ParameterError, match="not goodhart"):
        done_keys(rc_results, "goodhart")


def test_a_parquet_file_without_sweep_metadata_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"x": [1]}), plain)
    with pytest.raises(ParameterError, match="not written by `alignlab sweep`"):
        read_metadata(plain)
