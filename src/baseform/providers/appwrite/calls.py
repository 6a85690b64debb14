"""Appwrite REST paths of every kind and the Operation values built from them.

Operations are plain data (what plan shows is what apply runs). A create is a :class:`Creation`: it
also carries the diff-shape value it realises, so that a create meeting "already exists" (a retry
after a lost answer) can be verified against the object the server has.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.operation import Operation, Request, WaitFor
from baseform.types import JSON, JSONObject

__all__ = ["PROVIDER", "Creation", "collection_path", "create", "crud_operations", "delete", "object_path",
           "update", "wait_available", "with_description"]

PROVIDER = "appwrite"

# kind -> (segment of the collection path, prefix for top-level kinds)
_SEGMENTS = {"databases": "/tablesdb", "tables": "/tables", "columns": "/columns", "indexes": "/indexes",
             "buckets": "/storage/buckets", "teams": "/teams"}


@dataclass(frozen=True, slots=True)
class Creation(Operation):
    """A create call plus ``expects``: the diff-shape value of what it creates, and ``children``: those
    of the columns and indexes a table create makes inline (kind -> key -> value), which the table's
    own answer lists."""

    expects: JSONObject = field(default_factory=dict)
    children: Mapping[str, Mapping[str, JSONObject]] = field(default_factory=dict)


def with_description(value: JSONObject, description: JSON) -> JSONObject:
    """``value`` with ``description`` when it is one (a string): the Cloud API's free text, compared only
    when the manifest declares it."""
    return {**value, "description": description} if isinstance(description, str) else value


def collection_path(address: Address) -> str:
    """Path of the list/create endpoint of ``address``'s kind inside its parent."""
    parent = address.parent
    return (object_path(parent) if parent else "") + _SEGMENTS[address.kind]


def object_path(address: Address, name: str | None = None) -> str:
    """Path of one object (``name`` overrides the address's last name, e.g. a column's old key)."""
    return f"{collection_path(address)}/{address.name if name is None else name}"


def wait_available(address: Address) -> WaitFor:
    """Poll until the column or index's ``status`` is ``available`` (``failed``/``stuck`` fail with its
    ``error``), read from its table: a table's answer lists every column and index with its status, so
    the executor waits for all of a table's new children with one read per poll."""
    table = address.parent
    assert table is not None
    entry = f"{address.kind}[key={address.name}]"
    return WaitFor(Request("GET", object_path(table)), field=f"{entry}.status", error_field=f"{entry}.error")


def create(address: Address, path: str, body: JSON, expects: JSONObject, *, wait: WaitFor | None = None,
           atomic: bool = False, children: Mapping[str, Mapping[str, JSONObject]] | None = None) -> Creation:
    """A POST verified by a GET of the new object; ``atomic`` when the server rolls it back whole."""
    return Creation(f"{address}:create", PROVIDER, Action.CREATE, (address,), f"create {address}",
                    Request("POST", path, body), verify=Request("GET", object_path(address)),
                    wait=wait, atomic=atomic, expects=expects, children=children or {})


def update(address: Address, method: str, path: str, body: JSON, note: str = "") -> Operation:
    return Operation(f"{address}:update", PROVIDER, Action.UPDATE, (address,),
                     f"update {address}" + (f" ({note})" if note else ""), Request(method, path, body))


def delete(address: Address, path: str, *, wait_gone: bool = False, suffix: str = "delete") -> Operation:
    """A DELETE; with ``wait_gone`` it returns only when the object answers 404 (async deletes)."""
    wait = WaitFor(Request("GET", path), gone=True) if wait_gone else None
    return Operation(f"{address}:{suffix}", PROVIDER, Action.DELETE, (address,), f"delete {address}",
                     Request("DELETE", path), wait=wait)


def wait_gone(address: Address, path: str, what: str) -> Operation:
    """A pure wait step (no call) until ``path`` answers 404."""
    return Operation(f"{address}:wait-gone", PROVIDER, Action.DELETE, (address,),
                     f"wait until {what} is gone", None, wait=WaitFor(Request("GET", path), gone=True))


def crud_operations(change: Change, id_key: str) -> list[Operation]:
    """The calls of a top-level object with a plain CRUD API (database, bucket, team): POST with
    ``id_key`` to create, PUT with every field to update (an omitted field resets to its default),
    DELETE."""
    a = change.address
    if change.action is Action.DELETE:
        return [delete(a, object_path(a))]
    assert change.after is not None
    if change.action is Action.CREATE:
        return [create(a, collection_path(a), {id_key: a.name, **change.after}, change.after)]
    return [update(a, "PUT", object_path(a), dict(change.after))]
