"""Laws of preference-optimization: every preference method over-optimises what labels favour."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import alignlab
from alignlab.cli import main
from alignlab.experiments import preference_optimization as po

SEEDS = (0, 1, 2, 3)
METHODS = ("rlhf", "dpo", "ipo", "best-of-n")


def run(**kwargs: object) -> dict:  # type: ignore[type-arg]
    return alignlab.run("preference-optimization", **kwargs).to_dict()  # type: ignore[arg-type]


def curve(**kwargs: object) -> dict[str, np.ndarray]:
    return {k: np.asarray(v) for k, v in run(**kwargs)["curve"].items()}


@settings(max_examples=15, deadline=None)
@given(
    fidelity=st.floats(0.0, 1.0),
    oversight=st.floats(0.0, 1.0),
    method=st.sampled_from(METHODS),
    rater=st.sampled_from(["ai", "human"]),
    seed=st.sampled_from(SEEDS),
)
def test_more_pressure_never_lowers_the_learned_reward_or_the_kl(
    fidelity: float, oversight: float, method: str, rater: str, seed: int
) -> None:
    c = curve(
        pressure=1.0, fidelity=fidelity, oversight=oversight, method=method, rater=rater, seed=seed
    )
    assert np.all(np.diff(c["proxy"]) > -1e-3)
    assert np.all(np.diff(c["kl"]) > -1e-3)
    assert c["kl"][0] == pytest.approx(0.0, abs=1e-9)


def test_passes_the_experiment_checker() -> None:
    assert alignlab.check_experiment("preference-optimization") > 0


def test_listed_and_same_seed_same_bits() -> None:
    assert "preference-optimization" in [s.id for s in alignlab.experiments()]
    first = run(pressure=0.7, method="dpo", seed=5)
    again = run(pressure=0.7, method="dpo", seed=5)
    other = run(pressure=0.7, method="dpo", seed=6)
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert first["fr"] != other["fr"]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("method", METHODS)
def test_gold_reward_rises_then_falls_with_kl_for_every_method(method: str, seed: int) -> None:
    # Rafailov et al. 2024: direct alignment over-optimises like RLHF. AI labels, default
    # constitution (three of four aspects).
    c = curve(pressure=1.0, method=method, seed=seed)
    peak = int(np.argmax(c["true"]))
    assert 0 < peak < len(c["true"]) - 1
    assert c["kl"][peak] < c["kl"][-1]
    assert c["true"][peak] > c["true"][0] + 0.15  # a little optimisation helps ...
    assert c["true"][-1] < c["true"][peak] - 0.5  # ... more of it hurts
    assert np.all(np.diff(c["proxy"]) > -1e-6)  # while the learned reward only rises
    assert c["proxy"][-1] > c["proxy"][peak] + 1.0


@pytest.mark.parametrize("method", ["rlhf", "dpo", "ipo"])
def test_noisy_human_labels_overoptimise_too(method: str) -> None:
    # No blind spot, only label noise: the seed-averaged gold curve still peaks inside.
    true = np.mean(
        [
            curve(pressure=1.0, fidelity=0.4, rater="human", method=method, seed=s)["true"]
            for s in SEEDS
        ],
        axis=0,
    )
    peak = int(np.argmax(true))
    assert 0 < peak < len(true) - 1
    assert true[-1] < true[peak] - 0.2


@pytest.mark.parametrize("rater", ["ai", "human"])
@pytest.mark.parametrize("seed", SEEDS)
def test_dpo_puts_mass_on_responses_absent_from_the_preference_data(rater: str, seed: int) -> None:
    data = run(pressure=1.0, method="dpo", rater=rater, seed=seed)
    absent = np.asarray(data["curve"]["absent_mass"])
    reference = data["reference_absent_mass"]
    assert absent[0] == pytest.approx(reference)
    assert reference < 0.35
    assert absent[-1] > 0.9  # DPO's loss never saw these responses, yet they get the mass
    assert np.all(np.diff(absent) > -0.02)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fidelity, covered", [(0.25, 1), (0.5, 2), (0.75, 3)])
@pytest.mark.parametrize("seed", (0, 1, 2))
def test_ai_rater_blind_spot_is_exploited_exactly_where_it_is_blind(
    method: str, fidelity: float, covered: int, seed: int
) -> None:
    data = run(pressure=1.0, fidelity=fidelity, method=method, seed=seed)
    assert [data["coverage"][a] for a in po.ASPECTS] == [1.0] * covered + [0.0] * (4 - covered)
    c = {k: np.asarray(v) for k, v in data["curve"].items()}
    shift = np.column_stack([c[f"shift_{a}"] for a in po.ASPECTS])  # (points, aspects)
    # While the policy still spreads over many responses (0.1 to 4 nats from the reference):
    moderate = (c["kl"] > 0.1) & (c["kl"] <= 4.0)
    assert moderate.sum() >= 3
    assert np.all(shift[moderate, :covered] > 0)  # what the constitution says improves
    assert np.all(shift[moderate, covered:] < 0)  # what it omits is traded away
    # At every KL, the aspect that fell most is one the constitution omits.
    moved = c["kl"] > 0.1
    assert np.all(np.argmin(shift[moved], axis=1) >= covered)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", (0, 1, 2))
def test_human_raters_without_a_blind_spot_trade_no_aspect_away(method: str, seed: int) -> None:
    # The same trade-offs in the response space, but labels that weigh every aspect.
    for fidelity in (0.4, 0.75):
        c = curve(pressure=1.0, fidelity=fidelity, rater="human", method=method, seed=seed)
        shift = np.column_stack([c[f"shift_{a}"] for a in po.ASPECTS])
        moderate = (c["kl"] > 0.1) & (c["kl"] <= 4.0)
        assert moderate.sum() >= 3
        assert np.all(shift[moderate] > 0)


@pytest.mark.parametrize("method", METHODS)
def test_regularisation_and_early_stopping_lower_fr_at_full_pressure(method: str) -> None:
    for seed in (0, 1, 2):
        free = run(pressure=1.0, method=method, seed=seed)
        checked = run(pressure=1.0, oversight=1.0, method=method, seed=seed)
        assert checked["fr"] < free["fr"] - 5
        assert checked["true"] > free["true"]
        assert checked["physical"]["kl_nats"] < free["physical"]["kl_nats"]


def test_fr_interval_uses_effective_sample_size() -> None:
    data = run(pressure=1.0, method="dpo")
    n_eff = data["curve"]["n_eff"][-1]
    assert n_eff < 20  # the over-optimised policy rests on a handful of responses ...
    assert data["fr_ci"][1] - data["fr_ci"][0] > 20  # ... and the interval says so
    base = run(pressure=0.0)
    assert base["fr_ci"][1] - base["fr_ci"][0] < 10


def test_physical_mapping() -> None:
    assert run(pressure=0.5, method="rlhf")["physical"]["kl_budget"] == pytest.approx(6.0)
    assert run(pressure=0.5, method="best-of-n")["physical"]["n"] == pytest.approx(64.0)
    assert run(pressure=0.5, method="dpo")["physical"]["inv_beta"] == pytest.approx(2.5)
    assert run(pressure=0.5, method="ipo")["physical"]["inv_tau"] == pytest.approx(25.0)
    ai = run(fidelity=0.5)["physical"]
    assert ai["constitution_coverage"] == 0.5
    assert run(oversight=0.4)["physical"]["kl_penalty"] == pytest.approx(0.2)
    assert po.coverage(0.625).tolist() == [1.0, 1.0, 0.5, 0.0]
    agree = [run(fidelity=f, rater="human")["physical"]["label_agreement"] for f in (0.0, 0.5, 1.0)]
    assert agree[0] < agree[1] < agree[2]


def test_cli_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "po.png"
    assert (
        main(["run", "preference-optimization", "--option", "method=dpo", "--plot", str(out)]) == 0
    )
    assert "FR /100" in capsys.readouterr().out
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["--option", "method=ppo"], "option 'method' must be one of"),
        (["--option", "rater=crowd"], "option 'rater' must be one of"),
        (["--pressure", "1.5"], "pressure must lie in [0, 1]"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "preference-optimization", *argv]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1


@pytest.mark.parametrize("method", ["rlhf", "dpo"])
def test_the_blind_spot_costs_only_because_aspects_trade_off(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def omitted_shift_near_2_nats(seed: int) -> float:
        c = curve(pressure=1.0, method=method, seed=seed)
        return float(c["shift_calibration"][int(np.argmin(np.abs(c["kl"] - 2.0)))])

    traded = [omitted_shift_near_2_nats(s) for s in SEEDS]
    monkeypatch.setattr(po, "TRADE_OFF", 0.0)
    independent = [omitted_shift_near_2_nats(s) for s in SEEDS]
    assert max(traded) < -0.5
    assert max(abs(x) for x in independent) < 0.3
