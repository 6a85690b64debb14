"""Which class and property differences Weaviate applies in place, as a table (pure functions)."""

from __future__ import annotations

import pytest

from baseform.engine.change import ABSENT, FieldDiff
from baseform.providers.weaviate.mutability import class_reasons, property_reasons
from baseform.types import JSON

HNSW = {"vectorizer": "none", "vectorIndexType": "hnsw"}
FLAT = {"vectorizer": "none", "vectorIndexType": "flat"}
NAMED = {"vectorConfig": {"a": {"vectorIndexType": "flat", "vectorizer": {"none": {}}}}}


@pytest.mark.parametrize(("path", "before", "after", "live", "version", "in_place"), [
    ("description", "a", "b", HNSW, (1, 32, 0), True),
    ("vectorizer", "none", "text2vec-openai", HNSW, (1, 32, 0), False),
    ("vectorIndexType", "hnsw", "flat", HNSW, (1, 32, 0), False),
    ("vectorIndexConfig.ef", -1, 64, HNSW, (1, 32, 0), True),
    ("vectorIndexConfig.efConstruction", 128, 64, HNSW, (1, 32, 0), False),
    ("vectorIndexConfig.distance", "cosine", "dot", HNSW, (1, 32, 0), False),
    ("vectorIndexConfig.pq.enabled", False, True, HNSW, (1, 32, 0), True),
    ("vectorIndexConfig.pq.enabled", True, False, HNSW, (1, 32, 0), False),
    ("vectorIndexConfig.vectorCacheMaxObjects", 1, 2, FLAT, (1, 32, 0), True),
    ("vectorIndexConfig.bq.enabled", False, True, FLAT, (1, 32, 0), False),
    ("vectorConfig.b", ABSENT, {"vectorizer": {"none": {}}}, NAMED, (1, 31, 0), True),
    ("vectorConfig.b", ABSENT, {"vectorizer": {"none": {}}}, NAMED, (1, 30, 0), False),
    ("vectorConfig.default", ABSENT, {"vectorizer": {"none": {}}}, HNSW, (1, 32, 0), False),
    ("vectorConfig.a", {"vectorizer": {"none": {}}}, ABSENT, NAMED, (1, 32, 0), False),
    ("vectorConfig.a.vectorIndexConfig.distance", "cosine", "dot", NAMED, (1, 32, 0), False),
    ("vectorConfig.a.vectorIndexConfig.vectorCacheMaxObjects", 1, 2, NAMED, (1, 32, 0), True),
    ("vectorConfig.a.vectorizer.none", {}, {"x": 1}, NAMED, (1, 32, 0), False),
    ("invertedIndexConfig.bm25.b", 0.75, 0.9, HNSW, (1, 32, 0), True),
    ("invertedIndexConfig.indexNullState", False, True, HNSW, (1, 32, 0), False),
    ("replicationConfig.deletionStrategy", "NoAutomatedResolution", "TimeBasedResolution", HNSW, (1, 32, 0), True),
    # the server changes the factor in place (refusing it when the replicas are missing): never a replace
    ("replicationConfig.factor", 1, 3, HNSW, (1, 32, 0), True),
    ("replicationConfig.factor", 3, 1, HNSW, (1, 36, 0), True),
    ("multiTenancyConfig.enabled", False, True, HNSW, (1, 32, 0), False),
    ("multiTenancyConfig.autoTenantCreation", False, True, HNSW, (1, 32, 0), True),
    ("shardingConfig.desiredCount", 1, 3, HNSW, (1, 32, 0), False),
    ("moduleConfig.generative-openai.model", "a", "b", HNSW, (1, 32, 0), True),
    ("moduleConfig.reranker-cohere", ABSENT, {}, HNSW, (1, 32, 0), True),
    ("moduleConfig.text2vec-openai.model", "a", "b", HNSW, (1, 32, 0), False),
])
def test_class_field_mutability(path: str, before: JSON, after: JSON, live: dict[str, JSON],
                                version: tuple[int, int, int], in_place: bool) -> None:
    reasons = class_reasons([FieldDiff(path, before, after)], live, version)
    assert (reasons == []) is in_place, reasons
    if reasons:
        assert reasons[0].startswith(path + " ")  # the core blames the field named first


@pytest.mark.parametrize(("path", "before", "after", "version", "in_place"), [
    ("description", "old", "new", (1, 30, 0), True),
    ("description", "old", "new", (1, 29, 0), False),
    ("tokenization", "word", "field", (1, 32, 0), False),
    ("dataType", ["text"], ["int"], (1, 32, 0), False),
    ("indexFilterable", True, False, (1, 32, 0), False),
])
def test_property_changes_that_replace_the_class(path: str, before: JSON, after: JSON, version: tuple[int, int, int],
                                                 in_place: bool) -> None:
    reasons = property_reasons([FieldDiff(path, before, after)], version)
    assert (reasons == []) is in_place, reasons
    if reasons:
        assert reasons[0].startswith(path + " ")


@pytest.mark.parametrize(("path", "before", "after", "in_place"), [
    ("objectTtlConfig.defaultTtl", 3600, 7200, True),
    ("objectTtlConfig.enabled", True, False, True),
    ("objectTtlConfig.deleteOn", "_creationTimeUnix", "due", True),
    ("invertedIndexConfig.stopwordPresets.fr", ["le"], ["la", "le"], True),
    ("invertedIndexConfig.stopwordPresets.de", ["der"], ABSENT, True),
    ("invertedIndexConfig.tokenizerUserDict", [], [{"tokenizer": "kagome_ja", "replacements": []}], True),
    ("invertedIndexConfig.indexTimestamps", False, True, False),
])
def test_newer_class_settings(path: str, before: JSON, after: JSON, in_place: bool) -> None:
    reasons = class_reasons([FieldDiff(path, before, after)], HNSW, (1, 37, 0))
    assert (reasons == []) is in_place, reasons


def test_timestamps_needed_by_a_ttl_say_so() -> None:
    diffs = [FieldDiff("invertedIndexConfig.indexTimestamps", False, True),
             FieldDiff("objectTtlConfig.enabled", False, True)]
    reasons = class_reasons(diffs, HNSW, (1, 37, 0))
    assert len(reasons) == 1 and reasons[0].startswith("invertedIndexConfig.indexTimestamps false -> true: ")
    assert "object TTL" in reasons[0]


@pytest.mark.parametrize("path", ["textAnalyzer.asciiFold", "textAnalyzer", "disableDuplicatedReferences",
                                  "nestedProperties"])
def test_newer_property_settings_replace_the_class(path: str) -> None:
    assert property_reasons([FieldDiff(path, ABSENT, True)], (1, 37, 0))
