"""The time an emulator's asynchronous jobs run on, and waiting for them from a test.

Real servers finish some changes in the background: Appwrite's column and index jobs (``processing``,
``deleting``), Weaviate's reindex tasks (``indexing``). An emulator finishes such a job ``delay_s``
after it started on its :class:`JobClock`. A test that asserts a transitional status holds the clock
(:meth:`JobClock.held`): while held, no job finishes however slow the machine is, and jobs started
meanwhile count their delay from the moment of the hold; on release the jobs whose time has come
finish at the next request. A test that needs a job finished polls with :func:`wait_until`, which
returns as soon as the condition holds and allows a generous deadline for loaded machines.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["JobClock", "wait_until"]

WAIT_DEADLINE_S = 60.0
"""How long :func:`wait_until` waits: far beyond any emulated job, so only a job that never finishes
fails the wait (a test that passes returns as soon as its condition holds)."""


class JobClock:
    """When an emulator's asynchronous jobs finish: ``delay_s`` after they start, unless held."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self._lock = threading.Lock()
        self._holds = 0
        self._frozen_at = 0.0
        self._latest_due = -math.inf

    def now(self) -> float:
        """The time the jobs' due times are compared with: the monotonic clock, or, while held, a
        time before any job is due (so none finishes)."""
        with self._lock:
            return -math.inf if self._holds else time.monotonic()

    def due(self) -> float:
        """When a job started now finishes: ``delay_s`` from now, or from the moment the clock was held."""
        with self._lock:
            due = (self._frozen_at if self._holds else time.monotonic()) + self.delay_s
            self._latest_due = max(self._latest_due, due)
            return due

    def all_due_before(self, moment: float) -> bool:
        """Whether every job started so far was due before MOMENT. An emulator that completed its jobs
        at MOMENT (a value of :meth:`now`) then has none pending, and need not look for them again until
        another job starts (its due time is later than any earlier :meth:`now`)."""
        with self._lock:
            return self._latest_due < moment

    @contextmanager
    def held(self) -> Iterator[None]:
        """No job finishes inside the block (holds nest); the clock runs on after it."""
        with self._lock:
            if not self._holds:
                self._frozen_at = time.monotonic()
            self._holds += 1
        try:
            yield
        finally:
            with self._lock:
                self._holds -= 1


def wait_until(condition: Callable[[], bool], what: str = "condition", timeout_s: float = WAIT_DEADLINE_S) -> None:
    """Poll ``condition`` until it holds; fail the test naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not reached in {timeout_s:.0f} s"
        time.sleep(0.01)
