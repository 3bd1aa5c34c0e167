"""What the local sandbox servers (marketplaces, carriers, e-invoice providers, chat platforms,
an LLM endpoint) share: an HTTP server on its own daemon thread (port 0: a free one) and a
request handler base with HTTP/1.1, no access log and the JSON answer.

A sandbox subclasses `HttpSandbox`, names its handler in `handler_class()` and the background
senders that live as long as the server in `background()`; its handler subclasses
`SandboxHandler` and implements `_dispatch(method)`. `bind(Handler, sandbox)` gives the handler
class of one sandbox instance.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

POLL_SECONDS = 0.05  # how soon serve_forever notices shutdown()


class Background(Protocol):
    """A worker started and stopped with the server (a push or callback sender)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up on a slow answer is expected here: not an error to print."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class HttpSandbox:
    thread_name: ClassVar[str] = "sandbox"
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def background(self) -> Iterable[Background]:
        return ()

    def start(self, host: str = "127.0.0.1", port: int = 0) -> Self:
        self._server = SandboxHTTPServer((host, port), self.handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            args=(POLL_SECONDS,),
            name=self.thread_name,
            daemon=True,
        )
        self._thread.start()
        for worker in self.background():
            worker.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for worker in self.background():
            worker.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @classmethod
    @contextmanager
    def running(cls, **options: Any) -> Iterator[Self]:
        """A sandbox started on a free port for the duration of the block."""
        sandbox = cls(**options)
        sandbox.start()
        try:
            yield sandbox
        finally:
            sandbox.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        """`http://host:port` of the running server."""
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        host = self._server.server_address[0]
        host = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{host}:{self.port}"


@dataclass
class Fault:
    """An injected failure of the next `count` calls whose path contains `path`: "slow" (the
    answer comes after `delay` seconds), "error" (HTTP `status`) or a sandbox's own kinds."""

    kind: str
    count: int = 1
    delay: float = 2.0
    status: int = 500
    path: str = ""  # only calls whose path contains this


FaultT = TypeVar("FaultT", bound=Fault)


class FaultQueue(Generic[FaultT]):
    """Pending faults of a sandbox (its `lock` guards `faults`)."""

    fault_kinds: ClassVar[tuple[str, ...]] = ("slow", "error", "expired_token")
    lock: Any
    faults: list[FaultT]

    def add_fault(self, fault: FaultT) -> None:
        if fault.kind not in self.fault_kinds:
            raise ValueError(f"unknown fault {fault.kind}")
        with self.lock:
            self.faults.append(fault)

    def take_fault(self, path: str) -> FaultT | None:
        """The first pending fault for this path, counted down."""
        with self.lock:
            for fault in self.faults:
                if fault.path in path:
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                    return fault
            return None

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()


class SandboxClock:
    """A sandbox's time: the real one moved on by `advance` (tokens expire, timers run out)."""

    lock: Any
    clock_offset: float = 0.0

    def now(self) -> float:
        return time.time() + self.clock_offset

    def advance(self, seconds: float) -> float:
        """Move the clock on; the new time."""
        with self.lock:
            self.clock_offset += float(seconds)
            return self.now()


class SandboxHandler(BaseHTTPRequestHandler):
    """GET and POST go to `_dispatch(method)`; `_json` and `_send` answer with a length."""

    sandbox: Any
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms delayed-ACK wait)
    json_type: ClassVar[str] = "application/json"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        self.send_error(501, f"Unsupported method ({method!r})")

    def _read(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, self.json_type, json.dumps(payload, ensure_ascii=False).encode())

    def _send(self, status: int, headers: str | Mapping[str, str], body: bytes) -> None:
        """`headers`: the content type, or every header to send (Content-Length aside)."""
        if isinstance(headers, str):
            headers = {"Content-Type": headers}
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            self.close_connection = True


HandlerT = TypeVar("HandlerT", bound=BaseHTTPRequestHandler)
# a control action: (sandbox, the JSON body, the query) -> a dict merged into the answer
ControlAction = Callable[[Any, dict[str, Any], Any], Any]


def control_call(
    sandbox: object,
    method: str,
    path: str,
    query: object,
    raw: bytes,
    *,
    post: Mapping[str, ControlAction],
    get: Mapping[str, ControlAction],
) -> tuple[int, dict[str, Any]]:
    """A sandbox's JSON control API under /_sandbox/<action>: HTTP 200 `{"ok": true, ...}`,
    400 `{"ok": false, "error": ...}` on a bad body or argument, 404 for an unknown action."""
    name = path.removeprefix("/_sandbox/").strip("/")
    action = (post if method == "POST" else get).get(name)
    if action is None:
        return 404, {"ok": False, "error": f"unknown control call {method} {name}"}
    try:
        data = json.loads(raw) if raw.strip() else {}
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        result = action(sandbox, data, query)
    except (KeyError, ValueError, TypeError) as error:
        return 400, {"ok": False, "error": f"{type(error).__name__}: {error}"}
    return 200, {"ok": True, **(result if isinstance(result, dict) else {})}


def bind(handler: type[HandlerT], sandbox: object) -> type[HandlerT]:
    """`handler` serving one sandbox instance (the server makes a handler per request)."""
    return type(f"Bound{handler.__name__}", (handler,), {"sandbox": sandbox})
