"""Turn a Weaviate plan's changes into calls and wire their order (design §4). Pure.

Per class: delete (for a delete or replace), create with the non-reference properties inline (and,
for a class-level vector beside named vectors, an update adding the named vectors), one ``PUT``
carrying every in-place change of the class and its property descriptions, then one add-property
call per new property, reference properties last so they can point at classes created in the same
run (cycles and self-references), then each property's index changes, tenant batches and aliases.
The core's :func:`~baseform.engine.graph.link_operations` adds the cross-change edges (a reference
after its target class, children after their class, an alias after its class).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.graph import link_operations
from baseform.engine.operation import Operation
from baseform.engine.resource import DesiredResource, LiveState
from baseform.providers.weaviate.aliases import alias_operations
from baseform.providers.weaviate.classes import (
    add_named_vectors,
    create_class,
    delete_class,
    has_both_vector_shapes,
    update_class,
)
from baseform.providers.weaviate.datatypes import reference_targets
from baseform.providers.weaviate.defaults import class_defaults, parse_version
from baseform.providers.weaviate.properties import add_property, index_operations
from baseform.providers.weaviate.tenants import create_tenants, delete_tenants, update_tenants

__all__ = ["plan_operations"]

_REBUILT = (Action.CREATE, Action.REPLACE)


def plan_operations(provider: str, changes: Sequence[Change], desired: Sequence[DesiredResource],
                    live: LiveState) -> list[Operation]:
    """Every call for ``changes`` (no-ops excluded), dependencies wired."""
    active = [c for c in changes if c.action is not Action.NOOP]
    classes = {c.address: c for c in active if c.kind == "classes"}
    chains: dict[Address, list[Operation]] = {}
    # a class's non-reference properties travel inside its create call
    inline: dict[Address, list[Change]] = defaultdict(list)
    for c in active:
        parent = c.address.parent
        if (c.kind == "properties" and parent in classes and classes[parent].action in _REBUILT
                and c.after is not None and not reference_targets(c.after.get("dataType") or [])):
            inline[parent].append(c)
    # properties keep the manifest's order inside the create call (changes are sorted by address)
    position = {d.address: i for i, d in enumerate(desired)}
    for props in inline.values():
        props.sort(key=lambda p: position.get(p.address, len(position)))
    strategy = class_defaults(parse_version(live.server_version))["replicationConfig"]["deletionStrategy"]
    for address, c in classes.items():
        ops = []
        if c.action in (Action.DELETE, Action.REPLACE):
            ops.append(delete_class(provider, c))
        if c.action in _REBUILT:
            bodies = [dict(p.after or {}) for p in inline[address]]
            ops.append(create_class(provider, c, bodies))
            if c.after is not None and has_both_vector_shapes(c.after):
                ops.append(add_named_vectors(provider, c, bodies, str(strategy), ()))
        chains[address] = ops
    updates = _class_updates(provider, active, classes, live)
    for key, op in updates.items():
        chains.setdefault(key, []).append(op)
    inlined = {p.address for ps in inline.values() for p in ps}
    tenant_changes: dict[tuple[Address, Action], list[Change]] = defaultdict(list)
    for c in active:
        parent = c.address.parent
        if c.kind == "aliases":
            chains[c.address] = alias_operations(provider, c)
        if parent is None:
            continue
        rebuilt = parent in classes and classes[parent].action in _REBUILT
        gone = parent in classes and classes[parent].action is Action.DELETE
        put = updates.get(parent)
        if c.kind == "properties" and c.action in _REBUILT and c.address not in inlined and not gone:
            chains[c.address] = [add_property(provider, c, (put.id,) if put else ())]
        elif c.kind == "properties" and c.action is Action.UPDATE:
            raw = live.resources[c.address].raw if c.address in live.resources else None
            ops = index_operations(provider, c, raw if isinstance(raw, dict) else {}, (put.id,) if put else ())
            if ops:
                chains[c.address] = ops
        elif c.kind == "tenants" and not gone:
            action = Action.CREATE if rebuilt or c.action in _REBUILT else c.action
            if action is not Action.DELETE or not rebuilt:
                tenant_changes[(parent, action)].append(c)
    for (_, action), batch in sorted(tenant_changes.items(), key=lambda kv: (str(kv[0][0]), kv[0][1].value)):
        if action is Action.CREATE:
            ops = [create_tenants(provider, batch)]
        elif action is Action.UPDATE:
            ops = update_tenants(provider, batch)
        else:
            ops = [delete_tenants(provider, batch)]
        chains[batch[0].address] = ops
    desired_deps = {d.address: d.depends_on for d in desired}
    return link_operations(active, {a: ops for a, ops in chains.items() if ops}, desired_deps, {})


def _class_updates(provider: str, active: Sequence[Change], classes: dict[Address, Change],
                   live: LiveState) -> dict[Address, Operation]:
    """One ``PUT`` per class whose settings or property descriptions change in place."""
    descriptions: dict[Address, dict[str, str | None]] = defaultdict(dict)
    realised: dict[Address, list[Address]] = defaultdict(list)
    for c in active:
        if (c.kind == "properties" and c.action is Action.UPDATE and c.address.parent is not None
                and any(d.path == "description" for d in c.diff)):
            descriptions[c.address.parent][c.address.name] = (c.after or {}).get("description")
            realised[c.address.parent].append(c.address)
    for address, c in classes.items():
        if c.action is Action.UPDATE:
            realised[address].insert(0, address)
    out: dict[Address, Operation] = {}
    for address, addresses in realised.items():
        change = classes.get(address)
        after = change.after if change is not None and change.action is Action.UPDATE else None
        out[address] = update_class(provider, address, live.resources[address].raw, after,
                                    descriptions[address], addresses)
    return out
