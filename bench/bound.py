"""The lower bound on network time: what no client could beat, given latency and parallelism.

For the operations of a plan (a dependency graph of calls), two bounds hold and the larger is taken:

* the longest dependency chain: each call costs one latency; an operation that waits for readiness
  also needs one status read that cannot start before the object is ready (``readiness_s`` after the
  create; the emulated worker's delay), so it costs ``max(latency, readiness_s) + latency``;
* the total work spread over the allowed parallelism: (calls + status reads) x latency / parallelism,
  where waits that read the same call (the children of one table) need one status read between them
  at least (the executor shares reads: :mod:`baseform.engine.readiness`).

Reads are not an operation graph: their chain is the API's own depth (``read_rounds``, e.g. list the
databases before their tables), their work is the requests actually made over the session's
connections. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from baseform.engine.graph import topological_order
from baseform.engine.operation import Operation

__all__ = ["Bound", "operations_bound", "read_bound"]


@dataclass(frozen=True, slots=True)
class Bound:
    """``chain_s`` and ``work_s`` as above; ``seconds`` is the larger; ``requests`` the minimum calls."""

    chain_s: float
    work_s: float
    requests: int

    @property
    def seconds(self) -> float:
        return max(self.chain_s, self.work_s)


def _cost(op: Operation, latency_s: float, readiness_s: float) -> tuple[float, int]:
    """(seconds on the critical path, minimum calls) of one operation (its status reads apart)."""
    seconds, requests = (latency_s, 1) if op.request is not None else (0.0, 0)
    if op.wait is not None:
        seconds = max(seconds, readiness_s) + latency_s
    return seconds, requests


def _read_key(op: Operation) -> object:
    assert op.wait is not None
    try:
        key = (op.provider, op.wait.request)
        hash(key)
        return key
    except TypeError:
        return op.id


def operations_bound(operations: Sequence[Operation], *, latency_s: float, readiness_s: float,
                     parallelism: int) -> Bound:
    """The bound for running ``operations`` at ``parallelism`` concurrent calls."""
    by_id = {op.id: op for op in operations}
    order = topological_order(list(by_id), {op.id: op.depends_on for op in operations})
    finish: dict[str, float] = {}
    total = 0
    for op_id in order:
        op = by_id[op_id]
        seconds, requests = _cost(op, latency_s, readiness_s)
        total += requests
        start = max((finish[d] for d in op.depends_on if d in finish), default=0.0)
        finish[op_id] = start + seconds
    total += len({_read_key(op) for op in operations if op.wait is not None})
    chain = max(finish.values(), default=0.0)
    return Bound(chain, total * latency_s / max(1, parallelism), total)


def read_bound(*, rounds: int, requests: int, latency_s: float, connections: int) -> Bound:
    """The bound for a read phase of ``requests`` calls at least ``rounds`` deep."""
    return Bound(rounds * latency_s, requests * latency_s / max(1, connections), requests)
