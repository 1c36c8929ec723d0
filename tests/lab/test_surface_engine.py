"""Which engine computes the Lab's surfaces: the sweep engine where it pays, else serial runs.

(That both give identical surfaces is tested on a real Ray cluster in tests/sweep/test_ray.py.)
"""

from __future__ import annotations

import pytest

from alignlab.lab import _surface
from alignlab.sweep import map_runs


def test_env_forces_the_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIGNLAB_LAB_ENGINE", "serial")
    assert _surface.local_runner() is None
    monkeypatch.setenv("ALIGNLAB_LAB_ENGINE", "ray")
    assert _surface.local_runner() is map_runs


@pytest.mark.parametrize(("cpus", "engine"), [(2, False), (4, True), (16, True)])
def test_auto_uses_the_engine_from_four_cores(
    monkeypatch: pytest.MonkeyPatch, cpus: int, engine: bool
) -> None:
    monkeypatch.delenv("ALIGNLAB_LAB_ENGINE", raising=False)
    monkeypatch.setattr(_surface.os, "cpu_count", lambda: cpus)
    assert (_surface.local_runner() is map_runs) is engine


def test_auto_without_ray_runs_serially(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALIGNLAB_LAB_ENGINE", raising=False)
    monkeypatch.setattr(_surface.os, "cpu_count", lambda: 16)
    monkeypatch.setattr(_surface.importlib.util, "find_spec", lambda name: None)
    assert _surface.local_runner() is None
