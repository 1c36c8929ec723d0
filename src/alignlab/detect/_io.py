"""Reading and writing the tables the `alignlab detect` command works on (CSV or JSONL)."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alignlab.detect._base import REFUSAL_LABELS
from alignlab.detect._factory import DetectorError

Table = list[dict[str, Any]]


def is_jsonl(path: Path) -> bool:
    """Return True when `path` names a JSON-lines file (by extension)."""
    return path.suffix.lower() in {".jsonl", ".ndjson"}


def read_table(path: Path) -> tuple[Table, list[str]]:
    """Read a CSV or JSONL file into rows and its column names (in first-seen order).

    Raises:
        DetectorError: if the file is missing or cannot be parsed.
    """
    if not path.is_file():
        raise DetectorError(f"input file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DetectorError(f"cannot read {path}: {exc}") from None
    rows: Table = []
    if is_jsonl(path):
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DetectorError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise DetectorError(f"{path}:{number}: each line must be a JSON object")
            rows.append(row)
    else:
        try:
            rows = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as exc:
            raise DetectorError(f"{path}: not valid CSV ({exc})") from None
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
    """Write rows as CSV or JSONL to `path`, or to stdout when `path` is None."""
    out = io.StringIO()
    if jsonl:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    if path is None:
        sys.stdout.write(out.getvalue())
        return
    try:
        path.write_text(out.getvalue(), encoding="utf-8")
    except OSError as exc:
        raise DetectorError(f"cannot write {path}: {exc}") from None


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
