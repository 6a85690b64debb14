"""What a Weaviate server fills in when a key is omitted, per server version (FIDELITY C1-C11).

Used to omit defaults when exporting and to know which vector-index keys a server version has.
Builders return fresh dicts. Versions are ``(major, minor, patch)`` tuples from ``/v1/meta``.
"""

from __future__ import annotations

from baseform.providers.weaviate.datatypes import TEXT
from baseform.providers.weaviate.shape import TTL_OFF
from baseform.types import JSONObject

__all__ = ["Version", "class_defaults", "parse_version", "property_defaults",
           "vector_index_defaults", "vector_index_keys"]

Version = tuple[int, int, int]


def parse_version(text: str | None) -> Version:
    """``"1.32.0"`` (a leading ``v`` and a ``-suffix`` ignored) as a tuple; unknown -> (0, 0, 0)."""
    try:
        parts = [int(p) for p in (text or "").lstrip("v").split("-", 1)[0].split(".")]
    except ValueError:
        return (0, 0, 0)
    parts += [0] * (3 - len(parts))
    return parts[0], parts[1], parts[2]


def _hnsw(v: Version) -> JSONObject:
    cfg: JSONObject = {
        "skip": False, "cleanupIntervalSeconds": 300, "maxConnections": 32, "efConstruction": 128, "ef": -1,
        "dynamicEfMin": 100, "dynamicEfMax": 500, "dynamicEfFactor": 8, "vectorCacheMaxObjects": 1000000000000,
        "flatSearchCutoff": 40000, "distance": "cosine",
        "pq": {"enabled": False, "bitCompression": False, "segments": 0, "centroids": 256, "trainingLimit": 100000,
               "encoder": {"type": "kmeans", "distribution": "log-normal"}},
        "bq": {"enabled": False},
        "sq": {"enabled": False, "trainingLimit": 100000, "rescoreLimit": 20},
        # default flipped from sweeping to acorn in v1.34
        "filterStrategy": "acorn" if v >= (1, 34, 0) else "sweeping",
    }
    if v >= (1, 29, 0):
        cfg["multivector"] = {"enabled": False, "aggregation": "maxSim",
                              "muvera": {"enabled": False, "ksim": 4, "dprojections": 16, "repetitions": 10}}
    if v >= (1, 32, 0):
        cfg["rq"] = {"enabled": False, "bits": 8, "rescoreLimit": 20}
    return cfg


def _flat(v: Version) -> JSONObject:
    off = {"enabled": False, "rescoreLimit": -1, "cache": False}
    cfg: JSONObject = {"distance": "cosine", "vectorCacheMaxObjects": 1000000000000, "pq": dict(off),
                       "bq": dict(off), "sq": dict(off)}
    if v >= (1, 34, 0):
        cfg["rq"] = {**off, "bits": 8}
    return cfg


def _hfresh(v: Version) -> JSONObject:
    if v < (1, 36, 0):
        return {"maxPostingSize": 50, "minPostingSize": 10, "replicas": 4, "rngFactor": 10.0, "searchProbe": 64,
                "distance": "cosine"}
    return {"maxPostingSizeKB": 48, "replicas": 4, "searchProbe": 256 if v >= (1, 39, 0) else 64,
            "distance": "cosine", "rq": {"enabled": True, "bits": 1, "rescoreLimit": 350}}


def vector_index_defaults(index_type: str, v: Version) -> JSONObject:
    """The full ``vectorIndexConfig`` a server of version ``v`` stores for ``index_type``
    (server-managed keys left out)."""
    if index_type == "flat":
        return _flat(v)
    if index_type == "dynamic":
        return {"distance": "cosine", "threshold": 10000, "hnsw": _hnsw(v), "flat": _flat(v)}
    if index_type == "hfresh":
        return _hfresh(v)
    return _hnsw(v)


_QUANTIZATION_KEYS = {"hnsw": (1, 33, 0), "flat": (1, 35, 0)}


def vector_index_keys(index_type: str, v: Version) -> JSONObject:
    """Every key a ``vectorIndexConfig`` of ``index_type`` has on version ``v`` (values: defaults),
    the create-only and server-managed ones included."""
    cfg = vector_index_defaults(index_type, v)
    for sub in ("hnsw", "flat") if index_type == "dynamic" else (index_type,):
        target = cfg[sub] if index_type == "dynamic" else cfg
        if sub in _QUANTIZATION_KEYS and v >= _QUANTIZATION_KEYS[sub]:
            target.update(skipDefaultQuantization=False, trackDefaultQuantization=False)
    return cfg


def class_defaults(v: Version) -> JSONObject:
    """Class-level settings (diff shape) a server of version ``v`` fills in for a non-MT class."""
    replication: JSONObject = {"factor": 1, "deletionStrategy": (
        "TimeBasedResolution" if v >= (1, 36, 0) else
        "NoAutomatedResolution" if v >= (1, 28, 0) else "DeleteOnConflict")}
    if v < (1, 38, 0):
        replication["asyncEnabled"] = False
    return {
        "vectorizer": "none",
        "vectorIndexType": "hnsw",
        "invertedIndexConfig": {"bm25": {"b": 0.75, "k1": 1.2}, "cleanupIntervalSeconds": 60,
                                "stopwords": {"preset": "en", "additions": [], "removals": []},
                                "indexTimestamps": False, "indexNullState": False, "indexPropertyLength": False,
                                "tokenizerUserDict": [], "stopwordPresets": {}},
        "replicationConfig": replication,
        "multiTenancyConfig": {"enabled": False, "autoTenantCreation": False, "autoTenantActivation": False},
        "shardingConfig": {"virtualPerPhysical": 128, "desiredCount": 1, "key": "_id", "strategy": "hash",
                           "function": "murmur3"},
        "objectTtlConfig": dict(TTL_OFF),
    }


def property_defaults(data_type: list[str], *, nested: bool = False) -> JSONObject:
    """Indexing and tokenization the server fills in for a property of ``data_type``."""
    single = data_type[0] if len(data_type) == 1 else ""
    out: JSONObject = {"indexFilterable": not (nested and single in ("blob", "blobHash")),
                       "indexSearchable": single in TEXT, "indexRangeFilters": False}
    if single in TEXT:
        out["tokenization"] = "word"
    return out
