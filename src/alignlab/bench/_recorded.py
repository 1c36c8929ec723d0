"""Score answers a user already has (production logs, another harness) as an Inspect log.

`score_answers` reads a CSV or JSONL file of recorded answers, matches each row to a
suite item (by id, else by the prompt's text), and runs the suite with a solver that
replays the recorded answer instead of calling a model. The result is an ordinary
Inspect log, as if a system named NAME had produced the answers, so `compare`, `report`
and `profile` work on it.

Nothing is dropped silently: rows that match no item are counted (and their first ids
or prompts listed); items with no recorded answer, or an empty one, become errored
samples, so the gate fails on them unless told `--allow-missing`.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai import Task, eval
from inspect_ai.log import EvalLog
from inspect_ai.model import ModelOutput
from inspect_ai.solver import Generate, Solver, TaskState, solver

from alignlab.bench._lognames import logs_named_after
from alignlab.bench._scorers import honesty_scorer, refusal_scorer
from alignlab.bench._suites import (
    honesty_dataset,
    refusal_dataset,
    suite_version,
    xstest_dataset,
)
from alignlab.bench._system import SystemFileError, read_bounded_text
from alignlab.core import AlignlabError

MAX_FILE_BYTES = 200 * 1024 * 1024
"""Largest answers file read (an untrusted file is read bounded)."""


class RecordedAnswersError(AlignlabError, ValueError):
    """The answers file is missing, unreadable, too large or lacks the named columns."""


@dataclass(frozen=True)
class RecordedRun:
    """What `score_answers` did.

    Attributes:
        log: the Inspect log written.
        rows: rows in the file.
        matched: items that got a recorded answer.
        unmatched_rows: rows that matched no item (never scored, listed in the log).
        unanswered: items with no recorded answer or an empty one (errored samples).
        duplicate_rows: rows for an item that already had one (the first one is used).
    """

    log: EvalLog
    rows: int
    matched: int
    unmatched_rows: int
    unanswered: int
    duplicate_rows: int


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def read_answers(path: str | Path) -> list[dict[str, Any]]:
    """Read a CSV (with a header) or JSONL file of recorded answers, bounded, as dict rows.

    Raises:
        RecordedAnswersError: when the file is not a regular readable file of at most
            `MAX_FILE_BYTES`, or a JSONL line is not an object.
    """
    file = Path(path)
    if not file.is_file():
        raise RecordedAnswersError(f"{file}: no such file (need a .csv or .jsonl of answers)")
    try:  # bounded while reading: a size checked before the read can change under it
        text = read_bounded_text(file, MAX_FILE_BYTES, "recorded answers")
    except SystemFileError as exc:
        raise RecordedAnswersError(str(exc)) from None
    if file.suffix.lower() in (".jsonl", ".ndjson"):
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                raise RecordedAnswersError(f"{file}: line {number}: not JSON") from None
            if not isinstance(row, dict):
                raise RecordedAnswersError(f"{file}: line {number}: not a JSON object")
            rows.append(row)
        return rows
    try:
        return [dict(row) for row in csv.DictReader(text.splitlines())]
    except csv.Error as exc:
        raise RecordedAnswersError(f"{file}: cannot read as CSV ({exc})") from None


@solver
def recorded_answer(answers: dict[str, str], name: str) -> Solver:
    """Replay the recorded answer of each item; an item without one ends in an error."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        text = answers.get(str(state.sample_id))
        if text is None:
            raise RecordedAnswersError(f"no recorded answer for item {state.sample_id}")
        if not text.strip():
            raise RecordedAnswersError(f"the recorded answer for item {state.sample_id} is empty")
        state.output = ModelOutput.from_content(model=f"recorded/{name}", content=text)
        state.messages.append(state.output.message)
        return state

    return solve


def score_answers(
    path: str | Path,
    suite: str,
    name: str,
    *,
    xstest_path: str | None = None,
    id_column: str = "id",
    prompt_column: str = "prompt",
    response_column: str = "response",
    log_dir: str = "alignlab-logs",
    detector: str | None = None,
) -> RecordedRun:
    """Turn recorded answers into an Inspect log of `suite`, as system `name` (see module doc).

    Raises:
        RecordedAnswersError: for an unreadable file or a missing response column.
        SuiteError: for an unknown suite or a bad XSTest file.
    """
    from alignlab.bench._suites import SuiteError

    rows = read_answers(path)
    if rows and response_column not in rows[0]:
        raise RecordedAnswersError(
            f"{path}: no column {response_column!r} (columns: {', '.join(map(str, rows[0]))}); "
            "name it with --response-column"
        )
    if suite == "refusal_calibration":
        dataset, scorer = refusal_dataset(), refusal_scorer(detector)
    elif suite == "honesty":
        dataset, scorer = honesty_dataset(), honesty_scorer()
    elif suite == "xstest":
        if not xstest_path:
            raise SuiteError("the xstest suite needs --xstest FILE.csv")
        dataset, scorer = xstest_dataset(xstest_path), refusal_scorer(detector)
    else:
        raise SuiteError(f"unknown suite {suite!r} (refusal_calibration, honesty, xstest)")
    by_id = {str(s.id): s for s in dataset}
    by_prompt = {_normalise(str(s.input)): str(s.id) for s in dataset}
    answers: dict[str, str] = {}
    unmatched: list[str] = []
    duplicates = 0
    for number, row in enumerate(rows, start=2):
        row_id = str(row.get(id_column) or "").strip()
        item = (
            row_id
            if row_id in by_id
            else by_prompt.get(_normalise(str(row.get(prompt_column) or "")))
        )
        if item is None:
            unmatched.append(row_id or f"row {number}")
            continue
        if item in answers:
            duplicates += 1
            continue
        response = row.get(response_column)
        answers[item] = "" if response is None else str(response)
    metadata = {
        "alignlab_suite": suite,
        "alignlab_suite_version": suite_version(dataset),
        "alignlab_system": {"name": name, "model": f"recorded/{name}", "recorded_from": str(path)},
        "alignlab_recorded": {
            "file": str(path),
            "rows": len(rows),
            "matched": sum(1 for v in answers.values() if v.strip()),
            "unmatched_rows": len(unmatched),
            "unmatched_examples": unmatched[:20],
            "unanswered": len(by_id) - sum(1 for v in answers.values() if v.strip()),
            "duplicate_rows": duplicates,
        },
    }
    task = Task(
        dataset=dataset,
        solver=recorded_answer(answers, name),
        scorer=scorer,
        metadata=metadata,
        name=suite,
        version=1,
    )
    Path(log_dir).mkdir(parents=True, exist_ok=True)
    with logs_named_after(name):
        log = eval(
            task,
            model="none/none",
            log_dir=log_dir,
            log_format="eval",
            display="none",
            fail_on_error=False,
            score_display=False,
        )[0]
    recorded = metadata["alignlab_recorded"]
    assert isinstance(recorded, dict)
    return RecordedRun(
        log=log,
        rows=len(rows),
        matched=int(recorded["matched"]),
        unmatched_rows=len(unmatched),
        unanswered=int(recorded["unanswered"]),
        duplicate_rows=duplicates,
    )
