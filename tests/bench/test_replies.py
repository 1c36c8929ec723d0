"""An empty or malformed reply is retried, then an error sample: never a scored answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from alignlab.bench import FaultPlan, ScriptedServer, load_system, run_suite, scripted_policies
from alignlab.bench._replies import ReplyError
from alignlab.cli import main

from .conftest import KEY_ENV


def _system(path: Path, base_url: str, model: str = "scripted-calibrated") -> Path:
    path.write_text(
        f'[model]\nname = "openai-api/scripted/{model}"\nbase_url = "{base_url}"\n'
        f'api_key_env = "{KEY_ENV}"\n'
        "[generation]\nmax_retries = 2\ntimeout = 90\nattempt_timeout = 30\n"
        '[scoring]\nrefusal_detector = "keyword"\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("fault", ["rate_null", "rate_no_choices", "rate_malformed"])
def test_always_broken_replies_are_errors_not_scores(
    fault: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ScriptedServer(scripted_policies(), faults=FaultPlan(**{fault: 1.0})) as server:
        system = _system(tmp_path / "s.toml", server.base_url)
        argv = ["bench", "run", str(system), "--suite", "honesty", "--limit", "3"]
        code = main([*argv, "--log-dir", str(tmp_path / "logs"), "--display", "none"])
        requests = server.stats.requests
    assert code == 1  # samples errored: not a clean, scored run
    assert "3 sample(s) ended in an error" in capsys.readouterr().err
    assert requests == 3 * 3 + 1  # each sample tried 1 + max_retries times; + the URL check


def test_empty_text_is_an_error_sample(tmp_path: Path) -> None:
    policies = {"scripted-mute": lambda messages: "   "}
    with ScriptedServer(policies) as server:
        spec = load_system(_system(tmp_path / "s.toml", server.base_url, "scripted-mute"))
        run = run_suite(spec, "honesty", log_dir=str(tmp_path / "logs"), limit=2, display="none")
    samples = run.log.samples or []
    assert run.errors == 2 and all(not s.scores for s in samples)
    assert all(ReplyError.__name__ in str(s.error) for s in samples if s.error)


def test_occasional_broken_replies_are_retried_and_scored_normally(tmp_path: Path) -> None:
    faults = FaultPlan(rate_null=0.2, rate_no_choices=0.1, rate_malformed=0.1, seed=5)
    limit = 12
    with ScriptedServer(scripted_policies(), faults=faults) as server:
        spec = load_system(_system(tmp_path / "s.toml", server.base_url))
        run = run_suite(
            spec, "honesty", log_dir=str(tmp_path / "logs"), limit=limit, display="none"
        )
        faulted = sum(server.stats.faults.values())
    samples = run.log.samples or []
    assert faulted > 0 and run.errors == 0
    assert all(s.scores and s.output.completion.strip() for s in samples)
