"""Dependency graph of operations: deterministic topological order and clear cycle reports. Pure.

:func:`link_operations` wires the default edges between the operations of different changes
(design §4): a parent before its children, a dependency before its dependents, deletes in reverse
order, and the delete half of a replace before its create half.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.operation import Operation
from baseform.engine.resource import DesiredResource
from baseform.errors import PlanError

__all__ = ["find_cycle", "link_each", "link_operations", "topological_order"]


def topological_order(nodes: Sequence[str], edges: Mapping[str, Iterable[str]]) -> list[str]:
    """Order ``nodes`` so that each comes after every node it depends on (``edges[n]``).

    Ties are broken by the position in ``nodes``, so the order is deterministic. Raises
    :class:`PlanError` naming the nodes of one cycle when there is one.
    """
    position = {n: i for i, n in enumerate(nodes)}
    pending = {n: set(edges.get(n, ())) & position.keys() for n in nodes}
    dependents: dict[str, list[str]] = {n: [] for n in nodes}
    for n, deps in pending.items():
        for d in deps:
            dependents[d].append(n)
    ready = [(position[n], n) for n, deps in pending.items() if not deps]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        _, n = heapq.heappop(ready)
        out.append(n)
        for m in dependents[n]:
            pending[m].discard(n)
            if not pending[m]:
                heapq.heappush(ready, (position[m], m))
    if len(out) != len(nodes):
        cycle = find_cycle({n: deps for n, deps in pending.items() if deps})
        raise PlanError("dependency cycle: " + " -> ".join(cycle)
                        + "; break it (e.g. drop one reference and add it in a second apply)")
    return out


def find_cycle(edges: Mapping[str, Iterable[str]]) -> list[str]:
    """One cycle (first node repeated at the end) in a graph known to have one."""
    graph = {n: sorted(deps) for n, deps in edges.items()}
    for start in sorted(graph):
        path, seen, node = [start], {start: 0}, start
        while graph.get(node):
            node = graph[node][0]
            if node in seen:
                return [*path[seen[node]:], node]
            seen[node] = len(path)
            path.append(node)
    return sorted(graph)


def link_each(changes: Sequence[Change], desired: Sequence[DesiredResource],
              live_deps: Mapping[Address, Iterable[Address]],
              operations_for: Callable[[Change], list[Operation]]) -> list[Operation]:
    """The operations of a plan whose changes each make their own calls (``operations_for``, in
    order; [] for a child its parent's call covers), linked by :func:`link_operations`."""
    active = [c for c in changes if c.action is not Action.NOOP]
    per_change = {c.address: ops for c in active if (ops := operations_for(c))}
    return link_operations(active, per_change, {d.address: d.depends_on for d in desired}, live_deps)


def link_operations(changes: Sequence[Change], ops: Mapping[Address, Sequence[Operation]],
                    desired_deps: Mapping[Address, Iterable[Address]],
                    live_deps: Mapping[Address, Iterable[Address]]) -> list[Operation]:
    """Add the default cross-change edges to per-change operation lists; returns all operations.

    ``ops[address]`` is the ordered list for one change (chained in that order); operations whose
    action is DELETE form its delete phase. ``desired_deps``/``live_deps`` say which resources a
    resource refers to in the manifest and on the server.
    """
    by_address = {c.address: c for c in changes}
    deps: dict[str, set[str]] = {}
    del_first: dict[Address, str] = {}
    del_last: dict[Address, str] = {}
    app_first: dict[Address, str] = {}
    app_last: dict[Address, str] = {}
    ordered: list[Operation] = []
    for address, chain in ops.items():
        prev: str | None = None
        for op in chain:
            deps[op.id] = set(op.depends_on) | ({prev} if prev else set())
            prev = op.id
            ordered.append(op)
            if op.action is Action.DELETE:
                del_first.setdefault(address, op.id)
                del_last[address] = op.id
            else:
                app_first.setdefault(address, op.id)
                app_last[address] = op.id

    def after(first: Mapping[Address, str], node: Address, last: Mapping[Address, str], dep: Address) -> None:
        if node in first and dep in last and first[node] != last[dep]:
            deps[first[node]].add(last[dep])

    for change in changes:
        a = change.address
        # parents and referenced resources exist before this one is created or updated
        targets = [a.parent] if a.parent else []
        targets += list(desired_deps.get(a, ()))
        for t in targets:
            if t in by_address and by_address[t].action is not Action.DELETE:
                after(app_first, a, app_last, t)
        # children are deleted before their parent
        if a.parent and a.parent in by_address:
            after(del_first, a.parent, del_last, a)
        # whatever refers to this resource on the server lets go of it before it is deleted
        for ref in live_deps.get(a, ()):
            if ref in by_address and ref in del_first:
                if a in del_last:
                    after(del_first, ref, del_last, a)
                elif change.action is Action.UPDATE and ref not in set(desired_deps.get(a, ())):
                    after(del_first, ref, app_last, a)
    return [replace(op, depends_on=tuple(sorted(deps[op.id]))) for op in ordered]
