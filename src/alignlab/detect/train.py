"""Train the detectors' heads on the shipped data: `python -m alignlab.detect.train`.

Deterministic: the embeddings are deterministic, the heads are fitted by L-BFGS from
zeros, and the only choices (L2 strength, calibration temperature) are made on the
validation split. The held-out `test` split is never read here. Writes
`heads/refusal.npz`, `heads/harm.npz` and `heads/training.json` (validation figures and
the choices made).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from alignlab.detect._base import HARM_LABELS, REFUSAL_LABELS
from alignlab.detect._data import Example, SegmentRow, load_prompts, load_segment_roles
from alignlab.detect._embed import MiniLMEmbedder
from alignlab.detect._harm_model import INTENT_NAMES, PROMPT_HASH_DIM, HarmHead, harm_design
from alignlab.detect._linear import (
    LinearHead,
    fit_linear_head,
    fit_sparse_softmax,
    fit_temperature,
    softmax,
)
from alignlab.detect._metrics import agreement
from alignlab.detect._refusal_model import SEGMENT_ROLES, SegmentHead
from alignlab.detect._segments import content_words, hash_segments, segment
from alignlab.detect._trained import HARM_MAX_TOKENS, OPENING_EMBEDDING, refusal_inputs

HEADS_DIR = Path(__file__).parent / "heads"
L2_GRID: tuple[float, ...] = (1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0)
"""L2 strengths tried; the one with the best validation macro-F1 is kept."""


def _fit(
    name: str,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    labels: Sequence[str],
) -> tuple[LinearHead, dict[str, object]]:
    counts = np.bincount(y_train, minlength=len(labels)).astype(float)
    class_weight = counts.sum() / (len(labels) * np.maximum(counts, 1.0))
    best: tuple[float, float, LinearHead] | None = None
    tried = []
    for l2 in L2_GRID:
        head = fit_linear_head(x_train, y_train, len(labels), l2, class_weight)
        pred = head.logits(x_val).argmax(axis=1)
        figures = agreement([labels[i] for i in y_val], [labels[i] for i in pred], labels)
        tried.append({"l2": l2, "val_macro_f1": figures.macro_f1})
        if best is None or figures.macro_f1 > best[0] + 1e-9:
            best = (figures.macro_f1, l2, head)
    assert best is not None
    _, l2, head = best
    head = head.with_temperature(fit_temperature(head.logits(x_val), y_val))
    probs = head.predict_proba(x_val)
    val = agreement([labels[i] for i in y_val], [labels[i] for i in probs.argmax(axis=1)], labels)
    report = {
        "head": name,
        "labels": list(labels),
        "n_train": len(y_train),
        "n_val": len(y_val),
        "features": int(x_train.shape[1]),
        "l2": l2,
        "l2_tried": tried,
        "temperature": head.temperature,
        "val": val.to_dict(),
        "val_nll": float(-np.mean(np.log(probs[np.arange(len(y_val)), y_val] + 1e-12))),
    }
    return head, report


def _ids(examples: Sequence[Example], labels: Sequence[str]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    return np.array([index[e.label] for e in examples], dtype=np.int64)


SEGMENT_L2 = 1e-5
"""L2 strength of the segment head (per segment; the hashed table is wide and sparse)."""


def _segment_training_set(
    rows: Sequence[SegmentRow],
) -> tuple[list[str], list[frozenset[str]], np.ndarray]:
    """Cut every generated block into segments; each segment inherits its block's role."""
    texts: list[str] = []
    topics: list[frozenset[str]] = []
    roles: list[int] = []
    index = {role: i for i, role in enumerate(SEGMENT_ROLES)}
    seen: set[tuple[str, str, str]] = set()
    for prompt, _, _, blocks, _ in rows:
        words = content_words(prompt)
        for text, role in blocks:
            for seg in segment(text):
                if (prompt, seg, role) in seen:
                    continue
                seen.add((prompt, seg, role))
                texts.append(seg)
                topics.append(words)
                roles.append(index[role])
    return texts, topics, np.array(roles, dtype=np.int64)


def fit_segment_head(
    rows: Sequence[SegmentRow],
) -> SegmentHead:
    """Fit the segment-role head on the blocks of generated answers."""
    texts, topics, roles = _segment_training_set(rows)
    counts = np.bincount(roles, minlength=len(SEGMENT_ROLES)).astype(float)
    weight = counts.sum() / (len(SEGMENT_ROLES) * np.maximum(counts, 1.0))
    weights, bias = fit_sparse_softmax(
        hash_segments(texts, topics), roles, len(SEGMENT_ROLES), SEGMENT_L2, weight
    )
    return SegmentHead(weights.astype(np.float32), bias)


def _refusal_matrix(
    head: SegmentHead,
    embedder: MiniLMEmbedder,
    rows: Sequence[SegmentRow],
) -> np.ndarray:
    prompts = [r[0] for r in rows]
    responses = [r[1] for r in rows]
    return refusal_inputs(head, embedder if OPENING_EMBEDDING else None, prompts, responses)


def train_refusal(embedder: MiniLMEmbedder, out_dir: Path) -> dict[str, object]:
    """Fit the segment head, then the answer head on out-of-fold segment scores.

    The answer head must see segment scores as they look on *unseen* answers, so the
    training answers are scored by segment heads fitted on the other half of the styles
    (two folds); the shipped segment head is then refitted on all training answers.
    """
    train_rows, val_rows = load_segment_roles("train"), load_segment_roles("val")
    # Folds by style: out-of-fold scores then look like scores on unseen styles, so the
    # answer head learns how far to trust the segment head on wordings it never saw.
    styles = sorted({r[4] for r in train_rows})
    fold_of = {style: i % 2 for i, style in enumerate(styles)}
    folds = [[r for r in train_rows if fold_of[r[4]] == k] for k in (0, 1)]
    parts: list[np.ndarray] = []
    labels: list[str] = []
    for k in (0, 1):
        head_k = fit_segment_head(folds[1 - k])
        parts.append(_refusal_matrix(head_k, embedder, folds[k]))
        labels.extend(r[2] for r in folds[k])
    seg_head = fit_segment_head(train_rows)
    seg_head.save(out_dir / "refusal_segments.npz")
    x_val = _refusal_matrix(seg_head, embedder, val_rows)
    index = {label: i for i, label in enumerate(REFUSAL_LABELS)}
    head, rep = _fit(
        "refusal",
        np.vstack(parts),
        np.array([index[lab] for lab in labels], dtype=np.int64),
        x_val,
        np.array([index[r[2]] for r in val_rows], dtype=np.int64),
        REFUSAL_LABELS,
    )
    head.save(out_dir / "refusal.npz")
    rep["segment_head"] = {"l2": SEGMENT_L2, "hash_dim": int(seg_head.weights.shape[0])}
    return rep


MAX_SAFE_FLAGGED = 0.08
"""Share of safe validation prompts the harm head may flag (the issue's target)."""

HARM_L2_GRID: tuple[float, ...] = (3e-4, 1e-3, 3e-3)
"""L2 strengths tried for the harm head; the best validation macro-F1 is kept."""


def _cap_false_alarms(
    head: HarmHead, logits: np.ndarray, y_val: np.ndarray
) -> tuple[HarmHead, float]:
    """Raise the unsafe threshold until at most `MAX_SAFE_FLAGGED` of safe val prompts flag.

    `logits` are the head's uncalibrated validation logits. The threshold is folded into
    the bias (so the arg-max label applies it) and the temperature is refitted. Returns
    the new head and the threshold on the uncalibrated scale (0.5 if none was needed).
    """
    p_unsafe = softmax(logits)[:, 1]
    safe = np.sort(p_unsafe[y_val == 0])
    threshold = 0.5
    k = int(np.floor(MAX_SAFE_FLAGGED * len(safe)))
    if len(safe) and np.mean(safe > 0.5) > MAX_SAFE_FLAGGED:
        threshold = float(safe[len(safe) - k - 1]) + 1e-6
    bias = head.bias.copy()
    bias[1] -= float(np.log(threshold / (1.0 - threshold)))
    shifted = logits.copy()
    shifted[:, 1] -= float(np.log(threshold / (1.0 - threshold)))
    return head.replace(bias=bias, temperature=fit_temperature(shifted, y_val)), threshold


def train_harm(embedder: MiniLMEmbedder, out_dir: Path) -> dict[str, object]:
    """Fit the harm head (embedding, hashed words, intent cues) and write `harm.npz`.

    The L2 strength is chosen by validation macro-F1; then the unsafe threshold is raised
    on validation until at most `MAX_SAFE_FLAGGED` of safe prompts flag, and a temperature
    is fitted on validation. The hashed weights are rounded to float16 before these
    choices, as they are shipped.
    """
    tr, va = load_prompts("train"), load_prompts("val")
    prompts_tr, prompts_va = [e.prompt for e in tr], [e.prompt for e in va]
    emb_tr = embedder.embed(prompts_tr, max_tokens=HARM_MAX_TOKENS)
    emb_va = embedder.embed(prompts_va, max_tokens=HARM_MAX_TOKENS)
    y_tr, y_va = _ids(tr, HARM_LABELS), _ids(va, HARM_LABELS)
    design = harm_design(emb_tr, prompts_tr)
    counts = np.bincount(y_tr, minlength=2).astype(float)
    class_weight = counts.sum() / (2 * np.maximum(counts, 1.0))
    best: tuple[float, float, HarmHead] | None = None
    tried = []
    for l2 in HARM_L2_GRID:
        weights, bias = fit_sparse_softmax(design, y_tr, 2, l2, class_weight)
        head = HarmHead.from_stacked(weights, bias, emb_tr.shape[1])
        head = HarmHead.from_arrays(_f16_round_trip(head))
        pred = head.logits(emb_va, prompts_va).argmax(axis=1)
        fig = agreement([HARM_LABELS[i] for i in y_va], [HARM_LABELS[i] for i in pred], HARM_LABELS)
        tried.append({"l2": l2, "val_macro_f1": fig.macro_f1, "val_accuracy": fig.accuracy})
        if best is None or fig.macro_f1 > best[0] + 1e-9:
            best = (fig.macro_f1, l2, head)
    assert best is not None
    _, l2, head = best
    head, threshold = _cap_false_alarms(head, head.logits(emb_va, prompts_va), y_va)
    probs = head.predict_proba(emb_va, prompts_va)
    val = agreement(
        [HARM_LABELS[i] for i in y_va], [HARM_LABELS[i] for i in probs.argmax(axis=1)], HARM_LABELS
    )
    head.save(out_dir / "harm.npz")
    return {
        "head": "harm",
        "labels": list(HARM_LABELS),
        "n_train": len(y_tr),
        "n_val": len(y_va),
        "features": {
            "embedding": int(emb_tr.shape[1]),
            "hashed": PROMPT_HASH_DIM,
            "intent_cues": list(INTENT_NAMES),
        },
        "l2": l2,
        "l2_tried": tried,
        "safe_flag_threshold": threshold,
        "temperature": head.temperature,
        "val": val.to_dict(),
        "val_nll": float(-np.mean(np.log(probs[np.arange(len(y_va)), y_va] + 1e-12))),
    }


def _f16_round_trip(head: HarmHead) -> dict[str, np.ndarray]:
    """The arrays of `head` as `HarmHead.save` stores them (hashed weights in float16)."""
    return {
        "embed_weights": head.embed_weights.astype(np.float32),
        "hash_weights": head.hash_weights.astype(np.float16),
        "cue_weights": head.cue_weights,
        "bias": head.bias,
        "temperature": np.array(head.temperature),
    }


def train(out_dir: Path = HEADS_DIR, heads: str = "all") -> dict[str, object]:
    """Fit the heads (`all`, `refusal` or `harm`), write them to `out_dir`, return the report.

    Fitting one kind keeps the other's entry of an existing `training.json`.
    """
    embedder = MiniLMEmbedder()
    out_dir.mkdir(parents=True, exist_ok=True)
    report: dict[str, object] = {}
    if heads != "all" and (out_dir / "training.json").is_file():
        report = json.loads((out_dir / "training.json").read_text())
    if heads in ("all", "refusal"):
        report["refusal"] = train_refusal(embedder, out_dir)
    if heads == "refusal":
        (out_dir / "training.json").write_text(json.dumps(report, indent=2) + "\n")
        return report

    rep = train_harm(embedder, out_dir)
    report["harm"] = rep
    (out_dir / "training.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=HEADS_DIR, help="where to write the heads")
    parser.add_argument(
        "--heads", choices=("all", "refusal", "harm"), default="all", help="which heads to fit"
    )
    args = parser.parse_args(argv)
    report = train(args.out, args.heads)
    for name in ("refusal", "harm"):
        rep = report[name]
        assert isinstance(rep, dict)
        val = rep["val"]
        assert isinstance(val, dict)
        print(
            f"{name}: l2={rep['l2']} T={rep['temperature']:.2f} "
            f"val accuracy={val['accuracy']:.3f} macro-F1={val['macro_f1']:.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
