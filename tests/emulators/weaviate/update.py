"""PUT /v1/schema/{className}: whole-class replacement with the server's mutability checks.

Follows ``UpdateClassInternal`` / ``ParseClassUpdate`` (usecases/schema/{class.go,parser.go}) in
order, and the mutable-vs-immutable table of ``/work/shared/reference/weaviate.md`` §3.
"""

from __future__ import annotations

import copy
from typing import Any

from .defaults import JsonDict, Version
from .schema import (
    BUILTIN_STOPWORD_PRESETS,
    ERR_PROPERTIES_UPDATED,
    Context,
    SchemaError,
    finish_mt,
    finish_property,
    finish_replication,
    finish_ttl,
    has_legacy_vector,
    mt_enabled,
    normalize_class,
    parse_class,
    set_class_defaults,
    validate_inverted,
    validate_mt,
    validate_ttl,
    validate_vector_settings,
)

# Applied from the body at RAFT apply (cluster/schema/manager.go UpdateClass); shardingConfig,
# class, vectorizer and vectorIndexType are never taken from the body.
OVERWRITTEN = (
    "vectorIndexConfig",
    "invertedIndexConfig",
    "vectorConfig",
    "replicationConfig",
    "multiTenancyConfig",
    "objectTtlConfig",
    "description",
)


def update_class(stored: JsonDict, body: Any, ctx: Context) -> JsonDict:
    """Return the class that replaces ``stored`` after a PUT with ``body``, or raise SchemaError."""
    v = ctx.version
    upd = normalize_class(body, ctx)
    upd.setdefault("class", "")
    # No name re-casing on update: the body must carry the stored names exactly.
    set_class_defaults(upd, ctx)
    validate_ttl(upd, is_update=True)
    parse_class(upd, ctx)
    validate_vector_settings(upd, ctx)
    if mt_enabled(upd) != mt_enabled(stored):
        raise SchemaError(
            "disabling multi-tenancy for an existing class is not supported"
            if mt_enabled(stored)
            else "enabling multi-tenancy for an existing class is not supported"
        )
    validate_mt(upd)
    if upd["class"] != stored["class"]:
        raise SchemaError(
            f'class name is immutable: attempted change from "{stored["class"]}" to "{upd["class"]}"'
        )
    module_config = _merge_module_config(stored, upd)
    _check_named_vectors(stored, upd, v)
    for field, label in (("vectorizer", "vectorizer"), ("vectorIndexType", "vector index type")):
        old, new = stored.get(field, ""), upd.get(field, "")
        if old != new:
            raise SchemaError(f'{label} is immutable: attempted change from "{old}" to "{new}"')
    if "vectorIndexConfig" in stored:
        try:
            _check_index_update(
                stored["vectorIndexType"], stored["vectorIndexConfig"], upd["vectorIndexConfig"], v
            )
        except SchemaError as e:
            raise SchemaError(f"validate vector index config: {e.message}") from None
    for name, cfg in (stored.get("vectorConfig") or {}).items():
        try:
            _check_index_update(
                cfg["vectorIndexType"],
                cfg["vectorIndexConfig"],
                upd["vectorConfig"][name]["vectorIndexConfig"],
                v,
            )
        except SchemaError as e:
            raise SchemaError(f'invalid update for vector "{name}": {e.message}') from None
    if not mt_enabled(stored):
        _check_sharding(stored["shardingConfig"], upd["shardingConfig"])
    properties = _check_properties(stored, upd, v)
    _check_inverted(stored["invertedIndexConfig"], upd["invertedIndexConfig"], v)
    _check_presets_still_used(properties, upd["invertedIndexConfig"].get("stopwordPresets") or {})

    new = copy.deepcopy(stored)
    finish_replication(upd, v, new_class=False)
    finish_mt(upd, v)
    finish_ttl(upd)
    for key in OVERWRITTEN:
        if key in upd:
            new[key] = upd[key]
        else:
            new.pop(key, None)
    _keep_server_managed(stored, new)
    new["properties"] = properties
    if module_config is not None:
        new["moduleConfig"] = module_config
    return new


def _merge_module_config(stored: JsonDict, upd: JsonDict) -> JsonDict | None:
    """``validateModuleConfigsParityAndImmutables``: only generative/reranker entries may change.

    Returns the merged class ``moduleConfig`` to store, or None when the body leaves it untouched.
    """
    new = upd.get("moduleConfig")
    old = stored.get("moduleConfig") or {}
    if new is None or new == old:
        return None
    if not isinstance(new, dict):
        raise SchemaError(f"module config for {new} is not a map, got {new}")
    kinds = {"generative": False, "reranker": False}
    for module, cfg in new.items():
        kind = next((k for k in kinds if module.startswith(k + "-")), None)
        if kind is not None:
            if kinds[kind]:
                raise SchemaError(f"updated moduleconfig has multiple {kind} modules: {new}")
            kinds[kind] = True
        elif module in old and old[module] != cfg:
            raise SchemaError(f"can only update generative and reranker module configs. Got: {module}")
    merged = {m: c for m, c in old.items() if not any(kinds[k] and m.startswith(k + "-") for k in kinds)}
    merged.update(copy.deepcopy(new))
    return merged


def _check_named_vectors(stored: JsonDict, upd: JsonDict, v: Version) -> None:
    new_vectors = upd.get("vectorConfig") or {}
    old_vectors = stored.get("vectorConfig") or {}
    if has_legacy_vector(stored) and "default" in new_vectors:
        raise SchemaError(
            "vector named default cannot be created when collection level vector index is configured"
        )
    for name, old in old_vectors.items():
        if name not in new_vectors:
            raise SchemaError(f'missing config for vector "{name}"')
        new = new_vectors[name]
        if old["vectorIndexType"] != new["vectorIndexType"]:
            raise SchemaError(
                f'vector index type of vector "{name}" is immutable: attempted change from '
                f'"{old["vectorIndexType"]}" to "{new["vectorIndexType"]}"'
            )
        old_module, new_module = next(iter(old["vectorizer"])), next(iter(new["vectorizer"]))
        if old_module != new_module:
            raise SchemaError(
                f'vectorizer of vector "{name}" is immutable: attempted change from '
                f'"{old_module}" to "{new_module}"'
            )
        if (old["vectorizer"][old_module] or {}) != (new["vectorizer"][new_module] or {}):
            raise SchemaError(
                f'vectorizer config of vector "{name}" is immutable for class {stored["class"]}'
            )
    added = [name for name in new_vectors if name not in old_vectors]
    # Adding named vectors on update shipped in 1.31 (1.30 only behind an env flag, not emulated).
    if added and v < (1, 31, 0):
        raise SchemaError(f'additional config for vector "{added[0]}"')


def _immutable(name: str, old: Any, new: Any) -> None:
    if old != new:
        raise SchemaError(f'{name} is immutable: attempted change from "{_fmt(old)}" to "{_fmt(new)}"')


def _fmt(value: Any) -> str:
    """Go's ``%v``: booleans are lower-case."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _check_index_update(index_type: str, old: JsonDict, new: JsonDict, v: Version) -> None:
    """Immutable vector index parameters per index type (reference §3.2)."""
    if index_type == "hnsw":
        for key in ("efConstruction", "maxConnections", "cleanupIntervalSeconds", "distance"):
            _immutable(key, old.get(key), new.get(key))
        if "multivector" in old:
            _immutable("multivector enabled", old["multivector"]["enabled"], new["multivector"]["enabled"])
            _immutable(
                "muvera enabled",
                old["multivector"]["muvera"]["enabled"],
                new["multivector"]["muvera"]["enabled"],
            )
        if "rq" in old and old["rq"]["enabled"] and new["rq"]["enabled"]:
            _immutable("rq bits", old["rq"]["bits"], new["rq"]["bits"])
    elif index_type == "flat":
        _immutable("distance", old.get("distance"), new.get("distance"))
        for q, key in (
            ("pq", "enabled"),
            ("pq", "cache"),
            ("bq", "enabled"),
            ("rq", "enabled"),
            ("rq", "bits"),
        ):
            if q in old:
                _immutable(f"{q}.{key}", old[q].get(key), new[q].get(key))
    elif index_type == "dynamic":
        _immutable("distance", old.get("distance"), new.get("distance"))
        _check_index_update("hnsw", old["hnsw"], new["hnsw"], v)
        _check_index_update("flat", old["flat"], new["flat"], v)


def _check_sharding(old: JsonDict, new: JsonDict) -> None:
    if old["desiredCount"] != new["desiredCount"]:
        raise SchemaError(
            "validate sharding config: re-sharding not supported yet: shard count is immutable: "
            f'attempted change from "{old["desiredCount"]}" to "{new["desiredCount"]}"'
        )
    if old["virtualPerPhysical"] != new["virtualPerPhysical"]:
        raise SchemaError(
            "validate sharding config: virtual shards per physical is immutable: attempted change "
            f'from "{old["virtualPerPhysical"]}" to "{new["virtualPerPhysical"]}"'
        )


def _without_description(prop: JsonDict) -> JsonDict:
    out = {k: v for k, v in prop.items() if k != "description"}
    if "nestedProperties" in out:
        out["nestedProperties"] = [_without_description(n) for n in out["nestedProperties"]]
    return out


def _check_properties(stored: JsonDict, upd: JsonDict, v: Version) -> list[JsonDict]:
    """Properties must be unchanged except descriptions (1.30+); returns the list to store."""
    old_props = stored.get("properties") or []
    new_props = [finish_property(p) for p in upd.get("properties") or []]
    if v < (1, 30, 0):
        # Before 1.30 the whole slice was compared with reflect.DeepEqual (order and descriptions too).
        if old_props != new_props:
            raise SchemaError(
                "properties cannot be updated through updating the class. Use the add property "
                'feature (e.g. "POST /v1/schema/{className}/properties") to add additional '
                "properties"
            )
        return old_props
    if len(old_props) != len(new_props):
        raise SchemaError(ERR_PROPERTIES_UPDATED)
    old_sorted = sorted(old_props, key=lambda p: str(p.get("name")))
    new_sorted = sorted(new_props, key=lambda p: str(p.get("name")))
    for old, new in zip(old_sorted, new_sorted, strict=True):
        old_mc, new_mc = old.get("moduleConfig") or {}, new.get("moduleConfig") or {}
        for module, cfg in old_mc.items():
            if module not in new_mc:
                raise SchemaError(f'property "{old["name"]}": module "{module}" configuration was removed')
            if new_mc[module] != cfg:
                raise SchemaError(
                    f'property "{old["name"]}": module "{module}" configuration cannot be updated'
                )
        strip = ("moduleConfig",)
        if {k: x for k, x in _without_description(old).items() if k not in strip} != {
            k: x for k, x in _without_description(new).items() if k not in strip
        }:
            raise SchemaError(f'property "{old["name"]}": {ERR_PROPERTIES_UPDATED}')
    # The server sorts both lists by name in place before storing, so GET order can change.
    return new_sorted


def _index_timestamps_immutable(v: Version) -> bool:
    # PR #10035: v1.35.0, backported to the v1.32.24 and v1.33.11 lines (reference §3.2).
    return v >= (1, 35, 0) or (v[:2] == (1, 32) and v[2] >= 24) or (v[:2] == (1, 33) and v[2] >= 11)


def _check_inverted(old: JsonDict, new: JsonDict, v: Version) -> None:
    def flag(cfg: JsonDict, key: str) -> bool:
        return bool(cfg.get(key, False))

    if new.get("cleanupIntervalSeconds", 0) < 0:
        raise SchemaError("inverted index config: cleanup interval seconds must be > 0")
    try:
        validate_inverted(new)
    except SchemaError as e:
        raise SchemaError(f"inverted index config: {e.message}") from None
    for key, old_text in (
        ("indexPropertyLength", "IndexPropertyLength"),
        ("indexNullState", "IndexNullState"),
    ):
        if flag(old, key) != flag(new, key):
            if v >= (1, 35, 0):
                # Newer wording introduced with the indexTimestamps change (reference §3.2).
                raise SchemaError(
                    f'inverted index config: "{key}" setting is immutable. Value changed from '
                    f'"{_fmt(flag(old, key))}" to "{_fmt(flag(new, key))}"'
                )
            raise SchemaError(f"inverted index config: {old_text} cannot be changed when updating a schema")
    if _index_timestamps_immutable(v) and flag(old, "indexTimestamps") != flag(new, "indexTimestamps"):
        raise SchemaError(
            'inverted index config: "indexTimestamp" setting is immutable. Value changed from '
            f'"{_fmt(flag(old, "indexTimestamps"))}" to "{_fmt(flag(new, "indexTimestamps"))}"'
        )


def _check_presets_still_used(properties: list[JsonDict], presets: JsonDict) -> None:
    """``validateStopwordPresetsStillReferenced``: a user preset a property (or nested property) still
    names in ``textAnalyzer.stopwordPreset`` cannot be removed."""

    def check(name: str, prop: JsonDict) -> None:
        preset = (prop.get("textAnalyzer") or {}).get("stopwordPreset") or ""
        if preset and preset not in BUILTIN_STOPWORD_PRESETS and preset not in presets:
            raise SchemaError(
                f'invertedIndexConfig.stopwordPresets: cannot remove preset "{preset}" because it is still '
                f'used by property "{name}"'
            )
        for nested in prop.get("nestedProperties") or []:
            check(f"{name}.{nested.get('name')}", nested)

    for prop in properties:
        check(str(prop.get("name")), prop)


def _keep_server_managed(stored: JsonDict, new: JsonDict) -> None:
    """``skip/trackDefaultQuantization`` are force-copied from the stored config on update."""
    pairs = [(stored.get("vectorIndexConfig"), new.get("vectorIndexConfig"))]
    for name, cfg in (stored.get("vectorConfig") or {}).items():
        pairs.append(
            (
                cfg.get("vectorIndexConfig"),
                (new.get("vectorConfig") or {}).get(name, {}).get("vectorIndexConfig"),
            )
        )
    for old_cfg, new_cfg in pairs:
        if isinstance(old_cfg, dict) and isinstance(new_cfg, dict):
            for key in ("skipDefaultQuantization", "trackDefaultQuantization"):
                if key in old_cfg:
                    new_cfg[key] = old_cfg[key]
