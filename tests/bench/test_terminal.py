"""What a `bench run` user sees: one summary per suite, and logs named after the system."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from alignlab.bench import ScriptedServer, read_log
from alignlab.bench._lognames import LOG_PATTERN_ENV, system_slug
from alignlab.cli import main

from .conftest import KEY_ENV

HOSTILE_NAME = "support bot/../../v2"


def _system(tmp_path: Path, server: ScriptedServer, name: str) -> Path:
    path = tmp_path / "bot.toml"
    path.write_text(
        f'name = "{name}"\n'
        f'[model]\nname = "openai-api/scripted/scripted-calibrated"\n'
        f'base_url = "{server.base_url}"\napi_key_env = "{KEY_ENV}"\n'
        "[generation]\nmax_retries = 1\ntimeout = 20\nattempt_timeout = 5\n"
        '[scoring]\nrefusal_detector = "keyword"\n',
        encoding="utf-8",
    )
    return path


def test_run_shows_one_summary_per_suite_and_names_logs_after_the_system(
    server: ScriptedServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(LOG_PATTERN_ENV, raising=False)
    monkeypatch.setattr("alignlab.bench._progress.PROGRESS_EVERY_S", 0.0)
    system = _system(tmp_path, server, HOSTILE_NAME)
    logs = tmp_path / "logs"
    assert main(["bench", "run", str(system), "--limit", "6", "--log-dir", str(logs)]) == 0
    out, err = capsys.readouterr()
    # one summary per suite, ours; none of Inspect's panels or start-up notices
    for suite in ("refusal_calibration", "honesty"):
        assert out.count(f"{HOSTILE_NAME} · alignlab/{suite}:") == 1
        assert f"{suite} · {HOSTILE_NAME}: running 6 samples" in err
    assert "6/6 samples done" in err  # progress lines go to stderr while a suite runs
    for inspect_text in ("total time", "alignlab/rate", "Running 1 tasks", "hooks enabled"):
        assert inspect_text not in out + err
    # logs named <created>_<system>_<task>_<id>.eval, inside the log directory only
    slug = system_slug(HOSTILE_NAME)
    assert slug == "support-bot-v2"
    names = sorted(p.name for p in tmp_path.rglob("*.eval"))
    assert len(names) == 2 and all((logs / n).is_file() for n in names)
    pattern = rf"\d{{4}}-\d\d-\d\dT[\d-]+_{re.escape(slug)}_(refusal-calibration|honesty)_\w+\.eval"
    tasks = {m.group(1) for n in names if (m := re.fullmatch(pattern, n))}
    assert tasks == {"refusal-calibration", "honesty"}
    assert LOG_PATTERN_ENV not in os.environ  # the pattern lives only while the run does
    # the name is only a label: the system is still read from the log's metadata
    header = read_log(logs / names[0])
    assert (header.eval.metadata or {})["alignlab_system"]["name"] == HOSTILE_NAME
    assert header.eval.config.log_realtime is not False  # on unless --no-realtime


def test_a_users_own_log_name_pattern_wins(
    server: ScriptedServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(LOG_PATTERN_ENV, "{task}_mine_{id}")
    system = _system(tmp_path, server, "bot")
    argv = ["bench", "run", str(system), "--suite", "honesty", "--limit", "3"]
    assert main([*argv, "--log-dir", str(tmp_path / "logs"), "--display", "none"]) == 0
    (log,) = (tmp_path / "logs").glob("*.eval")
    assert "_honesty_mine_" in log.name and "_bot_" not in log.name
    assert os.environ[LOG_PATTERN_ENV] == "{task}_mine_{id}"
    out = capsys.readouterr().out
    assert out.count("bot · alignlab/honesty:") == 1


def test_system_slug_keeps_names_readable_and_paths_out() -> None:
    assert system_slug("support_bot v2") == "support-bot-v2"
    assert system_slug("gpt-4o-mini.guarded") == "gpt-4o-mini.guarded"
    assert system_slug("../../etc/passwd") == "etc-passwd"
    assert system_slug("///") == "system"
    assert len(system_slug("x" * 500)) <= 60
