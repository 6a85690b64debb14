"""Readiness waits, one poll per read: waits that read the same call share each answer.

An operation whose :class:`~baseform.engine.operation.WaitFor` reads a container (a table, whose
answer lists every column and index with its status; the wait's ``field`` picks its child's out of
it) joins the poll of that read; each read of the
poll answers for every waiter (one read per poll round, however many children are waiting). A wait
with a read of its own is a poll with one waiter. The first read of a poll comes one interval after
the newest waiter joined (its own call's answer said the job is under way), then the interval grows
(x1.5, at most 2 s); a new waiter brings the next read forward to one interval from then.

Each read takes a request slot (``parallelism`` bounds requests in flight) and none is held between
reads. A waiter fails alone (``failed`` status, time-out) with the server's error; an error of the
read itself fails every waiter of the poll, except ``gone`` waiters that count a 404 as done.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from baseform.engine.operation import Operation, WaitFor
from baseform.engine.session import Session
from baseform.errors import ApiError, BaseformError, ReadinessError
from baseform.types import JSON

__all__ = ["Polls", "field_value"]

MAX_INTERVAL_S = 2.0
REPORT_EVERY_S = 2.0


_SELECT = re.compile(r"^(?P<key>[^\[]+)\[(?P<field>[^=\]]+)=(?P<value>[^\]]*)\]$")


def field_value(value: JSON, dotted: str) -> JSON:
    """The value at ``dotted`` (None where it is missing); a part ``key[field=value]`` picks the element
    of the list at ``key`` whose ``field`` is ``value``."""
    for part in dotted.split("."):
        select = _SELECT.match(part)
        value = value.get(select["key"] if select else part) if isinstance(value, dict) else None
        if select:
            value = next((x for x in value if isinstance(x, dict) and str(x.get(select["field"])) == select["value"]),
                         None) if isinstance(value, list) else None
    return value


@dataclass(eq=False)
class _Waiter:
    op: Operation
    wait: WaitFor
    started: float
    done: asyncio.Future[None]
    deadline: float
    last_report: float


@dataclass(eq=False)
class _Poll:
    session: Session
    waiters: list[_Waiter] = field(default_factory=list)
    delay: float = 0.0
    next_at: float = 0.0
    wake: asyncio.Event = field(default_factory=asyncio.Event)


Reporter = Callable[[Operation, float], None]


class Polls:
    """The polls of one apply, keyed by (provider, the call read)."""

    def __init__(self, slots: asyncio.Semaphore, interval_s: float, report_waiting: Reporter) -> None:
        self._slots = slots
        self._interval = interval_s
        self._report = report_waiting
        self._polls: dict[Hashable, _Poll] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def wait(self, op: Operation, wait: WaitFor, session: Session, started: float, *,
                   first_read_now: bool = False) -> None:
        """Return when ``op``'s wait is satisfied; raise BaseformError when it fails or times out."""
        key: Hashable = (op.provider, wait.request)
        try:
            hash(key)
        except TypeError:  # a read with an unhashable payload is not shared
            key = object()
        loop = asyncio.get_running_loop()
        now = time.monotonic()
        waiter = _Waiter(op, wait, started, loop.create_future(), now + wait.timeout_s, now)
        poll = self._polls.get(key)
        if poll is None:
            poll = self._polls[key] = _Poll(session, delay=self._interval, next_at=float("inf"))
            task = asyncio.create_task(self._run(key, poll))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        poll.waiters.append(waiter)
        at = now if first_read_now else now + self._interval
        if at < poll.next_at:
            poll.next_at, poll.delay = at, self._interval
            poll.wake.set()
        await waiter.done

    async def _run(self, key: Hashable, poll: _Poll) -> None:
        try:
            while poll.waiters:
                now = time.monotonic()
                if now < poll.next_at:
                    poll.wake.clear()
                    try:
                        await asyncio.wait_for(poll.wake.wait(), poll.next_at - now)
                    except TimeoutError:
                        pass
                    continue  # a new waiter may have moved the next read
                await self._read(poll)
                poll.delay = min(poll.delay * 1.5, MAX_INTERVAL_S)
                poll.next_at = time.monotonic() + poll.delay
        except BaseException as e:
            for w in poll.waiters:  # nobody waits forever for a poll that stopped
                if not w.done.done():
                    w.done.cancel() if isinstance(e, asyncio.CancelledError) else w.done.set_exception(e)
            raise
        finally:
            del self._polls[key]

    async def _read(self, poll: _Poll) -> None:
        first = poll.waiters[0]
        what = first.op.description if len(poll.waiters) == 1 else f"{len(poll.waiters)} operations"
        try:
            async with self._slots:
                body = await poll.session.perform(first.wait.request, operation=f"{what} (waiting)")
        except BaseformError as error:
            for w in list(poll.waiters):
                gone = isinstance(error, ApiError) and error.status == 404 and w.wait.gone
                self._settle(poll, w, None if gone else error)
            return
        now = time.monotonic()
        for w in list(poll.waiters):
            self._settle(poll, w, self._verdict(w, body, now))

    def _verdict(self, w: _Waiter, body: JSON, now: float) -> BaseformError | None | bool:
        """None: ready; an error: failed; False: not yet."""
        wait = w.wait
        if not wait.gone:
            status = field_value(body, wait.field)
            if status in wait.ready:
                return None
            if status in wait.failed:
                detail = field_value(body, wait.error_field) if wait.error_field else None
                return ReadinessError(f"the server reports status {status!r}" + (f": {detail}" if detail else ""),
                                      operation=w.op.description)
        if now > w.deadline:
            return ReadinessError(f"not ready after {wait.timeout_s:.0f}s (last status "
                                  f"{field_value(body, wait.field)!r})", operation=w.op.description)
        if now - w.last_report >= REPORT_EVERY_S:
            self._report(w.op, now - w.started)
            w.last_report = now
        return False

    @staticmethod
    def _settle(poll: _Poll, w: _Waiter, outcome: BaseformError | None | bool) -> None:
        if outcome is False:
            return
        poll.waiters.remove(w)
        if w.done.done():
            return  # its operation was cancelled meanwhile
        if isinstance(outcome, BaseformError):
            w.done.set_exception(outcome)
        else:
            w.done.set_result(None)
