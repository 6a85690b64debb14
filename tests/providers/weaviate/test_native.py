"""A Weaviate schema dump (the body of GET /v1/schema, or one class) as a manifest, against the emulator.

``native/schema.json`` is what ``GET /v1/schema`` returns for three classes (cross-references both
ways, a nested object, a multi-tenant class with a named vector), every server-filled default
included, plus the read-only ``searchableBlockmax``/``bucketGeneration`` keys a migrated server
shows on a property; ``native/Author.json`` is ``GET /v1/schema/Author``.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.providers.weaviate.conftest import Weaviate

NATIVE = Path(__file__).parent / "native"
SCHEMA = NATIVE / "schema.json"


def _line(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_schema_dump_applies_to_an_empty_server_and_then_plans_no_changes(weaviate: Weaviate) -> None:
    assert weaviate.cli("validate", str(SCHEMA)).out == "Valid: 12 resource(s) in 1 file(s).\n"
    result = weaviate.cli("apply", str(SCHEMA), "--auto-approve")
    assert result.code == 0 and "Converged" in result.out, result.text
    assert weaviate.cli("plan", str(SCHEMA), "--detailed-exitcode").code == 0
    article = weaviate.emulator.classes["Article"]
    assert article["invertedIndexConfig"]["bm25"] == {"b": 0.7, "k1": 1.1}
    assert article["vectorIndexConfig"]["distance"] == "dot"
    assert {p["name"]: p["dataType"] for p in article["properties"]}["writtenBy"] == ["Author"]
    assert weaviate.emulator.classes["Chunk"]["multiTenancyConfig"]["autoTenantCreation"] is True


def test_a_list_of_classes_is_read_too(weaviate: Weaviate) -> None:
    classes = weaviate.tmp / "classes.json"
    classes.write_text(json.dumps(json.loads(SCHEMA.read_text())["classes"][:1], indent=2))
    result = weaviate.cli("validate", str(classes))
    assert result.out == "Valid: 4 resource(s) in 1 file(s).\n", result.text


def test_a_dump_of_a_server_plans_no_changes_against_it(weaviate: Weaviate) -> None:
    weaviate.apply("""
    weaviate:
      classes:
        - class: Review
          vectorizer: none
          vectorIndexType: flat
          properties:
            - {name: stars, dataType: [int], indexRangeFilters: true}
            - {name: text, dataType: [text], tokenization: whitespace}
    """)
    dump = weaviate.tmp / "schema.json"
    dump.write_text(httpx.get(f"{weaviate.server.url}/v1/schema").text)
    result = weaviate.cli("plan", str(dump), "--detailed-exitcode")
    assert result.code == 0, result.text


def test_one_class_as_get_schema_class_returns_it(weaviate: Weaviate) -> None:
    author = NATIVE / "Author.json"
    alone = weaviate.cli("plan", str(author))
    # its cross-reference needs the other class: named at the property's line in the file
    wrote = _line(author, '"wrote"') - 1  # the line opening the property's object
    assert alone.code == 1
    assert f"{author}:{wrote}:5: cross-reference to class 'Article', which is neither " \
           "declared nor on the server" in alone.err, alone.err
    assert weaviate.cli("apply", str(SCHEMA), "--auto-approve").code == 0
    assert weaviate.cli("plan", str(author), "--detailed-exitcode").code == 0


def test_problems_in_a_dump_name_its_lines(weaviate: Weaviate) -> None:
    data = json.loads(SCHEMA.read_text())
    data["classes"][0]["vectorIndexTyp"] = "hnsw"
    path = weaviate.tmp / "schema.json"
    path.write_text(json.dumps(data, indent=2))
    result = weaviate.cli("plan", str(path))
    typo = _line(path, '"vectorIndexTyp"')
    assert result.code == 1
    assert f"{path}:{typo}:7: unknown key 'vectorIndexTyp' (did you mean 'vectorIndexType'?)" in result.err
    data["classes"][0].pop("vectorIndexTyp")
    data["classes"][0]["properties"][1]["dataType"] = ["dat"]
    path.write_text(json.dumps(data, indent=2))
    result = weaviate.cli("plan", str(path))
    assert result.code == 1
    data_type = _line(path, '"dat"') - 1  # the line of the dataType list
    assert f"{path}:{data_type}:23: unknown data type 'dat' (did you mean 'date'?)" in result.err, result.err
    assert weaviate.emulator.stats.get("requests", 0) == 0
