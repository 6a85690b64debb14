"""The whole PocketBase part of a plan as one transactional ``PUT /api/collections/import``. Pure.

Why one import: it runs in one SQLite transaction (a failure changes nothing), it saves every
entry before validating any, so relations to collections created in the same call and relation
cycles work, and it is one request.

What it sends depends on whether the plan removes anything. A plan that only creates, updates and
renames sends just the collections it touches with ``deleteMissing: false``: the server keeps
every collection and field the body leaves out, so whatever appeared since the plan read the
server (another apply, a dashboard edit) survives. Removing a field, an index or a collection, or
replacing one, needs ``deleteMissing: true`` (without it the server keeps what a body leaves out),
and then the body must list every non-system collection that stays: it starts from the live
collections as read and lays the planned changes over them; collections and fields the plan does
not touch (unmanaged, or left out by ``--target``) are sent back exactly as they are. Such a plan
is destructive, so it runs only with ``--allow-destroy``.

How each change lands in the body:

* collection create/update/delete: entry added (with its planned id), overlaid, or left out;
  replace (another type): the old entry is left out and a new one with a new id added;
* field: kept fields carry their live ``id`` (a rename is a new name on the same id, so the column
  and its data stay); a new field has the manifest's id or none (the server derives it); a replaced
  field gets a fresh explicit id so the server cannot match it to the old column; a relation's
  target name becomes the target's id;
* index: sent as a canonical ``CREATE INDEX`` for the collection's new name.

The server's own system fields are kept first and the declared fields follow in manifest order.
Views come last, each after the views its query reads: the server creates the views of an import
after the other collections, new ones in the body's order, and a view reading a view not created
yet fails ("no such table").
A plan that deletes every collection sends ``_superusers`` back as read (the import refuses an
empty list, and ``deleteMissing`` never deletes system collections).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from graphlib import CycleError
from typing import Any

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.operation import Operation, Request
from baseform.engine.resource import DesiredResource, LiveState
from baseform.errors import PlanError, SourceSpan
from baseform.providers.pocketbase.collections import (
    PROVIDER,
    collection_address,
    plan_collection_ids,
    system_collections,
)
from baseform.providers.pocketbase.fields import field_id
from baseform.providers.pocketbase.indexes import ParsedIndex, parse_index
from baseform.providers.pocketbase.planning import collection_ids
from baseform.providers.pocketbase.references import VIEW_QUERY, view_order
from baseform.types import JSONObject

__all__ = ["COLLECTION_STAMPS", "IMPORT_PATH", "ImportOperation", "build_operations", "collection_stamps"]

IMPORT_PATH = "/api/collections/import"
_SERVER_OWNED = ("created", "updated")
_ANCHOR = "_superusers"  # the system collection every server has (baseform logs in through it)


@dataclass(frozen=True, slots=True)
class ImportOperation(Operation):
    """The import call, carrying the manifest position of each declared resource in its body so
    that a server rejection can be explained without any state (see server_errors.py)."""

    sources: Mapping[Address, SourceSpan] = field(default_factory=dict)
    parts: Mapping[Address, Mapping[str, SourceSpan]] = field(default_factory=dict)
    """Where the collections' rules and view queries are written (DesiredResource.parts)."""
    read: frozenset[tuple[str, str]] = frozenset()
    """(id, updated) of every collection the plan read; with ``deleteMissing`` the import deletes
    whatever it does not list, so it is sent only if the server still has exactly these."""


def _origin_address(change: Change | None, address: Address) -> Address:
    """The live address of a (possibly renamed) resource."""
    return change.renamed_from if change is not None and change.renamed_from is not None else address


class _Builder:
    """Builds the import body from live collections and the planned changes."""

    def __init__(self, changes: Sequence[Change], desired: Sequence[DesiredResource], live: LiveState) -> None:
        self.changes = {c.address: c for c in changes}
        self.desired = desired
        self.live = live
        self.ids = plan_collection_ids(desired, live)
        self.target_ids = collection_ids(desired, live)  # a relation's target name -> its id
        # children by (parent, kind), in manifest order: looked up once per collection
        self.children: dict[tuple[Address, str], list[DesiredResource]] = {}
        for d in desired:
            if d.address.parent is not None:
                self.children.setdefault((d.address.parent, d.address.kind), []).append(d)

    def live_raw(self, address: Address) -> Any:
        resource = self.live.resources.get(address)
        return resource.raw if resource is not None else None

    def body(self, complete: bool) -> list[JSONObject]:
        """The import's collections: every non-system one when ``complete`` (for ``deleteMissing``),
        else only those the plan touches."""
        entries: dict[str, JSONObject] = {}
        for address, resource in self.live.resources.items():
            if address.kind == "collections":
                entries[str(resource.raw["id"])] = {k: v for k, v in resource.raw.items() if k not in _SERVER_OWNED}
        for d in self.desired:
            if d.address.kind == "collections":
                self._collection(d, entries)
        for change in self.changes.values():
            if change.address.kind == "collections" and change.action is Action.DELETE:
                raw = self.live_raw(change.address)
                entries.pop(str(raw["id"]), None)
        if not complete:
            touched = {self.ids[c.address.path[0][1]] for c in self.changes.values() if c.action is not Action.NOOP}
            return self._views_last([entry for cid, entry in entries.items() if cid in touched])
        self._check_references(entries)
        return self._views_last(list(entries.values()))

    def _views_last(self, entries: list[JSONObject]) -> list[JSONObject]:
        """``entries`` with the views last, each after the views it reads."""
        views = {str(e["name"]): e for e in entries if e.get("type") == "view"}
        try:
            order = view_order(list(views), {n: str(e.get(VIEW_QUERY) or "") for n, e in views.items()})
        except CycleError as e:
            address = collection_address(e.args[1][0])
            d = next((d for d in self.desired if d.address == address), None)
            raise PlanError("views that read each other cannot be created in one import", address=str(address),
                            source=d.parts.get(VIEW_QUERY, d.source) if d else None) from None
        return [e for e in entries if e.get("type") != "view"] + [views[n] for n in order]

    def _collection(self, d: DesiredResource, entries: dict[str, JSONObject]) -> None:
        change = self.changes.get(d.address)
        origin = _origin_address(change, d.address)
        raw = self.live_raw(origin)
        new_id = self.ids[d.address.name]
        kept = raw is not None and str(raw["id"]) == new_id
        if change is None and not kept:
            return  # not selected by --target and not on the server: nothing to send
        if raw is not None and not kept and change is not None:
            entries.pop(str(raw["id"]), None)  # replaced: the old collection goes
        entry = entries.get(new_id) if kept else None
        if entry is None:
            entry = {"id": new_id}
            entries[new_id] = entry
        if change is not None and change.action is not Action.NOOP:
            entry.update(d.value)
        if d.value["type"] == "view":
            return  # a view's fields come from its query; it has no indexes
        entry["fields"] = self._fields(d, list(raw.get("fields", [])) if kept else [])
        entry["indexes"] = self._indexes(d, list(raw.get("indexes", [])) if kept else [])

    def _children(self, parent: Address, kind: str) -> list[DesiredResource]:
        return self.children.get((parent, kind), [])

    def _fields(self, d: DesiredResource, live_fields: list[Any]) -> list[JSONObject]:
        by_name = {str(f["name"]): f for f in live_fields}
        out: list[JSONObject] = [f for f in live_fields if f.get("system")]
        used: set[str] = set()
        taken_ids = {str(f["id"]) for f in live_fields}
        for child in self._children(d.address, "fields"):
            change = self.changes.get(child.address)
            old = by_name.get(_origin_address(change, child.address).name)
            if change is None or change.action is Action.NOOP:
                if old is None:
                    continue
                field: JSONObject = dict(old)
            elif change.action is Action.UPDATE and old is not None:
                field = {**old, **self._field_body(child.value)}  # the live id stays
            elif change.action is Action.REPLACE and old is not None:
                field = {"id": field_id(str(child.value["type"]), child.address.name, taken_ids),
                         **self._field_body(child.value)}
                taken_ids.add(field["id"])
            else:
                field = {**({"id": child.value["id"]} if "id" in child.value else {}), **self._field_body(child.value)}
            if old is not None:
                used.add(str(old["name"]))  # kept, renamed or replaced here: not a leftover
            out.append(field)
        for f in live_fields:
            name = str(f["name"])
            if f.get("system") or name in used:
                continue
            change = self.changes.get(d.address.child("fields", name))
            if change is None or change.action is not Action.DELETE:
                out.append(f)  # not declared but not planned for deletion (left out by --target)
        return out

    def _field_body(self, value: JSONObject) -> JSONObject:
        """A declared field's value as the API takes it: no id, a relation's target by id."""
        body = {k: v for k, v in value.items() if k != "id"}
        if "collection" in body:
            target = str(body.pop("collection"))
            body["collectionId"] = self.target_ids.get(target, target)
        return body

    def _indexes(self, d: DesiredResource, live_indexes: list[str]) -> list[str]:
        parsed = {p.name.lower(): (p, text) for text in live_indexes if (p := parse_index(text)) is not None}
        # a live string we cannot parse is not ours to judge: it stays as it is
        out: list[str] = [text for text in live_indexes if parse_index(text) is None]
        declared: set[str] = set()
        for child in self._children(d.address, "indexes"):
            name = child.address.name
            declared.add(name.lower())
            change = self.changes.get(child.address)
            live_text = parsed.get(name.lower(), (None, None))[1]
            if change is None or change.action is Action.NOOP:
                if live_text is None:
                    continue
                text = live_text
            else:
                value = child.value
                text = ParsedIndex(name, bool(value["unique"]), tuple(value["columns"]), str(value["where"])) \
                    .sql(d.address.name)
            out.append(text)
        for key, (index, text) in parsed.items():
            change = self.changes.get(d.address.child("indexes", index.name))
            if key not in declared and (change is None or change.action is not Action.DELETE):
                out.append(text)  # the server's own auth indexes, or left out by --target
        return out

    def _check_references(self, entries: Mapping[str, JSONObject]) -> None:
        """Import skips the server's reference checks, so refuse to delete a collection a kept
        relation still points at (it would leave the relation dangling)."""
        live_ids = {str(r.raw["id"]): a for a, r in self.live.resources.items() if a.kind == "collections"}
        gone = {cid: a for cid, a in live_ids.items() if cid not in entries}
        for entry in entries.values():
            for f in entry.get("fields", []):
                target = f.get("collectionId") if f.get("type") == "relation" else None
                if target in gone:
                    raise PlanError(
                        f"{gone[target]} would be deleted, but the relation field {f.get('name')!r} of collection "
                        f"{entry.get('name')!r} still refers to it; remove or retarget that field first",
                        address=str(gone[target]))


def build_operations(changes: Sequence[Change], desired: Sequence[DesiredResource],
                     live: LiveState) -> list[Operation]:
    """The operations for a plan: one atomic import, or none when nothing changes.

    Raises PlanError when a kept relation would point at a deleted collection.
    """
    active = [c for c in changes if c.action is not Action.NOOP]
    if not active:
        return []
    removes = any(c.action in (Action.DELETE, Action.REPLACE) for c in active)
    collections = _Builder(changes, desired, live).body(complete=removes)
    if not collections:
        # Only "delete every collection" gets here, and the import refuses an empty list
        # ("collections: Cannot be blank"). deleteMissing never deletes system collections, so
        # sending one of them back exactly as read expresses "nothing else" and keeps the one
        # transaction (per-collection DELETEs would need reference ordering and fail on cycles).
        anchor = system_collections(live).get(_ANCHOR)
        if anchor is None:
            raise PlanError(f"the read saw no {_ANCHOR} collection; is the server PocketBase 0.23 or newer?",
                            address=PROVIDER)
        collections = [{k: v for k, v in anchor.items() if k not in _SERVER_OWNED}]
    actions = {c.action for c in active}
    action = next(iter(actions)) if len(actions) == 1 else Action.UPDATE
    counts = ", ".join(f"{sum(c.action is a for c in active)} to {a.value}"
                       for a in (Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE) if a in actions)
    sources = {d.address: d.source for d in desired if d.source is not None}
    parts = {d.address: d.parts for d in desired if d.parts}
    return [ImportOperation(f"{PROVIDER}:import", PROVIDER, action, tuple(c.address for c in active),
                            f"import the collections in one transaction ({counts})",
                            Request("PUT", IMPORT_PATH, {"collections": collections, "deleteMissing": removes}),
                            atomic=True, sources=sources, parts=parts,
                            precondition=COLLECTION_STAMPS if removes else None,
                            read=collection_stamps(_read_collections(live)) if removes else frozenset())]


COLLECTION_STAMPS = Request("GET", "/api/collections", params=(("perPage", "1000"), ("skipTotal", "1"),
                                                               ("fields", "id,updated")))
"""Every collection's id and last change (1000 is the server's largest page; more collections than
that read as "changed", which refuses rather than risks the import)."""


def collection_stamps(collections: Sequence[Any]) -> frozenset[tuple[str, str]]:
    """(id, updated) of each collection object."""
    return frozenset((str(c.get("id")), str(c.get("updated"))) for c in collections if isinstance(c, dict))


def _read_collections(live: LiveState) -> list[Any]:
    return [r.raw for a, r in live.resources.items() if a.kind == "collections"] + \
        list(system_collections(live).values())
