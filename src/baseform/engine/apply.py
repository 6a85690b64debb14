"""The executor: runs a plan's operations against the providers' sessions (whatever their kind).

Independent operations run in parallel in a deterministic dependency order; ``parallelism`` bounds
the requests in flight, not the operations: an operation waiting for readiness holds no slot
between its status reads (with hundreds of columns becoming available at once, slots held by
sleeping waits would serialise the apply). On the first failure (or when ``stop`` is set, e.g. by
SIGINT) no operation sends its first request any more, operations whose call was sent finish
(their readiness waits included), and the result lists what was done, what failed and what was
skipped; rerunning apply converges because the next plan starts from whatever the server now has.
Readiness waits that read the same call share each read (:mod:`baseform.engine.readiness`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from baseform.engine.change import Action
from baseform.engine.graph import topological_order
from baseform.engine.operation import Call, Operation
from baseform.engine.outcome import ApplyResult, OperationResult, Outcome
from baseform.engine.readiness import Polls
from baseform.engine.session import Session
from baseform.errors import ApiError, BaseformError, ProviderError, TransportError
from baseform.providers.base import Provider

__all__ = ["ApplyResult", "Outcome", "OperationResult", "Reporter", "execute"]


class Reporter(Protocol):
    """Progress callbacks (the CLI prints them; tests may record them)."""

    def started(self, op: Operation) -> None: ...
    def waiting(self, op: Operation, elapsed_s: float) -> None: ...
    def finished(self, result: OperationResult) -> None: ...


class _Silent:
    def started(self, op: Operation) -> None:
        pass

    def waiting(self, op: Operation, elapsed_s: float) -> None:
        pass

    def finished(self, result: OperationResult) -> None:
        pass


async def execute(operations: Sequence[Operation], providers: Mapping[str, Provider],
                  sessions: Mapping[str, Session], *, parallelism: int = 8, reporter: Reporter | None = None,
                  stop: asyncio.Event | None = None, poll_interval_s: float = 0.1) -> ApplyResult:
    """Run ``operations`` respecting ``depends_on``. Never raises for an operation's failure."""
    report = reporter or _Silent()
    stop = stop or asyncio.Event()
    by_id = {op.id: op for op in operations}
    order = topological_order([op.id for op in operations], {op.id: op.depends_on for op in operations})
    rank = {op_id: i for i, op_id in enumerate(order)}
    waiting_on = {op.id: {d for d in op.depends_on if d in by_id} for op in operations}
    dependents: dict[str, list[str]] = {op.id: [] for op in operations}
    for op in operations:
        for d in waiting_on[op.id]:
            dependents[d].append(op.id)
    ready = sorted((i for i, deps in waiting_on.items() if not deps), key=rank.__getitem__)
    running: dict[asyncio.Task[OperationResult], str] = {}
    results: dict[str, OperationResult] = {}
    halted = asyncio.Event()  # set on the first failure
    semaphore = asyncio.Semaphore(max(1, parallelism))
    slots = _Slots(semaphore, halted, stop, Polls(semaphore, poll_interval_s, report.waiting))

    while ready or running:
        while ready and not slots.closed:
            op = by_id[ready.pop(0)]
            task = asyncio.create_task(_run(op, providers[op.provider], sessions[op.provider], report, slots))
            running[task] = op.id
        if not running:
            break
        done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            op_id = running.pop(task)
            result = task.result()
            if result.outcome is Outcome.SKIPPED:
                continue  # never started: the apply stopped while it queued for a slot
            results[op_id] = result
            report.finished(result)
            if result.outcome is Outcome.DONE:
                for dep in dependents[op_id]:
                    waiting_on[dep].discard(op_id)
                    if not waiting_on[dep]:
                        ready.append(dep)
                ready.sort(key=rank.__getitem__)
            else:
                halted.set()
    ordered = []
    for op_id in order:
        ordered.append(results.get(op_id) or OperationResult(by_id[op_id], Outcome.SKIPPED))
    return ApplyResult(ordered, interrupted=stop.is_set())


@dataclass(frozen=True, slots=True)
class _Slots:
    """Bounds the requests in flight; ``closed`` once the apply stops starting operations. ``polls``
    are the readiness polls, whose reads take slots too."""

    semaphore: asyncio.Semaphore
    halted: asyncio.Event
    stop: asyncio.Event
    polls: Polls

    @property
    def closed(self) -> bool:
        return self.halted.is_set() or self.stop.is_set()


async def _run(op: Operation, provider: Provider, session: Session, report: Reporter,
               slots: _Slots) -> OperationResult:
    note = None
    started = time.monotonic()
    try:
        async with slots.semaphore:
            if slots.closed:
                return OperationResult(op, Outcome.SKIPPED)
            report.started(op)
            started = time.monotonic()
            if op.precondition is not None:
                await _check_precondition(op, op.precondition, provider, session)
            if op.request is not None:
                try:
                    await session.perform(op.request, operation=op.description)
                except ApiError as e:
                    note = await _recover(op, provider, session, e)
        if op.wait is not None:
            # after a call, its own answer said the job is under way: the first status read can wait
            await slots.polls.wait(op, op.wait, session, started, first_read_now=op.request is None)
    except BaseformError as e:
        # halt before any queued operation can take the slot this one just gave back
        slots.halted.set()
        message = provider.explain_error(op, e) if isinstance(e, ApiError) else str(e)
        unanswered = isinstance(e, TransportError) and e.reason in ("timeout", "connection")
        return OperationResult(op, Outcome.FAILED, time.monotonic() - started, message, unanswered=unanswered)
    return OperationResult(op, Outcome.DONE, time.monotonic() - started, note=note)


async def _check_precondition(op: Operation, check: Call, provider: Provider, session: Session) -> None:
    answer = await session.perform(check, operation=f"{op.description} (check the server is as planned)")
    if not provider.precondition_holds(op, answer):
        raise ProviderError("the server changed since the plan read it (another apply or a console edit); "
                            "nothing was sent. Plan again and review the new plan", operation=op.description)


async def _recover(op: Operation, provider: Provider, session: Session, error: ApiError) -> str:
    """Decide whether an error still means the operation's goal is reached; re-raise if not."""
    if op.action is Action.DELETE and error.status == 404:
        return "already gone"
    if op.verify is not None and provider.is_conflict(error):
        live = await session.perform(op.verify, operation=f"{op.description} (verify existing)")
        if provider.matches(op, live):
            return "already existed and matches the manifest"
        raise ApiError(method=error.method, url=error.url, status=error.status, kind=error.kind,
                       operation=op.description,
                       message=f"{error.server_message} (it exists on the server with different settings; "
                               "plan again to see the difference)")
    raise error
