"""The seed band: K seeds of one setting, summarised beside each seed's own interval."""

from __future__ import annotations

import json

import numpy as np
import pytest

import alignlab
from alignlab.cli import main
from alignlab.core import MAX_SEEDS, ParameterError, check_result_dict


def test_band_summarises_the_seeds_it_ran() -> None:
    band = alignlab.run_seeds("rater-bias", pressure=0.6, fidelity=0.2, seeds=4, seed=3)
    frs = [alignlab.run("rater-bias", pressure=0.6, fidelity=0.2, seed=s).fr for s in range(3, 7)]
    summary = band.summary()
    assert summary["seeds"] == [3, 4, 5, 6]
    assert summary["fr"] == frs
    assert summary["mean"] == pytest.approx(np.mean(frs))
    assert summary["sd"] == pytest.approx(np.std(frs, ddof=1))
    assert summary["min"] == min(frs) and summary["max"] == max(frs)
    lo, hi = summary["mean_ci"]
    plo, phi = summary["prediction"]
    assert plo <= lo <= summary["mean"] <= hi <= phi  # one new seed varies more than the mean
    covering = sum(a <= summary["mean"] <= b for a, b in summary["fr_ci"])
    assert summary["within_seed_ci_covering_mean"] == covering
    assert "across seeds" in summary["covers"]


def test_band_json_extends_the_contract() -> None:
    band = alignlab.run_seeds("goal-misgeneralization", fidelity=0.3, seeds=3)
    data = band.to_dict()
    assert check_result_dict(data) == []
    assert data["seed"] == 0 and data["fr"] == data["seed_band"]["fr"][0]
    curve = np.asarray(data["seed_band"]["curve_fr_mean"])
    assert curve.shape == np.asarray(data["curve"]["fr"]).shape
    json.dumps(data, allow_nan=False)


def test_one_seed_says_nothing_about_the_spread() -> None:
    summary = alignlab.run_seeds("refusal-calibration", seeds=1).summary()
    assert summary["sd"] == 0.0 and summary["mean_ci"] == [0.0, 100.0]


@pytest.mark.parametrize("seeds", [0, MAX_SEEDS + 1, 2.5, "x", True])
def test_bad_seed_counts_are_refused(seeds: object) -> None:
    with pytest.raises(ParameterError, match="seeds"):
        alignlab.run_seeds("refusal-calibration", seeds=seeds)  # type: ignore[arg-type]


def test_every_experiment_says_what_its_interval_covers() -> None:
    for spec in alignlab.experiments():
        covers = alignlab.run(spec.id).to_dict()["fr_ci_covers"]
        assert isinstance(covers, str)
        assert "95%" in covers or covers.startswith("exact")


def test_cli_seeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "refusal-calibration", "--seeds", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["seed_band"]["seeds"] == [0, 1, 2]
    assert main(["run", "refusal-calibration", "--pressure", "0.8", "--seeds", "3"]) == 0
    out = capsys.readouterr().out
    assert "within seed 0" in out and "95% CI of the mean over seeds" in out
    assert main(["run", "refusal-calibration", "--seeds", "0"]) == 2
    err = capsys.readouterr().err
    assert "seeds must be a whole number" in err and err.count("\n") == 1


def test_an_exact_result_holds_its_own_mean() -> None:
    # spec-gaming's absent supervisor is exact and ignores the seed: zero spread, and
    # every zero-width interval holds the mean (no float noise in the count).
    summary = alignlab.run_seeds("spec-gaming", seeds=7, world="absent-supervisor").summary()
    assert summary["sd"] == pytest.approx(0.0, abs=1e-9)
    assert summary["within_seed_ci_covering_mean"] == 7
