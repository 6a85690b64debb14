"""The Weaviate releases that changed what a plan may do, read from weaviate/weaviate at its tags.

Each constant is the first release with the behaviour; the emulator's FIDELITY.md
(tests/emulators/weaviate/FIDELITY.md) lists the same facts with their source files.
"""

from __future__ import annotations

from baseform.providers.weaviate.defaults import Version

__all__ = ["ALIASES", "ASYNC_ENABLED_DROPPED", "DROPPED_VECTOR_INDEX", "HFRESH", "INDEX_DROP", "INDEX_UPSERT",
           "NAMED_VECTOR_ADD", "NAMED_VECTOR_TYPE_DEFAULT", "PROPERTY_DESCRIPTION", "REPLICAS_BEFORE_FACTOR",
           "SKIP_DEFAULT_QUANTIZATION", "rq_bits", "shown"]

PROPERTY_DESCRIPTION: Version = (1, 30, 0)
"""A property's description changes in place (usecases/schema/parser.go validatePropertiesForUpdate)."""
NAMED_VECTOR_ADD: Version = (1, 31, 0)
"""Named vectors can be added to an existing class, also beside a class-level vector (parser.go)."""
ALIASES: Version = (1, 32, 0)
"""``/v1/aliases`` (usecases/schema/alias.go)."""
REPLICAS_BEFORE_FACTOR: Version = (1, 35, 0)
"""A higher replication factor needs every shard to hold that many replicas already (placed by replica
movement); before, the server added the replicas itself when the cluster had the nodes
(usecases/schema/class.go UpdateClassInternal, usecases/scaler)."""
HFRESH: Version = (1, 35, 0)
"""The experimental hfresh vector index (usecases/schema/class.go validateVectorIndexType)."""
INDEX_DROP: Version = (1, 36, 0)
"""``DELETE /v1/schema/{c}/properties/{p}/index/{name}`` drops a property's inverted index."""
DROPPED_VECTOR_INDEX: Version = (1, 37, 0)
"""A named vector's index can be dropped; the class then shows ``vectorIndexType: none``."""
NAMED_VECTOR_TYPE_DEFAULT: Version = (1, 37, 5)
"""A named vector without ``vectorIndexType`` gets the default; before it is refused
(``unrecognized or unsupported vectorIndexType ""``)."""
ASYNC_ENABLED_DROPPED: Version = (1, 38, 0)
"""``replicationConfig.asyncEnabled`` is no longer stored (entities/models/replication_config.go)."""
INDEX_UPSERT: Version = (1, 39, 0)
"""``PUT /v1/schema/{c}/properties/{p}/index/{name}`` creates an index or changes the tokenization."""
SKIP_DEFAULT_QUANTIZATION: dict[str, Version] = {"hnsw": (1, 33, 0), "flat": (1, 35, 0)}
"""Index types whose config has ``skip/trackDefaultQuantization`` (entities/vectorindex/*/config.go)."""


def rq_bits(v: Version) -> tuple[int, ...]:
    """The RQ bit widths an hnsw index of version ``v`` accepts (entities/vectorindex/hnsw/rq_config.go)."""
    if v >= (1, 39, 0):
        return (8, 4, 1)
    if v >= (1, 33, 0):
        return (8, 1)
    return (8,)


def shown(v: Version) -> str:
    """``1.31`` for (1, 31, 0), ``1.37.5`` for (1, 37, 5)."""
    return ".".join(map(str, v[:2] if v[2] == 0 else v))
