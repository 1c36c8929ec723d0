"""Re-running a finished run reuses it; compare resolves a folder or a glob to one log."""

from __future__ import annotations

from pathlib import Path

import pytest

from alignlab.bench import ScriptedServer
from alignlab.cli import main

from .conftest import SystemFile


def _run(system: Path, log_dir: Path, *extra: str) -> int:
    argv = ["bench", "run", str(system), "--suite", "refusal_calibration", "--limit", "4"]
    return main([*argv, "--log-dir", str(log_dir), "--display", "none", *extra])


def test_finished_run_is_reused_unless_fresh(
    system_file: SystemFile,
    server: ScriptedServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    system = system_file("scripted-calibrated")
    logs = tmp_path / "logs"
    assert _run(system, logs) == 0
    first = sorted(logs.glob("*.eval"))
    asked = server.stats.completions
    capsys.readouterr()
    assert _run(system, logs) == 0
    assert "reused; --fresh reruns" in capsys.readouterr().err
    assert sorted(logs.glob("*.eval")) == first and server.stats.completions == asked
    assert _run(system, logs, "--fresh") == 0
    assert len(list(logs.glob("*.eval"))) == 2 and server.stats.completions > asked


def test_compare_takes_a_folder_or_a_glob_and_names_the_log_it_used(
    system_file: SystemFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base_logs, cand_logs = tmp_path / "base", tmp_path / "cand"
    assert _run(system_file("scripted-calibrated"), base_logs) == 0
    candidate = system_file("scripted-over-refuser")
    assert _run(candidate, cand_logs) == 0
    assert _run(candidate, cand_logs, "--fresh") == 0
    [base] = base_logs.glob("*.eval")
    newest = max(cand_logs.glob("*.eval"), key=lambda f: (f.stat().st_mtime, f.name))
    capsys.readouterr()
    for names in ([str(cand_logs)], [str(f) for f in sorted(cand_logs.glob("*refusal*.eval"))]):
        code = main(["bench", "compare", str(base), *names])
        err = capsys.readouterr().err
        assert code in (0, 1), err
        assert f"candidate: using {newest}, the latest complete log of refusal_calibration" in err
