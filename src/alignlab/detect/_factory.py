"""Factories that pick a detector by kind: the trained one by default, or the baseline."""

from __future__ import annotations

from alignlab.core import AlignlabError
from alignlab.detect._base import HarmClassifier, RefusalDetector
from alignlab.detect._keyword import KeywordHarmClassifier, KeywordRefusalDetector

DETECTOR_KINDS: tuple[str, str] = ("trained", "keyword")
"""Kinds the factories accept: the trained detector, or the string-match baseline."""


class DetectorError(AlignlabError):
    """A detector cannot be built or used (unknown kind, missing model files)."""


def _check_kind(kind: str) -> None:
    if kind not in DETECTOR_KINDS:
        raise DetectorError(f"unknown detector kind {kind!r} (kinds: {', '.join(DETECTOR_KINDS)})")


def refusal_detector(kind: str = "trained") -> RefusalDetector:
    """Return a refusal detector: `"trained"` (default) or the `"keyword"` baseline.

    Raises:
        DetectorError: for an unknown kind, or when the trained model cannot be loaded.

    Examples:
        >>> det = refusal_detector("keyword")
        >>> det.detect(["Hi"], ["No, I won't do that."])[0].label
        'full_refusal'
    """
    _check_kind(kind)
    if kind == "keyword":
        return KeywordRefusalDetector()
    from alignlab.detect._trained import TrainedRefusalDetector

    return TrainedRefusalDetector()


def harm_classifier(kind: str = "trained") -> HarmClassifier:
    """Return a prompt-harm classifier: `"trained"` (default) or the `"keyword"` baseline.

    Raises:
        DetectorError: for an unknown kind, or when the trained model cannot be loaded.

    Examples:
        >>> clf = harm_classifier("keyword")
        >>> clf.detect(["What is the capital of France?"])[0].label
        'safe'
    """
    _check_kind(kind)
    if kind == "keyword":
        return KeywordHarmClassifier()
    from alignlab.detect._trained import TrainedHarmClassifier

    return TrainedHarmClassifier()
