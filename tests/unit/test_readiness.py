"""Readiness by container: waits that read the same call share each read."""

from __future__ import annotations

import asyncio

import httpx

from baseform.engine.address import Address
from baseform.engine.apply import execute
from baseform.engine.change import Action
from baseform.engine.operation import Operation, Request, WaitFor
from baseform.engine.outcome import ApplyResult, Outcome
from baseform.http import RetryPolicy, Session
from tests.unit.memory_provider import MemoryConfig, MemoryProvider

TABLE = Request("GET", "/table")


class Table:
    """A container whose answer lists its children; a child is ready after ``reads_needed`` reads
    since it was created; ``broken`` children fail."""

    def __init__(self, reads_needed: int = 3, broken: frozenset[str] = frozenset()) -> None:
        self.reads_needed = reads_needed
        self.broken = broken
        self.created: dict[str, int] = {}  # child -> table reads seen when it was created
        self.reads = 0
        self.creates = 0

    async def handle(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.002)
        if request.method == "POST":
            key = request.url.path.rsplit("/", 1)[1]
            self.created[key] = self.reads
            self.creates += 1
            return httpx.Response(202, json={"key": key, "status": "processing"})
        self.reads += 1
        columns = []
        for key, at in self.created.items():
            status = "failed" if key in self.broken else (
                "available" if self.reads - at >= self.reads_needed else "processing")
            columns.append({"key": key, "status": status, "error": "row too wide" if key in self.broken else ""})
        return httpx.Response(200, json={"$id": "t", "columns": columns})


def _column(key: str) -> Operation:
    address = Address.parse(f"memory.tables.t.columns.{key}")
    return Operation(f"{key}:create", "memory", Action.CREATE, (address,), f"create {address}",
                     Request("POST", f"/table/columns/{key}"), wait=WaitFor(TABLE, field=f"columns[key={key}].status",
                                                         error_field=f"columns[key={key}].error"))


def _apply(ops: list[Operation], server: Table, parallelism: int = 8) -> ApplyResult:
    async def go() -> ApplyResult:
        session = Session("http://m", transport=httpx.MockTransport(server.handle), retry=RetryPolicy(max_attempts=1))
        async with session:
            return await execute(ops, {"memory": MemoryProvider(MemoryConfig())}, {"memory": session},
                                 parallelism=parallelism, poll_interval_s=0.01)

    return asyncio.run(go())


def test_children_of_one_container_become_ready_with_one_read_per_round_not_one_per_child() -> None:
    server = Table(reads_needed=3)
    result = _apply([_column(f"c{i:02d}") for i in range(20)], server)
    assert result.ok and server.creates == 20
    # one read per child and round would be at least 60; every read answers for all twenty
    assert server.reads < 20, server.reads


def test_a_failed_child_fails_its_own_operation_with_the_server_error_and_the_rest_finish() -> None:
    server = Table(reads_needed=2, broken=frozenset({"c03"}))
    result = _apply([_column(f"c{i:02d}") for i in range(6)], server)
    outcomes = {r.operation.id: r for r in result.results}
    assert outcomes["c03:create"].outcome is Outcome.FAILED
    assert "the server reports status 'failed': row too wide" in (outcomes["c03:create"].error or "")
    assert all(r.outcome is Outcome.DONE for k, r in outcomes.items() if k != "c03:create")


def test_a_child_that_never_appears_times_out_alone() -> None:
    server = Table(reads_needed=1)
    ghost = Operation("ghost", "memory", Action.CREATE, (Address.parse("memory.tables.t.columns.ghost"),),
                      "wait for ghost", None, wait=WaitFor(TABLE, field="columns[key=ghost].status", timeout_s=0.1))
    result = _apply([_column("c00"), ghost], server)
    outcomes = {r.operation.id: r for r in result.results}
    assert outcomes["c00:create"].outcome is Outcome.DONE
    assert outcomes["ghost"].outcome is Outcome.FAILED and "not ready after" in (outcomes["ghost"].error or "")
