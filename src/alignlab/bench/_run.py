"""Run a system's suites on Inspect AI, always with a retry limit and a timeout, resumably.

A run writes one Inspect log per suite into the log directory, and nowhere else. When
the newest log there for the same suite, system (by fingerprint) and limit is
unfinished (interrupted, cancelled, or with samples that errored), `run_suite` resumes
it with Inspect's `eval_retry`, which keeps every finished sample and re-runs only the
rest; otherwise it starts a fresh run.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from inspect_ai import Task, eval, eval_retry
from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log
from inspect_ai.model import GenerateConfig, Model, get_model

from alignlab.bench._lognames import logs_named_after
from alignlab.bench._suites import SUITES, SuiteError, honesty, refusal_calibration, xstest
from alignlab.bench._system import (
    SystemFileError,
    SystemSpec,
    bare_system,
    check_api_key,
    load_system,
)
from alignlab.core import AlignlabError

DisplayType = Literal["full", "conversation", "rich", "plain", "log", "none"]

DEFAULT_LOG_DIR = "alignlab-logs"
"""Where `alignlab bench run` writes its logs unless told otherwise."""

DEFAULT_MAX_CONNECTIONS = 10
"""Concurrent model requests unless told otherwise."""


class RunInterrupted(AlignlabError):
    """A run was interrupted (Ctrl-C) before it finished; its log can be resumed."""

    def __init__(self, suite: str, log_dir: str) -> None:
        super().__init__(
            f"{suite}: interrupted; finished samples are kept in {log_dir}: "
            "run the same command again to resume"
        )
        self.suite = suite
        self.log_dir = log_dir


@dataclass(frozen=True)
class SuiteRun:
    """The outcome of running one suite.

    Attributes:
        suite: the suite's name.
        log: the Inspect log (its `location` is the file written).
        resumed_from: the log that was resumed, or None for a fresh run.
        errors: samples that ended in an error (retry the run to finish them).
        reused: True when a finished log of the same run was found and nothing ran.
    """

    suite: str
    log: EvalLog
    resumed_from: str | None
    errors: int
    reused: bool = False


def build_model(spec: SystemSpec, max_connections: int = DEFAULT_MAX_CONNECTIONS) -> Model:
    """Build the Inspect model of a system, with its retry limit and timeouts always set.

    The key is passed to Inspect by the *name* of its environment variable
    (`api_key_var`, for `openai-api/...` models), so the log records the name only.

    Raises:
        SystemFileError: when the key's environment variable is not set.
    """
    check_api_key(spec)
    _check_provider(spec)
    config = GenerateConfig(
        max_retries=spec.max_retries,
        timeout=spec.timeout,
        attempt_timeout=spec.attempt_timeout,
        max_connections=max_connections,
        **spec.generation,
    )
    model_args: dict[str, Any] = {}
    api_key: str | None = None
    if spec.api_key_env and spec.model.startswith("openai-api/"):
        model_args["api_key_var"] = spec.api_key_env
    elif spec.api_key_env:
        # Other providers take the key itself; Inspect logs model_args, never api_key.
        api_key = os.environ[spec.api_key_env]
    elif _keyless_variable(spec) is not None:
        # A keyless local server (vLLM, Ollama, llama.cpp) needs no dummy variable.
        api_key = KEYLESS_KEY
    try:
        return get_model(
            spec.model, config=config, base_url=spec.base_url, api_key=api_key, **model_args
        )
    except Exception as exc:  # Inspect raises ValueError, PrerequisiteError, ImportError...
        raise SystemFileError(f"{spec.path or spec.name}: model.name: {_plain(exc)}") from None


PROVIDER_EXTRAS: dict[str, tuple[str, str]] = {
    "openai": ("openai", "openai"),
    "anthropic": ("anthropic", "anthropic"),
}
"""Inspect providers alignlab offers an extra for: provider -> (module, extra)."""


def _check_provider(spec: SystemSpec) -> None:
    """Say which extra to install when a provider's client package is missing."""
    provider = spec.model.split("/", 1)[0]
    if provider in PROVIDER_EXTRAS:
        module, extra = PROVIDER_EXTRAS[provider]
        if importlib.util.find_spec(module) is None:
            raise SystemFileError(
                f"{spec.path or spec.name}: model.name: the {provider} provider needs the "
                f"{module} package: pip install 'alignlab[{extra}]'"
            )


def _plain(exc: BaseException) -> str:
    """An Inspect error as one plain line: no rich markup, no blank lines, no 'ERROR:'."""
    text = re.sub(r"\[/?[a-z ]+\]", "", str(exc))
    text = " ".join(text.split())
    return text.removeprefix("ERROR: ").removeprefix("ERROR:").strip() or type(exc).__name__


KEYLESS_KEY = "no-key"
"""The placeholder key sent to a keyless OpenAI-compatible server on loopback."""


def _keyless_variable(spec: SystemSpec) -> str | None:
    """The key variable Inspect would demand of a keyless loopback server, when it is unset.

    None when the system names its key variable, is not an `openai-api/` model on
    loopback, or the variable is set.
    """
    if spec.api_key_env or not spec.model.startswith("openai-api/"):
        return None
    if not spec.base_url or not _is_loopback(spec.base_url):
        return None
    variable = spec.model.split("/")[1].upper().replace("-", "_") + "_API_KEY"
    return None if os.environ.get(variable) else variable


@contextlib.contextmanager
def _keyless(spec: SystemSpec) -> Iterator[None]:
    """Set the placeholder key while Inspect rebuilds a keyless model from a log (a resume).

    `eval_retry` rebuilds the model from the log, which records no key; without this a
    keyless local server's run could not be resumed without a dummy variable.
    """
    variable = _keyless_variable(spec)
    if variable is None:
        yield
        return
    os.environ[variable] = KEYLESS_KEY
    try:
        yield
    finally:
        os.environ.pop(variable, None)


def _is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")


ENDPOINT_CHECK_TIMEOUT_S = 5.0
"""Seconds the pre-run endpoint check waits for an answer."""


def check_endpoint(spec: SystemSpec, timeout: float = ENDPOINT_CHECK_TIMEOUT_S) -> None:
    """Check with one request that the system's `base_url` answers, before a run.

    A wrong URL or a server that is not up is then one line within seconds, not minutes
    of retries and errored samples.

    Any HTTP answer (even 401 or 404) counts as reachable: only the connection is checked.

    Raises:
        SystemFileError: "cannot reach URL: connection refused" and the like.
    """
    if not spec.base_url:
        return
    import httpx

    url = spec.base_url.rstrip("/") + "/models"
    try:
        with httpx.Client(timeout=timeout) as client:
            client.get(url)
    except httpx.TimeoutException:
        problem = f"no answer within {timeout:g} s"
    except httpx.HTTPError as exc:
        reason = exc.__cause__ or exc.__context__ or exc
        text = str(getattr(reason, "strerror", None) or reason).lower()
        problem = "connection refused" if "refused" in text else text or type(exc).__name__
    else:
        return
    raise SystemFileError(f"cannot reach {spec.base_url}: {problem} (model.base_url)")


def make_task(suite: str, spec: SystemSpec, xstest_path: str | None = None) -> Task:
    """Build the Inspect task of one suite for a system (read from its file when it has one).

    `suite` is a built-in suite's name, a red-team findings file or a suite file of your
    own prompts (JSONL). A model or base URL given on the command line instead of the
    file's travels as task arguments, so a resumed run rebuilds the same system.
    """
    system = spec.path
    args = _override_args(spec)
    if suite == "refusal_calibration":
        task = refusal_calibration(system=system, detector=spec.refusal_detector, **args)
    elif suite == "honesty":
        task = honesty(system=system, **args)
    elif suite == "xstest":
        if not xstest_path:
            raise SuiteError("the xstest suite needs --xstest FILE.csv")
        task = xstest(
            path=str(Path(xstest_path).resolve()),
            system=system,
            detector=spec.refusal_detector,
            **args,
        )
    elif _is_findings(suite):
        from alignlab.bench.redteam import findings_task

        task = findings_task(suite, spec, detector=spec.refusal_detector)
    elif Path(suite).suffix == ".jsonl" or Path(suite).is_file():
        from alignlab.bench._suite_file import suite_file

        task = suite_file(
            path=str(Path(suite).resolve()), system=system, detector=spec.refusal_detector, **args
        )
    else:
        raise SuiteError(
            f"unknown suite {suite!r} (suites: {', '.join((*SUITES, 'xstest'))}, "
            "or a suite FILE.jsonl of your own)"
        )
    if system is None and not _rebuildable(spec):
        # A system built in code (the demo) has no file to rebuild from; carry its
        # solver chain on the task itself.
        from alignlab.bench._guardrails import system_solvers

        task.solver = _chain(system_solvers(spec))
        task.metadata = {**(task.metadata or {}), "alignlab_system": spec.summary()}
    return task


def _rebuildable(spec: SystemSpec) -> bool:
    """Whether the tasks can rebuild this system from their arguments (a resumed run must).

    A system read from a file can, and so can a bare model given as `--model`.
    """
    return spec.path is not None or spec == bare_system(spec.model, spec.base_url)


def _override_args(spec: SystemSpec) -> dict[str, str]:
    """The task arguments that carry a command-line model or base URL over the file's."""
    if spec.path is None:
        return {"model_name": spec.model, **_url(spec)} if _rebuildable(spec) else {}
    from_file = load_system(spec.path)
    args: dict[str, str] = {}
    if spec.model != from_file.model:
        args["model_name"] = spec.model
    if spec.base_url != from_file.base_url and spec.base_url is not None:
        args["base_url"] = spec.base_url
    return args


def _url(spec: SystemSpec) -> dict[str, str]:
    return {"base_url": spec.base_url} if spec.base_url else {}


def _is_findings(suite: str) -> bool:
    from alignlab.bench.redteam import is_findings_file

    return is_findings_file(suite)


def _chain(solvers: list[Any]) -> Any:
    from inspect_ai.solver import chain

    return chain(*solvers)


def sample_errors(log: EvalLog) -> int:
    """Count the samples of a log that ended in an error, or never finished."""
    if log.samples is not None:
        return sum(1 for s in log.samples if s.error is not None)
    if log.results is None:
        return 0
    return max(0, log.results.total_samples - log.results.completed_samples)


def _is_unfinished(log: EvalLog) -> bool:
    if log.status != "success":
        return True
    results = log.results
    return results is None or results.completed_samples < results.total_samples


def find_previous(
    log_dir: str, suite: str, spec: SystemSpec, limit: int | None, version: str | None = None
) -> tuple[str, bool] | None:
    """The newest log in `log_dir` of this suite, system and limit, and whether it finished.

    Only the newest matching log counts. With `version` (the suite's item fingerprint), a
    log of an edited suite file of the same name is not the same run.
    """
    if not Path(log_dir).is_dir():
        return None
    for info in list_eval_logs(log_dir, recursive=False):  # newest first
        try:
            header = read_eval_log(info, header_only=True)
        except Exception:  # a log being written or a foreign file: not ours to resume
            continue
        meta = header.eval.metadata or {}
        system = meta.get("alignlab_system") or {}
        if meta.get("alignlab_suite") != suite or system.get("fingerprint") != spec.fingerprint:
            continue
        if header.eval.config.limit != limit:
            continue
        if version is not None and meta.get("alignlab_suite_version") not in (None, version):
            continue
        return info.name, not _is_unfinished(header)
    return None


def find_resumable(log_dir: str, suite: str, spec: SystemSpec, limit: int | None) -> str | None:
    """Return the newest unfinished log in `log_dir` of this suite, system and limit, if any."""
    previous = find_previous(log_dir, suite, spec, limit)
    return previous[0] if previous is not None and not previous[1] else None


def run_suite(
    spec: SystemSpec,
    suite: str,
    *,
    log_dir: str = DEFAULT_LOG_DIR,
    limit: int | None = None,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    display: DisplayType = "plain",
    xstest_path: str | None = None,
    fresh: bool = False,
    realtime: bool = True,
) -> SuiteRun:
    """Run (or resume) one suite against a system and return its log.

    Samples that still fail after the model's retries are recorded as errors in the log
    (never silently dropped); run again with the same arguments to retry just those. A
    finished log of the same suite, system and limit in `log_dir` is reused as it is
    unless `fresh`.

    Raises:
        SystemFileError: when the key's environment variable is not set.
        SuiteError: for an unknown suite.
        RunInterrupted: when the run was interrupted (Ctrl-C); run again to resume.
    """
    model = build_model(spec, max_connections)
    check_endpoint(spec)
    task = make_task(suite, spec, xstest_path)
    os.makedirs(log_dir, exist_ok=True)
    common: dict[str, Any] = {
        "log_dir": log_dir,
        "log_format": "eval",
        "display": display,
        "fail_on_error": False,
        "max_retries": spec.max_retries,
        "timeout": spec.timeout,
        "attempt_timeout": spec.attempt_timeout,
        "max_connections": max_connections,
        "log_buffer": 10,
        "score_display": False,
    }
    if not realtime:
        # Inspect's realtime sample buffer feeds live viewing in `inspect view`; nobody
        # watching live can turn it off (`--no-realtime`) and save its per-event writes.
        common["log_realtime"] = False
    meta = task.metadata or {}
    previous = (
        None
        if fresh or not _rebuildable(spec)
        else find_previous(
            log_dir,
            str(meta.get("alignlab_suite", suite)),
            spec,
            limit,
            meta.get("alignlab_suite_version"),
        )
    )
    if previous is not None and previous[1]:
        # The same run already finished here: reuse it rather than silently start over.
        log = read_eval_log(previous[0])
        return SuiteRun(suite=suite, log=log, resumed_from=None, errors=0, reused=True)
    resumable = previous[0] if previous is not None else None
    with logs_named_after(spec.name):
        if resumable is not None:
            with _keyless(spec):
                logs = eval_retry(resumable, **common)
        else:
            logs = eval(task, model=model, limit=limit, **common)
    if not logs:
        # Inspect catches Ctrl-C, marks the log cancelled and returns no log at all.
        raise RunInterrupted(suite, log_dir)
    log = logs[0]
    return SuiteRun(suite=suite, log=log, resumed_from=resumable, errors=sample_errors(log))


def run_system(
    spec: SystemSpec,
    suites: tuple[str, ...] = SUITES,
    *,
    on_suite: Callable[[SuiteRun], None] | None = None,
    **kwargs: Any,
) -> list[SuiteRun]:
    """Run several suites in turn (see `run_suite`), calling `on_suite` after each.

    Every suite file is checked before the first suite runs, so a bad line in the last
    one fails at once rather than after the others ran.
    """
    for suite in suites:
        if suite not in (*SUITES, "xstest") and not _is_findings(suite):
            from alignlab.bench._suite_file import load_suite_file

            load_suite_file(suite)
    runs = []
    for suite in suites:
        run = run_suite(spec, suite, **kwargs)
        if on_suite is not None:
            on_suite(run)
        runs.append(run)
    return runs
