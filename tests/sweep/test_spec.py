"""The grid grammar and the run product: what a sweep runs, validated before it starts."""

from __future__ import annotations

import pytest

import alignlab
from alignlab.core import ParameterError
from alignlab.sweep import plan, run_key


def test_slider_range_is_count_values_with_both_ends() -> None:
    spec = plan("goodhart", pressure="0:1:5", fidelity="0.2, 0.8", oversight="0")
    assert spec.pressure == (0.0, 0.25, 0.5, 0.75, 1.0)
    assert spec.fidelity == (0.2, 0.8)
    assert spec.oversight == (0.0,)


def test_seed_range_is_half_open_like_python_range() -> None:
    assert plan("goodhart", seeds="0:100").seeds == tuple(range(100))
    assert plan("goodhart", seeds="3,1,3").seeds == (3, 1)  # repeats are one run


def test_size_is_the_product_and_runs_enumerate_it_exactly_once() -> None:
    spec = plan(
        "goodhart",
        pressure="0:1:3",
        fidelity="0,1",
        seeds="0:4",
        options={"tail": "gaussian,lognormal", "method": "bon"},
    )
    runs = list(spec.runs())
    assert spec.size == 3 * 2 * 2 * 4 == len(runs)
    assert len({spec.key(r) for r in runs}) == len(runs)
    # Options not swept are at their defaults, so a run carries every option.
    defaults = alignlab.get("goodhart").schema.defaults()
    assert all(set(r.options) == set(defaults) for r in runs)
    assert {r.options["tail"] for r in runs} == {"gaussian", "lognormal"}


def test_unset_sliders_take_the_experiment_default() -> None:
    schema = alignlab.get("rater-bias").schema
    spec = plan("rater-bias", pressure="0,1")
    assert spec.fidelity == (schema.fidelity.default,)
    assert spec.oversight == (schema.oversight.default,)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pressure": "0:2:3"}, "pressure must lie in [0, 1]"),
        ({"pressure": "0:1"}, "start:stop:count"),
        ({"pressure": "0:1:0"}, "count must be at least 1"),
        ({"pressure": "0:1:2.5"}, "whole number"),
        ({"fidelity": "a,b"}, "must be a number"),
        ({"seeds": "5:5"}, "start < stop"),
        ({"seeds": "-1"}, "seed"),
        ({"options": {"nope": "1"}}, "unknown option 'nope'"),
        ({"options": {"tail": "gaussian,purple"}}, "option 'tail' must be one of"),
        ({"pressure": "0:1:10000", "seeds": "0:10000"}, "at most"),
    ],
)
def test_bad_grids_are_one_clear_error_before_anything_runs(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ParameterError, match=message.replace("[", r"\[").replace("]", r"\]")):
        plan("goodhart", **kwargs)  # type: ignore[arg-type]


def test_unknown_experiment_names_the_known_ones() -> None:
    with pytest.raises(ParameterError, match="goodhart"):
        plan("nope")


def test_run_key_matches_values_read_back_and_separates_versions() -> None:
    spec = plan("goodhart", pressure="0:1:21", seeds="0")
    run = list(spec.runs())[7]
    # A float64 written to Parquet and read back is the same float; the key rounds anyway.
    key = run_key(spec.version, float(run.pressure), run.fidelity, run.oversight, run.options, 0)
    assert key == spec.key(run)
    other_version = run_key(
        spec.version + 1, run.pressure, run.fidelity, run.oversight, run.options, 0
    )
    assert other_version != key


def test_spec_json_is_compact_and_complete() -> None:
    spec = plan("goodhart", pressure="0:1:3", seeds="0:100", options={"tail": "lognormal"})
    data = spec.to_dict()
    assert data["seeds"] == {"start": 0, "stop": 100}
    assert data["options"] == {"tail": ["lognormal"]}
    assert data["runs"] == 300
    assert data["experiment_version"] == alignlab.get("goodhart").version
