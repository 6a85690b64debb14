"""The session protocol: what the executor and the commands need from a provider's open connection.

A provider's :meth:`~baseform.providers.base.Provider.connect` returns one; it performs the
:class:`~baseform.engine.operation.Call` values the provider's operations carry (HTTP requests for
:class:`baseform.http.Session`, SQL transactions for a database provider), with the provider's own
retries and error wrapping. The core never knows which kind of connection it holds.
"""

from __future__ import annotations

from typing import Protocol

from baseform.engine.operation import Call
from baseform.types import JSON

__all__ = ["Session"]


class Session(Protocol):
    """An open, authenticated connection to one backend. Used as ``async with``; closed on exit."""

    requests: int
    """Calls sent so far (round trips to the server), for counting in tests and benchmarks."""

    async def perform(self, call: Call, *, operation: str) -> JSON:
        """Send ``call`` and return the server's answer as JSON.

        Raises a :class:`~baseform.errors.ProviderError` (an ApiError for an error status) naming
        ``operation``, the description of what baseform was doing. Never leaks a secret.
        """
        ...

    async def aclose(self) -> None: ...

    async def __aenter__(self) -> Session: ...

    async def __aexit__(self, *exc: object) -> None: ...
