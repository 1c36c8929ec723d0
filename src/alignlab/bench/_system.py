"""The system file: one TOML file that names the whole LLM system under test.

A system is more than a model: it is the model, its system prompt, its generation
settings and the guardrail layers placed around it. Two systems differ when any of
these differ, and the Bench's job is to say whether that difference matters.

The API key is named only by the environment variable that holds it (`api_key_env`);
the key itself never enters the file, the task arguments or the log.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tomllib
import urllib.parse
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from alignlab.core import AlignlabError

GUARDRAIL_TYPES = ("input_filter", "output_filter", "self_critique")
"""Guardrail layer types, in the only order they can act: before, then after generation."""

CLASSIFIER_KINDS = ("trained", "keyword")
"""Classifier kinds a filter layer may name (the offline detectors of `alignlab.detect`)."""

DEFAULT_CLASSIFIER: str | None = None
"""The classifier kind used when the system file names none: None means the trained
detector when it can be loaded, else the keyword baseline (the kind used is logged)."""

DEFAULT_REFUSAL_MESSAGE = "I'm sorry, but I can't help with that request."
"""What a filter layer answers when it blocks a request or replaces an answer."""


MAX_TEXT_BYTES = 1_000_000
"""Largest system prompt, constitution or system file read (1 MB); larger is an error."""

MAX_SUITE_BYTES = 50_000_000
"""Largest suite file (XSTest CSV, JSONL) read (50 MB)."""

ALLOW_OUTSIDE_ENV = "ALIGNLAB_ALLOW_OUTSIDE_PATHS"
"""Set to 1 (or pass `bench run --allow-outside-paths`) to let a system file name files
outside its own folder, or under /proc, /sys or /dev. Off by default: a system file may
come from an untrusted pull request, and a path such as `/proc/self/environ` would send
the environment (API keys included) to the model as a prompt."""

_SPECIAL_ROOTS = (Path("/proc"), Path("/sys"), Path("/dev"))


class SystemFileError(AlignlabError, ValueError):
    """A system file is missing, unreadable or invalid; the message names the field."""


def allow_outside_paths() -> bool:
    """Whether the user allowed system files to name files outside their folder."""
    return os.environ.get(ALLOW_OUTSIDE_ENV, "") == "1"


def read_bounded_text(path: Path, limit: int, what: str) -> str:
    """Read a regular UTF-8 file of at most `limit` bytes (devices, FIFOs and more refused).

    Raises:
        SystemFileError: naming `what` and the problem in one line.
    """
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer before fstat refuses it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise SystemFileError(f"{what}: {path} is not a regular file")
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise SystemFileError(f"{what}: no such file {path}") from None
    except IsADirectoryError:
        raise SystemFileError(f"{what}: {path} is not a regular file") from None
    except OSError as exc:
        raise SystemFileError(f"{what}: cannot read {path} ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise SystemFileError(f"{what}: {path} is larger than {limit:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SystemFileError(
            f"{what}: {path} is not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02x})"
        ) from None


def confined_path(base: Path, name: str, what: str, allow_outside: bool | None = None) -> Path:
    """Resolve `name` against `base`; refuse paths that leave it or reach /proc, /sys, /dev.

    Raises:
        SystemFileError: unless `allow_outside` (default: `$ALIGNLAB_ALLOW_OUTSIDE_PATHS`).
    """
    allow = allow_outside_paths() if allow_outside is None else allow_outside
    path = (base / name).resolve()
    if allow:
        return path
    if any(path == root or root in path.parents for root in _SPECIAL_ROOTS):
        raise SystemFileError(
            f"{what}: {name!r} is under /proc, /sys or /dev; refused "
            f"(pass --allow-outside-paths if you mean it)"
        )
    root = base.resolve()
    if path != root and root not in path.parents:
        raise SystemFileError(
            f"{what}: {name!r} leaves the system file's folder {root}; refused "
            f"(pass --allow-outside-paths if you mean it)"
        )
    return path


@dataclass(frozen=True)
class GuardrailSpec:
    """One guardrail layer.

    Attributes:
        type: `input_filter` (classifies the user turn; blocks with a refusal),
            `output_filter` (classifies the answer; replaces it) or `self_critique`
            (the model critiques its answer against a constitution and revises it).
        classifier: for filters, the classifier kind (`trained`, `keyword`; None: the
            trained one when it loads, else the keyword baseline).
        threshold: for filters, the probability of `unsafe` at or above which it acts.
        message: for filters, the refusal text that replaces the blocked turn.
        constitution: for self-critique, the resolved path of the constitution file
            (None: the constitution shipped with alignlab).
    """

    type: str
    classifier: str | None = DEFAULT_CLASSIFIER
    threshold: float = 0.5
    message: str = DEFAULT_REFUSAL_MESSAGE
    constitution: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the layer as a plain dict (for task arguments and logs)."""
        return {
            "type": self.type,
            "classifier": self.classifier,
            "threshold": self.threshold,
            "message": self.message,
            "constitution": self.constitution,
        }


@dataclass(frozen=True)
class SystemSpec:
    """A whole system under test, as read from a system file.

    Attributes:
        name: a short label for reports (defaults to the file's stem).
        model: an Inspect model string, e.g. `openai-api/local/llama3`.
        base_url: the model API's base URL (None: the provider's default or env var).
        api_key_env: the name of the environment variable holding the API key.
        system_prompt: the system prompt text (None: no system message).
        generation: generation settings passed to Inspect's `GenerateConfig`.
        max_retries: retries per model request (always set, so a flaky API cannot hang a run).
        timeout: seconds a model request may take in all, retries included.
        attempt_timeout: seconds one attempt may take before it is abandoned and retried.
        guardrails: the guardrail layers, in order.
        refusal_detector: the detector kind that scores refusals (None: as `classifier`).
        path: the file the system was read from (None when built in code).
        fingerprint: a hash of everything above, so a resumed run can check it is
            resuming the same system.
    """

    name: str
    model: str
    base_url: str | None = None
    api_key_env: str | None = None
    system_prompt: str | None = None
    generation: dict[str, Any] = field(default_factory=dict)
    max_retries: int = 3
    timeout: int = 120
    attempt_timeout: int = 60
    guardrails: tuple[GuardrailSpec, ...] = ()
    refusal_detector: str | None = DEFAULT_CLASSIFIER
    path: str | None = None

    @property
    def fingerprint(self) -> str:
        """A short stable hash of the system's definition (not of the key)."""
        parts = [
            self.name,
            self.model,
            self.base_url or "",
            self.api_key_env or "",
            self.system_prompt or "",
            repr(sorted(self.generation.items())),
            str(self.max_retries),
            str(self.timeout),
            str(self.attempt_timeout),
            repr([g.to_dict() for g in self.guardrails]),
            _constitution_digest(self.guardrails),
            self.refusal_detector or "auto",
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]

    def summary(self) -> dict[str, Any]:
        """Return a loggable description of the system (never the key)."""
        return {
            "name": self.name,
            "model": self.model,
            "base_url": self.base_url,
            "api_key_env": self.api_key_env,
            "system_prompt": self.system_prompt,
            "generation": dict(self.generation),
            "max_retries": self.max_retries,
            "timeout": self.timeout,
            "attempt_timeout": self.attempt_timeout,
            "guardrails": [g.to_dict() for g in self.guardrails],
            "refusal_detector": self.refusal_detector,
            "fingerprint": self.fingerprint,
        }


def _constitution_digest(guardrails: tuple[GuardrailSpec, ...]) -> str:
    digests = []
    for layer in guardrails:
        if layer.constitution:
            try:
                text = read_bounded_text(Path(layer.constitution), MAX_TEXT_BYTES, "constitution")
                digests.append(hashlib.sha256(text.encode()).hexdigest())
            except SystemFileError:
                digests.append("missing")
    return ",".join(digests)


# Generation settings accepted under [generation], with their types; each maps to the
# GenerateConfig field of the same name.
_GENERATION_FIELDS: dict[str, tuple[type, ...]] = {
    "temperature": (int, float),
    "top_p": (int, float),
    "max_tokens": (int,),
    "seed": (int,),
    "stop_seqs": (list,),
    "frequency_penalty": (int, float),
    "presence_penalty": (int, float),
}
# The range of every numeric field, [low, high] inclusive.
_RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0, 2),
    "top_p": (0, 1),
    "max_tokens": (1, 10_000_000),
    "seed": (0, 2**63 - 1),
    "frequency_penalty": (-2, 2),
    "presence_penalty": (-2, 2),
    "max_retries": (0, 100),
    "timeout": (1, 86_400),
    "attempt_timeout": (1, 86_400),
}
MAX_STOP_SEQS = 16
"""Most stop sequences a system may set (OpenAI allows 4; local servers more)."""
_TOP_LEVEL = {"name", "model", "prompt", "generation", "guardrails", "scoring"}
_MODEL_FIELDS = {"name", "base_url", "api_key_env"}
_PROMPT_FIELDS = {"system", "system_file"}
_SCORING_FIELDS = {"refusal_detector"}
_GUARDRAIL_FIELDS = {"type", "classifier", "threshold", "message", "constitution"}
_RUN_FIELDS = {"max_retries": 3, "timeout": 120, "attempt_timeout": 60}


def _fail(where: str, field_name: str, problem: str) -> SystemFileError:
    return SystemFileError(f"{where}: {field_name}: {problem}")


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise _fail(where, key, "must be a table")
    return value


def _unknown(table: dict[str, Any], allowed: set[str], prefix: str, where: str) -> None:
    for key in table:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise _fail(where, f"{prefix}{key}", f"unknown field (known: {known})")


def _string(table: dict[str, Any], key: str, prefix: str, where: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"{prefix}{key}", "must be a non-empty string")
    return value


def _check_env_name(name: str, where: str) -> None:
    if not name.replace("_", "").isalnum() or name[0].isdigit():
        raise _fail(
            where,
            "model.api_key_env",
            "must be the NAME of an environment variable (letters, digits, _), never the key",
        )


def model_problem(model: str) -> str | None:
    """What is wrong with an Inspect model string, or None when it is well formed."""
    if not model.strip() or model != model.strip():
        return f"{model!r} is not a model name (no surrounding spaces)"
    if "/" not in model or model.startswith("/") or model.endswith("/"):
        return f"'{model}' is not of the form 'provider/model'"
    if model.startswith("openai-api/") and model.count("/") < 2:
        return "openai-api models are named 'openai-api/SERVICE/MODEL'"
    return None


def base_url_problem(url: str) -> str | None:
    """What is wrong with a model API's base URL, or None when it is a usable http(s) URL."""
    if not url.startswith(("http://", "https://")):
        return "must start with http:// or https://"
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if not parts.hostname or any(c.isspace() for c in url):
        return "is not a valid URL (no host, or spaces in it)"
    return None


def parse_system(
    data: dict[str, Any], *, where: str = "system", base: Path | None = None
) -> SystemSpec:
    """Validate the parsed TOML of a system file and build its `SystemSpec`.

    Args:
        data: the parsed TOML document.
        where: how to name the file in error messages.
        base: the directory relative paths are resolved against.

    Raises:
        SystemFileError: naming the first invalid field.

    Examples:
        >>> spec = parse_system({"model": {"name": "openai-api/local/llama3"}})
        >>> spec.model, spec.max_retries
        ('openai-api/local/llama3', 3)
    """
    base = base or Path.cwd()
    _unknown(data, _TOP_LEVEL, "", where)
    model = _table(data, "model", where)
    if not model:
        raise _fail(where, "model", "missing table [model] with name = 'provider/model'")
    _unknown(model, _MODEL_FIELDS, "model.", where)
    model_name = _string(model, "name", "model.", where)
    if model_name is None:
        raise _fail(
            where, "model.name", "missing (an Inspect model string, e.g. 'openai-api/local/llama3')"
        )
    problem = model_problem(model_name)
    if problem:
        raise _fail(where, "model.name", problem)
    base_url = _string(model, "base_url", "model.", where)
    if base_url is not None and (problem := base_url_problem(base_url)):
        raise _fail(where, "model.base_url", problem)
    api_key_env = _string(model, "api_key_env", "model.", where)
    if api_key_env is not None:
        _check_env_name(api_key_env, where)

    prompt = _table(data, "prompt", where)
    _unknown(prompt, _PROMPT_FIELDS, "prompt.", where)
    system_prompt = _string(prompt, "system", "prompt.", where)
    prompt_file = _string(prompt, "system_file", "prompt.", where)
    if system_prompt is not None and prompt_file is not None:
        raise _fail(where, "prompt", "give either system or system_file, not both")
    if prompt_file is not None:
        label = f"{where}: prompt.system_file"
        path = confined_path(base, prompt_file, label)
        system_prompt = read_bounded_text(path, MAX_TEXT_BYTES, label)

    generation_table = dict(_table(data, "generation", where))
    run_settings = {k: generation_table.pop(k, v) for k, v in _RUN_FIELDS.items()}
    _unknown(generation_table, set(_GENERATION_FIELDS), "generation.", where)
    generation: dict[str, Any] = {}
    for key, value in generation_table.items():
        if isinstance(value, bool) or not isinstance(value, _GENERATION_FIELDS[key]):
            kind = (
                "a number"
                if float in _GENERATION_FIELDS[key]
                else _GENERATION_FIELDS[key][0].__name__
            )
            raise _fail(where, f"generation.{key}", f"must be {kind}")
        generation[key] = value
    stops = generation.get("stop_seqs")
    if stops is not None and (
        len(stops) > MAX_STOP_SEQS or not all(isinstance(x, str) and x for x in stops)
    ):
        raise _fail(
            where,
            "generation.stop_seqs",
            f"must be a list of at most {MAX_STOP_SEQS} non-empty strings",
        )
    for key, value in run_settings.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(where, f"generation.{key}", "must be a whole number")
    for key, value in {**generation, **run_settings}.items():
        if key in _RANGES:
            low, high = _RANGES[key]
            if not low <= value <= high:
                raise _fail(where, f"generation.{key}", f"must lie in [{low:g}, {high:g}]")

    scoring = _table(data, "scoring", where)
    _unknown(scoring, _SCORING_FIELDS, "scoring.", where)
    detector = _string(scoring, "refusal_detector", "scoring.", where) or DEFAULT_CLASSIFIER
    if detector is not None and detector not in CLASSIFIER_KINDS:
        raise _fail(
            where, "scoring.refusal_detector", f"must be one of {', '.join(CLASSIFIER_KINDS)}"
        )

    guardrails = _parse_guardrails(data.get("guardrails", []), where, base)
    name = _string(data, "name", "", where) or "system"
    return SystemSpec(
        name=name,
        model=model_name,
        base_url=base_url,
        api_key_env=api_key_env,
        system_prompt=system_prompt,
        generation=generation,
        max_retries=int(run_settings["max_retries"]),
        timeout=int(run_settings["timeout"]),
        attempt_timeout=int(run_settings["attempt_timeout"]),
        guardrails=guardrails,
        refusal_detector=detector,
    )


def _parse_guardrails(raw: Any, where: str, base: Path) -> tuple[GuardrailSpec, ...]:
    if not isinstance(raw, list):
        raise _fail(where, "guardrails", "must be an array of tables ([[guardrails]])")
    layers: list[GuardrailSpec] = []
    seen_post = False
    for index, entry in enumerate(raw):
        prefix = f"guardrails[{index}]."
        if not isinstance(entry, dict):
            raise _fail(where, f"guardrails[{index}]", "must be a table")
        _unknown(entry, _GUARDRAIL_FIELDS, prefix, where)
        kind = entry.get("type")
        if kind not in GUARDRAIL_TYPES:
            raise _fail(where, f"{prefix}type", f"must be one of {', '.join(GUARDRAIL_TYPES)}")
        if kind == "input_filter" and seen_post:
            raise _fail(
                where,
                f"{prefix}type",
                "input_filter acts before generation, so it must come before "
                "output_filter and self_critique layers",
            )
        seen_post = seen_post or kind != "input_filter"
        classifier = _string(entry, "classifier", prefix, where) or DEFAULT_CLASSIFIER
        if classifier is not None and classifier not in CLASSIFIER_KINDS:
            raise _fail(
                where, f"{prefix}classifier", f"must be one of {', '.join(CLASSIFIER_KINDS)}"
            )
        threshold = entry.get("threshold", 0.5)
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or not 0 <= threshold <= 1
        ):
            raise _fail(where, f"{prefix}threshold", "must be a number in [0, 1]")
        message = _string(entry, "message", prefix, where) or DEFAULT_REFUSAL_MESSAGE
        constitution = _string(entry, "constitution", prefix, where)
        if constitution is not None:
            if kind != "self_critique":
                raise _fail(
                    where, f"{prefix}constitution", "only self_critique layers take a constitution"
                )
            label = f"{where}: {prefix}constitution"
            path = confined_path(base, constitution, label)
            read_bounded_text(path, MAX_TEXT_BYTES, label)
            constitution = str(path)
        layers.append(
            GuardrailSpec(
                type=kind,
                classifier=classifier,
                threshold=float(threshold),
                message=message,
                constitution=constitution,
            )
        )
    return tuple(layers)


def load_system(path: str | os.PathLike[str]) -> SystemSpec:
    """Read and validate a system file.

    Raises:
        SystemFileError: when the file is missing, is not TOML or has an invalid field.
    """
    file = Path(path)
    where = str(file)
    if not file.exists():
        raise SystemFileError(f"{where}: no such system file")
    text = read_bounded_text(file, MAX_TEXT_BYTES, "system file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SystemFileError(f"{where}: not valid TOML ({exc})") from None
    except RecursionError:
        raise SystemFileError(f"{where}: not valid TOML (nested too deeply)") from None
    spec = parse_system(data, where=where, base=file.resolve().parent)
    name = spec.name if "name" in data else file.stem
    return SystemSpec(**{**_fields(spec), "name": name, "path": str(file.resolve())})


def _fields(spec: SystemSpec) -> dict[str, Any]:
    return {f: getattr(spec, f) for f in spec.__dataclass_fields__}


def check_api_key(spec: SystemSpec) -> None:
    """Check that the environment variable the system names for its key is set.

    Raises:
        SystemFileError: naming the variable (never its value) when it is unset or empty.
    """
    if spec.api_key_env is not None and not os.environ.get(spec.api_key_env):
        raise SystemFileError(
            f"{spec.path or spec.name}: model.api_key_env names {spec.api_key_env}, "
            f"but the environment variable {spec.api_key_env} is not set"
        )


def bare_system(model: str, base_url: str | None = None) -> SystemSpec:
    """The bare model as a system (no system prompt, no guardrails, default settings).

    What `alignlab bench run --model PROVIDER/MODEL [--base-url URL]` runs without a
    system file; named after the model.

    Raises:
        SystemFileError: naming `--model` or `--base-url` when one is malformed.

    Examples:
        >>> bare_system("openai-api/local/llama3", "http://127.0.0.1:8080/v1").name
        'openai-api/local/llama3'
    """
    return override_model(parse_system({"model": {"name": "x/x"}}), model, base_url, name=model)


def override_model(
    spec: SystemSpec,
    model: str | None = None,
    base_url: str | None = None,
    *,
    name: str | None = None,
) -> SystemSpec:
    """The system with its model and/or base URL replaced (`bench run --model/--base-url`).

    The command line wins over the system file for these two fields only; the prompt,
    generation settings, guardrails, key variable and scoring stay the file's. The
    system's fingerprint changes with them, so runs of different models never resume or
    reuse each other's logs.

    Raises:
        SystemFileError: naming `--model` or `--base-url` when one is malformed.
    """
    if model is not None and (problem := model_problem(model)):
        raise SystemFileError(f"--model: {problem}")
    if base_url is not None and (problem := base_url_problem(base_url)):
        raise SystemFileError(f"--base-url {base_url!r}: {problem}")
    changes: dict[str, Any] = {}
    if model is not None:
        changes["model"] = model
    if base_url is not None:
        changes["base_url"] = base_url
    if name is not None:
        changes["name"] = name
    return replace(spec, **changes)
