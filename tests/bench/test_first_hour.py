"""The path a new user takes: quick, clear failures and visible progress."""

from __future__ import annotations

import errno
import time
from pathlib import Path

import pytest

import alignlab.bench._stub
from alignlab.bench import run_demo
from alignlab.bench._demo import system_toml
from alignlab.cli import main

from .conftest import KEY_ENV


def test_unreachable_endpoint_is_one_line_within_seconds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    system = tmp_path / "s.toml"
    system.write_text(
        f"[model]\nname = 'openai-api/local/m'\nbase_url = 'http://127.0.0.1:{port}/v1'\n"
        f"api_key_env = '{KEY_ENV}'\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    code = main(["bench", "run", str(system), "--log-dir", str(tmp_path / "logs")])
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        f"alignlab: error: cannot reach http://127.0.0.1:{port}/v1: connection refused "
        "(model.base_url)\n"
    )
    assert elapsed < 20  # it was 30-45 s of retries, then errored samples
    assert not (tmp_path / "logs").exists() or not list((tmp_path / "logs").iterdir())


def test_demo_with_loopback_down_says_so_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_loopback(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address")

    monkeypatch.setattr(alignlab.bench._stub.asyncio, "start_server", no_loopback)
    started = time.monotonic()
    assert main(["bench", "demo", "--out", str(tmp_path / "demo"), "--limit", "2"]) == 2
    err = capsys.readouterr().err
    assert time.monotonic() - started < 5
    assert err.strip().splitlines()[-1] == (
        "alignlab: error: the scripted targets cannot listen on 127.0.0.1 "
        "(Cannot assign requested address); is the loopback interface down?"
    )


def test_demo_shows_progress_while_it_runs(tmp_path: Path) -> None:
    lines: list[str] = []
    run_demo(tmp_path / "demo", limit=20, on_progress=lines.append, progress_every_s=0.2)
    ticks = [line for line in lines if "answers from the scripted targets so far" in line]
    assert ticks, lines
    counts = [int(line.split(":")[1].split()[0]) for line in ticks]
    assert counts == sorted(counts)


def test_demo_system_files_say_what_they_need() -> None:
    text = system_toml("x", "scripted-calibrated", "http://127.0.0.1:1/v1", "")
    assert "lives only while" in text and "alignlab bench init" in text


@pytest.mark.parametrize("provider", ["local", "openai", "anthropic"])
def test_bench_init_writes_a_valid_commented_system_file(
    provider: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from alignlab.bench import load_system

    out = tmp_path / f"{provider}.toml"
    assert main(["bench", "init", provider, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"wrote {out}" in said and "next:" in said
    spec = load_system(out)
    assert spec.model.startswith(
        {"local": "openai-api/", "openai": "openai/"}.get(provider, "anth")
    )
    if provider == "local":
        assert spec.api_key_env is None and spec.base_url == "http://127.0.0.1:8080/v1"
        assert ":8000" not in out.read_text()  # never the Lab's port
    else:
        assert spec.api_key_env == f"{provider.upper()}_API_KEY"
    # never over an existing file
    assert main(["bench", "init", provider, "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err


def test_documented_model_servers_never_use_the_labs_port() -> None:
    import re

    from alignlab.bench._init import PROVIDERS, system_template

    root = Path(__file__).resolve().parents[2]
    texts = {p.name: p.read_text("utf-8") for p in [root / "README.md", *root.glob("docs/*.md")]}
    texts |= {f"init {p}": system_template(p) for p in PROVIDERS}
    model_urls = re.compile(r"(base_url\s*=\s*[\"']|--base-url\s+)(http://[^\s\"']+)")
    found = {(name, m.group(2)) for name, text in texts.items() for m in model_urls.finditer(text)}
    assert any(name == "bench.md" for name, _ in found)  # the pattern does find them
    clashes = {(name, url) for name, url in found if re.search(r":8000\b", url)}
    assert not clashes, f"a model server on `alignlab lab`'s port 8000: {clashes}"
