"""`alignlab sweep` input errors: one line on stderr, exit 2, before any engine starts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from alignlab.cli import main


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("missing", ["ray", "pyarrow"])
def test_missing_extra_says_how_to_install_it(
    missing: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # makes `import missing` fail
    if missing == "ray":
        # Without Ray, a sweep still plans and runs its timing run, then stops clearly.
        monkeypatch.setitem(sys.modules, "pyarrow.parquet", sys.modules.get("pyarrow.parquet"))
    out = tmp_path / "r.parquet"
    argv = ["sweep", "refusal-calibration", "--pressure", "0,1", "--out", str(out), "--quiet"]
    assert main(argv) == 2
    err = _one_line_error(capsys)
    assert f"sweeps need {missing}" in err
    assert "pip install 'alignlab[scale]'" in err
    assert not out.exists()
    assert not (tmp_path / "r.parquet.partial").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--pressure", "0:3:2"], "pressure must lie in [0, 1]"),
        (["--seeds", "9:2"], "start < stop"),
        (["--option", "nope=1"], "unknown option"),
        (["--option", "tail"], "NAME=VALUE"),
        (["--cpus", "0"], "at least 1"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["sweep", "goodhart", "--out", str(tmp_path / "r.parquet"), "--quiet", *extra]
    assert main(argv) == 2
    assert message in _one_line_error(capsys)
    assert not (tmp_path / "r.parquet").exists()


def test_existing_output_needs_resume_or_overwrite(
    rc_results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["sweep", "refusal-calibration", "--out", str(rc_results), "--quiet"]
    assert main(argv) == 2
    assert "pass --resume" in _one_line_error(capsys)


def test_resume_of_a_complete_file_runs_nothing_and_starts_no_engine(
    rc_results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "sweep", "refusal-calibration", "--pressure", "0:1:3", "--fidelity", "0,1",
        "--seeds", "0:4", "--out", str(rc_results), "--resume", "--json",
    ]  # fmt: skip
    assert main(argv) == 0
    report = __import__("json").loads(capsys.readouterr().out)
    assert report["skipped"] == 24 and report["ran"] == 0 and report["rows"] == 24
    assert report["workers"] == 0  # Ray was never started
    assert "ray" not in sys.modules or report["engine_seconds"] == 0


def test_help_lists_every_experiment(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    out = capsys.readouterr().out
    for name in ("goodhart", "refusal-calibration", "plot", "summary"):
        assert name in out
