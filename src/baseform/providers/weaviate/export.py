"""Export: live classes and aliases as a minimal ``weaviate`` section (defaults left out, stable order). Pure.

A setting is left out when it equals what this server version would fill in by itself, so the
export is short and plans as no changes against the server it came from; vector index types are
always written, because the default depends on the server (``DEFAULT_VECTOR_INDEX``) and servers
before 1.37.5 refuse a named vector without one. A class-level vector is kept beside named vectors.
Classes are sorted by name; properties keep the server's order, except cross-references, which come
last sorted by name: an apply adds them in parallel calls after every class exists, so their server
order differs from one server to the next and would make re-exports differ. Tenants are not
exported: they are usually created by the application at run time (and a listed tenant set is
authoritative).
"""

from __future__ import annotations

from collections.abc import Mapping

from baseform.engine.resource import LiveState
from baseform.providers.weaviate.datatypes import reference_targets
from baseform.providers.weaviate.defaults import (
    Version,
    class_defaults,
    parse_version,
    property_defaults,
    vector_index_keys,
)
from baseform.providers.weaviate.shape import class_value, property_value
from baseform.types import JSON, JSONObject

__all__ = ["export_section"]

# per-property module settings a text2vec module fills in by itself
_MODULE_PROPERTY_DEFAULT = {"skip": False, "vectorizePropertyName": False}


def _minus(value: JSON, default: JSON) -> JSON:
    """``value`` without what equals ``default`` (recursively); None when nothing is left."""
    if isinstance(value, dict) and isinstance(default, dict):
        out = {k: m for k, v in value.items() if (m := _minus(v, default.get(k))) is not None}
        return out or None
    return None if value == default else value


def _vector_index(index_type: JSON, config: JSON, v: Version) -> JSONObject:
    out: JSONObject = {"vectorIndexType": index_type or "hnsw"}
    if index_type == "none":
        return out  # a dropped index has no config
    rest = _minus(config, vector_index_keys(str(index_type or "hnsw"), v))
    if rest:
        out["vectorIndexConfig"] = rest
    return out


def _class(raw: Mapping[str, JSON], v: Version) -> JSONObject:
    value = class_value(raw, live=True)
    defaults = class_defaults(v)
    out: JSONObject = {"class": value["class"]}
    if value.get("description"):
        out["description"] = value["description"]
    if any(raw.get(k) for k in ("vectorizer", "vectorIndexType")) or not value.get("vectorConfig"):
        out["vectorizer"] = value.get("vectorizer") or "none"
        out.update(_vector_index(value.get("vectorIndexType"), value.get("vectorIndexConfig"), v))
    if value.get("vectorConfig"):
        out["vectorConfig"] = {
            name: {"vectorizer": entry.get("vectorizer"),
                   **_vector_index(entry.get("vectorIndexType"), entry.get("vectorIndexConfig"), v)}
            for name, entry in sorted(value["vectorConfig"].items())}
    multi_tenant = bool((value.get("multiTenancyConfig") or {}).get("enabled"))
    for key in ("invertedIndexConfig", "replicationConfig", "multiTenancyConfig", "shardingConfig", "objectTtlConfig"):
        if key == "shardingConfig" and multi_tenant:
            continue  # multi-tenant classes store an all-zero sharding config
        rest = _minus(value.get(key), defaults[key])
        if rest:
            out[key] = rest
    if value.get("moduleConfig"):
        out["moduleConfig"] = value["moduleConfig"]
    properties = [_property(p) for p in raw.get("properties") or []]
    properties.sort(key=_property_order)  # stable: other properties keep the server's order
    if properties:
        out["properties"] = properties
    return out


def _property_order(prop: JSONObject) -> tuple[bool, str]:
    """Sort key putting cross-references last, by name; other properties compare equal."""
    is_reference = bool(reference_targets(prop["dataType"]))
    return is_reference, str(prop["name"]) if is_reference else ""


def _property(raw: Mapping[str, JSON], *, nested: bool = False) -> JSONObject:
    value = property_value(raw, nested=nested)
    defaults = property_defaults(value["dataType"], nested=nested)
    out: JSONObject = {"name": value["name"], "dataType": value["dataType"]}
    if value.get("description"):
        out["description"] = value["description"]
    for key, default in defaults.items():
        if key in value and value[key] != default:
            out[key] = value[key]
    # both are left out of a GET at their defaults (no analyzer; duplicates disabled)
    if value.get("textAnalyzer"):
        out["textAnalyzer"] = value["textAnalyzer"]
    if value.get("disableDuplicatedReferences") is False:
        out["disableDuplicatedReferences"] = False
    if value.get("nestedProperties"):
        out["nestedProperties"] = [_property(n, nested=True) for n in raw.get("nestedProperties") or []]
    modules = {m: c for m, c in (value.get("moduleConfig") or {}).items() if c != _MODULE_PROPERTY_DEFAULT}
    if modules:
        out["moduleConfig"] = modules
    return out


def export_section(live: LiveState) -> JSONObject:
    """The ``weaviate`` section describing every live class and alias, sorted by name."""
    v = parse_version(live.server_version)
    classes = sorted((r.raw for a, r in live.resources.items() if a.kind == "classes"),
                     key=lambda raw: str(raw["class"]))
    out: JSONObject = {"classes": [_class(raw, v) for raw in classes]}
    aliases = sorted((r.value for a, r in live.resources.items() if a.kind == "aliases"),
                     key=lambda value: str(value["alias"]))
    if aliases:
        out["aliases"] = aliases
    return out
