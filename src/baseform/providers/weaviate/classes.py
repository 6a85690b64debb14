"""Weaviate classes: kind rules, the desired value of a declared class, and the class calls.

A class is created with its non-reference properties inline (``POST /v1/schema``); reference
properties follow through the properties endpoint so classes can refer to each other in cycles.
Updates are read-modify-write: ``PUT /v1/schema/{class}`` replaces the whole class, so the body is
the live class as read at plan time with only the planned fields changed (FIDELITY U12: omitted
sections would be reset to defaults).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.operation import Operation, Request
from baseform.engine.resource import KindRules
from baseform.providers.weaviate.models import ClassSpec
from baseform.providers.weaviate.shape import SWITCHED_MODULES, class_value
from baseform.types import JSON, JSONObject

__all__ = ["CLASSES", "add_named_vectors", "class_address", "class_path", "create_class", "delete_class",
           "desired_class", "has_both_vector_shapes", "update_class"]

CLASSES = KindRules(
    "classes", renamable=False, data_loss="all its objects",
    rename_unsupported="Weaviate cannot rename a class; declare the new class (and copy the objects), or "
                       "point an alias at it on Weaviate 1.32+")

_BM25_DEFAULTS = {"b": 0.75, "k1": 1.2}


def class_address(provider: str, name: str) -> Address:
    return Address(provider, (("classes", name),))


def class_path(name: str) -> str:
    return f"/v1/schema/{name}"


def desired_class(spec: ClassSpec) -> JSONObject:
    """The declared class settings (only the keys the manifest sets) in the diff shape. Pure."""
    raw = spec.model_dump(by_alias=True, exclude_unset=True, exclude_none=True,
                          exclude={"properties", "tenants", "protect", "renamedFrom"})
    return class_value(raw, live=False)


_LEGACY = ("vectorizer", "vectorIndexType", "vectorIndexConfig")


def _create_body(after: JSONObject, properties: Sequence[JSONObject]) -> JSONObject:
    body = copy.deepcopy(after)
    inverted = body.get("invertedIndexConfig")
    if isinstance(inverted, dict) and isinstance(inverted.get("bm25"), dict):
        # bm25 is decoded into a struct: a key left out would be stored as 0, not as its default
        inverted["bm25"] = {**_BM25_DEFAULTS, **inverted["bm25"]}
    body["properties"] = [copy.deepcopy(p) for p in properties]
    if any(k in body for k in _LEGACY):
        # the server creates no class with both vector shapes: named vectors follow in an update
        body.pop("vectorConfig", None)
    return body


def has_both_vector_shapes(value: JSONObject) -> bool:
    """A class-level vector beside named vectors: created in two calls (:func:`add_named_vectors`)."""
    return any(k in value for k in _LEGACY) and bool(value.get("vectorConfig"))


def create_class(provider: str, change: Change, inline: Sequence[JSONObject]) -> Operation:
    """``POST /v1/schema`` for a created (or recreated) class with ``inline`` properties."""
    assert change.after is not None
    name = change.address.name
    names = ", ".join(p["name"] for p in inline)
    return Operation(f"{change.address}:create", provider, Action.CREATE, (change.address,),
                     f"create class {name}" + (f" with properties {names}" if names else ""),
                     Request("POST", "/v1/schema", _create_body(change.after, inline)),
                     verify=Request("GET", class_path(name)))


def add_named_vectors(provider: str, change: Change, inline: Sequence[JSONObject], deletion_strategy: str,
                      depends_on: tuple[str, ...]) -> Operation:
    """``PUT /v1/schema/{class}`` giving a class just created with its class-level vector its named
    vectors (Weaviate 1.31+). The body is the create body with the vectors: the server fills what it
    omits as it did at create, except the replication deletion strategy, which only a create defaults."""
    assert change.after is not None
    body = _create_body(change.after, inline)
    body["vectorConfig"] = copy.deepcopy(change.after["vectorConfig"])
    replication = body.setdefault("replicationConfig", {})
    if isinstance(replication, dict):
        replication.setdefault("deletionStrategy", deletion_strategy)
    name = change.address.name
    return Operation(f"{change.address}:vectors", provider, Action.UPDATE, (change.address,),
                     f"add named vectors {', '.join(sorted(change.after['vectorConfig']))} to class {name}",
                     Request("PUT", class_path(name), body), depends_on=depends_on)


def delete_class(provider: str, change: Change) -> Operation:
    """``DELETE /v1/schema/{class}``: drops the class and every object in it."""
    name = change.address.name
    return Operation(f"{change.address}:delete", provider, Action.DELETE, (change.address,),
                     f"delete class {name} and all its objects", Request("DELETE", class_path(name)))


_WHOLE = frozenset({"invertedIndexConfig.stopwordPresets"})
"""Maps the manifest declares whole: a key it leaves out is removed from the server, not kept."""


def _modules(live: JSON, wanted: JSON) -> JSON:
    """The ``moduleConfig`` of an update: the live modules, but a declared generative or reranker module
    instead of the live ones of its kind (the server refuses two of a kind, and replaces the old one)."""
    if not isinstance(live, dict) or not isinstance(wanted, dict):
        return copy.deepcopy(wanted)
    kinds = tuple(k for k in SWITCHED_MODULES if any(m.startswith(k) for m in wanted))
    kept = {m: copy.deepcopy(c) for m, c in live.items() if not (kinds and m.startswith(kinds))}
    return {**kept, **copy.deepcopy(wanted)}


def _merge(live: JSON, wanted: JSON, path: str = "") -> JSON:
    if path == "moduleConfig":
        return _modules(live, wanted)
    if isinstance(live, dict) and isinstance(wanted, dict) and path not in _WHOLE:
        out = dict(live)
        for key, value in wanted.items():
            out[key] = _merge(live.get(key), value, f"{path}.{key}" if path else key)
        return out
    return copy.deepcopy(wanted)


def update_class(provider: str, address: Address, live_raw: Mapping[str, JSON], after: JSONObject | None,
                 descriptions: Mapping[str, str | None], addresses: Sequence[Address]) -> Operation:
    """``PUT /v1/schema/{class}``: the live class with the declared class settings ``after`` merged
    in and the property ``descriptions`` set; ``addresses`` are the changes it realises."""
    body = _merge(dict(live_raw), after or {})
    properties = []
    for prop in body.get("properties") or []:
        prop = dict(prop)
        if prop.get("name") in descriptions:
            prop["description"] = descriptions[prop["name"]]
        properties.append(prop)
    body["properties"] = properties
    what = ", ".join(str(a.name) for a in addresses)
    return Operation(f"{address}:update", provider, Action.UPDATE, tuple(addresses),
                     f"update class {address.name} ({what})", Request("PUT", class_path(address.name), body))
