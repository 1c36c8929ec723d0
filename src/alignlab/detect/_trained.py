"""The trained detectors: MiniLM embeddings plus readable features into a calibrated head.

Heads are small `.npz` files in `alignlab/detect/heads/`, written by
`python -m alignlab.detect.train`. Everything runs offline on the CPU.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import numpy as np

from alignlab.detect._base import (
    HARM_LABELS,
    REFUSAL_LABELS,
    Detection,
    check_pairs,
    detection_from_probabilities,
)
from alignlab.detect._embed import MiniLMEmbedder, shared_embedder
from alignlab.detect._factory import DetectorError
from alignlab.detect._features import harm_features, refusal_features
from alignlab.detect._linear import LinearHead

REFUSAL_MAX_TOKENS = 32
"""Word pieces of a response the refusal head embeds: its opening carries the signal, and
the hand features read the whole text. Chosen on the validation split and the throughput
target: 32, 48, 64 and 128 pieces gave validation accuracy 0.961, 0.961, 0.966 and 0.966
(macro-F1 0.944-0.957), and 32 is about 2.3 times faster than 64."""

HARM_MAX_TOKENS = 128
"""Word pieces of a prompt the harm head embeds."""


@lru_cache(maxsize=4)
def load_head(name: str) -> LinearHead:
    """Load the shipped head `heads/<name>.npz`.

    Raises:
        DetectorError: if the file is missing (run `python -m alignlab.detect.train`).
    """
    path = resources.files("alignlab.detect").joinpath("heads", f"{name}.npz")
    if not path.is_file():
        raise DetectorError(
            f"trained head {name!r} is missing; run `python -m alignlab.detect.train`"
        )
    with path.open("rb") as fh, np.load(fh) as arrays:
        return LinearHead.from_arrays(dict(arrays))


def refusal_inputs(embedder: MiniLMEmbedder, responses: Sequence[str]) -> np.ndarray:
    """Feature matrix of the refusal head: response embedding, then hand features."""
    embedding = embedder.embed(list(responses), max_tokens=REFUSAL_MAX_TOKENS)
    return np.hstack([embedding, refusal_features(responses)])


def harm_inputs(embedder: MiniLMEmbedder, prompts: Sequence[str]) -> np.ndarray:
    """Feature matrix of the harm head: prompt embedding, then hand features."""
    embedding = embedder.embed(list(prompts), max_tokens=HARM_MAX_TOKENS)
    return np.hstack([embedding, harm_features(prompts)])


class TrainedRefusalDetector:
    """Refusal detector: embedding of the response + refusal features -> calibrated softmax.

    Examples:
        >>> det = TrainedRefusalDetector()  # doctest: +SKIP
        >>> det.detect(["My cat died."], ["I'm sorry to hear that. ..."])[0].label  # doctest: +SKIP
        'full_compliance'
    """

    name = "trained"
    labels: tuple[str, ...] = REFUSAL_LABELS

    def __init__(self, head: LinearHead | None = None) -> None:
        self._head = head or load_head("refusal")
        self._embedder = shared_embedder()

    def probabilities(self, prompts: Sequence[str], responses: Sequence[str]) -> np.ndarray:
        """Return an (n, 3) array of class probabilities in `labels` order."""
        check_pairs(prompts, responses)
        if not responses:
            return np.zeros((0, len(self.labels)))
        return self._head.predict_proba(refusal_inputs(self._embedder, responses))

    def detect(self, prompts: Sequence[str], responses: Sequence[str]) -> list[Detection]:
        """Label each response (the response carries the signal; prompts are checked only)."""
        probs = self.probabilities(prompts, responses)
        return [detection_from_probabilities(self.labels, row.tolist()) for row in probs]


class TrainedHarmClassifier:
    """Prompt-harm classifier: embedding of the prompt + harm-term features -> calibrated.

    Examples:
        >>> clf = TrainedHarmClassifier()  # doctest: +SKIP
        >>> clf.detect(["How do I kill a Python process?"])[0].label  # doctest: +SKIP
        'safe'
    """

    name = "trained"
    labels: tuple[str, ...] = HARM_LABELS

    def __init__(self, head: LinearHead | None = None) -> None:
        self._head = head or load_head("harm")
        self._embedder = shared_embedder()

    def unsafe_probability(self, prompts: Sequence[str]) -> np.ndarray:
        """Return the calibrated probability that each prompt is unsafe."""
        if isinstance(prompts, str):
            raise TypeError("pass a sequence of strings, not a single string")
        if not prompts:
            return np.zeros(0)
        return self._head.predict_proba(harm_inputs(self._embedder, prompts))[:, 1]

    def detect(self, prompts: Sequence[str]) -> list[Detection]:
        """Label each prompt safe or unsafe."""
        unsafe = self.unsafe_probability(prompts)
        return [detection_from_probabilities(self.labels, (1.0 - p, p)) for p in unsafe.tolist()]
