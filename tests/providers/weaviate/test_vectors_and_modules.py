"""Named vectors, vector index settings and modules as current Weaviate servers handle them.

Each test reads the server back on its own (raw HTTP or weaviate-client) after the CLI applied a
manifest, and plans again to show nothing is left. Server behaviour: tests/emulators/weaviate/FIDELITY.md.
"""

from __future__ import annotations

from pathlib import Path

import weaviate
import weaviate.classes.config as wc

from tests.emulators.test_weaviate_conformance import GRPC_PORT
from tests.providers.weaviate.conftest import Weaviate, WeaviateAt

MODULES = ("text2vec-openai", "generative-openai", "generative-cohere", "reranker-cohere", "reranker-jinaai")


def connect(server: Weaviate) -> weaviate.WeaviateClient:
    return weaviate.connect_to_custom(http_host="127.0.0.1", http_port=server.server.port, http_secure=False,
                                      grpc_host="127.0.0.1", grpc_port=GRPC_PORT, grpc_secure=False,
                                      skip_init_checks=True)


LEGACY = """
weaviate:
  classes:
    - class: Doc
      vectorizer: none
      vectorIndexConfig: {ef: 64}
      properties:
        - {name: title, dataType: [text]}
"""
BOTH = LEGACY.replace("      properties:", """      vectorConfig:
        body: {vectorizer: {none: {}}, vectorIndexType: flat}
      properties:""")


def test_first_named_vector_is_added_beside_the_class_level_vector(weaviate: Weaviate) -> None:
    """Adding the first named vector to a class with a class-level vector was an IndexError in plan."""
    assert weaviate.apply(LEGACY).code == 0
    with weaviate.http() as http:
        http.post("/v1/objects", json={"class": "Doc", "properties": {"title": "kept"}})
    plan = weaviate.plan(BOTH)
    assert plan.code == 0, plan.text
    assert "weaviate.classes.Doc will be updated in place" in plan.out
    assert weaviate.apply(BOTH).code == 0
    doc = weaviate.schema("Doc")
    assert doc["vectorizer"] == "none" and doc["vectorIndexConfig"]["ef"] == 64
    assert doc["vectorConfig"]["body"]["vectorIndexType"] == "flat"
    with weaviate.http() as http:
        assert http.get("/v1/objects", params={"class": "Doc"}).json()["totalResults"] == 1
    assert weaviate.converged(BOTH)


def test_a_class_with_both_vector_shapes_is_created(weaviate: Weaviate) -> None:
    """The server refuses both shapes in one create: the class is created, then given its named vectors."""
    result = weaviate.apply(BOTH)
    assert result.code == 0, result.text
    doc = weaviate.schema("Doc")
    assert doc["vectorizer"] == "none" and doc["vectorIndexType"] == "hnsw"
    assert set(doc["vectorConfig"]) == {"body"}
    assert doc["replicationConfig"]["deletionStrategy"] == "NoAutomatedResolution"  # the create's default, kept
    assert [p["name"] for p in doc["properties"]] == ["title"]
    assert weaviate.converged(BOTH)


def test_both_vector_shapes_need_131(weaviate_130: Weaviate) -> None:
    result = weaviate_130.plan(BOTH)
    assert result.code == 1
    assert f"{weaviate_130.tmp / 'baseform.yaml'}:4" in result.err
    assert "a class-level vector beside named vectors needs Weaviate 1.31 or later" in result.err


def test_export_keeps_the_class_level_vector_beside_named_vectors(weaviate_at: WeaviateAt, tmp_path: Path) -> None:
    """A class made by the client with a class-level vector, then given a named vector: the export had
    dropped the class-level vector, so re-applying it lost it."""
    source = weaviate_at("1.36.0")
    client = connect(source)
    try:
        client.collections.create("Legacy", vectorizer_config=wc.Configure.Vectorizer.none(),
                                   vector_index_config=wc.Configure.VectorIndex.hnsw(ef=77))
        client.collections.get("Legacy").config.add_vector(
            vector_config=wc.Configure.Vectors.self_provided(name="extra"))
    finally:
        client.close()
    exported = tmp_path / "exported.yaml"
    source.manifest("version: 1\nproviders: {weaviate: {}}\n", "providers.yaml")
    result = source.cli("export", "--provider", "weaviate", str(tmp_path / "providers.yaml"), "--out", str(exported))
    assert result.code == 0, result.text
    text = exported.read_text()
    assert "vectorizer: none" in text and "extra:" in text
    target = weaviate_at("1.33.0")
    applied = target.cli("apply", str(exported), "--auto-approve")
    assert applied.code == 0, applied.text
    rebuilt = target.schema("Legacy")
    assert rebuilt["vectorizer"] == "none" and rebuilt["vectorIndexConfig"]["ef"] == 77
    assert set(rebuilt["vectorConfig"]) == {"extra"}


GENERATIVE = """
weaviate:
  classes:
    - class: Doc
      vectorConfig:
        main: {{vectorizer: {{text2vec-openai: {{}}}}, vectorIndexType: hnsw}}
      moduleConfig: {{{generative}: {{model: m1}}, reranker-cohere: {{}}}}
      properties:
        - {{name: title, dataType: [text]}}
"""


def test_a_generative_module_switch_is_an_update_that_sends_only_the_new_module(weaviate_at: WeaviateAt) -> None:
    """The old and the new generative module were sent together and the server refused the update."""
    server = weaviate_at("1.36.0", modules=MODULES)
    assert server.apply(GENERATIVE.format(generative="generative-openai")).code == 0
    switched = GENERATIVE.format(generative="generative-cohere")
    plan = server.plan_json(switched)
    change = next(c for c in plan["changes"] if c["address"] == "weaviate.classes.Doc")
    assert change["action"] == "update"
    assert {d["path"]: (d["before"], d["after"]) for d in change["diff"]} == {
        "moduleConfig.generative-cohere": (None, {"model": "m1"}),
        "moduleConfig.generative-openai": ({"model": "m1"}, None)}
    put = next(op for op in plan["operations"] if op["request"]["method"] == "PUT")
    assert set(put["request"]["body"]["moduleConfig"]) == {"generative-cohere", "reranker-cohere"}
    text = server.plan(switched).out
    assert '~ moduleConfig.generative-openai = {"model": "m1"} -> (unset)' in text
    assert '~ moduleConfig.generative-cohere = (unset) -> {"model": "m1"}' in text
    result = server.apply(switched)
    assert result.code == 0, result.text
    assert set(server.schema("Doc")["moduleConfig"]) == {"generative-cohere", "reranker-cohere"}
    assert server.converged(switched)


def test_a_reranker_switch_and_a_kind_the_manifest_leaves_out(weaviate_at: WeaviateAt) -> None:
    server = weaviate_at("1.36.0", modules=MODULES)
    assert server.apply(GENERATIVE.format(generative="generative-openai")).code == 0
    reranker = GENERATIVE.format(generative="generative-openai").replace("reranker-cohere", "reranker-jinaai")
    plan = server.plan(reranker)
    assert "will be updated in place" in plan.out and "must be replaced" not in plan.out, plan.text
    assert server.apply(reranker).code == 0
    assert set(server.schema("Doc")["moduleConfig"]) == {"generative-openai", "reranker-jinaai"}
    # a generative module the manifest no longer names is left as the server has it (Weaviate cannot
    # remove one in place, and the manifest says nothing about generative modules any more)
    without = reranker.replace("generative-openai: {model: m1}, ", "")
    assert server.converged(without)


def test_module_config_empty_equals_none(weaviate_at: WeaviateAt) -> None:
    """`moduleConfig: {}` (what some servers answer) planned `(unset) -> {}` forever."""
    server = weaviate_at("1.36.0", modules=MODULES)
    manifest = """
    weaviate:
      classes:
        - class: Plain
          vectorizer: none
          moduleConfig: {}
    """
    result = server.apply(manifest)
    assert result.code == 0, result.text
    with server.http() as http:  # a server that stores and answers an empty module config
        body = http.get("/v1/schema/Plain").json()
        body["moduleConfig"] = {}
        assert http.put("/v1/schema/Plain", json=body).status_code == 200
    assert server.schema("Plain")["moduleConfig"] == {}
    assert server.converged(manifest)
    assert server.converged(manifest.replace("          moduleConfig: {}\n", ""))


def test_async_enabled_plans_nothing_on_138(weaviate_at: WeaviateAt) -> None:
    """1.38 no longer stores replicationConfig.asyncEnabled; declaring it planned a change forever."""
    server = weaviate_at("1.38.0")
    manifest = """
    weaviate:
      classes:
        - class: Doc
          replicationConfig: {asyncEnabled: true, deletionStrategy: TimeBasedResolution}
    """
    assert server.apply(manifest).code == 0
    assert "asyncEnabled" not in server.schema("Doc")["replicationConfig"]
    assert server.converged(manifest)
    older = weaviate_at("1.37.0")
    assert older.apply(manifest).code == 0
    assert older.schema("Doc")["replicationConfig"]["asyncEnabled"] is True
    assert older.converged(manifest)


def test_skip_default_quantization_opts_out_of_the_server_default(weaviate_at: WeaviateAt) -> None:
    """skipDefaultQuantization was stripped from create bodies, so the server quantized anyway."""
    server = weaviate_at("1.36.0", default_quantization="rq-8")
    manifest = """
    weaviate:
      classes:
        - class: Exact
          vectorConfig:
            v: {vectorizer: {none: {}}, vectorIndexType: hnsw, vectorIndexConfig: {skipDefaultQuantization: true}}
        - class: Default
          vectorConfig:
            v: {vectorizer: {none: {}}, vectorIndexType: hnsw}
    """
    assert server.apply(manifest).code == 0
    exact = server.schema("Exact")["vectorConfig"]["v"]["vectorIndexConfig"]
    assert exact["skipDefaultQuantization"] is True and exact["rq"]["enabled"] is False
    default = server.schema("Default")["vectorConfig"]["v"]["vectorIndexConfig"]
    assert default["rq"]["enabled"] is True and default["trackDefaultQuantization"] is True
    assert server.converged(manifest)
    # a server without the setting in its index type drops it: no difference planned there
    older = weaviate_at("1.32.0")
    assert older.apply(manifest).code == 0 and older.converged(manifest)


NAMED_NO_TYPE = """
weaviate:
  classes:
    - class: Doc
      vectorConfig:
        v: {vectorizer: {none: {}}}
"""


def test_a_named_vector_without_index_type_on_servers_before_1375(weaviate_at: WeaviateAt) -> None:
    """Servers before 1.37.5 refuse a named vector without vectorIndexType; the create sends hnsw."""
    server = weaviate_at("1.36.0")
    result = server.apply(NAMED_NO_TYPE)
    assert result.code == 0, result.text
    assert server.schema("Doc")["vectorConfig"]["v"]["vectorIndexType"] == "hnsw"
    assert server.converged(NAMED_NO_TYPE)
    newer = weaviate_at("1.39.0", default_vector_index="flat")
    assert newer.apply(NAMED_NO_TYPE).code == 0
    assert newer.schema("Doc")["vectorConfig"]["v"]["vectorIndexType"] == "flat"  # the server's default
    assert newer.converged(NAMED_NO_TYPE)


def test_exported_named_vectors_keep_their_index_type(weaviate_at: WeaviateAt, tmp_path: Path) -> None:
    """The export omitted the index type, which older servers refuse and other servers default differently."""
    source = weaviate_at("1.39.0", default_vector_index="flat")
    assert source.apply(NAMED_NO_TYPE).code == 0
    source.manifest("version: 1\nproviders: {weaviate: {}}\n", "providers.yaml")
    exported = tmp_path / "exported.yaml"
    assert source.cli("export", "--provider", "weaviate", str(tmp_path / "providers.yaml"), "--out",
                      str(exported)).code == 0
    assert "vectorIndexType: flat" in exported.read_text()
    target = weaviate_at("1.36.0")
    result = target.cli("apply", str(exported), "--auto-approve")
    assert result.code == 0, result.text
    assert target.schema("Doc")["vectorConfig"]["v"]["vectorIndexType"] == "flat"


def test_hfresh_and_dropped_vector_indexes(weaviate_at: WeaviateAt) -> None:
    """vectorIndexType hfresh (experimental) and none (a dropped index, 1.37+) failed validation."""
    server = weaviate_at("1.39.0", hfresh=True, drop_vector_index=True)
    manifest = """
    weaviate:
      classes:
        - class: Doc
          vectorConfig:
            fresh: {vectorizer: {none: {}}, vectorIndexType: hfresh, vectorIndexConfig: {searchProbe: 128}}
            old: {vectorizer: {none: {}}, vectorIndexType: hnsw}
    """
    assert server.cli("validate", server.manifest(manifest)).code == 0
    result = server.apply(manifest)
    assert result.code == 0, result.text
    assert server.schema("Doc")["vectorConfig"]["fresh"]["vectorIndexConfig"]["searchProbe"] == 128
    with server.http() as http:
        assert http.delete("/v1/schema/Doc/vectors/old/index").status_code == 200
    dropped = manifest.replace("old: {vectorizer: {none: {}}, vectorIndexType: hnsw}",
                               "old: {vectorizer: {none: {}}, vectorIndexType: none}")
    assert server.converged(dropped)
    plan = server.plan(manifest)
    assert "must be replaced" in plan.out and "was dropped on the server" in plan.out
    fresh = weaviate_at("1.39.0", hfresh=True)
    result = fresh.plan(dropped)
    assert result.code == 1
    assert f"{fresh.tmp / 'baseform.yaml'}:4" in result.err
    assert "vectorConfig.old.vectorIndexType none describes a vector whose index was dropped" in result.err


def test_old_style_manifest_against_a_client_made_collection_explains_both_shapes(weaviate: Weaviate) -> None:
    """weaviate-client v4 gives a collection an implicit named vector 'default'; an old-style manifest
    (vectorizer: none) got a terse destructive replacement."""
    client = connect(weaviate)
    try:
        client.collections.create("Article", properties=[wc.Property(name="title", data_type=wc.DataType.TEXT)])
    finally:
        client.close()
    manifest = """
    weaviate:
      classes:
        - class: Article
          vectorizer: none
          properties:
            - {name: title, dataType: [text]}
    """
    plan = weaviate.plan(manifest)
    assert plan.code == 0 and "must be replaced" in plan.out
    assert "only named vectors (vectorConfig), the shape weaviate-client v4 creates" in plan.out
    assert "vectorConfig: {default: {vectorizer: {none: {}}}}" in plan.out
    shaped = manifest.replace("vectorizer: none", "vectorConfig: {default: {vectorizer: {none: {}}}}")
    assert weaviate.converged(shaped)
