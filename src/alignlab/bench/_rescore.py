"""Re-score an existing refusal log offline with a chosen detector, without calling the model.

The answers are already in the log; only their labels change. This is how a team checks
how much a headline number depends on the refusal detector (the string-match baseline
against the trained one), or upgrades old logs to a better detector.
"""

from __future__ import annotations

import os
from pathlib import Path

from inspect_ai import score as inspect_score
from inspect_ai.log import EvalLog, write_eval_log

from alignlab._atomic import same_file
from alignlab.bench._detectors import resolve_refusal_detector
from alignlab.bench._metrics import LogError, read_log
from alignlab.bench._scorers import refusal_scorer


def _kind(log: EvalLog) -> str:
    for sample in log.samples or []:
        for score in (sample.scores or {}).values():
            if (score.metadata or {}).get("detector"):
                return str((score.metadata or {})["detector"])
    return "unknown"


def rescore_in_memory(log: EvalLog, detector: str | None = None) -> EvalLog:
    """Return a copy of a refusal log re-labelled by `detector`; nothing is written.

    Raises:
        LogError: when the log's samples are not refusal items.
    """
    samples = log.samples or []
    if not samples or not any("unsafe" in (s.metadata or {}) for s in samples):
        raise LogError(
            f"{log.location}: not a refusal log (its samples carry no 'unsafe' metadata)"
        )
    kind, _ = resolve_refusal_detector(detector)
    return inspect_score(
        log.model_copy(deep=True),
        refusal_scorer(kind),
        action="overwrite",
        display="none",
        model="none/none",
    )


def rescore_log(
    path: str | Path,
    detector: str | None = None,
    out: str | Path | None = None,
) -> EvalLog:
    """Re-score the refusal outcomes of a log with `detector` and write the result.

    Args:
        path: an Inspect log of `refusal_calibration`, `xstest`, or any task whose
            samples carry `unsafe` in their metadata.
        detector: the detector kind (`trained`, `keyword`; None: the best available).
        out: where to write the new log (default: next to the input, with
            `-rescored-<kind>` before the extension). The input is never modified.

    Raises:
        LogError: when the log cannot be read, or its samples are not refusal items.
    """
    source = Path(path)
    if out is not None and Path(out).exists() and same_file(out, source):
        raise LogError(f"--out {out} is the input log; the input is never modified")
    rescored = rescore_in_memory(read_log(source), detector)
    kind = _kind(rescored)
    target = Path(out) if out else source.with_name(f"{source.stem}-rescored-{kind}{source.suffix}")
    rescored.location = str(target)
    _write_atomically(rescored, target)
    return rescored


def _write_atomically(log: EvalLog, target: Path) -> None:
    """Write a log through a temporary file in the same folder, then rename it into place."""
    tmp = target.with_name(f".{target.stem}.tmp{target.suffix}")
    try:
        write_eval_log(log, str(tmp))
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise LogError(f"cannot write {target} ({exc.strerror or exc})") from None
