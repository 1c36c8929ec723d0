"""A scripted server with the red-team targets, attacker and judge, and system files for them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from alignlab.bench import ScriptedServer
from alignlab.bench.redteam import scripted_helpers, scripted_targets

KEY_ENV = "ALIGNLAB_TEST_KEY"
FILTER = '[[guardrails]]\ntype = "input_filter"\nclassifier = "keyword"\n'


@pytest.fixture(scope="module")
def rt_server() -> Iterator[ScriptedServer]:
    with ScriptedServer({**scripted_targets(), **scripted_helpers()}) as running:
        yield running


@pytest.fixture(autouse=True)
def _helpers_env(monkeypatch: pytest.MonkeyPatch, rt_server: ScriptedServer) -> None:
    # The attacker and judge are Inspect models `openai-api/scripted/...`: Inspect reads
    # their endpoint and key from SCRIPTED_BASE_URL and SCRIPTED_API_KEY.
    monkeypatch.setenv("SCRIPTED_BASE_URL", rt_server.base_url)
    monkeypatch.setenv("SCRIPTED_API_KEY", "scripted-no-key")


RtSystem = Callable[..., Path]


@pytest.fixture
def rt_system(tmp_path: Path, rt_server: ScriptedServer) -> RtSystem:
    """Write a system file for one scripted red-team target (extra TOML appended)."""

    def write(model: str = "scripted-weak", extra: str = "", name: str | None = None) -> Path:
        path = tmp_path / f"{name or model}.toml"
        path.write_text(
            f'name = "{name or model}"\n'
            f'[model]\nname = "openai-api/scripted/{model}"\nbase_url = "{rt_server.base_url}"\n'
            f'api_key_env = "{KEY_ENV}"\n'
            "[generation]\nmax_retries = 1\ntimeout = 90\nattempt_timeout = 30\n"
            f'[scoring]\nrefusal_detector = "keyword"\n{extra}',
            encoding="utf-8",
        )
        return path

    return write
