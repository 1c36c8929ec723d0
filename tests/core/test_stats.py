import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alignlab.core import cluster_fr_per_100, fr_per_100, wilson_interval


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


def test_cluster_interval_equals_wilson_for_independent_outputs() -> None:
    # One output per cluster: no clustering, so the design effect is 1 at most.
    failures = [1] * 7 + [0] * 93
    fr, (lo, hi), deff = cluster_fr_per_100(failures, list(range(100)))
    assert deff == pytest.approx(1.0, abs=0.02)
    wilson_fr, (wlo, whi) = fr_per_100(7, 100)
    assert fr == pytest.approx(wilson_fr)
    assert (lo, hi) == pytest.approx((wlo, whi), abs=0.3)


def test_cluster_interval_widens_with_correlated_rewordings() -> None:
    # 56 base prompts x 3 rewordings that always share their fate: the interval must be
    # that of 56 independent trials, about 1.7x as wide as Wilson's over 168.
    rng = np.random.default_rng(0)
    base = rng.random(56) < 0.2
    failures = np.repeat(base, 3).astype(float)
    clusters = np.repeat(np.arange(56), 3)
    _, (lo, hi), deff = cluster_fr_per_100(failures, clusters)
    _, (wlo, whi) = fr_per_100(float(failures.sum()), 168)
    _, (blo, bhi) = fr_per_100(float(base.sum()), 56)
    assert deff == pytest.approx(3 * 56 / 55, rel=1e-9)
    assert hi - lo == pytest.approx(bhi - blo, rel=0.05)
    assert hi - lo > 1.5 * (whi - wlo)


def test_cluster_interval_is_conservative_at_the_extremes() -> None:
    clusters = np.repeat(np.arange(20), 3)
    fr, (lo, hi), _ = cluster_fr_per_100(np.zeros(60), clusters)
    assert fr == 0.0 and lo == 0.0
    assert hi == pytest.approx(100 * wilson_interval(0, 20)[1])


@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 9)), min_size=1, max_size=80))
def test_cluster_fr_lies_inside_its_interval(rows: list[tuple[int, int]]) -> None:
    failures, clusters = zip(*rows, strict=True)
    fr, (lo, hi), deff = cluster_fr_per_100(failures, clusters)
    assert 0.0 <= lo <= fr <= hi <= 100.0 and deff >= 1.0
