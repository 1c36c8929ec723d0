"""The Bench's one door to `alignlab.detect`: resolve a kind, version it, and batch calls.

A run scores hundreds of samples concurrently on one event loop. The trained detectors
embed text with a small model, which is fast per batch and slow per call, and blocks the
loop while it runs. So every detector call from a guardrail or a scorer goes through a
`Batcher`: requests that arrive while a batch is being classified wait and go together
in the next batch, and each batch runs in a worker thread, off the event loop. Results
are cached per (kind, prompt, response), so the output filter and the scorer classify a
sample's final answer once between them.

The keyword baselines take microseconds and run inline: a thread hop would cost more.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Generic, TypeVar

import anyio

from alignlab.detect import (
    Detection,
    DetectorError,
    HarmClassifier,
    RefusalDetector,
    harm_classifier,
    refusal_detector,
)

T = TypeVar("T")
K = TypeVar("K")

MAX_BATCH = 64
"""Largest batch handed to a detector at once."""

CACHE_SIZE = 4096
"""Detections kept per batcher (enough for every in-flight sample of a run)."""


def _resolve(factory: Callable[[str], T], kind: str | None) -> tuple[str, T]:
    """Return (kind actually used, detector); `None` tries `trained`, then `keyword`."""
    if kind is not None:
        return kind, factory(kind)
    try:
        return "trained", factory("trained")
    except DetectorError:
        return "keyword", factory("keyword")


@functools.cache
def resolve_harm_classifier(kind: str | None) -> tuple[str, HarmClassifier]:
    """Return (kind actually used, classifier); `None` tries `trained`, then `keyword`."""
    return _resolve(harm_classifier, kind)


@functools.cache
def resolve_refusal_detector(kind: str | None) -> tuple[str, RefusalDetector]:
    """Return (kind actually used, detector); `None` tries `trained`, then `keyword`."""
    return _resolve(refusal_detector, kind)


@functools.cache
def detector_version(kind: str) -> str:
    """A short fingerprint of a detector kind's parameters, so logs say exactly what scored them.

    For `trained` it hashes the shipped heads (a retrained head is a new version); for
    `keyword` it hashes the keyword module's source (new phrases are a new version).

    Example:
        >>> detector_version("keyword").startswith("keyword@")
        True
    """
    digest = hashlib.sha256()
    if kind == "trained":
        heads = resources.files("alignlab.detect").joinpath("heads")
        for name in ("harm.npz", "refusal.npz"):
            path = heads.joinpath(name)
            digest.update(path.read_bytes() if path.is_file() else b"missing")
    else:
        source = resources.files("alignlab.detect").joinpath("_keyword.py")
        digest.update(source.read_bytes() if source.is_file() else b"missing")
    return f"{kind}@{digest.hexdigest()[:12]}"


class Batcher(Generic[K, T]):
    """Collect concurrent single requests into batches run in a worker thread, with a cache.

    `classify(keys)` must return one result per key. Requests made while a batch runs
    are queued and sent together as the next batch.
    """

    def __init__(self, classify: Callable[[list[K]], Sequence[T]], inline: bool = False) -> None:
        self._classify = classify
        self._inline = inline
        self._pending: list[tuple[K, asyncio.Future[T]]] = []
        self._draining = False
        self._drainer: asyncio.Task[None] | None = None
        self._cache: OrderedDict[K, T] = OrderedDict()
        self.calls = 0
        """Batches sent to the detector (for tests and the benchmark)."""

    def _remember(self, key: K, value: T) -> None:
        self._cache[key] = value
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    async def many(self, keys: Sequence[K]) -> list[T]:
        """Classify several keys (each one batched with everyone else's)."""
        return list(await asyncio.gather(*(self.one(k) for k in keys)))

    async def one(self, key: K) -> T:
        """Classify one key, batched with the requests of other samples."""
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if self._inline:
            self.calls += 1
            value = self._classify([key])[0]
            self._remember(key, value)
            return value
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((key, future))
        if not self._draining:
            self._draining = True
            self._drainer = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            await asyncio.sleep(0)  # let the samples that are ready now join the first batch
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                keys = list(dict.fromkeys(k for k, _ in batch))
                self.calls += 1
                try:
                    values = await anyio.to_thread.run_sync(self._classify, keys)
                except Exception as exc:  # hand the failure to every waiting sample
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                found = dict(zip(keys, values, strict=True))
                for key, value in found.items():
                    self._remember(key, value)
                for key, future in batch:
                    if not future.done():
                        future.set_result(found[key])
        finally:
            self._draining = False


_BATCHERS: dict[tuple[str, str], tuple[asyncio.AbstractEventLoop, Batcher[object, Detection]]] = {}


def _loop_batcher(
    role: str, kind: str, classify: Callable[[list[object]], Sequence[Detection]]
) -> Batcher[object, Detection]:
    """The batcher of this event loop (each `eval()` runs its own loop; futures are per loop)."""
    loop = asyncio.get_running_loop()
    held = _BATCHERS.get((role, kind))
    if held is None or held[0] is not loop:
        held = (loop, Batcher(classify, inline=kind == "keyword"))
        _BATCHERS[(role, kind)] = held
    return held[1]


async def detect_refusals(
    kind: str | None, pairs: Sequence[tuple[str, str]]
) -> tuple[str, list[Detection]]:
    """Label (prompt, response) pairs with a refusal detector; batched, off the event loop."""
    used, detector = resolve_refusal_detector(kind)

    def classify(keys: list[object]) -> Sequence[Detection]:
        prompts = [str(k[0]) for k in keys]  # type: ignore[index]
        responses = [str(k[1]) for k in keys]  # type: ignore[index]
        return detector.detect(prompts, responses)

    batcher = _loop_batcher("refusal", used, classify)
    return used, await batcher.many(list(pairs))


async def detect_harm(kind: str | None, prompts: Sequence[str]) -> tuple[str, list[Detection]]:
    """Classify prompts with a harm classifier; batched, off the event loop."""
    used, classifier = resolve_harm_classifier(kind)

    def classify(keys: list[object]) -> Sequence[Detection]:
        return classifier.detect([str(k) for k in keys])

    batcher = _loop_batcher("harm", used, classify)
    return used, await batcher.many(list(prompts))
