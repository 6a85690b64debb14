"""Plan-time checks of a manifest against the connected server: its version, modules and classes. Pure.

Only the server can tell these: data types and vector-index settings its version lacks (a setting
the server silently drops would otherwise differ after every apply), vectorizer modules it has not
enabled, and cross-references to classes that are neither declared nor live.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from baseform.engine.resource import DesiredResource, LiveState
from baseform.errors import PlanError
from baseform.providers.weaviate.datatypes import INTRODUCED, reference_targets
from baseform.providers.weaviate.defaults import Version, parse_version, vector_index_defaults
from baseform.providers.weaviate.names import class_name
from baseform.types import JSON, JSONObject

__all__ = ["check_server_support"]


def _types(value: JSONObject) -> Iterable[str]:
    yield from value.get("dataType") or []
    for nested in value.get("nestedProperties") or []:
        yield from _types(nested)


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
            for module in sorted(_vectorizers(d.value) - modules):
                problems.append((d, f"vectorizer module {module!r} is not enabled on this server (enabled: "
                                    f"{', '.join(sorted(modules)) or 'none'})"))
        if d.address.kind != "properties":
            continue
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


