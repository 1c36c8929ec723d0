"""The labelled data shipped with the package, with its fixed train/val/test split.

Responses: prompt, response, label (XSTest taxonomy), category (the answer style), split;
generated in memory by `_datagen` from the topic and style families.
`prompts.jsonl`: prompt, label (safe/unsafe), category, split. The `test` split is the
held-out split: reported, never tuned on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from alignlab.detect._factory import DetectorError

SPLITS: tuple[str, str, str] = ("train", "val", "test")

SegmentRow = tuple[str, str, str, list[tuple[str, str]], str]
"""(prompt, response, label, [(block text, role), ...], style) of one generated answer."""


@dataclass(frozen=True)
class Example:
    """One labelled row: a prompt, an optional response, its label, category and split."""

    prompt: str
    response: str
    label: str
    category: str
    split: str


def _load(name: str, split: str | None) -> list[Example]:
    if split is not None and split not in SPLITS:
        raise DetectorError(f"unknown split {split!r} (splits: {', '.join(SPLITS)})")
    text = resources.files("alignlab.detect").joinpath("data", name).read_text("utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [
        Example(r["prompt"], r.get("response", ""), r["label"], r["category"], r["split"])
        for r in rows
        if split is None or r["split"] == split
    ]


@lru_cache(maxsize=1)
def _response_rows() -> tuple[dict[str, object], ...]:
    from alignlab.detect._datagen import response_rows

    return tuple(response_rows())


def _check_split(split: str | None) -> None:
    if split is not None and split not in SPLITS:
        raise DetectorError(f"unknown split {split!r} (splits: {', '.join(SPLITS)})")


def load_responses(split: str | None = None) -> list[Example]:
    """Return the generated, labelled responses (all, or one split).

    They are generated in memory, deterministically, by `_datagen` (about a second).

    Examples:
        >>> len(load_responses("test")) > 100
        True
    """
    _check_split(split)
    return [
        Example(
            str(r["prompt"]),
            str(r["response"]),
            str(r["label"]),
            str(r["category"]),
            str(r["split"]),
        )
        for r in _response_rows()
        if split is None or r["split"] == split
    ]


def load_segment_roles(split: str) -> list[SegmentRow]:
    """Return (prompt, response, label, [(block text, role), ...], style) for one split.

    The generator records which role every block of an answer plays (`refuse`, `attempt`,
    `redirect`, `other`); the segment head learns from those.
    """
    _check_split(split)
    out: list[SegmentRow] = []
    for row in _response_rows():
        if row["split"] != split:
            continue
        blocks = [str(b).split("\t", 1) for b in row["blocks"]]  # type: ignore[attr-defined]
        out.append(
            (
                str(row["prompt"]),
                str(row["response"]),
                str(row["label"]),
                [(t, r) for r, t in blocks],
                str(row["category"]),
            )
        )
    return out


def load_prompts(split: str | None = None) -> list[Example]:
    """Return the labelled prompts (all, or one split).

    Examples:
        >>> {e.label for e in load_prompts("test")} == {"safe", "unsafe"}
        True
    """
    return _load("prompts.jsonl", split)
