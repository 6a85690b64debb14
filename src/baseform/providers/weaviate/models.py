"""The ``weaviate`` manifest section and the ``providers.weaviate`` connection block.

Keys are spelled exactly as the Weaviate REST API spells them (``GET /v1/schema``), so a class copied
from a live server loads as-is, server-managed keys included (they are accepted and never compared).
Free-form module and vector-index settings stay plain JSON objects: their keys depend on the module
and the server version, and are checked against the server at plan time.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr

from baseform.manifest.models import Model, ProviderConfig, Resource, Section

__all__ = ["AliasSpec", "ClassSpec", "InvertedIndexConfig", "MultiTenancyConfig", "NestedPropertySpec",
           "ObjectTtlConfig", "PropertySpec", "ReplicationConfig", "ShardingConfig", "TenantSpec", "TextAnalyzer",
           "TokenizerUserDict", "VectorConfigEntry", "WeaviateConfig", "WeaviateSection"]

JSONMap = dict[str, Any]
Tokenization = Literal["word", "lowercase", "whitespace", "field", "trigram", "gse", "gse_ch", "kagome_kr",
                       "kagome_ja"]
ActivityStatus = Literal["ACTIVE", "INACTIVE", "OFFLOADED", "HOT", "COLD", "FROZEN"]
VectorIndexType = Literal["hnsw", "flat", "dynamic", "hfresh"]
"""hfresh: experimental (Weaviate 1.35+, server flag)."""


class WeaviateConfig(ProviderConfig):
    """``providers.weaviate``: the server URL and, when the server requires one, an API key."""

    env: ClassVar[dict[str, str]] = {"url": "WEAVIATE_URL", "apiKey": "WEAVIATE_API_KEY"}
    url: str | None = Field(None, description="Base URL of the Weaviate server, e.g. http://localhost:8080.")
    apiKey: SecretStr | None = Field(None, description="API key (sent as a Bearer token only when set).")


class TextAnalyzer(Model):
    """``textAnalyzer`` of a text property (Weaviate 1.37+; fixed once the property exists)."""

    asciiFold: bool | None = Field(None, description="Fold accents to their base letters ('école' matches 'ecole').")
    asciiFoldIgnore: list[str] | None = Field(None, description="Single characters left unfolded (needs asciiFold).")
    stopwordPreset: str | None = Field(
        None, description="Stopwords of this property: en, none, or a preset of invertedIndexConfig.stopwordPresets "
                          "(word tokenization only).")


class NestedPropertySpec(Model):
    """One nested property of an ``object``/``object[]`` property (no references, no module config)."""

    name: str
    dataType: list[str]
    description: str | None = None
    tokenization: Tokenization | None = None
    indexFilterable: bool | None = None
    indexSearchable: bool | None = None
    indexRangeFilters: bool | None = None
    nestedProperties: list[NestedPropertySpec] | None = None
    textAnalyzer: TextAnalyzer | None = None


class PropertySpec(Resource):
    """One property of a class; ``dataType`` names a primitive type, ``object`` or referenced classes."""

    name: str
    dataType: list[str]
    description: str | None = None
    tokenization: Tokenization | None = None
    indexFilterable: bool | None = None
    indexSearchable: bool | None = None
    indexRangeFilters: bool | None = None
    indexInverted: bool | None = Field(
        None, description="Deprecated since Weaviate 1.19: sets indexFilterable (and indexSearchable for text); "
                          "cannot be combined with the index* flags.")
    nestedProperties: list[NestedPropertySpec] | None = None
    moduleConfig: JSONMap | None = None
    textAnalyzer: TextAnalyzer | None = None
    disableDuplicatedReferences: bool | None = Field(
        None, description="Cross-references: keep one link per target object (default true).")


class TenantSpec(Resource):
    """A tenant of a multi-tenant class. Both the v1.26+ and the legacy status names are accepted."""

    name: str
    activityStatus: ActivityStatus | None = None


class Bm25Config(Model):
    b: float | int | None = None
    k1: float | int | None = None


class StopwordConfig(Model):
    preset: str | None = None
    additions: list[str] | None = None
    removals: list[str] | None = None


class Replacement(Model):
    source: str
    target: str


class TokenizerUserDict(Model):
    """Replacements a kagome tokenizer applies before splitting (Weaviate 1.35+)."""

    tokenizer: Literal["kagome_ja", "kagome_kr"]
    replacements: list[Replacement] = []


class InvertedIndexConfig(Model):
    """``invertedIndexConfig``; ``usingBlockMaxWAND`` is server-managed (accepted, never compared)."""

    bm25: Bm25Config | None = None
    stopwords: StopwordConfig | None = None
    cleanupIntervalSeconds: int | None = None
    indexTimestamps: bool | None = None
    indexNullState: bool | None = None
    indexPropertyLength: bool | None = None
    usingBlockMaxWAND: bool | None = None
    tokenizerUserDict: list[TokenizerUserDict] | None = None
    stopwordPresets: dict[str, list[str]] | None = Field(
        None, description="Named stopword lists (Weaviate 1.37+) for properties' textAnalyzer.stopwordPreset; "
                          "the declared set is authoritative.")


class ObjectTtlConfig(Model):
    """``objectTtlConfig`` (Weaviate 1.35+): objects expire ``defaultTtl`` seconds after ``deleteOn``."""

    enabled: bool | None = None
    defaultTtl: int | None = Field(None, description="Seconds added to deleteOn (at least 60 for the timestamps).")
    deleteOn: str | None = Field(None, description="_creationTimeUnix, _lastUpdateTimeUnix or a date property.")
    filterExpiredObjects: bool | None = Field(None, description="Hide expired objects not yet deleted.")


class ReplicationConfig(Model):
    """``replicationConfig``; ``factor`` changes in place (raising it needs that many replicas of every shard
    on Weaviate 1.35+, that many nodes before); ``asyncEnabled`` is ignored by Weaviate 1.38+."""

    factor: int | None = None
    deletionStrategy: Literal["NoAutomatedResolution", "DeleteOnConflict", "TimeBasedResolution"] | None = None
    asyncEnabled: bool | None = None
    asyncConfig: JSONMap | None = None


class MultiTenancyConfig(Model):
    enabled: bool | None = None
    autoTenantCreation: bool | None = None
    autoTenantActivation: bool | None = None


class ShardingConfig(Model):
    """``shardingConfig``; the ``actual*`` and ``desiredVirtualCount`` keys are server-managed."""

    virtualPerPhysical: int | None = None
    desiredCount: int | None = None
    actualCount: int | None = None
    desiredVirtualCount: int | None = None
    actualVirtualCount: int | None = None
    key: str | None = None
    strategy: str | None = None
    function: str | None = None


class VectorConfigEntry(Model):
    """One named vector: ``vectorizer`` is ``{moduleName: {settings}}`` (``{none: {}}`` for none).

    ``vectorIndexType: none`` is how Weaviate 1.37+ shows a vector whose index was dropped; it can only
    describe a vector that is dropped on the server already."""

    vectorizer: dict[str, JSONMap]
    vectorIndexType: VectorIndexType | Literal["none"] | None = None
    vectorIndexConfig: JSONMap | None = None


class ClassSpec(Resource):
    """One Weaviate class (collection) with its properties and, optionally, its tenants.

    Listed tenants are authoritative (a live tenant not listed is deleted); a class that lists none
    (``tenants`` left out or empty) leaves its tenants to the application. A class may have a
    class-level vector (``vectorizer``/``vectorIndexType``/``vectorIndexConfig``) beside named vectors
    (``vectorConfig``) on Weaviate 1.31+; it is created with the class-level one and given the named
    ones by an update.
    """

    class_: str = Field(alias="class")
    description: str | None = None
    vectorizer: str | None = None
    vectorIndexType: VectorIndexType | None = None
    vectorIndexConfig: JSONMap | None = None
    vectorConfig: dict[str, VectorConfigEntry] | None = None
    invertedIndexConfig: InvertedIndexConfig | None = None
    replicationConfig: ReplicationConfig | None = None
    multiTenancyConfig: MultiTenancyConfig | None = None
    shardingConfig: ShardingConfig | None = None
    moduleConfig: JSONMap | None = None
    objectTtlConfig: ObjectTtlConfig | None = None
    properties: list[PropertySpec] = []
    tenants: list[TenantSpec] | None = None


class AliasSpec(Resource):
    """An alias (Weaviate 1.32+): another name for a class, e.g. to switch readers to a rebuilt class."""

    alias: str = Field(description="The alias name (class name rules).")
    class_: str = Field(alias="class", description="The class the alias points to.")


class WeaviateSection(Section):
    """The ``weaviate`` section: classes and aliases; ``prune: true`` deletes undeclared live ones."""

    classes: list[ClassSpec] = []
    aliases: list[AliasSpec] = []
