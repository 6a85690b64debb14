"""The diff shape of the keys newer servers add: server defaults and rewrites on both sides (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from baseform.engine.address import Address
from baseform.providers.weaviate.classes import update_class
from baseform.providers.weaviate.shape import class_value, declared_only, project_class, property_value
from baseform.types import JSON


@pytest.mark.parametrize(("raw", "flags"), [
    ({"dataType": ["text"], "indexInverted": False}, (False, False, False)),
    ({"dataType": ["text[]"], "indexInverted": True}, (True, True, False)),
    ({"dataType": ["string"], "indexInverted": True}, (True, True, False)),  # string is text by then
    ({"dataType": ["int"], "indexInverted": True}, (True, False, False)),
])
def test_index_inverted_alone_becomes_the_flags_the_server_stores(raw: dict[str, Any],
                                                                  flags: tuple[bool, bool, bool]) -> None:
    value = property_value({"name": "p", **raw})
    assert "indexInverted" not in value
    assert (value["indexFilterable"], value["indexSearchable"], value["indexRangeFilters"]) == flags


@pytest.mark.parametrize(("desired", "live", "equal"), [
    # the server leaves out an analyzer with nothing set, and every unset analyzer field
    ({"textAnalyzer": {}}, {}, True),
    ({"textAnalyzer": {"asciiFold": False}}, {}, True),
    ({"textAnalyzer": {"asciiFold": False}}, {"textAnalyzer": {"stopwordPreset": "en"}}, True),
    ({"textAnalyzer": {"asciiFold": False}}, {"textAnalyzer": {"asciiFold": True}}, False),
    ({"textAnalyzer": {"asciiFold": True}}, {}, False),
    ({"textAnalyzer": {"asciiFoldIgnore": ["b", "a"]}}, {"textAnalyzer": {"asciiFoldIgnore": ["a", "b"]}}, True),
    # disableDuplicatedReferences is shown only once set; the API's default is true
    ({"disableDuplicatedReferences": True}, {}, True),
    ({"disableDuplicatedReferences": False}, {}, False),
    ({"disableDuplicatedReferences": True}, {"disableDuplicatedReferences": False}, False),
])
def test_property_keys_the_server_leaves_out(desired: dict[str, JSON], live: dict[str, JSON], equal: bool) -> None:
    want = property_value({"name": "p", "dataType": ["text"], **desired})
    have = property_value({"name": "p", "dataType": ["text"], "indexFilterable": True, **live})
    assert (declared_only(have, want) == want) is equal


def test_a_class_without_ttl_reads_as_ttl_off() -> None:
    live = class_value({"class": "A"}, live=True)
    assert live["objectTtlConfig"] == {"enabled": False, "defaultTtl": 0, "deleteOn": "", "filterExpiredObjects": False}
    wanted = class_value({"class": "A", "objectTtlConfig": {"enabled": False}}, live=False)
    assert project_class(live, wanted) == wanted


def test_a_ttl_on_timestamps_wants_indexed_timestamps() -> None:
    wanted = class_value({"class": "A", "objectTtlConfig": {"enabled": True, "deleteOn": " _creationTimeUnix "}},
                         live=False)
    assert wanted["objectTtlConfig"]["deleteOn"] == "_creationTimeUnix"
    assert wanted["invertedIndexConfig"] == {"indexTimestamps": True}
    on_a_property = class_value({"class": "A", "objectTtlConfig": {"enabled": True, "deleteOn": "due"}}, live=False)
    assert "invertedIndexConfig" not in on_a_property


def test_declared_stopword_presets_are_the_whole_set() -> None:
    live = class_value({"class": "A", "invertedIndexConfig": {"stopwordPresets": {"fr": ["le"], "de": ["der"]}}},
                       live=True)
    wanted = class_value({"class": "A", "invertedIndexConfig": {"stopwordPresets": {"fr": ["le"]}}}, live=False)
    # a live preset the manifest lacks is a difference (and the update removes it)
    assert project_class(live, wanted)["invertedIndexConfig"]["stopwordPresets"] == {"fr": ["le"], "de": ["der"]}
    raw = {"class": "A", "properties": [], "invertedIndexConfig": {"bm25": {"b": 0.75, "k1": 1.2},
                                                                   "stopwordPresets": {"fr": ["le"], "de": ["der"]}}}
    put = update_class("weaviate", Address("weaviate", (("classes", "A"),)), raw, wanted, {}, [])
    assert put.request is not None and isinstance(put.request.body, dict)
    inverted = put.request.body["invertedIndexConfig"]
    assert inverted["stopwordPresets"] == {"fr": ["le"]} and inverted["bm25"] == {"b": 0.75, "k1": 1.2}


def test_live_inverted_index_without_newer_keys_reads_as_empty() -> None:
    live = class_value({"class": "A", "invertedIndexConfig": {}}, live=True)
    assert live["invertedIndexConfig"]["stopwordPresets"] == {}
    assert live["invertedIndexConfig"]["tokenizerUserDict"] == []
