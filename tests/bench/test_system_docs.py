"""Every system file on docs/systems.md is valid, and the local-server ones run as written.

A file for a local OpenAI-compatible server is run against a scripted stub on 127.0.0.1
that serves exactly the model name the file sends (any other name is a 404), with only
the port changed. A hosted provider's file has its Inspect model built with a dummy key
(no request is sent); a provider whose client package is missing must say which extra
installs it.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
import urllib.parse
from pathlib import Path

import pytest

from alignlab.bench import ScriptedServer, load_system, metrics_from_log
from alignlab.bench._run import PROVIDER_EXTRAS, build_model
from alignlab.bench._scripted import scripted_policy
from alignlab.bench._system import SystemFileError
from alignlab.cli import main

PAGE = Path(__file__).resolve().parents[2] / "docs" / "systems.md"
BLOCKS = re.findall(r"^```toml\n(.*?)^```", PAGE.read_text(encoding="utf-8"), re.M | re.S)


def _is_local(data: dict[str, object]) -> bool:
    model = data["model"]
    assert isinstance(model, dict)
    host = urllib.parse.urlsplit(str(model.get("base_url", ""))).hostname
    return host == "127.0.0.1"


def test_the_page_covers_every_provider() -> None:
    models = [tomllib.loads(block)["model"]["name"] for block in BLOCKS]
    for needle in ("openai-api/vllm/", "openai-api/llamacpp/", "openai-api/ollama/"):
        assert any(m.startswith(needle) for m in models), needle
    assert any(m.startswith("openai/") for m in models)
    assert any(m.startswith("anthropic/") for m in models)
    assert len({tomllib.loads(b)["name"] for b in BLOCKS}) == len(BLOCKS)  # names differ


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: str(tomllib.loads(b)["name"]))
def test_each_documented_system_file(
    block: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = tomllib.loads(block)
    path = tmp_path / "system.toml"
    path.write_text(block, encoding="utf-8")
    spec = load_system(path)  # the Bench's own validator: every field and range
    assert spec.name == data["name"] and spec.model == data["model"]["name"]
    key_env = data["model"].get("api_key_env")
    if key_env:
        monkeypatch.setenv(key_env, "sk-docs-dummy")
    if not _is_local(data):
        provider = spec.model.split("/", 1)[0]
        if provider in PROVIDER_EXTRAS and importlib.util.find_spec(provider) is None:
            with pytest.raises(SystemFileError, match=rf"alignlab\[{provider}\]"):
                build_model(spec)
            return
        model = build_model(spec)
        assert str(model) == spec.model
        return
    # a local server: run it, as written, against a stub serving the model it names
    served = spec.model.split("/", 2)[2]
    with ScriptedServer({served: scripted_policy("calibrated")}) as server:
        url = urllib.parse.urlsplit(data["model"]["base_url"])
        moved = url._replace(netloc=f"127.0.0.1:{server.port}").geturl()
        path.write_text(block.replace(data["model"]["base_url"], moved), encoding="utf-8")
        argv = ["bench", "run", str(path), "--suite", "honesty", "--limit", "3"]
        code = main([*argv, "--log-dir", str(tmp_path / "logs"), "--display", "none"])
        assert code == 0, capsys.readouterr().err
        assert server.stats.completions >= 3
    (log,) = (tmp_path / "logs").glob("*.eval")
    metrics = metrics_from_log(log)
    assert metrics.errors == 0 and metrics.samples == 3 and metrics.system == spec.name
