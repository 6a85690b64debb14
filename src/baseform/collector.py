"""Pausing Python's cyclic garbage collector while baseform builds large structures.

Loading a manifest and planning create hundreds of thousands of small objects (nodes, dicts,
positions, changes) and almost no reference cycles; reference counting frees them. The cyclic
collector would still run every 700 allocations and walk everything alive, which costs about a
third of loading and diffing a large manifest. :func:`paused` turns it off for such a phase and
back on afterwards (if it was on).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused"]


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
