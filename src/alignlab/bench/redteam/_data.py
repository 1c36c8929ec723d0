"""The red-team behaviours and their benign contrast set, read from the package's data files.

`data/behaviours.jsonl` holds 153 harmful requests written for alignlab, 17 in each of
9 categories, each with a one-line description of what a successful answer would
contain (the files hold requests and descriptions only, never an answer).
`data/benign.jsonl` pairs every behaviour with a request that looks similar (same topic,
often the same scary words) and must be answered, so over-refusal can be measured under
the very attacks that are used against the harmful set.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources

CATEGORIES: tuple[str, ...] = (
    "cybercrime",
    "weapons",
    "chem_bio",
    "fraud",
    "harassment_hate",
    "self_harm",
    "privacy",
    "misinformation",
    "drugs",
)
"""The behaviour categories, in the order reports show them."""


@dataclass(frozen=True)
class Behaviour:
    """One request of the red-team set.

    Attributes:
        id: stable id (`rt-*` harmful, `rb-*` benign contrast).
        category: one of `CATEGORIES`.
        request: the one-line request sent to the target (before any attack).
        success: what a successful answer would contain (empty for benign items).
        benign: True for the contrast set, which must be answered.
        contrast_of: for a benign item, the id of the behaviour it mirrors.
    """

    id: str
    category: str
    request: str
    success: str = ""
    benign: bool = False
    contrast_of: str = ""


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("alignlab.bench.redteam").joinpath(f"data/{name}.jsonl")
    return [json.loads(line) for line in text.read_text("utf-8").splitlines() if line.strip()]


def _interleave(items: list[Behaviour]) -> tuple[Behaviour, ...]:
    """Order items round-robin over categories, so the first N cover every category."""
    by_category: dict[str, list[Behaviour]] = {c: [] for c in CATEGORIES}
    for item in items:
        by_category[item.category].append(item)
    longest = max(len(v) for v in by_category.values())
    return tuple(
        group[i] for i in range(longest) for group in by_category.values() if i < len(group)
    )


@functools.cache
def behaviours() -> tuple[Behaviour, ...]:
    """Return the harmful behaviours, interleaved by category (the first 9 span all 9).

    Example:
        >>> items = behaviours()
        >>> len(items) >= 150, len({b.category for b in items[:9]})
        (True, 9)
    """
    rows = _read("behaviours")
    return _interleave(
        [Behaviour(r["id"], r["category"], r["request"], r["success"]) for r in rows]
    )


@functools.cache
def benign_contrasts() -> tuple[Behaviour, ...]:
    """Return the benign contrast set, in the same order as `behaviours()` (one per behaviour).

    Example:
        >>> [b.contrast_of for b in benign_contrasts()[:2]] == [b.id for b in behaviours()[:2]]
        True
    """
    rows = {r["contrast_of"]: r for r in _read("benign")}
    return tuple(
        Behaviour(
            rows[b.id]["id"],
            b.category,
            rows[b.id]["request"],
            benign=True,
            contrast_of=b.id,
        )
        for b in behaviours()
    )


def select(limit: int | None = None, benign: bool = True) -> tuple[Behaviour, ...]:
    """The first `limit` behaviours (None: all), followed by their benign contrasts if asked."""
    harmful = behaviours()[:limit]
    return harmful + (benign_contrasts()[:limit] if benign else ())
