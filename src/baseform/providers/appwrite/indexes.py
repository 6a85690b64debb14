"""Indexes: diff shape, calls and export form. Appwrite has no index update, so any change replaces.

Normal form (both sides): ``orders`` upper-cased and padded with ``ASC`` to one per column (the server
takes any case and stores what was sent, the official SDKs send ``asc``, and no order means
ascending); ``lengths`` padded with null to one per column, 0 read as null (the server stores it so).
A manifest may leave ``columns`` or ``lengths`` out, as ``appwrite pull`` does: the value then lacks
those keys until :func:`with_live` fills them in from the live index.
"""

from __future__ import annotations

from collections.abc import Sequence

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.operation import Operation
from baseform.engine.resource import KindRules
from baseform.providers.appwrite import calls
from baseform.providers.appwrite.models import IndexSpec
from baseform.types import JSON, JSONObject

__all__ = ["INDEXES", "TYPES", "can_inline", "create_body", "desired_value", "export_entry", "inline_body",
           "is_known", "live_value", "operations", "with_live"]

# the server drops a deleted column from its indexes, so an index follows a column that is recreated
INDEXES = KindRules("indexes", replace_on=frozenset({"type", "columns", "orders", "lengths"}), renamable=False,
                    rename_unsupported="Appwrite cannot rename an index (without renamedFrom it is recreated)",
                    replaced_with_dependencies=True)
TYPES = frozenset({"key", "unique", "fulltext", "spatial", "trigram"})


def _orders(orders: Sequence[JSON], count: int) -> list[JSON]:
    return [str(orders[i]).upper() if i < len(orders) and orders[i] else "ASC" for i in range(count)]


def _lengths(lengths: Sequence[JSON], count: int) -> list[JSON]:
    return [lengths[i] if i < len(lengths) and lengths[i] else None for i in range(count)]


def _value(type_: str, columns: list[str] | None, orders: Sequence[JSON], lengths: Sequence[JSON] | None,
           description: str | None) -> JSONObject:
    value: JSONObject = {"type": type_}
    if columns is not None:
        value["columns"] = list(columns)
        value["orders"] = _orders(orders, len(columns))
        if lengths is not None:
            value["lengths"] = _lengths(lengths, len(columns))
    elif orders:
        value["orders"] = list(orders)  # padded once the live columns are known
    if description is not None:
        value["description"] = description
    return value


def desired_value(spec: IndexSpec) -> JSONObject:
    """The manifest index in the diff shape; ``columns``/``lengths`` only when declared. Pure."""
    return _value(spec.type, spec.columns, list(spec.orders), spec.lengths, spec.description)


def live_value(raw: JSONObject) -> JSONObject:
    columns = raw.get("columns", raw.get("attributes")) or []
    description = raw.get("description")
    return _value(str(raw.get("type")), list(columns), list(raw.get("orders") or []),
                  list(raw.get("lengths") or []), description if isinstance(description, str) else None)


def is_known(raw: JSONObject) -> bool:
    """Whether baseform knows the index's type (a newer server may have others)."""
    return raw.get("type") in TYPES


def with_live(value: JSONObject, live: JSONObject | None) -> JSONObject:
    """The desired value completed from the live index (diff shape): left-out ``columns`` and
    ``lengths`` (the latter only over the same columns; none for a new index) and ``description``."""
    if "columns" in value and "lengths" in value and ("description" in value or live is None):
        return value
    out = dict(value)
    if "columns" not in out:
        if live is None:
            return value  # cannot be created: the provider reports it
        out["columns"] = list(live["columns"])
        out["orders"] = _orders(list(value.get("orders") or []), len(out["columns"]))
    if "lengths" not in out:
        same = live is not None and live.get("columns") == out["columns"]
        out["lengths"] = list(live["lengths"]) if same and live else [None] * len(out["columns"])
    if "description" not in out and live is not None and "description" in live:
        out["description"] = live["description"]
    return out


def create_body(key: str, value: JSONObject, columns_field: str = "columns") -> JSONObject:
    """Body of ``POST .../indexes`` (inline create-table entries name the columns ``attributes``).

    Orders are sent, in upper case and one per column, only when one is descending: all-ascending is
    the server's default, and spatial indexes refuse orders on most engines."""
    body: JSONObject = {"key": key, "type": value["type"], columns_field: value["columns"]}
    if any(o != "ASC" for o in value["orders"]):
        body["orders"] = value["orders"]
    if any(n is not None for n in value["lengths"]):
        body["lengths"] = value["lengths"]
    if value.get("description"):
        body["description"] = value["description"]
    return body


def can_inline(value: JSONObject) -> bool:
    """Whether create-table takes the index inline: its inline validator knows only these four types,
    and its index objects have no description (emulator FIDELITY.md [inline-indexes])."""
    return value["type"] in ("key", "unique", "fulltext", "spatial") and not value.get("description")


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
    if value.get("description"):
        out["description"] = value["description"]
    return out
