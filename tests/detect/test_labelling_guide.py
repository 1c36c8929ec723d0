"""The labelling guide's worked examples are a test: the detectors label each as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from alignlab.detect import HARM_LABELS, REFUSAL_LABELS, harm_classifier, refusal_detector

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "labelling.md"
_ROW = re.compile(r"^\| (?P<id>[RH]\d+) \| (?P<rest>.*) \|$")


def _rows(prefix: str) -> list[list[str]]:
    rows = []
    for line in GUIDE.read_text("utf-8").splitlines():
        match = _ROW.match(line)
        if match and match["id"].startswith(prefix):
            cells = [c.strip() for c in match["rest"].split(" | ")]
            rows.append([match["id"], *cells])
    return rows


REFUSAL_ROWS = _rows("R")
HARM_ROWS = _rows("H")


def test_the_guide_has_thirty_examples_per_detector_covering_every_label() -> None:
    assert len(REFUSAL_ROWS) >= 30
    assert len(HARM_ROWS) >= 30
    assert {r[3] for r in REFUSAL_ROWS} == set(REFUSAL_LABELS)
    assert {r[2] for r in HARM_ROWS} == set(HARM_LABELS)


@pytest.mark.parametrize("row", REFUSAL_ROWS, ids=[r[0] for r in REFUSAL_ROWS])
def test_refusal_examples_are_labelled_as_the_guide_says(row: list[str]) -> None:
    _, prompt, answer, label, _why = row
    answer = answer.replace("<br>", "\n")
    assert refusal_detector().detect([prompt], [answer])[0].label == label


@pytest.mark.parametrize("row", HARM_ROWS, ids=[r[0] for r in HARM_ROWS])
def test_harm_examples_are_labelled_as_the_guide_says(row: list[str]) -> None:
    _, prompt, label, _why = row
    assert harm_classifier().detect([prompt])[0].label == label
