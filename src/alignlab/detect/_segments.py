"""Cut an answer into segments (clauses, sentences, list items, code blocks) and hash them.

The refusal detector scores each segment, then aggregates: a long, polite refusal is
many segments of which none attempts the request; a partial refusal has a refusing
segment *and* an attempting one. Segments are what `--explain` points at.

The hashed bag of words is deterministic (CRC-32, not Python's salted `hash`), so
training and inference agree across processes.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np

MAX_SEGMENTS = 40
"""Segments kept per answer: the first 30 and the last 10 (the middle of a very long
answer repeats what its opening and closing already show)."""

HASH_DIM = 1 << 17
"""Buckets of the hashed word and word-pair features."""

_CODE = re.compile(r"```.*?(?:```|$)", re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+(?=[^\sa-z])")
_WORD = re.compile(r"[a-z0-9']+|[^\sa-z0-9]")
_CLAUSE = re.compile(r",\s+(?=(?:but|however|though|that said|yet)\b)", re.I)
_LIST_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*•]|- \[ \])\s+")


def _normalise(text: str) -> str:
    return (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )


def segment(text: str) -> list[str]:
    r"""Split an answer into segments: code blocks whole, lines, sentences, ", but" clauses.

    Example:
        >>> segment("I can't help with that. But here is how it works:\n1. Mix.\n2. Bake.")
        ["I can't help with that.", 'But here is how it works:', '1. Mix.', '2. Bake.']
    """
    text = _normalise(text)
    out: list[str] = []
    pos = 0
    pieces: list[tuple[str, bool]] = []
    for match in _CODE.finditer(text):
        pieces.append((text[pos : match.start()], False))
        pieces.append((match.group(0), True))
        pos = match.end()
    pieces.append((text[pos:], False))
    for piece, is_code in pieces:
        if is_code:
            if piece.strip():
                out.append(piece.strip())
            continue
        for line in piece.split("\n"):
            line = line.strip()
            if not line:
                continue
            for sentence in _SENTENCE_END.split(line):
                # "I can't do X, but here is Y": the two clauses play different roles.
                out.extend(c.strip() for c in _CLAUSE.split(sentence) if c.strip())
    if len(out) > MAX_SEGMENTS:
        out = out[:30] + out[-10:]
    return out or [text.strip()]


def _bucket(token: str) -> int:
    return zlib.crc32(token.encode("utf-8")) & (HASH_DIM - 1)


def segment_tokens(seg: str, topic: frozenset[str] = frozenset()) -> list[str]:
    """Hashed-feature tokens of one segment: words, word pairs, the opening and shape marks.

    Words of the request (`topic`, from `content_words(prompt)`) become the token `@topic`,
    so the head learns how a segment treats the request ("I can't give you @topic") rather
    than which topics were refused in training.
    """
    low = seg.lower()
    words = [
        "@topic" if w in topic or (w.endswith("s") and w[:-1] in topic) else w
        for w in _WORD.findall(low)[:60]
    ]
    toks = [f"w:{w}" for w in words]
    toks += [f"b:{a}_{b}" for a, b in pairwise(words)]
    toks += [f"o:{'_'.join(words[:2])}", f"o1:{words[0] if words else ''}"]
    if _LIST_ITEM.match(seg):
        toks.append("shape:list")
    if seg.startswith("```"):
        toks.append("shape:code")
    if seg.startswith(("#", "**")):
        toks.append("shape:header")
    toks.append(f"len:{min(len(words) // 5, 8)}")
    return toks


def hash_segments_csr(
    segments: Sequence[str], topics: Sequence[frozenset[str]] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the hashed bag-of-tokens rows as CSR arrays (data, indices, indptr).

    Rows are L2-normalised; `topics` gives each segment's request words (see
    `segment_tokens`). Plain NumPy, so labelling never imports SciPy.
    """
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    empty: frozenset[str] = frozenset()
    for i, seg in enumerate(segments):
        counts: dict[int, float] = {}
        for tok in segment_tokens(seg, topics[i] if topics is not None else empty):
            b = _bucket(tok)
            counts[b] = counts.get(b, 0.0) + 1.0
        norm = float(np.sqrt(sum(v * v for v in counts.values()))) or 1.0
        for b, v in counts.items():
            indices.append(b)
            data.append(v / norm)
        indptr.append(len(indices))
    return (
        np.asarray(data, dtype=np.float64),
        np.asarray(indices, dtype=np.int64),
        np.asarray(indptr, dtype=np.int64),
    )


def hashed_matmul(
    csr: tuple[np.ndarray, np.ndarray, np.ndarray], weights: np.ndarray
) -> np.ndarray:
    """Return the product of the hashed rows `csr` and a (HASH_DIM, k) weight matrix."""
    data, indices, indptr = csr
    n = len(indptr) - 1
    rows = np.repeat(np.arange(n), np.diff(indptr))
    contrib = data[:, None] * np.asarray(weights, dtype=np.float64)[indices]
    out = np.zeros((n, weights.shape[1]))
    np.add.at(out, rows, contrib)
    return out


def hash_segments(
    segments: Sequence[str], topics: Sequence[frozenset[str]] | None = None
) -> Any:
    """Return the (len(segments), HASH_DIM) hashed matrix as a SciPy CSR matrix (training)."""
    from scipy import sparse


    data, indices, indptr = hash_segments_csr(segments, topics)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(segments), HASH_DIM))


_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "how",
        "do",
        "i",
        "my",
        "me",
        "you",
        "your",
        "can",
        "could",
        "would",
        "what",
        "is",
        "are",
        "was",
        "it",
        "this",
        "that",
        "be",
        "at",
        "by",
        "from",
        "as",
        "about",
        "give",
        "tell",
        "write",
        "make",
        "get",
        "any",
        "some",
        "please",
        "should",
        "way",
        "best",
        "easiest",
        "explain",
        "help",
        "want",
        "know",
        "there",
        "their",
        "them",
        "they",
    ]
)


def content_words(text: str) -> frozenset[str]:
    """Lower-case content words (stop words dropped, crude plural folding) for topic overlap."""
    out: set[str] = set()
    for w in re.findall(r"[a-z][a-z']+", _normalise(text).lower()):
        if w in _STOP or len(w) < 3:
            continue
        out.add(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return frozenset(out)
