from __future__ import annotations

import pytest

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.graph import link_operations, topological_order
from baseform.engine.operation import Operation, Request
from baseform.errors import PlanError


def test_topological_order_is_deterministic_and_respects_edges() -> None:
    nodes = ["d", "c", "b", "a"]
    edges = {"a": ["b"], "b": ["c"], "d": []}
    assert topological_order(nodes, edges) == ["d", "c", "b", "a"]
    assert topological_order(nodes, edges) == topological_order(nodes, edges)


def test_cycle_is_reported_with_its_members() -> None:
    with pytest.raises(PlanError) as e:
        topological_order(["a", "b", "c"], {"a": ["b"], "b": ["a"], "c": []})
    assert "dependency cycle: a -> b -> a" in str(e.value)


def _op(address: Address, action: Action) -> Operation:
    return Operation(f"{address}:{action.value}", "m", action, (address,), f"{action.value} {address}",
                     Request("POST", "/"))


def test_link_parents_first_deletes_reversed_and_replace_halves_ordered() -> None:
    parent = Address.parse("m.things.a")
    child = Address.parse("m.things.a.parts.p")
    target = Address.parse("m.things.t")
    gone = Address.parse("m.things.g")
    referrer = Address.parse("m.things.r")
    changes = [Change(parent, Action.CREATE, None, {}), Change(child, Action.CREATE, None, {}),
               Change(target, Action.REPLACE, {}, {}), Change(gone, Action.DELETE, {}, None),
               Change(referrer, Action.UPDATE, {}, {})]
    ops = {parent: [_op(parent, Action.CREATE)], child: [_op(child, Action.CREATE)],
           target: [_op(target, Action.DELETE), _op(target, Action.CREATE)],
           gone: [_op(gone, Action.DELETE)], referrer: [_op(referrer, Action.UPDATE)]}
    linked = {op.id: set(op.depends_on) for op in link_operations(
        changes, ops, desired_deps={parent: [target]}, live_deps={referrer: [gone]})}
    assert linked["m.things.a.parts.p:create"] == {"m.things.a:create"}
    assert linked["m.things.a:create"] == {"m.things.t:create"}
    assert linked["m.things.t:create"] == {"m.things.t:delete"}
    # the referrer lets go of `gone` before it is deleted
    assert linked["m.things.g:delete"] == {"m.things.r:update"}
