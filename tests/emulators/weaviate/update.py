"""PUT /v1/schema/{className}: whole-class replacement with the server's mutability checks.

Two stages, as on the server. ``UpdateClassInternal`` (usecases/schema/class.go) defaults and
parses the body and checks multi-tenancy, the replication factor and a few immutable fields; its
errors reach the client as they are. The RAFT apply then runs ``ParseClassUpdate``
(usecases/schema/parser.go, called from cluster/schema/manager.go ``UpdateClass``), whose errors the
apply wraps as ``updating schema: TYPE_UPDATE_CLASS: bad request :parse class update: <error>``.
Each rule and its version range is a row of FIDELITY.md.
"""

from __future__ import annotations

import copy
from typing import Any

from .defaults import JsonDict, Version
from .modules import module_kind
from .schema import (
    BUILTIN_STOPWORD_PRESETS,
    ERR_PROPERTIES_UPDATED,
    Context,
    SchemaError,
    finish_mt,
    finish_property,
    finish_replication,
    finish_ttl,
    go_value,
    mt_enabled,
    normalize_class,
    parse_class,
    set_class_defaults,
    validate_inverted,
    validate_mt,
    validate_ttl,
)
from .vectors import has_legacy_vector, is_dropped, reject_none_update, validate_vector_settings

RAFT_PREFIX = "updating schema: TYPE_UPDATE_CLASS: bad request :parse class update: "

# Applied from the body at RAFT apply (cluster/schema/manager.go UpdateClass); shardingConfig,
# class, vectorizer and vectorIndexType are never taken from the body, moduleConfig is merged.
OVERWRITTEN = (
    "vectorIndexConfig",
    "invertedIndexConfig",
    "vectorConfig",
    "replicationConfig",
    "multiTenancyConfig",
    "objectTtlConfig",
    "description",
)


def update_class(stored: JsonDict, body: Any, ctx: Context,
                 replicas: dict[str, list[str]]) -> tuple[JsonDict, dict[str, list[str]]]:
    """The class that replaces ``stored`` after a PUT with ``body`` and the shards' replica nodes after
    it (``replicas``: shard -> nodes holding it), or SchemaError."""
    v = ctx.version
    upd = normalize_class(body, ctx)
    upd.setdefault("class", "")
    # UpdateClassInternal: no name re-casing, the body must carry the stored names exactly.
    set_class_defaults(upd, ctx)
    validate_ttl(upd, is_update=True)
    parse_class(upd, ctx)
    if "moduleConfig" in upd and not isinstance(upd["moduleConfig"], dict):
        raise SchemaError(f"parse module config: module config is not a map, got {go_value(upd['moduleConfig'])}")
    reject_none_update(stored, upd, ctx)
    validate_vector_settings(upd, ctx, raw=False)
    _check_mt(stored, upd)
    replicas = _check_replication(stored, upd, ctx, replicas)
    _immutable_fields(stored, upd, v)
    try:
        module_config = _parity_and_immutables(stored, upd, ctx)
    except SchemaError as e:
        raise SchemaError(RAFT_PREFIX + e.message) from None
    properties = sorted((finish_property(p) for p in upd.get("properties") or []), key=lambda p: str(p.get("name")))
    if v < (1, 30, 0):
        properties = stored.get("properties") or []
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
    return new, replicas


def _check_mt(stored: JsonDict, upd: JsonDict) -> None:
    """``validateUpdatingMT``."""
    if mt_enabled(upd) != mt_enabled(stored):
        raise SchemaError(
            "disabling multi-tenancy for an existing class is not supported"
            if mt_enabled(stored)
            else "enabling multi-tenancy for an existing class is not supported"
        )
    validate_mt(upd)


def _check_replication(stored: JsonDict, upd: JsonDict, ctx: Context,
                       replicas: dict[str, list[str]]) -> dict[str, list[str]]:
    """A replication factor change. 1.32-1.34 scale out at once (``scaler.Scale``: new replicas on the
    cluster's other nodes) and cannot scale in; from 1.35 a rise needs every shard to hold that many
    replicas already (placed by replica movement) and a decrease is accepted."""
    before, after = stored["replicationConfig"]["factor"], upd["replicationConfig"]["factor"]
    name = stored["class"]
    if ctx.version < (1, 35, 0):
        if before == after:
            return replicas
        if after < before:
            raise SchemaError(f'scale "{name}" from {before} replicas to {after}: scaling in not supported yet')
        nodes = node_names(ctx.settings.nodes)
        if after > len(nodes):
            raise SchemaError(f'scale "{name}" from {before} replicas to {after}: not enough storage replicas: '
                              f"found {len(nodes)} want {after}")
        return {shard: (held + [n for n in nodes if n not in held])[:after] for shard, held in replicas.items()}
    if before < after:
        for shard, held in replicas.items():
            if len(held) < after:
                raise SchemaError(f'not enough replicas in shard "{shard}" to increase replication factor to '
                                  f'{after} for class "{name}"')
    return replicas


def node_names(count: int) -> list[str]:
    """The emulated cluster's node names."""
    return [f"node{i + 1}" for i in range(count)]


def _immutable_fields(stored: JsonDict, upd: JsonDict, v: Version) -> None:
    """``validateImmutableFields``: the class name, named vectors' vectorizer settings and, from the
    versions that check it here, the inverted index flags."""
    if upd["class"] != stored["class"]:
        raise SchemaError(
            f'class name is immutable: attempted change from "{stored["class"]}" to "{upd["class"]}"'
        )
    for name, new in (upd.get("vectorConfig") or {}).items():
        old = (stored.get("vectorConfig") or {}).get(name)
        if old is None or is_dropped(old) or is_dropped(new):
            continue
        if old.get("vectorizer") != new.get("vectorizer"):
            suffix = f" for class {upd['class']}" if _names_class_in_vectorizer_error(v) else ""
            raise SchemaError(f'vectorizer config of vector "{name}" is immutable{suffix}')
    if _index_settings_checked_early(v):
        old_cfg, new_cfg = stored["invertedIndexConfig"], upd["invertedIndexConfig"]
        for key, label in (("indexTimestamps", "indexTimestamp"), ("indexNullState", "indexNullState"),
                           ("indexPropertyLength", "indexPropertyLength")):
            before, after = bool(old_cfg.get(key)), bool(new_cfg.get(key))
            if before != after:
                raise SchemaError(f'"{label}" setting is immutable. Value changed from "{_fmt(before)}" to '
                                  f'"{_fmt(after)}"')


def _index_settings_checked_early(v: Version) -> bool:
    # PR #10035: v1.35.0, backported to v1.32.24, v1.33.11 and v1.34.6.
    backports = {(1, 32): 24, (1, 33): 11, (1, 34): 6}
    return v >= (1, 35, 0) or (v[:2] in backports and v[2] >= backports[v[:2]])


def _names_class_in_vectorizer_error(v: Version) -> bool:
    # "... is immutable for class C": 1.36.0, backported to 1.33.12, 1.34.8 and 1.35.3
    backports = {(1, 33): 12, (1, 34): 8, (1, 35): 3}
    return v >= (1, 36, 0) or (v[:2] in backports and v[2] >= backports[v[:2]])


def _parity_and_immutables(stored: JsonDict, upd: JsonDict, ctx: Context) -> JsonDict | None:
    """``ParseClassUpdate`` after the re-parse; returns the merged ``moduleConfig`` (None: unchanged)."""
    v = ctx.version
    module_config = _merge_module_config(stored, upd, ctx)
    _check_named_vectors(stored, upd, v)
    for field, label in (("vectorizer", "vectorizer"), ("vectorIndexType", "vector index type")):
        old, new = stored.get(field, ""), upd.get(field, "")
        if old != new:
            raise SchemaError(f'{label} is immutable: attempted change from "{old}" to "{new}"')
    if "vectorIndexConfig" in stored:
        try:
            _check_index_update(stored["vectorIndexType"], stored["vectorIndexConfig"], upd["vectorIndexConfig"])
        except SchemaError as e:
            raise SchemaError(f"validate vector index config: {e.message}") from None
    for name, cfg in (stored.get("vectorConfig") or {}).items():
        new = (upd.get("vectorConfig") or {}).get(name)
        if is_dropped(cfg) or new is None or is_dropped(new):
            continue
        try:
            _check_index_update(cfg["vectorIndexType"], cfg["vectorIndexConfig"], new["vectorIndexConfig"])
        except SchemaError as e:
            raise SchemaError(f'invalid update for vector "{name}": {e.message}') from None
    if not mt_enabled(stored):
        _check_sharding(stored["shardingConfig"], upd["shardingConfig"])
    _check_properties(stored, upd, v)
    _check_inverted(stored["invertedIndexConfig"], upd["invertedIndexConfig"], v)
    _check_presets_still_used(stored.get("properties") or [],
                              upd["invertedIndexConfig"].get("stopwordPresets") or {})
    return module_config


def _merge_module_config(stored: JsonDict, upd: JsonDict, ctx: Context) -> JsonDict | None:
    """``validateModuleConfigsParityAndImmutables``: modules may be added; a generative or reranker
    module replaces the class's current one (at most one of each per request); other modules'
    settings cannot change. The stored map is merged, never replaced, so nothing is removed."""
    new = upd.get("moduleConfig")
    old = stored.get("moduleConfig")
    if new is None or new == old:
        return None
    found = {"generative": False, "reranker": False}
    for module in new:
        kind = module_kind(module, ctx.modules)
        if kind in found:
            if found[kind]:
                raise SchemaError(f"updated moduleconfig has multiple {kind} modules: {go_value(new)}")
            found[kind] = True
            continue
        if not isinstance(old, dict) or module not in old or old[module] == new[module]:
            continue
        suffix = f" for class: {upd['class']}" if ctx.version >= (1, 36, 0) else ""
        raise SchemaError(f"can only update generative and reranker module configs. Got: {module}{suffix}")
    if not isinstance(old, dict):
        return copy.deepcopy(new)
    merged = {m: c for m, c in old.items() if not found.get(module_kind(m, ctx.modules) or "", False)}
    merged.update(copy.deepcopy(new))
    return merged


def _check_named_vectors(stored: JsonDict, upd: JsonDict, v: Version) -> None:
    """``validateNamedVectorConfigsParityAndImmutables`` (adding vectors: 1.31+)."""
    new_vectors = upd.get("vectorConfig") or {}
    old_vectors = stored.get("vectorConfig") or {}
    if has_legacy_vector(stored) and "default" in new_vectors:
        raise SchemaError(
            "vector named default cannot be created when collection level vector index is configured"
        )
    for name, old in old_vectors.items():
        if name not in new_vectors:
            if is_dropped(old):
                continue
            raise SchemaError(f'missing config for vector "{name}"')
        new = new_vectors[name]
        if is_dropped(old):
            if not is_dropped(new):
                raise SchemaError(f'vector "{name}": cannot re-create a dropped vector index; the index was removed '
                                  "and cannot be restored through a class update")
            continue
        if is_dropped(new):
            continue
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


def _check_index_update(index_type: str, old: JsonDict, new: JsonDict) -> None:
    """``ValidateUserConfigUpdate`` of adapters/repos/db/vector/{hnsw,flat,dynamic,hfresh}."""
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
        _immutable("pq.cache", old["pq"].get("cache"), new["pq"].get("cache"))
        for q in ("pq", "bq", "rq"):
            if q in old:
                _immutable(q, old[q].get("enabled"), new[q].get("enabled"))
        if "rq" in old:
            _immutable("rq.bits", old["rq"].get("bits"), new["rq"].get("bits"))
    elif index_type == "dynamic":
        _immutable("distance", old.get("distance"), new.get("distance"))
        _check_index_update("flat", old["flat"], new["flat"])
        _check_index_update("hnsw", old["hnsw"], new["hnsw"])
    elif index_type == "hfresh":
        _immutable("distance", old.get("distance"), new.get("distance"))
        _immutable("replicas", old.get("replicas"), new.get("replicas"))


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


def _check_properties(stored: JsonDict, upd: JsonDict, v: Version) -> None:
    """Properties must be unchanged except descriptions (1.30+)."""
    old_props = stored.get("properties") or []
    new_props = [finish_property(copy.deepcopy(p)) for p in upd.get("properties") or []]
    if v < (1, 30, 0):
        # Before 1.30 the whole slice was compared with reflect.DeepEqual (order and descriptions too).
        if old_props != new_props:
            raise SchemaError(
                "properties cannot be updated through updating the class. Use the add property "
                'feature (e.g. "POST /v1/schema/{className}/properties") to add additional '
                "properties"
            )
        return
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


def _check_inverted(old: JsonDict, new: JsonDict, v: Version) -> None:
    """``inverted.ValidateUserConfigUpdate`` (adapters/repos/db/inverted/config_update.go)."""
    def flag(cfg: JsonDict, key: str) -> bool:
        return bool(cfg.get(key, False))

    if new.get("cleanupIntervalSeconds", 0) < 0:
        raise SchemaError("inverted index config: cleanup interval seconds must be > 0")
    try:
        validate_inverted(new)
    except SchemaError as e:
        raise SchemaError(f"inverted index config: {e.message}") from None
    for key, text in (("indexPropertyLength", "IndexPropertyLength"), ("indexNullState", "IndexNullState")):
        if flag(old, key) != flag(new, key):
            raise SchemaError(f"inverted index config: {text} cannot be changed when updating a schema")


def _check_presets_still_used(properties: list[JsonDict], presets: JsonDict) -> None:
    """``validateStopwordPresetsStillReferenced``: a user preset a property (or nested property) still
    names in ``textAnalyzer.stopwordPreset`` cannot be removed."""

    def check(name: str, prop: JsonDict) -> None:
        preset = (prop.get("textAnalyzer") or {}).get("stopwordPreset") or ""
        if preset and preset not in BUILTIN_STOPWORD_PRESETS and preset not in presets:
            raise SchemaError(
                f'inverted index config: invertedIndexConfig.stopwordPresets: cannot remove preset "{preset}" '
                f'because it is still used by property "{name}"'
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
