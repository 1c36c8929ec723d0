"""How the engine takes Ctrl-C and SIGTERM: a stop request, never an exception mid-call.

The sweeps that signals actually stop run on a real cluster in `test_ray.py`; here the
handler itself, in this process, without Ray running.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType, SimpleNamespace

import pytest

from alignlab.sweep._engine import _StopSignals


def _until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def _raise_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(signum)  # what ray.init's own SIGTERM handler does


@pytest.fixture
def stop() -> Iterator[_StopSignals]:
    before = {s: signal.getsignal(s) for s in _StopSignals.SIGNALS}
    handlers = _StopSignals()
    try:
        yield handlers
    finally:
        handlers.restore()
        for signum, handler in before.items():
            signal.signal(signum, handler)


def test_signals_count_as_stop_requests_instead_of_raising(stop: _StopSignals) -> None:
    assert not stop.requested
    os.kill(os.getpid(), signal.SIGTERM)
    assert _until(lambda: stop.requested)
    assert not stop.hurried
    os.kill(os.getpid(), signal.SIGINT)  # no KeyboardInterrupt, wherever it lands
    assert _until(lambda: stop.hurried)


def test_restore_puts_the_previous_handlers_back() -> None:
    before = {s: signal.getsignal(s) for s in _StopSignals.SIGNALS}
    stop = _StopSignals()
    assert all(signal.getsignal(s) != before[s] for s in _StopSignals.SIGNALS)
    stop.restore()
    assert {s: signal.getsignal(s) for s in _StopSignals.SIGNALS} == before


def test_an_ignored_signal_stays_ignored() -> None:
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)  # as nohup leaves SIGHUP
    try:
        stop = _StopSignals()
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGINT)  # handled after the SIGTERM
            assert _until(lambda: stop.requested)
            assert stop.count == 1  # the SIGINT only
        finally:
            stop.restore()
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_sigterm_during_ray_init_counts_instead_of_exiting(stop: _StopSignals) -> None:
    installed: list[object] = []
    utils = SimpleNamespace(set_sigterm_handler=installed.append)
    ray = SimpleNamespace(_private=SimpleNamespace(utils=utils))
    with stop.kept_through_ray_init(ray):
        # ray.init's first step: install a handler that exits, through Ray's helper ...
        ray._private.utils.set_sigterm_handler(_raise_exit)
        os.kill(os.getpid(), signal.SIGTERM)
        assert _until(lambda: stop.requested)
        # ... or (another Ray version) directly: undone when ray.init returns
        signal.signal(signal.SIGTERM, _raise_exit)
    assert installed == []  # Ray's helper was never called
    assert ray._private.utils.set_sigterm_handler == installed.append  # and is back
    os.kill(os.getpid(), signal.SIGTERM)
    assert _until(lambda: stop.hurried)


def test_the_real_ray_helper_is_the_one_kept_out(stop: _StopSignals) -> None:
    import ray
    helper = ray._private.utils.set_sigterm_handler
    with stop.kept_through_ray_init(ray):
        ray._private.utils.set_sigterm_handler(_raise_exit)
        assert signal.getsignal(signal.SIGTERM) != _raise_exit
    assert ray._private.utils.set_sigterm_handler is helper


def test_an_engine_that_fails_to_start_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import ray

    from alignlab.core import AlignlabError
    from alignlab.sweep._engine import _connect

    def timed_out(**kwargs: object) -> None:  # what Ray 2.60 raises on a loaded machine
        raise Exception("The current node timed out during startup.\nThis could happen ...")

    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", timed_out)
    with pytest.raises(AlignlabError, match=r"^cannot start or join a local Ray engine: The "):
        _connect(None, 1)
    with socket.create_server(("127.0.0.1", 0)) as listening:  # reachable, yet Ray fails
        address = f"127.0.0.1:{listening.getsockname()[1]}"
        with pytest.raises(AlignlabError, match=re.escape(f"{address}: The current node")):
            _connect(address, 1)


def test_an_address_nothing_answers_at_fails_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from alignlab.cli import main

    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]  # free once closed: nothing listens there
    out = tmp_path / "r.parquet"
    argv = ["sweep", "rater-bias", "--seeds", "0:2", "--out", str(out)]
    start = time.monotonic()
    assert main([*argv, "--address", f"127.0.0.1:{port}", "--quiet"]) == 2
    assert time.monotonic() - start < 60  # not Ray's minutes of retries
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"alignlab: error: cannot reach the Ray cluster at 127.0.0.1:{port}: Connection refused"
    ]


def test_a_second_signal_while_ray_starts_stops_waiting_for_it(stop: _StopSignals) -> None:
    ray = SimpleNamespace(_private=SimpleNamespace(utils=SimpleNamespace()))
    with pytest.raises(KeyboardInterrupt), stop.kept_through_ray_init(ray):
        os.kill(os.getpid(), signal.SIGTERM)
        assert _until(lambda: stop.requested)
        os.kill(os.getpid(), signal.SIGINT)
        _until(lambda: False, timeout=10.0)  # the handler raises in here
    assert stop.hurried
    os.kill(os.getpid(), signal.SIGINT)  # Ray started (or failed): counting again
    assert _until(lambda: stop.count == 3)
