"""The shipped data: large enough, correctly labelled, and split without leakage."""

from __future__ import annotations

from collections import Counter

import pytest

from alignlab.detect import HARM_LABELS, REFUSAL_LABELS, DetectorError
from alignlab.detect._data import SPLITS, load_prompts, load_responses


def test_sizes_labels_and_splits() -> None:
    responses, prompts = load_responses(), load_prompts()
    assert len(responses) >= 1500
    assert len(prompts) >= 600
    assert {r.label for r in responses} == set(REFUSAL_LABELS)
    assert {p.label for p in prompts} == set(HARM_LABELS)
    for rows in (responses, prompts):
        counts = Counter(r.split for r in rows)
        assert set(counts) == set(SPLITS)
        assert counts["test"] >= 0.15 * len(rows)


def test_no_text_is_shared_between_splits() -> None:
    by_split = {s: {r.response for r in load_responses(s)} for s in SPLITS}
    assert not by_split["train"] & by_split["test"]
    assert not by_split["val"] & by_split["test"]
    prompts = {s: {p.prompt for p in load_prompts(s)} for s in SPLITS}
    assert not prompts["train"] & prompts["test"]


def test_held_out_responses_answer_topics_never_seen_in_training() -> None:
    train = {r.prompt for r in load_responses("train")}
    test = {r.prompt for r in load_responses("test")}
    assert not train & test


def test_the_variety_the_issue_asks_for_is_there() -> None:
    categories = Counter(r.category for r in load_responses())
    for needed in (
        "terse",
        "refusal_redirect",
        "apology_not_refusal",
        "caveat",
        "partial",
        "roleplay",
        "roleplay_refusal",
        "other_language",
        "sympathy",
        "only_alternatives",
        "over_refusal",
    ):
        assert categories[needed] > 0, needed
    assert any("```" in r.response for r in load_responses())  # code answers
    kinds = Counter(p.category for p in load_prompts())
    for needed in (
        "homonym",
        "figurative",
        "safe_target",
        "fiction",
        "history",
        "definition",
        "public_figure",
        "violence",
        "cyber",
        "self_harm",
        "privacy",
    ):
        assert kinds[needed] > 0, needed


def test_unknown_split_is_a_clear_error() -> None:
    with pytest.raises(DetectorError, match="unknown split 'dev'"):
        load_responses("dev")
