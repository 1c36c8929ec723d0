"""The sweep engine: batches of `alignlab.run` calls as Ray tasks, streamed into Parquet.

This module is the only place in alignlab that imports Ray (DESIGN.md). With no address
it starts Ray embedded in the process, on this machine's cores, bound to 127.0.0.1, with
no dashboard and quiet logging, so a laptop needs nothing set up; with `address` ("auto"
or HOST:PORT) it joins an existing cluster (`ray start`, KubeRay) with the same code.
Every node of a cluster must have alignlab installed (at the same version), since a task
carries only an experiment id and settings, never pickled objects.

Scheduling: the first run executes on the driver (it validates the experiment and times
one run); after that runs are cut into batches of about `batch_seconds` of work, resized
as workers report run times, with at most two batches per CPU in flight. Finished batches
are written as they arrive (`alignlab.sweep._table`), so a killed sweep loses at most the
batches in flight, and `resume=True` skips every run whose key is already on disk.

Interrupts: SIGINT (Ctrl-C) and SIGTERM (`kill`, a job scheduler) only *ask* the sweep to
stop (`_StopSignals`); no exception is raised wherever the signal lands, so it never
interrupts Ray's own calls, a Parquet write or the final merge. The engine stops
submitting, keeps the batches that finish within `DRAIN_SECONDS` (a second signal stops
waiting), disconnects with `ray.shutdown()` and merges what is done. It never calls
`ray.cancel`: a cancel racing a task's reply trips a fatal check in Ray's core worker
(task_manager.cc "Tried to complete task that was not pending", Ray 2.60), while a
driver that leaves makes Ray stop its tasks and workers anyway.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import math
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from alignlab._version import __version__
from alignlab.core import AlignlabError, ParameterError, Result
from alignlab.sweep._spec import Run, SweepSpec
from alignlab.sweep._table import (
    PartWriter,
    columns_to_table,
    done_keys,
    finalize,
    partial_dir,
    require,
    require_installed,
)
from alignlab.sweep._worker import Columns, Settings, run_batch, run_results

LOOPBACK_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
"""Ray binds a node to the machine's routable IP even when asked for 127.0.0.1, unless
this variable is "0" when Ray is imported; the embedded engine sets it so a local sweep
never listens on the network (a real cluster's driver must stay reachable, so `--address`
leaves it alone)."""

OBJECT_STORE_BYTES = 512 * 2**20
"""Object store of the embedded engine: results in flight are a few MB; Ray's default
(30% of RAM) would reserve far more shared memory than a sweep needs."""

DRAIN_SECONDS = 2.0
"""After Ctrl-C, how long the engine waits for batches already in flight, to keep them."""

POLL_SECONDS = 0.25
"""Longest wait for a finished batch before the engine checks for a stop request."""


@dataclass(frozen=True)
class Progress:
    """Where a running sweep stands, for a progress bar.

    Attributes:
        done: Runs the engine has finished.
        total: Runs the engine has to do (the sweep minus runs already on disk and
            the timing run).
        elapsed: Seconds since the first batch was submitted (engine start excluded).
    """

    done: int
    total: int
    elapsed: float

    @property
    def rate(self) -> float:
        """Runs per second so far."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate (None before the first batch returns)."""
        return (self.total - self.done) / self.rate if self.rate > 0 else None


@dataclass(frozen=True)
class SweepReport:
    """What a sweep did.

    Attributes:
        out: The results file.
        planned: Runs in the sweep spec.
        skipped: Runs already in the file (with `resume`), not run again.
        ran: Runs finished by this invocation.
        rows: Rows in the file now.
        seconds: Wall time of this invocation, engine start included.
        engine_seconds: Of which starting or joining Ray.
        workers: CPUs the engine scheduled on.
        address: "local" or the cluster address joined.
        batch_runs: Runs per task chosen after the timing run (the first batch size).
        interrupted: True when Ctrl-C stopped the sweep before every run finished.
    """

    out: Path
    planned: int
    skipped: int
    ran: int
    rows: int
    seconds: float
    engine_seconds: float
    workers: int
    address: str
    batch_runs: int
    interrupted: bool

    @property
    def missing(self) -> int:
        """Runs of the spec not yet in the file."""
        return self.planned - self.skipped - self.ran

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON (what `alignlab sweep --json` prints)."""
        return {
            "out": str(self.out),
            "planned": self.planned,
            "skipped": self.skipped,
            "ran": self.ran,
            "missing": self.missing,
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
            "engine_seconds": round(self.engine_seconds, 3),
            "runs_per_second": round(self.ran / self.seconds, 2) if self.seconds > 0 else None,
            "workers": self.workers,
            "address": self.address,
            "batch_runs": self.batch_runs,
            "interrupted": self.interrupted,
        }


def run_sweep(
    spec: SweepSpec,
    out: str | Path,
    *,
    address: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    num_cpus: int | None = None,
    batch_seconds: float = 1.0,
    on_progress: Callable[[Progress], None] | None = None,
) -> SweepReport:
    """Run every run of `spec` on Ray and write one Parquet row per run to `out`.

    Ctrl-C (KeyboardInterrupt) stops it: runs finished so far are kept in `out` and the
    report says `interrupted`; run again with `resume=True` to finish.

    Example:
        >>> spec = plan("goodhart", pressure="0:1:5", seeds="0:10")  # doctest: +SKIP
        >>> run_sweep(spec, "goodhart.parquet").rows  # doctest: +SKIP
        50

    Raises:
        ParameterError: if `out` exists (without resume/overwrite) or holds another
            experiment, or `num_cpus` / `batch_seconds` are out of range.
        AlignlabError: if Ray or pyarrow is missing, or a run fails on a worker.
    """
    started = time.perf_counter()
    require("pyarrow")
    if num_cpus is not None and num_cpus < 1:
        raise ParameterError(f"--cpus must be at least 1; got {num_cpus}")
    if not 0.05 <= batch_seconds <= 600:
        raise ParameterError(f"batch seconds must lie in [0.05, 600]; got {batch_seconds}")
    path = _check_out(Path(out), resume=resume, overwrite=overwrite)
    done = done_keys(path, spec.experiment) if resume else set()
    todo = deque(run for run in spec.runs() if spec.key(run) not in done)
    skipped = spec.size - len(todo)
    if todo:
        require_installed("ray")  # before any run, so a missing engine leaves no files
    meta = _metadata(spec, address)
    parts = PartWriter(path)
    to_run = len(todo)
    ran = 0
    run_ms = 0.0
    engine_seconds = 0.0
    workers = 0
    batch_runs = 0
    caught = False
    stop = _StopSignals()
    try:
        try:
            if todo and not stop.requested:
                # The timing run: on the driver, so a broken setting fails before Ray starts.
                first = run_batch(spec.experiment, [_settings(todo.popleft())])
                parts.write(columns_to_table(first))
                run_ms = float(first["run_ms"][0])
                ran = 1
            if todo and not stop.requested:
                ray, owned, engine_seconds = _connect(address, num_cpus, stop)
                try:
                    workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
                    batcher = _Batcher(run_ms, batch_seconds, workers)
                    batch_runs = batcher.size(len(todo))
                    total, streamed, stream_start = len(todo), 0, time.perf_counter()
                    for finished in _stream(ray, spec.experiment, todo, batcher, parts, stop):
                        ran += finished
                        streamed += finished
                        if on_progress is not None:
                            elapsed = time.perf_counter() - stream_start
                            on_progress(Progress(streamed, total, elapsed))
                finally:
                    if owned:
                        ray.shutdown()
        except KeyboardInterrupt:  # raised by a caller's own handler (stop is main-thread only)
            caught = True
        except BaseException:
            finalize(path, meta)  # keep the runs that finished before the failure
            raise
        rows = finalize(path, meta)
    finally:
        stop.restore()
    interrupted = (caught or stop.requested) and ran < to_run
    return SweepReport(
        out=path,
        planned=spec.size,
        skipped=skipped,
        ran=ran,
        rows=rows,
        seconds=time.perf_counter() - started,
        engine_seconds=engine_seconds,
        workers=workers,
        address=address or "local",
        batch_runs=batch_runs,
        interrupted=interrupted,
    )


def map_runs(
    experiment: str, settings: Sequence[Settings], *, num_cpus: int | None = None
) -> list[Result]:
    """Run `settings` on the local engine and return their `Result`s, in order.

    For in-memory grids such as the Lab's response surfaces. The embedded engine it
    starts stays up for the rest of the process (a server computes many surfaces) and is
    shut down at exit; a Ray session already open in the process is used as it is.
    Settings are cut into contiguous chunks, four per CPU, so neighbouring runs (which
    share a seed's cached work) stay together and no CPU idles long at the end.

    Raises:
        AlignlabError: if Ray is missing or cannot start.
    """
    if not settings:
        return []
    ray, owned, _ = _connect(None, num_cpus)
    if owned:
        atexit.register(ray.shutdown)
    workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
    chunks = min(len(settings), 4 * workers)
    bounds = [round(i * len(settings) / chunks) for i in range(chunks + 1)]
    task = ray.remote(run_results).options(num_cpus=1, max_retries=3)
    refs = [task.remote(experiment, list(settings[lo:hi])) for lo, hi in itertools.pairwise(bounds)]
    try:
        return [result for chunk in ray.get(refs) for result in chunk]
    except ray.exceptions.RayError as exc:
        raise AlignlabError(f"a batch failed on a worker: {_first_line(exc)}") from None


def _check_out(path: Path, *, resume: bool, overwrite: bool) -> Path:
    if path.exists() and not path.is_file():
        raise ParameterError(f"--out {path} exists and is not a regular file")
    if not path.parent.is_dir():
        raise ParameterError(f"--out {path}: folder {path.parent} does not exist")
    parts = partial_dir(path)
    if overwrite:
        path.unlink(missing_ok=True)
        if parts.is_dir():
            for part in parts.glob("part-*"):
                part.unlink()
    elif not resume and (path.exists() or parts.is_dir()):
        what = path if path.exists() else parts
        raise ParameterError(
            f"{what} exists; pass --resume to add the missing runs, or --overwrite"
        )
    return path


def _metadata(spec: SweepSpec, address: str | None) -> dict[str, Any]:
    return {
        **spec.to_dict(),
        "alignlab_version": __version__,
        "address": address or "local",
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _settings(run: Run) -> Settings:
    return (run.pressure, run.fidelity, run.oversight, dict(run.options), run.seed)


def _ignore_handler(handler: Callable[[int, FrameType | None], Any]) -> None:
    """Stands in for Ray's `set_sigterm_handler` while `ray.init` runs (see _StopSignals)."""


class _StopSignals:
    """While a sweep runs, SIGINT and SIGTERM set a stop request instead of raising.

    Python's SIGINT raises KeyboardInterrupt wherever the main thread is, which can be
    inside a Ray call, a Parquet write or the final merge, and `ray.init` makes SIGTERM
    exit at once (the embedded engine's handler kills its processes first): either way
    the finished runs may not be merged, or the exit status is not 130. Here a signal
    only counts; the engine polls `requested` and stops cleanly, and a second signal
    (`hurried`) ends the wait for batches in flight. Installed in the main thread only
    (elsewhere signals cannot be handled); a signal the process ignores (SIG_IGN, as
    `nohup` sets) stays ignored. `restore` puts the previous handlers back.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.count = 0
        self._previous: dict[int, Any] = {}
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in self.SIGNALS:
            previous = signal.getsignal(signum)
            if previous is not signal.SIG_IGN:
                self._previous[signum] = signal.signal(signum, self._handle)

    @property
    def requested(self) -> bool:
        """True once a signal asked the sweep to stop."""
        return self.count > 0

    @property
    def hurried(self) -> bool:
        """True once a second signal asked it to stop without waiting."""
        return self.count > 1

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1

    @contextmanager
    def kept_through_ray_init(self, ray: Any) -> Iterator[None]:
        """Keep this SIGTERM handler in place while `ray.init` runs.

        `ray.init` (and the embedded engine's node) install SIGTERM handlers that exit at
        once, through `ray._private.utils.set_sigterm_handler`; that function is a no-op
        meanwhile, so a SIGTERM during the start only counts. Should a Ray version install
        one another way, this handler is put back as soon as `ray.init` returns.
        """
        if signal.SIGTERM not in self._previous:
            yield
            return
        utils = getattr(getattr(ray, "_private", None), "utils", None)
        original = getattr(utils, "set_sigterm_handler", None)
        if original is not None:
            utils.set_sigterm_handler = _ignore_handler  # type: ignore[union-attr]
        try:
            yield
        finally:
            if original is not None:
                utils.set_sigterm_handler = original  # type: ignore[union-attr]
            signal.signal(signal.SIGTERM, self._handle)

    def restore(self) -> None:
        """Put back the handlers found at install time."""
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous.clear()


def _connect(
    address: str | None, num_cpus: int | None, stop: _StopSignals | None = None
) -> tuple[Any, bool, float]:
    """Start embedded Ray or join `address`; return (ray, started here, seconds taken).

    With `stop`, its SIGTERM handler stays in place through `ray.init`.
    """
    t0 = time.perf_counter()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no phoning home from a sweep
    if address is None and "ray" not in sys.modules:
        os.environ.setdefault(LOOPBACK_ENV, "0")
    ray = require("ray")
    if ray.is_initialized():  # a caller's own Ray session (a notebook, the tests): reuse it
        return ray, False, time.perf_counter() - t0
    quiet: dict[str, Any] = {"logging_level": logging.ERROR, "log_to_driver": False}
    keep = stop.kept_through_ray_init(ray) if stop is not None else nullcontext()
    try:
        with keep:
            _init(ray, address, num_cpus, quiet)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        where = f"the Ray cluster at {address}" if address else "a local Ray engine"
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AlignlabError(f"cannot start or join {where}: {first_line}") from None
    return ray, True, time.perf_counter() - t0


def _init(ray: Any, address: str | None, num_cpus: int | None, quiet: dict[str, Any]) -> None:
    if address is None:
        ray.init(
            address="local",  # always a new engine, never a cluster found on the machine
            num_cpus=num_cpus or os.cpu_count() or 1,
            include_dashboard=False,
            object_store_memory=OBJECT_STORE_BYTES,
            _node_ip_address="127.0.0.1",
            **quiet,
        )
    else:
        ray.init(address=address, **quiet)


class _Batcher:
    """Sizes batches to about `seconds` of work, smaller near the end to balance the tail."""

    def __init__(self, run_ms: float, seconds: float, workers: int) -> None:
        self.run_ms = max(run_ms, 0.01)
        self.seconds = seconds
        self.workers = workers

    def observe(self, run_ms: Sequence[float]) -> None:
        """Blend run times reported by a finished batch into the estimate."""
        if run_ms:
            mean = sum(run_ms) / len(run_ms)
            self.run_ms = 0.5 * self.run_ms + 0.5 * max(mean, 0.01)

    def size(self, remaining: int) -> int:
        """Runs in the next batch, given `remaining` runs not yet submitted."""
        target = max(1, round(self.seconds * 1e3 / self.run_ms))
        floor = max(1, round(0.5 * target))
        share = math.ceil(remaining / (2 * self.workers))  # keep every worker busy to the end
        return max(1, min(target, max(floor, share), remaining))


def _stream(
    ray: Any,
    experiment: str,
    todo: deque[Run],
    batcher: _Batcher,
    parts: PartWriter,
    stop: _StopSignals,
) -> Iterator[int]:
    """Submit batches with bounded in-flight work; write each result as it arrives.

    Yields the number of runs each write added (0 on a poll with nothing finished). On a
    stop request it submits nothing more and keeps the batches that finish within
    `DRAIN_SECONDS`; the rest are left to Ray, which stops them when the driver leaves.
    """
    task = ray.remote(run_batch).options(num_cpus=1, max_retries=3)
    limit = 2 * batcher.workers
    inflight: dict[Any, int] = {}
    while (todo or inflight) and not stop.requested:
        while todo and len(inflight) < limit:
            batch = [_settings(todo.popleft()) for _ in range(batcher.size(len(todo)))]
            inflight[task.remote(experiment, batch)] = len(batch)
        ready = _finished(ray, inflight, POLL_SECONDS)
        try:
            finished = _keep(ray, ready, inflight, batcher, parts)
        except ray.exceptions.RayError as exc:
            if stop.requested:  # a worker lost to the same signal (a process group's kill)
                return
            raise AlignlabError(f"a batch failed on a worker: {_first_line(exc)}") from None
        yield finished
    deadline = time.monotonic() + DRAIN_SECONDS
    while inflight and not stop.hurried and (left := deadline - time.monotonic()) > 0:
        ready = _finished(ray, inflight, min(POLL_SECONDS, left))
        try:
            finished = _keep(ray, ready, inflight, batcher, parts)
        except ray.exceptions.RayError:
            return  # stopping anyway: keep what is written
        if finished:
            yield finished


def _finished(ray: Any, inflight: dict[Any, int], timeout: float) -> list[Any]:
    """Refs of `inflight` that have finished: wait up to `timeout` for one, then take all."""
    if not inflight:
        return []
    ready, _ = ray.wait(list(inflight), num_returns=1, timeout=timeout)
    if ready:
        rest = [ref for ref in inflight if ref not in ready]
        if rest:
            more, _ = ray.wait(rest, num_returns=len(rest), timeout=0)
            ready = [*ready, *more]
    return list(ready)


def _keep(
    ray: Any, ready: list[Any], inflight: dict[Any, int], batcher: _Batcher, parts: PartWriter
) -> int:
    """Write the results of `ready` (a part each), drop them from `inflight`; return runs."""
    if not ready:
        return 0
    results: list[Columns] = ray.get(ready)
    for result in results:
        batcher.observe(result.get("run_ms", []))
        parts.write(columns_to_table(result))
    return sum(inflight.pop(ref) for ref in ready)


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[-1].strip() if lines else type(exc).__name__
