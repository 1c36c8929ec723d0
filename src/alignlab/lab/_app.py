"""The Lab's web app: a declarative route list over the experiment registry.

Routes:
    GET  /                     the page (static HTML, JS and CSS shipped in the package)
    GET  /api/experiments      every registered experiment's schema (`ExperimentSpec.to_dict`)
    POST /api/run              one exact result, body {"experiment", "params", "options", "seed"},
                               optionally "seeds": K for a seed band (`seed_band` in the reply)
    GET  /api/surface/{id}     the experiment's response surface as float32 binary
                               (query: `seed` and the experiment's options)

Invalid input is a 422 with `{"error": "<one clear sentence>"}`, never a 500. Requests
whose Host header is not this machine's (a DNS-rebinding page) get a 400; `POST /api/run`
takes only `application/json` (a cross-site form cannot post it) and at most 64 KB, read
no further than that. Surfaces are computed one at a time; past `DEFAULT_MAX_PENDING`
queued the server answers 503 with a Retry-After, and requests waiting for a surface
hold no thread, so `/api/run` stays fast meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import threading
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

import alignlab
from alignlab.core import (
    DEFAULT_SEED,
    MAX_SEEDS,
    SLIDERS,
    AlignlabError,
    ExperimentSpec,
    OptionValue,
    ParameterError,
    Result,
    SeedBand,
    UnknownExperimentError,
    run_seeds,
    validate_seed,
    validate_seed_count,
)
from alignlab.lab._surface import (
    DEFAULT_BUDGET_S,
    Runner,
    SurfaceBusy,
    SurfaceCache,
    SurfaceGrid,
    default_cache_dir,
    local_runner,
)

STATIC_DIR = Path(__file__).parent / "static"
MAX_BODY_BYTES = 64 * 1024
_RUN_KEYS = {"experiment", "params", "options", "seed", "seeds"}

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
"""Host names the server answers to by default (plus the one it was told to bind)."""


class _BodyTooLarge(Exception):
    pass


def allowed_hosts(bind_host: str | None = None) -> frozenset[str]:
    """The Host header names to accept: this machine's, plus `bind_host` when it names one.

    A wildcard bind (0.0.0.0, ::) adds nothing: the names it is reached by are unknown,
    and accepting any would let a DNS-rebinding page read every API response.
    """
    hosts = set(LOCAL_HOSTS)
    if bind_host and bind_host not in ("0.0.0.0", "::", ""):
        hosts.add(bind_host.strip("[]").lower())
    return frozenset(hosts)


def _host_name(raw: str) -> str:
    """The name part of a Host header (`[::1]:8000` -> `::1`, `Example:80` -> `example`)."""
    raw = raw.strip().lower()
    if raw.startswith("["):
        return raw[1 : raw.find("]")] if "]" in raw else raw
    return raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw


class HostCheck:
    """ASGI middleware: answer 400 to requests whose Host header is not an allowed name."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = frozenset(hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = dict(scope.get("headers") or [])
            host = _host_name(headers.get(b"host", b"").decode("latin-1"))
            if host not in self.hosts:
                response = _error(
                    400, f"host {host!r} is not allowed (serve with --host NAME to allow it)"
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _read_body(request: Request, limit: int) -> bytes:
    """Read at most `limit` bytes of the body; stop reading as soon as it is larger."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def parse_run_request(
    body: object,
) -> tuple[ExperimentSpec, dict[str, float], dict[str, OptionValue], int]:
    """Validate a `POST /api/run` body strictly (JSON types included).

    Returns:
        The spec, the three slider values, the full options and the seed.

    Raises:
        ParameterError: with one clear sentence for anything wrong.
    """
    if not isinstance(body, dict):
        raise ParameterError("the body must be a JSON object with an 'experiment' key")
    unknown = sorted(set(body) - _RUN_KEYS)
    if unknown:
        raise ParameterError(
            f"unknown key {unknown[0]!r} in the body (allowed: {', '.join(sorted(_RUN_KEYS))})"
        )
    experiment = body.get("experiment")
    if not isinstance(experiment, str):
        raise ParameterError("'experiment' must be a string naming a registered experiment")
    spec = alignlab.get(experiment)
    params = body.get("params", {})
    if not isinstance(params, dict):
        raise ParameterError("'params' must be an object of slider values")
    extra = sorted(set(params) - set(SLIDERS))
    if extra:
        raise ParameterError(f"unknown slider {extra[0]!r} (sliders: {', '.join(SLIDERS)})")
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParameterError(f"{name} must be a number in [0, 1]; got {value!r}")
    sliders = spec.schema.validate_sliders(
        params.get("pressure"), params.get("fidelity"), params.get("oversight")
    ).to_dict()
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise ParameterError("'options' must be an object of option values")
    for name, value in options.items():
        _check_option_type(spec, name, value)
    seed_raw = body.get("seed", DEFAULT_SEED)
    if isinstance(seed_raw, bool) or not isinstance(seed_raw, int | float):
        raise ParameterError(f"seed must be a whole number in [0, 2**32); got {seed_raw!r}")
    return spec, sliders, spec.schema.validate_options(options), validate_seed(seed_raw)


def parse_seed_count(body: Mapping[str, object]) -> int:
    """The `seeds` of a `POST /api/run` body: 1 (no seed band) unless given.

    Raises:
        ParameterError: unless it is a whole number in [1, `MAX_SEEDS`].
    """
    raw = body.get("seeds", 1)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ParameterError(f"seeds must be a whole number in [1, {MAX_SEEDS}]; got {raw!r}")
    return validate_seed_count(raw)


def _check_option_type(spec: ExperimentSpec, name: object, value: object) -> None:
    option = spec.schema.option(str(name))
    if option.kind == "choice":
        ok = isinstance(value, str)
    elif option.kind == "bool":
        ok = isinstance(value, bool)
    else:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok:
        raise ParameterError(f"option {option.name!r} takes a JSON {option.kind}; got {value!r}")


def parse_surface_query(
    spec: ExperimentSpec, query: Mapping[str, str]
) -> tuple[dict[str, OptionValue], int]:
    """Validate a surface query string: `seed` plus the experiment's options.

    Raises:
        ParameterError: for an unknown option or a bad value.
    """
    raw = dict(query)
    seed = validate_seed(raw.pop("seed", DEFAULT_SEED))
    return spec.schema.validate_options(raw), seed


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _error_with(status: int, message: str, headers: Mapping[str, str]) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=dict(headers))


def _json(data: Any, headers: Mapping[str, str] | None = None) -> Response:
    # allow_nan=False: a NaN would be invalid JSON that browsers refuse to parse.
    body = json.dumps(data, allow_nan=False, separators=(",", ":"))
    return Response(body, media_type="application/json", headers=headers)


def create_app(
    cache_dir: Path | None = None,
    grid: SurfaceGrid | None = None,
    warm: bool = False,
    budget_s: float = DEFAULT_BUDGET_S,
    hosts: Iterable[str] | None = None,
    max_pending: int | None = None,
    runner: Runner | None = None,
    isolate: bool = False,
) -> Starlette:
    """Build the Lab app.

    Args:
        cache_dir: Where surfaces persist between restarts (None keeps them in memory only).
        grid: A fixed surface grid; None (the default) picks one per experiment so that its
            first computation takes about `budget_s` seconds at most.
        budget_s: Time budget for choosing a grid (see `alignlab.lab.choose_grid`).
        warm: Compute the first experiment's default surface (the view the page opens on)
            in a background thread at start-up, so the first drag is already smooth.
            Other surfaces are computed when first asked for: warming them all would take
            minutes of CPU and slow the exact results the page asks for meanwhile.
        hosts: Host header names to accept (default `allowed_hosts()`: this machine's).
        max_pending: Surfaces computed or queued at once (default `DEFAULT_MAX_PENDING`).
        runner: How surfaces' runs are computed: None serially, `local_runner()` on the
            sweep engine (embedded Ray on this machine's cores).
        isolate: Compute surfaces in a child process at lower priority, so that
            `/api/run` stays fast meanwhile (see `SurfaceCache`).

    Examples:
        >>> from starlette.testclient import TestClient  # doctest: +SKIP
        >>> TestClient(create_app()).get("/api/experiments").json()[0]["id"]  # doctest: +SKIP
        'goodhart'
    """
    cache = SurfaceCache(cache_dir, grid, budget_s, runner=runner, isolate=isolate)
    if max_pending is not None:
        cache.max_pending = max_pending

    async def index(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    async def experiments(request: Request) -> Response:
        return _json([spec.to_dict() for spec in alignlab.experiments()])

    async def run(request: Request) -> Response:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            return _error(415, "the body must be JSON, sent as Content-Type: application/json")
        try:
            raw = await _read_body(request, MAX_BODY_BYTES)
        except _BodyTooLarge:
            return _error(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return _error(422, "the body is not valid JSON (or is nested too deeply)")
        try:
            spec, sliders, options, seed = parse_run_request(body)
            seeds = parse_seed_count(body)
            started = time.perf_counter()
            result: Result | SeedBand = await run_in_threadpool(
                functools.partial(spec.run, **sliders, seed=seed, options=options)
                if seeds == 1
                else functools.partial(
                    run_seeds, spec.id, **sliders, seeds=seeds, seed=seed, options=options
                )
            )
            data = result.to_dict()
            elapsed_ms = (time.perf_counter() - started) * 1000
        except AlignlabError as exc:
            return _error(422, str(exc))
        try:
            return _json(data, headers={"Server-Timing": f"run;dur={elapsed_ms:.2f}"})
        except ValueError:
            return _error(500, f"experiment {spec.id!r} returned a non-finite number")

    async def surface(request: Request) -> Response:
        try:
            spec = alignlab.get(request.path_params["experiment"])
        except UnknownExperimentError as exc:
            return _error(404, str(exc))
        try:
            options, seed = parse_surface_query(spec, request.query_params)
        except AlignlabError as exc:
            return _error(422, str(exc))
        started = time.perf_counter()
        # In memory: answer on the event loop; on disk: a quick read in a thread; otherwise
        # await the cache's own worker, holding no thread while the surface is computed.
        blob = cache.peek(spec, options, seed) or await run_in_threadpool(
            cache.load, spec, options, seed
        )
        if blob is None:
            try:
                future = cache.submit(spec, options, seed)
            except SurfaceBusy as busy:
                return _error_with(503, str(busy), {"Retry-After": str(busy.retry_after)})
            blob = await asyncio.wrap_future(future)
        elapsed_ms = (time.perf_counter() - started) * 1000
        return Response(
            blob,
            media_type="application/octet-stream",
            headers={"Server-Timing": f"surface;dur={elapsed_ms:.2f}"},
        )

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
        return _error(status, str(detail))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if warm:
            threading.Thread(target=_warm_up, args=(cache,), daemon=True).start()
        try:
            yield
        finally:
            cache.close()

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/api/experiments", experiments),
            Route("/api/run", run, methods=["POST"]),
            Route("/api/surface/{experiment}", surface),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        exception_handlers={HTTPException: not_found},
        lifespan=lifespan,
    )
    app.add_middleware(HostCheck, hosts=allowed_hosts() if hosts is None else hosts)
    app.state.surfaces = cache
    return app


def _warm_up(cache: SurfaceCache) -> None:
    """Compute the default surface (default options, seed 0) of the page's first experiment."""
    specs = alignlab.experiments()
    if specs:
        # busy, or the server stopped meanwhile: the page asks for it again anyway
        with contextlib.suppress(SurfaceBusy, RuntimeError):
            cache.get(specs[0], specs[0].schema.defaults(), DEFAULT_SEED)


def default_app(host: str | None = None) -> Starlette:
    """The app `alignlab lab` serves: surfaces cached on disk and warmed at start-up.

    Surfaces run on the sweep engine where that pays (see `local_runner`), else in a child
    process below the server's priority.

    Args:
        host: The address it is bound to; its name is accepted in the Host header.
    """
    return create_app(
        cache_dir=default_cache_dir(),
        warm=True,
        runner=local_runner(),
        hosts=allowed_hosts(host),
        isolate=True,
    )
