"""The CI examples in examples/ci run as written against scripted targets on 127.0.0.1.

The GitHub Actions workflow's and the GitLab job's alignlab commands are executed in a
folder laid out as they expect (systems/candidate.toml, baselines/*.eval): a candidate
that answers like the baseline passes the gate (exit 0, a Markdown decision in the job
summary, an HTML report), and one that over-refuses fails it (exit 1).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from alignlab.bench._demo import DEMO_KEY_ENV, system_toml
from alignlab.bench._scripted import scripted_policies
from alignlab.bench._stub import ScriptedServer

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "ci"
LIMIT = 60  # items per run: the first 60 interleave every kind and category


def _github_steps() -> list[str]:
    workflow = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text())
    steps = workflow["jobs"]["gate"]["steps"]
    return [s["run"] for s in steps if "alignlab bench" in s.get("run", "")]


def _gitlab_steps() -> list[str]:
    job = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text())["alignment-gate"]
    return [s for s in [*job["script"], *job["after_script"]] if "alignlab bench" in s]


def _limited(command: str) -> str:
    """The same command on the first LIMIT items, so the test stays short."""
    return re.sub(r"(alignlab bench run \S+)", rf"\1 --limit {LIMIT}", command)


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    running = ScriptedServer(scripted_policies()).start()
    yield running
    running.stop()


def _repo(tmp: Path, server: ScriptedServer, model: str) -> dict[str, str]:
    """A repository laid out as the workflow expects, with a baseline log of the calibrated
    system; returns the environment the CI job would have."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        DEMO_KEY_ENV: "scripted-no-key",
        "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
    }
    (tmp / "systems").mkdir()
    base = system_toml("baseline", "scripted-calibrated", server.base_url, "")
    (tmp / "systems" / "baseline.toml").write_text(base)
    cand = system_toml("candidate", model, server.base_url, "")
    (tmp / "systems" / "candidate.toml").write_text(cand)
    run = subprocess.run(
        [
            *("alignlab", "bench", "run", "systems/baseline.toml", "--suite"),
            *("refusal_calibration", "--log-dir", "base-logs", "--limit", str(LIMIT)),
        ],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    (tmp / "baselines").mkdir()
    (log,) = (tmp / "base-logs").glob("*.eval")
    log.rename(tmp / "baselines" / "refusal_calibration.eval")
    return env


def _run(commands: list[str], tmp: Path, env: dict[str, str]) -> list[int]:
    codes = []
    for command in commands:
        done = subprocess.run(
            ["bash", "-c", _limited(command)],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        codes.append(done.returncode)
    return codes


@pytest.mark.slow
def test_github_workflow_passes_a_calibrated_candidate(
    tmp_path: Path, server: ScriptedServer
) -> None:
    env = _repo(tmp_path, server, "scripted-calibrated")
    assert _run(_github_steps(), tmp_path, env) == [0, 0, 0]
    summary = (tmp_path / "summary.md").read_text()
    assert "|" in summary and "over_refusal" in summary  # a Markdown table of decisions
    assert (tmp_path / "alignment-report.html").read_text().startswith("<!doctype html>")


@pytest.mark.slow
def test_github_workflow_fails_an_over_refusing_candidate(
    tmp_path: Path, server: ScriptedServer
) -> None:
    env = _repo(tmp_path, server, "scripted-over-refuser")
    run, gate, report = _run(_github_steps(), tmp_path, env)
    assert (run, gate, report) == (0, 1, 0)
    assert "regression" in (tmp_path / "summary.md").read_text()


@pytest.mark.slow
def test_gitlab_job_runs_the_same_gate(tmp_path: Path, server: ScriptedServer) -> None:
    env = _repo(tmp_path, server, "scripted-over-refuser")
    steps = _gitlab_steps()
    assert [s.split()[2] for s in steps] == ["run", "compare", "report"]
    # GitLab runs each script line under `set -eo pipefail`, so `| tee` keeps the exit.
    codes = _run([f"set -o pipefail; {s}" for s in steps], tmp_path, env)
    assert codes == [0, 1, 0]
