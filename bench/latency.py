"""Client-side injected latency, for servers that cannot inject it themselves (the real PocketBase).

Every request waits ``latency_s`` before it is sent, without holding a connection or the event
loop, as a network round trip would. The pool size matches :class:`baseform.http.Session`'s own, so
the session behaves as it does without the wrapper.
"""

from __future__ import annotations

import asyncio
import inspect

import httpx

from baseform.http import Session

__all__ = ["SESSION_POOL", "DelayedTransport"]

SESSION_POOL = int(inspect.signature(Session).parameters["limits"].default)


class DelayedTransport(httpx.AsyncBaseTransport):
    """An HTTP transport that adds ``latency_s`` to every request."""

    def __init__(self, latency_s: float) -> None:
        self.latency_s = latency_s
        self._inner = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=SESSION_POOL,
                                                                   max_keepalive_connections=SESSION_POOL))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(self.latency_s)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
