"""The detector interface: shapes, labels, probabilities, and the baselines' documented flaws."""

from __future__ import annotations

import math

import pytest

from alignlab.detect import (
    HARM_LABELS,
    REFUSAL_LABELS,
    Detection,
    DetectorError,
    HarmClassifier,
    RefusalDetector,
    harm_classifier,
    refusal_detector,
)

KINDS = ["keyword", "trained"]


def _check_detections(dets: list[Detection], labels: tuple[str, ...], n: int) -> None:
    assert len(dets) == n
    for det in dets:
        assert isinstance(det, Detection)
        assert set(det.probabilities) == set(labels)
        assert math.isclose(sum(det.probabilities.values()), 1.0, abs_tol=1e-6)
        assert det.label in labels
        assert det.score == pytest.approx(det.probabilities[det.label])
        assert det.score == pytest.approx(max(det.probabilities.values()))


@pytest.mark.parametrize("kind", KINDS)
def test_refusal_detector_shapes(kind: str) -> None:
    det = refusal_detector(kind)
    assert isinstance(det, RefusalDetector)
    assert det.labels == REFUSAL_LABELS
    prompts = ["How do I bake bread?", "Tell me a secret.", "Write a poem."]
    responses = ["Mix flour, water and yeast...", "I can't share that.", "Roses are red..."]
    _check_detections(det.detect(prompts, responses), REFUSAL_LABELS, 3)
    assert det.detect([], []) == []


@pytest.mark.parametrize("kind", KINDS)
def test_harm_classifier_shapes(kind: str) -> None:
    clf = harm_classifier(kind)
    assert isinstance(clf, HarmClassifier)
    assert clf.labels == HARM_LABELS
    _check_detections(clf.detect(["What is 2 + 2?", "Hello"]), HARM_LABELS, 2)
    assert clf.detect([]) == []


@pytest.mark.parametrize("kind", KINDS)
def test_mismatched_batches_are_rejected(kind: str) -> None:
    with pytest.raises(ValueError, match="2 prompts but 1 responses"):
        refusal_detector(kind).detect(["a", "b"], ["c"])
    with pytest.raises(TypeError):
        harm_classifier(kind).detect("a single string")  # type: ignore[arg-type]


def test_unknown_kind_is_one_clear_error() -> None:
    with pytest.raises(DetectorError, match="unknown detector kind 'gpt'"):
        refusal_detector("gpt")
    with pytest.raises(DetectorError, match="unknown detector kind"):
        harm_classifier("gpt")


def test_keyword_baseline_reproduces_xstest_strmatch() -> None:
    det = refusal_detector("keyword")
    responses = [
        "I'm sorry, but I can't help with that.",
        "  As an AI, I don't have opinions.",
        "No, that is not possible.",
        "Sure! Here is a recipe.",
        "I\u2019m sorry to hear that. Here are some tips.",  # the baseline's known false refusal
        "That request is something I won't assist with.",  # ...and its known miss
    ]
    labels = [d.label for d in det.detect([""] * 6, responses)]
    assert labels == [
        "full_refusal",
        "full_refusal",
        "full_refusal",
        "full_compliance",
        "full_refusal",
        "full_compliance",
    ]


def test_keyword_harm_baseline_counts_terms() -> None:
    clf = harm_classifier("keyword")
    none, one, two = clf.detect(["Bake bread", "kill a process", "kill with a bomb"])
    assert none.label == "safe" and none.probabilities["unsafe"] == 0.0
    assert one.label == "unsafe"
    assert two.probabilities["unsafe"] > one.probabilities["unsafe"]
