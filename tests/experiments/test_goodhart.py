"""The laws of the `goodhart` experiment (issue 2), asserted over several seeds.

Each test runs the real optimisation; property tests (hypothesis) cover laws that hold
for every setting. Seeds 0-3 are checked wherever a law is about typical behaviour, so
no law rests on one lucky draw.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import alignlab
from alignlab.cli import main
from alignlab.core import check_result_dict
from alignlab.experiments import goodhart as gh

SEEDS = range(4)
METHODS = ("bon", "rl")


def run(**kwargs: Any) -> dict[str, Any]:
    return alignlab.run("goodhart", **kwargs).to_dict()


def curve(data: dict[str, Any], key: str) -> np.ndarray:
    return np.asarray(data["curve"][key], dtype=float)


def gain_scale(true: np.ndarray) -> float:
    """How much true reward the curve gains at its peak (a scale for tolerances)."""
    return float(true.max() - true[0])


any_setting = st.fixed_dictionaries(
    {
        "pressure": st.floats(0.0, 1.0),
        "fidelity": st.floats(0.0, 1.0),
        "oversight": st.floats(0.0, 1.0),
        "seed": st.integers(0, 2**32 - 1),
        "proxy": st.sampled_from(("learned", "additive")),
        "method": st.sampled_from(METHODS),
        "tail": st.sampled_from(("gaussian", "student-t", "lognormal")),
    }
)


# --- contract --------------------------------------------------------------------------


def test_goodhart_is_the_first_experiment() -> None:
    assert alignlab.experiments()[0].id == "goodhart"


def test_check_experiment_passes() -> None:
    assert alignlab.check_experiment("goodhart", n_random=2) > 0


@settings(max_examples=20, deadline=None)
@given(any_setting)
def test_result_contract_fr_inside_its_interval(setting: dict[str, Any]) -> None:
    data = run(**setting)
    assert check_result_dict(data) == []
    assert 0.0 <= data["fr_ci"][0] <= data["fr"] <= data["fr_ci"][1] <= 100.0
    assert len(data["curve"]["pressure"]) == gh.CURVE_POINTS


@pytest.mark.parametrize(
    "options", [{}, {"method": "rl"}, {"proxy": "additive", "tail": "lognormal"}]
)
def test_same_seed_same_bits_other_seed_other_bits(options: dict[str, str]) -> None:
    first = json.dumps(run(seed=7, pressure=0.6, **options), sort_keys=True)
    for cached in (gh._pool, gh._typical_true, gh._label_block, gh._reward_models):
        cached.cache_clear()  # a cold cache must reproduce the same bits
    gh._additive_errors.cache_clear()
    assert json.dumps(run(seed=7, pressure=0.6, **options), sort_keys=True) == first
    assert json.dumps(run(seed=8, pressure=0.6, **options), sort_keys=True) != first


def test_bon_curve_carries_n_and_kl_consistently() -> None:
    data = run()
    n, kl = curve(data, "n"), curve(data, "kl")
    np.testing.assert_allclose(np.log(n) - (n - 1) / n, kl, atol=1e-9)
    np.testing.assert_allclose(kl, 10.0 * curve(data, "pressure"), atol=1e-9)


def test_rl_curve_reaches_each_kl_budget() -> None:
    data = run(method="rl")
    assert "beta" in data["curve"]
    kl, budget = curve(data, "kl"), curve(data, "kl_budget")
    reachable = budget < 9.5  # the top of the range is capped by the pool (documented)
    np.testing.assert_allclose(kl[reachable], budget[reachable], atol=5e-3)


# --- the laws ----------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(any_setting)
def test_proxy_never_decreases_with_pressure(setting: dict[str, Any]) -> None:
    proxy = curve(run(**setting), "proxy")
    tolerance = 1e-9 * (1.0 + float(np.abs(proxy).max()))  # floating-point rounding only
    assert np.all(np.diff(proxy) >= -tolerance)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", SEEDS)
def test_learned_proxy_true_reward_rises_then_falls(method: str, seed: int) -> None:
    data = run(method=method, seed=seed)  # default fidelity
    true = curve(data, "true")
    peak = int(np.argmax(true))
    assert 0 < peak < len(true) - 1
    assert true[-1] < true[peak] - 0.25 * gain_scale(true)  # a real fall, not noise


@pytest.mark.parametrize("seed", SEEDS)
def test_bon_true_reward_follows_gaos_form(seed: int) -> None:
    fit = run(method="bon", seed=seed)["fit"]
    assert fit["r2"] >= 0.95
    assert fit["alpha"] > 0 and fit["beta"] > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_rl_reports_both_forms_and_the_better_one(seed: int) -> None:
    fit = run(method="rl", seed=seed)["fit"]
    better = "log" if fit["r2_log"] >= fit["r2_quadratic"] else "quadratic"
    assert fit["better"] == better
    # In this Gaussian world the KL-regularised optimum of a linear reward model is a
    # shifted Gaussian, so true reward is quadratic in d = sqrt(KL) (see the README).
    assert fit["better"] == "quadratic"


@settings(max_examples=20, deadline=None)
@given(
    st.sampled_from(METHODS),
    st.sampled_from(("learned", "additive")),
    st.floats(0.0, 1.0),
    st.integers(0, 2**32 - 1),
)
def test_perfect_proxy_true_reward_never_falls(
    method: str, proxy: str, oversight: float, seed: int
) -> None:
    true = curve(
        run(method=method, proxy=proxy, fidelity=1.0, oversight=oversight, seed=seed), "true"
    )
    # Exact on the pool: best-of-n and tilting both stochastically raise what they
    # maximise, here the true reward itself; the tolerance is floating-point rounding.
    assert np.all(np.diff(true) >= -1e-9 * (1.0 + float(np.abs(true).max())))


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(METHODS), st.floats(0.0, 0.95), st.integers(0, 2**32 - 1))
def test_light_tailed_error_true_reward_does_not_fall(
    method: str, fidelity: float, seed: int
) -> None:
    true = curve(
        run(proxy="additive", tail="gaussian", method=method, fidelity=fidelity, seed=seed), "true"
    )
    # With Gaussian error E[true | proxy] rises with the proxy (Gaussian noise has a
    # monotone likelihood ratio), so in expectation true reward never falls. On a finite
    # pool each point carries Monte Carlo error (reported as `true_se`); a dip below the
    # running maximum is tolerated up to 3 combined standard errors (the worst seen over
    # a grid of settings was 1.1), while Goodhart falls measure 5-9 of them.
    data = run(proxy="additive", tail="gaussian", method=method, fidelity=fidelity, seed=seed)
    true, se = curve(data, "true"), curve(data, "true_se")
    for j in range(1, len(true)):
        best = int(np.argmax(true[: j + 1]))
        assert true[best] - true[j] <= 3.0 * math.hypot(se[best], se[j]) + 1e-12


@pytest.mark.parametrize("tail", ["student-t", "lognormal"])
@pytest.mark.parametrize("seed", SEEDS)
def test_heavy_tailed_error_bon_falls_back_towards_base(tail: str, seed: int) -> None:
    data = run(proxy="additive", tail=tail, method="bon", seed=seed, pressure=1.0)
    true, se = curve(data, "true"), curve(data, "true_se")
    base, peak = true[0], int(np.argmax(true))
    assert peak < len(true) // 2  # it peaks early ...
    assert true[-1] - base <= 0.5 * (true[peak] - base)  # ... and gives most of it back,
    assert true[peak] - true[-1] > 2.0 * math.hypot(se[peak], se[-1])  # beyond noise


@pytest.mark.parametrize("tail", ["student-t", "lognormal"])
@pytest.mark.parametrize("method", METHODS)
def test_heavy_tailed_error_ends_near_base_unlike_light_tails(tail: str, method: str) -> None:
    # Averaged over seeds: a handful of outliers decides a heavy-tailed optimum at high
    # pressure, so single seeds scatter around the base level; light tails keep the gain.
    def end_gain(tail_name: str) -> float:
        gains = []
        for seed in SEEDS:
            true = curve(run(proxy="additive", tail=tail_name, method=method, seed=seed), "true")
            gains.append(true[-1] - true[0])
        return float(np.mean(gains))

    light = end_gain("gaussian")
    assert light > 1.5
    assert abs(end_gain(tail)) < 0.3 * light


@pytest.mark.parametrize(("low", "high"), [(0.0, 0.5), (0.25, 0.75), (0.5, 1.0)])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", SEEDS)
def test_higher_fidelity_gives_a_higher_and_later_peak(
    low: float, high: float, method: str, seed: int
) -> None:
    worse, better = (
        run(method=method, fidelity=low, seed=seed),
        run(method=method, fidelity=high, seed=seed),
    )
    assert better["peak"]["true"] > worse["peak"]["true"]
    assert better["peak"]["pressure"] > worse["peak"]["pressure"]


@pytest.mark.parametrize(
    "options",
    [{}, {"proxy": "additive", "tail": "student-t"}, {"proxy": "additive", "tail": "lognormal"}],
    ids=["learned", "student-t", "lognormal"],
)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fidelity", [0.3, 0.7])
def test_more_oversight_lowers_fr_at_maximum_pressure(
    options: dict[str, str], method: str, fidelity: float
) -> None:
    # Wherever the proxy Goodharts (a learned proxy, or heavy-tailed error). FR is compared
    # as the mean over seeds: a heavy-tailed RL optimum rests on ~2 outputs, so its FR on
    # one seed is a coin flip (the interval says so); its expectation is what oversight
    # lowers. With a light-tailed error there is no Goodharting to mitigate (README).
    def mean_fr(oversight: float) -> float:
        return float(
            np.mean(
                [
                    run(
                        pressure=1.0,
                        fidelity=fidelity,
                        oversight=oversight,
                        method=method,
                        seed=seed,
                        **options,
                    )["fr"]
                    for seed in SEEDS
                ]
            )
        )

    plain, guarded = mean_fr(0.0), mean_fr(1.0)
    assert guarded < plain
    assert guarded < 35.0


def test_oversight_is_a_real_mitigation_at_default_settings() -> None:
    plain, guarded = run(pressure=1.0), run(pressure=1.0, oversight=1.0)
    assert guarded["fr"] < plain["fr"] / 2
    assert guarded["true"] > plain["true"]
    assert guarded["physical"]["kl"] < plain["physical"]["kl"]  # the KL penalty stopped it


# --- the pieces --------------------------------------------------------------------------


def test_best_of_n_matches_enumeration() -> None:
    values = np.array([0.0, 1.0, 2.0, 5.0])
    mass = np.array([0.1, 0.2, 0.3, 0.4])
    n = 3
    expected = sum(
        mass[[i, j, k]].prod() * values[max(i, j, k)]
        for i, j, k in itertools.product(range(4), repeat=3)
    )
    kl = np.array([math.log(n) - (n - 1) / n])
    ns, means, *_ = gh.best_of_n(values, mass, values[None, :], kl)
    assert ns[0] == pytest.approx(n)
    assert means[0, 0] == pytest.approx(expected, rel=1e-12)


def test_kl_regularised_hits_its_budget_and_tilts_exactly() -> None:
    values = np.linspace(-10.0, 10.0, 20001)
    mass = np.exp(-(values**2) / 2)
    mass /= mass.sum()
    beta, kl, means, *_ = gh.kl_regularised(values, mass, values[None, :], np.array([0.5, 2.0]))
    np.testing.assert_allclose(kl, [0.5, 2.0], atol=1e-4)
    # Tilting N(0, 1) by exp(x / beta) shifts it by 1 / beta, and KL = 1 / (2 beta^2).
    np.testing.assert_allclose(means[:, 0], 1 / beta, rtol=2e-3)
    np.testing.assert_allclose(kl, 1 / (2 * beta**2), rtol=5e-3)


def test_bradley_terry_fit_recovers_the_raters_direction_with_more_labels() -> None:
    cosines = []
    for fidelity in (0.0, 0.5, 0.99):
        w = gh._reward_models(3, fidelity, False)[0]
        cosines.append(
            float(w @ gh.TRUE_LINEAR / np.linalg.norm(w) / np.linalg.norm(gh.TRUE_LINEAR))
        )
    assert cosines[0] < cosines[1] < cosines[2]
    assert cosines[2] > 0.95


def test_fit_gao_recovers_known_forms() -> None:
    kl = np.linspace(0.0, 10.0, 64)
    d = np.sqrt(kl)
    bon = gh.fit_gao(kl, d * (1.5 - 0.4 * d), "bon")
    rl = gh.fit_gao(kl, d * (1.5 - 0.4 * np.log(np.where(d > 0, d, 1.0))), "rl")
    assert (bon["alpha"], bon["beta"]) == pytest.approx((1.5, 0.4))
    assert (rl["alpha"], rl["beta"]) == pytest.approx((1.5, 0.4))
    assert bon["r2"] == pytest.approx(1.0) and rl["r2"] == pytest.approx(1.0)


def test_additive_reports_noise_scale_and_learned_reports_labels() -> None:
    additive = run(proxy="additive", fidelity=0.5)["physical"]
    assert additive["noise_scale"] == pytest.approx(gh.NOISE_SCALE_MAX * 0.5 * gh.TRUE_SD)
    assert run(proxy="additive", fidelity=1.0)["physical"]["noise_scale"] == 0.0
    assert run(fidelity=0.0)["physical"]["labels"] == 32


def test_explanation_names_the_fall_and_its_cause() -> None:
    falling = run(pressure=1.0)["explanation"]
    assert "proxy keeps rising" in falling and "reward model" in falling
    assert "does not hurt" in run(fidelity=1.0)["explanation"]
    assert "lognormal" in run(proxy="additive", tail="lognormal", pressure=1.0)["explanation"]
    assert "KL penalty stops the optimiser" in run(oversight=1.0)["explanation"]


def test_loop_has_every_stage_in_unit_range() -> None:
    loop = run()["loop"]
    assert [s["stage"] for s in loop] == list(alignlab.core.LOOP_STAGES)
    assert all(0.0 <= s["value"] <= 1.0 and s["detail"] for s in loop)


# --- CLI ---------------------------------------------------------------------------------


def test_cli_run_goodhart_defaults_prints_a_meaningful_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", "goodhart"]) == 0
    text = capsys.readouterr().out
    for needle in ("kl_budget=8", "labels=750", "FR /100", "peak", "Past KL"):
        assert needle in text


def test_cli_run_goodhart_plot_writes_png(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "goodhart.png"
    assert main(["run", "goodhart", "--pressure", "0.5", "--plot", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "plot written" in capsys.readouterr().out


def test_cli_rejects_a_bad_goodhart_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "goodhart", "--option", "tail=cauchy"]) == 2
    assert "option 'tail' must be one of" in capsys.readouterr().err
