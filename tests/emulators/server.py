"""A small threaded HTTP server that emulators and the fault proxy build on: fault injection, routing,
JSON bodies.

What is served is a :class:`Backend`: it owns the faults and request counters and answers requests
through :meth:`Backend.respond`. An emulator subclasses :class:`Emulator`, registers routes with
:meth:`Emulator.route` and keeps its state in memory; the fault proxy (:mod:`tests.emulators.proxy`)
forwards to a real server instead. :func:`serve` runs a backend on a loopback port in a background
thread (for pytest) and :func:`main` runs an emulator in the foreground
(``python -m tests.emulators.appwrite --port N``).

Fault injection is one piece of code for every backend (:meth:`Backend.fault_before`,
:meth:`Backend.drops_after_commit`) and can be changed while the server runs through
``POST /__emulator/faults`` (JSON body with the fields of :class:`Faults`); ``GET /__emulator/stats``
returns request counters and ``POST /__emulator/reset`` clears state. These control routes are not
part of any real backend's API and are never counted as requests.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["DROP", "Backend", "Emulator", "Faults", "HttpError", "Request", "Response", "RunningEmulator",
           "RunningServer", "main", "serve"]


@dataclass
class Faults:
    """Faults applied to API requests (not to ``/__emulator`` routes).

    Rates are probabilities in [0, 1], drawn per request from a seeded RNG so runs are repeatable.
    ``drop_after_commit_rate`` applies to writes only: the handler runs (the write is committed) and
    then the connection is closed without a response, as happens when a proxy times out.
    """

    latency_ms: float = 0.0
    error_5xx_rate: float = 0.0
    rate_limit_rate: float = 0.0
    rate_limit_reset_s: float = 1.0
    drop_after_commit_rate: float = 0.0
    drop_before_rate: float = 0.0
    hang_s: float = 0.0
    seed: int = 0


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    raw_body: bytes
    target: str = ""  # path and query exactly as the client sent them

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    """An answer. ``body`` is sent as JSON; ``raw`` (when set) is sent as is, with ``headers`` only."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


class HttpError(Exception):
    """Raised by handlers to return an error response with the emulated server's error body."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.headers = headers or {}


Handler = Callable[..., Response | Any]

_INVALID_JSON = object()
"""The parsed body of a request whose body is not JSON (emulators answer it with their 400)."""


class _Drop:
    """Close the connection without an answer."""


DROP = _Drop()
"""What :meth:`Backend.fault_before` returns for a connection to close unanswered."""

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

LISTEN_BACKLOG = 511
"""Pending connections the listening socket queues (nginx's and Redis's default backlog; the kernel
caps it at ``net.core.somaxconn``)."""
KEEPALIVE_IDLE_S = 75.0
"""Seconds an idle keep-alive connection stays open (nginx's ``keepalive_timeout`` default)."""


class Backend:
    """What the shared server serves (an emulator or a proxy): faults, counters and the answer to a request.

    Subclasses implement :meth:`respond` and may override the bodies of injected errors so they look
    like the emulated server's own.
    """

    name = "backend"

    def __init__(self) -> None:
        self.faults = Faults()
        self._rng = random.Random(0)
        self.lock = threading.RLock()
        self.stats: Counter[str] = Counter()

    def respond(self, request: Request) -> Response:
        """The answer to an API request (faults are applied around this by the server)."""
        raise NotImplementedError

    def reset(self) -> None:
        """Clear all state. Subclasses extend this and call super()."""
        self.stats.clear()

    def server_error_body(self) -> Any:
        return {"message": "Internal server error (injected fault)"}

    def rate_limit_response(self) -> Response:
        reset = int(time.time() + self.faults.rate_limit_reset_s)
        return Response(
            429,
            {"message": "Too many requests (injected fault)"},
            {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset),
             "Retry-After": str(max(1, int(self.faults.rate_limit_reset_s)))},
        )

    # -- faults ------------------------------------------------------------------------------
    def set_faults(self, **values: Any) -> None:
        """Change the named fault settings (the others keep their values) and reseed the RNG."""
        names = {f.name for f in fields(Faults)}
        unknown = set(values) - names
        if unknown:
            raise HttpError(400, {"message": f"unknown fault settings: {sorted(unknown)}"})
        with self.lock:
            self.faults = Faults(**{**asdict(self.faults), **values})
            self._rng = random.Random(self.faults.seed)

    def clear_faults(self) -> None:
        """No faults at all (back to the defaults of :class:`Faults`)."""
        with self.lock:
            self.faults = Faults()
            self._rng = random.Random(0)

    def draw(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self.lock:
            return self._rng.random() < rate

    def fault_before(self, request: Request) -> Response | _Drop | None:
        """Count the request, wait the injected latency, then maybe fail it before it is handled:
        :data:`DROP` (connection closed, nothing done), an injected 429 or 503, or None to go on."""
        faults = self.faults
        with self.lock:
            self.stats["requests"] += 1
            self.stats[f"{request.method} {request.path}"] += 1
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        if faults.hang_s:
            time.sleep(faults.hang_s)
        if self.draw(faults.drop_before_rate):
            return DROP
        if self.draw(faults.rate_limit_rate):
            return self.rate_limit_response()
        if self.draw(faults.error_5xx_rate):
            return Response(503, self.server_error_body())
        return None

    def drops_after_commit(self, request: Request) -> bool:
        """Whether the answer to this handled write is lost (the connection closes instead)."""
        return request.method in WRITE_METHODS and self.draw(self.faults.drop_after_commit_rate)


class Emulator(Backend):
    """Base class: in-memory state plus a route table. Subclasses register routes in ``__init__``."""

    name = "emulator"

    def __init__(self) -> None:
        super().__init__()
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []

    # -- routing -----------------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """Register ``handler(request, **groups)`` for ``method`` and a path regex (anchored)."""
        self.routes.append((method.upper(), re.compile("^" + pattern + "$"), handler))

    def not_found(self, request: Request) -> Response:
        return Response(404, {"message": f"Route not found: {request.method} {request.path}"})

    def method_not_allowed(self, request: Request) -> Response:
        return Response(405, {"message": "Method not allowed"})

    def invalid_json_response(self, request: Request) -> Response:
        return Response(400, {"message": "Invalid JSON body"})

    def respond(self, request: Request) -> Response:
        if request.body is _INVALID_JSON:
            return self.invalid_json_response(request)
        with self.lock:
            return self.dispatch(request)

    def dispatch(self, request: Request) -> Response:
        matched_path = False
        for method, pattern, handler in self.routes:
            m = pattern.match(request.path)
            if not m:
                continue
            matched_path = True
            if method != request.method:
                continue
            try:
                result = handler(request, **m.groupdict())
            except HttpError as e:
                return Response(e.status, e.body, e.headers)
            return result if isinstance(result, Response) else Response(200, result)
        return self.method_not_allowed(request) if matched_path else self.not_found(request)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: with Nagle on, the body waits for the client's
    # delayed ACK (up to 40 ms on Linux) on every answer
    disable_nagle_algorithm = True
    # HTTP/1.1 connections stay open between requests (keep-alive); one idle this long is closed, as
    # real servers and their proxies close idle keep-alive connections (nginx's default is 75 s)
    timeout = KEEPALIVE_IDLE_S
    backend: Backend  # set on the subclass created by serve()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _read_request(self) -> Request:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = _INVALID_JSON
        return Request(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                       {k.lower(): v for k, v in self.headers.items()}, body, raw, self.path)

    def _send(self, response: Response) -> None:
        if response.raw is not None:
            payload, headers = response.raw, dict(response.headers)
        else:
            payload = b"" if response.body is None else json.dumps(response.body).encode()
            headers = {"Content-Type": "application/json", **response.headers}
        self.send_response(response.status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _handle(self) -> None:
        backend = self.backend
        request = self._read_request()
        if request.path.startswith("/__emulator/"):
            self._send(self._control(request))
            return
        fault = backend.fault_before(request)
        if fault is DROP:
            self._drop()
            return
        if isinstance(fault, Response):
            self._send(fault)
            return
        response = backend.respond(request)
        if backend.drops_after_commit(request):
            self._drop()
            return
        self._send(response)

    def _control(self, request: Request) -> Response:
        em = self.backend
        try:
            if request.path == "/__emulator/faults" and request.method == "POST":
                em.set_faults(**(request.body or {}))
                return Response(200, asdict(em.faults))
            if request.path == "/__emulator/faults" and request.method == "GET":
                return Response(200, asdict(em.faults))
            if request.path == "/__emulator/stats":
                return Response(200, dict(em.stats))
            if request.path == "/__emulator/reset" and request.method == "POST":
                with em.lock:
                    em.reset()
                return Response(200, {})
        except HttpError as e:
            return Response(e.status, e.body)
        return Response(404, {"message": "unknown control route"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle



@dataclass
class RunningServer:
    """A backend serving on ``url`` in a background thread; call :meth:`stop` to shut it down."""

    backend: Backend
    server: ThreadingHTTPServer
    thread: threading.Thread

    @property
    def emulator(self) -> Backend:
        """The served backend (the name most tests use; it may be a proxy)."""
        return self.backend

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


RunningEmulator = RunningServer


class _Server(ThreadingHTTPServer):
    # the listen queue of a real server (Python's default is 5: a client that opens one connection per
    # table, as the Appwrite CLI does, would see connections refused or reset that no real server causes)
    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True


def _make_server(backend: Backend, port: int) -> ThreadingHTTPServer:
    handler = type("Handler", (_RequestHandler,), {"backend": backend})
    return _Server(("127.0.0.1", port), handler)


def serve(backend: Backend, port: int = 0) -> RunningServer:
    """Start ``backend`` on 127.0.0.1 (a free port when ``port`` is 0) in a daemon thread."""
    server = _make_server(backend, port)
    thread = threading.Thread(target=server.serve_forever, name=f"{backend.name}-server", daemon=True)
    thread.start()
    return RunningServer(backend, server, thread)


def main(factory: Callable[[], Emulator], argv: list[str] | None = None) -> None:
    """Command-line entry: ``--port N`` (default 0 = free port) and optional ``--latency-ms``."""
    parser = argparse.ArgumentParser(description=f"Run the {factory().name} emulator on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args(argv)
    emulator = factory()
    if args.latency_ms:
        emulator.set_faults(latency_ms=args.latency_ms)
    server = _make_server(emulator, args.port)
    print(f"{emulator.name} emulator listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
