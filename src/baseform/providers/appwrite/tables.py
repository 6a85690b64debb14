"""Tables (``/tablesdb/{db}/tables``): diff shape, calls and export form.

A table's PUT resets an omitted ``rowSecurity`` to false and ``enabled`` to true, so updates send
all four fields. A new table is created with its columns and indexes inline when the server can
(the caller passes them in); see :mod:`baseform.providers.appwrite.planning`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.operation import Operation
from baseform.engine.resource import KindRules
from baseform.providers.appwrite import calls, permissions
from baseform.providers.appwrite.calls import with_description
from baseform.providers.appwrite.models import TableSpec
from baseform.types import JSONObject

__all__ = ["TABLES", "desired_value", "export_entry", "live_value", "operations"]

TABLES = KindRules("tables", renamable=False, data_loss="all its rows",
                   rename_unsupported="Appwrite table ids cannot change (change `name` instead)",
                   defaults={"enabled": True, "rowSecurity": False, "permissions": []})


def desired_value(spec: TableSpec) -> JSONObject:
    value: JSONObject = {"name": spec.name, "enabled": spec.enabled, "rowSecurity": spec.rowSecurity,
                         "permissions": permissions.normalize(spec.permissions)}
    return with_description(value, spec.description)


def live_value(raw: JSONObject) -> JSONObject:
    value: JSONObject = {"name": raw.get("name"), "enabled": bool(raw.get("enabled", True)),
                         "rowSecurity": bool(raw.get("rowSecurity", False)),
                         "permissions": permissions.normalize(raw.get("$permissions") or [])}
    return with_description(value, raw.get("description"))


def operations(change: Change, inline_columns: Sequence[JSONObject] = (), inline_indexes: Sequence[JSONObject] = (),
               inline_values: Mapping[str, Mapping[str, JSONObject]] | None = None) -> list[Operation]:
    """The calls of one table change. A create takes ``inline_columns``/``inline_indexes`` (their
    create-table entries) with ``inline_values``, their diff-shape values (kind -> key -> value), so
    that a create meeting "already exists" checks the columns and indexes the server has too."""
    a: Address = change.address
    if change.action is Action.DELETE:
        return [calls.delete(a, calls.object_path(a))]
    assert change.after is not None
    if change.action is Action.CREATE:
        body: JSONObject = {"tableId": a.name, **change.after}
        if inline_columns:
            body["columns"] = list(inline_columns)
        if inline_indexes:
            body["indexes"] = list(inline_indexes)
        # with inline columns/indexes the server rolls the whole table back on any failure
        return [calls.create(a, calls.collection_path(a), body, change.after, atomic=True, children=inline_values)]
    return [calls.update(a, "PUT", calls.object_path(a), dict(change.after))]


def export_entry(address: Address, value: JSONObject) -> JSONObject:
    out: JSONObject = {"id": address.name, "name": value["name"]}
    if not value["enabled"]:
        out["enabled"] = False
    if value["rowSecurity"]:
        out["rowSecurity"] = True
    if value["permissions"]:
        out["permissions"] = permissions.collapse(value["permissions"])
    if value.get("description"):
        out["description"] = value["description"]
    return out
