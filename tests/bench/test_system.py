"""System files: a valid one loads; each invalid one gets one clear error naming the field."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from alignlab.bench import SystemFileError, check_api_key, load_system, parse_system
from alignlab.bench._system import ALLOW_OUTSIDE_ENV, MAX_TEXT_BYTES
from alignlab.cli import main

G = "[model]\nname = 'openai/gpt-4o'\n[[guardrails]]"  # a model, then one guardrail

GOOD = """
name = "support-bot"
[model]
name = "openai-api/local/llama3"
base_url = "http://127.0.0.1:8000/v1"
api_key_env = "LOCAL_API_KEY"
[prompt]
system_file = "prompt.txt"
[generation]
temperature = 0.2
max_tokens = 256
max_retries = 2
timeout = 60
[[guardrails]]
type = "input_filter"
classifier = "keyword"
threshold = 0.7
[[guardrails]]
type = "self_critique"
constitution = "constitution.md"
[[guardrails]]
type = "output_filter"
"""


def test_good_file_loads(tmp_path: Path) -> None:
    (tmp_path / "prompt.txt").write_text("Be helpful. {not a placeholder}", encoding="utf-8")
    (tmp_path / "constitution.md").write_text("- Be kind.\n", encoding="utf-8")
    path = tmp_path / "bot.toml"
    path.write_text(GOOD, encoding="utf-8")
    spec = load_system(path)
    assert spec.name == "support-bot" and spec.model == "openai-api/local/llama3"
    assert spec.system_prompt == "Be helpful. {not a placeholder}"
    assert spec.generation == {"temperature": 0.2, "max_tokens": 256}
    assert (spec.max_retries, spec.timeout, spec.attempt_timeout) == (2, 60, 60)
    assert [g.type for g in spec.guardrails] == ["input_filter", "self_critique", "output_filter"]
    assert spec.guardrails[0].threshold == 0.7 and spec.guardrails[2].classifier is None
    assert spec.guardrails[1].constitution == str((tmp_path / "constitution.md").resolve())
    summary = spec.summary()
    assert summary["api_key_env"] == "LOCAL_API_KEY" and len(summary["fingerprint"]) == 16
    # the fingerprint follows the constitution's content, so editing it starts a fresh run
    before = spec.fingerprint
    (tmp_path / "constitution.md").write_text("- Be brief.\n", encoding="utf-8")
    assert load_system(path).fingerprint != before


@pytest.mark.parametrize(
    "toml, needle",
    [
        ("", "model: missing table"),
        ("[model]\nbase_url = 'http://x'", "model.name: missing"),
        ("[model]\nname = 'llama3'", "model.name: 'llama3' is not of the form"),
        ("[model]\nname = 'openai-api/llama3'", "model.name: openai-api models are named"),
        (
            "[model]\nname = 'openai/gpt-4o'\nbase_url = 'ftp://x'",
            "model.base_url: must start with",
        ),
        (
            "[model]\nname = 'openai/gpt-4o'\napi_key_env = 'sk-abc123 secret'",
            "model.api_key_env: must be the NAME",
        ),
        ("[model]\nname = 'openai/gpt-4o'\napi_key = 'sk-1'", "model.api_key: unknown field"),
        ("colour = 'red'\n[model]\nname = 'openai/gpt-4o'", "colour: unknown field"),
        (
            "[model]\nname = 'openai/gpt-4o'\n[generation]\ntemperature = 'hot'",
            "generation.temperature: must be a number",
        ),
        (
            "[model]\nname = 'openai/gpt-4o'\n[generation]\ntemperature = 3.0",
            "generation.temperature: must lie in [0, 2]",
        ),
        (
            "[model]\nname = 'openai/gpt-4o'\n[generation]\ntimeout = 0",
            "generation.timeout: must lie in [1, 86400]",
        ),
        (
            "[model]\nname = 'openai/gpt-4o'\n[generation]\nmax_retries = -1",
            "generation.max_retries",
        ),
        (
            "[model]\nname = 'openai/gpt-4o'\n[prompt]\nsystem = 'a'\nsystem_file = 'b'",
            "prompt: give either",
        ),
        (
            "[model]\nname = 'openai/gpt-4o'\n[prompt]\nsystem_file = 'nope.txt'",
            "prompt.system_file: no such file",
        ),
        (
            G + "\ntype = 'firewall'",
            "guardrails[0].type: must be one of",
        ),
        (
            G + "\ntype = 'input_filter'\nclassifier = 'bert'",
            "guardrails[0].classifier: must be one of",
        ),
        (
            G + "\ntype = 'input_filter'\nthreshold = 2",
            "guardrails[0].threshold",
        ),
        (
            G + "\ntype = 'output_filter'\n[[guardrails]]\ntype = 'input_filter'",
            "guardrails[1].type: input_filter acts before generation",
        ),
        (
            G + "\ntype = 'self_critique'\nconstitution = 'gone.md'",
            "guardrails[0].constitution: no such file",
        ),
        (
            G + "\ntype = 'input_filter'\nconstitution = 'c.md'",
            "only self_critique layers",
        ),
        (
            "[model]\nname = 'openai/gpt-4o'\n[scoring]\nrefusal_detector = 'gpt'",
            "scoring.refusal_detector",
        ),
        ("[model\nname = 1", "not valid TOML"),
        # every numeric field is range-checked, and stop sequences are strings
        (
            "[model]\nname = 'openai/gpt-4o'\n[generation]\nstop_seqs = [1, 2]",
            "generation.stop_seqs: must be a list of at most 16 non-empty strings",
        ),
        (
            "[model]\nname = 'o/m'\n[generation]\ntop_p = 1.5",
            "generation.top_p: must lie in [0, 1]",
        ),
        ("[model]\nname = 'o/m'\n[generation]\nmax_tokens = 0", "generation.max_tokens: must lie"),
        ("[model]\nname = 'o/m'\n[generation]\nseed = -1", "generation.seed: must lie"),
        (
            "[model]\nname = 'o/m'\n[generation]\npresence_penalty = 9",
            "generation.presence_penalty: must lie in [-2, 2]",
        ),
        (
            "[model]\nname = 'o/m'\n[generation]\ntimeout = 1000000000000",
            "generation.timeout: must lie in [1, 86400]",
        ),
        (
            "[model]\nname = 'o/m'\n[generation]\nmax_retries = 100000",
            "generation.max_retries: must lie in [0, 100]",
        ),
        # files named in a system file: regular, bounded, inside the file's folder
        (
            "[model]\nname = 'o/m'\n[prompt]\nsystem_file = '/dev/zero'",
            "prompt.system_file: '/dev/zero' is under /proc, /sys or /dev; refused",
        ),
        (
            "[model]\nname = 'o/m'\n[prompt]\nsystem_file = '../../../../proc/self/environ'",
            "is under /proc, /sys or /dev; refused",
        ),
        (
            "[model]\nname = 'o/m'\n[prompt]\nsystem_file = '../elsewhere.txt'",
            "prompt.system_file: '../elsewhere.txt' leaves the system file's folder",
        ),
        (
            G + "\ntype = 'self_critique'\nconstitution = '/etc/passwd'",
            "guardrails[0].constitution: '/etc/passwd' leaves the system file's folder",
        ),
        ("[model]\nname = 'o/m'\n" + "x = " + "[" * 1500 + "]" * 1500, "nested too deeply"),
    ],
)
def test_bad_files_name_the_field(
    toml: str, needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(SystemFileError) as info:
        load_system(path)
    assert needle in str(info.value) and str(path) in str(info.value)
    assert main(["bench", "run", str(path)]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1


def test_missing_file_and_missing_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "run", str(tmp_path / "none.toml")]) == 2
    assert "no such system file" in capsys.readouterr().err
    monkeypatch.delenv("UNSET_KEY_FOR_TEST", raising=False)
    spec = parse_system({"model": {"name": "openai-api/x/y", "api_key_env": "UNSET_KEY_FOR_TEST"}})
    with pytest.raises(SystemFileError, match="environment variable UNSET_KEY_FOR_TEST is not set"):
        check_api_key(spec)
    path = tmp_path / "s.toml"
    path.write_text(
        "[model]\nname = 'openai-api/x/y'\nbase_url = 'http://127.0.0.1:9/v1'\n"
        "api_key_env = 'UNSET_KEY_FOR_TEST'\n",
        encoding="utf-8",
    )
    assert main(["bench", "run", str(path), "--log-dir", str(tmp_path / "logs")]) == 2
    assert "UNSET_KEY_FOR_TEST is not set" in capsys.readouterr().err
    assert not (tmp_path / "logs").exists() or not any((tmp_path / "logs").iterdir())


def _bench_run_fails(path: Path, capsys: pytest.CaptureFixture[str], needle: str) -> None:
    assert main(["bench", "run", str(path), "--log-dir", str(path.parent / "logs")]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert not (path.parent / "logs").exists()


def test_files_must_be_regular_bounded_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    system = tmp_path / "s.toml"
    system.write_text("[model]\nname = 'o/m'\n[prompt]\nsystem_file = 'p.txt'\n")
    (tmp_path / "p.txt").write_bytes(b"caf\xe9 au lait")
    _bench_run_fails(system, capsys, "p.txt is not UTF-8 text")
    (tmp_path / "p.txt").write_bytes(b"x" * (MAX_TEXT_BYTES + 1))
    _bench_run_fails(system, capsys, "is larger than 1,000,000 bytes")
    (tmp_path / "p.txt").unlink()
    os.mkfifo(tmp_path / "p.txt")  # would block forever if opened for reading blindly
    _bench_run_fails(system, capsys, "is not a regular file")
    # the TOML itself: not UTF-8
    system.write_bytes(b"name = '\xff'\n[model]\nname = 'o/m'\n")
    _bench_run_fails(system, capsys, "is not UTF-8 text")
    # an explicit opt-in reaches outside the folder, but still never reads a device
    monkeypatch.setenv(ALLOW_OUTSIDE_ENV, "1")
    system.write_text("[model]\nname = 'o/m'\n[prompt]\nsystem_file = '/dev/zero'\n")
    _bench_run_fails(system, capsys, "/dev/zero is not a regular file")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "o.toml").write_text(
        "[model]\nname = 'o/m'\n[prompt]\nsystem_file = '../p2.txt'\n"
    )
    (tmp_path / "p2.txt").write_text("Be brief.")
    assert load_system(tmp_path / "outside" / "o.toml").system_prompt == "Be brief."


def test_system_file_cannot_exfiltrate_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A pull request edits a system TOML so that the environment (the API key in it)
    # would be sent to base_url as the system prompt and written into the log.
    secret = "sk-exfil-canary-5d1e"
    monkeypatch.setenv("CANARY_KEY", secret)
    (tmp_path / "a" / "b").mkdir(parents=True)
    system = tmp_path / "a" / "b" / "s.toml"
    depth = "../" * len(system.parent.parts)
    system.write_text(
        "[model]\nname = 'openai-api/x/y'\nbase_url = 'http://127.0.0.1:9/v1'\n"
        f"api_key_env = 'CANARY_KEY'\n[prompt]\nsystem_file = '{depth}proc/self/environ'\n"
    )
    _bench_run_fails(system, capsys, "refused")
    assert secret not in capsys.readouterr().err
