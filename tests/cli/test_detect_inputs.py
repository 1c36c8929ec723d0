"""`alignlab detect` on malformed, hostile or mistaken input: one line, file:line, exit 2."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

import alignlab._atomic
from alignlab.cli import main


def _detect(path: Path, *extra: str) -> list[str]:
    return ["detect", "refusal", "--input", str(path), "--detector", "keyword", *extra]


def _fails(argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert needle in captured.err, captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    "name, content, needle",
    [
        ("a.csv", "prompt,completion\nhi,there,EXTRA\n", "a.csv:2: 3 fields, but the header has 2"),
        ("b.csv", "prompt,completion\nhi\n", "b.csv:2: 1 fields, but the header has 2"),
        (
            "c.csv",
            'prompt,completion\nhi,"unclosed\nnext,row\n',
            "c.csv:2: not valid CSV (a quote opened here is never closed)",
        ),
        ("d.csv", "prompt,,completion\na,b,c\n", "d.csv:1: the header has an empty column"),
        ("e.jsonl", '{"a": ' * 3000 + "1" + "}" * 3000 + "\n", "e.jsonl:1: JSON nested too deeply"),
        (
            "f.jsonl",
            '{"prompt": "p", "completion": "c", "x": 1e999}\n',
            "f.jsonl:1: not valid JSON",
        ),
        ("g.jsonl", '{"prompt": "p", "completion": NaN}\n', "g.jsonl:1: not valid JSON"),
        ("h.jsonl", '[{"prompt": "p"}]\n', "h.jsonl:1: expected CSV or JSONL"),
        ("i.csv", "", "i.csv is empty; expected CSV"),
        ("j.csv", '[{"prompt": "p"}]', "j.csv: expected CSV or JSONL, got JSON"),
        ("k.txt", "prompt,completion\na,b\n", "expected CSV or JSONL (.csv, .jsonl or .ndjson)"),
        ("l.json", '[{"prompt": "p"}]', "expected CSV or JSONL (.csv, .jsonl or .ndjson)"),
    ],
)
def test_malformed_input_is_one_line_with_file_and_line(
    name: str, content: str, needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    _fails(_detect(path), needle, capsys)


def test_a_long_answer_can_be_labelled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "long.csv"
    long_answer = "Here is a very long and helpful answer. " * 5000  # ~200 KB
    path.write_text(f'prompt,completion\nhi,"{long_answer}"\n', encoding="utf-8")
    assert main(_detect(path)) == 0
    out = capsys.readouterr().out
    assert "refusal_label" in out.splitlines()[0] and "full_compliance" in out


def test_output_is_valid_json_and_never_an_xlsx(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"prompt": "p", "completion": "Sure.", "x": 1e300}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(_detect(path, "--output", str(out))) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["x"] == 1e300
    _fails(_detect(path, "--output", str(tmp_path / "out.xlsx")), "--output", capsys)
    assert not (tmp_path / "out.xlsx").exists()


def test_output_equal_to_input_is_refused_and_the_input_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "in.csv"
    original = "prompt,completion\nhi,Sure.\n"
    path.write_text(original, encoding="utf-8")
    _fails(_detect(path, "--output", str(path)), "is also an input", capsys)
    _fails(_detect(path, "--output", str(tmp_path / "." / "in.csv")), "is also an input", capsys)
    assert path.read_text(encoding="utf-8") == original


def test_a_full_disk_midway_leaves_the_old_output_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "in.csv"
    path.write_text("prompt,completion\n" + "hi,Sure.\n" * 200, encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_text("previous,good\nresult,kept\n", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(alignlab._atomic.os, "fsync", full)
    _fails(_detect(path, "--output", str(out)), "No space left on device", capsys)
    assert out.read_text(encoding="utf-8") == "previous,good\nresult,kept\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]  # no tmp left
