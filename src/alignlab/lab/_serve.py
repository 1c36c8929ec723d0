"""Serving the Lab with uvicorn: bind first (so a busy port is one clear error), then run.

`serve` is what `alignlab lab` calls; `running_server` runs an app on a free port in a
background thread, for tests and benchmarks that drive a real browser against it.
"""

from __future__ import annotations

import socket
import threading
import time
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette

from alignlab.core import ParameterError


def bind(host: str, port: int) -> socket.socket:
    """Open a listening TCP socket on `host`:`port`.

    Raises:
        ParameterError: if the port is outside 0-65535, the host does not resolve, or
            the address is in use.
    """
    if not 0 <= port <= 65535:
        raise ParameterError(f"port must be a whole number in [0, 65535]; got {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ParameterError(f"cannot resolve host {host!r}: {exc}") from None
    family, kind, proto, _, address = infos[0]
    # The protocol must be IPPROTO_TCP, not 0: asyncio only sets TCP_NODELAY on accepted
    # connections of such sockets, and without it Nagle's algorithm meets the client's
    # delayed ACK and adds about 40 ms to every keep-alive request.
    sock = socket.socket(family, kind, proto or socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ParameterError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    """The http URL a bound socket serves."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def open_browser(url: str) -> bool:
    """Try to open `url` in the user's browser; never raise (headless machines have none)."""
    try:
        return bool(webbrowser.open(url, new=2))
    except Exception:  # any failure to find or launch a browser is not an error here
        return False


def serve(
    app: Starlette,
    host: str = "127.0.0.1",
    port: int = 8000,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve `app` until interrupted; call `on_ready(url)` once it accepts connections.

    Raises:
        ParameterError: if the address cannot be bound.
    """
    sock = bind(host, port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    if on_ready is not None:
        url = url_of(sock)

        def announce() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.02)
            if server.started:
                on_ready(url)

        threading.Thread(target=announce, daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


@contextmanager
def running_server(app: Starlette, host: str = "127.0.0.1") -> Iterator[str]:
    """Run `app` with uvicorn on a free port in a thread; yield its URL, stop on exit.

    Examples:
        >>> with running_server(create_app()) as url:  # doctest: +SKIP
        ...     httpx.get(url + "api/experiments")
    """
    sock = bind(host, 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the lab server did not start")
        time.sleep(0.01)
    try:
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
