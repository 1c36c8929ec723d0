import json

import pytest

import alignlab
from alignlab.core import (
    ExperimentCheckError,
    ParameterError,
    check_experiment,
    register,
    unregister,
)
from tests.conftest import TOY_SCHEMA, toy_experiment


def test_run_returns_contract(toy: str) -> None:
    data = alignlab.run(toy, pressure=1.0, fidelity=0.2, seed=3).to_dict()
    for key in (
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
        "peak",
    ):
        assert key in data
    assert data["params"] == {"pressure": 1.0, "fidelity": 0.2, "oversight": 0.0}
    assert data["options"] == {"tail": "gaussian"}
    json.dumps(data, allow_nan=False)


def test_same_seed_same_bits_other_seed_other_bits(toy: str) -> None:
    a = json.dumps(alignlab.run(toy, seed=5).to_dict())
    b = json.dumps(alignlab.run(toy, seed=5).to_dict())
    c = json.dumps(alignlab.run(toy, seed=6).to_dict())
    assert a == b and a != c


def test_unknown_experiment_names_the_known_ones(toy: str) -> None:
    with pytest.raises(ParameterError, match="toy"):
        alignlab.run("nope")


def test_experiments_lists_registered(toy: str) -> None:
    assert toy in [s.id for s in alignlab.experiments()]
    assert alignlab.get(toy).to_dict()["sliders"][0]["name"] == "pressure"


def test_checker_passes_honest_experiment(toy: str) -> None:
    assert check_experiment(toy, n_random=2) > 0


def test_checker_catches_nondeterminism_and_bad_fr() -> None:
    counter = {"n": 0}

    def broken(sliders, options, rng):  # type: ignore[no-untyped-def]
        m = toy_experiment(sliders, options, rng)
        counter["n"] += 1
        from dataclasses import replace

        return replace(m, fr=150.0 + counter["n"])

    register("broken", title="B", summary="b", schema=TOY_SCHEMA, fr_definition="-")(broken)
    try:
        with pytest.raises(ExperimentCheckError) as info:
            check_experiment("broken", n_random=0)
        assert "same seed gave different results" in str(info.value)
        assert "fr_ci[0] <= fr" in str(info.value)
    finally:
        unregister("broken")


def test_double_registration_is_refused(toy: str) -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(toy, title="", summary="", schema=TOY_SCHEMA, fr_definition="")(toy_experiment)
