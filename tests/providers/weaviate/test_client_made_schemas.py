"""Collections made by weaviate-client v4 in the shapes people use, exported and rebuilt.

The source server gets its schema from the official client (named vectors with RQ and flat indexes,
multi-vectors, generative and reranker modules, multi-tenancy, a class-level vector beside named
vectors, nested objects, cross-references in a cycle, an alias). ``baseform export`` writes it; the
export plans as no changes against the source, applies to an empty server of the same release and
converges there, and the client reads back the same configuration from both servers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import weaviate
import weaviate.classes.config as wc
from weaviate.classes.tenants import Tenant

from tests.providers.weaviate.conftest import Weaviate, WeaviateAt
from tests.providers.weaviate.test_vectors_and_modules import connect

MODULES = ("text2vec-openai", "generative-openai", "reranker-cohere", "text2multivec-jinaai")
VQ = wc.Configure.VectorIndex.Quantizer


def make_schema(client: weaviate.WeaviateClient) -> None:
    client.collections.create(
        "Article",
        properties=[wc.Property(name="title", data_type=wc.DataType.TEXT),
                    wc.Property(name="body", data_type=wc.DataType.TEXT, tokenization=wc.Tokenization.WHITESPACE),
                    wc.Property(name="meta", data_type=wc.DataType.OBJECT, nested_properties=[
                        wc.Property(name="source", data_type=wc.DataType.TEXT),
                        wc.Property(name="pages", data_type=wc.DataType.INT)])],
        vector_config=[
            wc.Configure.Vectors.text2vec_openai(name="semantic", source_properties=["title", "body"],
                                                 vector_index_config=wc.Configure.VectorIndex.hnsw(
                                                     quantizer=VQ.rq(bits=8), ef_construction=256)),
            wc.Configure.Vectors.self_provided(name="own", vector_index_config=wc.Configure.VectorIndex.flat(
                quantizer=VQ.bq())),
        ],
        generative_config=wc.Configure.Generative.openai(model="gpt-4o"),
        reranker_config=wc.Configure.Reranker.cohere(),
        inverted_index_config=wc.Configure.inverted_index(bm25_b=0.7, bm25_k1=1.1, index_null_state=True),
    )
    client.collections.create(
        "Author",
        properties=[wc.Property(name="name", data_type=wc.DataType.TEXT)],
        references=[wc.ReferenceProperty(name="wrote", target_collection="Article")],
        vector_config=wc.Configure.Vectors.self_provided(),
    )
    client.collections.get("Article").config.add_reference(
        wc.ReferenceProperty(name="writtenBy", target_collection="Author"))
    client.collections.create(
        "Passage",
        properties=[wc.Property(name="text", data_type=wc.DataType.TEXT)],
        vector_config=[
            wc.Configure.MultiVectors.self_provided(name="colbert"),
            wc.Configure.MultiVectors.text2vec_jinaai(name="jina", source_properties=["text"]),
        ],
    )
    client.collections.create(
        "Note",
        properties=[wc.Property(name="text", data_type=wc.DataType.TEXT)],
        multi_tenancy_config=wc.Configure.multi_tenancy(enabled=True, auto_tenant_creation=True),
        vector_config=wc.Configure.Vectors.self_provided(),
    )
    client.collections.get("Note").tenants.create([Tenant(name="acme"), Tenant(name="globex")])
    client.collections.create("Legacy", vectorizer_config=wc.Configure.Vectorizer.none(),
                              properties=[wc.Property(name="text", data_type=wc.DataType.TEXT)])
    client.collections.get("Legacy").config.add_vector(
        vector_config=wc.Configure.Vectors.self_provided(name="late"))
    client.alias.create(alias_name="Articles", target_collection="Article")


def configs(client: weaviate.WeaviateClient) -> dict[str, dict[str, Any]]:
    """Each collection's configuration as the client reads it, properties and references by name."""
    out = {}
    for name, config in client.collections.list_all(simple=False).items():
        data = config.to_dict()
        for key in ("properties", "references"):
            if isinstance(data.get(key), list):
                data[key] = sorted(data[key], key=lambda p: str(p.get("name")))
        out[name] = data
    return out


def export(server: Weaviate, out: Path) -> str:
    server.manifest("version: 1\nproviders: {weaviate: {}}\n", "providers.yaml")
    result = server.cli("export", "--provider", "weaviate", str(server.tmp / "providers.yaml"), "--out", str(out))
    assert result.code == 0, result.text
    return out.read_text()


@pytest.mark.parametrize("version", ["1.33.0", "1.36.0", "1.39.0"])
def test_a_client_made_schema_exports_and_rebuilds_the_same(weaviate_at: WeaviateAt, tmp_path: Path,
                                                           version: str) -> None:
    source = weaviate_at(version, modules=MODULES)
    client = connect(source)
    try:
        make_schema(client)
        expected = configs(client)
        aliases = {a: r.collection for a, r in client.alias.list_all().items()}
    finally:
        client.close()
    exported = tmp_path / "exported.yaml"
    text = export(source, exported)
    assert source.cli("plan", str(exported), "--detailed-exitcode").code == 0
    target = weaviate_at(version, modules=MODULES, reindex_delay_s=0.0)
    target.server.emulator.reset()
    result = target.cli("apply", str(exported), "--auto-approve")
    assert result.code == 0, result.text
    assert "Converged" in result.out
    rebuilt = connect(target)
    try:
        assert configs(rebuilt) == expected
        assert {a: r.collection for a, r in rebuilt.alias.list_all().items()} == aliases
    finally:
        rebuilt.close()
    assert export(target, tmp_path / "again.yaml") == text
