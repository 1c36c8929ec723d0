import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alignlab.core import Option, ParameterError, Schema, Slider, validate_seed
from tests.conftest import TOY_SCHEMA


def test_sliders_default_and_validate() -> None:
    sliders = TOY_SCHEMA.validate_sliders(None, "0.25", 1)
    assert sliders.to_dict() == {"pressure": 0.5, "fidelity": 0.25, "oversight": 1.0}


@pytest.mark.parametrize("bad", [1.0001, -0.01, "abc", float("nan"), float("inf"), True, ""])
def test_bad_slider_values_raise_one_clear_error(bad: object) -> None:
    with pytest.raises(ParameterError, match="pressure"):
        TOY_SCHEMA.validate_sliders(bad, None, None)


@given(st.floats(min_value=0.0, max_value=1.0))
def test_every_value_in_unit_interval_is_accepted(x: float) -> None:
    assert TOY_SCHEMA.validate_sliders(x, x, x).pressure == x


def test_options_parse_types_and_reject_unknowns() -> None:
    assert TOY_SCHEMA.validate_options(None) == {"tail": "gaussian"}
    assert TOY_SCHEMA.validate_options({"tail": "cauchy"}) == {"tail": "cauchy"}
    with pytest.raises(ParameterError, match="one of gaussian, cauchy"):
        TOY_SCHEMA.validate_options({"tail": "pareto"})
    with pytest.raises(ParameterError, match="unknown option 'tails'"):
        TOY_SCHEMA.validate_options({"tails": "cauchy"})


def test_numeric_and_bool_options() -> None:
    n = Option("n", "int", 4, "count", low=1, high=10)
    assert n.parse("7") == 7
    with pytest.raises(ParameterError, match="whole number"):
        n.parse("7.5")
    with pytest.raises(ParameterError, match=r"\[1, 10\]"):
        n.parse(11)
    flag = Option("f", "bool", False, "flag")
    assert flag.parse("yes") is True and flag.parse(False) is False
    with pytest.raises(ParameterError):
        flag.parse("maybe")


def test_seed_validation() -> None:
    assert validate_seed("42") == 42
    for bad in (-1, 2**32, "x", 1.5):
        with pytest.raises(ParameterError, match="seed"):
            validate_seed(bad)


def test_schema_rejects_misplaced_sliders() -> None:
    s = Slider("pressure", "P", "h", "q")
    with pytest.raises(ValueError):
        Schema(pressure=s, fidelity=s, oversight=s)


def test_slider_physical_grid_in_json() -> None:
    data = TOY_SCHEMA.to_dict()
    grid = data["sliders"][0]["physical_grid"]
    assert grid["x"][0] == 0.0 and math.isclose(grid["y"][-1], 100.0)
    assert data["options"][0]["choices"] == ["gaussian", "cauchy"]
