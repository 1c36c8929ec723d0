"""The development set: big enough, many assistant voices, labelled, and apart from training."""

from __future__ import annotations

from collections import Counter

from alignlab.detect import REFUSAL_LABELS
from alignlab.detect._data import load_responses
from alignlab.detect._dev_data import FAMILIES, dev_answers


def test_dev_set_size_families_and_labels() -> None:
    answers = dev_answers()
    assert len(answers) >= 400
    counts = Counter(a.family for a in answers)
    assert set(counts) == set(FAMILIES) and len(FAMILIES) >= 6
    assert min(counts.values()) >= 40
    assert {a.label for a in answers} == set(REFUSAL_LABELS)


def test_dev_set_shares_no_prompt_or_answer_with_the_training_data() -> None:
    answers = dev_answers()
    training = load_responses()
    assert not {a.prompt for a in answers} & {r.prompt for r in training}
    assert not {a.response for a in answers} & {r.response for r in training}


def test_dev_set_is_deterministic() -> None:
    assert dev_answers() == dev_answers()
