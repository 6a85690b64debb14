"""Pausing Python's cyclic garbage collector while baseform builds large structures.

Loading a manifest and planning create hundreds of thousands of small objects (nodes, dicts,
positions, changes) and almost no reference cycles; reference counting frees them. The cyclic
collector would still run every 700 allocations and walk everything alive, which costs about a
third of loading and diffing a large manifest. :func:`paused` turns it off for such a phase and
back on afterwards (if it was on).

A process that runs one command and exits (the console script) also calls :func:`keep_results`:
what a paused phase leaves alive (the project, the live state, the plan) then lives until the
process ends, and the collector's next passes would walk all of it again to free nothing. The
phases' results (and the parsed YAML) are also handed to :func:`keep`: freeing them one object at a
time when a command is done with them costs more than the operating system takes to reclaim the
process's memory at exit (the console script ends without the interpreter's teardown).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

__all__ = ["keep", "keep_results", "paused"]

T = TypeVar("T")
_freeze_results = False
_kept: list[object] = []


def keep_results() -> None:
    """From now on, what a paused phase leaves alive is moved out of the collector's sight when the
    phase ends (``gc.freeze``). For a process that runs one command: a no-op plan of 300 Appwrite
    tables otherwise spends 0.1 s in three passes over its own results (and a last one at exit).
    Not for a process that runs many commands (tests calling ``cli.main``): frozen objects are
    freed by reference counting only, so a cycle among them would stay until the process ends."""
    global _freeze_results
    _freeze_results = True


def keep(result: T) -> T:
    """RESULT itself; after :func:`keep_results`, also held until the process ends."""
    if _freeze_results:
        _kept.append(result)
    return result


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            if _freeze_results:
                gc.freeze()
            gc.enable()
