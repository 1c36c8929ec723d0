"""The labelled data shipped with the package, with its fixed train/val/test split.

`responses.jsonl`: prompt, response, label (XSTest taxonomy), category, split.
`prompts.jsonl`: prompt, label (safe/unsafe), category, split. The `test` split is the
held-out split: reported, never tuned on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from alignlab.detect._factory import DetectorError

SPLITS: tuple[str, str, str] = ("train", "val", "test")


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


def load_responses(split: str | None = None) -> list[Example]:
    """Return the labelled responses (all, or one split).

    Examples:
        >>> len(load_responses("test")) > 100
        True
    """
    return _load("responses.jsonl", split)


def load_prompts(split: str | None = None) -> list[Example]:
    """Return the labelled prompts (all, or one split).

    Examples:
        >>> {e.label for e in load_prompts("test")} == {"safe", "unsafe"}
        True
    """
    return _load("prompts.jsonl", split)
