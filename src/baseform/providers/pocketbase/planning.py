"""The declared resources completed against the live server before the diff. Pure.

* A relation's target is written as the target collection's name after the apply (a declared
  collection, one on the server, a system collection; by name in any case, or by id).
* Auth options merge over the live ones key by key (the server keeps keys a body leaves out).
* A field that gives its ``id`` is matched to the live field with that id: a different name there
  is a rename (as PocketBase's own import treats it), shown and applied as one.
* A declared built-in auth index (UNIQUE on ``tokenKey`` or ``email``) is matched to the live one on
  the same column, whatever the live one is called.
* Rules and view queries are checked against every collection there will be (see references.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from baseform.engine.address import Address
from baseform.engine.resource import DesiredResource, LiveState
from baseform.errors import ManifestError, PlanError
from baseform.providers.pocketbase.catalog import catalog_of
from baseform.providers.pocketbase.collections import (
    live_origin,
    merge_declared,
    plan_collection_ids,
    system_collections,
)
from baseform.providers.pocketbase.indexes import ParsedIndex, builtin_column, parse_index
from baseform.providers.pocketbase.references import reference_problems

__all__ = ["collection_ids", "collection_names", "prepare_desired"]


def _renamed(desired: Sequence[DesiredResource]) -> dict[str, str]:
    return {d.renamed_from: d.address.name for d in desired if d.address.kind == "collections" and d.renamed_from}


def collection_ids(desired: Sequence[DesiredResource], live: LiveState) -> dict[str, str]:
    """Name after the apply -> id after the apply, for every collection there will be: declared,
    on the server (by their new name when the manifest renames them) and system ones."""
    out = {name: str(raw.get("id")) for name, raw in system_collections(live).items()}
    renamed = _renamed(desired)
    out.update({renamed.get(a.name, a.name): str(r.raw["id"]) for a, r in live.resources.items()
                if a.kind == "collections"})
    out.update(plan_collection_ids(desired, live))
    return out


def collection_names(desired: Sequence[DesiredResource], live: LiveState) -> dict[str, str]:
    """Collection id or lower-case name (a live one's current name too) -> its name after the apply."""
    out: dict[str, str] = {}
    renamed = _renamed(desired)
    for address, resource in live.resources.items():
        if address.kind == "collections":
            out[address.name.lower()] = out[str(resource.raw["id"])] = renamed.get(address.name, address.name)
    for name, cid in collection_ids(desired, live).items():
        out[name.lower()] = out[cid] = name
    return out


def _origin_raw(collection: DesiredResource | None, live: LiveState) -> Mapping[str, Any] | None:
    origin = live_origin(collection, live) if collection is not None else None
    raw = live.resources[origin].raw if origin is not None else None
    return raw if isinstance(raw, dict) else None


def _field_renames(desired: Sequence[DesiredResource], collections: Mapping[Address, DesiredResource],
                   live: LiveState) -> dict[Address, str]:
    """Field address -> the live name of the field with its declared id, where the names differ."""
    renames: dict[Address, str] = {}
    for d in desired:
        fid = d.value.get("id") if d.address.kind == "fields" else None
        parent = collections.get(d.address.parent) if d.address.parent is not None else None
        raw = _origin_raw(parent, live) if fid is not None else None
        if raw is None:
            continue
        match = next((f for f in raw.get("fields", []) if f.get("id") == fid and not f.get("system")), None)
        if match is None or match["name"] == d.address.name:
            continue
        if d.renamed_from and d.renamed_from != match["name"]:
            raise PlanError(f"renamedFrom {d.renamed_from!r} contradicts the field id {fid!r}, which is the live "
                            f"field {match['name']!r}", address=str(d.address), source=d.source)
        renames[d.address] = str(match["name"])
    declared = {d.address: d for d in desired if d.address.kind == "fields"}
    for address, old in renames.items():
        holder = declared.get(address.parent.child("fields", old)) if address.parent is not None else None
        if holder is not None and holder.address not in renames and not holder.renamed_from:
            d = declared[address]
            raise PlanError(f"its id {d.value['id']!r} is the live field {old!r}, but the manifest also declares a "
                            f"field named {old!r}; give that field its own id or a new name",
                            address=str(address), source=d.source)
    return renames


def _builtin_index_name(d: DesiredResource, collection: DesiredResource | None, live: LiveState) -> str | None:
    """The live name of the built-in auth index ``d`` stands for, when it is not ``d``'s own name."""
    if collection is None or collection.value.get("type") != "auth":
        return None
    value = d.value
    index = ParsedIndex(d.address.name, bool(value["unique"]), tuple(value["columns"]), str(value["where"]))
    column = builtin_column(index, "auth")
    raw = _origin_raw(collection, live)
    if column is None or raw is None:
        return None
    for text in raw.get("indexes", []):
        live_index = parse_index(text)
        if live_index is not None and builtin_column(live_index, str(raw.get("type"))) == column:
            return live_index.name if live_index.name != d.address.name else None
    return None


def prepare_desired(desired: Sequence[DesiredResource], live: LiveState) -> list[DesiredResource]:
    """Desired resources completed against ``live`` (see the module docstring).

    Raises PlanError for a relation target that does not exist and for a field id that contradicts
    the manifest; ManifestError with every problem of the rules and view queries.
    """
    names = collection_names(desired, live)
    collections = {d.address: d for d in desired if d.address.kind == "collections"}
    renames = _field_renames(desired, collections, live)
    out: list[DesiredResource] = []
    for d in desired:
        value = d.value
        parent = collections.get(d.address.parent) if d.address.parent is not None else None
        if d.address.kind == "fields" and value.get("type") == "relation":
            target = str(value["collection"])
            name = names.get(target) or names.get(target.lower())
            if name is None:
                raise PlanError(f"relation target collection {target!r} is neither declared in the manifest "
                                "nor a collection on the server", address=str(d.address), source=d.source)
            value = {**value, "collection": name}
        elif d.address.kind == "collections":
            origin = live_origin(d, live)
            if origin is not None:
                before = live.resources[origin].value
                value = {k: (merge_declared(before.get(k), v) if isinstance(v, dict) else v)
                         for k, v in value.items()}
        prepared = d._replace(value=value) if value is not d.value else d
        if d.address in renames:
            prepared = prepared._replace(renamed_from=renames[d.address])
        if d.address.kind == "indexes" and d.address.parent is not None:
            live_name = _builtin_index_name(d, parent, live)
            if live_name is not None:
                prepared = prepared._replace(address=d.address.parent.child("indexes", live_name))
        out.append(prepared)
    problems = reference_problems(out, catalog_of(out, live, plan_collection_ids(out, live)))
    if problems:
        raise ManifestError(problems)
    return out
