"""Indexes: diff shape, calls and export form. Appwrite has no index update, so any change replaces.

Normal form: ``orders`` (key and unique indexes only) padded with ``ASC`` to one per column, since
the server stores what was sent and an empty list means ascending; ``lengths`` padded with null to
one per column, as the server returns them. Fulltext and spatial indexes have no ``orders``.
"""

from __future__ import annotations

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.operation import Operation
from baseform.engine.resource import KindRules
from baseform.providers.appwrite import calls
from baseform.providers.appwrite.models import IndexSpec
from baseform.types import JSON, JSONObject

__all__ = ["INDEXES", "ORDERED_TYPES", "create_body", "desired_value", "export_entry", "inline_body",
           "live_value", "operations"]

# the server drops a deleted column from its indexes, so an index follows a column that is recreated
INDEXES = KindRules("indexes", replace_on=frozenset({"type", "columns", "orders", "lengths"}), renamable=False,
                    rename_unsupported="Appwrite cannot rename an index (without renamedFrom it is recreated)",
                    replaced_with_dependencies=True)
ORDERED_TYPES = frozenset({"key", "unique"})


def _value(type_: str, columns: list[str], orders: list[JSON], lengths: list[JSON]) -> JSONObject:
    value: JSONObject = {"type": type_, "columns": list(columns)}
    if type_ in ORDERED_TYPES:
        value["orders"] = [orders[i] if i < len(orders) and orders[i] else "ASC" for i in range(len(columns))]
    value["lengths"] = [lengths[i] if i < len(lengths) else None for i in range(len(columns))]
    return value


def desired_value(spec: IndexSpec) -> JSONObject:
    return _value(spec.type, spec.columns, list(spec.orders), list(spec.lengths))


def live_value(raw: JSONObject) -> JSONObject:
    columns = raw.get("columns", raw.get("attributes")) or []
    return _value(str(raw.get("type")), list(columns), list(raw.get("orders") or []),
                  list(raw.get("lengths") or []))


def create_body(key: str, value: JSONObject, columns_field: str = "columns") -> JSONObject:
    """Body of ``POST .../indexes`` (inline create-table entries name the columns ``attributes``)."""
    body: JSONObject = {"key": key, "type": value["type"], columns_field: value["columns"]}
    if "orders" in value:
        body["orders"] = value["orders"]
    if any(n is not None for n in value["lengths"]):
        body["lengths"] = value["lengths"]
    return body


def inline_body(key: str, value: JSONObject) -> JSONObject:
    return create_body(key, value, "attributes")


def operations(change: Change) -> list[Operation]:
    """Delete (waiting until gone, so the key is free) and/or create (waiting until available)."""
    a: Address = change.address
    ops: list[Operation] = []
    if change.action in (Action.DELETE, Action.REPLACE):
        ops.append(calls.delete(a, calls.object_path(a), wait_gone=True))
    if change.action in (Action.CREATE, Action.REPLACE):
        assert change.after is not None
        ops.append(calls.create(a, calls.collection_path(a), create_body(a.name, change.after), change.after,
                                wait=calls.wait_available(a)))
    return ops


def export_entry(address: Address, value: JSONObject) -> JSONObject:
    out: JSONObject = {"key": address.name, "type": value["type"], "columns": value["columns"]}
    if any(o != "ASC" for o in value.get("orders", [])):
        out["orders"] = value["orders"]
    if any(n is not None for n in value["lengths"]):
        out["lengths"] = value["lengths"]
    return out
