"""The executor: parallelism bound, dependency order, stop on failure or interrupt, readiness waits."""

from __future__ import annotations

import asyncio

import httpx

from baseform.engine.address import Address
from baseform.engine.apply import execute
from baseform.engine.change import Action
from baseform.engine.operation import Operation, Request, WaitFor
from baseform.engine.outcome import Outcome
from baseform.http import RetryPolicy, Session
from tests.unit.memory_provider import MemoryConfig, MemoryProvider

ADDR = Address.parse("memory.things.x")


def _op(i: int, deps: tuple[str, ...] = (), path: str = "/ok", wait: WaitFor | None = None,
        action: Action = Action.CREATE) -> Operation:
    return Operation(f"op{i}", "memory", action, (ADDR,), f"op {i}", Request("POST", path), deps, wait=wait)


class SlowServer:
    """Answers after 20 ms. With ``gather``, the first requests are held until ``gather`` of them are in
    flight at once (then all pass): overlap is then proved by ``peak``, however slow the machine."""

    def __init__(self, gather: int = 0) -> None:
        self.active = 0
        self.peak = 0
        self.order: list[str] = []
        self.polls = 0
        self.gather = gather
        self.gathered = asyncio.Event()

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.active += 1
        self.peak = max(self.peak, self.active)
        if self.gather:
            if self.active >= self.gather:
                self.gathered.set()
            # a generous bound: an executor that runs the calls one by one fails the peak check, not here
            await asyncio.wait_for(self.gathered.wait(), timeout=30)
        await asyncio.sleep(0.02)
        self.active -= 1
        self.order.append(request.url.path)
        if request.url.path == "/fail":
            return httpx.Response(400, json={"message": "no"})
        if request.url.path == "/status":
            self.polls += 1
            return httpx.Response(200, json={"status": "available" if self.polls >= 3 else "processing"})
        if request.url.path == "/broken":
            return httpx.Response(200, json={"status": "failed", "error": "index too long"})
        if request.url.path == "/gone":
            return httpx.Response(404, json={"message": "not found"})
        return httpx.Response(200, json={})


def _execute(ops: list[Operation], server: SlowServer, parallelism: int = 8,
             stop: asyncio.Event | None = None):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        session = Session("http://m", transport=httpx.MockTransport(server.handle),
                          retry=RetryPolicy(max_attempts=1))
        async with session:
            return await execute(ops, {"memory": MemoryProvider(MemoryConfig())}, {"memory": session},
                                 parallelism=parallelism, stop=stop, poll_interval_s=0.001)

    return asyncio.run(go())


def test_parallelism_is_bounded_and_independent_ops_overlap() -> None:
    server = SlowServer(gather=3)  # the first three calls pass only together: they overlap
    result = _execute([_op(i) for i in range(8)], server, parallelism=3)
    assert result.ok and server.peak == 3  # and never more than three at once
    assert len(server.order) == 8


def test_dependencies_run_first() -> None:
    server = SlowServer()
    ops = [_op(1, ("op2",), path="/b"), _op(2, path="/a")]
    assert _execute(ops, server).ok
    assert server.order == ["/a", "/b"]


def test_first_failure_stops_scheduling_and_lists_skipped() -> None:
    server = SlowServer()
    ops = [_op(1, path="/fail"), _op(2, ("op1",)), _op(3, ("op2",))]
    result = _execute(ops, server, parallelism=1)
    assert [r.outcome for r in result.results] == [Outcome.FAILED, Outcome.SKIPPED, Outcome.SKIPPED]
    assert "POST http://m/fail -> 400: no" in (result.results[0].error or "")


def test_interrupt_lets_in_flight_finish_and_starts_nothing_new() -> None:
    server = SlowServer()
    stop = asyncio.Event()
    stop.set()
    result = _execute([_op(1), _op(2)], server, stop=stop)
    assert result.interrupted and not result.ok
    assert all(r.outcome is Outcome.SKIPPED for r in result.results) and server.order == []


def test_wait_polls_until_ready_and_fails_fast_with_server_error() -> None:
    server = SlowServer()
    ok = _execute([_op(1, wait=WaitFor(Request("GET", "/status")))], server)
    assert ok.ok and server.polls == 3
    broken = _execute([_op(1, wait=WaitFor(Request("GET", "/broken")))], SlowServer())
    assert "the server reports status 'failed': index too long" in (broken.results[0].error or "")


def test_delete_of_missing_object_counts_as_done() -> None:
    result = _execute([_op(1, path="/gone", action=Action.DELETE)], SlowServer())
    assert result.ok and result.results[0].note == "already gone"


def test_an_operation_waiting_for_readiness_holds_no_slot_between_status_reads() -> None:
    server = SlowServer()
    server.polls = -5  # the status stays "processing" for several reads
    waiting = _op(1, wait=WaitFor(Request("GET", "/status")))
    result = _execute([waiting, _op(2), _op(3)], server, parallelism=1)
    assert result.ok
    # with one slot, the other two calls went out while op1 was still polling
    last_poll = len(server.order) - 1 - server.order[::-1].index("/status")
    assert server.order[:last_poll].count("/ok") == 3, server.order
    assert server.peak == 1
