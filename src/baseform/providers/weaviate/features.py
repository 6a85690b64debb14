"""Plan-time checks of a manifest against the connected server: its version, modules and classes. Pure.

Only the server can tell these: data types, class and property settings and vector-index settings
its version lacks (a server drops a key it does not know without a word, so the setting would
differ after every apply), vectorizer modules it has not enabled, and cross-references to classes
that are neither declared nor live.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from baseform.engine.resource import DesiredResource, LiveState
from baseform.errors import PlanError
from baseform.providers.weaviate.datatypes import INTRODUCED, reference_targets
from baseform.providers.weaviate.defaults import Version, parse_version, vector_index_defaults
from baseform.providers.weaviate.names import class_name
from baseform.providers.weaviate.shape import TTL_TIMESTAMPS
from baseform.types import JSON, JSONObject

__all__ = ["CLASS_SETTINGS", "PROPERTY_SETTINGS", "check_server_support"]

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
        found += _unknown_keys(value["vectorIndexConfig"], vector_index_defaults(index_type, v), "vectorIndexConfig.")
    for name, entry in (value.get("vectorConfig") or {}).items():
        if isinstance(entry, dict) and "vectorIndexConfig" in entry:
            index_type = str(entry.get("vectorIndexType") or "hnsw")
            found += _unknown_keys(entry["vectorIndexConfig"], vector_index_defaults(index_type, v),
                                   f"vectorConfig.{name}.vectorIndexConfig.")
    return found


def check_server_support(desired: Sequence[DesiredResource], live: LiveState) -> None:
    """Raise one PlanError listing every declared setting this server cannot take."""
    v = parse_version(live.server_version)
    declared = {d.address.name for d in desired if d.address.kind == "classes"}
    existing = {a.name for a in live.resources if a.kind == "classes"}
    problems: list[tuple[DesiredResource, str]] = []
    modules = set(live.context.get("modules") or ())
    for d in desired:
        if d.address.kind == "classes":
            live_class = live.resources.get(d.address)
            for key in _index_problems(d.value, live_class.raw if live_class else None, v):
                problems.append((d, f"{key} is not a setting of Weaviate {live.server_version}"))
            for text in _newer_settings(d.value, CLASS_SETTINGS, v):
                problems.append((d, f"{text} (server: {live.server_version})"))
            ttl_problem = _ttl_property_problem(d.value, live_class.raw if live_class else None)
            if ttl_problem:
                problems.append((d, ttl_problem))
            for module in sorted(_vectorizers(d.value) - modules):
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


