"""Which differences Weaviate can apply in place, per server version.

Everything else forces a replace of the whole class: the server has no call to change a property's
type, to delete one or to rename anything, so such a property difference drops and recreates its
class (the core does that from the ``replaces_parent`` rule of properties). In place, besides the
mutable class settings: adding named vectors (1.31+, also beside a class-level vector), adding
modules and switching the generative or reranker module, the replication factor (the server checks
its replicas), ``objectTtlConfig``, stopword presets and tokenizer dictionaries, a property's
description (1.30+), dropping a property index (1.36+) and creating one or changing the
tokenization (1.39+). Reasons start with the dotted path they blame (the core marks that field as
forcing the replacement). The sources are listed in tests/emulators/weaviate/FIDELITY.md. Pure.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from baseform.engine.change import ABSENT, FieldDiff
from baseform.providers.weaviate.datatypes import TEXT
from baseform.providers.weaviate.defaults import Version
from baseform.providers.weaviate.shape import SWITCHED_MODULES
from baseform.providers.weaviate.versions import INDEX_DROP, INDEX_UPSERT, NAMED_VECTOR_ADD, PROPERTY_DESCRIPTION, shown
from baseform.types import JSON

__all__ = ["INDEX_FLAGS", "class_reasons", "index_changes", "property_reasons"]

_HNSW_FIXED = frozenset({"efConstruction", "maxConnections", "cleanupIntervalSeconds", "distance", "skip",
                         "multivector.enabled", "multivector.muvera.enabled", "rq.bits"})
_FLAT_FIXED = frozenset({"distance", "pq.enabled", "pq.cache", "bq.enabled", "rq.enabled", "rq.bits"})
_HFRESH_FIXED = frozenset({"distance", "replicas"})
_QUANTIZERS = ("pq", "bq", "sq", "rq")
_INVERTED_FIXED = frozenset({"indexTimestamps", "indexNullState", "indexPropertyLength"})
_LEGACY = ("vectorizer", "vectorIndexType", "vectorIndexConfig")
INDEX_FLAGS = {"indexFilterable": "filterable", "indexSearchable": "searchable", "indexRangeFilters": "rangeFilters"}
"""Property index flags and the name of their index in the index endpoints."""
_NO_FILTERABLE = frozenset({"blob", "geoCoordinates", "phoneNumber"})
_NUMERIC = frozenset({"int", "number", "date"})


def _fmt(value: JSON) -> str:
    if value is ABSENT:
        return "(unset)"
    return value if isinstance(value, str) else json.dumps(value)


def _reason(d: FieldDiff, why: str) -> str:
    return f"{d.path} {_fmt(d.before)} -> {_fmt(d.after)}: {why}"


def _index_problem(index_type: str, sub: str, d: FieldDiff) -> str | None:
    """Why a change at ``sub`` (dotted, inside a vectorIndexConfig of ``index_type``) is not in place."""
    head, _, rest = sub.partition(".")
    if index_type == "dynamic":
        if head in ("hnsw", "flat") and rest:
            return _index_problem(head, rest, d)
        return "the dynamic index distance is immutable" if head == "distance" else None
    fixed = {"hnsw": _HNSW_FIXED, "flat": _FLAT_FIXED, "hfresh": _HFRESH_FIXED}.get(index_type, frozenset())
    if sub in fixed:
        return f"{index_type} {sub} is immutable"
    if head in _QUANTIZERS and rest == "enabled" and d.before is True:
        return "compression cannot be switched off once enabled"
    return None


def _module_kind(module: str) -> str | None:
    return next((k for k in SWITCHED_MODULES if module.startswith(k)), None)


def class_reasons(diffs: Sequence[FieldDiff], live_raw: Mapping[str, JSON], version: Version) -> list[str]:
    """Reasons the class-level ``diffs`` need the class replaced ([] = one PUT applies them)."""
    reasons: list[str] = []
    legacy = any(live_raw.get(k) for k in _LEGACY)
    named_only = not legacy and bool(live_raw.get("vectorConfig"))
    added_kinds = {_module_kind(d.path.split(".")[1]) for d in diffs
                   if d.path.startswith("moduleConfig.") and d.path.count(".") == 1 and d.before is ABSENT}
    for d in diffs:
        parts = d.path.split(".")
        top, sub = parts[0], ".".join(parts[1:])
        why: str | None = None
        if top in _LEGACY and named_only:
            why = _shape_change(top)
        elif top in ("vectorizer", "vectorIndexType", "shardingConfig"):
            why = f"{top} is immutable"
        elif top == "vectorIndexConfig":
            why = _index_problem(str(live_raw.get("vectorIndexType") or "hnsw"), sub, d)
        elif top == "vectorConfig":
            why = _vector_problem(parts[1:], d, live_raw, version, legacy)
        elif top == "invertedIndexConfig":
            why = f"{sub} is immutable" if sub in _INVERTED_FIXED else None
            if why and sub == "indexTimestamps" and any(x.path.startswith("objectTtlConfig") for x in diffs):
                why += (" (an object TTL on _creationTimeUnix or _lastUpdateTimeUnix needs indexed timestamps, "
                        "which only a new class gets)")
        elif top == "multiTenancyConfig" and sub == "enabled":
            why = "multi-tenancy cannot be switched on or off for an existing class"
        elif top == "moduleConfig":
            why = _module_problem(parts[1:], d, added_kinds)
        if why:
            reasons.append(_reason(d, why))
    return reasons


def _shape_change(top: str) -> str:
    return (f"the manifest gives this class a class-level vector ({top}), but on the server it has only named "
            "vectors (vectorConfig), the shape weaviate-client v4 creates (an implicit vector named 'default'); "
            "Weaviate cannot turn one shape into the other. To keep the class and its objects, declare its "
            "vectors as the server has them, e.g. vectorConfig: {default: {vectorizer: {none: {}}}} instead of "
            "vectorizer: none (`baseform export` writes that shape); otherwise the class is recreated empty")


def _module_problem(parts: Sequence[str], d: FieldDiff, added_kinds: set[str | None]) -> str | None:
    if not parts:
        return None if d.before is ABSENT else "a class's module settings cannot be removed"
    module = parts[0]
    kind = _module_kind(module)
    if len(parts) == 1 and d.before is ABSENT:
        return None  # a module the class does not have yet may be added
    if len(parts) == 1 and d.after is ABSENT:
        if kind is not None and kind in added_kinds:
            return None  # replaced by the new module of its kind
        return (f"Weaviate cannot remove module {module} from a class (only a generative or reranker module "
                "can be replaced by another one)")
    if kind is None:
        return (f"the settings of module {module} are immutable (only generative-* and reranker-* settings "
                "can change)")
    return None


def _vector_problem(parts: Sequence[str], d: FieldDiff, live_raw: Mapping[str, JSON], version: Version,
                    legacy: bool) -> str | None:
    if not parts:
        # the class had no named vectors: each of them is added
        added = d.after if isinstance(d.after, dict) else {}
        if d.after is ABSENT or d.before is not ABSENT:
            return "named vectors cannot be removed"
        for name in added:
            problem = _add_problem(str(name), version, legacy)
            if problem:
                return problem
        return None
    name = parts[0]
    if len(parts) == 1:
        if d.after is ABSENT:
            return f"named vector {name!r} cannot be removed"
        if d.before is not ABSENT:
            return f"named vector {name!r} cannot change"
        return _add_problem(name, version, legacy)
    entries = live_raw.get("vectorConfig") or {}
    entry = entries.get(name) if isinstance(entries, dict) else None
    index_type = str((entry or {}).get("vectorIndexType") or "hnsw") if isinstance(entry, dict) else "hnsw"
    if index_type == "none":
        return (f"the index of named vector {name!r} was dropped on the server; Weaviate cannot create it again "
                "in place")
    if parts[1] == "vectorIndexConfig" and len(parts) > 2:
        return _index_problem(index_type, ".".join(parts[2:]), d)
    return f"{'.'.join(parts[1:])} of named vector {name!r} is immutable"


def _add_problem(name: str, version: Version, legacy: bool) -> str | None:
    if version < NAMED_VECTOR_ADD:
        return f"adding a named vector to an existing class needs Weaviate {shown(NAMED_VECTOR_ADD)} or later"
    if name == "default" and legacy:
        return "a vector named 'default' cannot be added to a class with a class-level vector index"
    return None


def property_reasons(diffs: Sequence[FieldDiff], version: Version, live: Mapping[str, JSON] | None = None,
                     ) -> list[str]:
    """Reasons a property's ``diffs`` cannot be made in place (they then replace its class, by the
    ``replaces_parent`` rule): anything but a description (1.30+) and the index changes the server
    makes through its index endpoints (:func:`index_changes`)."""
    reasons: list[str] = []
    live = live or {}
    index_diffs = [d for d in diffs if d.path in INDEX_FLAGS or d.path == "tokenization"]
    index_problem = _index_change_problem(index_diffs, live, version) if index_diffs else None
    for d in diffs:
        if d.path == "description" and version >= PROPERTY_DESCRIPTION:
            continue
        if d in index_diffs:
            if index_problem:
                reasons.append(_reason(d, index_problem))
            continue
        why = (f"property descriptions can change in place only on Weaviate {shown(PROPERTY_DESCRIPTION)} or later"
               if d.path == "description" else "Weaviate cannot change a property once created")
        reasons.append(_reason(d, why))
    return reasons


def _after(live: Mapping[str, JSON], diffs: Sequence[FieldDiff]) -> dict[str, JSON]:
    state = dict(live)
    for d in diffs:
        state[d.path] = None if d.after is ABSENT else d.after
    return state


def _index_change_problem(diffs: Sequence[FieldDiff], live: Mapping[str, JSON], version: Version) -> str | None:
    """Why these index/tokenization changes of a property cannot be made in place (None: they can)."""
    data_type = live.get("dataType") or []
    single = str(data_type[0]) if isinstance(data_type, list) and len(data_type) == 1 else ""
    after = _after(live, diffs)
    for d in diffs:
        if d.path in INDEX_FLAGS and d.after is False and version < INDEX_DROP:
            return (f"dropping a property index needs Weaviate {shown(INDEX_DROP)} or later (server "
                    f"{shown(version)})")
        creates = d.path in INDEX_FLAGS and d.after is True
        if (creates or d.path == "tokenization") and version < INDEX_UPSERT:
            what = "creating a property index" if creates else "changing a tokenization"
            return f"{what} needs Weaviate {shown(INDEX_UPSERT)} or later (server {shown(version)})"
        if creates and d.path == "indexSearchable" and single not in TEXT:
            return "only a text property can get a searchable index"
        if creates and d.path == "indexFilterable" and (single in _NO_FILTERABLE or not single[:1].islower()):
            return f"a {single or 'cross-reference'} property cannot get a filterable index in place"
        if creates and d.path == "indexRangeFilters" and single not in _NUMERIC:
            return "only an int, number or date property can get a range index"
        if d.path == "tokenization" and not (after.get("indexSearchable") or after.get("indexFilterable")):
            return "Weaviate changes a tokenization only by rebuilding a searchable or filterable index of it"
    return None


def index_changes(diffs: Sequence[FieldDiff], live: Mapping[str, JSON]) -> list[tuple[str, str, str | None]]:
    """The index calls for a property's index/tokenization ``diffs``, in order: ``(method, index,
    tokenization)``; ``DELETE`` drops an index, ``PUT`` creates one or changes the tokenization."""
    changed = {d.path: d for d in diffs if d.path in INDEX_FLAGS or d.path == "tokenization"}
    after = _after(live, list(changed.values()))
    calls: list[tuple[str, str, str | None]] = []
    for flag, index in INDEX_FLAGS.items():
        if flag in changed and changed[flag].after is False:
            calls.append(("DELETE", index, None))
    tokenization = after.get("tokenization")
    token = str(tokenization) if isinstance(tokenization, str) else None
    if "tokenization" in changed:
        # a searchable index that stays rebuilds both text indexes; else the filterable one alone
        if live.get("indexSearchable") and after.get("indexSearchable"):
            calls.append(("PUT", "searchable", token))
        elif live.get("indexFilterable") and after.get("indexFilterable"):
            calls.append(("PUT", "filterable", token))
    for flag, index in INDEX_FLAGS.items():
        if flag in changed and changed[flag].after is True:
            calls.append(("PUT", index, token if index == "searchable" else None))
    return calls
