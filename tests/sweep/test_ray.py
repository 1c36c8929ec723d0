"""The engine on a real Ray cluster on loopback (a head and one worker node).

One cluster serves the whole module (starting Ray costs seconds). Sweeps join it with
`--address`, in-process or as a `python -m alignlab` subprocess that a test kills. Every
Ray process the tests start is checked to be gone when the module ends.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from alignlab.cli import main
from alignlab.sweep import plan
from alignlab.sweep._table import partial_dir
from tests.sweep.conftest import SRC

NODE = {"num_cpus": 1, "node_ip_address": "127.0.0.1", "object_store_memory": 80 * 2**20}
MARK = "ALIGNLAB_TEST_RAY_MARK"


def _env(mark: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    env[MARK] = mark
    return env


def _processes_marked(mark: str) -> list[int]:
    """PIDs whose environment carries `mark` (Ray passes the environment to its processes)."""
    found = []
    needle = f"{MARK}={mark}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _assert_none_left(mark: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while (left := _processes_marked(mark)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"Ray processes outlived the test: {left}"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    from ray.cluster_utils import Cluster

    mark = uuid.uuid4().hex
    saved = dict(os.environ)
    os.environ.update(_env(mark))  # the nodes and their workers inherit this
    try:
        ray_cluster = Cluster(
            initialize_head=True, head_node_args={**NODE, "include_dashboard": False}
        )
        ray_cluster.add_node(**NODE)
        ray_cluster.wait_for_nodes()
        yield ray_cluster
    finally:
        os.environ.clear()
        os.environ.update(saved)
        ray_cluster.shutdown()
        _assert_none_left(mark)


def _keys(out: Path) -> list[tuple[Any, ...]]:
    table = pq.read_table(out, columns=["pressure", "fidelity", "oversight", "seed"])
    return list(zip(*(table.column(n).to_pylist() for n in table.column_names), strict=True))


def _planned(spec_args: dict[str, str], experiment: str) -> set[tuple[Any, ...]]:
    spec = plan(experiment, **spec_args)  # type: ignore[arg-type]
    return {(r.pressure, r.fidelity, r.oversight, r.seed) for r in spec.runs()}


def test_cluster_is_a_head_and_a_worker_node_on_loopback(cluster: Any) -> None:
    assert cluster.address.startswith("127.0.0.1:")
    nodes = cluster.list_all_nodes()
    assert len(nodes) == 2
    assert {node.node_ip_address for node in nodes} == {"127.0.0.1"}


def test_sweep_through_address_writes_every_run_once(
    cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import ray

    out = tmp_path / "rc.parquet"
    grid = {"pressure": "0:1:3", "fidelity": "0,1", "seeds": "0:10"}
    argv = ["sweep", "refusal-calibration", "--pressure", grid["pressure"]]
    argv += ["--fidelity", grid["fidelity"], "--seeds", grid["seeds"], "--out", str(out)]
    argv += ["--address", cluster.address, "--batch-seconds", "0.05", "--json", "--quiet"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["address"] == cluster.address
    assert report["workers"] == 2  # one CPU on each node
    assert report["ran"] == report["rows"] == 60
    keys = _keys(out)
    assert len(keys) == len(set(keys)) == 60
    assert set(keys) == _planned(grid, "refusal-calibration")
    assert not ray.is_initialized()  # the driver left; the cluster stays up
    assert len(cluster.list_all_nodes()) == 2


def test_map_runs_returns_the_results_of_alignlab_run_in_order(cluster: Any) -> None:
    import ray

    import alignlab
    from alignlab.sweep import map_runs

    settings = [(p / 4, f / 2, 0.0, {}, 3) for f in range(3) for p in range(5)]
    ray.init(address=cluster.address, logging_level="ERROR", log_to_driver=False)
    try:
        results = map_runs("rater-bias", settings)
    finally:
        ray.shutdown()
    assert len(results) == len(settings)
    for (p, f, o, _, seed), result in zip(settings, results, strict=True):
        expected = alignlab.run("rater-bias", pressure=p, fidelity=f, oversight=o, seed=seed)
        assert result.to_dict() == expected.to_dict()


def test_lab_surface_on_the_engine_equals_the_serial_surface(cluster: Any) -> None:
    import numpy as np
    import ray

    import alignlab
    from alignlab.lab import SurfaceGrid, compute_surface
    from alignlab.sweep import map_runs

    spec = alignlab.get("rater-bias")
    options = spec.schema.defaults()
    grid = SurfaceGrid(3, 3, 4)
    serial = compute_surface(spec, options, 2, grid)
    ray.init(address=cluster.address, logging_level="ERROR", log_to_driver=False)
    try:
        engine = compute_surface(spec, options, 2, grid, runner=map_runs)
    finally:
        ray.shutdown()
    assert serial.arrays.keys() == engine.arrays.keys()
    for name, array in serial.arrays.items():
        np.testing.assert_array_equal(array, engine.arrays[name], err_msg=name)


def _start_sweep(out: Path, address: str, grid: dict[str, str], mark: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "alignlab", "sweep", "goodhart", "--out", str(out)]
    argv += [f"--{k}={v}" for k, v in grid.items()]
    argv += ["--address", address, "--batch-seconds", "0.2"]
    return subprocess.Popen(
        argv, env=_env(mark), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _wait_for_parts(out: Path, proc: subprocess.Popen[str], count: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list(partial_dir(out).glob("part-*.parquet"))) >= count:
            return
        time.sleep(0.02)
    proc.kill()
    raise AssertionError(f"no {count} parts before the sweep ended: {proc.communicate()}")


GOODHART_GRID = {"pressure": "0:1:6", "fidelity": "0,1", "seeds": "0:20"}  # 240 runs


@pytest.mark.slow
def test_a_killed_sweep_resumes_without_duplicate_or_missing_rows(
    cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "gh.parquet"
    mark = uuid.uuid4().hex
    proc = _start_sweep(out, cluster.address, GOODHART_GRID, mark)
    _wait_for_parts(out, proc, count=4)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert not out.exists()  # never finalised: the rows live in the parts
    kept = sum(pq.read_metadata(p).num_rows for p in partial_dir(out).glob("part-*.parquet"))
    assert 0 < kept < 240

    argv = ["sweep", "goodhart", "--out", str(out), "--resume", "--json", "--quiet"]
    argv += [f"--{k}={v}" for k, v in GOODHART_GRID.items()]
    argv += ["--address", cluster.address]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["skipped"] == kept
    assert report["ran"] == 240 - kept
    assert report["rows"] == 240 and report["missing"] == 0
    keys = _keys(out)
    assert len(keys) == len(set(keys)) == 240
    assert set(keys) == _planned(GOODHART_GRID, "goodhart")
    assert not partial_dir(out).exists()
    _assert_none_left(mark)  # the killed driver's own processes are gone too


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_ctrl_c_keeps_finished_runs_and_says_how_to_resume(
    cluster: Any, tmp_path: Path, signum: signal.Signals
) -> None:
    out = tmp_path / "gh.parquet"
    mark = uuid.uuid4().hex
    proc = _start_sweep(out, cluster.address, GOODHART_GRID, mark)
    _wait_for_parts(out, proc, count=2)
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("alignlab:")]
    assert len(lines) == 1 and "resume with: alignlab sweep goodhart" in lines[0]
    assert lines[0].endswith("--resume")
    rows = pq.read_metadata(out).num_rows  # a complete, readable file
    assert 0 < rows < 240
    assert f"{rows} rows in {out}" in stdout
    _assert_none_left(mark)


@pytest.mark.slow
def test_a_signal_mid_sweep_stops_it_in_process_and_keeps_a_readable_file(
    cluster: Any, tmp_path: Path
) -> None:
    import ray

    from alignlab.sweep import Progress, run_sweep

    out = tmp_path / "gh.parquet"
    spec = plan("goodhart", **GOODHART_GRID)  # type: ignore[arg-type]
    before = signal.getsignal(signal.SIGTERM)
    sent: list[Progress] = []

    def kill_once(progress: Progress) -> None:
        if progress.done and not sent:
            sent.append(progress)
            os.kill(os.getpid(), signal.SIGTERM)

    report = run_sweep(spec, out, address=cluster.address, batch_seconds=0.2, on_progress=kill_once)
    assert sent and report.interrupted
    assert 0 < report.rows == pq.read_metadata(out).num_rows < 240
    assert report.rows == report.ran
    assert len(set(_keys(out))) == report.rows
    assert signal.getsignal(signal.SIGTERM) == before  # the caller's handler is back
    assert not ray.is_initialized()


@pytest.mark.slow
def test_embedded_engine_runs_locally_and_leaves_no_ray_process(tmp_path: Path) -> None:
    out = tmp_path / "rc.parquet"
    mark = uuid.uuid4().hex
    argv = [sys.executable, "-m", "alignlab", "sweep", "refusal-calibration", "--out", str(out)]
    argv += ["--pressure", "0,1", "--seeds", "0:4", "--cpus", "1", "--json"]
    done = subprocess.run(argv, env=_env(mark), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["address"] == "local" and report["workers"] == 1
    assert report["rows"] == 8
    # The progress bar went to stderr (not a terminal: plain lines), nothing else did.
    assert "runs/s" in done.stderr and "ETA" in done.stderr
    _assert_none_left(mark)
