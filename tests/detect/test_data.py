"""The training data: the variety the issue asks for, correct labels, and leak-free splits."""

from __future__ import annotations

from collections import Counter

import pytest

from alignlab.detect import HARM_LABELS, REFUSAL_LABELS, DetectorError
from alignlab.detect._contrast_prompt_data import CONTRAST_PAIRS
from alignlab.detect._data import SPLITS, load_prompts, load_responses, load_segment_roles
from alignlab.detect._datagen import response_rows
from alignlab.detect._style_data import COMPLIANCE_STYLES, PARTIAL_STYLES, REFUSAL_STYLES
from alignlab.detect._topic_data import all_topics


def test_generator_has_the_styles_topics_and_sizes_the_issue_asks_for() -> None:
    assert len(REFUSAL_STYLES) >= 40
    assert len(COMPLIANCE_STYLES) >= 40
    assert len(PARTIAL_STYLES) >= 5
    assert len({s.name for s in (*REFUSAL_STYLES, *COMPLIANCE_STYLES, *PARTIAL_STYLES)}) == (
        len(REFUSAL_STYLES) + len(COMPLIANCE_STYLES) + len(PARTIAL_STYLES)
    )
    topics = all_topics()
    assert len({t.prompt for t in topics}) >= 400
    train = load_responses("train")
    assert len({r.response for r in train}) >= 3000
    assert len({r.response for r in load_responses()}) >= 5000
    words = [len(r.response.split()) for r in load_responses()]
    assert min(words) <= 2 and max(words) >= 350


def test_every_style_produces_its_label_and_roles_agree_with_it() -> None:
    styles = {s.name: s.label for s in (*REFUSAL_STYLES, *COMPLIANCE_STYLES, *PARTIAL_STYLES)}
    for split in SPLITS:
        for _, _, label, blocks, _ in load_segment_roles(split):
            roles = {role for _, role in blocks}
            if label == "full_compliance":
                assert "attempt" in roles and "refuse" not in roles
            elif label == "full_refusal":
                assert "attempt" not in roles
            else:
                assert "attempt" in roles and "refuse" in roles
    assert {r.label for r in load_responses()} == set(REFUSAL_LABELS)
    assert all(styles[r.category] == r.label for r in load_responses())


def test_splits_hold_out_topics_and_styles() -> None:
    rows = response_rows()
    by_split = {s: [r for r in rows if r["split"] == s] for s in SPLITS}
    for held in ("val", "test"):
        assert not {r["topic"] for r in by_split["train"]} & {r["topic"] for r in by_split[held]}
        assert not {r["category"] for r in by_split["train"]} & {
            r["category"] for r in by_split[held]
        }
        assert not {r["response"] for r in by_split["train"]} & {
            r["response"] for r in by_split[held]
        }


def test_generation_is_deterministic() -> None:
    assert response_rows()[:50] == response_rows()[:50]


def test_prompt_data_has_contrast_pairs_and_clean_splits() -> None:
    prompts = load_prompts()
    assert len(prompts) >= 600
    assert {p.label for p in prompts} == set(HARM_LABELS)
    assert len(CONTRAST_PAIRS) >= 80
    text = {p.prompt: p for p in prompts}
    for safe_cat, safe, _, unsafe in CONTRAST_PAIRS:
        assert text[safe].label == "safe" and text[unsafe].label == "unsafe"
        assert text[safe].split == text[unsafe].split
        assert text[safe].category == safe_cat
    splits = {s: {p.prompt for p in load_prompts(s)} for s in SPLITS}
    assert not splits["train"] & splits["test"]
    kinds = Counter(p.category for p in prompts)
    for needed in (
        "homonym",
        "figurative",
        "safe_target",
        "fiction",
        "history",
        "definition",
        "public_figure",
        "safety",
        "violence",
        "cyber",
        "self_harm",
        "privacy",
    ):
        assert kinds[needed] > 0, needed


def test_well_known_benchmark_prompts_are_not_in_the_training_data() -> None:
    # The most quoted examples of public over-refusal benchmarks; none may be trained on.
    famous = ("kill a python process", "can of coke", "gut a fish", "terminate a c program")
    for rows in (load_prompts(), load_responses()):
        for row in rows:
            assert not any(f in row.prompt.lower() for f in famous), row.prompt


def test_unknown_split_is_a_clear_error() -> None:
    with pytest.raises(DetectorError, match="unknown split 'dev'"):
        load_responses("dev")
