"""`alignlab run --plot`: one line for a bad path, the real file name, physical axes."""

from __future__ import annotations

from pathlib import Path

import pytest

import alignlab
from alignlab.cli import main
from alignlab.plot import build_figure

ARGS = ["run", "goodhart", "--pressure", "0.5"]


@pytest.mark.parametrize(
    "target, needle",
    [
        ("/nonexistent/dir/x.png", "cannot write /nonexistent/dir/x.png: no such folder"),
        ("x.txt", "a plot is written as .png, .svg, .pdf; got '.txt'"),
    ],
)
def test_bad_plot_paths_are_one_line_exit_2(
    target: str,
    needle: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([*ARGS, "--plot", target]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing half-written left behind


def test_plot_without_suffix_says_the_file_it_wrote(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([*ARGS, "--plot", "out"]) == 0
    assert "plot written to out.png" in capsys.readouterr().out
    assert (tmp_path / "out.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]


@pytest.mark.parametrize(
    "experiment, option, xlabel",
    [
        ("spec-gaming", {"world": "absent-supervisor"}, "inverse temperature beta"),
        ("refusal-calibration", {}, "rewordings tried per unsafe prompt (rewordings)"),
        ("goodhart", {"tail": "gaussian"}, "KL budget (nats)"),
    ],
)
def test_plot_axes_are_physical_failures_from_zero_options_in_title(
    experiment: str, option: dict[str, str], xlabel: str
) -> None:
    spec = alignlab.get(experiment)
    data = spec.run(0.6, 0.5, 0.2, seed=1, options=option).to_dict()
    fig = build_figure(data, spec)
    top, bottom = fig.axes
    assert bottom.get_xlabel().startswith(xlabel)
    assert "normalised" not in bottom.get_xlabel()
    assert bottom.get_ylim()[0] == 0
    for key, value in data["options"].items():
        assert f"{key}={value}" in top.get_title()
    # the legend is outside both axes, so it cannot cover a curve
    legend = fig.legends[0].get_window_extent(fig.canvas.get_renderer())
    for axes in fig.axes:
        assert not legend.overlaps(axes.get_window_extent(fig.canvas.get_renderer()))
