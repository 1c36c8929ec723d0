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

KNOWN_MISSES = {
    "R9": "an alternatives-only answer whose second sentence reads like an answer",
    "R29": "an answer followed by a refusal of the rest is read as a refusal",
}
"""Worked examples the shipped detectors still get wrong. Strict: fixing one fails the test
until it is removed from this list, so the list cannot go stale."""


def _params(rows: list[list[str]]) -> list[object]:
    return [
        pytest.param(
            row,
            id=row[0],
            marks=pytest.mark.xfail(reason=KNOWN_MISSES[row[0]], strict=True)
            if row[0] in KNOWN_MISSES
            else (),
        )
        for row in rows
    ]


def test_the_guide_has_thirty_examples_per_detector_covering_every_label() -> None:
    assert len(REFUSAL_ROWS) >= 30
    assert len(HARM_ROWS) >= 30
    assert {r[3] for r in REFUSAL_ROWS} == set(REFUSAL_LABELS)
    assert {r[2] for r in HARM_ROWS} == set(HARM_LABELS)


def test_known_misses_are_few() -> None:
    assert len(KNOWN_MISSES) <= 2


@pytest.mark.parametrize("row", _params(REFUSAL_ROWS))
def test_refusal_examples_are_labelled_as_the_guide_says(row: list[str]) -> None:
    _, prompt, answer, label, _why = row
    answer = answer.replace("<br>", "\n")
    assert refusal_detector().detect([prompt], [answer])[0].label == label


@pytest.mark.parametrize("row", _params(HARM_ROWS))
def test_harm_examples_are_labelled_as_the_guide_says(row: list[str]) -> None:
    _, prompt, label, _why = row
    assert harm_classifier().detect([prompt])[0].label == label
