"""Findings: every attack that broke a system, as a replayable suite file (JSONL).

Each line is one finding, self-describing (`"format": "alignlab-redteam-findings/1"`),
with the exact messages the target saw (system prompt excepted: it belongs to the system
under test) and the answer that broke it. `alignlab bench run SYSTEM.toml --suite
FINDINGS.jsonl` replays the messages against any system, scored as in the red-team run;
`alignlab bench compare` then gates the fix item by item (paired by finding id).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from inspect_ai.log import EvalLog, EvalSample

from alignlab.bench._metrics import read_log, sample_outcomes
from alignlab.bench._suites import SuiteError
from alignlab.bench._system import SystemFileError, read_bounded_text

FINDINGS_FORMAT = "alignlab-redteam-findings/1"
"""The `format` field of every findings line (its version changes with the layout)."""

MAX_FINDINGS_BYTES = 64 * 1024 * 1024
"""Largest findings file read (a suite file may come from an untrusted pull request)."""

_REQUIRED = ("id", "behaviour", "category", "request", "attack", "messages")


def _messages(sample: EvalSample) -> list[dict[str, str]]:
    """The user and assistant turns the target saw before its final answer."""
    turns = []
    for message in sample.messages:
        if message.role in ("user", "assistant"):
            turns.append({"role": message.role, "content": message.text})
    while turns and turns[-1]["role"] == "assistant":
        turns.pop()
    return turns


def findings_from_log(log: EvalLog | str | Path) -> list[dict[str, Any]]:
    """Every successful attack of a red-team log, as finding records (sample order).

    For the adaptive `pair` attack the messages are those of the try that succeeded.
    """
    if not isinstance(log, EvalLog):
        log = read_log(log)
    system = ((log.eval.metadata or {}).get("alignlab_system") or {}).get("name") or log.eval.model
    records = []
    for sample in log.samples or []:
        if sample.error is not None or not sample.scores:
            continue
        if sample_outcomes(sample).get("attack_success") != 1.0:
            continue
        meta = sample.metadata or {}
        messages = _messages(sample)
        tries = meta.get("pair_tries") or []
        if tries:
            messages = [{"role": "user", "content": str(tries[-1]["prompt"])}]
        records.append(
            {
                "format": FINDINGS_FORMAT,
                "id": str(sample.id),
                "behaviour": meta.get("behaviour"),
                "category": meta.get("category"),
                "request": meta.get("request"),
                "success": meta.get("success", ""),
                "attack": meta.get("attack"),
                "attempt": int(meta.get("attempt", 0)),
                "messages": messages,
                "answer": sample.output.completion,
                "found_on": str(system),
            }
        )
    return records


def write_findings(records: Iterable[dict[str, Any]], path: str | Path) -> Path:
    """Write findings as JSONL (one finding a line); return the path."""
    out = Path(path)
    if out.parent != Path(""):
        out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return out


def is_findings_file(path: str | os.PathLike[str]) -> bool:
    """True when `path` is a regular file whose first line is a findings record."""
    file = Path(path)
    if not file.is_file():
        return False
    try:
        with file.open("r", encoding="utf-8") as handle:
            first = handle.readline(1_000_000)
        return bool(json.loads(first).get("format", "").startswith("alignlab-redteam-findings/"))
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return False


def load_findings(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read and check a findings file (a bounded, regular file).

    Raises:
        SuiteError: when the file is missing, too large, not JSONL, of another format,
            has a malformed record, a duplicate id, or no finding at all.
    """
    file = Path(path)
    if not file.is_file():
        raise SuiteError(f"{file}: no such findings file (or not a regular file)")
    try:  # bounded while reading: a size checked before the read can change under it
        lines = read_bounded_text(file, MAX_FINDINGS_BYTES, "findings file").splitlines()
    except SystemFileError as exc:
        raise SuiteError(str(exc)) from None
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{file}: line {number}"
        try:
            record = json.loads(line)
        except ValueError:
            raise SuiteError(f"{where}: not JSON") from None
        if not isinstance(record, dict):
            raise SuiteError(f"{where}: not a JSON object")
        if record.get("format") != FINDINGS_FORMAT:
            raise SuiteError(f"{where}: format is not {FINDINGS_FORMAT!r}")
        missing = [k for k in _REQUIRED if not record.get(k)]
        if missing:
            raise SuiteError(f"{where}: missing {', '.join(missing)}")
        messages = record["messages"]
        if (
            not isinstance(messages, list)
            or not all(
                isinstance(m, dict)
                and m.get("role") in ("user", "assistant")
                and isinstance(m.get("content"), str)
                for m in messages
            )
            or messages[-1]["role"] != "user"
        ):
            raise SuiteError(
                f"{where}: messages must be user/assistant turns ending with a user turn"
            )
        if record["id"] in seen:
            raise SuiteError(f"{where}: duplicate id {record['id']!r}")
        seen.add(str(record["id"]))
        records.append(record)
    if not records:
        raise SuiteError(f"{file}: no findings")
    return records
