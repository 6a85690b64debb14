"""Conformance of the Weaviate emulator, driven through the official ``weaviate-client`` v4.

Each test states a behaviour of the released servers listed in ``tests/emulators/weaviate/FIDELITY.md``
(rows named ``FIDELITY <id>``) and checks that the emulator shows it to the real client; the
per-release rows are proven in ``test_weaviate_releases.py``. The emulator has no gRPC, so the client connects with
``skip_init_checks=True`` and only REST-backed calls are used; where the client would use gRPC the
test talks plain HTTP (``httpx``) and says why.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import weaviate
import weaviate.classes.config as wc
from weaviate.classes.tenants import Tenant, TenantActivityStatus
from weaviate.exceptions import UnexpectedStatusCodeError, WeaviateBaseError

from tests.emulators.server import RunningEmulator, serve
from tests.emulators.weaviate import WeaviateEmulator, stop_all

API_KEY = "s3cret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Never dialled: the client only opens gRPC lazily and these tests make no gRPC calls.
GRPC_PORT = _free_port()


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, RunningEmulator]]:
    """One emulator per configuration, shared by the module and reset between tests."""
    running = {
        "default": serve(WeaviateEmulator()),
        "1.27": serve(WeaviateEmulator("1.27.0")),
        "1.30": serve(WeaviateEmulator("1.30.0")),
        "1.36": serve(
            WeaviateEmulator("1.36.0", modules=("text2vec-openai", "generative-openai", "offload-s3"))
        ),
        "auth": serve(WeaviateEmulator(api_key=API_KEY)),
    }
    yield running
    stop_all(running.values())


@pytest.fixture(autouse=True)
def _clean(servers: dict[str, RunningEmulator]) -> None:
    for server in servers.values():
        server.emulator.reset()
        server.emulator.set_faults(latency_ms=0, error_5xx_rate=0, drop_after_commit_rate=0, hang_s=0)


def connect(server: RunningEmulator, api_key: str | None = None) -> weaviate.WeaviateClient:
    return weaviate.connect_to_custom(
        http_host="127.0.0.1",
        http_port=server.port,
        http_secure=False,
        grpc_host="127.0.0.1",
        grpc_port=GRPC_PORT,
        grpc_secure=False,
        skip_init_checks=True,
        auth_credentials=weaviate.auth.AuthApiKey(api_key) if api_key else None,
    )


@pytest.fixture
def server(servers: dict[str, RunningEmulator]) -> RunningEmulator:
    return servers["default"]


@pytest.fixture
def client(server: RunningEmulator) -> Iterator[weaviate.WeaviateClient]:
    c = connect(server)
    yield c
    c.close()


@pytest.fixture
def http(server: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + "/v1") as h:
        yield h


def message(exc: UnexpectedStatusCodeError) -> str:
    return str(exc.error)


def raw_class(server: RunningEmulator, name: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{server.url}/v1/schema/{name}").json()
    return body


# -- meta, readiness, auth -------------------------------------------------------------------------


def test_meta_reports_version_and_modules(servers: dict[str, RunningEmulator]) -> None:
    c = connect(servers["1.36"])
    try:
        meta = c.get_meta()
    finally:
        c.close()
    assert meta["version"] == "1.36.0"
    assert set(meta["modules"]) == {"text2vec-openai", "generative-openai", "offload-s3"}


def test_api_key_auth(servers: dict[str, RunningEmulator]) -> None:
    """FIDELITY P7."""
    server = servers["auth"]
    c = connect(server, API_KEY)
    try:
        c.collections.create("Secured")
        assert c.collections.exists("Secured")
    finally:
        c.close()
    anonymous = httpx.get(f"{server.url}/v1/schema")
    assert anonymous.status_code == 401
    assert anonymous.json() == {
        "code": 401,
        "message": "anonymous access not enabled. Please authenticate through "
        "one of the available methods: [API-keys]",
    }
    wrong = httpx.get(f"{server.url}/v1/schema", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    # Readiness and liveness are answered before authentication.
    assert httpx.get(f"{server.url}/v1/.well-known/ready").status_code == 200
    assert httpx.get(f"{server.url}/v1/.well-known/live").status_code == 200


def test_authorization_header_without_auth_scheme_is_rejected(http: httpx.Client) -> None:
    """FIDELITY P7."""
    r = http.get("/schema", headers={"Authorization": "Bearer x"})
    assert r.status_code == 401
    assert r.json()["message"].startswith("no authentication scheme is configured (API Key or OIDC)")


# -- create and defaults -------------------------------------------------------------------------------


def test_rest_create_fills_documented_defaults(http: httpx.Client) -> None:
    """FIDELITY C1, C3, C8, C10, C11, P1."""
    body = {"class": "article", "properties": [{"name": "Title", "dataType": ["text"]}]}
    created = http.post("/schema", json=body)
    assert created.status_code == 200
    stored = http.get("/schema/article").json()
    assert created.json() == stored  # POST echoes the class after defaulting
    assert stored["class"] == "Article"
    assert stored["properties"] == [
        {
            "name": "title",
            "dataType": ["text"],
            "tokenization": "word",
            "indexFilterable": True,
            "indexSearchable": True,
            "indexRangeFilters": False,
        }
    ]
    assert stored["vectorizer"] == "none" and stored["vectorIndexType"] == "hnsw"
    assert stored["invertedIndexConfig"] == {
        "bm25": {"b": 0.75, "k1": 1.2},
        "cleanupIntervalSeconds": 60,
        "stopwords": {"preset": "en", "additions": None, "removals": None},
        "usingBlockMaxWAND": True,
    }
    assert stored["multiTenancyConfig"] == {
        "enabled": False,
        "autoTenantCreation": False,
        "autoTenantActivation": False,
    }
    assert stored["shardingConfig"] == {
        "virtualPerPhysical": 128,
        "desiredCount": 1,
        "actualCount": 1,
        "desiredVirtualCount": 128,
        "actualVirtualCount": 128,
        "key": "_id",
        "strategy": "hash",
        "function": "murmur3",
    }
    # 1.32: deletion strategy NoAutomatedResolution, asyncEnabled shown, hnsw has rq, sweeping filter.
    assert stored["replicationConfig"] == {
        "factor": 1,
        "deletionStrategy": "NoAutomatedResolution",
        "asyncEnabled": False,
    }
    hnsw = stored["vectorIndexConfig"]
    assert hnsw["efConstruction"] == 128 and hnsw["maxConnections"] == 32 and hnsw["distance"] == "cosine"
    assert hnsw["rq"] == {"enabled": False, "bits": 8, "rescoreLimit": 20}
    assert hnsw["filterStrategy"] == "sweeping"
    assert "skipDefaultQuantization" not in hnsw  # 1.33+


def test_client_create_and_config_get(client: weaviate.WeaviateClient) -> None:
    """FIDELITY C1, C3, P1."""
    client.collections.create(
        "book",
        properties=[
            wc.Property(name="Title", data_type=wc.DataType.TEXT),
            wc.Property(name="year", data_type=wc.DataType.INT, index_range_filters=True),
            wc.Property(name="tags", data_type=wc.DataType.TEXT_ARRAY, tokenization=wc.Tokenization.FIELD),
            wc.Property(
                name="meta",
                data_type=wc.DataType.OBJECT,
                nested_properties=[
                    wc.Property(name="Source", data_type=wc.DataType.TEXT),
                    wc.Property(name="raw", data_type=wc.DataType.BLOB),
                ],
            ),
        ],
    )
    config = client.collections.get("Book").config.get()
    assert config.name == "Book"
    props = {p.name: p for p in config.properties}
    assert set(props) == {"title", "year", "tags", "meta"}
    assert props["title"].tokenization == wc.Tokenization.WORD
    assert props["year"].tokenization is None and props["year"].index_range_filters
    assert props["year"].index_searchable is False and props["year"].index_filterable
    assert props["tags"].tokenization == wc.Tokenization.FIELD
    nested = {n.name: n for n in props["meta"].nested_properties or []}
    assert set(nested) == {"Source", "raw"}  # nested names are not re-cased
    assert nested["raw"].index_filterable is False  # blob is not filterable when nested
    # The client sends a named vector "default" with vectorizer none when none is configured.
    assert config.vector_config is not None and set(config.vector_config) == {"default"}
    assert config.vectorizer is None
    raw = client.collections.list_all(simple=False)["Book"]
    assert raw.replication_config.factor == 1
    assert raw.inverted_index_config.bm25.b == 0.75


def test_client_sends_unknown_property_keys_which_the_server_drops(
    server: RunningEmulator, client: weaviate.WeaviateClient
) -> None:
    client.collections.create("Plain", properties=[wc.Property(name="a", data_type=wc.DataType.TEXT)])
    prop = raw_class(server, "Plain")["properties"][0]
    assert "skip_vectorization" not in prop and "vectorize_property_name" not in prop


def test_text2vec_module_defaults_properties(servers: dict[str, RunningEmulator]) -> None:
    """FIDELITY C7."""
    server = servers["1.36"]
    c = connect(server)
    try:
        c.collections.create(
            "Doc",
            properties=[wc.Property(name="body", data_type=wc.DataType.TEXT)],
            vector_config=wc.Configure.Vectors.text2vec_openai(name="main"),
        )
    finally:
        c.close()
    stored = raw_class(server, "Doc")
    assert "vectorizer" not in stored and "vectorIndexConfig" not in stored  # named vectors only
    assert stored["vectorConfig"]["main"]["vectorIndexType"] == "hnsw"
    assert stored["vectorConfig"]["main"]["vectorIndexConfig"]["filterStrategy"] == "acorn"  # 1.34+
    assert stored["properties"][0]["moduleConfig"]["text2vec-openai"]["skip"] is False


def test_unknown_vectorizer_module_rejected(client: weaviate.WeaviateClient) -> None:
    """FIDELITY C18."""
    with pytest.raises(UnexpectedStatusCodeError) as e:
        client.collections.create("Doc", vector_config=wc.Configure.Vectors.text2vec_openai(name="main"))
    assert e.value.status_code == 422
    assert 'no module with name "text2vec-openai" present' in message(e.value)


# -- names, types, validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"class": "1x"}, "'1x' is not a valid class name"),
        ({"class": "a-b"}, "'A-b' is not a valid class name"),
        ({"class": "Raft"}, "class name `raft` is reserved"),
        (
            {"class": "C", "properties": [{"name": "some-property", "dataType": ["text"]}]},
            "'some-property' is not a valid property name. Property names in Weaviate are restricted to "
            "valid GraphQL "
            "names, which must be “/[_A-Za-z][_0-9A-Za-z]{0,230}/”.",
        ),
        (
            {"class": "C", "properties": [{"name": "id", "dataType": ["text"]}]},
            "'id' is a reserved property name",
        ),
        (
            {
                "class": "C",
                "properties": [{"name": "a", "dataType": ["text"]}, {"name": "A", "dataType": ["int"]}],
            },
            'class "C": conflict for property "a": already in use or provided multiple times',
        ),
        (
            {"class": "C", "properties": [{"name": "a", "dataType": ["foo"]}]},
            "property 'a': invalid dataType: [foo]: Unknown primitive data type 'foo'",
        ),
        (
            {"class": "C", "properties": [{"name": "a", "dataType": []}]},
            "property 'a': invalid dataType: []: dataType must have at least one element",
        ),
        (
            {"class": "C", "properties": [{"name": "a", "dataType": ["blobHash"]}]},
            "Unknown primitive data type 'blobHash'",
        ),  # 1.37+ only
        (
            {"class": "C", "properties": [{"name": "a", "dataType": ["Missing"]}]},
            "property 'a': invalid dataType: [Missing]: reference property to nonexistent class",
        ),
        (
            {"class": "C", "properties": [{"name": "a", "dataType": ["int"], "tokenization": "word"}]},
            "tokenization is not allowed for data type 'int'",
        ),
        (
            {"class": "C", "properties": [{"name": "a", "dataType": ["text"], "tokenization": "gse"}]},
            "the GSE tokenizer is not enabled; set 'ENABLE_TOKENIZER_GSE' to 'true' to enable",
        ),
        (
            {"class": "C", "properties": [{"name": "a", "dataType": ["int"], "indexSearchable": True}]},
            "`indexSearchable` is allowed only for text/text[] data types",
        ),
        (
            {"class": "C", "properties": [{"name": "a", "dataType": ["int[]"], "indexRangeFilters": True}]},
            "`indexRangeFilters` is allowed only for number/int/date data types",
        ),
        (
            {"class": "C", "properties": [{"name": "a", "dataType": ["object"]}]},
            "property 'a': At least one nested property is required for data type object/object[]",
        ),
        (
            {
                "class": "C",
                "properties": [
                    {
                        "name": "a",
                        "dataType": ["object"],
                        "nestedProperties": [{"name": "g", "dataType": ["geoCoordinates"]}],
                    }
                ],
            },
            "property 'a.g': data type 'geoCoordinates' not allowed as nested property",
        ),
        (
            {
                "class": "C",
                "properties": [
                    {
                        "name": "a",
                        "dataType": ["text"],
                        "nestedProperties": [{"name": "g", "dataType": ["text"]}],
                    }
                ],
            },
            "property 'a': nestedProperties not allowed for data types other than object/object[]",
        ),
        (
            {"class": "C", "vectorizer": "none", "vectorConfig": {"v": {"vectorizer": {"none": {}}}}},
            "creating a class with both a class level vector index and named vectors is forbidden",
        ),
        (
            {"class": "C", "shardingConfig": {"desiredCount": 1}, "multiTenancyConfig": {"enabled": True}},
            "cannot have both shardingConfig and multiTenancyConfig",
        ),
        (
            {"class": "C", "multiTenancyConfig": {"autoTenantCreation": True}},
            "can't enable autoTenantCreation on a non-multi-tenant class",
        ),
        (
            {"class": "C", "vectorIndexType": "dynamic"},
            "the dynamic index can only be created under async indexing environment (ASYNC_INDEXING=true)",
        ),
        (
            {"class": "C", "vectorIndexConfig": {"pq": {"enabled": True}, "bq": {"enabled": True}}},
            "invalid hnsw config: more than a single compression methods enabled",
        ),
        (
            {"class": "C", "shardingConfig": {"key": "name"}},
            "sharding only supported on key '_id' for now, got: name",
        ),
    ],
)
def test_invalid_class_rejected_with_server_message(
    http: httpx.Client, body: dict[str, Any], expected: str
) -> None:
    """FIDELITY P2, P3, P4."""
    r = http.post("/schema", json=body)
    assert r.status_code == 422
    assert expected in r.json()["error"][0]["message"]
    assert http.get("/schema").json() == {"classes": []}


def test_bad_tokenization_enum_is_a_binding_error(http: httpx.Client) -> None:
    """FIDELITY P7."""
    r = http.post(
        "/schema",
        json={"class": "C", "properties": [{"name": "a", "dataType": ["text"], "tokenization": "bogus"}]},
    )
    assert r.status_code == 422
    assert r.json()["code"] == 422 and "tokenization in body should be one of" in r.json()["message"]


def test_deprecated_string_type_is_migrated(http: httpx.Client) -> None:
    """FIDELITY P1."""
    http.post(
        "/schema",
        json={
            "class": "Old",
            "properties": [
                {"name": "s", "dataType": ["string"]},
                {"name": "f", "dataType": ["string[]"], "tokenization": "field"},
                {"name": "i", "dataType": ["int"], "indexInverted": False},
            ],
        },
    )
    props = {p["name"]: p for p in http.get("/schema/Old").json()["properties"]}
    assert props["s"]["dataType"] == ["text"] and props["s"]["tokenization"] == "whitespace"
    assert props["f"]["dataType"] == ["text[]"] and props["f"]["tokenization"] == "field"
    assert props["i"]["indexFilterable"] is False and "indexInverted" not in props["i"]


def test_duplicate_class_exact_and_case_insensitive(
    client: weaviate.WeaviateClient, http: httpx.Client
) -> None:
    """FIDELITY C12."""
    client.collections.create("Article")
    with pytest.raises(UnexpectedStatusCodeError) as e:
        client.collections.create("Article")
    assert e.value.status_code == 422 and "class name Article already exists" in message(e.value)
    r = http.post("/schema", json={"class": "ARTICLE"})
    assert r.status_code == 422
    assert r.json()["error"][0]["message"] == 'class already exists: found similar class "Article"'


def test_get_missing_class_is_404_and_delete_missing_is_200(
    client: weaviate.WeaviateClient, http: httpx.Client
) -> None:
    """FIDELITY P7."""
    r = http.get("/schema/Nope")
    assert r.status_code == 404 and r.content == b""
    assert not client.collections.exists("Nope")
    client.collections.delete("Nope")  # 200 even though it does not exist
    r = http.post("/schema/Nope/properties", json={"name": "a", "dataType": ["text"]})
    assert r.status_code == 422  # add-property reports a missing class as 422, not 404


def test_framework_errors(http: httpx.Client) -> None:
    """FIDELITY P7."""
    assert http.get("/nowhere").json() == {"code": 404, "message": "path /v1/nowhere was not found"}
    r = http.patch("/schema")
    assert r.status_code == 405 and r.json()["code"] == 405
    r = http.post("/schema", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == 400


# -- PUT: mutable and immutable ------------------------------------------------------------------------


def test_mutable_update_through_client(client: weaviate.WeaviateClient) -> None:
    """FIDELITY U1, U12."""
    client.collections.create(
        "Article", description="old", properties=[wc.Property(name="title", data_type=wc.DataType.TEXT)]
    )
    articles = client.collections.get("Article")
    articles.config.update(
        description="new",
        property_descriptions={"title": "The title"},
        inverted_index_config=wc.Reconfigure.inverted_index(
            bm25_b=0.5, stopwords_preset=wc.StopwordsPreset.NONE
        ),
        replication_config=wc.Reconfigure.replication(
            deletion_strategy=wc.ReplicationDeletionStrategy.DELETE_ON_CONFLICT
        ),
        vector_config=wc.Reconfigure.Vectors.update(
            name="default", vector_index_config=wc.Reconfigure.VectorIndex.hnsw(ef=77)
        ),
    )
    config = articles.config.get()
    assert config.description == "new"
    assert config.properties[0].description == "The title"
    assert config.inverted_index_config.bm25.b == 0.5
    assert config.inverted_index_config.stopwords.preset == wc.StopwordsPreset.NONE
    assert config.replication_config.deletion_strategy == wc.ReplicationDeletionStrategy.DELETE_ON_CONFLICT
    assert config.vector_config is not None
    assert config.vector_config["default"].vector_index_config.ef == 77  # type: ignore[union-attr]


def _put_changed(http: httpx.Client, name: str, change: Any) -> httpx.Response:
    """Read-modify-write as the client does: GET the class, apply ``change``, PUT it back."""
    cls = http.get(f"/schema/{name}").json()
    change(cls)
    return http.put(f"/schema/{name}", json=cls)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda c: c.update({"class": "article"}),
            'class name is immutable: attempted change from "Article" to "article"',
        ),
        (
            lambda c: c["vectorIndexConfig"].update(efConstruction=64),
            'validate vector index config: efConstruction is immutable: attempted change from "128" to "64"',
        ),
        (
            lambda c: c["vectorIndexConfig"].update(distance="dot"),
            'validate vector index config: distance is immutable: attempted change from "cosine" to "dot"',
        ),
        (
            lambda c: c.update(vectorIndexType="flat"),
            'vector index type is immutable: attempted change from "hnsw" to "flat"',
        ),
        (
            lambda c: c["properties"][0].update(tokenization="field"),
            'property "title": property fields other than description cannot be updated through updating '
            "the class",
        ),
        (
            lambda c: c["properties"].append({"name": "extra", "dataType": ["text"]}),
            "property fields other than description cannot be updated through updating the class",
        ),
        (
            lambda c: c["shardingConfig"].update(desiredCount=3),
            "validate sharding config: re-sharding not supported yet: shard count is immutable: "
            "attempted change from "
            '"1" to "3"',
        ),
        (
            lambda c: c["multiTenancyConfig"].update(enabled=True),
            "enabling multi-tenancy for an existing class is not supported",
        ),
        (
            lambda c: c["invertedIndexConfig"].update(indexNullState=True),
            "inverted index config: IndexNullState cannot be changed when updating a schema",
        ),
    ],
)
def test_immutable_update_rejected(http: httpx.Client, change: Any, expected: str) -> None:
    """FIDELITY U1, U6, U8, U14."""
    http.post("/schema", json={"class": "Article", "properties": [{"name": "title", "dataType": ["text"]}]})
    before = http.get("/schema/Article").json()
    r = _put_changed(http, "Article", change)
    assert r.status_code == 422
    assert expected in r.json()["error"][0]["message"]
    assert http.get("/schema/Article").json() == before


def test_put_missing_class_is_404(http: httpx.Client) -> None:
    """FIDELITY P7."""
    assert http.put("/schema/Nope", json={"class": "Nope"}).status_code == 404


def test_put_omitted_sections_reset_to_defaults(http: httpx.Client) -> None:
    """FIDELITY U12."""
    http.post(
        "/schema",
        json={
            "class": "A",
            "invertedIndexConfig": {"bm25": {"b": 0.4, "k1": 1.0}},
            "replicationConfig": {"deletionStrategy": "DeleteOnConflict"},
        },
    )
    r = http.put("/schema/A", json={"class": "A"})
    assert r.status_code == 200
    stored = http.get("/schema/A").json()
    assert stored["invertedIndexConfig"]["bm25"] == {"b": 0.75, "k1": 1.2}
    assert stored["replicationConfig"] == {"factor": 1, "asyncEnabled": False}


def test_moduleconfig_only_generative_and_reranker_mutable(servers: dict[str, RunningEmulator]) -> None:
    """FIDELITY U2."""
    with httpx.Client(base_url=servers["1.36"].url + "/v1") as http:
        http.post(
            "/schema",
            json={
                "class": "Doc",
                "vectorizer": "text2vec-openai",
                "moduleConfig": {"text2vec-openai": {"model": "a"}},
            },
        )
        r = _put_changed(
            http, "Doc", lambda c: c["moduleConfig"].update({"generative-openai": {"model": "g"}})
        )
        assert r.status_code == 200
        assert http.get("/schema/Doc").json()["moduleConfig"]["generative-openai"] == {"model": "g"}
        r = _put_changed(http, "Doc", lambda c: c["moduleConfig"].update({"text2vec-openai": {"model": "b"}}))
        assert r.status_code == 422
        # a ParseClassUpdate error, wrapped by the RAFT apply (FIDELITY.md "class update errors")
        assert r.json()["error"][0]["message"] == (
            "updating schema: TYPE_UPDATE_CLASS: bad request :parse class update: can only update generative and "
            "reranker module configs. Got: text2vec-openai for class: Doc"
        )


def test_named_vector_vectorizer_is_immutable(servers: dict[str, RunningEmulator]) -> None:
    """FIDELITY U3."""
    with httpx.Client(base_url=servers["1.36"].url + "/v1") as http:
        http.post(
            "/schema",
            json={
                "class": "Doc",
                "vectorConfig": {
                    "main": {"vectorizer": {"text2vec-openai": {"model": "a"}}, "vectorIndexType": "hnsw"}
                },
            },
        )
        r = _put_changed(
            http,
            "Doc",
            lambda c: c["vectorConfig"]["main"]["vectorizer"].update({"text2vec-openai": {"model": "b"}}),
        )
        assert r.status_code == 422
        assert (
            r.json()["error"][0]["message"] == 'vectorizer config of vector "main" is immutable for class Doc'
        )
        r = _put_changed(http, "Doc", lambda c: c["vectorConfig"].pop("main"))
        assert r.json()["error"][0]["message"] == (
            'updating schema: TYPE_UPDATE_CLASS: bad request :parse class update: missing config for vector "main"'
        )


# -- properties and cross-references ------------------------------------------------------------------


def test_add_property_keeps_objects(server: RunningEmulator, client: weaviate.WeaviateClient) -> None:
    """FIDELITY U7."""
    client.collections.create("Article", properties=[wc.Property(name="title", data_type=wc.DataType.TEXT)])
    articles = client.collections.get("Article")
    oid = articles.data.insert({"title": "hello"})
    articles.config.add_property(
        wc.Property(name="Body", data_type=wc.DataType.TEXT, tokenization=wc.Tokenization.LOWERCASE)
    )
    body = next(p for p in articles.config.get().properties if p.name == "body")
    assert body.tokenization == wc.Tokenization.LOWERCASE and body.index_searchable
    assert articles.data.exists(oid)
    with pytest.raises(UnexpectedStatusCodeError) as e:
        articles.config.add_property(wc.Property(name="TITLE", data_type=wc.DataType.INT))
    assert e.value.status_code == 422
    assert 'class "Article": conflict for property "tITLE": already in use' in message(e.value)


def test_drop_and_recreate_loses_objects(client: weaviate.WeaviateClient, http: httpx.Client) -> None:
    client.collections.create("Article", properties=[wc.Property(name="title", data_type=wc.DataType.TEXT)])
    oid = client.collections.get("Article").data.insert({"title": "hello"})
    assert http.get("/objects", params={"class": "Article"}).json()["totalResults"] == 1
    client.collections.delete("Article")
    client.collections.create("Article", properties=[wc.Property(name="title", data_type=wc.DataType.TEXT)])
    assert not client.collections.get("Article").data.exists(oid)
    assert http.get("/objects", params={"class": "Article"}).json()["totalResults"] == 0


def test_objects_validate_against_schema(http: httpx.Client) -> None:
    http.post("/schema", json={"class": "A", "properties": [{"name": "t", "dataType": ["text"]}]})
    assert http.post("/objects", json={"class": "Missing", "properties": {}}).status_code == 422
    r = http.post("/objects", json={"class": "A", "properties": {"nope": 1}})
    assert r.status_code == 422 and "no such prop with name 'nope'" in r.json()["error"][0]["message"]
    batch = http.post(
        "/batch/objects",
        json={
            "objects": [{"class": "A", "properties": {"t": "x"}}, {"class": "A", "properties": {"nope": 1}}]
        },
    ).json()
    assert batch[0]["result"] == {} and "errors" in batch[1]["result"]


def test_cross_reference_cycle(client: weaviate.WeaviateClient) -> None:
    """FIDELITY C13."""
    client.collections.create(
        "Author", references=[wc.ReferenceProperty(name="mentor", target_collection="Author")]
    )
    authors = client.collections.get("Author")
    with pytest.raises(UnexpectedStatusCodeError) as e:
        authors.config.add_reference(wc.ReferenceProperty(name="books", target_collection="Book"))
    assert e.value.status_code == 422
    assert "property 'books': invalid dataType: [Book]: reference property to nonexistent class" in message(
        e.value
    )
    client.collections.create(
        "Book", references=[wc.ReferenceProperty(name="writtenBy", target_collection="Author")]
    )
    authors.config.add_reference(wc.ReferenceProperty(name="books", target_collection="Book"))
    refs = {r.name: r.target_collections for r in authors.config.get().references}
    assert refs == {"mentor": ["Author"], "books": ["Book"]}
    book_ref = client.collections.get("Book").config.get().references[0]
    assert book_ref.target_collections == ["Author"]


def test_reference_property_defaults(server: RunningEmulator, http: httpx.Client) -> None:
    """FIDELITY P1, P2."""
    http.post("/schema", json={"class": "A", "properties": [{"name": "self", "dataType": ["A"]}]})
    assert http.get("/schema/A").json()["properties"][0] == {
        "name": "self",
        "dataType": ["A"],
        "indexFilterable": True,
        "indexSearchable": False,
        "indexRangeFilters": False,
    }
    r = http.post("/schema/A/properties", json={"name": "r", "dataType": ["A"], "tokenization": "word"})
    assert r.json()["error"][0]["message"] == "tokenization is not allowed for reference data type"


# -- multi-tenancy ---------------------------------------------------------------------------------------


def test_tenant_lifecycle(servers: dict[str, RunningEmulator]) -> None:
    """FIDELITY P6."""
    server = servers["1.36"]
    c = connect(server)
    try:
        c.collections.create("Mt", multi_tenancy_config=wc.Configure.multi_tenancy(enabled=True))
        mt = c.collections.get("Mt")
        stored = raw_class(server, "Mt")
        assert stored["shardingConfig"]["desiredCount"] == 0 and stored["shardingConfig"]["key"] == ""
        mt.tenants.create(
            [Tenant(name="t1"), Tenant(name="t2", activity_status=TenantActivityStatus.INACTIVE)]
        )
        mt.tenants.create([Tenant(name="t1")])  # idempotent for existing names
        # tenants.get() uses gRPC on >= 1.25, so the list is read over REST directly.
        listed = httpx.get(f"{server.url}/v1/schema/Mt/tenants").json()
        assert sorted((t["name"], t["activityStatus"]) for t in listed) == [("t1", "HOT"), ("t2", "COLD")]
        mt.tenants.update([Tenant(name="t1", activity_status=TenantActivityStatus.INACTIVE)])
        t1 = mt.tenants.get_by_name("t1")  # REST on >= 1.28
        assert t1 is not None and t1.activity_status == TenantActivityStatus.INACTIVE
        assert mt.tenants.exists("t2") and not mt.tenants.exists("t9")
        mt.tenants.update(
            [Tenant(name="t2", activity_status=TenantActivityStatus.OFFLOADED)]
        )  # offload-s3 on
        mt.tenants.remove(["t1", "t2"])
        assert httpx.get(f"{server.url}/v1/schema/Mt/tenants").json() == []
    finally:
        c.close()


def test_tenant_errors(client: weaviate.WeaviateClient, http: httpx.Client) -> None:
    """FIDELITY P6."""
    client.collections.create("Plain")
    with pytest.raises(UnexpectedStatusCodeError) as e:
        client.collections.get("Plain").tenants.create([Tenant(name="t1")])
    assert e.value.status_code == 422 and 'multi-tenancy is not enabled for class "Plain"' in message(e.value)
    client.collections.create("Mt", multi_tenancy_config=wc.Configure.multi_tenancy(enabled=True))
    r = http.post("/schema/Mt/tenants", json=[{"name": "bad name"}])
    assert r.status_code == 422 and r.json()["error"][0]["message"].startswith(
        "tenant name at index 0:  'bad name' is not a valid tenant name. should only contain alphanumeric characters"
    )
    r = http.put("/schema/Mt/tenants", json=[{"name": "t1", "activityStatus": "OFFLOADED"}])
    assert (
        r.json()["error"][0]["message"] == "can't offload tenants, because offload-s3 module is not enabled"
    )
    r = http.post("/schema/Mt/tenants", json=[{"name": "a"}, {"name": "a"}])
    assert r.json()["error"][0]["message"] == "tenant name a existed multiple times"
    r = http.put("/schema/Mt/tenants", json=[{"name": f"t{i}", "activityStatus": "HOT"} for i in range(101)])
    assert (
        r.status_code == 422
        and "maximum number of tenants allowed to be updated simultaneously is 100"
        in r.json()["error"][0]["message"]
    )
    assert http.get("/schema/Mt/tenants/none").status_code == 404


def test_objects_in_tenants(http: httpx.Client) -> None:
    """FIDELITY P6."""
    http.post(
        "/schema",
        json={
            "class": "Mt",
            "multiTenancyConfig": {"enabled": True},
            "properties": [{"name": "t", "dataType": ["text"]}],
        },
    )
    http.post("/schema/Mt/tenants", json=[{"name": "a"}])
    assert http.post("/objects", json={"class": "Mt", "properties": {"t": "x"}}).status_code == 422
    assert (
        http.post("/objects", json={"class": "Mt", "tenant": "a", "properties": {"t": "x"}}).status_code
        == 200
    )
    assert http.get("/objects", params={"class": "Mt", "tenant": "a"}).json()["totalResults"] == 1
    http.request("DELETE", "/schema/Mt/tenants", json=["a"])
    assert http.get("/objects", params={"class": "Mt", "tenant": "a"}).json()["totalResults"] == 0


def test_shards(client: weaviate.WeaviateClient) -> None:
    """FIDELITY C8."""
    client.collections.create("Sharded", sharding_config=wc.Configure.sharding(desired_count=2))
    sharded = client.collections.get("Sharded")
    shards = sharded.config.get_shards()
    assert len(shards) == 2 and {s.status for s in shards} == {"READY"}
    sharded.config.update_shards("READONLY", shards[0].name)
    assert {s.name: s.status for s in sharded.config.get_shards()}[shards[0].name] == "READONLY"


# -- version differences ---------------------------------------------------------------------------------


def test_version_dependent_defaults(servers: dict[str, RunningEmulator]) -> None:
    """FIDELITY C3, C10, C11."""
    old, new = servers["1.27"], servers["1.36"]
    for server in (old, new):
        httpx.post(
            f"{server.url}/v1/schema", json={"class": "V", "vectorIndexType": "flat"}
        ).raise_for_status()
        httpx.post(f"{server.url}/v1/schema", json={"class": "H"}).raise_for_status()
    v127, v136 = raw_class(old, "H"), raw_class(new, "H")
    assert v127["replicationConfig"] == {
        "factor": 1,
        "deletionStrategy": "DeleteOnConflict",
        "asyncEnabled": False,
    }
    assert v136["replicationConfig"] == {
        "factor": 1,
        "deletionStrategy": "TimeBasedResolution",
        "asyncEnabled": False,
    }
    assert (
        "usingBlockMaxWAND" not in v127["invertedIndexConfig"]
        and v136["invertedIndexConfig"]["usingBlockMaxWAND"]
    )
    assert v127["vectorIndexConfig"]["filterStrategy"] == "sweeping"
    assert v136["vectorIndexConfig"]["filterStrategy"] == "acorn"
    assert "multivector" not in v127["vectorIndexConfig"] and "rq" not in v127["vectorIndexConfig"]
    assert v136["vectorIndexConfig"]["skipDefaultQuantization"] is False
    assert (
        "rq" not in raw_class(old, "V")["vectorIndexConfig"]
        and "rq" in raw_class(new, "V")["vectorIndexConfig"]
    )


def test_adding_named_vector_depends_on_version(servers: dict[str, RunningEmulator]) -> None:
    """FIDELITY U3."""
    for key, allowed in (("1.30", False), ("default", True)):
        c = connect(servers[key])
        try:
            c.collections.create("Multi", vector_config=wc.Configure.Vectors.self_provided(name="first"))
            multi = c.collections.get("Multi")
            if allowed:
                multi.config.add_vector(vector_config=wc.Configure.Vectors.self_provided(name="second"))
                assert set(multi.config.get().vector_config or {}) == {"first", "second"}
            else:
                with pytest.raises(UnexpectedStatusCodeError) as e:
                    multi.config.add_vector(vector_config=wc.Configure.Vectors.self_provided(name="second"))
                assert 'additional config for vector "second"' in message(e.value)
        finally:
            c.close()


def test_property_description_mutable_from_1_30(servers: dict[str, RunningEmulator]) -> None:
    """FIDELITY U7."""
    for key, allowed in (("1.27", False), ("1.30", True)):
        with httpx.Client(base_url=servers[key].url + "/v1") as http:
            http.post("/schema", json={"class": "A", "properties": [{"name": "p", "dataType": ["text"]}]})
            r = _put_changed(http, "A", lambda c: c["properties"][0].update(description="d"))
            assert (r.status_code == 200) is allowed
            if not allowed:
                assert r.json()["error"][0]["message"].startswith(
                    "updating schema: TYPE_UPDATE_CLASS: bad request :parse class update: properties cannot be "
                    "updated through updating"
                )


def test_index_timestamps_immutable_from_1_35(servers: dict[str, RunningEmulator]) -> None:
    """FIDELITY U8."""
    for key, allowed in (("default", True), ("1.36", False)):
        with httpx.Client(base_url=servers[key].url + "/v1") as http:
            http.post("/schema", json={"class": "A"})
            r = _put_changed(http, "A", lambda c: c["invertedIndexConfig"].update(indexTimestamps=True))
            assert (r.status_code == 200) is allowed
            if not allowed:
                assert '"indexTimestamp" setting is immutable' in r.json()["error"][0]["message"]


def test_versions_older_than_client_support_are_refused() -> None:
    with pytest.raises(ValueError):
        WeaviateEmulator("1.26.0")


# -- fault injection ---------------------------------------------------------------------------------------


def test_injected_5xx_is_visible_to_the_client(
    server: RunningEmulator, client: weaviate.WeaviateClient
) -> None:
    server.emulator.set_faults(error_5xx_rate=1.0)
    with pytest.raises(UnexpectedStatusCodeError) as e:
        client.collections.create("Article")
    assert e.value.status_code == 503
    server.emulator.set_faults(error_5xx_rate=0.0)
    assert not client.collections.exists("Article")


def test_drop_after_commit_really_commits(server: RunningEmulator, client: weaviate.WeaviateClient) -> None:
    server.emulator.set_faults(drop_after_commit_rate=1.0)
    # The client surfaces the dropped connection as httpx's transport error, not a Weaviate one.
    with pytest.raises((WeaviateBaseError, httpx.TransportError)):
        client.collections.create("Article")
    server.emulator.set_faults(drop_after_commit_rate=0.0)
    assert client.collections.exists("Article")  # the write landed although the response was lost
    with pytest.raises(UnexpectedStatusCodeError) as e:
        client.collections.create("Article")  # a blind retry meets "already exists"
    assert "already exists" in message(e.value)


# -- schema keys of newer servers (FIDELITY C3-C5, P5) -----------------------------------------------


@pytest.fixture(scope="module")
def recent_servers() -> Iterator[dict[str, RunningEmulator]]:
    """1.35 (object TTL, tokenizer user dictionaries) and 1.37 (text analyzers, stopword presets)."""
    running = {"1.35": serve(WeaviateEmulator("1.35.0")), "1.37": serve(WeaviateEmulator("1.37.0"))}
    yield running
    stop_all(running.values())


@pytest.fixture
def recent(recent_servers: dict[str, RunningEmulator]) -> RunningEmulator:
    """An empty Weaviate 1.37."""
    server = recent_servers["1.37"]
    server.emulator.reset()
    return server


@pytest.fixture
def recent_http(recent: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=recent.url + "/v1") as h:
        yield h


def _error(r: httpx.Response) -> str:
    assert r.status_code == 422, r.text
    return str(r.json()["error"][0]["message"])


def test_object_ttl_through_the_client_forces_indexed_timestamps(recent: RunningEmulator) -> None:
    """FIDELITY P5."""
    c = connect(recent)
    try:
        c.collections.create(
            "Session",
            properties=[wc.Property(name="expires", data_type=wc.DataType.DATE)],
            object_ttl_config=wc.Configure.ObjectTTL.delete_by_creation_time(3600, filter_expired_objects=True),
        )
        config = c.collections.get("Session").config.get()
    finally:
        c.close()
    assert config.object_ttl_config is not None
    assert config.object_ttl_config.delete_on == "creationTime"
    assert config.object_ttl_config.time_to_live is not None
    assert config.object_ttl_config.time_to_live.total_seconds() == 3600
    assert config.object_ttl_config.filter_expired_objects is True
    # the request left indexTimestamps out; TTL on an internal timestamp switched it on
    assert config.inverted_index_config.index_timestamps is True
    # ObjectTtlConfig has no omitempty: all four fields are shown
    assert raw_class(recent, "Session")["objectTtlConfig"] == {
        "enabled": True, "defaultTtl": 3600, "deleteOn": "_creationTimeUnix", "filterExpiredObjects": True}


def test_object_ttl_absent_unless_given(recent_http: httpx.Client) -> None:
    """FIDELITY P5."""
    recent_http.post("/schema", json={"class": "Plain"})
    assert "objectTtlConfig" not in recent_http.get("/schema/Plain").json()
    recent_http.post("/schema", json={"class": "Off", "objectTtlConfig": {"enabled": False, "defaultTtl": 5}})
    # a disabled TTL is not validated and is stored as given
    assert recent_http.get("/schema/Off").json()["objectTtlConfig"] == {
        "enabled": False, "defaultTtl": 5, "deleteOn": "", "filterExpiredObjects": False}


@pytest.mark.parametrize(("ttl", "properties", "expected"), [
    ({"enabled": True, "defaultTtl": 3600}, [],
     'missing value for "deleteOn". Set "_creationTimeUnix", "_lastUpdateTimeUnix" or custom property of "date" '
     'type'),
    ({"enabled": True, "deleteOn": "_lastUpdateTimeUnix", "defaultTtl": 30}, [],
     'defaultTtl value too small for "deleteOn"="_lastUpdateTimeUnix". Required minimum "60" seconds, '
     'given "30" seconds'),
    ({"enabled": True, "deleteOn": "due"}, [],
     'property "due" set as "deleteOn" not found among collection properties'),
    ({"enabled": True, "deleteOn": "due"}, [{"name": "due", "dataType": ["int"]}],
     'property "due" set as "deleteOn" should have "date" data type, "int" given'),
    ({"enabled": True, "deleteOn": "due"}, [{"name": "due", "dataType": ["date"], "indexFilterable": False}],
     'property "due" set as "deleteOn" should have filterable or rangeable index enabled'),
])
def test_object_ttl_rejected_with_server_message(recent_http: httpx.Client, ttl: dict[str, Any],
                                                 properties: list[dict[str, Any]], expected: str) -> None:
    """FIDELITY P5."""
    r = recent_http.post("/schema", json={"class": "T", "objectTtlConfig": ttl, "properties": properties})
    assert _error(r) == "ObjectTTLConfig: " + expected


def test_object_ttl_on_a_date_property_with_a_range_index(recent_http: httpx.Client) -> None:
    """FIDELITY P5."""
    r = recent_http.post("/schema", json={
        "class": "T", "objectTtlConfig": {"enabled": True, "deleteOn": " due ", "defaultTtl": -60},
        "properties": [{"name": "due", "dataType": ["date"], "indexFilterable": False, "indexRangeFilters": True}]})
    assert r.status_code == 200, r.text
    stored = recent_http.get("/schema/T").json()
    assert stored["objectTtlConfig"]["deleteOn"] == "due"  # trimmed
    assert "indexTimestamps" not in stored["invertedIndexConfig"]  # a property TTL needs no timestamps


def test_object_ttl_changes_in_place_but_cannot_switch_timestamps_on(recent_http: httpx.Client) -> None:
    """FIDELITY P5, U8."""
    recent_http.post("/schema", json={"class": "T"})
    r = _put_changed(recent_http, "T", lambda c: c.update(
        objectTtlConfig={"enabled": True, "deleteOn": "_creationTimeUnix", "defaultTtl": 3600}))
    assert _error(r) == ('ObjectTTLConfig: "deleteOn"="_creationTimeUnix" requires indexed timestamps. Enable '
                         '"invertedIndexConfig.indexTimestamps"')
    recent_http.post("/schema", json={"class": "Stamped", "invertedIndexConfig": {"indexTimestamps": True}})
    for ttl in ({"enabled": True, "deleteOn": "_creationTimeUnix", "defaultTtl": 3600},
                {"enabled": True, "deleteOn": "_lastUpdateTimeUnix", "defaultTtl": 60, "filterExpiredObjects": True},
                {"enabled": False}):
        r = _put_changed(recent_http, "Stamped", lambda c, ttl=ttl: c.update(objectTtlConfig=ttl))
        assert r.status_code == 200, r.text
        assert recent_http.get("/schema/Stamped").json()["objectTtlConfig"]["enabled"] is ttl["enabled"]
    # a PUT without the section removes it (the RAFT apply overwrites objectTtlConfig from the body)
    r = _put_changed(recent_http, "Stamped", lambda c: c.pop("objectTtlConfig"))
    assert r.status_code == 200 and "objectTtlConfig" not in recent_http.get("/schema/Stamped").json()


def test_text_analyzer_and_stopword_presets_through_the_client(recent: RunningEmulator) -> None:
    """FIDELITY P5."""
    c = connect(recent)
    try:
        c.collections.create(
            "Dish",
            inverted_index_config=wc.Configure.inverted_index(stopword_presets={"fr": ["le", "la", "et"]}),
            properties=[
                wc.Property(name="name", data_type=wc.DataType.TEXT, tokenization=wc.Tokenization.WORD,
                            text_analyzer=wc.Configure.text_analyzer(ascii_fold=True, ascii_fold_ignore=["é"],
                                                                     stopword_preset="fr")),
                wc.Property(name="recipe", data_type=wc.DataType.OBJECT, nested_properties=[
                    wc.Property(name="step", data_type=wc.DataType.TEXT,
                                text_analyzer=wc.Configure.text_analyzer(stopword_preset="en"))]),
                wc.Property(name="plain", data_type=wc.DataType.TEXT,
                            text_analyzer=wc.Configure.text_analyzer(ascii_fold=False)),
            ],
        )
        config = c.collections.get("Dish").config.get()
    finally:
        c.close()
    assert config.inverted_index_config.stopword_presets == {"fr": ["le", "la", "et"]}
    props = {p.name: p for p in config.properties}
    analyzer = props["name"].text_analyzer
    assert analyzer is not None and analyzer.ascii_fold is True and analyzer.ascii_fold_ignore == ["é"]
    assert analyzer.stopword_preset == "fr"
    raw = {p["name"]: p for p in raw_class(recent, "Dish")["properties"]}
    assert raw["recipe"]["nestedProperties"][0]["textAnalyzer"] == {"stopwordPreset": "en"}
    # an analyzer with nothing set is the same as none: the server drops it
    assert "textAnalyzer" not in raw["plain"] and props["plain"].text_analyzer is None


@pytest.mark.parametrize(("prop", "expected"), [
    ({"name": "n", "dataType": ["int"], "textAnalyzer": {"asciiFold": True}},
     "property 'n': processing options are only allowed for text and text[] data types, got 'int'"),
    ({"name": "o", "dataType": ["object"], "nestedProperties": [{"name": "x", "dataType": ["int"]}],
      "textAnalyzer": {"asciiFold": True}},
     "property 'o': processing options are only allowed for text and text[] data types"),
    ({"name": "t", "dataType": ["text"], "indexFilterable": False, "indexSearchable": False,
      "textAnalyzer": {"asciiFold": True}},
     "property 't': processing options are only allowed for properties with an inverted index, "
     "got IndexSearchable=false and IndexFilterable=false"),
    ({"name": "t", "dataType": ["text"], "textAnalyzer": {"asciiFoldIgnore": ["é"]}},
     "property 't': asciiFoldIgnore requires asciiFold to be enabled"),
    ({"name": "t", "dataType": ["text"], "textAnalyzer": {"asciiFold": True, "asciiFoldIgnore": ["ab"]}},
     "property 't': each asciiFoldIgnore entry must be a single character, got \"ab\""),
    ({"name": "t", "dataType": ["text"], "tokenization": "field", "textAnalyzer": {"stopwordPreset": "en"}},
     "property 't': stopwordPreset is only supported with tokenization \"word\", got \"field\""),
    ({"name": "t", "dataType": ["text"], "textAnalyzer": {"stopwordPreset": "fr"}},
     "property 't': unknown stopword preset \"fr\"; must be a built-in preset ('en', 'none') or defined in "
     "invertedIndexConfig.stopwordPresets"),
])
def test_text_analyzer_rejected_with_server_message(recent_http: httpx.Client, prop: dict[str, Any],
                                                    expected: str) -> None:
    """FIDELITY P5."""
    assert _error(recent_http.post("/schema", json={"class": "A", "properties": [prop]})) == expected
    # the add-property call checks the same rules
    recent_http.post("/schema", json={"class": "B"})
    assert _error(recent_http.post("/schema/B/properties", json=prop)) == expected


def test_text_analyzer_is_immutable(recent_http: httpx.Client) -> None:
    """FIDELITY U7."""
    recent_http.post("/schema", json={"class": "A", "properties": [
        {"name": "t", "dataType": ["text"], "textAnalyzer": {"asciiFold": True}}]})
    r = _put_changed(recent_http, "A", lambda c: c["properties"][0]["textAnalyzer"].update(asciiFold=False))
    assert "property fields other than description cannot be updated" in _error(r)


def test_stopword_presets_change_in_place_unless_still_used(recent_http: httpx.Client) -> None:
    """FIDELITY U9."""
    recent_http.post("/schema", json={
        "class": "A", "invertedIndexConfig": {"stopwordPresets": {"fr": ["le"], "de": ["der"]}},
        "properties": [{"name": "t", "dataType": ["text"], "textAnalyzer": {"stopwordPreset": "fr"}}]})
    r = _put_changed(recent_http, "A", lambda c: c["invertedIndexConfig"].update(
        stopwordPresets={"fr": ["le", "la"]}))
    assert r.status_code == 200, r.text
    assert recent_http.get("/schema/A").json()["invertedIndexConfig"]["stopwordPresets"] == {"fr": ["le", "la"]}
    r = _put_changed(recent_http, "A", lambda c: c["invertedIndexConfig"].pop("stopwordPresets"))
    assert _error(r) == ("updating schema: TYPE_UPDATE_CLASS: bad request :parse class update: inverted index config: "
                         'invertedIndexConfig.stopwordPresets: cannot remove preset "fr" because it is still used '
                         'by property "t"')
    r = _put_changed(recent_http, "A", lambda c: c["invertedIndexConfig"].update(stopwordPresets={"fr": []}))
    assert "stopwordPresets: " in _error(r)


def test_tokenizer_user_dict_is_stored_for_kagome_only(recent_servers: dict[str, RunningEmulator]) -> None:
    """FIDELITY P5."""
    server = recent_servers["1.35"]
    server.emulator.reset()
    entry = {"tokenizer": "kagome_ja", "replacements": [{"source": "Weaviate", "target": "We Aviate"}]}
    with httpx.Client(base_url=server.url + "/v1") as http:
        r = http.post("/schema", json={"class": "A", "invertedIndexConfig": {"tokenizerUserDict": [entry]}})
        assert r.status_code == 200, r.text
        assert http.get("/schema/A").json()["invertedIndexConfig"]["tokenizerUserDict"] == [entry]
        bad = {"tokenizer": "word", "replacements": [{"source": "a", "target": "b"}]}
        r = http.post("/schema", json={"class": "B", "invertedIndexConfig": {"tokenizerUserDict": [bad]}})
        assert "tokenizer word does not support user dictionaries" in _error(r)


def test_newer_keys_are_dropped_by_older_servers(servers: dict[str, RunningEmulator],
                                                  recent_servers: dict[str, RunningEmulator]) -> None:
    """FIDELITY C3, P5."""
    body = {"class": "A",
            "objectTtlConfig": {"enabled": True, "deleteOn": "_creationTimeUnix", "defaultTtl": 3600},
            "invertedIndexConfig": {"stopwordPresets": {"fr": ["le"]},
                                    "tokenizerUserDict": [{"tokenizer": "kagome_ja", "replacements": []}]},
            "properties": [{"name": "t", "dataType": ["text"], "textAnalyzer": {"asciiFold": True}}]}
    # unknown JSON keys are dropped while decoding: the create succeeds without them
    old = servers["default"]  # 1.32
    assert httpx.post(f"{old.url}/v1/schema", json=body).status_code == 200
    stored = raw_class(old, "A")
    assert "objectTtlConfig" not in stored and "indexTimestamps" not in stored["invertedIndexConfig"]
    assert "stopwordPresets" not in stored["invertedIndexConfig"] and "textAnalyzer" not in stored["properties"][0]
    mid = recent_servers["1.35"]
    mid.emulator.reset()
    assert httpx.post(f"{mid.url}/v1/schema", json=body).status_code == 200
    stored = raw_class(mid, "A")
    assert stored["objectTtlConfig"]["enabled"] is True and "stopwordPresets" not in stored["invertedIndexConfig"]
    assert "textAnalyzer" not in stored["properties"][0]


def test_index_inverted_is_migrated_and_exclusive(recent_http: httpx.Client) -> None:
    """FIDELITY P1, P3."""
    r = recent_http.post("/schema", json={"class": "A", "properties": [
        {"name": "t", "dataType": ["text"], "indexInverted": False},
        {"name": "s", "dataType": ["string"], "indexInverted": True},
        {"name": "n", "dataType": ["int"], "indexInverted": True}]})
    assert r.status_code == 200, r.text
    props = {p["name"]: p for p in recent_http.get("/schema/A").json()["properties"]}
    flags = ("indexFilterable", "indexSearchable", "indexRangeFilters")
    assert {n: tuple(p[f] for f in flags) for n, p in props.items()} == {
        "t": (False, False, False), "s": (True, True, False), "n": (True, False, False)}
    assert not any("indexInverted" in p for p in props.values())
    bad = {"name": "x", "dataType": ["text"], "indexInverted": True, "indexSearchable": True}
    assert _error(recent_http.post("/schema/A/properties", json=bad)) == (
        "`indexInverted` is deprecated and can not be set together with `indexFilterable`, `indexSearchable` "
        "or `indexRangeFilters`")


def test_disable_duplicated_references_is_stored_only_when_given(recent_http: httpx.Client) -> None:
    """FIDELITY P1."""
    recent_http.post("/schema", json={"class": "A", "properties": [
        {"name": "same", "dataType": ["A"], "disableDuplicatedReferences": False},
        {"name": "other", "dataType": ["A"]}]})
    props = {p["name"]: p for p in recent_http.get("/schema/A").json()["properties"]}
    assert props["same"]["disableDuplicatedReferences"] is False
    assert "disableDuplicatedReferences" not in props["other"]
