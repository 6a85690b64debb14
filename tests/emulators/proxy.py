"""A loopback reverse proxy that injects faults in front of a real server (the real PocketBase).

Real servers cannot be told to fail, so reliability tests put this proxy between baseform and the
server. Faults are the emulators' own (:class:`~tests.emulators.server.Faults`, drawn by the same
code in :class:`~tests.emulators.server.Backend`): latency, dropped connections before the request
is forwarded, injected 429 (with reset headers) and 503 answers that never reach the server, and
answers lost after the server committed a write. Everything else is forwarded byte for byte.

    with start_proxy(pocketbase.url) as proxy:
        proxy.backend.set_faults(error_5xx_rate=0.1, seed=3)
        ...  # point the client at proxy.url
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from tests.emulators.server import Backend, Request, Response, RunningServer, serve

__all__ = ["FaultProxy", "start_proxy"]

# Headers that describe one hop's connection, not the message (RFC 9110 §7.6.1), plus the length,
# which the proxy's own server sets.
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
                         "upgrade", "content-length", "host"})


class FaultProxy(Backend):
    """Forwards every request to ``upstream`` (``http://host:port``) unless a fault intervenes.

    Injected errors use PocketBase's error shape (``{"status", "message", "data"}``).
    """

    name = "proxy"

    def __init__(self, upstream: str, timeout_s: float = 30.0) -> None:
        super().__init__()
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname or parts.hostname not in ("127.0.0.1", "localhost"):
            raise ValueError(f"the fault proxy forwards to a loopback http:// server only, not {upstream!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.timeout_s = timeout_s

    def server_error_body(self) -> Any:
        return {"status": 503, "message": "Service unavailable (injected fault).", "data": {}}

    def rate_limit_response(self) -> Response:
        base = super().rate_limit_response()
        return Response(429, {"status": 429, "message": "Too Many Requests.", "data": {}}, base.headers)

    def respond(self, request: Request) -> Response:
        # One connection per request: handler threads share nothing, and loopback connects are cheap.
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
        try:
            headers = {k: v for k, v in request.headers.items() if k not in _HOP_BY_HOP}
            connection.request(request.method, request.target, body=request.raw_body or None, headers=headers)
            upstream = connection.getresponse()
            payload = upstream.read()
            kept = {k: v for k, v in upstream.getheaders() if k.lower() not in _HOP_BY_HOP}
            return Response(upstream.status, headers=kept, raw=payload)
        finally:
            connection.close()


@contextmanager
def start_proxy(upstream: str) -> Iterator[RunningServer]:
    """A fault proxy for ``upstream`` on a free loopback port, stopped on exit (faults start off)."""
    running = serve(FaultProxy(upstream))
    try:
        yield running
    finally:
        running.stop()
