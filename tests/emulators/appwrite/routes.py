"""What the API mixins of the emulator need from it: route registration gated by server version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Routes"]

Version = tuple[int, int, int]


class Routes:
    """Implemented by :class:`~.emulator.AppwriteEmulator`; the handler mixins only call it."""

    def register(self, method: str, pattern: str, handler: Callable[..., Any], since: Version = (0, 0, 0),
                 until: Version | None = None) -> None:
        """Register an API-key route that exists from server version ``since`` on (and before ``until``)."""
        raise NotImplementedError
