"""Collections: their diff shape, their ids, and what planning resolves against the live server.

A collection's value holds its name, type, API rules, ``viewQuery`` (views) and the auth options
the manifest declares; fields and indexes are child resources. Auth option objects merge key by key
on the server, so a declared object is compared and sent over the live one: keys the manifest
leaves out keep their live values.

Ids: a live collection keeps its id (renames included); a new one gets the id PocketBase itself
would choose (``"pbc_" + crc32(type + name)``), fixed at plan time so relations to it, even in a
cycle, are resolved before anything is sent.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from baseform.engine.address import Address
from baseform.engine.resource import DesiredResource, KindRules, LiveState
from baseform.providers.pocketbase.models import AUTH_OPTION_KEYS, CollectionSpec
from baseform.types import JSON, JSONObject

__all__ = [
    "COLLECTIONS",
    "PROVIDER",
    "RULE_KEYS",
    "SYSTEM_COLLECTIONS",
    "collection_address",
    "desired_collection",
    "live_collection",
    "live_origin",
    "merge_declared",
    "new_collection_id",
    "plan_collection_ids",
    "system_collections",
]

PROVIDER = "pocketbase"
RULE_KEYS = ("listRule", "viewRule", "createRule", "updateRule", "deleteRule")
SYSTEM_COLLECTIONS = "systemCollections"
"""``LiveState.context`` key: system collection name -> its JSON as read (they are never diffed)."""

COLLECTIONS = KindRules(
    "collections",
    # validation_collection_type_change: the only way to another type is a new collection
    replace_on=frozenset({"type"}),
    renamable=True,
    compare_declared_only=True,
    data_loss="all its records",
)


def system_collections(live: LiveState) -> Mapping[str, Mapping[str, Any]]:
    """The system collections (``_superusers``...) the read saw, by name, as the server sent them."""
    systems = live.context.get(SYSTEM_COLLECTIONS)
    if not isinstance(systems, dict):
        return {}
    return {str(name): raw for name, raw in systems.items() if isinstance(raw, dict)}


def collection_address(name: str) -> Address:
    return Address(PROVIDER, (("collections", name),))


def desired_collection(spec: CollectionSpec) -> JSONObject:
    """The diff value of a declared collection: rules always (left out = null), the auth options
    only where declared (and within them only the declared keys)."""
    value: JSONObject = {"name": spec.name, "type": spec.type}
    for key in RULE_KEYS:
        value[key] = getattr(spec, key)
    if spec.type == "view":
        value["viewQuery"] = spec.viewQuery
    for key in AUTH_OPTION_KEYS:
        if key in spec.model_fields_set:
            option = getattr(spec, key)
            value[key] = option.model_dump(exclude_unset=True) if hasattr(option, "model_dump") else option
    return value


def live_collection(raw: Mapping[str, Any]) -> JSONObject:
    """The diff value of a live collection (no id, timestamps, fields or indexes)."""
    value: JSONObject = {"name": raw["name"], "type": raw["type"]}
    for key in RULE_KEYS:
        value[key] = raw.get(key)
    if raw["type"] == "view":
        value["viewQuery"] = raw.get("viewQuery")
    if raw["type"] == "auth":
        for key in AUTH_OPTION_KEYS:
            if key in raw:
                value[key] = raw[key]
    return value


def merge_declared(live: JSON, declared: JSON) -> JSON:
    """``declared`` laid over ``live`` key by key (objects only; lists and scalars replace)."""
    if isinstance(live, dict) and isinstance(declared, dict):
        out = dict(live)
        for key, value in declared.items():
            out[key] = merge_declared(live.get(key), value)
        return out
    return declared


def new_collection_id(kind: str, name: str, taken: Iterable[str]) -> str:
    """PocketBase's own id for a new collection: ``pbc_`` + crc32(type+name), suffix 2..999 on
    collision (core/collection_model.go)."""
    base = f"pbc_{zlib.crc32((kind + name).encode())}"
    used = set(taken)
    if base not in used:
        return base
    return next(f"{base}{n}" for n in range(2, 1000) if f"{base}{n}" not in used)


def live_origin(d: DesiredResource, live: LiveState) -> Address | None:
    """The live address a desired collection is matched to (itself, or what it is renamed from)."""
    if d.address in live.resources:
        return d.address
    if d.renamed_from:
        old = collection_address(d.renamed_from)
        if old in live.resources:
            return old
    return None


def plan_collection_ids(desired: Sequence[DesiredResource], live: LiveState) -> dict[str, str]:
    """Collection name -> id after the apply, for every declared collection.

    A matched live collection of the same type keeps its id; a new or replaced (other type) one
    gets a fresh id that no live collection uses.
    """
    taken = {str(r.raw["id"]) for r in live.resources.values() if r.address.kind == "collections"}
    ids: dict[str, str] = {}
    for d in desired:
        if d.address.kind != "collections":
            continue
        origin = live_origin(d, live)
        raw = live.resources[origin].raw if origin else None
        if raw is not None and raw["type"] == d.value["type"]:
            ids[d.address.name] = str(raw["id"])
        else:
            ids[d.address.name] = new_collection_id(str(d.value["type"]), d.address.name, taken)
            taken.add(ids[d.address.name])
    return ids
