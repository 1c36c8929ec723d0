"""A small softmax-regression head with temperature scaling, fitted and run in NumPy.

Training uses SciPy's L-BFGS on the L2-penalised cross-entropy (deterministic: no random
initialisation, no mini-batches). Calibration divides the logits by one temperature fitted
on the validation split, which keeps the arg-max and makes probabilities honest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, numerically stable."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


@dataclass(frozen=True)
class LinearHead:
    """Standardise features, apply one linear layer, divide by a temperature, softmax.

    Attributes:
        mean: Per-feature mean used for standardising.
        scale: Per-feature standard deviation used for standardising.
        weights: (n_features, n_classes) weight matrix.
        bias: (n_classes,) bias.
        temperature: Calibration temperature (> 0) fitted on validation data.
    """

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    temperature: float = 1.0

    def logits(self, features: np.ndarray) -> np.ndarray:
        """Uncalibrated logits, (n, n_classes)."""
        z = (np.asarray(features, dtype=np.float64) - self.mean) / self.scale
        return np.asarray(z @ self.weights + self.bias)

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities, (n, n_classes)."""
        return softmax(self.logits(features) / self.temperature)

    def with_temperature(self, temperature: float) -> LinearHead:
        """Return the same head with another calibration temperature."""
        return LinearHead(self.mean, self.scale, self.weights, self.bias, float(temperature))

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Arrays to save with `numpy.savez`."""
        return {
            "mean": self.mean,
            "scale": self.scale,
            "weights": self.weights,
            "bias": self.bias,
            "temperature": np.array(self.temperature),
        }

    def save(self, path: Path) -> None:
        """Write the head as a small `.npz` file."""
        np.savez(
            path,
            mean=self.mean,
            scale=self.scale,
            weights=self.weights,
            bias=self.bias,
            temperature=np.array(self.temperature),
        )

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> LinearHead:
        """Rebuild a head from `to_arrays()` output (e.g. a loaded `.npz`)."""
        return cls(
            mean=np.asarray(arrays["mean"], dtype=np.float64),
            scale=np.asarray(arrays["scale"], dtype=np.float64),
            weights=np.asarray(arrays["weights"], dtype=np.float64),
            bias=np.asarray(arrays["bias"], dtype=np.float64),
            temperature=float(arrays["temperature"]),
        )


def fit_linear_head(
    features: np.ndarray,
    labels: np.ndarray,
    n_classes: int,
    l2: float,
    class_weight: np.ndarray | None = None,
) -> LinearHead:
    """Fit an L2-penalised softmax regression (deterministic L-BFGS from zeros).

    Args:
        features: (n, d) training features.
        labels: (n,) integer class ids in [0, n_classes).
        n_classes: Number of classes.
        l2: Penalty on the squared weights (not the bias), per training example.
        class_weight: Optional (n_classes,) weights to balance rare classes.
    """
    from scipy.optimize import minimize

    x = np.asarray(features, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = (x - mean) / scale
    n, d = z.shape
    onehot = np.eye(n_classes)[labels]
    w_row = np.ones(n) if class_weight is None else class_weight[labels]
    w_row = w_row / w_row.sum()

    def loss_and_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        weights = theta[: d * n_classes].reshape(d, n_classes)
        bias = theta[d * n_classes :]
        probs = softmax(z @ weights + bias)
        loss = -float(np.sum(w_row * np.log(np.sum(probs * onehot, axis=1) + 1e-12)))
        loss += 0.5 * l2 * float(np.sum(weights * weights))
        delta = (probs - onehot) * w_row[:, None]
        grad_w = z.T @ delta + l2 * weights
        grad_b = delta.sum(axis=0)
        return loss, np.concatenate([grad_w.ravel(), grad_b])

    theta0 = np.zeros(d * n_classes + n_classes)
    result = minimize(loss_and_grad, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    theta = result.x
    return LinearHead(
        mean=mean,
        scale=scale,
        weights=theta[: d * n_classes].reshape(d, n_classes),
        bias=theta[d * n_classes :],
    )


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Return the temperature minimising negative log-likelihood on held-aside data."""
    from scipy.optimize import minimize_scalar

    def nll(log_t: float) -> float:
        probs = softmax(logits / np.exp(log_t))
        return -float(np.mean(np.log(probs[np.arange(len(labels)), labels] + 1e-12)))

    result = minimize_scalar(nll, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(result.x))


def fit_sparse_softmax(
    features: Any,
    labels: np.ndarray,
    n_classes: int,
    l2: float,
    class_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Fit an L2-penalised softmax regression on a sparse matrix (no standardising).

    Used for the segment head over hashed words, where standardising would destroy the
    sparsity. Deterministic L-BFGS from zeros. Returns (weights (d, k), bias (k,)).
    """
    from scipy.optimize import minimize

    x = features.tocsr()
    n, d = x.shape
    onehot = np.eye(n_classes)[labels]
    w_row = np.ones(n) if class_weight is None else class_weight[labels]
    w_row = w_row / w_row.sum()
    xt = x.T.tocsr()

    def loss_and_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        weights = theta[: d * n_classes].reshape(d, n_classes)
        bias = theta[d * n_classes :]
        probs = softmax(np.asarray(x @ weights) + bias)
        loss = -float(np.sum(w_row * np.log(np.sum(probs * onehot, axis=1) + 1e-12)))
        loss += 0.5 * l2 * float(np.sum(weights * weights))
        delta = (probs - onehot) * w_row[:, None]
        grad_w = np.asarray(xt @ delta) + l2 * weights
        return loss, np.concatenate([grad_w.ravel(), delta.sum(axis=0)])

    theta0 = np.zeros(d * n_classes + n_classes)
    result = minimize(loss_and_grad, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    theta = result.x
    return theta[: d * n_classes].reshape(d, n_classes), theta[d * n_classes :]
