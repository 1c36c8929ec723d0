"""Progress lines of a Bench run, so the terminal shows one summary per suite, not two.

Inspect's own displays end every task with a results panel of their own, which the
Bench's summary (rates with Wilson intervals, n, errored samples) then repeats in other
words. A Bench run therefore keeps Inspect's display off and reports progress through
Inspect's hooks instead: one line when a suite starts, one every few seconds while it
runs. The hook is registered on first use, after Inspect has loaded the hooks it knows
of (else Inspect announces "hooks enabled" on stdout at its first eval), and does
nothing outside `progress_lines`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from inspect_ai.hooks import Hooks, SampleEnd, TaskStart, hooks

PROGRESS_EVERY_S = 5.0
"""Seconds between progress lines while a suite runs."""


@dataclass
class _Suite:
    label: str
    total: int
    started: float
    done: int = 0
    errored: int = 0
    said_at: float = 0.0


@dataclass
class _Watch:
    say: Callable[[str], None]
    every_s: float
    suites: dict[str, _Suite]


_watch: _Watch | None = None


def _line(suite: _Suite) -> str:
    errored = f", {suite.errored} errored" if suite.errored else ""
    elapsed = time.monotonic() - suite.started
    return f"{suite.label}: {suite.done}/{suite.total} samples done{errored}, {elapsed:.0f} s"


class ProgressHooks(Hooks):
    """Counts finished samples per task and reports them through the active watch."""

    def enabled(self) -> bool:
        """Active only inside `progress_lines`."""
        return _watch is not None

    async def on_task_start(self, data: TaskStart) -> None:
        """Say which suite of which system starts, and how many samples it runs."""
        watch = _watch
        if watch is None:
            return
        spec = data.spec
        system = (spec.metadata or {}).get("alignlab_system") or {}
        suite = str((spec.metadata or {}).get("alignlab_suite") or spec.task.split("/")[-1])
        label = f"{suite} · {system.get('name') or spec.model}"
        ids = spec.dataset.sample_ids
        items = len(ids) if ids is not None else spec.dataset.samples or 0
        if spec.config.limit is not None and isinstance(spec.config.limit, int):
            items = min(items, spec.config.limit)
        total = items * (spec.config.epochs or 1)
        now = time.monotonic()
        watch.suites[data.eval_id] = _Suite(label, total, now, said_at=now)
        watch.say(f"{label}: running {total} samples")

    async def on_sample_end(self, data: SampleEnd) -> None:
        """Count the sample; say where the suite stands every `every_s` seconds."""
        watch = _watch
        suite = watch.suites.get(data.eval_id) if watch is not None else None
        if watch is None or suite is None:
            return
        suite.done += 1
        suite.errored += data.sample.error is not None
        now = time.monotonic()
        if now - suite.said_at >= watch.every_s:
            suite.said_at = now
            watch.say(_line(suite))


_registered = False


def _register() -> None:
    """Register the hook once, after Inspect's own once-per-process hook start-up."""
    global _registered
    if _registered:
        return
    try:  # Inspect is pinned (0.3.285); without this it prints its hook list on stdout
        from inspect_ai.hooks._startup import init_hooks

        init_hooks()
    except ImportError:  # pragma: no cover - a later Inspect: the one notice is harmless
        pass
    hooks(name="alignlab_progress", description="alignlab bench: progress lines of a run")(
        ProgressHooks
    )
    _registered = True


@contextmanager
def progress_lines(say: Callable[[str], None], every_s: float | None = None) -> Iterator[None]:
    """Inside this block, Inspect tasks report progress lines through `say`.

    A line says when a suite starts, then where it stands every `every_s` seconds
    (default `PROGRESS_EVERY_S`).

    Example:
        >>> with progress_lines(print):
        ...     pass  # run suites here with display="none"
    """
    global _watch
    _register()
    previous = _watch
    _watch = _Watch(say, PROGRESS_EVERY_S if every_s is None else every_s, {})
    try:
        yield
    finally:
        _watch = previous
