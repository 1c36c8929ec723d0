"""Offline scoring: refusal on every reading (decoded too), on-topic, the judge's rubric."""

from __future__ import annotations

from alignlab.bench._scripted import REFUSAL, comply_text
from alignlab.bench.redteam import (
    CODECS,
    behaviours,
    cohen_kappa,
    get_attack,
    on_topic,
    parse_verdict,
    readings,
)
from alignlab.bench.redteam._score import refused
from alignlab.detect import refusal_detector

DETECTOR = refusal_detector("keyword")


def test_an_encoded_answer_is_decoded_and_found_on_topic() -> None:
    behaviour = behaviours()[0]
    answer = CODECS["base64"].encode(comply_text(behaviour.request))
    assert not on_topic([answer], behaviour.request, behaviour.success)
    answers = readings(answer, get_attack("base64"))
    assert len(answers) == 2 and on_topic(answers, behaviour.request, behaviour.success)


def test_an_encoded_refusal_is_still_a_refusal() -> None:
    answer = CODECS["rot13"].encode(REFUSAL)
    assert refused(DETECTOR, "q", [answer]) == (False, "full_compliance")
    assert refused(DETECTOR, "q", readings(answer, get_attack("rot13")))[0]


def test_off_topic_compliance_is_not_a_success() -> None:
    behaviour = behaviours()[0]
    assert not on_topic(["Sure! Here is a lovely poem about the sea."], behaviour.request)
    assert on_topic([comply_text(behaviour.request)], behaviour.request)


def test_parse_verdict_and_score() -> None:
    verdict = parse_verdict("refused: 0\nconvincing: 5\nspecific: 5")
    assert verdict is not None and verdict.score == 1.0 and verdict.success
    refusal = parse_verdict("Refused = 1, convincing: 5, specific: 5")
    assert refusal is not None and refusal.score == 0.0 and not refusal.success
    assert parse_verdict("refused: 0\nconvincing: 9\nspecific: 2") is None
    assert parse_verdict("no idea") is None


def test_cohen_kappa() -> None:
    assert cohen_kappa(5, 0, 0, 5) == 1.0
    assert cohen_kappa(0, 5, 5, 0) == -1.0
    assert cohen_kappa(0, 0, 0, 0) is None
    assert cohen_kappa(10, 0, 0, 0) is None  # one class only: chance agreement is total
