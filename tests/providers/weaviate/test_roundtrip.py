"""Export round trip against two Weaviate emulators: a rich schema on server A is exported, the file
plans as no changes on A, rebuilds the same schema on an empty server B, and B exports the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from baseform.secrets import MASK
from tests.emulators.server import RunningEmulator, serve
from tests.emulators.weaviate import WeaviateEmulator
from tests.providers.weaviate.conftest import API_KEY, Weaviate

PROVIDERS = """\
version: 1
providers:
  weaviate: {url: "{{ env.WEAVIATE_URL }}", apiKey: "{{ env.WEAVIATE_API_KEY }}"}
"""

# Every data type, every tokenization, nested objects two levels deep, index flags, vector index,
# inverted index, replication and sharding settings, named vectors, cross-references forming a cycle
# (Article <-> Author), a self-reference and a multi-target reference, a multi-tenant class with
# tenants, and an empty class.
RICH = PROVIDERS + """\
weaviate:
  classes:
    - class: Article
      description: Published articles
      vectorIndexConfig: {distance: dot, ef: 128, efConstruction: 64, maxConnections: 16,
                          pq: {enabled: true, segments: 8}}
      invertedIndexConfig:
        bm25: {b: 0.7, k1: 1.3}
        stopwords: {preset: none, additions: [zeta, alpha], removals: [the]}
        indexTimestamps: true
        indexNullState: true
        indexPropertyLength: true
        cleanupIntervalSeconds: 120
      replicationConfig: {deletionStrategy: DeleteOnConflict}
      shardingConfig: {virtualPerPhysical: 64}
      properties:
        - {name: title, dataType: [text], tokenization: word, description: The title}
        - {name: slug, dataType: [text], tokenization: field, indexSearchable: false}
        - {name: code, dataType: [text], tokenization: lowercase, indexFilterable: false}
        - {name: words, dataType: [text], tokenization: whitespace}
        - {name: grams, dataType: [text], tokenization: trigram}
        - {name: publishedAt, dataType: [date], indexRangeFilters: true}
        - {name: tags, dataType: ["text[]"]}
        - {name: count, dataType: [int], indexRangeFilters: true}
        - {name: counts, dataType: ["int[]"]}
        - {name: score, dataType: [number]}
        - {name: scores, dataType: ["number[]"]}
        - {name: flag, dataType: [boolean]}
        - {name: flags, dataType: ["boolean[]"]}
        - {name: dates, dataType: ["date[]"]}
        - {name: uid, dataType: [uuid]}
        - {name: uids, dataType: ["uuid[]"]}
        - {name: place, dataType: [geoCoordinates]}
        - {name: phone, dataType: [phoneNumber]}
        - {name: image, dataType: [blob]}
        - name: source
          dataType: [object]
          nestedProperties:
            - {name: url, dataType: [text], tokenization: field}
            - {name: fetchedAt, dataType: [date]}
            - name: meta
              dataType: ["object[]"]
              nestedProperties:
                - {name: k, dataType: [text]}
                - {name: v, dataType: [number]}
        - {name: writtenBy, dataType: [Author]}
        - {name: mentions, dataType: [Author, Article]}
    - class: Author
      vectorConfig:
        name: {vectorizer: {none: {}}, vectorIndexType: flat, vectorIndexConfig: {distance: l2-squared}}
        bio: {vectorizer: {none: {}}}
      properties:
        - {name: name, dataType: [text]}
        - {name: articles, dataType: [Article]}
        - {name: mentor, dataType: [Author]}
    - class: Note
      multiTenancyConfig: {enabled: true, autoTenantCreation: true, autoTenantActivation: true}
      vectorIndexConfig: {ef: 64}
      properties:
        - {name: body, dataType: [text]}
      tenants:
        - {name: acme}
        - {name: globex, activityStatus: INACTIVE}
    - class: Plain
"""


@pytest.fixture(scope="module")
def server_b_once() -> Iterator[RunningEmulator]:
    running = serve(WeaviateEmulator("1.32.0", api_key=API_KEY))
    yield running
    running.stop()


@pytest.fixture
def server_b(server_b_once: RunningEmulator, tmp_path: Path) -> Weaviate:
    """A second, empty Weaviate 1.32 that requires the same API key as ``weaviate_auth``."""
    server_b_once.emulator.reset()
    return Weaviate(server_b_once, tmp_path, API_KEY)


def cli(server: Weaviate, *argv: str | Path) -> str:
    result = server.cli(*(str(a) for a in argv))
    assert result.code == 0, result.text
    return result.out


def export(server: Weaviate, path: Path, out: Path) -> str:
    """``baseform export --provider weaviate PATH --out OUT`` against ``server``; the file's text."""
    cli(server, "export", "--provider", "weaviate", path, "--out", out)
    return out.read_text()


def plan_exit(server: Weaviate, path: Path) -> int:
    return server.cli("plan", str(path), "--detailed-exitcode").code


def test_export_round_trips_through_an_empty_server(weaviate_auth: Weaviate, server_b: Weaviate,
                                                     tmp_path: Path) -> None:
    source = tmp_path / "source.yaml"
    source.write_text(RICH)
    cli(weaviate_auth, "apply", source, "--auto-approve")
    file1 = export(weaviate_auth, source, tmp_path / "file1.yaml")
    for value in (API_KEY, weaviate_auth.server.url, MASK):
        assert value not in file1
    document = yaml.safe_load(file1)
    assert document["providers"] == {"weaviate": {"url": '{{ env.WEAVIATE_URL | default("") }}',
                                                  "apiKey": '{{ env.WEAVIATE_API_KEY | default("") }}'}}
    classes: dict[str, Any] = {c["class"]: c for c in document["weaviate"]["classes"]}
    assert list(classes) == ["Article", "Author", "Note", "Plain"]
    # the vector index type is always written: its default depends on the server (DEFAULT_VECTOR_INDEX)
    assert classes["Plain"] == {"class": "Plain", "vectorizer": "none", "vectorIndexType": "hnsw"}
    # cross-references come last, by name; the others keep the manifest's order
    assert [p["name"] for p in classes["Author"]["properties"]] == ["name", "articles", "mentor"]
    assert [p["name"] for p in classes["Article"]["properties"]][-3:] == ["source", "mentions", "writtenBy"]
    # tenants belong to the application: not exported
    assert "tenants" not in classes["Note"]
    assert plan_exit(weaviate_auth, tmp_path / "file1.yaml") == 0
    assert export(weaviate_auth, source, tmp_path / "again.yaml") == file1

    cli(server_b, "apply", tmp_path / "file1.yaml", "--auto-approve")
    assert export(server_b, tmp_path / "file1.yaml", tmp_path / "file2.yaml") == file1
    # B has the whole schema; only the tenants the source manifest lists are missing
    plan = server_b.cli("plan", str(source), "--format", "json")
    assert plan.code == 0, plan.text
    pending = {c["address"]: c["action"] for c in json.loads(plan.out)["changes"] if c["action"] != "no-op"}
    assert pending == {"weaviate.classes.Note.tenants.acme": "create",
                       "weaviate.classes.Note.tenants.globex": "create"}


def test_classes_made_with_raw_api_calls_export_without_server_defaults(weaviate_136: Weaviate,
                                                                        tmp_path: Path) -> None:
    with httpx.Client(base_url=weaviate_136.server.url, trust_env=False) as http:
        for body in (
            {"class": "Hand", "properties": [
                {"name": "title", "dataType": ["text"]}, {"name": "n", "dataType": ["int"]},
                {"name": "old", "dataType": ["string"]},
                {"name": "obj", "dataType": ["object"], "nestedProperties": [
                    {"name": "z", "dataType": ["text"]}, {"name": "a", "dataType": ["int"]}]}]},
            {"class": "Vec", "vectorizer": "text2vec-openai", "properties": [{"name": "body", "dataType": ["text"]}]},
            {"class": "Named", "vectorConfig": {"v": {"vectorizer": {"text2vec-openai": {}},
                                                      "vectorIndexType": "hnsw"}}},
            {"class": "Tenanted", "multiTenancyConfig": {"enabled": True}},
        ):
            made = http.post("/v1/schema", json=body)
            assert made.status_code == 200, made.text
    providers = tmp_path / "providers.yaml"
    providers.write_text("version: 1\nproviders: {weaviate: {}}\n")
    exported = yaml.safe_load(export(weaviate_136, providers, tmp_path / "exported.yaml"))["weaviate"]["classes"]
    openai = {"vectorizeClassName": True, "baseURL": "https://api.openai.com", "model": "text-embedding-3-small"}
    assert exported == [
        {"class": "Hand", "vectorizer": "none", "vectorIndexType": "hnsw", "properties": [
            {"name": "title", "dataType": ["text"]}, {"name": "n", "dataType": ["int"]},
            # the server stored the deprecated type as text with whitespace tokenization
            {"name": "old", "dataType": ["text"], "tokenization": "whitespace"},
            {"name": "obj", "dataType": ["object"], "nestedProperties": [
                {"name": "z", "dataType": ["text"]}, {"name": "a", "dataType": ["int"]}]}]},
        # the module's defaults, stored by the server at create, are part of the class
        {"class": "Named", "vectorConfig": {"v": {"vectorizer": {"text2vec-openai": openai},
                                                  "vectorIndexType": "hnsw"}}},
        {"class": "Tenanted", "vectorizer": "none", "vectorIndexType": "hnsw", "multiTenancyConfig": {"enabled": True}},
        {"class": "Vec", "vectorizer": "text2vec-openai", "vectorIndexType": "hnsw",
         "moduleConfig": {"text2vec-openai": openai}, "properties": [{"name": "body", "dataType": ["text"]}]},
    ]
    assert plan_exit(weaviate_136, tmp_path / "exported.yaml") == 0
