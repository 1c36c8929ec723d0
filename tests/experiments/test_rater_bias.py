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
    c = curve(fidelity, seed=seed, optimiser=optimiser)
    peak = int(np.argmax(c["true"]))
    assert 0 < peak < len(c["true"]) - 1
    assert c["true"][peak] > c["true"][0] + 0.02  # mild optimisation helps ...
    assert c["true"][-1] < c["true"][0] - 0.2  # ... hard optimisation ends below the start
    assert c["proxy"][-1] == pytest.approx(c["proxy"].max())  # while the proxy only rises


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("optimiser", ["best-of-n", "kl"])
def test_full_attention_fr_does_not_grow(seed: int, optimiser: str) -> None:
    c = curve(1.0, seed=seed, optimiser=optimiser)
    assert c["fr"].max() <= c["fr"][0] + 0.5
    assert c["fr"][-1] < 1.0
    assert c["true"][-1] > 0.95


@FAST
@given(
    pressure=st.floats(0.5, 1.0),
    fidelity=st.floats(0.0, 0.3),
    oversight=st.floats(0.3, 1.0),
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
    assert checked.to_dict()["correctness_share"] > unchecked.to_dict()["correctness_share"]


def test_fr_counts_confidently_wrong_answers_of_the_base_policy_at_zero_pressure() -> None:
    # At pressure 0 best-of-1 is the base policy: FR must be its share of answers that
    # are wrong and state a certainty >= 0.75, measured here on an independent sample.
    answers = rb._answers(np.random.default_rng(99), 200_000)
    wrong = answers[:, 0] == 0
    confident = 1 / (1 + np.exp(-answers[:, 1])) >= rb.CONFIDENT_THRESHOLD
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
    kl = alignlab.run("rater-bias", pressure=0.5, optimiser="kl").to_dict()
    assert kl["physical"]["lambda"] == pytest.approx(rb.LAMBDA_MAX / 2)
    assert len(data["curve"]["pressure"]) == rb.CURVE_POINTS


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
