"""Surfaces computed in a child process: same bytes as on a thread, and stopped on close."""

from __future__ import annotations

import os
import time

import numpy as np

import alignlab
from alignlab.lab import SurfaceCache, compute_surface, decode_surface
from tests.lab.conftest import SMALL_GRID


def test_isolated_surface_equals_the_in_thread_one_and_close_stops_the_child() -> None:
    spec = alignlab.get("refusal-calibration")
    options = spec.schema.defaults()
    cache = SurfaceCache(None, SMALL_GRID, isolate=True)
    try:
        blob = cache.get(spec, options, 3)
        assert cache._child is not None
        children = list((cache._child._processes or {}).values())
        assert children and all(p.pid != os.getpid() for p in children)
    finally:
        cache.close()
    deadline = time.monotonic() + 60
    while any(p.is_alive() for p in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(p.is_alive() for p in children)

    isolated = decode_surface(blob)
    here = compute_surface(spec, options, 3, SMALL_GRID)
    assert isolated.meta["axes"] == here.meta["axes"]
    assert isolated.arrays.keys() == here.arrays.keys()
    for name, array in here.arrays.items():
        np.testing.assert_array_equal(isolated.arrays[name], array, err_msg=name)


def test_a_runtime_registered_experiment_is_computed_here(labtoy_id: str) -> None:
    # A child process would not know an experiment registered at run time: it stays here.
    spec = alignlab.get(labtoy_id)
    cache = SurfaceCache(None, SMALL_GRID, isolate=True)
    try:
        decode_surface(cache.get(spec, spec.schema.defaults(), 1))
        assert cache._child is None
    finally:
        cache.close()


def test_a_child_that_dies_costs_a_computation_here_not_the_cache() -> None:
    spec = alignlab.get("refusal-calibration")
    options = spec.schema.defaults()
    cache = SurfaceCache(None, SMALL_GRID, isolate=True)
    try:
        future = cache.submit(spec, options, 5)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
            cache._child is not None and cache._child._processes
        ):
            time.sleep(0.01)
        assert cache._child is not None
        (victim,) = list((cache._child._processes or {}).values())
        victim.kill()
        blob = future.result(timeout=120)  # computed on the cache's own thread instead
        here = compute_surface(spec, options, 5, SMALL_GRID)
        np.testing.assert_array_equal(decode_surface(blob).arrays["fr"], here.arrays["fr"])
        cache.get(spec, options, 6)  # and the next surface gets a fresh child
        assert cache._child is not None
        assert [p.pid for p in (cache._child._processes or {}).values()] != [victim.pid]
    finally:
        cache.close()
