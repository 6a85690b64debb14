"""Vector settings of a class: index types, index configs, vectorizers, multi-vectors, quantization.

Mirrors, per version, ``usecases/schema/class.go`` (``validateVectorSettings``, ``validateVectorIndexType``,
``enableQuantization``), ``usecases/schema/parser.go`` (``parseVectorIndexConfig``,
``parseTargetVectorsIndexConfig``, ``parseGivenVectorIndexConfig``) and the per-index parsers
``entities/vectorindex/{hnsw,flat,dynamic,hfresh}/config.go``. Each rule, its version range and the
file it comes from is a row of FIDELITY.md; the error texts are the server's.
"""

from __future__ import annotations

import copy
from typing import Any

from .defaults import JsonDict, Version, restricted_merge, vector_index_defaults
from .modules import is_vectorizer, module_kind
from .schema_errors import SchemaError

NONE_INDEX = "none"  # the sentinel of a dropped named vector index (1.37+)
HNSW_MIN_CONNECTIONS = 4
HNSW_MAX_CONNECTIONS = 2047
HNSW_MIN_EF_CONSTRUCTION = 4
FILTER_STRATEGIES = ("sweeping", "acorn")
DISTANCES = ("cosine", "dot", "l2-squared", "manhattan", "hamming")
QUANTIZERS = ("pq", "bq", "sq", "rq")


def has_legacy_vector(cls: JsonDict) -> bool:
    """``modelsext.ClassHasLegacyVectorIndex``: any class-level vector setting is present."""
    return bool(cls.get("vectorizer")) or bool(cls.get("vectorIndexType")) or cls.get("vectorIndexConfig") is not None


def is_dropped(cfg: Any) -> bool:
    """``modelsext.IsVectorIndexDropped`` (1.37+): a named vector whose index was dropped."""
    return isinstance(cfg, dict) and cfg.get("vectorIndexType") == NONE_INDEX


def _dropped_known(v: Version) -> bool:
    return v >= (1, 37, 0)


def named_vector_type_defaulted(v: Version) -> bool:
    """A named vector without ``vectorIndexType`` gets the default from 1.37.5 on (refused before)."""
    return v >= (1, 37, 5)


def default_index_type(settings_default: str, v: Version) -> str:
    """``DEFAULT_VECTOR_INDEX`` (read from 1.37.3 on) or hnsw."""
    return settings_default if settings_default and v >= (1, 37, 3) else "hnsw"


def validate_index_type(index_type: str, ctx: Any) -> None:
    """``validateVectorIndexType`` / ``validateVectorIndexTypeBasic``."""
    v = ctx.version
    if index_type in ("hnsw", "flat"):
        return
    if index_type == "dynamic":
        if not ctx.settings.async_indexing:
            raise SchemaError(
                "the dynamic index can only be created when async indexing is enabled" if v >= (1, 35, 0)
                else "the dynamic index can only be created under async indexing environment (ASYNC_INDEXING=true)")
        return
    if index_type == "hfresh" and v >= (1, 35, 0):
        if not ctx.settings.hfresh:
            raise SchemaError("the hfresh index is available only in experimental mode")
        return
    raise SchemaError(f'unrecognized or unsupported vectorIndexType "{index_type}"')


def validate_vectorizer(name: str, ctx: Any) -> None:
    """``validateVectorizer``: ``none`` or an enabled module with a vectorizer capability."""
    if name == "none":
        return
    kind = module_kind(name, ctx.modules)
    if kind is None:
        raise SchemaError(f'vectorizer: no module with name "{name}" present')
    if not is_vectorizer(name, ctx.modules):
        raise SchemaError(f"vectorizer: module {name!r} exists, but does not provide the Vectorizer or "
                          "ReferenceVectorizer capability")


def _vectorizer_name(cfg: Any) -> str | None:
    vec = cfg.get("vectorizer") if isinstance(cfg, dict) else None
    return next(iter(vec)) if isinstance(vec, dict) and len(vec) == 1 else None


def is_multi_vector_module(name: str | None, ctx: Any) -> bool:
    return name is not None and module_kind(name, ctx.modules) == "multivector"


def validate_vector_settings(cls: JsonDict, ctx: Any, *, raw: bool) -> None:
    """``validateVectorSettings``; ``raw`` says the index configs are still the request's maps (a
    create), so the versions that parse them here do (legacy always, named vectors from 1.37.5)."""
    v = ctx.version
    if has_legacy_vector(cls):
        validate_index_type(cls.get("vectorIndexType", ""), ctx)
        validate_vectorizer(cls.get("vectorizer", ""), ctx)
        config = cls.get("vectorIndexConfig")
        if raw and isinstance(config, dict) and config:
            try:
                parsed = parse_index_config(cls["vectorIndexType"], config, ctx,
                                            is_multi_vector_module(cls.get("vectorizer"), ctx))
            except SchemaError as e:
                raise SchemaError(f"class.VectorIndexConfig can not parse: {e.message}") from None
            if (parsed.get("multivector") or {}).get("enabled"):
                raise SchemaError("class.VectorIndexConfig multi vector type index type is only configurable "
                                  "using named vectors")
    for name, cfg in (cls.get("vectorConfig") or {}).items():
        if _dropped_known(v) and is_dropped(cfg):
            continue
        module = _vectorizer_name(cfg)
        try:
            if module is not None:
                validate_vectorizer(module, ctx)
            validate_index_type(cfg.get("vectorIndexType", "") if isinstance(cfg, dict) else "", ctx)
        except SchemaError as e:
            raise SchemaError(f'target vector "{name}": {e.message}') from None
        config = cfg.get("vectorIndexConfig")
        if raw and named_vector_type_defaulted(v) and isinstance(config, dict):
            try:
                parse_index_config(cfg["vectorIndexType"], config, ctx, is_multi_vector_module(module, ctx))
            except SchemaError as e:
                raise SchemaError(f'target vector "{name}": parse vector index config: {e.message}') from None


def validate_new_vectors(cls: JsonDict, ctx: Any) -> None:
    """``validateCanAddClass``: no class-level and named vectors together, no dropped index (1.37+)."""
    if has_legacy_vector(cls) and cls.get("vectorConfig"):
        raise SchemaError("creating a class with both a class level vector index and named vectors is forbidden")
    if _dropped_known(ctx.version):
        for name, cfg in (cls.get("vectorConfig") or {}).items():
            if is_dropped(cfg):
                raise SchemaError(f'vector "{name}": cannot create a new class with vectorIndexType "none"; '
                                  "this is an internal sentinel for dropped indexes")


def reject_none_update(stored: JsonDict, updated: JsonDict, ctx: Any) -> None:
    """``rejectVectorIndexTypeNone`` (1.39): a dropped index cannot be set or revived by a class update."""
    if ctx.version < (1, 39, 0):
        return
    before = stored.get("vectorConfig") or {}
    for name, cfg in (updated.get("vectorConfig") or {}).items():
        if is_dropped(cfg) and not is_dropped(before.get(name)):
            raise SchemaError(f'vector "{name}": vectorIndexType "none" is an internal sentinel for dropped indexes '
                              "and cannot be set through a class update; use the drop vector index API instead")
    for name, cfg in before.items():
        if is_dropped(cfg) and name in (updated.get("vectorConfig") or {}) and not is_dropped(
                updated["vectorConfig"][name]):
            raise SchemaError(f'vector "{name}": a dropped index entry cannot be revived to a live type through a '
                              "class update; the drop completes via its cleanup task — re-create the vector after "
                              "it finishes")


def parse_vector_index_configs(cls: JsonDict, ctx: Any) -> None:
    """``parseVectorIndexConfig`` of ``ParseClass``: every index config expanded and validated."""
    v = ctx.version
    try:
        if not cls.get("vectorConfig") or cls.get("vectorIndexType"):
            parsed = parse_index_config(cls.get("vectorIndexType", ""), cls.get("vectorIndexConfig"), ctx,
                                        is_multi_vector_module(cls.get("vectorizer"), ctx))
            if (parsed.get("multivector") or {}).get("enabled"):
                raise SchemaError("class.VectorIndexConfig multi vector type index type is only configurable "
                                  "using named vectors")
            cls["vectorIndexConfig"] = parsed
        for name, cfg in (cls.get("vectorConfig") or {}).items():
            if _dropped_known(v) and is_dropped(cfg):
                continue
            module = _vectorizer_name(cfg)
            multi = is_multi_vector_module(module, ctx)
            try:
                parsed = parse_index_config(cfg.get("vectorIndexType", ""), cfg.get("vectorIndexConfig"), ctx, multi)
            except SchemaError as e:
                raise SchemaError(f"parse vector config for {name}: {e.message}") from None
            if (parsed.get("multivector") or {}).get("enabled") and module != "none" and not multi:
                raise SchemaError(f'parse vector config for {name}: multi vector index configured but vectorizer: '
                                  f'"{module}" doesn\'t support multi vectors')
            cfg["vectorIndexConfig"] = parsed
    except SchemaError as e:
        raise SchemaError(f"parse vector index config: {e.message}") from None


def parse_index_config(index_type: str, given: Any, ctx: Any, multi: bool) -> JsonDict:
    """``parseGivenVectorIndexConfig``: the fully expanded config of ``index_type`` or SchemaError."""
    v = ctx.version
    if index_type == NONE_INDEX and _dropped_known(v):
        raise SchemaError('parse vector index config: "none" is not a valid vector index type; it is an internal '
                          "sentinel for dropped indexes")
    known = ("hnsw", "flat", "dynamic") + (("hfresh",) if v >= (1, 35, 0) else ())
    if index_type not in known:
        raise SchemaError(f'parse vector index config: unsupported vector index type: "{index_type}"')
    if index_type != "hnsw" and multi:
        raise SchemaError(f'parse vector index config: multi vector index is not supported for vector index type: '
                          f'"{index_type}", only supported type is hnsw')
    if given is not None and not isinstance(given, dict):
        raise SchemaError("parse vector index config: input must be a non-nil map")
    try:
        if index_type == "hfresh":
            return _parse_hfresh(given, v)
        cfg = restricted_merge(vector_index_defaults(index_type, v), given)
        if index_type == "hnsw":
            _hnsw_multivector(cfg, given, multi)
            _validate_hnsw(cfg, v)
        elif index_type == "flat":
            _validate_flat(cfg, v)
        else:
            _hnsw_multivector(cfg["hnsw"], (given or {}).get("hnsw"), multi)
            _validate_hnsw(cfg["hnsw"], v)
            _validate_flat(cfg["flat"], v)
        _check_distance(cfg.get("distance"), index_type)
    except SchemaError as e:
        raise SchemaError(f"parse vector index config: {e.message}") from None
    return cfg


def _hnsw_multivector(cfg: JsonDict, given: Any, multi: bool) -> None:
    # parseMultivectorMap: a multi-vector vectorizer forces the index on once "enabled" is given
    block = given.get("multivector") if isinstance(given, dict) else None
    if multi and isinstance(block, dict) and "enabled" in block:
        cfg["multivector"]["enabled"] = True


def _check_distance(distance: Any, index_type: str) -> None:
    # The server fails later, when it opens the shard ("unrecognized distance metric"); the emulator
    # refuses at once (FIDELITY V7).
    if distance not in DISTANCES:
        raise SchemaError(f'unrecognized distance metric "{distance}" for the {index_type} index')


def _rq_bits(v: Version) -> tuple[tuple[int, ...], str]:
    if v >= (1, 39, 0):
        return (8, 4, 1), "RQ bits must be 8, 4 or 1"
    if v >= (1, 33, 0):
        return (8, 1), "RQ bits must be 8 or 1"
    return (8,), "RQ bits must be 8"


def _validate_hnsw(cfg: JsonDict, v: Version) -> None:
    """``hnsw.UserConfig.validate``."""
    problems = []
    if cfg["maxConnections"] < HNSW_MIN_CONNECTIONS:
        problems.append(f"maxConnections must be a positive integer with a minimum of {HNSW_MIN_CONNECTIONS}")
    if cfg["maxConnections"] > HNSW_MAX_CONNECTIONS:
        problems.append(f"maxConnections must be less than {HNSW_MAX_CONNECTIONS + 1}")
    if cfg["efConstruction"] < HNSW_MIN_EF_CONSTRUCTION:
        # the server names the maxConnections minimum here (both are 4)
        problems.append(f"efConstruction must be a positive integer with a minimum of {HNSW_MIN_CONNECTIONS}")
    if "filterStrategy" in cfg and cfg["filterStrategy"] not in FILTER_STRATEGIES:
        problems.append("filterStrategy must be either 'sweeping' or 'acorn'")
    if problems:
        raise SchemaError("invalid hnsw config: " + ", ".join(problems))
    if sum(1 for q in QUANTIZERS if (cfg.get(q) or {}).get("enabled")) > 1:
        raise SchemaError("invalid hnsw config: more than a single compression methods enabled")
    pq = cfg["pq"]
    if pq["enabled"] and pq["segments"] < 0:
        raise SchemaError("pq segments must be non-negative")
    rq = cfg.get("rq")
    if isinstance(rq, dict) and rq["enabled"]:
        allowed, text = _rq_bits(v)
        if rq["bits"] not in allowed:
            raise SchemaError(text)
    muvera = (cfg.get("multivector") or {}).get("muvera") or {}
    if muvera.get("enabled") and muvera.get("ksim", 0) > 10:
        raise SchemaError("invalid hnsw config: ksim must be less than 10")


def _validate_flat(cfg: JsonDict, v: Version) -> None:
    """The flat index parser's checks (``entities/vectorindex/flat/config.go``)."""
    enabled = 0
    for q in QUANTIZERS:
        block = cfg.get(q)
        if not isinstance(block, dict):
            continue
        if block.get("cache") and not block.get("enabled"):
            raise SchemaError("not possible to use the cache without compression")
        enabled += bool(block.get("enabled"))
    rq = cfg.get("rq")
    if isinstance(rq, dict) and rq.get("enabled") and rq.get("bits") not in (1, 8):
        raise SchemaError("RQ bits must be either 1 or 8")
    if enabled > 1:
        raise SchemaError("cannot enable multiple quantization methods at the same time")
    if cfg["pq"]["enabled"]:
        raise SchemaError("PQ is not currently supported for flat indices")
    if cfg["sq"]["enabled"]:
        raise SchemaError("SQ is not currently supported for flat indices")


def _parse_hfresh(given: Any, v: Version) -> JsonDict:
    """``hfresh.ParseAndValidateConfig`` (1.36+ shape; 1.35's is only expanded)."""
    cfg = restricted_merge(vector_index_defaults("hfresh", v), {k: x for k, x in (given or {}).items() if k != "rq"})
    if v < (1, 36, 0):
        return cfg
    given = given or {}
    for q in ("pq", "sq", "bq"):
        if q in given:
            raise SchemaError(f"{q} is not supported for hfresh index (only rq-1 is supported)")
    rq = given.get("rq")
    if isinstance(rq, dict):
        if rq.get("enabled", True) is False:
            raise SchemaError("hfresh only supports rq")
        if int(rq.get("bits") or 0) > 1:
            raise SchemaError(f"rq only supports 1 bit, got {rq['bits']}")
        if isinstance(rq.get("rescoreLimit"), int) and rq["rescoreLimit"] >= 0:
            cfg["rq"]["rescoreLimit"] = rq["rescoreLimit"]
    problems = []
    if cfg["distance"] not in ("cosine", "l2-squared"):
        problems.append(f"unsupported distance type '{cfg['distance']}', HFresh only supports 'cosine' or "
                        "'l2-squared' for the distance metric")
    if cfg["maxPostingSizeKB"] < 8:
        problems.append(f"maxPostingSizeKB is '{cfg['maxPostingSizeKB']}' but must be at least 8")
    if cfg["replicas"] > 10:
        problems.append(f"replicas is '{cfg['replicas']}' but must be less than 10")
    if cfg["maxPostingSizeKB"] > 1024:
        problems.append(f"maxPostingSizeKB is '{cfg['maxPostingSizeKB']}' but must be less than 1024")
    if problems:
        raise SchemaError("invalid hfresh config: " + "\n".join(problems))
    return cfg


def apply_default_quantization(cls: JsonDict, ctx: Any) -> None:
    """``enableQuantization`` (1.33+): the ``DEFAULT_QUANTIZATION`` quantizer on every index that names
    none and does not skip it, marked ``trackDefaultQuantization``. hnsw from 1.33; flat and dynamic
    from 1.35 (1.33-1.34 looked at the class-level index type for named vectors too)."""
    v, compression = ctx.version, ctx.settings.default_quantization
    if v < (1, 33, 0):
        return
    if not cls.get("vectorConfig") or cls.get("vectorIndexType"):
        cls["vectorIndexConfig"] = _quantize(cls.get("vectorIndexType") or "hnsw", cls["vectorIndexConfig"],
                                             compression, v)
    for cfg in (cls.get("vectorConfig") or {}).values():
        if is_dropped(cfg):
            continue
        index_type = cfg["vectorIndexType"] if v >= (1, 35, 0) else (cls.get("vectorIndexType") or "hnsw")
        if index_type == cfg["vectorIndexType"]:
            cfg["vectorIndexConfig"] = _quantize(index_type, cfg["vectorIndexConfig"], compression, v)


def _quantize(index_type: str, cfg: JsonDict, compression: str, v: Version) -> JsonDict:
    cfg = copy.deepcopy(cfg)
    if index_type == "hnsw":
        return _quantize_hnsw(cfg, compression)
    if index_type == "flat" and v >= (1, 35, 0):
        return _quantize_flat(cfg, compression)
    if index_type == "dynamic" and v >= (1, 35, 0):
        cfg["hnsw"] = _quantize_hnsw(cfg["hnsw"], compression)
        cfg["flat"] = _quantize_flat(cfg["flat"], compression)
    return cfg


def _quantize_hnsw(cfg: JsonDict, compression: str) -> JsonDict:
    cfg["trackDefaultQuantization"] = False
    if any(cfg[q]["enabled"] for q in QUANTIZERS if q in cfg) or cfg.get("skipDefaultQuantization"):
        return cfg
    if compression in ("pq", "sq", "bq"):
        cfg[compression]["enabled"] = True
    elif compression.startswith("rq-"):
        bits = int(compression[3:])
        cfg["rq"].update(enabled=True, bits=bits, rescoreLimit=512 if bits == 1 else 20)
    else:
        return cfg
    cfg["trackDefaultQuantization"] = True
    return cfg


def _quantize_flat(cfg: JsonDict, compression: str) -> JsonDict:
    cfg["trackDefaultQuantization"] = False
    if cfg["rq"]["enabled"] or cfg["bq"]["enabled"] or cfg.get("skipDefaultQuantization"):
        return cfg
    if compression in ("rq-1", "rq-8"):
        cfg["rq"].update(enabled=True, bits=int(compression[3:]), rescoreLimit=-1, cache=False)
    elif compression == "bq":
        cfg["bq"].update(enabled=True, rescoreLimit=-1, cache=False)
    else:
        return cfg
    cfg["trackDefaultQuantization"] = True
    return cfg


def default_quantization_allowed(compression: str, v: Version) -> bool:
    """The values a server of version ``v`` starts with (``rq-4`` from 1.39)."""
    values = {"", "none", "pq", "sq", "bq", "rq-1", "rq-8"} | ({"rq-4"} if v >= (1, 39, 0) else set())
    return compression in values
