"""Reading and writing the tables the `alignlab detect` command works on (CSV or JSONL)."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alignlab._atomic import OutputError, atomic_write_text
from alignlab.detect._base import REFUSAL_LABELS
from alignlab.detect._factory import DetectorError

Table = list[dict[str, Any]]


INPUT_SUFFIXES = (".csv", ".jsonl", ".ndjson")
"""File types `detect` reads and writes: CSV (with a header row) or JSON lines."""

MAX_FIELD_BYTES = 64 * 1024 * 1024
"""Largest CSV field read (64 MB): far above any answer, far below a runaway file."""


def is_jsonl(path: Path) -> bool:
    """Return True when `path` names a JSON-lines file (by extension)."""
    return path.suffix.lower() in {".jsonl", ".ndjson"}


def check_table_suffix(path: Path, flag: str) -> None:
    """Refuse a file name `detect` would read or write as the wrong format.

    Raises:
        DetectorError: for a suffix other than .csv, .jsonl or .ndjson.
    """
    if path.suffix.lower() not in INPUT_SUFFIXES:
        raise DetectorError(
            f"{flag} {path}: expected CSV or JSONL (.csv, .jsonl or .ndjson), "
            f"got {path.suffix or 'no suffix'!r}"
        )


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number {text} is out of range")
    return value


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _read_jsonl(path: Path, text: str) -> Table:
    rows: Table = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line, parse_float=_finite_float, parse_constant=_no_constants)
        except RecursionError:
            raise DetectorError(f"{path}:{number}: JSON nested too deeply") from None
        except ValueError as exc:
            message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise DetectorError(f"{path}:{number}: not valid JSON ({message})") from None
        if not isinstance(row, dict):
            kind = "a JSON array" if isinstance(row, list) else type(row).__name__
            raise DetectorError(
                f"{path}:{number}: expected CSV or JSONL (one JSON object per line), got {kind}"
            )
        rows.append(row)
    return rows


def _read_csv(path: Path, text: str) -> Table:
    old_limit = csv.field_size_limit(MAX_FIELD_BYTES)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        line = 0  # the last line of the previous record: a record starts on line + 1
        try:
            header = next(reader, None)
            if header is None:
                raise DetectorError(f"{path} is empty; expected CSV with a header row, or JSONL")
            if any(not name.strip() for name in header):
                raise DetectorError(f"{path}:1: the header has an empty column name")
            if len(set(header)) != len(header):
                raise DetectorError(f"{path}:1: the header repeats a column name")
            rows: Table = []
            line = reader.line_num
            for record in reader:
                if record and len(record) != len(header):
                    raise DetectorError(
                        f"{path}:{line + 1}: {len(record)} fields, but the header has "
                        f"{len(header)} (a stray comma or quote?)"
                    )
                if record:
                    rows.append(dict(zip(header, record, strict=True)))
                line = reader.line_num
        except csv.Error as exc:
            hint = "a quote opened here is never closed" if "end of data" in str(exc) else exc
            raise DetectorError(f"{path}:{line + 1}: not valid CSV ({hint})") from None
    finally:
        csv.field_size_limit(old_limit)
    return rows


def read_table(path: Path) -> tuple[Table, list[str]]:
    """Read a CSV or JSONL file into rows and its column names (in first-seen order).

    Every malformed row is an error naming `file:line`: rows are never merged, padded or
    dropped silently, and numbers JSON cannot write back (`1e999`) are refused.

    Raises:
        DetectorError: if the file is missing, not a regular file, or cannot be parsed.
    """
    if not path.exists():
        raise DetectorError(f"input file not found: {path}")
    if not path.is_file():
        raise DetectorError(f"{path} is not a regular file")
    check_table_suffix(path, "--input")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DetectorError(f"{path} is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise DetectorError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not text.strip():
        raise DetectorError(f"{path} is empty; expected CSV with a header row, or JSONL")
    if is_jsonl(path):
        rows = _read_jsonl(path, text)
    else:
        if text.lstrip().startswith(("[", "{")):
            raise DetectorError(f"{path}: expected CSV or JSONL, got JSON; name it .jsonl")
        rows = _read_csv(path, text)
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    return rows, columns


def require_columns(path: Path, columns: Sequence[str], needed: Sequence[str]) -> None:
    """Raise one clear `DetectorError` naming the first missing column and those present."""
    for name in needed:
        if name not in columns:
            have = ", ".join(columns) or "none"
            raise DetectorError(f"{path} has no column {name!r} (columns: {have})")


def cell_text(value: Any) -> str:
    """Return a cell as text (missing/None becomes the empty string)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def write_table(rows: Table, columns: Sequence[str], path: Path | None, jsonl: bool) -> None:
    """Write rows as CSV or JSONL to `path` (atomically), or to stdout when `path` is None.

    Raises:
        DetectorError: when the file cannot be written; an existing file is left intact.
    """
    out = io.StringIO()
    if jsonl:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n")
    else:
        writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    if path is None:
        sys.stdout.write(out.getvalue())
        return
    try:
        atomic_write_text(path, out.getvalue())
    except OutputError as exc:
        raise DetectorError(str(exc)) from None


_XSTEST_PREFIXES = {f"{i}_{label}": label for i, label in enumerate(REFUSAL_LABELS, start=1)}


def normalise_label(raw: str, labels: Sequence[str]) -> str | None:
    """Map a reference label to one of `labels`; None if it is not recognised.

    Accepts XSTest's `1_full_compliance`/`2_full_refusal`/`3_partial_refusal` names,
    any case, spaces or hyphens for underscores.

    Examples:
        >>> normalise_label("2_full_refusal", ("full_compliance", "full_refusal"))
        'full_refusal'
    """
    key = raw.strip().lower().replace("-", "_").replace(" ", "_")
    key = _XSTEST_PREFIXES.get(key, key)
    return key if key in labels else None
