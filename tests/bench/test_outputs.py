"""Bench outputs are written atomically and never over an input."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

import alignlab._atomic
from alignlab.cli import main

from .conftest import SystemFile


@pytest.fixture
def log(system_file: SystemFile, tmp_path: Path) -> Path:
    system = system_file("scripted-calibrated")
    argv = ["bench", "run", str(system), "--suite", "refusal_calibration", "--limit", "4"]
    assert main([*argv, "--log-dir", str(tmp_path / "logs"), "--display", "none"]) == 0
    [found] = (tmp_path / "logs").glob("*.eval")
    return found


def _one_line(capsys: pytest.CaptureFixture[str], needle: str) -> None:
    err = capsys.readouterr().err
    assert needle in err.strip().splitlines()[-1] and "Traceback" not in err, err


def test_rescore_refuses_to_overwrite_its_input(
    log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = log.read_bytes()
    assert main(["bench", "rescore", str(log), "--out", str(log)]) == 2
    _one_line(capsys, "is the input log; the input is never modified")
    assert log.read_bytes() == before


def test_report_refuses_an_html_path_that_is_an_input(
    log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = log.read_bytes()
    assert main(["bench", "report", str(log), "--html", str(log)]) == 2
    _one_line(capsys, "is also an input")
    assert log.read_bytes() == before


def test_report_failing_midway_keeps_the_previous_report(
    log: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    html = tmp_path / "report.html"
    assert main(["bench", "report", str(log), "--html", str(html)]) == 0
    good = html.read_text(encoding="utf-8")
    assert good.rstrip().endswith("</html>")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(alignlab._atomic.os, "fsync", full)
    assert main(["bench", "report", str(log), "--html", str(html)]) == 2
    _one_line(capsys, "No space left on device")
    assert html.read_text(encoding="utf-8") == good
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
