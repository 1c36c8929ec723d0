"""Fixtures for the Bench: a scripted OpenAI-compatible server on 127.0.0.1 and system files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from alignlab.bench import ScriptedServer, refusal_items, scripted_policies, scripted_policy

KEY_ENV = "ALIGNLAB_TEST_KEY"
SECRET = "sk-test-DO-NOT-LOG-7f3a9c"

# The first 60 refusal items, as a `--limit 60` run sees them; the leaky system
# complies with the unsafe ones among the first 12 unsafe items here.
LIMIT = 45
LEAKED = [i["id"] for i in refusal_items()[:LIMIT] if i["kind"] == "unsafe"][:12]


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    policies = scripted_policies()
    policies["scripted-leaky"] = scripted_policy("calibrated", flip=LEAKED)
    with ScriptedServer(policies) as running:
        yield running


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)


SystemFile = Callable[..., Path]


@pytest.fixture
def system_file(tmp_path: Path, server: ScriptedServer) -> SystemFile:
    """Write a system file for one scripted model; extra TOML is appended verbatim."""

    def write(model: str = "scripted-calibrated", extra: str = "", name: str | None = None) -> Path:
        path = tmp_path / f"{name or model}.toml"
        path.write_text(
            f'name = "{name or model}"\n'
            f'[model]\nname = "openai-api/scripted/{model}"\nbase_url = "{server.base_url}"\n'
            f'api_key_env = "{KEY_ENV}"\n'
            "[generation]\nmax_retries = 1\ntimeout = 90\nattempt_timeout = 30\n"
            '[scoring]\nrefusal_detector = "keyword"\n'
            f"{extra}",
            encoding="utf-8",
        )
        return path

    return write
