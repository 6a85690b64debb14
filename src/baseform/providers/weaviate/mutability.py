"""Which differences Weaviate can apply in place, per server version (reference §3.2, §3.3).

Everything else forces a replace of the whole class: the server has no call to change a property,
to delete one or to rename anything, so a property difference other than its description (its text
analyzer included) drops and recreates its class (the core does that from the ``replaces_parent``
rule of properties). In place, besides the table of §3.2: ``objectTtlConfig``, the stopword presets
and the tokenizer user dictionaries of ``invertedIndexConfig`` (a changed dictionary is stored; the
server loads it when it opens the class's index). Reasons start with the dotted path they blame (the
core marks that field as forcing the replacement). Pure.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from baseform.engine.change import ABSENT, FieldDiff
from baseform.providers.weaviate.defaults import Version
from baseform.types import JSON

__all__ = ["NAMED_VECTOR_ADD", "PROPERTY_DESCRIPTION", "class_reasons", "property_reasons"]

NAMED_VECTOR_ADD: Version = (1, 31, 0)
PROPERTY_DESCRIPTION: Version = (1, 30, 0)

_HNSW_FIXED = frozenset({"efConstruction", "maxConnections", "cleanupIntervalSeconds", "distance", "skip",
                         "multivector.enabled", "multivector.muvera.enabled", "rq.bits"})
_FLAT_FIXED = frozenset({"distance", "pq.enabled", "pq.cache", "bq.enabled", "rq.enabled", "rq.bits"})
_QUANTIZERS = ("pq", "bq", "sq", "rq")
_INVERTED_FIXED = frozenset({"indexTimestamps", "indexNullState", "indexPropertyLength"})
_IN_PLACE_MODULES = ("generative-", "reranker-")


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
    fixed = _HNSW_FIXED if index_type == "hnsw" else _FLAT_FIXED
    if sub in fixed:
        return f"{index_type} {sub} is immutable"
    if head in _QUANTIZERS and rest == "enabled" and d.before is True:
        return "compression cannot be switched off once enabled"
    return None


def class_reasons(diffs: Sequence[FieldDiff], live_raw: Mapping[str, JSON], version: Version) -> list[str]:
    """Reasons the class-level ``diffs`` need the class replaced ([] = one PUT applies them)."""
    reasons: list[str] = []
    legacy = bool(live_raw.get("vectorIndexType") or live_raw.get("vectorizer"))
    for d in diffs:
        parts = d.path.split(".")
        top, sub = parts[0], ".".join(parts[1:])
        why: str | None = None
        if top in ("vectorizer", "vectorIndexType", "shardingConfig"):
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
        elif top == "replicationConfig" and sub == "factor":
            why = "the replication factor cannot be planned in place (it needs replica movement)"
        elif top == "multiTenancyConfig" and sub == "enabled":
            why = "multi-tenancy cannot be switched on or off for an existing class"
        elif top == "moduleConfig":
            module = parts[1] if len(parts) > 1 else ""
            # a module the class did not have yet may be added; existing ones only for these kinds
            if len(parts) <= 2 and d.before is ABSENT:
                continue
            if not module.startswith(_IN_PLACE_MODULES):
                why = (f"the settings of module {module or '(all)'} are immutable (only generative-* and "
                       "reranker-* settings can change)")
        if why:
            reasons.append(_reason(d, why))
    return reasons


def _vector_problem(parts: Sequence[str], d: FieldDiff, live_raw: Mapping[str, JSON], version: Version,
                    legacy: bool) -> str | None:
    name = parts[0] if parts else ""
    if len(parts) == 1:
        if d.after is ABSENT:
            return f"named vector {name!r} cannot be removed"
        if d.before is not ABSENT:
            return f"named vector {name!r} cannot change"
        if version < NAMED_VECTOR_ADD:
            return "adding a named vector to an existing class needs Weaviate 1.31 or later"
        if name == "default" and legacy:
            return "a vector named 'default' cannot be added to a class with a class-level vector index"
        return None
    if parts[1] == "vectorIndexConfig" and len(parts) > 2:
        entries = live_raw.get("vectorConfig") or {}
        entry = entries.get(name) if isinstance(entries, dict) else None
        index_type = str((entry or {}).get("vectorIndexType") or "hnsw")
        return _index_problem(index_type, ".".join(parts[2:]), d)
    return f"{'.'.join(parts[1:])} of named vector {name!r} is immutable"


def property_reasons(diffs: Sequence[FieldDiff], version: Version) -> list[str]:
    """Reasons a property's ``diffs`` cannot be made in place (they then replace its class, by the
    ``replaces_parent`` rule): anything but a description, which needs 1.30+."""
    reasons: list[str] = []
    for d in diffs:
        if d.path == "description" and version >= PROPERTY_DESCRIPTION:
            continue
        why = ("property descriptions can change in place only on Weaviate 1.30 or later"
               if d.path == "description" else "Weaviate cannot change a property once created")
        reasons.append(_reason(d, why))
    return reasons
