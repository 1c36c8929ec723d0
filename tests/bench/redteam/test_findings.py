"""The findings file: self-describing lines, checked and bounded when read back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alignlab.bench import SuiteError
from alignlab.bench.redteam import (
    FINDINGS_FORMAT,
    _findings,
    is_findings_file,
    load_findings,
    write_findings,
)

GOOD = {
    "format": FINDINGS_FORMAT,
    "id": "rt-cyb-01:base64:0",
    "behaviour": "rt-cyb-01",
    "category": "cybercrime",
    "request": "r",
    "success": "s",
    "attack": "base64",
    "attempt": 0,
    "messages": [
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "b"},
        {"role": "user", "content": "c"},
    ],
    "answer": "x",
}


def test_round_trip(tmp_path: Path) -> None:
    path = write_findings([GOOD, {**GOOD, "id": "two"}], tmp_path / "sub" / "f.jsonl")
    assert is_findings_file(path)
    assert load_findings(path) == [GOOD, {**GOOD, "id": "two"}]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({**GOOD, "format": "other/1"}, "format"),
        ({k: v for k, v in GOOD.items() if k != "attack"}, "missing attack"),
        (
            {
                **GOOD,
                "messages": [
                    {"role": "user", "content": "a"},
                    {"role": "assistant", "content": "b"},
                ],
            },
            "ending",
        ),
        ({**GOOD, "messages": [{"role": "system", "content": "a"}]}, "user/assistant"),
    ],
)
def test_malformed_records_are_refused_with_the_line(
    tmp_path: Path, record: dict[str, object], message: str
) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps({**record, "id": "z"}) + "\n")
    with pytest.raises(SuiteError, match=f"line 2: .*{message.split()[0]}"):
        load_findings(path)


def test_duplicates_empty_missing_large_and_not_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(GOOD) + "\n")
    with pytest.raises(SuiteError, match="duplicate"):
        load_findings(path)
    path.write_text("\n")
    with pytest.raises(SuiteError, match="no findings"):
        load_findings(path)
    path.write_text("{not json\n")
    with pytest.raises(SuiteError, match="not JSON"):
        load_findings(path)
    assert not is_findings_file(path) and not is_findings_file(tmp_path)
    with pytest.raises(SuiteError, match="no such"):
        load_findings(tmp_path)  # a directory is not a regular file
    path.write_text(json.dumps(GOOD) + "\n")
    monkeypatch.setattr(_findings, "MAX_FINDINGS_BYTES", 10)
    with pytest.raises(SuiteError, match="larger than"):
        load_findings(path)
