"""Version model and the server-filled defaults of a Weaviate class, per release line.

Every value here is read from weaviate/weaviate at the release tags (``entities/vectorindex/{hnsw,
flat,dynamic,hfresh}/config.go``, ``usecases/sharding/config/config.go``, ``usecases/schema/class.go``);
FIDELITY.md lists each with its version range. Builders return fresh dicts, so callers may mutate them.
"""

from __future__ import annotations

import copy
from typing import Any

Version = tuple[int, int, int]
JsonDict = dict[str, Any]

# The official python client refuses servers older than 1.27 (weaviate/connect/v4.py), and the
# defaults below were only researched from 1.27 on, so older versions are not emulated.
MIN_VERSION: Version = (1, 27, 0)

DISTANCES = ("cosine", "dot", "l2-squared", "manhattan", "hamming")
VECTOR_INDEX_TYPES = ("hnsw", "flat", "dynamic", "hfresh")


def parse_version(text: str) -> Version:
    """Parse ``"1.32.0"`` (a leading ``v`` and a ``-suffix`` are ignored) into a comparable tuple."""
    core = text.lstrip("v").split("-", 1)[0]
    parts = [int(p) for p in core.split(".")]
    while len(parts) < 3:
        parts.append(0)
    return parts[0], parts[1], parts[2]


def hnsw_defaults(v: Version) -> JsonDict:
    """The fully expanded hnsw ``vectorIndexConfig`` a server of version ``v`` stores."""
    cfg: JsonDict = {
        "skip": False,
        "cleanupIntervalSeconds": 300,
        "maxConnections": 32,
        "efConstruction": 128,
        "ef": -1,
        "dynamicEfMin": 100,
        "dynamicEfMax": 500,
        "dynamicEfFactor": 8,
        "vectorCacheMaxObjects": 1000000000000,
        "flatSearchCutoff": 40000,
        "distance": "cosine",
        "pq": {
            "enabled": False,
            "bitCompression": False,
            "segments": 0,
            "centroids": 256,
            "trainingLimit": 100000,
            "encoder": {"type": "kmeans", "distribution": "log-normal"},
        },
        "bq": {"enabled": False},
        "sq": {"enabled": False, "trainingLimit": 100000, "rescoreLimit": 20},
    }
    # filterStrategy appeared in 1.27; its default flipped from sweeping to acorn in 1.34.
    cfg["filterStrategy"] = "acorn" if v >= (1, 34, 0) else "sweeping"
    if v >= (1, 29, 0):
        # The reference dates the multivector block to 1.29 and shows muvera inside it at HEAD.
        cfg["multivector"] = {
            "enabled": False,
            "muvera": {"enabled": False, "ksim": 4, "dprojections": 16, "repetitions": 10},
            "aggregation": "maxSim",
        }
    if v >= (1, 32, 0):
        cfg["rq"] = {"enabled": False, "bits": 8, "rescoreLimit": 20}
    if v >= (1, 33, 0):
        cfg["skipDefaultQuantization"] = False
        cfg["trackDefaultQuantization"] = False
    return cfg


def flat_defaults(v: Version) -> JsonDict:
    """The fully expanded flat ``vectorIndexConfig`` for version ``v``."""
    off = {"enabled": False, "rescoreLimit": -1, "cache": False}
    cfg: JsonDict = {
        "distance": "cosine",
        "vectorCacheMaxObjects": 1000000000000,
        "pq": dict(off),
        "bq": dict(off),
        "sq": dict(off),
    }
    if v >= (1, 34, 0):
        cfg["rq"] = {**off, "bits": 8}
    if v >= (1, 35, 0):
        cfg["skipDefaultQuantization"] = False
        cfg["trackDefaultQuantization"] = False
    return cfg


def hfresh_defaults(v: Version) -> JsonDict:
    """The experimental hfresh index (1.35+): its config was reshaped in 1.36, its search probe
    raised in 1.39."""
    if v < (1, 36, 0):
        return {"maxPostingSize": 50, "minPostingSize": 10, "replicas": 4, "rngFactor": 10.0,
                "searchProbe": 64, "distance": "cosine"}
    return {"maxPostingSizeKB": 48, "replicas": 4, "searchProbe": 256 if v >= (1, 39, 0) else 64,
            "distance": "cosine", "rq": {"enabled": True, "bits": 1, "rescoreLimit": 350}}


def dynamic_defaults(v: Version) -> JsonDict:
    """The dynamic index config: its own distance/threshold plus full hnsw and flat sub-configs."""
    return {"distance": "cosine", "threshold": 10000, "hnsw": hnsw_defaults(v), "flat": flat_defaults(v)}


def vector_index_defaults(index_type: str, v: Version) -> JsonDict:
    """Defaults for ``index_type`` (one of :data:`VECTOR_INDEX_TYPES`)."""
    if index_type == "flat":
        return flat_defaults(v)
    if index_type == "dynamic":
        return dynamic_defaults(v)
    if index_type == "hfresh":
        return hfresh_defaults(v)
    return hnsw_defaults(v)


def inverted_index_defaults(v: Version) -> JsonDict:
    """``invertedIndexConfig`` when the request omits it. False booleans are omitted (``omitempty``)."""
    cfg: JsonDict = {
        "bm25": {"b": 0.75, "k1": 1.2},
        "cleanupIntervalSeconds": 60,
        "stopwords": {"preset": "en", "additions": None, "removals": None},
    }
    if v >= (1, 30, 0):
        cfg["usingBlockMaxWAND"] = True
    return cfg


def sharding_defaults(desired_count: int = 1, virtual_per_physical: int = 128) -> JsonDict:
    """Non-multi-tenant ``shardingConfig`` (single node: ``desiredCount`` defaults to 1)."""
    return {
        "virtualPerPhysical": virtual_per_physical,
        "desiredCount": desired_count,
        "actualCount": desired_count,
        "desiredVirtualCount": desired_count * virtual_per_physical,
        "actualVirtualCount": desired_count * virtual_per_physical,
        "key": "_id",
        "strategy": "hash",
        "function": "murmur3",
    }


def sharding_multi_tenant() -> JsonDict:
    """Multi-tenant classes store an all-zero sharding config; tenant shards are created on demand."""
    return {
        "virtualPerPhysical": 0,
        "desiredCount": 0,
        "actualCount": 0,
        "desiredVirtualCount": 0,
        "actualVirtualCount": 0,
        "key": "",
        "strategy": "",
        "function": "",
    }


def deletion_strategy_default(v: Version) -> str:
    """``replicationConfig.deletionStrategy`` default: changed in 1.28 and again in 1.36."""
    if v >= (1, 36, 0):
        return "TimeBasedResolution"
    if v >= (1, 28, 0):
        return "NoAutomatedResolution"
    return "DeleteOnConflict"


def shows_async_enabled(v: Version) -> bool:
    """``replicationConfig.asyncEnabled`` exists (no omitempty) on 1.26-1.37; removed in 1.38."""
    return v < (1, 38, 0)


def restricted_merge(defaults: JsonDict, given: Any) -> JsonDict:
    """Overlay ``given`` onto ``defaults``, keeping only keys the defaults know.

    The server parses vector index configs into typed structs, so unknown keys are dropped and
    nested objects (``pq``, ``encoder``, ...) are merged key by key.
    """
    out = copy.deepcopy(defaults)
    if not isinstance(given, dict):
        return out
    for key, value in given.items():
        if key not in out:
            continue
        if isinstance(out[key], dict) and isinstance(value, dict):
            out[key] = restricted_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
