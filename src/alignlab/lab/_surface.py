"""Response surfaces: one experiment's results over a slider grid, as compact float32 binary.

While a slider is dragged the page cannot wait for the server (even on loopback one round
trip is a frame late), so it interpolates a surface computed here once per experiment,
options and seed. Every number in a surface comes from a real `ExperimentSpec.run` call:

- scalar arrays (`proxy`, `true`, `fr`, `fr_lo`, `fr_hi`, and the seven `loop` stage
  values) are the results of runs at every point of a fidelity x oversight x pressure grid;
- curve arrays (`curve_proxy`, `curve_true`, `curve_fr`) are each run's own pressure
  curve (one run gives the whole curve), resampled onto a fixed pressure grid, per
  fidelity x oversight grid point.

Binary layout (little-endian), see `encode_surface`:

    bytes 0-3   magic b"ALSF"
    bytes 4-7   uint32 N, the length of the JSON header
    bytes 8-    N bytes of UTF-8 JSON metadata, padded with spaces so the data that
                follows starts at a multiple of 4 bytes; it holds `format`, `experiment`,
                `experiment_version`, `alignlab_version`, `seed`, `options`, `axes`
                (`fidelity`, `oversight`, `pressure`, `curve_pressure` grids), `stages`,
                `compute_seconds` and `arrays`: a list of {name, shape, offset} where
                offset counts bytes from the start of the data block
    then        the float32 arrays, C order, one after another
"""

from __future__ import annotations

import concurrent.futures
import concurrent.futures.process
import contextlib
import ctypes
import ctypes.util
import hashlib
import importlib.util
import json
import logging
import multiprocessing
import os
import signal
import struct
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import alignlab
from alignlab._version import __version__
from alignlab.core import LOOP_STAGES, AlignlabError, ExperimentSpec, OptionValue, Result

MAGIC = b"ALSF"
FORMAT_VERSION = 1
"""Bump when the layout or the grid changes, so stale disk caches are never read."""

SCALAR_KEYS: tuple[str, ...] = ("proxy", "true", "fr", "fr_lo", "fr_hi")
CURVE_KEYS: tuple[str, ...] = ("proxy", "true", "fr")


@dataclass(frozen=True)
class SurfaceGrid:
    """Sizes of the slider grid a surface is computed on.

    Attributes:
        fidelity: Grid points along fidelity, evenly spaced over [0, 1].
        oversight: Grid points along oversight.
        pressure: Grid points along pressure for the scalar runs.
        curve: Points of the fixed pressure grid curves are resampled onto.
    """

    fidelity: int = 9
    oversight: int = 9
    pressure: int = 9
    curve: int = 65

    def __post_init__(self) -> None:
        for name in ("fidelity", "oversight", "pressure", "curve"):
            if getattr(self, name) < 2:
                raise ValueError(f"a surface grid needs at least 2 points along {name}")

    def axis(self, name: str) -> np.ndarray:
        """Return the evenly spaced grid in [0, 1] along `name`."""
        return np.linspace(0.0, 1.0, int(getattr(self, name)))


GRID_LADDER: tuple[SurfaceGrid, ...] = (
    SurfaceGrid(9, 9, 9),
    SurfaceGrid(7, 7, 9),
    SurfaceGrid(6, 6, 7),
    SurfaceGrid(5, 5, 6),
    SurfaceGrid(4, 4, 5),
    SurfaceGrid(3, 3, 4),
)
"""Grids from fine to coarse; `choose_grid` takes the finest that fits the time budget."""

DEFAULT_BUDGET_S = 30.0
"""Single-core CPU seconds a first surface computation may take, by estimate."""

DEFAULT_DISK_BYTES = 200 * 1024 * 1024
"""Most bytes the disk cache keeps (200 MB, a few hundred surfaces); least recently used
surfaces are deleted past it."""

DEFAULT_MAX_PENDING = 4
"""Surfaces one process computes or queues at a time (one computes, the rest wait in
line); requests for yet another are refused with 503 and a Retry-After."""

STALE_TMP_SECONDS = 600.0
"""A half-written `*.alsf.tmp` file older than this is a leftover of a killed process."""

log = logging.getLogger("alignlab.lab")


class SurfaceBusy(AlignlabError):
    """Too many surfaces are being computed; ask again after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"the server is computing other surfaces; retry in {retry_after} s")
        self.retry_after = retry_after


def choose_grid(
    spec: ExperimentSpec,
    options: Mapping[str, OptionValue],
    seed: int,
    budget_s: float = DEFAULT_BUDGET_S,
) -> SurfaceGrid:
    """The finest grid of `GRID_LADDER` whose runs fit in `budget_s`, by a measured cost.

    Experiments differ a thousandfold in the cost of one run, so a fixed grid is either
    needlessly coarse for fast ones or minutes long for slow ones. Three runs (at the
    low, middle and high corners, where cost usually varies most) are measured and their
    median is taken as the cost of every run. The cost is the CPU time of this thread,
    not wall-clock time: the grid is cached for good, and a machine that is busy at that
    moment (other processes, other requests) must not make it coarse.
    """
    costs = []
    for corner in (0.0, 0.5, 1.0):
        started = time.thread_time()
        spec.run(corner, corner, corner, seed=seed, options=options)
        costs.append(time.thread_time() - started)
    per_run = sorted(costs)[1]
    for grid in GRID_LADDER:
        if grid.fidelity * grid.oversight * grid.pressure * per_run <= budget_s:
            return grid
    return GRID_LADDER[-1]


@dataclass(frozen=True)
class Surface:
    """A decoded surface: metadata and named float32 arrays."""

    meta: dict[str, Any]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


Runner = Callable[
    [str, list[tuple[float, float, float, dict[str, OptionValue], int]]], list[Result]
]
"""Runs an experiment at a list of (pressure, fidelity, oversight, options, seed); results in
order. `alignlab.sweep.map_runs` is one: the sweep engine, on this machine's cores."""

ENGINE_MIN_CPUS = 4
"""Cores from which `local_runner` uses the sweep engine: starting Ray costs seconds once per
process, which a surface computed on 4+ cores wins back; on 2 it would not."""


def local_runner() -> Runner | None:
    """The sweep engine's `map_runs` when Ray is installed and the machine has enough cores.

    `ALIGNLAB_LAB_ENGINE=ray` or `=serial` forces the choice. None means serial runs here.
    """
    choice = os.environ.get("ALIGNLAB_LAB_ENGINE", "auto")
    if choice == "serial":
        return None
    if choice != "ray" and (
        (os.cpu_count() or 1) < ENGINE_MIN_CPUS or importlib.util.find_spec("ray") is None
    ):
        return None
    from alignlab.sweep import map_runs

    return map_runs


def compute_surface(
    spec: ExperimentSpec,
    options: Mapping[str, OptionValue],
    seed: int,
    grid: SurfaceGrid | None = None,
    runner: Runner | None = None,
) -> Surface:
    """Run `spec` over the whole slider grid and collect the page's arrays.

    Args:
        spec: The experiment.
        options: Validated options (all of them, defaults filled in).
        seed: The seed every run uses, so grid points equal `alignlab.run` there.
        grid: Grid sizes (default `SurfaceGrid()`).
        runner: Runs the grid's settings (e.g. `local_runner()`); None runs them here,
            one after another. Either way every grid point is the same `alignlab.run`.

    Returns:
        The surface, with `compute_seconds` in its metadata.
    """
    grid = grid or SurfaceGrid()
    fid, ovs, prs, cp = (grid.axis(n) for n in ("fidelity", "oversight", "pressure", "curve"))
    shape = (fid.size, ovs.size, prs.size)
    scalars = {k: np.zeros(shape, dtype=np.float64) for k in SCALAR_KEYS}
    loop = np.zeros((*shape, len(LOOP_STAGES)), dtype=np.float64)
    curves = {k: np.zeros((fid.size, ovs.size, cp.size), dtype=np.float64) for k in CURVE_KEYS}
    started = time.perf_counter()
    settings = [
        (float(p), float(f), float(o), dict(options), seed) for f in fid for o in ovs for p in prs
    ]
    results: Iterator[Result] = (
        iter(runner(spec.id, settings))
        if runner is not None
        else (spec.run(p, f, o, seed=seed, options=options) for p, f, o, _, _ in settings)
    )
    for i in range(fid.size):
        for j in range(ovs.size):
            for k in range(prs.size):
                result = next(results)
                m = result.measurement
                scalars["proxy"][i, j, k] = m.proxy
                scalars["true"][i, j, k] = m.true
                scalars["fr"][i, j, k] = m.fr
                scalars["fr_lo"][i, j, k] = m.fr_ci[0]
                scalars["fr_hi"][i, j, k] = m.fr_ci[1]
                by_stage = {s.stage: s.value for s in m.loop}
                loop[i, j, k] = [by_stage.get(s, 0.0) for s in LOOP_STAGES]
                if k == 0:
                    # The curve spans all pressures; take it from the first run at (f, o).
                    x = np.asarray(m.curve["pressure"], dtype=float)
                    order = np.argsort(x, kind="stable")
                    for key in CURVE_KEYS:
                        y = np.asarray(m.curve[key], dtype=float)
                        curves[key][i, j] = np.interp(cp, x[order], y[order])
    elapsed = time.perf_counter() - started
    arrays: dict[str, np.ndarray] = {k: v.astype(np.float32) for k, v in scalars.items()}
    arrays["loop"] = loop.astype(np.float32)
    arrays.update({f"curve_{k}": v.astype(np.float32) for k, v in curves.items()})
    meta: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "experiment": spec.id,
        "experiment_version": spec.version,
        "alignlab_version": __version__,
        "seed": seed,
        "options": dict(options),
        "axes": {
            "fidelity": fid.tolist(),
            "oversight": ovs.tolist(),
            "pressure": prs.tolist(),
            "curve_pressure": cp.tolist(),
        },
        "stages": list(LOOP_STAGES),
        "compute_seconds": round(elapsed, 4),
    }
    return Surface(meta=meta, arrays=arrays)


def encode_surface(surface: Surface) -> bytes:
    """Serialise a surface to the binary layout in this module's docstring."""
    entries = []
    offset = 0
    for name, array in surface.arrays.items():
        entries.append({"name": name, "shape": list(array.shape), "offset": offset})
        offset += array.size * 4
    header = json.dumps({**surface.meta, "arrays": entries}, separators=(",", ":")).encode()
    header += b" " * (-(8 + len(header)) % 4)
    data = b"".join(np.ascontiguousarray(a, dtype="<f4").tobytes() for a in surface.arrays.values())
    return MAGIC + struct.pack("<I", len(header)) + header + data


def decode_surface(blob: bytes) -> Surface:
    """Parse bytes written by `encode_surface`.

    Raises:
        ValueError: if the bytes are not a surface of this format.
    """
    if len(blob) < 8 or blob[:4] != MAGIC:
        raise ValueError("not an alignlab surface (bad magic)")
    (length,) = struct.unpack("<I", blob[4:8])
    try:
        meta = json.loads(blob[8 : 8 + length])
    except (ValueError, RecursionError):
        raise ValueError("not an alignlab surface (bad header)") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
        found = meta.get("format") if isinstance(meta, dict) else type(meta).__name__
        raise ValueError(f"surface format {found!r} is not {FORMAT_VERSION}")
    start = 8 + length
    arrays: dict[str, np.ndarray] = {}
    try:
        entries = meta.pop("arrays")
        for entry in entries:
            shape = [int(n) for n in entry["shape"]]
            begin = start + int(entry["offset"])
            if min(shape, default=1) < 0 or begin < start:
                raise ValueError("negative shape or offset")
            flat = np.frombuffer(blob, dtype="<f4", count=int(np.prod(shape)), offset=begin)
            arrays[str(entry["name"])] = flat.reshape(shape)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise ValueError(f"not an alignlab surface (bad array table: {exc})") from None
    return Surface(meta=meta, arrays=arrays)


def surface_key(
    spec: ExperimentSpec,
    options: Mapping[str, OptionValue],
    seed: int,
    grid: SurfaceGrid | None,
) -> str:
    """A stable cache key: experiment id and version, options, seed, grid, alignlab version.

    A grid of None means "chosen by time budget": the chosen grid is in the surface's
    own metadata, so a cached surface is reused whatever grid the budget picked.
    """
    ident = {
        "format": FORMAT_VERSION,
        "alignlab": __version__,
        "experiment": spec.id,
        "version": spec.version,
        "options": {k: options[k] for k in sorted(options)},
        "seed": seed,
        "grid": None
        if grid is None
        else [grid.fidelity, grid.oversight, grid.pressure, grid.curve],
    }
    digest = hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:20]
    return f"{spec.id}-{digest}"


def default_cache_dir() -> Path:
    """Where surfaces are kept between restarts: `$ALIGNLAB_CACHE_DIR` or the user cache."""
    explicit = os.environ.get("ALIGNLAB_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "alignlab" / "surfaces"


class SurfaceCache:
    """Surfaces in memory (a small LRU) and on disk (an LRU of bounded size).

    At most one surface is computed at a time, on the cache's own worker thread, and at
    most `max_pending` are computed or waiting; `submit` refuses more with
    `SurfaceBusy`. Concurrent requests for one surface share its computation: they hold
    a future, never a thread, so a crowd waiting for one surface cannot starve the
    server's thread pool. A disk file that cannot be decoded is deleted and recomputed;
    a disk cache that cannot be written (read-only home, say) only costs a
    recomputation after a restart; it never fails a request.

    Args:
        cache_dir: Directory for surfaces on disk (None: memory only).
        grid: A fixed grid, or None to choose one per experiment by `budget_s`.
        budget_s: Estimated single-core CPU seconds a surface may take when `grid` is None.
        memory_items: How many encoded surfaces to keep in memory.
        max_disk_bytes: Most bytes of surfaces kept on disk (`DEFAULT_DISK_BYTES`).
        max_pending: Surfaces computed or queued at once (`DEFAULT_MAX_PENDING`).
        runner: How surfaces' runs are computed (see `compute_surface`); None: serially.
        isolate: Compute serial surfaces of the built-in experiments in a child process
            at lowered priority (`os.nice`), not on a thread of this one: a computation
            on a thread holds the interpreter lock for most of each run, so every request
            the server answers meanwhile waits for it (`/api/run` p95 rose from tens to
            over a hundred ms). The child is started on first use and stopped by `close`.
    """

    def __init__(
        self,
        cache_dir: Path | None = None,
        grid: SurfaceGrid | None = None,
        budget_s: float = DEFAULT_BUDGET_S,
        memory_items: int = 32,
        max_disk_bytes: int = DEFAULT_DISK_BYTES,
        max_pending: int = DEFAULT_MAX_PENDING,
        runner: Runner | None = None,
        isolate: bool = False,
    ) -> None:
        self.runner = runner
        self.isolate = isolate
        self._child: concurrent.futures.ProcessPoolExecutor | None = None
        self._closed = False
        self.cache_dir = cache_dir
        self.grid = grid
        self.budget_s = budget_s
        self.max_disk_bytes = max_disk_bytes
        self.max_pending = max_pending
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._memory_items = memory_items
        self._lock = threading.Lock()
        self._pending: dict[str, concurrent.futures.Future[bytes]] = {}
        self._worker = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="alignlab-surface"
        )
        self.computed: dict[str, float] = {}
        """Seconds each surface computed by this process took, by cache key."""
        self._clean_leftovers()

    def key(self, spec: ExperimentSpec, options: Mapping[str, OptionValue], seed: int) -> str:
        """The cache key of a surface (see `surface_key`)."""
        return surface_key(spec, options, seed, self.grid)

    def peek(
        self, spec: ExperimentSpec, options: Mapping[str, OptionValue], seed: int
    ) -> bytes | None:
        """Return the encoded surface if it is in memory, without computing or reading disk."""
        key = self.key(spec, options, seed)
        with self._lock:
            return self._remember(key)

    def load(
        self, spec: ExperimentSpec, options: Mapping[str, OptionValue], seed: int
    ) -> bytes | None:
        """Return the surface from memory or disk (a quick read), or None if not cached."""
        key = self.key(spec, options, seed)
        with self._lock:
            blob = self._remember(key)
        if blob is None:
            blob = self._read_disk(key)
            if blob is not None:
                self._keep(key, blob)
        return blob

    def submit(
        self, spec: ExperimentSpec, options: Mapping[str, OptionValue], seed: int
    ) -> concurrent.futures.Future[bytes]:
        """A future of the encoded surface: joins a running computation or queues one.

        Raises:
            SurfaceBusy: when `max_pending` other surfaces are already computing or queued.
        """
        key = self.key(spec, options, seed)
        with self._lock:
            blob = self._remember(key)
            if blob is not None:
                done: concurrent.futures.Future[bytes] = concurrent.futures.Future()
                done.set_result(blob)
                return done
            future = self._pending.get(key)
            if future is not None:
                return future
            if len(self._pending) >= self.max_pending:
                raise SurfaceBusy(retry_after=max(1, round(self.budget_s * len(self._pending))))
            future = self._worker.submit(self._load_or_compute, key, spec, dict(options), seed)
            self._pending[key] = future

        def forget(_: concurrent.futures.Future[bytes]) -> None:
            with self._lock:
                self._pending.pop(key, None)

        future.add_done_callback(forget)
        return future

    def get(self, spec: ExperimentSpec, options: Mapping[str, OptionValue], seed: int) -> bytes:
        """Return the encoded surface, from memory, disk, or a computation (blocking)."""
        return self.load(spec, options, seed) or self.submit(spec, options, seed).result()

    def close(self) -> None:
        """Stop the worker after the computation in progress (queued ones are dropped).

        A child process computing a surface is terminated, not waited for.
        """
        self._worker.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            self._closed = True
            child, self._child = self._child, None
        if child is not None:
            # ProcessPoolExecutor has no public way to stop a running task before 3.14.
            for process in list((child._processes or {}).values()):
                process.terminate()
            child.shutdown(wait=True, cancel_futures=True)

    def _load_or_compute(
        self, key: str, spec: ExperimentSpec, options: Mapping[str, OptionValue], seed: int
    ) -> bytes:
        blob = self._read_disk(key)
        if blob is None:
            blob = self.compute(key, spec, options, seed)
            self._write_disk(key, blob)
        self._keep(key, blob)
        return blob

    def compute(
        self, key: str, spec: ExperimentSpec, options: Mapping[str, OptionValue], seed: int
    ) -> bytes:
        """Compute one surface and encode it: the one place a surface's runs happen."""
        if self.isolate and self.runner is None and _built_in(spec):
            log.info("surface %s seed=%d options=%s: computing", spec.id, seed, dict(options))
            try:
                blob, seconds = (
                    self._in_child()
                    .submit(_compute_blob, spec.id, dict(options), seed, self.grid, self.budget_s)
                    .result()
                )
            except concurrent.futures.process.BrokenProcessPool:
                with self._lock:
                    self._child = None  # the next computation starts a fresh child
                if self._closed:
                    raise
                log.warning("surface %s: its child process died; computing it here", spec.id)
            else:
                self.computed[key] = seconds
                log.info("surface %s seed=%d: done in %.1f s", spec.id, seed, seconds)
                return blob
        grid = self.grid or choose_grid(spec, options, seed, self.budget_s)
        log.info(
            "surface %s seed=%d options=%s: computing on a %dx%dx%d grid",
            spec.id,
            seed,
            dict(options),
            grid.fidelity,
            grid.oversight,
            grid.pressure,
        )
        surface = compute_surface(spec, options, seed, grid, self.runner)
        seconds = float(surface.meta["compute_seconds"])
        self.computed[key] = seconds
        log.info("surface %s seed=%d: done in %.1f s", spec.id, seed, seconds)
        return encode_surface(surface)

    def _in_child(self) -> concurrent.futures.ProcessPoolExecutor:
        with self._lock:
            if self._child is None:
                self._child = concurrent.futures.ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_lower_priority,
                )
            return self._child

    def _keep(self, key: str, blob: bytes) -> None:
        with self._lock:
            self._memory[key] = blob
            self._memory.move_to_end(key)
            while len(self._memory) > self._memory_items:
                self._memory.popitem(last=False)

    def _remember(self, key: str) -> bytes | None:
        blob = self._memory.get(key)
        if blob is not None:
            self._memory.move_to_end(key)
        return blob

    def _path(self, key: str) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / f"{key}.alsf"

    def _read_disk(self, key: str) -> bytes | None:
        path = self._path(key)
        if path is None or not path.is_file():
            return None
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        try:
            decode_surface(blob)  # a truncated or foreign file is recomputed, not served
        except ValueError as exc:
            log.warning("surface cache: discarding corrupt %s (%s)", path.name, exc)
            path.unlink(missing_ok=True)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # most recently used: last to be evicted
        return blob

    def _write_disk(self, key: str, blob: bytes) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                dir=path.parent, delete=False, prefix=f"{key}.", suffix=".alsf.tmp"
            ) as tmp:
                tmp.write(blob)
            os.replace(tmp.name, path)
        except OSError:
            return
        self._evict()

    def _evict(self) -> None:
        """Delete least recently used surfaces until the disk cache fits `max_disk_bytes`."""
        if self.cache_dir is None:
            return
        try:
            files = [(f.stat(), f) for f in self.cache_dir.glob("*.alsf")]
        except OSError:
            return
        files.sort(key=lambda item: item[0].st_mtime)
        total = sum(info.st_size for info, _ in files)
        for info, file in files:
            if total <= self.max_disk_bytes:
                break
            file.unlink(missing_ok=True)
            total -= info.st_size

    def _clean_leftovers(self) -> None:
        """Delete half-written files a killed process left behind."""
        if self.cache_dir is None or not self.cache_dir.is_dir():
            return
        now = time.time()
        for tmp in self.cache_dir.glob("*.tmp"):
            try:
                if now - tmp.stat().st_mtime > STALE_TMP_SECONDS:
                    tmp.unlink()
            except OSError:
                continue


BACKGROUND_NICENESS = 10
"""How much an isolated surface computation lowers its priority (`os.nice`)."""
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


def _built_in(spec: ExperimentSpec) -> bool:
    """Whether a fresh interpreter registers `spec` too (experiments shipped with alignlab)."""
    return getattr(spec.fn, "__module__", "").startswith("alignlab.experiments")


def _lower_priority() -> None:
    """Run the child below the server's priority, and (on Linux) end it with the server.

    Requests are then answered first; a server killed outright (SIGKILL, no clean-up)
    still takes its child with it instead of leaving it computing.
    """
    with contextlib.suppress(OSError, AttributeError):
        os.nice(BACKGROUND_NICENESS)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
            if os.getppid() == 1:  # the server died before the line above
                os._exit(0)


def _compute_blob(
    experiment: str,
    options: dict[str, OptionValue],
    seed: int,
    grid: SurfaceGrid | None,
    budget_s: float,
) -> tuple[bytes, float]:
    """In the child process: choose the grid, compute the surface, return it encoded."""
    spec = alignlab.get(experiment)
    grid = grid or choose_grid(spec, options, seed, budget_s)
    surface = compute_surface(spec, options, seed, grid)
    return encode_surface(surface), float(surface.meta["compute_seconds"])
