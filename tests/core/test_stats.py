import pytest
from hypothesis import given
from hypothesis import strategies as st

from alignlab.core import fr_per_100, wilson_interval


def test_wilson_known_value() -> None:
    # Reference: Wilson interval for 10/100 at 95% is (0.0552, 0.1744).
    lo, hi = wilson_interval(10, 100)
    assert lo == pytest.approx(0.0552, abs=1e-4)
    assert hi == pytest.approx(0.1744, abs=1e-4)


def test_wilson_stays_honest_at_extremes() -> None:
    lo, hi = wilson_interval(0, 20)
    assert lo == 0.0 and hi > 0.1
    lo, hi = wilson_interval(20, 20)
    assert hi == 1.0 and lo < 0.9


@given(st.integers(1, 10_000), st.data())
def test_fr_lies_inside_its_interval(n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n))
    fr, (lo, hi) = fr_per_100(k, n)
    assert 0.0 <= lo <= fr <= hi <= 100.0
