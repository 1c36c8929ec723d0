import os
import socket
import subprocess
import sys
import webbrowser

import httpx
import pytest

import alignlab
from alignlab.cli import main
from alignlab.lab import open_browser


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["lab", "--port", "abc"], "--port must be a whole number"),
        (["lab", "--port", "70000"], "--port must be a whole number"),
        (["lab", "--port", "-1"], "--port must be a whole number"),
        (["lab", "--host", "no.such.host.invalid", "--port", "0"], "cannot resolve host"),
    ],
)
def test_lab_bad_input_is_one_line_exit_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_lab_busy_port_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        assert main(["lab", "--port", str(port), "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and err.count("\n") == 1


def test_open_browser_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> bool:
        raise webbrowser.Error("no runnable browser")

    monkeypatch.setattr(webbrowser, "open", broken)
    assert open_browser("http://127.0.0.1:1/") is False


def test_lab_command_serves_the_page(tmp_path: os.PathLike[str]) -> None:
    env = {**os.environ, "ALIGNLAB_CACHE_DIR": str(tmp_path), "PYTHONPATH": "src"}
    with subprocess.Popen(
        [sys.executable, "-m", "alignlab", "lab", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.startswith("alignlab lab: serving http://127.0.0.1:"), line
            url = line.split()[3]
            page = httpx.get(url, timeout=10)
            assert page.status_code == 200 and "alignlab" in page.text
            listed = httpx.get(url + "api/experiments", timeout=10).json()
            assert [e["id"] for e in listed] == [s.id for s in alignlab.experiments()]
        finally:
            proc.terminate()
            _, err = proc.communicate(timeout=10)
        assert "Traceback" not in err


def test_bound_socket_is_tcp_so_connections_get_nodelay() -> None:
    # asyncio sets TCP_NODELAY only on connections accepted from IPPROTO_TCP sockets;
    # without it every keep-alive request waited ~40 ms for a delayed ACK.
    from alignlab.lab import bind

    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        with socket.create_connection(sock.getsockname()[:2]):
            conn, _ = sock.accept()
            with conn:
                assert conn.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
