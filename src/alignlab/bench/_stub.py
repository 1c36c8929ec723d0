"""A scripted OpenAI-compatible chat server on 127.0.0.1, for the demo, tests and benchmark.

It is a *scripted* target, not a model: a `Policy` maps the chat messages of a request
to the reply text. Faults (429, 500, slow replies, malformed JSON, dropped connections)
can be injected on a share of requests so the runner's retry and resume paths can be
exercised against real HTTP. It speaks just enough HTTP/1.1 (keep-alive, Content-Length)
for the OpenAI Python client, with no dependency beyond the standard library so its own
overhead stays out of the measurements.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

Policy = Callable[[list[dict[str, Any]]], str]
"""Map the `messages` of a chat request to the assistant's reply text (or raise `ScriptedFault`)."""


class ScriptedFault(Exception):
    """Raised by a policy to answer a request with an HTTP error (e.g. 400 on chosen items)."""

    def __init__(self, status: int = 400, message: str = "bad request (scripted)") -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class FaultPlan:
    """Shares of requests that fail, each in [0, 1], drawn from a seeded generator.

    Attributes:
        rate_429: answer 429 Too Many Requests.
        rate_500: answer 500 Internal Server Error.
        rate_slow: sleep `slow_seconds` before answering (past the client's timeout).
        rate_malformed: answer 200 with a body that is not JSON.
        rate_drop: close the connection without answering.
        rate_null: answer 200 with `content: null` (an empty reply).
        rate_no_choices: answer 200 with `choices: []`.
        slow_seconds: how long a slow reply takes.
        seed: seed of the generator that decides which requests fail.
    """

    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_slow: float = 0.0
    rate_malformed: float = 0.0
    rate_drop: float = 0.0
    rate_null: float = 0.0
    rate_no_choices: float = 0.0
    slow_seconds: float = 5.0
    seed: int = 0

    def __post_init__(self) -> None:
        total = self.rate_429 + self.rate_500 + self.rate_slow + self.rate_malformed
        if total + self.rate_drop + self.rate_null + self.rate_no_choices > 1.0:
            raise ValueError("fault rates must sum to at most 1")


@dataclass
class ServerStats:
    """Counts of what the server did, for tests and the benchmark."""

    requests: int = 0
    completions: int = 0
    faults: dict[str, int] = field(default_factory=dict)


def _completion_body(model: str, text: str | None, number: int, choices: bool = True) -> bytes:
    words = len((text or "").split())
    body = json.loads(_body_json(model, text, number, words))
    if not choices:
        body["choices"] = []
    return json.dumps(body).encode()


def _body_json(model: str, text: str | None, number: int, words: int) -> str:
    return json.dumps(
        {
            "id": f"chatcmpl-scripted-{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": words, "total_tokens": words + 1},
        }
    )


_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


class ScriptedServer:
    """An OpenAI-compatible server on 127.0.0.1 whose replies come from scripted policies.

    Each model name maps to one policy, so one server can host several scripted systems.
    Use it as a context manager; it runs its own event loop in a daemon thread.

    Examples:
        >>> with ScriptedServer({"echo": lambda m: m[-1]["content"]}) as server:
        ...     server.base_url.startswith("http://127.0.0.1:")
        True
    """

    def __init__(
        self,
        policies: dict[str, Policy],
        *,
        latency: float = 0.0,
        faults: FaultPlan | None = None,
        port: int = 0,
    ) -> None:
        self.policies = dict(policies)
        self.latency = latency
        self.stats = ServerStats()
        self._faults = faults or FaultPlan()
        self._rng = random.Random(self._faults.seed)
        self._port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._start_error: OSError | None = None
        self._lock = threading.Lock()
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def port(self) -> int:
        """The TCP port the server listens on (chosen free when 0 was asked)."""
        return self._port

    @property
    def base_url(self) -> str:
        """The OpenAI base URL (ends in /v1)."""
        return f"http://127.0.0.1:{self._port}/v1"

    def set_faults(self, faults: FaultPlan | None) -> None:
        """Replace the fault plan (None: no faults) while the server runs."""
        with self._lock:
            self._faults = faults or FaultPlan()
            self._rng = random.Random(self._faults.seed)

    def _draw_fault(self) -> str | None:
        with self._lock:
            plan = self._faults
            x = self._rng.random()
        for name, rate in (
            ("429", plan.rate_429),
            ("500", plan.rate_500),
            ("slow", plan.rate_slow),
            ("malformed", plan.rate_malformed),
            ("drop", plan.rate_drop),
            ("null", plan.rate_null),
            ("no_choices", plan.rate_no_choices),
        ):
            if x < rate:
                self.stats.faults[name] = self.stats.faults.get(name, 0) + 1
                return name
            x -= rate
        return None

    def start(self) -> ScriptedServer:
        """Start serving in a background thread; return self once it listens."""
        self._thread = threading.Thread(target=self._run, name="scripted-llm", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("scripted server did not start")
        if self._start_error is not None:
            error = self._start_error
            self._thread.join(5)
            self._thread = None
            raise error
        return self

    def stop(self) -> None:
        """Stop serving and join the thread."""
        loop = self._loop
        if loop is not None and self._thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(
                asyncio.start_server(self._handle, "127.0.0.1", self._port, backlog=1024)
            )
        except OSError as exc:  # loopback down, port taken: say so at once, not in 10 s
            self._start_error = exc
            self._ready.set()
            loop.close()
            return
        self._server = server
        self._port = int(server.sockets[0].getsockname()[1])
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            server.close()
            for writer in list(self._writers):
                writer.close()
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            with contextlib.suppress(Exception):
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            with contextlib.suppress(Exception):
                loop.run_until_complete(server.wait_closed())
            loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = [*lines[0].split(" "), "", ""][:3]
                headers = {}
                for line in lines[1:]:
                    key, sep, value = line.partition(":")
                    if sep:
                        headers[key.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                body = await reader.readexactly(length) if length else b""
                keep = await self._respond(method, path, body, writer)
                if not keep or headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            # Only at shutdown: end the handler quietly instead of surfacing a
            # cancelled task to asyncio's connection callback.
            pass
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def _respond(
        self, method: str, path: str, body: bytes, writer: asyncio.StreamWriter
    ) -> bool:
        self.stats.requests += 1
        if method == "GET" and path.rstrip("/").endswith("/models"):
            data = [{"id": name, "object": "model"} for name in self.policies]
            await self._send(writer, 200, json.dumps({"object": "list", "data": data}).encode())
            return True
        if method != "POST" or not path.rstrip("/").endswith("/chat/completions"):
            await self._send(writer, 404, b'{"error": {"message": "not found"}}')
            return True
        fault = self._draw_fault()
        if self.latency:
            await asyncio.sleep(self.latency)
        if fault == "drop":
            return False
        if fault == "slow":
            await asyncio.sleep(self._faults.slow_seconds)
        if fault == "429":
            await self._send(writer, 429, b'{"error": {"message": "rate limited (scripted)"}}')
            return True
        if fault == "500":
            await self._send(writer, 500, b'{"error": {"message": "server error (scripted)"}}')
            return True
        if fault == "malformed":
            await self._send(writer, 200, b'{"choices": [ this is not json')
            return True
        try:
            request = json.loads(body)
            model = str(request.get("model", ""))
            messages = list(request["messages"])
        except (ValueError, KeyError, TypeError):
            await self._send(writer, 400, b'{"error": {"message": "bad request"}}')
            return True
        policy = self.policies.get(model)
        if policy is None:
            await self._send(writer, 404, b'{"error": {"message": "unknown model"}}')
            return True
        text: str | None
        try:
            text = policy(messages)
        except ScriptedFault as fault_reply:
            body = json.dumps({"error": {"message": fault_reply.message}}).encode()
            await self._send(writer, fault_reply.status, body)
            return True
        if fault == "null":
            text = None
        if fault in ("null", "no_choices"):
            body = _completion_body(model, text, self.stats.requests, choices=fault != "no_choices")
            await self._send(writer, 200, body)
            return True
        self.stats.completions += 1
        await self._send(writer, 200, _completion_body(model, text, self.stats.requests))
        return True

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, status: int, payload: bytes) -> None:
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
            "content-type: application/json\r\n"
            f"content-length: {len(payload)}\r\n"
            "connection: keep-alive\r\n\r\n"
        ).encode()
        writer.write(head + payload)
        await writer.drain()


@contextlib.contextmanager
def serve(policies: dict[str, Policy], **kwargs: Any) -> Iterator[ScriptedServer]:
    """Run a `ScriptedServer` for the duration of a `with` block."""
    server = ScriptedServer(policies, **kwargs)
    server.start()
    try:
        yield server
    finally:
        server.stop()
