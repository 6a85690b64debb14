"""Weaviate REST emulator for conformance and provider tests (see :class:`WeaviateEmulator`)."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from ..server import RunningServer
from .app import WeaviateEmulator

__all__ = ["WeaviateEmulator", "stop_all"]


def stop_all(servers: Iterable[RunningServer]) -> None:
    """Stop many emulators at once (each stop waits for its server loop's half-second poll)."""
    threads = [threading.Thread(target=s.stop) for s in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
