"""The one plain-JSON shape classes, properties and tenants have on both sides of a diff.

Both the manifest (after pydantic) and ``GET /v1/schema`` answers go through these functions, so
the diff sees the server's own key spelling with names re-cased, deprecated spellings migrated,
server-managed keys removed and order-free lists sorted. :func:`declared_only` then limits a live
value to the keys the manifest sets (design §3: only keys the manifest sets are compared), filling
in the keys the server leaves out of its answer when they hold their default (:data:`OMITTED`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

from baseform.providers.weaviate.datatypes import DEPRECATED
from baseform.providers.weaviate.names import class_name, property_name
from baseform.types import JSON, JSONObject

__all__ = ["CLASS_KEYS", "CREATE_ONLY", "OMITTED", "PROPERTY_KEYS", "SWITCHED_MODULES", "TTL_OFF", "TTL_TIMESTAMPS",
           "class_value", "declared_only", "project_class", "property_value", "tenant_status", "tenant_value"]

CLASS_KEYS = ("class", "description", "vectorizer", "vectorIndexType", "vectorIndexConfig", "vectorConfig",
              "invertedIndexConfig", "replicationConfig", "multiTenancyConfig", "shardingConfig", "moduleConfig",
              "objectTtlConfig")
PROPERTY_KEYS = ("name", "dataType", "description", "tokenization", "indexFilterable", "indexSearchable",
                 "indexRangeFilters", "nestedProperties", "moduleConfig", "textAnalyzer", "disableDuplicatedReferences")
NESTED_KEYS = tuple(k for k in PROPERTY_KEYS if k not in ("moduleConfig", "disableDuplicatedReferences"))
_INDEX_FLAGS = ("indexFilterable", "indexSearchable", "indexRangeFilters")

OMITTED: dict[str, JSON] = {"textAnalyzer": {}, "asciiFold": False, "asciiFoldIgnore": [], "stopwordPreset": "",
                            "disableDuplicatedReferences": True}
"""Property keys a GET leaves out when they hold these values: the text analyzer's fields are
``omitempty`` (an analyzer with none set is dropped), and ``disableDuplicatedReferences`` is only shown
once set (the API's default is true)."""
TTL_OFF: JSONObject = {"enabled": False, "defaultTtl": 0, "deleteOn": "", "filterExpiredObjects": False}
"""``objectTtlConfig`` of a class that has none (its JSON fields have no omitempty: all four show once set)."""
TTL_TIMESTAMPS = ("_creationTimeUnix", "_lastUpdateTimeUnix")
"""``deleteOn`` values naming an object's own timestamps; a TTL on them needs indexed timestamps."""

# Keys the server computes or force-copies on every write.
_SHARDING_MANAGED = ("actualCount", "actualVirtualCount", "desiredVirtualCount")
_INDEX_MANAGED = ("trackDefaultQuantization",)
CREATE_ONLY = ("skipDefaultQuantization",)
"""Vector index keys that act only when the index is created: sent then, never compared (the live
value is taken as the manifest's, see :func:`project_class`)."""
SWITCHED_MODULES = ("generative-", "reranker-")
"""Module kinds a class has at most one of; declaring one makes the class's live ones of that kind
compared (a switch shows the old module going away)."""
_INVERTED_FLAGS = ("indexTimestamps", "indexNullState", "indexPropertyLength")
# v1.26+ request names; GET answers with the legacy ones (FIDELITY P6).
_STATUS = {"HOT": "ACTIVE", "COLD": "INACTIVE", "FROZEN": "OFFLOADED"}


def _vector_index(config: JSON) -> JSON:
    if not isinstance(config, dict):
        return config
    out = {k: v for k, v in config.items() if k not in _INDEX_MANAGED}
    if isinstance(out.get("hnsw"), dict):  # the dynamic index nests a full hnsw config
        out["hnsw"] = _vector_index(out["hnsw"])
    return out


def _inverted(config: JSON, *, live: bool) -> JSON:
    if not isinstance(config, dict):
        return config
    out = {k: v for k, v in config.items() if k != "usingBlockMaxWAND"}
    if live:
        # false flags, an empty user dictionary and no presets are omitted from the server's JSON (omitempty)
        for flag in _INVERTED_FLAGS:
            out.setdefault(flag, False)
        out.setdefault("tokenizerUserDict", [])
        out.setdefault("stopwordPresets", {})
    if isinstance(out.get("stopwordPresets"), dict):
        # a preset is a set of words
        out["stopwordPresets"] = {name: sorted(words) if isinstance(words, list) else words
                                  for name, words in out["stopwordPresets"].items()}
    stopwords = out.get("stopwords")
    if isinstance(stopwords, dict):
        # the server stores an empty list as null; word order carries no meaning
        out["stopwords"] = {k: (sorted(v or []) if k in ("additions", "removals") else v)
                            for k, v in stopwords.items()}
    return out


def class_value(raw: Mapping[str, JSON], *, live: bool) -> JSONObject:
    """A class (without properties) in the diff shape. ``live`` marks a server answer. Pure."""
    out: JSONObject = {k: copy.deepcopy(raw[k]) for k in CLASS_KEYS if raw.get(k) is not None}
    out["class"] = class_name(str(out.get("class", "")))
    if out.get("moduleConfig") == {}:
        out.pop("moduleConfig")  # what some servers answer for a class without module settings
    if (out.get("multiTenancyConfig") or {}).get("enabled"):
        # tenants are the shards of a multi-tenant class; its sharding config is all zeros
        out.pop("shardingConfig", None)
    elif isinstance(out.get("shardingConfig"), dict):
        out["shardingConfig"] = {k: v for k, v in out["shardingConfig"].items() if k not in _SHARDING_MANAGED}
    if "vectorIndexConfig" in out:
        out["vectorIndexConfig"] = _vector_index(out["vectorIndexConfig"])
    if isinstance(out.get("vectorConfig"), dict):
        out["vectorConfig"] = {
            name: ({**entry, "vectorIndexConfig": _vector_index(entry["vectorIndexConfig"])}
                   if isinstance(entry, dict) and "vectorIndexConfig" in entry else entry)
            for name, entry in out["vectorConfig"].items()}
    if "invertedIndexConfig" in out:
        out["invertedIndexConfig"] = _inverted(out["invertedIndexConfig"], live=live)
    if live and isinstance(out.get("multiTenancyConfig"), dict):
        for flag in ("enabled", "autoTenantCreation", "autoTenantActivation"):
            out["multiTenancyConfig"].setdefault(flag, False)
    _object_ttl(out, live=live)
    return out


def _object_ttl(out: JSONObject, *, live: bool) -> None:
    ttl = out.get("objectTtlConfig")
    if live:
        # a class without TTL has none in its JSON; one with TTL shows all four fields
        out["objectTtlConfig"] = {**TTL_OFF, **(ttl if isinstance(ttl, dict) else {})}
        ttl = out["objectTtlConfig"]
    if not isinstance(ttl, dict):
        return
    if isinstance(ttl.get("deleteOn"), str):
        ttl["deleteOn"] = ttl["deleteOn"].strip()  # the server trims it
    if not live and ttl.get("enabled") and ttl.get("deleteOn") in TTL_TIMESTAMPS:
        # creating a class with this TTL switches indexed timestamps on; stating it makes a class
        # that lacks them differ (and be replaced: they cannot be switched on in place)
        inverted = out.setdefault("invertedIndexConfig", {})
        if isinstance(inverted, dict):
            inverted.setdefault("indexTimestamps", True)


def property_value(raw: Mapping[str, JSON], *, nested: bool = False) -> JSONObject:
    """A property (or nested property) in the diff shape. Pure.

    Applies the server's create-time rewrites so a manifest and its result compare equal: the
    first letter of a top-level name is lower-cased, and deprecated ``string``/``string[]`` become
    ``text``/``text[]`` with ``word`` tokenization turned into ``whitespace``.
    """
    keys = NESTED_KEYS if nested else PROPERTY_KEYS
    out: JSONObject = {k: copy.deepcopy(raw[k]) for k in keys if raw.get(k) is not None}
    if not nested:
        out["name"] = property_name(str(out.get("name", "")))
    data_type = out.get("dataType")
    if isinstance(data_type, list) and len(data_type) == 1 and data_type[0] in DEPRECATED:
        out["dataType"] = ["text" if data_type[0] == "string" else "text[]"]
        if out.get("tokenization") == "word":
            out["tokenization"] = "whitespace"
    inverted = raw.get("indexInverted")
    if not nested and isinstance(inverted, bool) and all(out.get(f) is None for f in _INDEX_FLAGS):
        # the server's v1.19 migration of the deprecated flag (it then drops indexInverted)
        text = out.get("dataType") in (["text"], ["text[]"])
        out.update(indexFilterable=inverted, indexSearchable=inverted and text, indexRangeFilters=False)
    analyzer = out.get("textAnalyzer")
    if isinstance(analyzer, dict) and isinstance(analyzer.get("asciiFoldIgnore"), list):
        analyzer["asciiFoldIgnore"] = sorted(analyzer["asciiFoldIgnore"])  # a set of characters
    if isinstance(out.get("nestedProperties"), list):
        # order kept (a create sends them as declared); comparisons match them by name
        out["nestedProperties"] = [property_value(n, nested=True) for n in out["nestedProperties"]]
    return out


def tenant_status(status: str | None) -> str | None:
    """The v1.26+ name of an activity status (``HOT`` -> ``ACTIVE``); other values unchanged."""
    return _STATUS.get(status, status) if status else status


def tenant_value(raw: Mapping[str, JSON]) -> JSONObject:
    """A tenant in the diff shape: ``name`` and, when known, ``activityStatus`` in v1.26+ names."""
    out: JSONObject = {"name": raw["name"]}
    status = tenant_status(raw.get("activityStatus"))
    if status:
        out["activityStatus"] = status
    return out


def declared_only(live: JSON, desired: JSON) -> JSON:
    """``live`` limited to the keys ``desired`` sets, recursively. Pure.

    A key of :data:`OMITTED` that ``desired`` sets and ``live`` lacks counts as its default. Lists of
    named objects (nested properties) are matched by name and put in ``desired``'s order; an element
    only one side has is kept whole so the difference shows. Other values are returned as they are.
    """
    if isinstance(live, dict) and isinstance(desired, dict):
        return {k: declared_only(live[k] if k in live else copy.deepcopy(OMITTED[k]), v)
                for k, v in desired.items() if k in live or k in OMITTED}
    if isinstance(live, list) and isinstance(desired, list) and _named(live) and _named(desired):
        # in the manifest's order, then the live ones it lacks: the order of nested properties is no setting
        have = {x["name"]: x for x in live}
        matched = [declared_only(have[d["name"]], d) for d in desired if d["name"] in have]
        return matched + [x for x in live if x["name"] not in {d["name"] for d in desired}]
    return live


def project_class(live: JSONObject, desired: JSONObject) -> JSONObject:
    """A live class value limited to what the manifest sets; named vectors and stopword presets are
    all kept, because those sets are authoritative (a live one the manifest lacks is a difference),
    and so are the generative/reranker modules of a kind the manifest declares (a switch of module
    shows the old one going away). Create-only index keys take the manifest's value."""
    out: JSONObject = declared_only(live, desired)
    if "vectorConfig" in desired and isinstance(live.get("vectorConfig"), dict):
        wanted = desired["vectorConfig"] if isinstance(desired["vectorConfig"], dict) else {}
        out["vectorConfig"] = {name: declared_only(entry, wanted[name]) if name in wanted else entry
                               for name, entry in live["vectorConfig"].items()}
    inverted, live_inverted = desired.get("invertedIndexConfig"), live.get("invertedIndexConfig")
    if (isinstance(inverted, dict) and "stopwordPresets" in inverted and isinstance(live_inverted, dict)
            and "stopwordPresets" in live_inverted and isinstance(out.get("invertedIndexConfig"), dict)):
        out["invertedIndexConfig"]["stopwordPresets"] = copy.deepcopy(live_inverted["stopwordPresets"])
    modules, live_modules = desired.get("moduleConfig"), live.get("moduleConfig")
    if isinstance(modules, dict) and isinstance(live_modules, dict):
        kinds = {k for k in SWITCHED_MODULES if any(m.startswith(k) for m in modules)}
        shown = out.setdefault("moduleConfig", {})
        for module, settings in live_modules.items():
            if module not in modules and module.startswith(tuple(kinds)) and isinstance(shown, dict):
                shown[module] = copy.deepcopy(settings)
    _take_create_only(out, desired)
    return out


def _take_create_only(out: JSONObject, desired: JSONObject) -> None:
    pairs = [(out.get("vectorIndexConfig"), desired.get("vectorIndexConfig"))]
    live_vectors, wanted_vectors = out.get("vectorConfig"), desired.get("vectorConfig")
    if isinstance(live_vectors, dict) and isinstance(wanted_vectors, dict):
        pairs += [((live_vectors.get(n) or {}).get("vectorIndexConfig"), (e or {}).get("vectorIndexConfig"))
                  for n, e in wanted_vectors.items() if isinstance(e, dict)]
    for have, want in pairs:
        if not isinstance(have, dict) or not isinstance(want, dict):
            continue
        for key in CREATE_ONLY:
            if key in want and key in have:  # (a server without the setting has not got it to show)
                have[key] = want[key]
        for sub in ("hnsw", "flat"):  # the dynamic index nests both
            if isinstance(have.get(sub), dict) and isinstance(want.get(sub), dict):
                for key in CREATE_ONLY:
                    if key in want[sub] and key in have[sub]:
                        have[sub][key] = want[sub][key]


def _named(items: list[JSON]) -> bool:
    return all(isinstance(x, dict) and isinstance(x.get("name"), str) for x in items)
