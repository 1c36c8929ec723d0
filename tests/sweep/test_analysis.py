"""Across-seed summaries and plots: means, bands that say what they cover, one-line errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from alignlab.cli import main
from alignlab.core import ParameterError
from alignlab.sweep import plan, plot_sweep, summarize
from alignlab.sweep._analysis import band
from tests.sweep.conftest import write_results


@pytest.fixture(scope="module")
def goodhart_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = plan("goodhart", pressure="0.2,0.9", fidelity="0.2,0.8", seeds="0:6")
    return write_results(spec, tmp_path_factory.mktemp("gh") / "gh.parquet")


def test_summary_means_are_the_across_seed_means(goodhart_results: Path) -> None:
    table = pq.read_table(goodhart_results).to_pylist()
    summary = summarize(goodhart_results, metric="true")
    assert len(summary["groups"]) == 4
    for group in summary["groups"]:
        seeds = [
            r["true"]
            for r in table
            if r["pressure"] == group["pressure"] and r["fidelity"] == group["fidelity"]
        ]
        assert group["seeds"] == 6
        assert group["mean"] == pytest.approx(np.mean(seeds))
        assert group["lo"] <= group["mean"] <= group["hi"]
    assert summary["fixed"]["oversight"] == 0.0
    assert "bootstrap" in summary["band"]


def test_ci_of_the_mean_is_narrower_than_the_seed_spread() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(size=100)
    ci = band(values, "ci", np.random.default_rng(0))
    spread = band(values, "spread", np.random.default_rng(0))
    assert ci[1] - ci[0] < (spread[1] - spread[0]) / 4  # ~ 1/sqrt(100) of the spread
    assert spread[0] == pytest.approx(np.percentile(values, 2.5))
    # The bootstrap CI of the mean covers the mean +- 1.96 standard errors, roughly.
    se = values.std(ddof=1) / 10
    assert ci[0] == pytest.approx(values.mean() - 1.96 * se, abs=0.05)
    assert band(np.array([3.0]), "ci", np.random.default_rng(0)) == (3.0, 3.0)


def test_where_filters_and_unknown_columns_fail_clearly(goodhart_results: Path) -> None:
    summary = summarize(goodhart_results, where={"fidelity": "0.8"})
    assert {g["pressure"] for g in summary["groups"]} == {0.2, 0.9}
    assert "fidelity" not in summary["groups"][0]
    with pytest.raises(ParameterError, match="no column 'nope'"):
        summarize(goodhart_results, metric="nope")
    with pytest.raises(ParameterError, match="no rows"):
        summarize(goodhart_results, where={"fidelity": "0.5"})


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_writes_the_figure(goodhart_results: Path, tmp_path: Path, suffix: str) -> None:
    out = plot_sweep(goodhart_results, tmp_path / f"f{suffix}", hue="fidelity", metric="fr")
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in data[:2000]
    if suffix == ".svg":
        assert b"95% bootstrap CI of the mean over seeds" in data


def test_plot_refuses_to_average_over_a_varying_setting(
    goodhart_results: Path, tmp_path: Path
) -> None:
    with pytest.raises(ParameterError, match="fidelity varies"):
        plot_sweep(goodhart_results, tmp_path / "f.png")
    with pytest.raises(ParameterError, match=r"\.png or \.svg"):
        plot_sweep(goodhart_results, tmp_path / "f.pdf", hue="fidelity")


def test_cli_summary_and_plot(
    goodhart_results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sweep", "summary", str(goodhart_results), "--band", "spread"]) == 0
    out = capsys.readouterr().out
    assert "2.5-97.5 percentiles of seeds" in out
    assert len([line for line in out.splitlines() if line.strip().startswith("0.")]) == 4
    figure = tmp_path / "fig.png"
    argv = ["sweep", "plot", str(goodhart_results), "--hue", "fidelity", "--out", str(figure)]
    assert main(argv) == 0
    assert figure.stat().st_size > 1000
    assert main(["sweep", "plot", str(goodhart_results), "--out", str(figure)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fidelity varies" in err
    assert main(["sweep", "summary", str(tmp_path / "missing.parquet")]) == 2
