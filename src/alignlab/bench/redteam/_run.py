"""Run a red-team task against a system, and write its findings (`alignlab bench redteam`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from inspect_ai import eval
from inspect_ai.log import EvalLog

from alignlab.bench._lognames import logs_named_after
from alignlab.bench._run import (
    DEFAULT_LOG_DIR,
    DEFAULT_MAX_CONNECTIONS,
    DisplayType,
    build_model,
    sample_errors,
)
from alignlab.bench._system import SystemSpec
from alignlab.bench.redteam._findings import findings_from_log, write_findings
from alignlab.bench.redteam._metrics import RedteamMetrics, redteam_metrics
from alignlab.bench.redteam._task import redteam_task


@dataclass(frozen=True)
class RedteamRun:
    """The outcome of one red-team run.

    Attributes:
        log: the Inspect log (its `location` is the file written).
        metrics: the red-team metrics of the log.
        findings: the findings file written, or None when none was asked for.
        errors: samples that ended in an error (not scored, not counted).
    """

    log: EvalLog
    metrics: RedteamMetrics
    findings: Path | None
    errors: int


def run_redteam(
    spec: SystemSpec,
    *,
    attacks: str | None = "all",
    attempts: int = 1,
    attacker: str | None = None,
    judge: str | None = None,
    limit: int | None = None,
    log_dir: str = DEFAULT_LOG_DIR,
    findings: str | Path | None = None,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    display: DisplayType = "plain",
) -> RedteamRun:
    """Red-team a system: run the attacks, compute the metrics, write the findings file.

    Args:
        spec: the system under test.
        attacks: comma-separated attack names, `a+b` compositions, or `all`.
        attempts: variants per attack and behaviour (K of best-of-K); PAIR's try budget.
        attacker: Inspect model driving the adaptive `pair` attack (adds it to `all`).
        judge: Inspect model for the StrongREJECT-style rubric judge.
        limit: only the first N behaviours (and their benign contrasts).
        log_dir: where the Inspect log goes.
        findings: where to write the findings file (None: not written).
        max_connections: concurrent model requests.
        display: Inspect's progress display.

    Raises:
        SystemFileError: when the key's environment variable is not set.
        SuiteError: for an unknown attack or `pair` without an attacker.
    """
    model = build_model(spec, max_connections)
    task = redteam_task(
        spec,
        attacks=attacks,
        attempts=attempts,
        attacker=attacker,
        judge=judge,
        detector=spec.refusal_detector,
        limit=limit,
    )
    if spec.path is None:
        task.metadata = {**(task.metadata or {}), "alignlab_system": spec.summary()}
    os.makedirs(log_dir, exist_ok=True)
    with logs_named_after(spec.name):
        log = eval(
            task,
            model=model,
            log_dir=log_dir,
            log_format="eval",
            display=display,
            fail_on_error=False,
            max_retries=spec.max_retries,
            timeout=spec.timeout,
            attempt_timeout=spec.attempt_timeout,
            max_connections=max_connections,
            log_buffer=100,
            score_display=False,
        )[0]
    written = write_findings(findings_from_log(log), findings) if findings else None
    return RedteamRun(log, redteam_metrics(log), written, sample_errors(log))
