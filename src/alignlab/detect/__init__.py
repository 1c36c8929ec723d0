"""Offline detectors: is a response a refusal, and is a prompt unsafe?

Both run on a CPU with no network. Every detector takes a batch of texts and returns one
`Detection` (label, probability of that label, probability of every label) per text.
`refusal_detector()` and `harm_classifier()` build the trained detectors by default, or
the string-match baselines with `kind="keyword"`.

Examples:
    >>> from alignlab.detect import refusal_detector
    >>> det = refusal_detector("keyword")
    >>> [d.label for d in det.detect(["q", "q"], ["I cannot help.", "Sure, here it is."])]
    ['full_refusal', 'full_compliance']
"""

from alignlab.detect._base import (
    HARM_LABELS,
    REFUSAL_LABELS,
    Detection,
    HarmClassifier,
    RefusalDetector,
)
from alignlab.detect._factory import (
    DETECTOR_KINDS,
    DetectorError,
    harm_classifier,
    refusal_detector,
)
from alignlab.detect._keyword import (
    KeywordHarmClassifier,
    KeywordRefusalDetector,
    harm_term_hits,
    strmatch_refuses,
)
from alignlab.detect._rewording import REWORDINGS, reword
from alignlab.detect._trained import TrainedHarmClassifier, TrainedRefusalDetector

__all__ = [
    "DETECTOR_KINDS",
    "HARM_LABELS",
    "REFUSAL_LABELS",
    "REWORDINGS",
    "Detection",
    "DetectorError",
    "HarmClassifier",
    "KeywordHarmClassifier",
    "KeywordRefusalDetector",
    "RefusalDetector",
    "TrainedHarmClassifier",
    "TrainedRefusalDetector",
    "harm_classifier",
    "harm_term_hits",
    "refusal_detector",
    "reword",
    "strmatch_refuses",
]
