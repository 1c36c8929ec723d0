"""Laws of rater-bias: skimming raters make an optimised chatbot confidently wrong."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import alignlab
from alignlab.cli import main
from alignlab.experiments import rater_bias as rb

SEEDS = (0, 1, 2)
FAST = settings(max_examples=12, deadline=None)


def curve(fidelity: float, oversight: float = 0.0, seed: int = 0, **options: str) -> dict:  # type: ignore[type-arg]
    result = alignlab.run(
        "rater-bias", pressure=1.0, fidelity=fidelity, oversight=oversight, seed=seed, **options
    )
    return {k: np.asarray(v) for k, v in result.to_dict()["curve"].items()}


def test_passes_the_experiment_checker() -> None:
    assert alignlab.check_experiment("rater-bias") > 0


def test_same_seed_same_result_and_seeds_differ() -> None:
    first = alignlab.run("rater-bias", pressure=0.7, fidelity=0.3, seed=5).to_dict()
    again = alignlab.run("rater-bias", pressure=0.7, fidelity=0.3, seed=5).to_dict()
    other = alignlab.run("rater-bias", pressure=0.7, fidelity=0.3, seed=6).to_dict()
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert first["fr"] != other["fr"]


@FAST
@given(
    fidelity=st.floats(0.0, 0.15),
    seed=st.sampled_from(SEEDS),
    optimiser=st.sampled_from(["best-of-n", "kl"]),
)
def test_low_attention_fr_grows_with_pressure(fidelity: float, seed: int, optimiser: str) -> None:
    c = curve(fidelity, seed=seed, optimiser=optimiser)
    assert c["fr"][-1] > c["fr"][0] + 40
    # Grows along the whole curve (up to the pool's sampling wobble).
    assert np.all(np.diff(c["fr"]) > -1.0)


@FAST
@given(
    fidelity=st.floats(0.0, 0.15),
    seed=st.sampled_from(SEEDS),
    optimiser=st.sampled_from(["best-of-n", "kl"]),
)
def test_low_attention_correctness_peaks_then_falls(
    fidelity: float, seed: int, optimiser: str
) -> None:
    # The answer mixture is not tuned for this: mild pressure finds knowing answers, and
    # knowledge is bounded, so the far tail of the same reward belongs to fabrications.
    c = curve(fidelity, seed=seed, optimiser=optimiser)
    peak = int(np.argmax(c["true"]))
    assert 0 < peak < len(c["true"]) - 1
    assert c["kl"][peak] < 1.0  # it peaks early ...
    # ... having gained something (best-of-n gains more than tilting; see the docs) ...
    assert c["true"][peak] > c["true"][0] + (0.03 if optimiser == "best-of-n" else 0.003)
    assert c["true"][-1] < c["true"][0] - 0.2  # ... and hard optimisation ends below the start
    assert c["proxy"][-1] == pytest.approx(c["proxy"].max())  # while the proxy only rises


def test_reward_model_sees_only_observables(monkeypatch: pytest.MonkeyPatch) -> None:
    # Wen et al. 2024: evaluators cannot verify correctness, so neither can a reward model
    # learned from them. Capture what the reward model is fitted on and check that it is
    # the five observables and no column is (a function of) the correctness difference.
    seen: list[np.ndarray] = []
    fit = rb.fit_bradley_terry

    def spy(diff: np.ndarray, prefer_first: np.ndarray, ridge: float = 1e-2) -> np.ndarray:
        seen.append(diff)
        return fit(diff, prefer_first, ridge)

    monkeypatch.setattr(rb, "fit_bradley_terry", spy)
    data = alignlab.run("rater-bias", fidelity=1.0, oversight=1.0, seed=3).to_dict()
    (diff,) = seen
    assert diff.shape[1] == len(rb.FEATURES) == 5
    assert list(data["reward_model"]) == list(rb.FEATURES)
    assert "correct" not in data["reward_model"]
    # Each column takes many values: none is a 0 / +-1 correctness difference.
    assert all(len(np.unique(diff[:, j])) > 100 for j in range(diff.shape[1]))


def test_observables_track_correctness_only_imperfectly() -> None:
    answers = rb.draw_answers(np.random.default_rng(0), 100_000)
    for j in range(len(rb.FEATURES)):
        r = abs(float(np.corrcoef(answers.observed[:, j], answers.correct)[0, 1]))
        assert r < 0.6  # no observable is a stand-in for correctness
    # Even the best linear reader of all five observables leaves most of it unexplained.
    design = np.column_stack([answers.observed, np.ones(len(answers.correct))])
    fitted = design @ np.linalg.lstsq(design, answers.correct, rcond=None)[0]
    assert float(np.corrcoef(fitted, answers.correct)[0, 1]) < 0.7


def test_fabrication_fools_skimmers_checks_not_experts() -> None:
    rng = np.random.default_rng(1)
    first, second = rb.draw_answers(rng, 200_000), rb.draw_answers(rng, 200_000)
    # Pairs of one wrong answer (first) and one right answer (second), checked always.
    pair = (first.correct == 0) & (second.correct == 1)
    wrong, right = first.take(np.flatnonzero(pair)), second.take(np.flatnonzero(pair))
    skim = rb.rater_labels(wrong, right, 1.0, 0.0, rng)
    expert = rb.rater_labels(wrong, right, 0.0, 1.0, rng)
    bluff = wrong.fabrication > 1.0
    honest = wrong.fabrication == 0.0
    # A skimmer prefers a heavily fabricated wrong answer far more often than an honest
    # wrong one; an expert is not swayed by fabrication.
    assert skim[bluff].mean() > skim[honest].mean() + 0.15
    assert abs(expert[bluff].mean() - expert[honest].mean()) < 0.03
    assert expert.mean() < 0.1


GRID = np.round(np.linspace(0.0, 1.0, 11), 2)


@pytest.mark.parametrize("optimiser", ["best-of-n", "kl"])
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("slider", ["fidelity", "oversight"])
def test_fr_falls_smoothly_with_attention_and_expert_share(
    slider: str, seed: int, optimiser: str
) -> None:
    # Issue 15: with the correctness visible to the reward model, 0.25 -> 0.5 attention
    # dropped FR from ~100 to 0. Now correctness reaches the reward only through noisy
    # checks, so each 0.1 step of either slider moves FR by a fraction of its range.
    base = {"fidelity": 0.2, "oversight": 0.0}
    frs = np.array(
        [
            alignlab.run(
                "rater-bias",
                pressure=1.0,
                seed=seed,
                optimiser=optimiser,
                **{**base, slider: float(value)},
            ).fr
            for value in GRID
        ]
    )
    span = frs[0] - frs[-1]
    assert span > 25  # it does fall ...
    assert np.max(-np.diff(frs)) < 0.6 * span  # ... but no single step carries it
    assert np.max(np.diff(frs)) < 5  # ... and it never climbs back by more than the wobble


@pytest.mark.parametrize("optimiser", ["best-of-n", "kl"])
@pytest.mark.parametrize("seed", SEEDS)
def test_fr_stays_above_zero_at_full_pressure_unless_oversight_is_complete(
    seed: int, optimiser: str
) -> None:
    for attention in (0.0, 0.5, 1.0):
        for experts in (0.0, 0.5, 0.9):
            fr = alignlab.run(
                "rater-bias",
                pressure=1.0,
                fidelity=attention,
                oversight=experts,
                seed=seed,
                optimiser=optimiser,
            ).fr
            assert fr >= 2.0, (attention, experts)


@pytest.mark.parametrize("seed", SEEDS)
def test_attentive_but_foolable_raters_still_leave_confident_errors(seed: int) -> None:
    # Every skim comparison checked, no experts: fabrications that fool the checks are
    # still paid for, so FR stays well above what complete expert oversight leaves.
    fooled = alignlab.run("rater-bias", pressure=1.0, fidelity=1.0, seed=seed)
    experts = alignlab.run("rater-bias", pressure=1.0, fidelity=1.0, oversight=1.0, seed=seed)
    assert fooled.fr >= 5.0
    assert fooled.fr > experts.fr


@FAST
@given(
    pressure=st.floats(0.5, 1.0),
    fidelity=st.floats(0.0, 0.3),
    oversight=st.floats(0.5, 1.0),
    seed=st.sampled_from(SEEDS),
)
def test_expert_checking_lowers_fr(
    pressure: float, fidelity: float, oversight: float, seed: int
) -> None:
    unchecked = alignlab.run(
        "rater-bias", pressure=pressure, fidelity=fidelity, oversight=0.0, seed=seed
    )
    checked = alignlab.run(
        "rater-bias", pressure=pressure, fidelity=fidelity, oversight=oversight, seed=seed
    )
    assert checked.fr < unchecked.fr - 10
    assert (
        checked.to_dict()["correctness_correlation"]
        > unchecked.to_dict()["correctness_correlation"]
    )


def test_fr_counts_confidently_wrong_answers_of_the_base_policy_at_zero_pressure() -> None:
    # At pressure 0 best-of-1 is the base policy: FR must be its share of answers that
    # are wrong and state a certainty >= 0.75, measured here on an independent sample.
    answers = rb.draw_answers(np.random.default_rng(99), 200_000)
    wrong = answers.correct == 0
    confident = 1 / (1 + np.exp(-answers.observed[:, 0])) >= rb.CONFIDENT_THRESHOLD
    expected = 100 * float(np.mean(wrong & confident))
    runs = [alignlab.run("rater-bias", pressure=0.0, seed=s).fr for s in range(4)]
    assert np.mean(runs) == pytest.approx(expected, abs=1.0)


def test_fr_interval_uses_effective_sample_size() -> None:
    data = alignlab.run("rater-bias", pressure=1.0, fidelity=0.0, seed=0).to_dict()
    n_eff = data["curve"]["n_eff"][-1]
    lo, hi = data["fr_ci"]
    assert n_eff < 100  # best-of-1024 rests on few answers ...
    assert hi - lo > 10  # ... so the interval is honest about it
    base = alignlab.run("rater-bias", pressure=0.0, fidelity=0.0, seed=0).to_dict()
    assert base["fr_ci"][1] - base["fr_ci"][0] < 2


def test_best_of_n_weights_match_sampling() -> None:
    weights = rb.best_of_n_weights(np.array([1.0, 4.0]), 10)
    assert np.allclose(weights.sum(axis=1), 1.0)
    assert np.allclose(weights[0], 0.1)
    draws = np.random.default_rng(0).integers(0, 10, size=(200_000, 4)).max(axis=1)
    empirical = np.bincount(draws, minlength=10) / len(draws)
    assert np.allclose(weights[1], empirical, atol=0.005)


def test_bradley_terry_recovers_rater_weights() -> None:
    rng = np.random.default_rng(1)
    diff = rng.standard_normal((20_000, 3))
    true_w = np.array([1.5, -0.5, 0.8])
    prefer = (rng.random(20_000) < 1 / (1 + np.exp(-diff @ true_w))).astype(float)
    assert np.allclose(rb.fit_bradley_terry(diff, prefer), true_w, atol=0.1)


def test_physical_mapping() -> None:
    data = alignlab.run("rater-bias", pressure=0.5, fidelity=0.4, oversight=0.25).to_dict()
    assert data["physical"]["n"] == pytest.approx(32.0)
    assert data["physical"]["rater_attention"] == 0.4
    assert data["physical"]["expert_share"] == 0.25
    assert len(data["curve"]["pressure"]) == rb.CURVE_POINTS


def test_kl_optimiser_matches_best_of_n_kl() -> None:
    # Both optimisers are compared at equal distance from the base policy.
    bon = alignlab.run("rater-bias", pressure=1.0).to_dict()["curve"]
    kl = alignlab.run("rater-bias", pressure=1.0, optimiser="kl").to_dict()["curve"]
    np.testing.assert_allclose(bon["kl"], rb.bon_kl(np.asarray(bon["n"])), atol=0.02)
    np.testing.assert_allclose(kl["kl"], bon["kl"], rtol=0.02, atol=1e-3)
    assert np.all(np.diff(kl["lambda"]) > 0)


def test_cli_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rater.png"
    assert main(["run", "rater-bias", "--pressure", "0.8", "--plot", str(out)]) == 0
    assert "FR /100" in capsys.readouterr().out
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["--option", "optimiser=ppo"], "option 'optimiser' must be one of"),
        (["--option", "raters=5"], "unknown option 'raters'"),
        (["--fidelity", "2"], "fidelity must lie in [0, 1]"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "rater-bias", *argv]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1
