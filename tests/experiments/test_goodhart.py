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


def peak_kl(data: dict[str, Any]) -> float:
    """KL (nats) at which the curve's true reward peaks."""
    return float(data["curve"]["kl"][data["peak"]["index"]])


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
        "method": st.sampled_from(("bon", "rl", "pg")),
        "tail": st.sampled_from(("gaussian", "student-t", "lognormal")),
        "mitigation": st.sampled_from(("both", "ensemble", "kl-penalty")),
        "hidden_units": st.sampled_from((0, 8)),
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
    "options",
    [
        {},
        {"method": "rl"},
        {"method": "pg", "hidden_units": 8, "oversight": 0.5},
        {"proxy": "additive", "tail": "lognormal"},
    ],
)
def test_same_seed_same_bits_other_seed_other_bits(options: dict[str, str]) -> None:
    first = json.dumps(run(seed=7, pressure=0.6, **options), sort_keys=True)
    for cached in (gh._pool, gh._typical_true, gh._label_block, gh._proxy_scores):
        cached.cache_clear()  # a cold cache must reproduce the same bits
    gh._hidden_layer.cache_clear()
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


@pytest.mark.parametrize("seed", SEEDS)
def test_pg_with_a_linear_reward_model_only_shifts_so_its_curve_is_quadratic(seed: int) -> None:
    # Natural gradient of a linear reward in this policy family moves the mean only: the
    # widths stay those of the base, and true reward is quadratic in d, by construction.
    data = run(method="pg", seed=seed, pressure=1.0)
    np.testing.assert_allclose(curve(data, "policy_width"), 1.0, atol=1e-6)
    fit = data["fit"]
    assert fit["better"] == ("log" if fit["r2_log"] >= fit["r2_quadratic"] else "quadratic")
    assert fit["r2_quadratic"] > 0.97 and fit["better"] == "quadratic"


@pytest.mark.parametrize("options", [{"hidden_units": 32, "fidelity": 0.75}, {"oversight": 1.0}])
def test_pg_policy_changes_shape_along_its_path(options: dict[str, Any]) -> None:
    # With a reward that bends (hidden units) or an ensemble's mean - 2 std, the trained
    # policy narrows or widens as it goes: the RL form is then an outcome, not a given.
    for seed in SEEDS:
        width = curve(run(method="pg", seed=seed, pressure=1.0, **options), "policy_width")
        assert np.max(np.abs(width - 1.0)) > 0.02


def test_pg_reaches_each_kl_budget_with_its_own_closed_form_kl() -> None:
    data = run(method="pg", pressure=1.0, seed=2)
    kl, budget = curve(data, "kl"), curve(data, "kl_budget")
    reached = budget <= kl.max() + 1e-9
    np.testing.assert_allclose(kl[reached], budget[reached], atol=0.05)
    assert gh.gaussian_policy_kl(np.zeros(2 * gh.DIM)) == 0.0


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(METHODS), st.floats(0.0, 1.0), st.integers(0, 2**32 - 1))
def test_perfect_proxy_true_reward_never_falls(method: str, oversight: float, seed: int) -> None:
    # Only the additive proxy has a perfect limit (zero error at fidelity 1); a learned
    # reward model at fidelity 1 is the most labels, still of a class that cannot
    # represent R* (issue 15: no jump to a perfect proxy).
    true = curve(
        run(method=method, proxy="additive", fidelity=1.0, oversight=oversight, seed=seed),
        "true",
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


@pytest.mark.parametrize(("low", "high"), [(0.0, 0.5), (0.25, 0.75)])
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


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fidelity", [0.75, 1.0])
def test_larger_reward_model_peaks_later_and_higher(method: str, fidelity: float) -> None:
    # Gao et al.'s reward-model-size result, as a finding: with enough labels, a reward
    # model with 32 hidden units bends where the linear one cannot, so optimising it stays
    # honest longer. Compared seed by seed.
    for seed in SEEDS:
        linear = run(method=method, fidelity=fidelity, seed=seed, pressure=1.0)
        larger = run(method=method, fidelity=fidelity, seed=seed, pressure=1.0, hidden_units=32)
        assert larger["peak"]["true"] > linear["peak"]["true"] + 0.3
        assert peak_kl(larger) > peak_kl(linear) + 0.5


def test_linear_reward_model_saturates_with_labels_and_has_no_jump_at_fidelity_one() -> None:
    # A linear model's misspecification, not its label count, limits it: from ~3 000
    # labels on its peak stays put, and fidelity 1 is just the most labels (no jump).
    for seed in SEEDS:
        runs = [run(fidelity=f, seed=seed, pressure=1.0) for f in (0.75, 0.95, 1.0)]
        kls = [peak_kl(r) for r in runs]
        assert max(kls) - min(kls) < 0.8
        assert abs(runs[2]["peak"]["true"] - runs[1]["peak"]["true"]) < 0.15


def _mean_fr(oversight: float, **options: Any) -> float:
    return float(
        np.mean([run(pressure=1.0, oversight=oversight, seed=s, **options)["fr"] for s in SEEDS])
    )


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fidelity", [0.3, 0.7])
def test_the_kl_penalty_is_the_mitigation_that_works(method: str, fidelity: float) -> None:
    # Issue 15: the ensemble and the KL penalty are separate options, measured apart. FR is
    # the mean over seeds at maximum pressure, linear learned proxy.
    plain = _mean_fr(0.0, method=method, fidelity=fidelity)
    penalty = _mean_fr(1.0, method=method, fidelity=fidelity, mitigation="kl-penalty")
    ensemble = _mean_fr(1.0, method=method, fidelity=fidelity, mitigation="ensemble")
    both = _mean_fr(1.0, method=method, fidelity=fidelity)
    assert penalty < plain / 2
    assert both < 35.0
    # Bootstrap members of a linear model share its misspecification: mean - 2 std can
    # barely see where it is wrong.
    assert abs(ensemble - plain) < 10.0


@pytest.mark.parametrize("tail", ["student-t", "lognormal"])
@pytest.mark.parametrize("method", METHODS)
def test_an_ensemble_sharing_the_error_cannot_remove_heavy_tailed_goodhart(
    tail: str, method: str
) -> None:
    # Members whose errors share the proxy's (correlation 0.7) disagree little on its
    # outliers: independent draws (the v1 model) overstated what an ensemble buys.
    options = {"proxy": "additive", "tail": tail, "method": method}
    plain = _mean_fr(0.0, **options)
    ensemble = _mean_fr(1.0, mitigation="ensemble", **options)
    assert plain > 30.0
    assert ensemble > 0.75 * plain


def test_additive_ensemble_members_share_the_proxys_error() -> None:
    errors, _ = gh._additive_errors(5, 4096, "gaussian")
    plain = errors[:, 0::2]  # the proxy's widened draws sit at odd positions
    for member in range(1, plain.shape[0]):
        r = float(np.corrcoef(plain[0], plain[member])[0, 1])
        assert r == pytest.approx(gh.ADDITIVE_SHARED, abs=0.05)


def test_ensemble_members_differ_in_init_subspace_and_labels() -> None:
    layers = [gh._hidden_layer(1, 16, m) for m in range(1 + gh.ENSEMBLE_EXTRA)]
    assert np.all(layers[0][0] != 0.0)  # the proxy's units see every input
    for weights, _ in layers[1:]:
        blind = np.all(weights == 0.0, axis=1)
        assert blind.sum() == gh.DIM - gh.SUBSPACE  # each member its own random subspace
    assert len({tuple(np.all(w == 0.0, axis=1)) for w, _ in layers[1:]}) > 1
    scores = gh._proxy_scores(1, 2**12, 0.5, 16, True)
    assert scores.shape == (1 + gh.ENSEMBLE_EXTRA, 2**12)
    assert np.min(np.std(scores, axis=0)) > 0  # members disagree everywhere
    counts = gh._label_block(1, 0)[3]
    assert counts.shape[0] == gh.ENSEMBLE_EXTRA and not np.array_equal(counts[0], counts[1])


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
    assert "does not hurt" in run(proxy="additive", fidelity=1.0)["explanation"]
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
