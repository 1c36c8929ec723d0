"""Faults on a share of requests: nothing is lost, and a resumed run finishes only the rest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

from alignlab.bench import FaultPlan, ScriptedServer, load_system, run_suite, scripted_policies
from alignlab.cli import main

from .conftest import KEY_ENV, SECRET


def _system(path: Path, base_url: str) -> Path:
    path.write_text(
        f'[model]\nname = "openai-api/scripted/scripted-calibrated"\nbase_url = "{base_url}"\n'
        f'api_key_env = "{KEY_ENV}"\n'
        "[generation]\nmax_retries = 1\ntimeout = 30\nattempt_timeout = 1\n"
        '[scoring]\nrefusal_detector = "keyword"\n',
        encoding="utf-8",
    )
    return path


def test_faults_then_resume(tmp_path: Path) -> None:
    faults = FaultPlan(
        rate_429=0.12,
        rate_500=0.12,
        rate_slow=0.12,
        rate_malformed=0.12,
        rate_drop=0.12,
        slow_seconds=2.5,
        seed=3,
    )
    limit = 24
    with ScriptedServer(scripted_policies(), faults=faults) as server:
        spec = load_system(_system(tmp_path / "s.toml", server.base_url))
        log_dir = str(tmp_path / "logs")
        first = run_suite(spec, "refusal_calibration", log_dir=log_dir, limit=limit, display="none")
        samples = first.log.samples or []
        # none lost: every sample is in the log, either scored or carrying its error
        assert len(samples) == limit
        scored = {str(s.id) for s in samples if s.error is None and s.scores}
        errored = {str(s.id) for s in samples if s.error is not None}
        assert scored | errored == {str(s.id) for s in samples} and not scored & errored
        assert errored, "with half the requests failing and one retry, some samples must error"
        assert set(server.stats.faults) == {"429", "500", "slow", "malformed", "drop"}
        assert first.errors == len(errored)

        server.set_faults(None)
        # A slow reply the client gave up on still completes on the server up to
        # slow_seconds later: let those land before counting what the resume asks.
        time.sleep(faults.slow_seconds + 1.0)
        before = server.stats.completions
        second = run_suite(
            spec, "refusal_calibration", log_dir=log_dir, limit=limit, display="none"
        )
        assert (
            second.resumed_from is not None
            and Path(second.resumed_from).name == Path(str(first.log.location)).name
        )
        assert second.errors == 0
        # only the errored samples were asked again
        assert server.stats.completions - before == len(errored)
        final = second.log.samples or []
        assert {str(s.id) for s in final if s.error is None} == {str(s.id) for s in samples}
        # a third run finds nothing left to resume and starts afresh
        third = run_suite(spec, "refusal_calibration", log_dir=log_dir, limit=4, display="none")
        assert third.resumed_from is None


def test_key_never_written_to_logs(tmp_path: Path) -> None:
    with ScriptedServer(scripted_policies(), faults=FaultPlan(rate_500=0.3, seed=1)) as server:
        system = _system(tmp_path / "s.toml", server.base_url)
        code = main(
            [
                "bench",
                "run",
                str(system),
                "--suite",
                "honesty",
                "--limit",
                "6",
                "--log-dir",
                str(tmp_path / "logs"),
                "--display",
                "none",
            ]
        )
    assert code in (0, 1)
    files = list((tmp_path / "logs").rglob("*"))
    assert any(f.suffix == ".eval" for f in files)
    for file in files:
        if not file.is_file():
            continue
        blobs = [file.read_bytes()]
        if zipfile.is_zipfile(file):
            with zipfile.ZipFile(file) as archive:
                blobs += [archive.read(name) for name in archive.namelist()]
        assert not any(SECRET.encode() in blob for blob in blobs), file
        assert any(KEY_ENV.encode() in blob for blob in blobs[1:]) or not zipfile.is_zipfile(file)


def _spawn(argv: list[str], **kwargs: Any) -> subprocess.Popen[str]:
    """Start a child whose Ctrl-C behaves as in a terminal, however pytest was started.

    A background job or `nohup` starts pytest with SIGINT ignored, and children inherit
    SIG_IGN: Python then installs no KeyboardInterrupt handler and SIGINT does nothing.
    """
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, (src, os.environ.get("PYTHONPATH")))),
    }

    def default_sigint() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    return subprocess.Popen(argv, env=env, preexec_fn=default_sigint, text=True, **kwargs)


def test_child_gets_ctrl_c_even_when_pytest_ignores_it() -> None:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as under nohup or `&`
    try:
        child = _spawn(
            [sys.executable, "-c", "import signal; print(signal.getsignal(signal.SIGINT))"],
            stdout=subprocess.PIPE,
        )
        out, _ = child.communicate(timeout=30)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert "default_int_handler" in out


def test_interrupted_run_resumes_without_redoing_finished_samples(tmp_path: Path) -> None:
    limit = 24
    with ScriptedServer(scripted_policies(), latency=0.25) as server:
        system = _system(tmp_path / "s.toml", server.base_url)
        log_dir = tmp_path / "logs"
        argv = [
            sys.executable,
            "-m",
            "alignlab",
            "bench",
            "run",
            str(system),
            "--suite",
            "honesty",
            "--limit",
            str(limit),
            "--max-connections",
            "2",
            "--log-dir",
            str(log_dir),
            "--display",
            "none",
        ]
        process = _spawn(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while server.stats.completions < limit // 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)  # Ctrl-C halfway through
        _, stderr = process.communicate(timeout=60)
        # exit 130 (as the shell reports Ctrl-C), no traceback, and how to resume
        assert process.returncode == 130, stderr
        assert "Traceback" not in stderr
        assert "run the same command again to resume" in stderr.strip().splitlines()[-1]
        done_before = server.stats.completions
        assert done_before < limit
        spec = load_system(system)
        resumed = run_suite(spec, "honesty", log_dir=str(log_dir), limit=limit, display="none")
        assert resumed.resumed_from is not None and resumed.errors == 0
        assert len(resumed.log.samples or []) == limit
        # the samples finished before the interrupt were kept, not asked again
        redone = server.stats.completions - done_before
        assert redone <= limit - (limit // 2) + 2  # at most the in-flight pair on top
