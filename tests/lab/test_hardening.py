"""The Lab server under hostile or heavy use: Host check, JSON only, bounded bodies and work."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from collections.abc import Coroutine, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import httpx
import numpy as np
import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

import alignlab
from alignlab.core import Measurement, OptionValue, Sliders, register, unregister
from alignlab.lab import (
    GRID_LADDER,
    SurfaceCache,
    choose_grid,
    create_app,
    decode_surface,
    running_server,
)
from alignlab.lab._app import MAX_BODY_BYTES, _BodyTooLarge, _read_body, allowed_hosts
from alignlab.lab._surface import MAGIC, STALE_TMP_SECONDS
from tests.lab.conftest import LABTOY_SCHEMA, SMALL_GRID, labtoy

T = TypeVar("T")


def _run_async(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` in a thread of its own: Playwright's sync API may hold this thread's loop."""
    out: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            out.append(asyncio.run(main))
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return out[0]


GATE = threading.Event()
STARTED = threading.Event()


def _gated(
    sliders: Sliders, options: Mapping[str, OptionValue], rng: np.random.Generator
) -> Measurement:
    """labtoy, but every run waits for GATE: a surface whose computation the test controls."""
    STARTED.set()
    GATE.wait(60)
    return labtoy(sliders, options, rng)


def _sleepy(
    sliders: Sliders, options: Mapping[str, OptionValue], rng: np.random.Generator
) -> Measurement:
    """labtoy on a busy machine: each run waits 100 ms for a CPU it does not use."""
    time.sleep(0.1)
    return labtoy(sliders, options, rng)


@pytest.fixture
def gated(labtoy_id: str) -> Iterator[str]:
    GATE.clear()
    STARTED.clear()
    register("gated", title="Gated", summary="s", schema=LABTOY_SCHEMA, fr_definition="f")(_gated)
    try:
        yield "gated"
    finally:
        GATE.set()
        unregister("gated")


RUN = {"experiment": "labtoy", "params": {"pressure": 0.5}, "seed": 3}


# -- Host header (DNS rebinding) ---------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example"])
def test_foreign_host_header_is_refused(client: TestClient, host: str) -> None:
    for response in (
        client.get("/api/experiments", headers={"host": host}),
        client.post("/api/run", json=RUN, headers={"host": host}),
        client.get("/", headers={"host": host}),
    ):
        assert response.status_code == 400
        assert "is not allowed" in response.json()["error"]


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1:9", "[::1]:8000", "LOCALHOST"])
def test_local_host_names_are_accepted(client: TestClient, host: str) -> None:
    assert client.get("/api/experiments", headers={"host": host}).status_code == 200


def test_the_bound_host_name_is_accepted_and_wildcards_add_nothing(labtoy_id: str) -> None:
    assert "lab.lan" in allowed_hosts("lab.lan")
    assert allowed_hosts("0.0.0.0") == allowed_hosts("::") == allowed_hosts()
    app = create_app(grid=SMALL_GRID, hosts=allowed_hosts("lab.lan"))
    with TestClient(app, base_url="http://lab.lan:8000") as c:
        assert c.get("/api/experiments").status_code == 200
        assert c.get("/api/experiments", headers={"host": "other.lan"}).status_code == 400


# -- POST /api/run: JSON only, bounded, no overflow ----------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
def test_run_requires_a_json_content_type(client: TestClient, content_type: str) -> None:
    # A cross-site form can post these without a preflight; it cannot post JSON.
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/api/run", content=json.dumps(RUN), headers=headers)
    assert response.status_code == 415 and "application/json" in response.json()["error"]
    ok = client.post(
        "/api/run",
        content=json.dumps(RUN),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"experiment": "labtoy", "params": {"pressure": 10**400}},
        {"experiment": "labtoy", "seed": 10**400},
        {"experiment": "labtoy", "seed": -(10**400)},
        {"experiment": "labtoy", "options": {"scale": 10**400}},
    ],
)
def test_huge_integers_are_422_not_500(client: TestClient, body: dict[str, object]) -> None:
    response = client.post("/api/run", json=body)
    assert response.status_code == 422 and "out of range" in response.json()["error"]


def test_huge_query_seed_is_422(client: TestClient) -> None:
    response = client.get("/api/surface/labtoy", params={"seed": "9" * 400})
    assert response.status_code == 422


def test_body_reading_stops_at_the_limit() -> None:
    chunk = b"x" * 4096
    sent = 0

    async def receive() -> dict[str, object]:
        nonlocal sent
        sent += 1
        return {"type": "http.request", "body": chunk, "more_body": sent < 10_000}

    scope = {"type": "http", "method": "POST", "headers": [], "path": "/api/run"}
    with pytest.raises(_BodyTooLarge):
        _run_async(_read_body(Request(scope, receive), MAX_BODY_BYTES))
    assert sent == MAX_BODY_BYTES // len(chunk) + 1  # not one chunk more than needed

    big = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-length", b"999999999")],
    }
    sent = 0
    with pytest.raises(_BodyTooLarge):
        _run_async(_read_body(Request(big, receive), MAX_BODY_BYTES))
    assert sent == 0  # a declared length over the limit is refused before reading


# -- Surfaces: bounded work, waiting without threads ---------------------------------------


def test_waiters_hold_no_thread_and_run_stays_fast(gated: str, tmp_path: Path) -> None:
    waiters = 50  # more than Starlette's 40 worker threads
    app = create_app(cache_dir=tmp_path, grid=SMALL_GRID)
    with running_server(app) as url:

        async def scenario() -> tuple[list[int], int, bool]:
            async with httpx.AsyncClient(base_url=url, timeout=60) as http:
                waiting = [
                    asyncio.create_task(http.get("/api/surface/gated")) for _ in range(waiters)
                ]
                while not STARTED.is_set():
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.3)  # let every waiter reach the server
                run = await http.post("/api/run", json=RUN)
                still_computing = not GATE.is_set()
                GATE.set()
                done = await asyncio.gather(*waiting)
                return [r.status_code for r in done], run.status_code, still_computing

        statuses, run_status, answered_first = _run_async(scenario())
    # /api/run answered while the surface was still being computed
    assert run_status == 200 and answered_first
    assert statuses == [200] * waiters
    assert len(app.state.surfaces.computed) == 1  # one computation served them all


def test_too_many_surfaces_at_once_is_503_with_retry_after(gated: str, tmp_path: Path) -> None:
    app = create_app(cache_dir=tmp_path, grid=SMALL_GRID, max_pending=1)
    with running_server(app) as url:

        async def scenario() -> tuple[httpx.Response, int]:
            async with httpx.AsyncClient(base_url=url, timeout=60) as http:
                first = asyncio.create_task(http.get("/api/surface/gated", params={"seed": 1}))
                while not STARTED.is_set():
                    await asyncio.sleep(0.01)
                refused = await http.get("/api/surface/gated", params={"seed": 2})
                GATE.set()
                return refused, (await first).status_code

        refused, first_status = _run_async(scenario())
    assert first_status == 200
    assert refused.status_code == 503
    assert int(refused.headers["retry-after"]) >= 1 and "retry" in refused.json()["error"]


def test_disk_cache_is_a_bounded_lru(labtoy_id: str, tmp_path: Path) -> None:
    spec = alignlab.get(labtoy_id)
    options = spec.schema.defaults()
    probe = SurfaceCache(tmp_path / "probe", SMALL_GRID)
    size = len(probe.get(spec, options, 0))
    cache = SurfaceCache(tmp_path / "c", SMALL_GRID, max_disk_bytes=2 * size + size // 2)
    cache.get(spec, options, 0)
    cache.get(spec, options, 1)
    time.sleep(0.01)
    SurfaceCache(tmp_path / "c", SMALL_GRID).get(spec, options, 0)  # seed 0 used again (from disk)
    time.sleep(0.01)
    cache.get(spec, options, 2)
    kept = sorted(f.name for f in (tmp_path / "c").glob("*.alsf"))
    assert len(kept) == 2
    assert cache.key(spec, options, 1) + ".alsf" not in kept  # the least recently used went
    assert cache.key(spec, options, 0) + ".alsf" in kept


@pytest.mark.parametrize(
    "header", [b'{"format":1}', b"[1,2]", b'{"format":1,"arrays":[{}]}', b"\xff"]
)
def test_corrupt_cache_entries_are_recomputed(
    labtoy_id: str, tmp_path: Path, header: bytes
) -> None:
    spec = alignlab.get(labtoy_id)
    options = spec.schema.defaults()
    key = SurfaceCache(tmp_path, SMALL_GRID).key(spec, options, 0)
    corrupt = tmp_path / f"{key}.alsf"
    corrupt.write_bytes(MAGIC + len(header).to_bytes(4, "little") + header)
    with TestClient(
        create_app(cache_dir=tmp_path, grid=SMALL_GRID), base_url="http://127.0.0.1"
    ) as c:
        for _ in range(2):
            response = c.get("/api/surface/labtoy")
            assert response.status_code == 200
    assert decode_surface(corrupt.read_bytes()).meta["experiment"] == "labtoy"


def test_leftover_tmp_files_are_cleaned(tmp_path: Path) -> None:
    old = tmp_path / "goodhart-abc.x1.alsf.tmp"
    fresh = tmp_path / "goodhart-abc.x2.alsf.tmp"  # another process may be writing it now
    for file in (old, fresh):
        file.write_bytes(b"half")
    past = time.time() - STALE_TMP_SECONDS - 5
    os.utime(old, (past, past))
    SurfaceCache(tmp_path)
    assert not old.exists() and fresh.exists()


def test_surface_computation_is_logged(
    labtoy_id: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spec = alignlab.get(labtoy_id)
    with caplog.at_level(logging.INFO, logger="alignlab.lab"):
        SurfaceCache(tmp_path, SMALL_GRID).get(spec, spec.schema.defaults(), 4)
    messages = [r.getMessage() for r in caplog.records]
    assert any("surface labtoy seed=4" in m and "computing on a 3x3x5 grid" in m for m in messages)
    assert any(m.startswith("surface labtoy seed=4: done in") for m in messages)


def test_a_busy_machine_does_not_coarsen_the_grid(labtoy_id: str) -> None:
    # 729 runs x 100 ms of waiting = 73 s of wall-clock time: over a 60 s budget if the
    # waiting counted, but the runs cost little CPU, so the finest grid fits.
    register("sleepy", title="S", summary="s", schema=LABTOY_SCHEMA, fr_definition="f")(_sleepy)
    try:
        spec = alignlab.get("sleepy")
        assert choose_grid(spec, spec.schema.defaults(), 0, budget_s=60.0) == GRID_LADDER[0]
    finally:
        unregister("sleepy")
