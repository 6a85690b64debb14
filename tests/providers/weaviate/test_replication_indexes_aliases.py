"""Replication factor changes, in-place index changes and aliases, per Weaviate release.

A replication factor is never planned as a replacement: the server changes it in place or refuses,
and a refusal leaves the class (and its objects) as they were. Property indexes are dropped in place
from 1.36 and created or re-tokenized from 1.39; older servers need a new class, and the plan says
which version would do it in place. Aliases are ``weaviate.aliases.<Alias>``. Every test reads the
server back on its own. Server behaviour: tests/emulators/weaviate/FIDELITY.md (U11, I1-I3, A1-A4).
"""

from __future__ import annotations

from pathlib import Path

from tests.providers.weaviate.conftest import Weaviate, WeaviateAt
from tests.providers.weaviate.test_vectors_and_modules import connect

FACTOR = """
weaviate:
  classes:
    - class: Doc
      replicationConfig: {{factor: {factor}}}
      properties:
        - {{name: title, dataType: [text]}}
"""


def _objects(server: Weaviate, cls: str) -> int:
    with server.http() as http:
        return int(http.get("/v1/objects", params={"class": cls}).json()["totalResults"])


def _seed(server: Weaviate, cls: str = "Doc") -> None:
    with server.http() as http:
        assert http.post("/v1/objects", json={"class": cls, "properties": {"title": "kept"}}).status_code == 200


def test_raising_the_factor_is_an_update_in_place(weaviate_at: WeaviateAt) -> None:
    """It was planned as drop-and-recreate, which deletes the class and its objects."""
    server = weaviate_at("1.34.0", nodes=3)
    assert server.apply(FACTOR.format(factor=1)).code == 0
    _seed(server)
    raised = FACTOR.format(factor=3)
    plan = server.plan(raised)
    assert "will be updated in place" in plan.out and "must be replaced" not in plan.out, plan.text
    assert "refuses it, leaving the class unchanged, when the cluster has fewer than 3 nodes" in plan.out
    result = server.apply(raised)
    assert result.code == 0, result.text
    assert server.schema("Doc")["replicationConfig"]["factor"] == 3
    assert _objects(server, "Doc") == 1
    assert server.converged(raised)


def test_a_refused_factor_leaves_the_class_untouched_and_is_explained(weaviate_at: WeaviateAt) -> None:
    """One node, Weaviate 1.39: the server has no replicas to raise the factor to."""
    server = weaviate_at("1.39.0")
    assert server.apply(FACTOR.format(factor=1)).code == 0
    _seed(server)
    before = server.schema("Doc")
    raised = FACTOR.format(factor=2)
    plan = server.plan(raised)
    assert "update in place; Weaviate 1.35+ accepts it only when every shard of the class already has 2 replicas" \
        in plan.out, plan.text
    result = server.apply(raised)
    assert result.code == 1
    assert "not enough replicas in shard" in result.text
    assert "The class is unchanged" in result.text
    assert server.schema("Doc") == before
    assert _objects(server, "Doc") == 1


def test_lowering_the_factor(weaviate_at: WeaviateAt) -> None:
    """1.35+ lowers it in place; older servers cannot (a located plan error, nothing sent)."""
    server = weaviate_at("1.36.0", nodes=3)
    assert server.apply(FACTOR.format(factor=3)).code == 0
    assert server.apply(FACTOR.format(factor=1)).code == 0
    assert server.schema("Doc")["replicationConfig"]["factor"] == 1
    old = weaviate_at("1.34.0", nodes=3)
    assert old.apply(FACTOR.format(factor=3)).code == 0
    result = old.plan(FACTOR.format(factor=1))
    assert result.code == 1
    assert f"{old.tmp / 'baseform.yaml'}:4" in result.err and "cannot lower a replication factor" in result.err


def test_a_create_with_too_high_a_factor_is_explained(weaviate: Weaviate) -> None:
    result = weaviate.apply(FACTOR.format(factor=2))
    assert result.code == 1
    assert "could not find enough weaviate nodes for replication" in result.text
    assert "fewer nodes than the class's replicationConfig.factor" in result.text


INDEXES = """
weaviate:
  classes:
    - class: Doc
      properties:
        - {{name: title, dataType: [text], tokenization: {tokenization}, indexSearchable: {searchable}}}
        - {{name: year, dataType: [int], indexRangeFilters: {ranged}}}
"""


def test_dropping_an_index_is_in_place_from_136(weaviate_at: WeaviateAt) -> None:
    server = weaviate_at("1.36.0")
    first = INDEXES.format(tokenization="word", searchable="true", ranged="true")
    assert server.apply(first).code == 0
    _seed(server)
    dropped = INDEXES.format(tokenization="word", searchable="false", ranged="false")
    plan = server.plan_json(dropped)
    calls = [(op["request"]["method"], op["request"]["path"]) for op in plan["operations"]]
    assert calls == [("DELETE", "/v1/schema/Doc/properties/title/index/searchable"),
                     ("DELETE", "/v1/schema/Doc/properties/year/index/rangeFilters")]
    result = server.apply(dropped)
    assert result.code == 0, result.text
    props = {p["name"]: p for p in server.schema("Doc")["properties"]}
    assert props["title"]["indexSearchable"] is False and props["year"]["indexRangeFilters"] is False
    assert _objects(server, "Doc") == 1
    assert server.converged(dropped)


def test_creating_an_index_and_changing_the_tokenization_are_in_place_from_139(weaviate_at: WeaviateAt) -> None:
    server = weaviate_at("1.39.0", reindex_delay_s=0.2)
    first = INDEXES.format(tokenization="word", searchable="true", ranged="false")
    assert server.apply(first).code == 0
    _seed(server)
    changed = INDEXES.format(tokenization="field", searchable="true", ranged="true")
    plan = server.plan_json(changed)
    calls = [(op["request"]["method"], op["request"]["path"], op["request"]["body"]) for op in plan["operations"]]
    assert calls == [("PUT", "/v1/schema/Doc/properties/title/index/searchable", {"tokenization": "field"}),
                     ("PUT", "/v1/schema/Doc/properties/year/index/rangeFilters", {})]
    assert all(op["wait"]["path"] == "/v1/schema/Doc/indexes" for op in plan["operations"])
    result = server.apply(changed)
    assert result.code == 0, result.text
    props = {p["name"]: p for p in server.schema("Doc")["properties"]}
    assert props["title"]["tokenization"] == "field" and props["year"]["indexRangeFilters"] is True
    assert _objects(server, "Doc") == 1
    assert server.converged(changed)


def test_older_servers_replace_the_class_and_say_which_version_would_not(weaviate_at: WeaviateAt) -> None:
    for version, change, needs in (
            ("1.35.0", INDEXES.format(tokenization="word", searchable="false", ranged="false"), "1.36"),
            ("1.38.0", INDEXES.format(tokenization="field", searchable="true", ranged="false"), "1.39")):
        server = weaviate_at(version)
        assert server.apply(INDEXES.format(tokenization="word", searchable="true", ranged="false")).code == 0
        plan = server.plan(change)
        assert "weaviate.classes.Doc must be replaced" in plan.out, plan.text
        assert f"needs Weaviate {needs} or later (server {version[:4]})" in plan.out


ALIASES = """
weaviate:
  classes:
    - class: ArticleV1
    - class: ArticleV2
  aliases:
    - {{alias: Articles, class: {target}}}
"""


def test_aliases_are_managed(weaviate_at: WeaviateAt) -> None:
    server = weaviate_at("1.36.0")
    first = ALIASES.format(target="ArticleV1")
    result = server.apply(first)
    assert result.code == 0, result.text
    client = connect(server)
    try:
        assert {a: r.collection for a, r in client.alias.list_all().items()} == {"Articles": "ArticleV1"}
        switched = ALIASES.format(target="ArticleV2")
        plan = server.plan(switched)
        assert "weaviate.aliases.Articles will be updated in place" in plan.out, plan.text
        assert server.apply(switched).code == 0
        assert client.alias.get(alias_name="Articles").collection == "ArticleV2"  # type: ignore[union-attr]
        assert server.converged(switched)
        pruned = "weaviate:\n  prune: true\n  classes:\n    - class: ArticleV1\n    - class: ArticleV2\n"
        assert server.apply(pruned, "--allow-destroy").code == 0
        assert client.alias.list_all() == {}
    finally:
        client.close()


def test_a_class_named_like_a_live_alias_is_a_located_plan_error(weaviate_at: WeaviateAt) -> None:
    server = weaviate_at("1.36.0")
    assert server.apply(ALIASES.format(target="ArticleV1")).code == 0
    manifest = "weaviate:\n  classes:\n    - class: ArticleV1\n    - class: Articles\n"
    result = server.plan(manifest)
    assert result.code == 1
    assert f"{server.tmp / 'baseform.yaml'}:4" in result.err
    assert "the server has an alias of that name (pointing to 'ArticleV1')" in result.err
    taken = "weaviate:\n  aliases:\n    - {alias: ArticleV2, class: ArticleV1}\n"
    result = server.plan(taken)
    assert result.code == 1 and f"{server.tmp / 'baseform.yaml'}:3" in result.err
    assert "alias 'ArticleV2': the server has a class of that name" in result.err


def test_aliases_need_132_and_validate_against_classes(weaviate_at: WeaviateAt) -> None:
    old = weaviate_at("1.31.0")
    result = old.plan(ALIASES.format(target="ArticleV1"))
    assert result.code == 1 and "aliases need Weaviate 1.32 or later" in result.err
    clash = ALIASES.format(target="ArticleV1").replace("alias: Articles", "alias: articleV2")
    result = old.cli("validate", old.manifest(clash))
    assert result.code == 1 and f"{old.tmp / 'baseform.yaml'}:7" in result.err
    assert "alias 'ArticleV2' has the name of a declared class" in result.err


def test_aliases_export_and_rebuild(weaviate_at: WeaviateAt, tmp_path: Path) -> None:
    source = weaviate_at("1.39.0")
    client = connect(source)
    try:
        client.collections.create("Products")
        client.alias.create(alias_name="Catalog", target_collection="Products")
    finally:
        client.close()
    source.manifest("version: 1\nproviders: {weaviate: {}}\n", "providers.yaml")
    exported = tmp_path / "exported.yaml"
    assert source.cli("export", "--provider", "weaviate", str(tmp_path / "providers.yaml"), "--out",
                      str(exported)).code == 0
    target = weaviate_at("1.33.0")
    assert target.cli("apply", str(exported), "--auto-approve").code == 0
    rebuilt = connect(target)
    try:
        assert {a: r.collection for a, r in rebuilt.alias.list_all().items()} == {"Catalog": "Products"}
    finally:
        rebuilt.close()
