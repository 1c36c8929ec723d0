"""Provider set-up errors are one line naming the fix; keys reach no log whatever the provider."""

from __future__ import annotations

from pathlib import Path

import pytest

from alignlab.bench import ScriptedServer, load_system
from alignlab.bench._run import build_model
from alignlab.cli import main

from .conftest import KEY_ENV, SECRET


def _run(system: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(
        [
            "bench",
            "run",
            str(system),
            "--suite",
            "honesty",
            "--limit",
            "3",
            "--log-dir",
            str(system.parent / "logs"),
            "--display",
            "none",
        ]
    )
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    "model, needle",
    [
        ("bogusprov/m", "model.name: Model API bogusprov of model 'bogusprov/m' not recognized."),
        ("anthropic/claude-x", "pip install 'alignlab[anthropic]'"),
        ("openai/gpt-x", "OPENAI_API_KEY"),
        # an OpenAI-compatible model with no key variable (was a 32-line traceback)
        ("openai-api/remote/m", "No REMOTE_API_KEY defined in the environment."),
    ],
)
def test_provider_errors_are_one_plain_line(
    model: str,
    needle: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("openai")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    if model.startswith("anthropic/"):
        import importlib.util

        if importlib.util.find_spec("anthropic") is not None:
            pytest.skip("the anthropic package is installed here")
    system = tmp_path / "s.toml"
    system.write_text(f"[model]\nname = '{model}'\n", encoding="utf-8")
    code, err = _run(system, capsys)
    assert code == 2
    assert needle in err and err.count("\n") == 1, err
    assert "[bold]" not in err and "Traceback" not in err


def test_openai_provider_takes_a_custom_key_variable_and_keeps_it_out_of_model_args(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    system = tmp_path / "s.toml"
    system.write_text(
        f"[model]\nname = 'openai/gpt-x'\napi_key_env = '{KEY_ENV}'\n", encoding="utf-8"
    )
    model = build_model(load_system(system))
    assert model.api.api_key == SECRET
    assert SECRET not in repr(model.model_args) and SECRET not in repr(model.config)


def test_keyless_local_server_needs_no_dummy_variable(
    tmp_path: Path,
    server: ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("SCRIPTED_API_KEY", raising=False)
    system = tmp_path / "s.toml"
    system.write_text(
        f"[model]\nname = 'openai-api/scripted/scripted-calibrated'\n"
        f"base_url = '{server.base_url}'\n[generation]\nmax_retries = 1\ntimeout = 20\n",
        encoding="utf-8",
    )
    code, err = _run(system, capsys)
    assert code == 0, err
