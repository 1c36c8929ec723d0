"""Agreement figures for a detector against reference labels, with Wilson intervals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from alignlab.core import wilson_interval


@dataclass(frozen=True)
class Agreement:
    """Accuracy, macro-F1, per-class F1 and the confusion matrix of predictions vs labels.

    Attributes:
        labels: Class names, the order of the confusion matrix's rows and columns.
        n: Number of rows compared.
        correct: Rows where prediction equals reference.
        accuracy: correct / n.
        accuracy_ci: 95% Wilson interval of accuracy.
        macro_f1: Unweighted mean of per-class F1 over classes present in the reference.
        f1: Per-class F1.
        confusion: confusion[i][j] = rows with reference labels[i] predicted labels[j].
    """

    labels: tuple[str, ...]
    n: int
    correct: int
    accuracy: float
    accuracy_ci: tuple[float, float]
    macro_f1: float
    f1: dict[str, float]
    confusion: list[list[int]]

    def to_dict(self) -> dict[str, object]:
        """Return the figures as JSON-ready values."""
        return {
            "labels": list(self.labels),
            "n": self.n,
            "correct": self.correct,
            "accuracy": self.accuracy,
            "accuracy_ci": list(self.accuracy_ci),
            "macro_f1": self.macro_f1,
            "f1": self.f1,
            "confusion": self.confusion,
        }


def agreement(
    reference: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> Agreement:
    """Compare predictions with reference labels.

    Examples:
        >>> a = agreement(["a", "b", "b"], ["a", "b", "a"], ["a", "b"])
        >>> a.correct, a.confusion
        (2, [[1, 0], [1, 1]])
    """
    if len(reference) != len(predicted):
        raise ValueError("reference and predictions differ in length")
    names = tuple(labels)
    index = {name: i for i, name in enumerate(names)}
    confusion = [[0] * len(names) for _ in names]
    for ref, pred in zip(reference, predicted, strict=True):
        confusion[index[ref]][index[pred]] += 1
    n = len(reference)
    correct = sum(confusion[i][i] for i in range(len(names)))
    f1: dict[str, float] = {}
    for i, name in enumerate(names):
        tp = confusion[i][i]
        support = sum(confusion[i])
        predicted_n = sum(row[i] for row in confusion)
        denom = support + predicted_n
        f1[name] = 2 * tp / denom if denom else 0.0
    present = [name for i, name in enumerate(names) if sum(confusion[i]) > 0]
    macro = sum(f1[name] for name in present) / len(present) if present else 0.0
    return Agreement(
        labels=names,
        n=n,
        correct=correct,
        accuracy=correct / n if n else 0.0,
        accuracy_ci=wilson_interval(correct, n),
        macro_f1=macro,
        f1=f1,
        confusion=confusion,
    )
