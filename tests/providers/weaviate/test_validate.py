"""Manifest problems the Weaviate section reports at ``validate`` time, all at once, with file:line."""

from __future__ import annotations

from pathlib import Path

from tests.providers.weaviate.conftest import Weaviate, assert_reported

BAD = """\
weaviate:
  classes:
    - class: 1Article
      properties:
        - {name: title, dataType: [strin]}
        - {name: has-dash, dataType: [text]}
        - {name: id, dataType: [int]}
        - {name: n, dataType: [int], tokenization: word}
        - {name: obj, dataType: [object]}
        - {name: tags, dataType: [text], indexRangeFilters: true}
    - class: Multi
      vectorizer: none
      vectorConfig: {default: {vectorizer: {none: {}}}}
      tenants: [{name: acme}]
      properties:
        - {name: Title, dataType: [text]}
        - {name: title, dataType: [text]}
"""


def test_invalid_names_and_types_are_reported_together_with_lines(weaviate: Weaviate) -> None:
    path = weaviate.manifest(BAD)
    result = weaviate.cli("validate", path)
    assert result.code == 1
    err = result.err
    expected = {
        3: "'1Article' is not a valid class name",
        5: "unknown data type 'strin' (did you mean 'string'?)",
        6: "'has-dash' is not a valid property name",
        7: "'id' is a reserved property name",
        8: "tokenization is allowed only for text/text[]",
        9: "data type 'object' needs at least one nested property",
        10: "indexRangeFilters is allowed only for int, number and date",
        # a class-level vector beside named vectors is fine (1.31+), but not beside one named 'default'
        13: "a named vector called 'default' cannot sit beside a class-level vector",
        14: "tenants need a multi-tenant class",
        17: "weaviate.classes.Multi.properties.title is declared twice",
    }
    assert_reported(err, path, expected)
    # nothing was sent anywhere
    assert weaviate.emulator.stats["requests"] == 0


def test_unknown_key_gets_a_suggestion(weaviate: Weaviate) -> None:
    path = weaviate.manifest("weaviate:\n  classes:\n    - class: Doc\n      vectorIndexTyp: hnsw\n")
    result = weaviate.cli("validate", path)
    assert result.code == 1
    assert f"{path}:4" in result.err and "did you mean 'vectorIndexType'" in result.err


def test_renamed_from_is_a_clear_error(weaviate: Weaviate) -> None:
    path = weaviate.manifest("""\
weaviate:
  classes:
    - class: Post
      renamedFrom: Article
      properties:
        - {name: headline, dataType: [text], renamedFrom: title}
""")
    result = weaviate.cli("validate", path)
    assert result.code == 1
    assert f"{path}:3" in result.err and "Weaviate cannot rename a class" in result.err
    assert f"{path}:6" in result.err and "Weaviate cannot rename or delete a property" in result.err


def test_valid_manifest_validates_without_a_server(weaviate: Weaviate) -> None:
    path = weaviate.manifest("""\
weaviate:
  classes:
    - class: Doc
      multiTenancyConfig: {enabled: true}
      tenants: [{name: acme, activityStatus: ACTIVE}, {name: globex, activityStatus: COLD}]
      properties:
        - {name: geo, dataType: [geoCoordinates]}
        - {name: ref, dataType: [Doc, Other]}
        - {name: o, dataType: ["object[]"], nestedProperties: [{name: x, dataType: [number], indexRangeFilters: true}]}
""")
    result = weaviate.cli("validate", path)
    assert result.code == 0, result.text


def test_reference_to_a_class_that_exists_nowhere_fails_at_plan(weaviate: Weaviate) -> None:
    result = weaviate.plan("weaviate:\n  classes:\n    - class: Doc\n      properties:\n"
                           "        - {name: ref, dataType: [Ghost]}\n")
    assert result.code == 1
    assert "cross-reference to class 'Ghost', which is neither declared nor on the server" in result.err
    assert "baseform.yaml:5" in result.err


def test_settings_the_server_version_lacks_fail_at_plan(weaviate: Weaviate) -> None:
    result = weaviate.plan("weaviate:\n  classes:\n    - class: Doc\n      vectorIndexConfig: {efConstructon: 64}\n"
                           "      properties:\n        - {name: h, dataType: [blobHash]}\n")
    assert result.code == 1
    assert "vectorIndexConfig.efConstructon is not a setting of Weaviate 1.32.0" in result.err
    assert "data type 'blobHash' needs Weaviate 1.37.0 or later" in result.err


def test_example_manifest_applies_and_converges(weaviate: Weaviate) -> None:
    example = Path(__file__).parents[3] / "examples" / "weaviate"
    result = weaviate.cli("apply", str(example), "--auto-approve")
    assert result.code == 0, result.text
    assert "Converged" in result.out
    article = [p["name"] for p in weaviate.emulator.classes["Article"]["properties"]]
    assert article == ["title", "slug", "publishedAt", "tags", "source", "writtenBy"]


def test_vectorizer_module_must_be_enabled_on_the_server(weaviate: Weaviate) -> None:
    result = weaviate.plan("weaviate:\n  classes:\n    - {class: Doc, vectorizer: text2vec-openai}\n"
                           "    - class: Two\n      vectorConfig: {v: {vectorizer: {text2vec-cohere: {}}}}\n")
    assert result.code == 1
    assert "vectorizer module 'text2vec-openai' is not enabled on this server (enabled: none)" in result.err
    assert "'text2vec-cohere' is not enabled" in result.err
    assert weaviate.emulator.classes == {}


SERVER_RULES = """\
weaviate:
  classes:
    - class: Doc
      vectorIndexConfig: {maxConnections: 2, efConstruction: 3, filterStrategy: fastest, multivector: {enabled: true}}
      vectorConfig:
        q: {vectorizer: {none: {}}, vectorIndexConfig: {rq: {enabled: true, bits: 2}}}
        m: {vectorizer: {none: {}}, vectorIndexConfig: {multivector: {muvera: {enabled: true, ksim: 11}}}}
        t: {vectorizer: {text2vec-openai: {}}, vectorIndexConfig: {multivector: {enabled: true}}}
        f: {vectorizer: {none: {}}, vectorIndexType: flat, vectorIndexConfig: {pq: {enabled: true}}}
        h: {vectorizer: {none: {}}, vectorIndexType: hfresh, vectorIndexConfig: {distance: dot}}
      properties:
        - name: meta
          dataType: [object]
          nestedProperties:
            - {name: code, dataType: [text], tokenization: trigram}
        - {name: body, dataType: [text], moduleConfig: {text2vec-cohere: {skip: true}}}
"""


def test_server_rules_are_checked_at_validate_time_with_lines(weaviate: Weaviate) -> None:
    """Rules the server enforces only when the class is created (they failed halfway through an apply)."""
    path = weaviate.manifest(SERVER_RULES)
    result = weaviate.cli("validate", path)
    assert result.code == 1
    expected = {
        4: "maxConnections 2: Weaviate takes 4 to 2047",
        6: "rq.bits 2: Weaviate takes 8, 4 (1.39+) or 1 (1.33+)",
        7: "muvera ksim 11: Weaviate takes at most 10",
        8: "vectorizer 'text2vec-openai' makes one vector per object; a multi-vector index needs",
        9: "PQ is not supported for a flat index",
        10: "distance 'dot': an hfresh index takes 'cosine' or 'l2-squared'",
        15: "tokenization 'trigram' is not allowed in a nested property",
        16: "property 'body' configures vectorizer 'text2vec-cohere', which the class does not use",
    }
    assert_reported(result.err, path, expected)
    assert_reported(result.err, path, [(4, "efConstruction 3: Weaviate takes 4 or more"),
                                       (4, "filterStrategy 'fastest'"),
                                       (4, "a multi-vector index is possible only on a named vector")])
    assert weaviate.emulator.stats["requests"] == 0


def test_a_schema_dump_with_an_extra_top_level_key_names_the_key(weaviate: Weaviate) -> None:
    dump = weaviate.tmp / "schema.json"
    dump.write_text('{\n  "classes": [{"class": "Doc"}],\n  "exportedAt": "2024-05-01"\n}\n')
    result = weaviate.cli("validate", str(dump))
    assert result.code == 1
    assert f"{dump}:3" in result.err and "unknown key 'exportedAt' in a Weaviate schema dump" in result.err
