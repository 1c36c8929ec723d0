"""The Lab's web app: a declarative route list over the experiment registry.

Routes:
    GET  /                     the page (static HTML, JS and CSS shipped in the package)
    GET  /api/experiments      every registered experiment's schema (`ExperimentSpec.to_dict`)
    POST /api/run              one exact result, body {"experiment", "params", "options", "seed"},
                               optionally "seeds": K for a seed band (`seed_band` in the reply)
    GET  /api/surface/{id}     the experiment's response surface as float32 binary
                               (query: `seed` and the experiment's options)

Invalid input is a 422 with `{"error": "<one clear sentence>"}`, never a 500.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import AsyncIterator, Mapping
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
    SurfaceCache,
    SurfaceGrid,
    default_cache_dir,
    local_runner,
)

STATIC_DIR = Path(__file__).parent / "static"
MAX_BODY_BYTES = 64 * 1024
_RUN_KEYS = {"experiment", "params", "options", "seed", "seeds"}


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


def _json(data: Any, headers: Mapping[str, str] | None = None) -> Response:
    # allow_nan=False: a NaN would be invalid JSON that browsers refuse to parse.
    body = json.dumps(data, allow_nan=False, separators=(",", ":"))
    return Response(body, media_type="application/json", headers=headers)


def create_app(
    cache_dir: Path | None = None,
    grid: SurfaceGrid | None = None,
    warm: bool = False,
    budget_s: float = DEFAULT_BUDGET_S,
    runner: Runner | None = None,
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
        runner: How surfaces' runs are computed: None serially, `local_runner()` on the
            sweep engine (embedded Ray on this machine's cores).

    Examples:
        >>> from starlette.testclient import TestClient  # doctest: +SKIP
        >>> TestClient(create_app()).get("/api/experiments").json()[0]["id"]  # doctest: +SKIP
        'goodhart'
    """
    cache = SurfaceCache(cache_dir, grid, budget_s, runner=runner)

    async def index(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    async def experiments(request: Request) -> Response:
        return _json([spec.to_dict() for spec in alignlab.experiments()])

    async def run(request: Request) -> Response:
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
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
        # In memory: answer on the event loop; otherwise disk or a computation, in a thread.
        blob = cache.peek(spec, options, seed) or await run_in_threadpool(
            cache.get, spec, options, seed
        )
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
        yield

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
    app.state.surfaces = cache
    return app


def _warm_up(cache: SurfaceCache) -> None:
    """Compute the default surface (default options, seed 0) of the page's first experiment."""
    specs = alignlab.experiments()
    if specs:
        cache.get(specs[0], specs[0].schema.defaults(), DEFAULT_SEED)


def default_app() -> Starlette:
    """The app `alignlab lab` serves: surfaces cached on disk and warmed at start-up.

    Surfaces run on the sweep engine where that pays (see `local_runner`).
    """
    return create_app(cache_dir=default_cache_dir(), warm=True, runner=local_runner())
