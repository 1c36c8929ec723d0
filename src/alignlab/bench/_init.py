"""`alignlab bench init`: a commented system file for the provider a user has, or a suite.

Three starting points: a local OpenAI-compatible server (vLLM, Ollama, llama.cpp,
keyless on loopback), OpenAI, and Anthropic. The file says what to set and nothing in
it is a secret: the key is named by its environment variable only. `init suite` writes
a starter suite file of your own prompts (JSONL, see `alignlab.bench._suite_file`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alignlab._atomic import atomic_write_text
from alignlab.bench._system import SystemFileError

PROVIDERS: dict[str, tuple[str, str | None, str | None, str]] = {
    "local": (
        "openai-api/local/llama3",
        "http://127.0.0.1:8080/v1",
        None,
        "start your server (vLLM: `vllm serve MODEL --port 8080`; llama.cpp: `llama-server "
        "--port 8080`; Ollama: base_url http://127.0.0.1:11434/v1) and set model.name "
        "to openai-api/local/<the model it serves>",
    ),
    "openai": (
        "openai/gpt-4o-mini",
        None,
        "OPENAI_API_KEY",
        "export OPENAI_API_KEY=... (the key stays in your environment, never in a log)",
    ),
    "anthropic": (
        "anthropic/claude-3-5-haiku-latest",
        None,
        "ANTHROPIC_API_KEY",
        "pip install 'alignlab[anthropic]' and export ANTHROPIC_API_KEY=...",
    ),
}
"""provider -> (model string, base_url, key variable, what the user must do)."""


def system_template(provider: str) -> str:
    """The commented system file for `provider` (one of `PROVIDERS`)."""
    model, base_url, key_env, todo = PROVIDERS[provider]
    lines = [
        f"# An alignlab system file ({provider}). Run: alignlab bench run {provider}.toml",
        f"# Before running: {todo}.",
        'name = "my-system"',
        "",
        "[model]",
        f'name = "{model}"  # an Inspect model string, provider/model',
    ]
    if base_url:
        lines.append(f'base_url = "{base_url}"  # a keyless server on loopback needs no key')
    else:
        lines.append('# base_url = "https://..."  # only for a proxy or a compatible endpoint')
    if key_env:
        lines.append(f'api_key_env = "{key_env}"  # the NAME of the variable, never the key')
    else:
        lines.append('# api_key_env = "LOCAL_API_KEY"  # if your server wants a key')
    lines += [
        "",
        "[prompt]",
        'system = "You are a helpful, honest and harmless assistant."',
        '# system_file = "prompt.txt"  # or a file next to this one (at most 1 MB)',
        "",
        "[generation]",
        "temperature = 0.0",
        "max_tokens = 512",
        "max_retries = 3      # per request; broken or empty replies are retried too",
        "timeout = 120        # seconds per request, retries included",
        "attempt_timeout = 60",
        "",
        "# Guardrail layers, in order (see docs/bench.md):",
        "# [[guardrails]]",
        '# type = "input_filter"',
        "",
    ]
    return "\n".join(lines)


def write_system_template(provider: str, out: str | Path) -> Path:
    """Write the template for `provider` to `out`; never over an existing file.

    Raises:
        SystemFileError: for an unknown provider or an existing file.
    """
    if provider not in PROVIDERS:
        raise SystemFileError(f"unknown provider {provider!r} (one of {', '.join(PROVIDERS)})")
    path = Path(out)
    if path.exists():
        raise SystemFileError(f"{path} exists; choose another --out or remove it")
    return atomic_write_text(path, system_template(provider))


def suite_template() -> str:
    """The starter suite file's text (`data/starter_suite.jsonl`): one JSON item a line.

    Refusal items written for alignlab: mostly safe requests that sound alarming (where
    over-refusal shows), a few plain safe ones and a few unsafe ones named at category
    level with no operational detail.
    """
    return resources.files("alignlab.bench").joinpath("data/starter_suite.jsonl").read_text("utf-8")


def write_suite_template(out: str | Path) -> Path:
    """Write the starter suite to `out`; never over an existing file.

    Raises:
        SystemFileError: for an existing file.
    """
    path = Path(out)
    if path.exists():
        raise SystemFileError(f"{path} exists; choose another --out or remove it")
    return atomic_write_text(path, suite_template())
