"""Plan-time work on a manifest once the server is known: its version, modules, classes and aliases. Pure.

:func:`adapt_to_server` puts version-dependent keys in the form this server stores (so nothing plans
forever): ``replicationConfig.asyncEnabled`` is dropped on 1.38+ (the server no longer stores it),
``skipDefaultQuantization`` where the index type lacks it, and a new named vector without
``vectorIndexType`` gets ``hnsw`` below 1.37.5 (those servers refuse it). :func:`check_server_support`
then raises one PlanError for everything only the server can tell: data types, settings and index
options its version lacks (a server drops a key it does not know without a word, so the setting
would differ after every apply), vectorizer modules it has not enabled, cross-references to classes
that are neither declared nor live, a class named like a live alias, and changes the version cannot
make (a lower replication factor before 1.35).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence

from baseform.engine.resource import DesiredResource, LiveState
from baseform.errors import PlanError
from baseform.providers.weaviate.datatypes import INTRODUCED, reference_targets
from baseform.providers.weaviate.defaults import Version, parse_version, vector_index_keys
from baseform.providers.weaviate.names import class_name
from baseform.providers.weaviate.shape import TTL_TIMESTAMPS
from baseform.providers.weaviate.versions import (
    ALIASES,
    ASYNC_ENABLED_DROPPED,
    DROPPED_VECTOR_INDEX,
    HFRESH,
    NAMED_VECTOR_ADD,
    NAMED_VECTOR_TYPE_DEFAULT,
    REPLICAS_BEFORE_FACTOR,
    SKIP_DEFAULT_QUANTIZATION,
    rq_bits,
    shown,
)
from baseform.types import JSON, JSONObject

__all__ = ["CLASS_SETTINGS", "PROPERTY_SETTINGS", "adapt_to_server", "check_server_support"]

CLASS_SETTINGS: dict[str, Version] = {
    "objectTtlConfig": (1, 35, 0),
    "invertedIndexConfig.tokenizerUserDict": (1, 35, 0),
    "invertedIndexConfig.stopwordPresets": (1, 37, 0),
}
"""Class settings newer than the oldest supported server (dotted path -> first version with it)."""
PROPERTY_SETTINGS: dict[str, Version] = {"textAnalyzer": (1, 37, 0)}
"""The same for property settings, nested properties included."""


def _types(value: JSONObject) -> Iterable[str]:
    yield from value.get("dataType") or []
    for nested in value.get("nestedProperties") or []:
        yield from _types(nested)


def _in_use(value: JSON) -> bool:
    """Whether a setting asks for anything: an all-empty one (``{enabled: false}``, ``[]``) is a no-op
    that an older server's silence matches."""
    if isinstance(value, dict):
        return any(_in_use(v) for v in value.values())
    return bool(value)


def _newer_settings(value: JSON, table: dict[str, Version], v: Version, prefix: str = "") -> list[str]:
    """``path needs Weaviate X`` for each setting of ``table`` that ``value`` uses and ``v`` lacks."""
    found: list[str] = []
    if not isinstance(value, dict):
        return found
    for path, needed in table.items():
        setting: JSON = value
        for part in path.split("."):
            setting = setting.get(part) if isinstance(setting, dict) else None
        if v < needed and _in_use(setting):
            found.append(f"{prefix}{path} needs Weaviate {'.'.join(map(str, needed))} or later")
    for nested in value.get("nestedProperties") or []:
        if isinstance(nested, dict):
            found += _newer_settings(nested, table, v, f"{prefix}nestedProperties.{nested.get('name')}.")
    return found


def _ttl_property_problem(value: JSONObject, live_raw: JSON) -> str | None:
    """An object TTL on a date property that this plan adds to an existing class: the class's ``PUT``
    goes before the property's own call (a ``PUT`` must carry the live properties unchanged), and the
    server checks ``deleteOn`` against the properties the class has then, so the apply would fail."""
    ttl = value.get("objectTtlConfig")
    if not isinstance(live_raw, dict) or not isinstance(ttl, dict) or not ttl.get("enabled"):
        return None
    delete_on = ttl.get("deleteOn")
    if not delete_on or delete_on in TTL_TIMESTAMPS:
        return None
    if any(isinstance(p, dict) and p.get("name") == delete_on for p in live_raw.get("properties") or []):
        return None
    return (f"objectTtlConfig.deleteOn names property {delete_on!r}, which the class does not have yet: Weaviate "
            "checks deleteOn against the existing properties, so apply the property first and the TTL after it")


def _vectorizers(value: JSONObject) -> set[str]:
    """Vectorizer modules a class uses (``none`` is built in)."""
    found = {str(value["vectorizer"])} if value.get("vectorizer") else set()
    for entry in (value.get("vectorConfig") or {}).values():
        found |= set((entry or {}).get("vectorizer") or {}) if isinstance(entry, dict) else set()
    return found - {"none"}


def _unknown_keys(given: JSON, known: JSON, prefix: str) -> list[str]:
    if not isinstance(given, dict) or not isinstance(known, dict):
        return []
    out = []
    for key, value in given.items():
        if key not in known:
            out.append(prefix + key)
        else:
            out += _unknown_keys(value, known[key], f"{prefix}{key}.")
    return out


def _index_problems(value: JSONObject, live_raw: JSON, v: Version) -> list[str]:
    live = live_raw if isinstance(live_raw, dict) else {}
    found: list[str] = []
    if "vectorIndexConfig" in value:
        index_type = str(value.get("vectorIndexType") or live.get("vectorIndexType") or "hnsw")
        found += _unknown_keys(value["vectorIndexConfig"], vector_index_keys(index_type, v), "vectorIndexConfig.")
    live_vectors = _dict(live.get("vectorConfig"))
    for name, entry in (value.get("vectorConfig") or {}).items():
        if isinstance(entry, dict) and "vectorIndexConfig" in entry:
            live_entry = _dict(live_vectors.get(name))
            index_type = str(entry.get("vectorIndexType") or live_entry.get("vectorIndexType") or "hnsw")
            found += _unknown_keys(entry["vectorIndexConfig"], vector_index_keys(index_type, v),
                                   f"vectorConfig.{name}.vectorIndexConfig.")
    return found


_LEGACY_MODULES = {"text2colbert-jinaai": "text2multivec-jinaai", "generative-palm": "generative-google",
                   "multi2vec-palm": "multi2vec-google", "text2vec-palm": "text2vec-google"}
"""Old module names a server still takes for the module it lists (``AltNames`` in modules/*/module.go)."""


def _dict(value: JSON) -> JSONObject:
    return value if isinstance(value, dict) else {}


def _index_configs(value: JSONObject, index_type: str) -> Iterable[tuple[str, JSONObject, str]]:
    """(label, config, index type) of an index config and, for dynamic, its nested hnsw and flat ones."""
    config = value.get("vectorIndexConfig")
    if not isinstance(config, dict):
        return
    if index_type == "dynamic":
        for sub in ("hnsw", "flat"):
            if isinstance(config.get(sub), dict):
                yield f"vectorIndexConfig.{sub}", config[sub], sub
    else:
        yield "vectorIndexConfig", config, index_type


def _vector_indexes(value: JSONObject, live_raw: JSON) -> Iterable[tuple[str, JSONObject, str]]:
    """(prefix, holder of vectorIndexType/vectorIndexConfig, index type) of the class-level vector and of
    each named vector of a desired class value."""
    live = live_raw if isinstance(live_raw, dict) else {}
    if any(k in value for k in ("vectorizer", "vectorIndexType", "vectorIndexConfig")):
        yield "", value, str(value.get("vectorIndexType") or live.get("vectorIndexType") or "hnsw")
    live_vectors = _dict(live.get("vectorConfig"))
    for name, entry in (value.get("vectorConfig") or {}).items():
        if isinstance(entry, dict):
            live_entry = _dict(live_vectors.get(name))
            yield f"vectorConfig.{name}.", entry, str(entry.get("vectorIndexType") or live_entry.get("vectorIndexType")
                                                      or "hnsw")


def _adapt_class(value: JSONObject, live_raw: JSON, v: Version) -> JSONObject:
    out = copy.deepcopy(value)
    replication = out.get("replicationConfig")
    if v >= ASYNC_ENABLED_DROPPED and isinstance(replication, dict):
        replication.pop("asyncEnabled", None)
        if not replication:
            out.pop("replicationConfig")
    live = live_raw if isinstance(live_raw, dict) else {}
    live_vectors = _dict(live.get("vectorConfig"))
    for _, holder, index_type in _vector_indexes(out, live_raw):
        for _, config, sub_type in _index_configs(holder, index_type):
            if v < SKIP_DEFAULT_QUANTIZATION.get(sub_type, (99, 0, 0)):
                config.pop("skipDefaultQuantization", None)
    if v < NAMED_VECTOR_TYPE_DEFAULT:
        for name, entry in (out.get("vectorConfig") or {}).items():
            if isinstance(entry, dict) and "vectorIndexType" not in entry and name not in live_vectors:
                entry["vectorIndexType"] = "hnsw"  # older servers refuse a named vector without one
    return out


def adapt_to_server(desired: Sequence[DesiredResource], live: LiveState) -> list[DesiredResource]:
    """``desired`` with version-dependent keys in the form this server stores them."""
    v = parse_version(live.server_version)
    out = []
    for d in desired:
        if d.address.kind == "classes":
            live_class = live.resources.get(d.address)
            d = d._replace(value=_adapt_class(d.value, live_class.raw if live_class else None, v))
        out.append(d)
    return out


def _vector_problems(value: JSONObject, live_raw: JSON, v: Version) -> list[str]:
    """Vector settings this server version cannot take or that contradict the live class."""
    found: list[str] = []
    live = live_raw if isinstance(live_raw, dict) else {}
    live_vectors = _dict(live.get("vectorConfig"))
    legacy = any(k in value for k in ("vectorizer", "vectorIndexType", "vectorIndexConfig"))
    if legacy and value.get("vectorConfig") and v < NAMED_VECTOR_ADD:
        found.append(f"a class-level vector beside named vectors needs Weaviate {shown(NAMED_VECTOR_ADD)} or later")
    for prefix, holder, index_type in _vector_indexes(value, live_raw):
        if index_type == "hfresh" and v < HFRESH:
            found.append(f"{prefix}vectorIndexType hfresh needs Weaviate {shown(HFRESH)} or later")
        if index_type == "none":
            name = prefix[len("vectorConfig."):-1]
            live_entry = _dict(live_vectors.get(name))
            if v < DROPPED_VECTOR_INDEX:
                found.append(f"{prefix}vectorIndexType none needs Weaviate {shown(DROPPED_VECTOR_INDEX)} or later")
            elif not live_entry:
                found.append(f"{prefix}vectorIndexType none describes a vector whose index was dropped; Weaviate "
                             "cannot create one (declare its index type, e.g. hnsw, or leave the vector out)")
            elif live_entry.get("vectorIndexType") != "none":
                found.append(f"{prefix}vectorIndexType none: the vector has a {live_entry.get('vectorIndexType')} "
                             "index on the server; baseform does not drop vector indexes (the server's endpoint for "
                             "it is experimental)")
        for label, config, sub_type in _index_configs(holder, index_type):
            rq = config.get("rq")
            if not isinstance(rq, dict) or not rq.get("enabled") or sub_type not in ("hnsw", "flat"):
                continue
            if sub_type == "flat" and v < (1, 34, 0):
                found.append(f"{prefix}{label}.rq needs Weaviate 1.34 or later for a flat index")
            elif sub_type == "hnsw" and isinstance(rq.get("bits"), int) and rq["bits"] not in rq_bits(v):
                found.append(f"{prefix}{label}.rq.bits {rq['bits']}: Weaviate {shown(v)} accepts "
                             f"{', '.join(map(str, rq_bits(v)))} (4 needs 1.39, 1 needs 1.33)")
    return found


def _factor_problem(value: JSONObject, live_raw: JSON, v: Version) -> str | None:
    live = live_raw if isinstance(live_raw, dict) else {}
    wanted = (value.get("replicationConfig") or {}).get("factor") if isinstance(value.get("replicationConfig"),
                                                                                 dict) else None
    current = (live.get("replicationConfig") or {}).get("factor") if isinstance(live.get("replicationConfig"),
                                                                                 dict) else None
    if isinstance(wanted, int) and isinstance(current, int) and wanted < current and v < REPLICAS_BEFORE_FACTOR:
        return (f"replicationConfig.factor {current} -> {wanted}: Weaviate before {shown(REPLICAS_BEFORE_FACTOR)} "
                "cannot lower a replication factor (it refuses with 'scaling in not supported yet'); keep "
                f"factor: {current}")
    return None


def check_server_support(desired: Sequence[DesiredResource], live: LiveState) -> None:
    """Raise one PlanError listing every declared setting this server cannot take."""
    v = parse_version(live.server_version)
    declared = {d.address.name for d in desired if d.address.kind == "classes"}
    existing = {a.name for a in live.resources if a.kind == "classes"}
    aliases = {a.name: r.value.get("class") for a, r in live.resources.items() if a.kind == "aliases"}
    problems: list[tuple[DesiredResource, str]] = []
    modules = set(live.context.get("modules") or ())
    for d in desired:
        if d.address.kind == "aliases" and v < ALIASES:
            problems.append((d, f"aliases need Weaviate {shown(ALIASES)} or later (server: {live.server_version})"))
        if d.address.kind == "aliases" and d.address.name in existing and d.address not in live.resources:
            problems.append((d, f"alias {d.address.name!r}: the server has a class of that name, and Weaviate refuses "
                                "an alias named like a class; choose another alias name"))
        if d.address.kind == "aliases" and class_name(str(d.value.get("class"))) not in declared | existing:
            problems.append((d, f"alias {d.address.name!r} points to class {d.value.get('class')!r}, which is "
                                "neither declared nor on the server"))
        if d.address.kind == "classes":
            live_class = live.resources.get(d.address)
            raw = live_class.raw if live_class else None
            if live_class is None and d.address.name in aliases:
                problems.append((d, f"class {d.address.name!r}: the server has an alias of that name (pointing to "
                                    f"{aliases[d.address.name]!r}), and Weaviate refuses a class named like an alias; "
                                    "rename the class, or delete the alias first (drop it from weaviate.aliases "
                                    "and apply with prune: true, or DELETE /v1/aliases/" + d.address.name + ")"))
            for key in _index_problems(d.value, raw, v):
                problems.append((d, f"{key} is not a setting of Weaviate {live.server_version}"))
            for text in _vector_problems(d.value, raw, v):
                problems.append((d, f"{text} (server: {live.server_version})"))
            factor = _factor_problem(d.value, raw, v)
            if factor:
                problems.append((d, factor))
            for text in _newer_settings(d.value, CLASS_SETTINGS, v):
                problems.append((d, f"{text} (server: {live.server_version})"))
            ttl_problem = _ttl_property_problem(d.value, raw)
            if ttl_problem:
                problems.append((d, ttl_problem))
            for module in sorted(m for m in _vectorizers(d.value) if _LEGACY_MODULES.get(m, m) not in modules):
                problems.append((d, f"vectorizer module {module!r} is not enabled on this server (enabled: "
                                    f"{', '.join(sorted(modules)) or 'none'})"))
        if d.address.kind != "properties":
            continue
        for text in _newer_settings(d.value, PROPERTY_SETTINGS, v):
            problems.append((d, f"{text} (server: {live.server_version})"))
        for dt in _types(d.value):
            if dt in INTRODUCED and v < INTRODUCED[dt]:
                needed = ".".join(map(str, INTRODUCED[dt]))
                problems.append((d, f"data type {dt!r} needs Weaviate {needed} or later (server: "
                                    f"{live.server_version})"))
        for target in reference_targets(d.value.get("dataType") or []):
            if class_name(target) not in declared | existing:
                problems.append((d, f"cross-reference to class {target!r}, which is neither declared nor on "
                                    "the server"))
    if problems:
        first = problems[0][0]
        lines = [f"{d.source or d.address}: {msg}" for d, msg in problems]
        raise PlanError("the server cannot take this manifest:\n  " + "\n  ".join(lines),
                        address=str(first.address))
