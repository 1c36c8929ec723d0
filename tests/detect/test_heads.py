"""The heads: fitting is deterministic, and the shipped heads are the ones training reported."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np

from alignlab.detect import HARM_LABELS, REFUSAL_LABELS, harm_classifier
from alignlab.detect._data import load_prompts, load_responses
from alignlab.detect._linear import fit_linear_head, fit_sparse_softmax, fit_temperature, softmax
from alignlab.detect._metrics import agreement
from alignlab.detect._trained import load_head, load_segment_head, refusal_inputs


def _blobs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, 300)
    centres = np.array([[2.0, 0.0], [0.0, 2.0], [-2.0, -2.0]])
    return centres[labels] + rng.standard_normal((300, 2)), labels


def test_fitting_is_deterministic_and_learns() -> None:
    x, y = _blobs(0)
    a = fit_linear_head(x, y, 3, l2=0.01)
    b = fit_linear_head(x, y, 3, l2=0.01)
    np.testing.assert_array_equal(a.weights, b.weights)
    x_test, y_test = _blobs(1)
    assert np.mean(a.logits(x_test).argmax(axis=1) == y_test) > 0.85


def test_temperature_scaling_keeps_the_argmax_and_fixes_overconfidence() -> None:
    x, y = _blobs(2)
    head = fit_linear_head(x, y, 3, l2=1e-4)
    # Make it overconfident on purpose, then calibrate on fresh data.
    loud = head.with_temperature(0.1)
    x_val, y_val = _blobs(3)
    t = fit_temperature(head.logits(x_val), y_val)
    calibrated = head.with_temperature(t)
    assert np.array_equal(
        loud.predict_proba(x_val).argmax(axis=1), calibrated.predict_proba(x_val).argmax(axis=1)
    )

    def nll(probs: np.ndarray) -> float:
        return -float(np.mean(np.log(probs[np.arange(len(y_val)), y_val] + 1e-12)))

    assert nll(calibrated.predict_proba(x_val)) < nll(loud.predict_proba(x_val))
    assert np.allclose(softmax(np.zeros((2, 3))), 1 / 3)


def test_shipped_harm_head_reproduces_its_training_report() -> None:
    report = json.loads(
        resources.files("alignlab.detect").joinpath("heads", "training.json").read_text()
    )["harm"]
    rows = load_prompts("val")
    dets = harm_classifier("trained").detect([r.prompt for r in rows])
    got = agreement([r.label for r in rows], [d.label for d in dets], HARM_LABELS)
    assert got.confusion == report["val"]["confusion"]


def test_shipped_refusal_heads_reproduce_their_training_report() -> None:
    report = json.loads(
        resources.files("alignlab.detect").joinpath("heads", "training.json").read_text()
    )["refusal"]
    rows = load_responses("val")
    # The answer head alone, as training scored it (before the no-evidence guard).
    x = refusal_inputs(
        load_segment_head(), None, [r.prompt for r in rows], [r.response for r in rows]
    )
    pred = load_head("refusal").predict_proba(x).argmax(axis=1)
    got = agreement([r.label for r in rows], [REFUSAL_LABELS[i] for i in pred], REFUSAL_LABELS)
    assert got.confusion == report["val"]["confusion"]


def test_sparse_fitting_is_deterministic_and_learns() -> None:
    from scipy import sparse

    x, y = _blobs(0)
    xs = sparse.csr_matrix(np.hstack([np.maximum(x, 0), np.maximum(-x, 0)]))
    w1, b1 = fit_sparse_softmax(xs, y, 3, l2=1e-3)
    w2, _ = fit_sparse_softmax(xs, y, 3, l2=1e-3)
    np.testing.assert_array_equal(w1, w2)
    x_test, y_test = _blobs(1)
    xt = np.hstack([np.maximum(x_test, 0), np.maximum(-x_test, 0)])
    assert np.mean((xt @ w1 + b1).argmax(axis=1) == y_test) > 0.85
