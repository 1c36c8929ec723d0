"""`bench run --model/--base-url`: the command line wins over the file for those two fields."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from alignlab.bench import FaultPlan, ScriptedServer, read_log, scripted_policies
from alignlab.cli import main

from .conftest import SystemFile


def _run(*args: str, log_dir: Path) -> int:
    return main(
        [
            *("bench", "run", *args, "--suite", "refusal_calibration", "--limit", "4"),
            *("--log-dir", str(log_dir), "--display", "none"),
        ]
    )


def _newest(log_dir: Path) -> Path:
    return max(log_dir.glob("*.eval"), key=lambda p: p.stat().st_mtime_ns)


def _dead_url() -> str:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/v1"


def test_model_flag_overrides_the_file_and_never_shares_its_logs(
    tmp_path: Path, system_file: SystemFile, capsys: pytest.CaptureFixture[str]
) -> None:
    system, logs = system_file("scripted-calibrated", name="bot"), tmp_path / "logs"
    other = "openai-api/scripted/scripted-over-refuser"
    assert _run(str(system), log_dir=logs) == 0
    file_log = _newest(logs)
    assert _run(str(system), "--model", other, log_dir=logs) == 0
    err = capsys.readouterr().err
    assert "reused" not in err  # another model is another system: a new run
    override_log = _newest(logs)
    log = read_log(override_log)
    recorded = (log.eval.metadata or {})["alignlab_system"]
    assert log.eval.model == other and recorded["model"] == other
    # everything but the model stays the file's
    assert recorded["name"] == "bot" and recorded["max_retries"] == 1
    assert recorded["timeout"] == 90 and recorded["refusal_detector"] == "keyword"
    assert (log.eval.task_args or {}).get("model_name") == other

    # the file alone reuses the file's run, never the override's, and vice versa
    assert _run(str(system), log_dir=logs) == 0
    assert f"log {file_log}" in capsys.readouterr().err.replace("file://", "")
    assert _run(str(system), "--model", other, log_dir=logs) == 0
    assert f"log {override_log}" in capsys.readouterr().err.replace("file://", "")
    assert len(list(logs.glob("*.eval"))) == 2


def test_base_url_flag_overrides_the_file(
    tmp_path: Path,
    system_file: SystemFile,
    server: ScriptedServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    system = system_file()
    dead = _dead_url()
    # the file points at the live server; the flag at a dead port: the flag wins
    assert _run(str(system), "--base-url", dead, log_dir=tmp_path / "a") == 2
    assert f"cannot reach {dead}: connection refused" in capsys.readouterr().err
    # and the reverse: a file pointing at a dead port, rescued by the flag
    broken = tmp_path / "broken.toml"
    broken.write_text(system.read_text().replace(server.base_url, dead), encoding="utf-8")
    assert _run(str(broken), "--base-url", server.base_url, log_dir=tmp_path / "b") == 0
    log = read_log(_newest(tmp_path / "b"))
    assert (log.eval.metadata or {})["alignlab_system"]["base_url"] == server.base_url


def test_bare_model_without_a_file_runs_and_is_reused(
    tmp_path: Path,
    server: ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("SCRIPTED_API_KEY", raising=False)  # keyless on loopback
    model = "openai-api/scripted/scripted-calibrated"
    logs = tmp_path / "logs"
    args = ("--model", model, "--base-url", server.base_url)
    assert _run(*args, log_dir=logs) == 0
    first = _newest(logs)
    assert _run(*args, log_dir=logs) == 0
    assert f"log {first} (finished earlier" in capsys.readouterr().err.replace("file://", "")
    log = read_log(first)
    recorded = (log.eval.metadata or {})["alignlab_system"]
    assert recorded["name"] == model and recorded["system_prompt"] is None
    assert recorded["guardrails"] == [] and recorded["base_url"] == server.base_url
    assert len(log.samples or []) == 4 and all(s.error is None for s in log.samples or [])


def test_keyless_run_resumes_without_a_key_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SCRIPTED_API_KEY", raising=False)
    logs = tmp_path / "logs"
    with ScriptedServer(scripted_policies(), faults=FaultPlan(rate_500=1.0)) as server:
        system = tmp_path / "local.toml"
        system.write_text(
            "[model]\nname = 'openai-api/scripted/scripted-calibrated'\n"
            "[generation]\nmax_retries = 0\ntimeout = 20\n",
            encoding="utf-8",
        )
        # the override names the server; the resume must rebuild both without a key
        args = (str(system), "--base-url", server.base_url)
        assert _run(*args, log_dir=logs) == 1  # every request failed: errored samples
        first = _newest(logs)
        server.set_faults(None)
        assert _run(*args, log_dir=logs) == 0  # it was a PrerequisiteError traceback
        err = capsys.readouterr().err
        assert f"(resumed {first}" in err.replace("file://", ""), err
    log = read_log(_newest(logs))
    assert (log.eval.metadata or {})["alignlab_system"]["base_url"] == server.base_url
    assert all(s.error is None for s in log.samples or [])


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--model", "llama3"], "--model: 'llama3' is not of the form 'provider/model'"),
        (["--model", "openai-api/llama3"], "--model: openai-api models are named"),
        (["--model", " openai/x"], "--model: ' openai/x' is not a model name"),
        (["--model", "openai/x", "--base-url", "ftp://h/v1"], "must start with http://"),
        (["--model", "openai/x", "--base-url", "http://h:99999/v1"], "is not a valid URL"),
        (["--model", "openai/x", "--base-url", "http:///v1"], "is not a valid URL"),
        ([], "give a SYSTEM.toml, or --model PROVIDER/MODEL"),
        (["--base-url", "http://127.0.0.1:8080/v1"], "give a SYSTEM.toml, or --model"),
    ],
)
def test_bad_override_is_one_line_and_exit_2(
    args: list[str], needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(*args, log_dir=tmp_path / "logs") == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and err.startswith("alignlab: error: "), err
    assert not (tmp_path / "logs").exists()


def test_bad_override_with_a_file_names_the_flag(
    tmp_path: Path, system_file: SystemFile, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(str(system_file()), "--base-url", "localhost:8080", log_dir=tmp_path) == 2
    assert capsys.readouterr().err == (
        "alignlab: error: --base-url 'localhost:8080': must start with http:// or https://\n"
    )
