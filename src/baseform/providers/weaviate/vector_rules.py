"""The vector index rules Weaviate enforces when a class is created or updated, checked at validate time.

From ``entities/vectorindex/{hnsw,flat,hfresh}/config.go`` (``validate``, the RQ, PQ and multi-vector
parsers) and ``usecases/schema/parser.go`` / ``usecases/modules`` (multi-vectors only on named vectors,
with ``none`` or a multi-vector vectorizer, on an hnsw index); FIDELITY.md rows V1-V4 and V6.
Version-dependent limits (RQ bit widths per release) are checked at plan time. Pure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from baseform.providers.weaviate.models import ClassSpec

__all__ = ["check_vectors"]

Problem = tuple[tuple[str | int, ...], str]
_MULTIVECTOR_PREFIXES = ("text2multivec-", "multi2multivec-", "text2colbert-")  # the last: a legacy name
_QUANTIZERS = ("pq", "bq", "sq", "rq")


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _block(config: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = config.get(key)
    return value if isinstance(value, dict) else {}


def _enabled(config: Mapping[str, Any], key: str) -> bool:
    block = config.get(key)
    return isinstance(block, dict) and block.get("enabled") is True


def _multi(config: Mapping[str, Any]) -> bool:
    block = config.get("multivector")
    return isinstance(block, dict) and block.get("enabled") is True


def _hnsw(config: Mapping[str, Any]) -> Iterator[Problem]:
    connections = _int(config.get("maxConnections"))
    if connections is not None and not 4 <= connections <= 2047:
        yield ("maxConnections",), f"maxConnections {connections}: Weaviate takes 4 to 2047"
    ef_construction = _int(config.get("efConstruction"))
    if ef_construction is not None and ef_construction < 4:
        yield ("efConstruction",), f"efConstruction {ef_construction}: Weaviate takes 4 or more"
    strategy = config.get("filterStrategy")
    if strategy is not None and strategy not in ("sweeping", "acorn"):
        yield ("filterStrategy",), f"filterStrategy {strategy!r}: Weaviate takes 'sweeping' or 'acorn'"
    on = [q for q in _QUANTIZERS if _enabled(config, q)]
    if len(on) > 1:
        yield (on[1],), f"only one quantizer can be enabled (here: {', '.join(on)})"
    rq = _block(config, "rq")
    bits = _int(rq.get("bits"))
    if rq.get("enabled") is True and bits is not None and bits not in (1, 4, 8):
        yield ("rq", "bits"), f"rq.bits {bits}: Weaviate takes 8, 4 (1.39+) or 1 (1.33+)"
    pq = _block(config, "pq")
    segments = _int(pq.get("segments"))
    if pq.get("enabled") is True and segments is not None and segments < 0:
        yield ("pq", "segments"), "pq.segments must not be negative"
    muvera = _block(_block(config, "multivector"), "muvera")
    ksim = _int(muvera.get("ksim"))
    if muvera.get("enabled") is True and ksim is not None and ksim > 10:
        yield ("multivector", "muvera", "ksim"), f"muvera ksim {ksim}: Weaviate takes at most 10"


def _flat(config: Mapping[str, Any]) -> Iterator[Problem]:
    for q in ("pq", "sq"):
        if _enabled(config, q):
            yield (q, "enabled"), f"{q.upper()} is not supported for a flat index (use bq or rq)"
    for q in _QUANTIZERS:
        block = config.get(q)
        if isinstance(block, dict) and block.get("cache") is True and block.get("enabled") is not True:
            yield (q, "cache"), f"{q}.cache needs {q}.enabled: true (no cache without compression)"
    on = [q for q in _QUANTIZERS if _enabled(config, q)]
    if len(on) > 1:
        yield (on[1],), f"only one quantizer can be enabled (here: {', '.join(on)})"
    rq = _block(config, "rq")
    bits = _int(rq.get("bits"))
    if rq.get("enabled") is True and bits is not None and bits not in (1, 8):
        yield ("rq", "bits"), f"rq.bits {bits}: a flat index takes 1 or 8"


def _hfresh(config: Mapping[str, Any]) -> Iterator[Problem]:
    distance = config.get("distance")
    if distance is not None and distance not in ("cosine", "l2-squared"):
        yield ("distance",), f"distance {distance!r}: an hfresh index takes 'cosine' or 'l2-squared'"
    for q in ("pq", "sq", "bq"):
        if q in config:
            yield (q,), f"{q} is not supported for an hfresh index (only rq with 1 bit)"
    rq = _block(config, "rq")
    if rq.get("enabled") is False:
        yield ("rq", "enabled"), "an hfresh index always uses rq"
    bits = _int(rq.get("bits"))
    if bits is not None and bits > 1:
        yield ("rq", "bits"), f"rq.bits {bits}: an hfresh index takes 1"
    size = _int(config.get("maxPostingSizeKB"))
    if size is not None and not 8 <= size <= 1024:
        yield ("maxPostingSizeKB",), f"maxPostingSizeKB {size}: Weaviate takes 8 to 1024"
    replicas = _int(config.get("replicas"))
    if replicas is not None and replicas > 10:
        yield ("replicas",), f"replicas {replicas}: Weaviate takes at most 10"


def _index(index_type: str, config: Mapping[str, Any]) -> Iterator[Problem]:
    if index_type == "flat":
        yield from _flat(config)
    elif index_type == "hfresh":
        yield from _hfresh(config)
    elif index_type == "dynamic":
        for sub, rules in (("hnsw", _hnsw), ("flat", _flat)):
            if isinstance(config.get(sub), dict):
                yield from (((sub, *p), m) for p, m in rules(config[sub]))
    else:
        yield from _hnsw(config)


def check_vectors(cls: ClassSpec) -> list[Problem]:
    """Each problem as (path inside the class, message)."""
    out: list[Problem] = []
    config = cls.vectorIndexConfig or {}
    index_type = cls.vectorIndexType or "hnsw"
    out += [(("vectorIndexConfig", *p), m) for p, m in _index(index_type, config)]
    if _multi(config) or (index_type == "dynamic" and _multi(config.get("hnsw") or {})):
        out.append((("vectorIndexConfig", "multivector"), "a multi-vector index is possible only on a named vector "
                                                          "(vectorConfig), not on the class-level vector"))
    if (cls.vectorizer or "").startswith(_MULTIVECTOR_PREFIXES):
        out.append((("vectorizer",), f"multi-vector vectorizer {cls.vectorizer!r} is possible only on a named "
                                     "vector (vectorConfig)"))
    for name, entry in (cls.vectorConfig or {}).items():
        path: tuple[str | int, ...] = ("vectorConfig", name)
        kind = entry.vectorIndexType or "hnsw"
        vector_config = entry.vectorIndexConfig or {}
        out += [((*path, "vectorIndexConfig", *p), m) for p, m in _index(kind, vector_config)]
        module = next(iter(entry.vectorizer), "none")
        multi_module = module.startswith(_MULTIVECTOR_PREFIXES)
        if multi_module and kind not in ("hnsw", "none"):
            out.append(((*path, "vectorIndexType"), f"multi-vector vectorizer {module!r} needs an hnsw index, "
                                                    f"not {kind}"))
        if _multi(vector_config) and module != "none" and not multi_module:
            out.append(((*path, "vectorIndexConfig", "multivector"), f"vectorizer {module!r} makes one vector per "
                        "object; a multi-vector index needs vectorizer none (vectors you bring) or a multi-vector "
                        "module (text2multivec-*, multi2multivec-*)"))
    return out
