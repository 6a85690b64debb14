"""Conformance of the Weaviate emulator per server release, through ``weaviate-client`` v4.

Each test proves rows of ``tests/emulators/weaviate/FIDELITY.md`` (named ``FIDELITY <id>``) at the
releases where they differ. The client has no gRPC here (``skip_init_checks``); where it has no call
for a REST route, or would send a different body than the rule needs, the test uses plain HTTP.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import weaviate
import weaviate.classes.config as wc
from weaviate.exceptions import UnexpectedStatusCodeError

from tests.emulators.server import RunningEmulator, serve
from tests.emulators.test_weaviate_conformance import GRPC_PORT
from tests.emulators.weaviate import WeaviateEmulator, stop_all

PREFIX = "updating schema: TYPE_UPDATE_CLASS: bad request :parse class update: "
MODULES = ("text2vec-openai", "generative-openai", "generative-cohere", "reranker-cohere", "text2multivec-jinaai")
Factory = Callable[..., RunningEmulator]


@pytest.fixture(scope="module")
def weaviate_at() -> Iterator[Factory]:
    """``weaviate_at(version, **settings)``: an empty emulator of that release and configuration, started
    once per module."""
    started: dict[tuple[Any, ...], RunningEmulator] = {}

    def get(version: str = "1.39.0", **settings: Any) -> RunningEmulator:
        settings.setdefault("modules", MODULES)
        key = (version, *sorted((k, str(v)) for k, v in settings.items()))
        if key not in started:
            modules = settings.pop("modules")
            started[key] = serve(WeaviateEmulator(version, modules=modules, **settings))
        started[key].emulator.reset()
        return started[key]

    yield get
    stop_all(started.values())


def connect(server: RunningEmulator) -> weaviate.WeaviateClient:
    return weaviate.connect_to_custom(http_host="127.0.0.1", http_port=server.port, http_secure=False,
                                      grpc_host="127.0.0.1", grpc_port=GRPC_PORT, grpc_secure=False,
                                      skip_init_checks=True)


@dataclass
class Server:
    """One emulator and a weaviate-client connected to it."""

    running: RunningEmulator
    client: weaviate.WeaviateClient


At = Callable[..., Server]


@pytest.fixture
def at(weaviate_at: Factory) -> Iterator[At]:
    """``at(version, **settings)``: an empty emulator of that release with a client (closed after the test)."""
    servers: list[Server] = []

    def get(version: str = "1.39.0", **settings: Any) -> Server:
        running = weaviate_at(version, **settings)
        servers.append(Server(running, connect(running)))
        return servers[-1]

    yield get
    for server in servers:
        server.client.close()


def http_at(server: RunningEmulator) -> httpx.Client:
    return httpx.Client(base_url=server.url + "/v1", trust_env=False)


def error(r: httpx.Response) -> str:
    return str(r.json()["error"][0]["message"])


def refused(call: Callable[[], Any]) -> UnexpectedStatusCodeError:
    with pytest.raises(UnexpectedStatusCodeError) as e:
        call()
    return e.value


def put_changed(http: httpx.Client, name: str, change: Callable[[dict[str, Any]], Any]) -> httpx.Response:
    body = http.get(f"/schema/{name}").json()
    change(body)
    return http.put(f"/schema/{name}", json=body)


# -- class create ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("version", "default", "stored"), [
    ("1.37.2", "flat", "hnsw"), ("1.37.3", "flat", "flat"), ("1.39.0", "", "hnsw")])
def test_class_level_index_type_default(weaviate_at: Factory, version: str, default: str, stored: str) -> None:
    """FIDELITY C1: DEFAULT_VECTOR_INDEX is read from 1.37.3."""
    with http_at(weaviate_at(version, default_vector_index=default)) as http:
        assert http.post("/schema", json={"class": "A"}).status_code == 200
        assert http.get("/schema/A").json()["vectorIndexType"] == stored


@pytest.mark.parametrize("version", ["1.32.0", "1.37.4", "1.37.5", "1.39.0"])
def test_named_vector_without_index_type(weaviate_at: Factory, version: str) -> None:
    """FIDELITY C2: refused before 1.37.5, defaulted (here to DEFAULT_VECTOR_INDEX) from then on."""
    with http_at(weaviate_at(version, default_vector_index="flat")) as http:
        r = http.post("/schema", json={"class": "A", "vectorConfig": {"v": {"vectorizer": {"none": {}}}}})
        if version < "1.37.5":
            assert r.status_code == 422
            assert error(r) == 'target vector "v": unrecognized or unsupported vectorIndexType ""'
        else:
            assert r.status_code == 200, r.text
            assert http.get("/schema/A").json()["vectorConfig"]["v"]["vectorIndexType"] == "flat"


@pytest.mark.parametrize(("version", "strategy"), [("1.33.0", "sweeping"), ("1.34.0", "acorn")])
def test_filter_strategy_default(at: At, version: str,
                                 strategy: str) -> None:
    """FIDELITY C3: the hnsw filter strategy default flipped in 1.34."""
    server = at(version)
    client = server.client
    client.collections.create("A", vector_config=wc.Configure.Vectors.self_provided())
    config = client.collections.get("A").config.get().vector_config
    assert config is not None
    assert config["default"].vector_index_config.filter_strategy.value == strategy  # type: ignore[union-attr]


@pytest.mark.parametrize(("version", "rq", "skip"), [("1.33.0", False, False), ("1.34.0", True, False),
                                                     ("1.35.0", True, True)])
def test_flat_config_fields_per_release(weaviate_at: Factory, version: str, rq: bool, skip: bool) -> None:
    """FIDELITY C4: flat rq from 1.34, skip/trackDefaultQuantization from 1.35."""
    with http_at(weaviate_at(version)) as http:
        http.post("/schema", json={"class": "A", "vectorIndexType": "flat"})
        config = http.get("/schema/A").json()["vectorIndexConfig"]
        assert ("rq" in config) is rq and ("skipDefaultQuantization" in config) is skip


def test_hfresh_needs_the_experimental_flag_and_has_its_defaults(weaviate_at: Factory) -> None:
    """FIDELITY C5, C16, V4."""
    with http_at(weaviate_at("1.39.0")) as http:
        r = http.post("/schema", json={"class": "A", "vectorIndexType": "hfresh"})
        assert error(r) == "the hfresh index is available only in experimental mode"
    with http_at(weaviate_at("1.34.0", hfresh=True)) as http:
        r = http.post("/schema", json={"class": "A", "vectorIndexType": "hfresh"})
        assert error(r) == 'unrecognized or unsupported vectorIndexType "hfresh"'
    for version, probe in (("1.38.0", 64), ("1.39.0", 256)):
        with http_at(weaviate_at(version, hfresh=True)) as http:
            assert http.post("/schema", json={"class": "A", "vectorIndexType": "hfresh"}).status_code == 200
            assert http.get("/schema/A").json()["vectorIndexConfig"] == {
                "maxPostingSizeKB": 48, "replicas": 4, "searchProbe": probe, "distance": "cosine",
                "rq": {"enabled": True, "bits": 1, "rescoreLimit": 350}}
            r = http.post("/schema", json={"class": "B", "vectorIndexType": "hfresh",
                                           "vectorIndexConfig": {"distance": "dot", "pq": {"enabled": True}}})
            assert error(r) == ("class.VectorIndexConfig can not parse: parse vector index config: pq is not "
                                "supported for hfresh index (only rq-1 is supported)")


@pytest.mark.parametrize(("version", "quantization", "expected"), [
    ("1.33.0", "rq-8", {"rq": 8}), ("1.33.0", "bq", {"bq": None}), ("1.39.0", "rq-4", {"rq": 4}),
    ("1.39.0", "pq", {"pq": None})])
def test_default_quantization_and_the_opt_out(at: At, version: str,
                                              quantization: str, expected: dict[str, int | None]) -> None:
    """FIDELITY C6: DEFAULT_QUANTIZATION quantizes new indexes unless skipDefaultQuantization (or an
    explicit quantizer) says otherwise; rq-4 exists from 1.39."""
    server = at(version, default_quantization=quantization)
    client = server.client
    client.collections.create("On", vector_config=wc.Configure.Vectors.self_provided())
    client.collections.create("Off", vector_config=wc.Configure.Vectors.self_provided(
        vector_index_config=wc.Configure.VectorIndex.hnsw(quantizer=wc.Configure.VectorIndex.Quantizer.none())))
    with http_at(server.running) as http:
        on = http.get("/schema/On").json()["vectorConfig"]["default"]["vectorIndexConfig"]
        off = http.get("/schema/Off").json()["vectorConfig"]["default"]["vectorIndexConfig"]
    (quantizer, bits), = expected.items()
    assert on[quantizer]["enabled"] is True and on["trackDefaultQuantization"] is True
    if bits:
        assert on["rq"]["bits"] == bits
    assert off["skipDefaultQuantization"] is True and off["trackDefaultQuantization"] is False
    assert not any(off[q]["enabled"] for q in ("pq", "bq", "sq", "rq"))


def test_default_quantization_values_per_release() -> None:
    """FIDELITY C6: a server of 1.38 does not start with rq-4."""
    with pytest.raises(ValueError, match="DEFAULT_QUANTIZATION=rq-4"):
        WeaviateEmulator("1.38.0", default_quantization="rq-4")


def test_module_defaults_are_stored_at_create(at: At) -> None:
    """FIDELITY C7: the vectorizer's class and property defaults are part of the stored class."""
    server = at("1.36.0")
    client = server.client
    client.collections.create(
        "Doc", properties=[wc.Property(name="title", data_type=wc.DataType.TEXT)],
        vector_config=wc.Configure.Vectors.text2vec_openai(name="body"))
    config = client.collections.get("Doc").config.get()
    assert config.vector_config is not None
    settings = config.vector_config["body"].vectorizer.model
    assert settings["baseURL"] == "https://api.openai.com" and settings["model"] == "text-embedding-3-small"
    with http_at(server.running) as http:
        http.post("/schema", json={"class": "Legacy", "vectorizer": "text2vec-openai",
                                   "properties": [{"name": "t", "dataType": ["text"]}]})
        legacy = http.get("/schema/Legacy").json()
    assert legacy["moduleConfig"]["text2vec-openai"] == {
        "vectorizeClassName": True, "baseURL": "https://api.openai.com", "model": "text-embedding-3-small"}
    assert legacy["properties"][0]["moduleConfig"] == {
        "text2vec-openai": {"skip": False, "vectorizePropertyName": False}}


def test_shards_and_replication_factor_follow_the_node_count(weaviate_at: Factory) -> None:
    """FIDELITY C8, C9: one shard per node by default; a factor above the node count is refused."""
    with http_at(weaviate_at("1.39.0", nodes=3)) as http:
        assert http.post("/schema", json={"class": "A", "replicationConfig": {"factor": 3}}).status_code == 200
        assert http.get("/schema/A").json()["shardingConfig"]["desiredCount"] == 3
        assert len(http.get("/schema/A/shards").json()) == 3
    client = connect(weaviate_at("1.39.0"))
    try:
        e = refused(lambda: client.collections.create(
            "B", replication_config=wc.Configure.replication(factor=2)))
    finally:
        client.close()
    assert e.status_code == 422
    assert ("init sharding state: could not find enough weaviate nodes for replication: 1 available, 2 requested"
            in str(e.error))


@pytest.mark.parametrize(("version", "shown"), [("1.37.14", True), ("1.38.0", False)])
def test_async_enabled_is_gone_from_138(weaviate_at: Factory, version: str, shown: bool) -> None:
    """FIDELITY C11."""
    with http_at(weaviate_at(version)) as http:
        http.post("/schema", json={"class": "A", "replicationConfig": {"asyncEnabled": True}})
        assert ("asyncEnabled" in http.get("/schema/A").json()["replicationConfig"]) is shown


@pytest.mark.parametrize(("version", "text"), [("1.32.0", "class name Live already exists"),
                                               ("1.33.0", "alias name Live already exists")])
def test_a_class_cannot_be_named_like_an_alias(at: At, version: str,
                                               text: str) -> None:
    """FIDELITY C12, A1."""
    server = at(version)
    client = server.client
    client.collections.create("Article")
    client.alias.create(alias_name="Live", target_collection="Article")
    e = refused(lambda: client.collections.create("Live"))
    assert e.status_code == 422 and text in str(e.error)
    e = refused(lambda: client.collections.create("LIVE"))
    item = "alias" if version >= "1.33" else "class"
    assert f'class already exists: found similar {item} "Live"' in str(e.error)


@pytest.mark.parametrize(("version", "text"), [
    ("1.35.0", "property 'a': invalid dataType: [Missing]: reference property to nonexistent class"),
    ("1.36.0", "bad request: reference property to nonexistent class")])
def test_reference_to_a_missing_class(at: At, version: str,
                                      text: str) -> None:
    """FIDELITY C13."""
    server = at(version)
    client = server.client
    e = refused(lambda: client.collections.create(
        "A", references=[wc.ReferenceProperty(name="a", target_collection="Missing")]))
    assert str(e.error).endswith(text) or text in str(e.error)


def test_both_vector_shapes_and_dropped_indexes_at_create(weaviate_at: Factory) -> None:
    """FIDELITY C14, C15."""
    with http_at(weaviate_at("1.39.0")) as http:
        r = http.post("/schema", json={"class": "A", "vectorizer": "none",
                                       "vectorConfig": {"v": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}}})
        assert error(r) == "creating a class with both a class level vector index and named vectors is forbidden"
        r = http.post("/schema", json={"class": "A", "vectorConfig": {
            "v": {"vectorizer": {"none": {}}, "vectorIndexType": "none"}}})
        assert error(r) == ('vector "v": cannot create a new class with vectorIndexType "none"; this is an internal '
                            "sentinel for dropped indexes")
    with http_at(weaviate_at("1.36.0")) as http:
        r = http.post("/schema", json={"class": "A", "vectorConfig": {
            "v": {"vectorizer": {"none": {}}, "vectorIndexType": "none"}}})
        assert error(r) == 'target vector "v": unrecognized or unsupported vectorIndexType "none"'


@pytest.mark.parametrize(("version", "text"), [
    ("1.34.0", "the dynamic index can only be created under async indexing environment (ASYNC_INDEXING=true)"),
    ("1.35.0", "the dynamic index can only be created when async indexing is enabled")])
def test_dynamic_needs_async_indexing(weaviate_at: Factory, version: str, text: str) -> None:
    """FIDELITY C17."""
    with http_at(weaviate_at(version)) as http:
        assert error(http.post("/schema", json={"class": "A", "vectorIndexType": "dynamic"})) == text
    with http_at(weaviate_at(version, async_indexing=True)) as http:
        assert http.post("/schema", json={"class": "A", "vectorIndexType": "dynamic"}).status_code == 200


def test_module_checks_of_a_class(weaviate_at: Factory) -> None:
    """FIDELITY C18, C19."""
    with http_at(weaviate_at("1.39.0")) as http:
        def create(body: dict[str, Any]) -> str:
            return error(http.post("/schema", json={"class": "A", **body}))

        assert create({"vectorizer": "text2vec-nope"}) == 'vectorizer: no module with name "text2vec-nope" present'
        assert create({"vectorConfig": {"v": {"vectorizer": {}, "vectorIndexType": "hnsw"}}}) == (
            "class.VectorConfig.Vectorizer must consist only 1 configuration, got: 0")
        assert create({"vectorConfig": {"v": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}},
                       "moduleConfig": {"generative-nope": {}}}) == "module with name generative-nope doesn't exist"
        assert create({"vectorizer": "text2multivec-jinaai"}) == (
            'multi vector vectorizer: "text2multivec-jinaai" is only allowed to be defined using named vector '
            "configuration")
        assert create({"vectorizer": "text2vec-openai", "moduleConfig": {
            "text2vec-openai": {}, "text2multivec-jinaai": {}}}) == (
            "multiple vectorizers configured in class's moduleConfig: [text2vec-openai text2multivec-jinaai]. "
            'class.vectorizer is set to "text2vec-openai"')


def test_a_property_configures_only_the_class_vectorizers(at: At,
                                                           weaviate_at: Factory) -> None:
    """FIDELITY C20: also a module the class does not use for any vector."""
    with http_at(weaviate_at("1.36.0")) as http:
        r = http.post("/schema", json={"class": "A", "vectorConfig": {
            "v": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}}, "properties": [
            {"name": "t", "dataType": ["text"], "moduleConfig": {"text2vec-openai": {"skip": True}}}]})
        assert error(r) == 'vectorizer "text2vec-openai" not configured for any of target vectors'
        ok = http.post("/schema", json={"class": "B", "vectorConfig": {
            "v": {"vectorizer": {"text2vec-openai": {}}, "vectorIndexType": "hnsw"}}, "properties": [
            {"name": "t", "dataType": ["text"], "moduleConfig": {"text2vec-openai": {"skip": True}}}]})
        assert ok.status_code == 200, ok.text


# -- vector index configs ----------------------------------------------------------------------------------


def test_hnsw_bounds_and_filter_strategy(weaviate_at: Factory) -> None:
    """FIDELITY V1, V5: problems joined in one message; where the message is wrapped differs per stage."""
    with http_at(weaviate_at("1.39.0")) as http:
        r = http.post("/schema", json={"class": "A", "vectorIndexConfig": {
            "maxConnections": 2, "filterStrategy": "fast"}})
        assert error(r) == ("class.VectorIndexConfig can not parse: parse vector index config: invalid hnsw config: "
                            "maxConnections must be a positive integer with a minimum of 4, filterStrategy must be "
                            "either 'sweeping' or 'acorn'")
        r = http.post("/schema", json={"class": "A", "vectorConfig": {"v": {
            "vectorizer": {"none": {}}, "vectorIndexType": "hnsw", "vectorIndexConfig": {"efConstruction": 2}}}})
        assert error(r) == ('target vector "v": parse vector index config: parse vector index config: invalid hnsw '
                            "config: efConstruction must be a positive integer with a minimum of 4")
        r = http.post("/schema", json={"class": "A", "vectorIndexConfig": {"maxConnections": 2048}})
        assert error(r).endswith("invalid hnsw config: maxConnections must be less than 2048")
    with http_at(weaviate_at("1.37.4")) as http:
        r = http.post("/schema", json={"class": "A", "vectorConfig": {"v": {
            "vectorizer": {"none": {}}, "vectorIndexType": "hnsw", "vectorIndexConfig": {"efConstruction": 2}}}})
        assert error(r) == ("parse vector index config: parse vector config for v: parse vector index config: invalid "
                            "hnsw config: efConstruction must be a positive integer with a minimum of 4")


@pytest.mark.parametrize(("version", "bits", "text"), [
    ("1.32.0", 1, "RQ bits must be 8"), ("1.33.0", 4, "RQ bits must be 8 or 1"),
    ("1.38.11", 4, "RQ bits must be 8 or 1"), ("1.39.0", 2, "RQ bits must be 8, 4 or 1")])
def test_rq_bits_per_release(at: At, version: str, bits: int,
                             text: str) -> None:
    """FIDELITY V2."""
    server = at(version)
    client = server.client
    e = refused(lambda: client.collections.create("A", vector_config=wc.Configure.Vectors.self_provided(
        vector_index_config=wc.Configure.VectorIndex.hnsw(quantizer=wc.Configure.VectorIndex.Quantizer.rq(
            bits=bits)))))
    assert str(e.error).endswith(f"parse vector index config: {text}\"}}]}}") or text in str(e.error)
    if version >= "1.33":
        client.collections.create("B", vector_config=wc.Configure.Vectors.self_provided(
            vector_index_config=wc.Configure.VectorIndex.hnsw(quantizer=wc.Configure.VectorIndex.Quantizer.rq(
                bits=1))))


def test_an_unknown_distance_is_refused(weaviate_at: Factory) -> None:
    """FIDELITY V7: the emulator refuses at create what the server would fail on when opening the shard."""
    with http_at(weaviate_at("1.39.0")) as http:
        r = http.post("/schema", json={"class": "A", "vectorIndexConfig": {"distance": "euclid"}})
        assert r.status_code == 422 and "unrecognized distance metric" in error(r)
        assert "A" not in http.get("/schema").json().get("classes", [])


def test_quantizers_and_muvera(weaviate_at: Factory) -> None:
    """FIDELITY V2, V3: one quantizer; ksim up to 10; flat quantizer rules."""
    with http_at(weaviate_at("1.39.0")) as http:
        def named(config: dict[str, Any], index: str = "hnsw") -> httpx.Response:
            return http.post("/schema", json={"class": "A", "vectorConfig": {"v": {
                "vectorizer": {"none": {}}, "vectorIndexType": index, "vectorIndexConfig": config}}})

        assert error(named({"pq": {"enabled": True}, "bq": {"enabled": True}})).endswith(
            "invalid hnsw config: more than a single compression methods enabled")
        assert error(named({"multivector": {"enabled": True, "muvera": {"enabled": True, "ksim": 11}}})).endswith(
            "invalid hnsw config: ksim must be less than 10")
        assert named({"multivector": {"enabled": True, "muvera": {"enabled": True, "ksim": 10}}}).status_code == 200
        http.delete("/schema/A")
        assert error(named({"pq": {"enabled": True}}, "flat")).endswith("PQ is not currently supported for flat "
                                                                         "indices")
        assert error(named({"bq": {"cache": True}}, "flat")).endswith("not possible to use the cache without "
                                                                       "compression")
        assert error(named({"rq": {"enabled": True, "bits": 4}}, "flat")).endswith("RQ bits must be either 1 or 8")


def test_multi_vectors_only_on_named_vectors_with_a_capable_vectorizer(
        at: At, weaviate_at: Factory) -> None:
    """FIDELITY V6."""
    server = at("1.39.0")
    client = server.client
    client.collections.create("Own", vector_config=wc.Configure.MultiVectors.self_provided(name="colbert"))
    with http_at(server.running) as http:
        stored = http.get("/schema/Own").json()["vectorConfig"]["colbert"]["vectorIndexConfig"]
        assert stored["multivector"]["enabled"] is True
        r = http.post("/schema", json={"class": "A", "vectorIndexConfig": {"multivector": {"enabled": True}}})
        assert error(r) == ("class.VectorIndexConfig can not parse: parse vector index config: class.VectorIndexConfig "
                            "multi vector type index type is only configurable using named vectors") or error(r) == (
            "class.VectorIndexConfig multi vector type index type is only configurable using named vectors")
        r = http.post("/schema", json={"class": "A", "vectorConfig": {"v": {
            "vectorizer": {"text2vec-openai": {}}, "vectorIndexType": "hnsw",
            "vectorIndexConfig": {"multivector": {"enabled": True}}}}})
        assert error(r) == ('parse vector index config: parse vector config for v: multi vector index configured but '
                            'vectorizer: "text2vec-openai" doesn\'t support multi vectors')
        r = http.post("/schema", json={"class": "A", "vectorConfig": {"v": {
            "vectorizer": {"text2multivec-jinaai": {}}, "vectorIndexType": "flat"}}})
        # without an index config of its own, the vector is only parsed with the class (ParseClass)
        assert error(r) == ('parse vector index config: parse vector config for v: parse vector index config: multi '
                            'vector index is not supported for vector index type: "flat", only supported type is hnsw')


# -- class update -----------------------------------------------------------------------------------------


def test_update_errors_carry_the_raft_prefix_only_from_the_second_stage(weaviate_at: Factory) -> None:
    """FIDELITY U1, U4, U14."""
    with http_at(weaviate_at("1.39.0")) as http:
        http.post("/schema", json={"class": "A"})
        r = put_changed(http, "A", lambda c: c.update(vectorizer="text2vec-openai"))
        assert error(r) == PREFIX + 'vectorizer is immutable: attempted change from "none" to "text2vec-openai"'
        r = put_changed(http, "A", lambda c: c["multiTenancyConfig"].update(enabled=True))
        assert error(r) == "enabling multi-tenancy for an existing class is not supported"
        r = put_changed(http, "A", lambda c: c.update({"class": "a"}))
        assert error(r) == 'class name is immutable: attempted change from "A" to "a"'


def test_generative_and_reranker_modules_switch_in_place(at: At,
                                                         weaviate_at: Factory) -> None:
    """FIDELITY U2: one of a kind per body; the new module replaces the old; nothing is removed."""
    server = at("1.36.0")
    client = server.client
    client.collections.create("Doc", vector_config=wc.Configure.Vectors.self_provided(),
                              generative_config=wc.Configure.Generative.openai(model="gpt-4"),
                              reranker_config=wc.Configure.Reranker.cohere())
    docs = client.collections.get("Doc")
    docs.config.update(generative_config=wc.Reconfigure.Generative.cohere(model="command-r"))
    config = docs.config.get()
    assert config.generative_config is not None and config.generative_config.generative == "generative-cohere"
    with http_at(server.running) as http:
        modules = http.get("/schema/Doc").json()["moduleConfig"]
        assert set(modules) == {"generative-cohere", "reranker-cohere"}
        r = put_changed(http, "Doc", lambda c: c["moduleConfig"].update({"generative-openai": {"model": "x"}}))
        assert error(r) == PREFIX + ("updated moduleconfig has multiple generative modules: map[generative-cohere:"
                                     "map[model:command-r] generative-openai:map[model:x] reranker-cohere:map[]]")
        r = put_changed(http, "Doc", lambda c: c.pop("moduleConfig"))
        assert r.status_code == 200 and set(http.get("/schema/Doc").json()["moduleConfig"]) == {
            "generative-cohere", "reranker-cohere"}


@pytest.mark.parametrize(("version", "suffix"), [("1.33.11", ""), ("1.33.12", " for class Doc"),
                                                 ("1.35.2", ""), ("1.36.0", " for class Doc")])
def test_named_vectors_add_and_immutables(at: At, version: str,
                                          suffix: str) -> None:
    """FIDELITY U3: named vectors are added in place, also beside a class-level vector."""
    server = at(version)
    client = server.client
    client.collections.create("Doc", vector_config=wc.Configure.Vectors.text2vec_openai(name="a"))
    docs = client.collections.get("Doc")
    docs.config.add_vector(vector_config=wc.Configure.Vectors.self_provided(name="b"))
    config = docs.config.get().vector_config
    assert config is not None and set(config) == {"a", "b"}
    with http_at(server.running) as http:
        r = put_changed(http, "Doc", lambda c: c["vectorConfig"]["a"]["vectorizer"]["text2vec-openai"].update(
            model="text-embedding-3-large"))
        assert error(r) == f'vectorizer config of vector "a" is immutable{suffix}'
        http.post("/schema", json={"class": "Old", "vectorizer": "none"})
        r = put_changed(http, "Old", lambda c: c.update(vectorConfig={
            "default": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}}))
        assert error(r) == PREFIX + ("vector named default cannot be created when collection level vector index is "
                                     "configured")
        r = put_changed(http, "Old", lambda c: c.update(vectorConfig={
            "extra": {"vectorizer": {"none": {}}, "vectorIndexType": "flat"}}))
        assert r.status_code == 200, r.text
        both = http.get("/schema/Old").json()
        assert both["vectorizer"] == "none" and both["vectorConfig"]["extra"]["vectorIndexType"] == "flat"


def test_index_config_immutables(weaviate_at: Factory) -> None:
    """FIDELITY U5."""
    with http_at(weaviate_at("1.39.0")) as http:
        http.post("/schema", json={"class": "A", "vectorConfig": {
            "f": {"vectorizer": {"none": {}}, "vectorIndexType": "flat"}}})
        r = put_changed(http, "A", lambda c: c["vectorConfig"]["f"]["vectorIndexConfig"]["bq"].update(enabled=True))
        assert error(r) == PREFIX + ('invalid update for vector "f": bq is immutable: attempted change from "false" '
                                     'to "true"')


@pytest.mark.parametrize(("version", "stage_one"), [("1.32.23", False), ("1.32.24", True), ("1.34.5", False),
                                                    ("1.34.6", True), ("1.35.0", True)])
def test_inverted_flags_per_release(weaviate_at: Factory, version: str, stage_one: bool) -> None:
    """FIDELITY U8."""
    with http_at(weaviate_at(version)) as http:
        http.post("/schema", json={"class": "A"})
        r = put_changed(http, "A", lambda c: c["invertedIndexConfig"].update(indexNullState=True))
        assert error(r) == ('"indexNullState" setting is immutable. Value changed from "false" to "true"' if stage_one
                            else PREFIX + "inverted index config: IndexNullState cannot be changed when updating a "
                                          "schema")
        r = put_changed(http, "A", lambda c: c["invertedIndexConfig"].update(indexTimestamps=True))
        assert (r.status_code == 200) is not stage_one


def test_default_quantization_flags_survive_updates(weaviate_at: Factory) -> None:
    """FIDELITY U10."""
    with http_at(weaviate_at("1.39.0", default_quantization="rq-8")) as http:
        http.post("/schema", json={"class": "A"})
        r = put_changed(http, "A", lambda c: c["vectorIndexConfig"].update(trackDefaultQuantization=False,
                                                                           skipDefaultQuantization=True))
        assert r.status_code == 200
        config = http.get("/schema/A").json()["vectorIndexConfig"]
        assert config["trackDefaultQuantization"] is True and config["skipDefaultQuantization"] is False


@pytest.mark.parametrize(("version", "nodes", "rise", "lower"), [
    ("1.34.0", 1, 'scale "A" from 1 replicas to 2: not enough storage replicas: found 1 want 2', None),
    ("1.34.0", 3, None, 'scale "A" from 2 replicas to 1: scaling in not supported yet'),
    ("1.35.0", 3, 'not enough replicas in shard "{shard}" to increase replication factor to 2 for class "A"', None)])
def test_replication_factor_changes_in_place_or_is_refused(at: At,
                                                           version: str, nodes: int, rise: str | None,
                                                           lower: str | None) -> None:
    """FIDELITY U11: a refused change leaves the class as it was."""
    server = at(version, nodes=nodes)
    client = server.client
    client.collections.create("A", replication_config=wc.Configure.replication(factor=1))
    collection = client.collections.get("A")
    shards = [s.name for s in collection.config.get_shards()]
    before = collection.config.get()
    if rise is None:
        collection.config.update(replication_config=wc.Reconfigure.replication(factor=2))
        assert collection.config.get().replication_config.factor == 2
    else:
        e = refused(lambda: collection.config.update(replication_config=wc.Reconfigure.replication(factor=2)))
        assert rise.format(shard=shards[0]) in str(e.error)
        assert collection.config.get() == before
        return
    if lower is None:
        collection.config.update(replication_config=wc.Reconfigure.replication(factor=1))
        assert collection.config.get().replication_config.factor == 1
    else:
        e = refused(lambda: collection.config.update(replication_config=wc.Reconfigure.replication(factor=1)))
        assert lower in str(e.error)
        assert collection.config.get().replication_config.factor == 2


def test_lowering_the_factor_from_135(at: At) -> None:
    """FIDELITY U11: from 1.35 a decrease is accepted."""
    server = at("1.35.0", nodes=3)
    client = server.client
    client.collections.create("A", replication_config=wc.Configure.replication(factor=3))
    collection = client.collections.get("A")
    collection.config.update(replication_config=wc.Reconfigure.replication(factor=1))
    assert collection.config.get().replication_config.factor == 1


def test_a_dropped_vector_index(weaviate_at: Factory) -> None:
    """FIDELITY I4, U13: a dropped index reads back as none and cannot be revived by an update."""
    with http_at(weaviate_at("1.39.0", drop_vector_index=True)) as http:
        http.post("/schema", json={"class": "A", "vectorConfig": {
            "a": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"},
            "b": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}}})
        assert http.delete("/schema/A/vectors/b/index").status_code == 200
        assert http.get("/schema/A").json()["vectorConfig"]["b"] == {
            "vectorizer": {"none": {}}, "vectorIndexType": "none"}
        r = put_changed(http, "A", lambda c: c["vectorConfig"]["b"].update(vectorIndexType="hnsw"))
        assert error(r).startswith('vector "b": a dropped index entry cannot be revived')
        assert put_changed(http, "A", lambda c: c.update(description="kept")).status_code == 200
    with http_at(weaviate_at("1.39.0")) as http:
        http.post("/schema", json={"class": "A", "vectorConfig": {
            "a": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}}})
        r = http.delete("/schema/A/vectors/a/index")
        assert r.status_code == 500 and "ENABLE_EXPERIMENTAL_ALTER_SCHEMA_DROP_VECTOR_INDEX_ENDPOINT" in error(r)


# -- aliases ----------------------------------------------------------------------------------------------


def test_alias_lifecycle_through_the_client(at: At) -> None:
    """FIDELITY A1, A3, A4."""
    server = at("1.39.0")
    client = server.client
    client.collections.create("ArticleV1")
    client.collections.create("ArticleV2")
    client.alias.create(alias_name="articles", target_collection="ArticleV1")
    assert {a: r.collection for a, r in client.alias.list_all().items()} == {"Articles": "ArticleV1"}
    with http_at(server.running) as http:
        assert http.get("/schema/Articles").json()["class"] == "ArticleV1"
        assert client.alias.update(alias_name="Articles", new_target_collection="ArticleV2")
        assert http.get("/aliases/Articles").json() == {"alias": "Articles", "class": "ArticleV2"}
        assert http.delete("/schema/ArticleV2").status_code == 200
        assert http.get("/aliases").json() == {"aliases": [{"alias": "Articles", "class": "ArticleV2"}]}
        assert client.alias.delete(alias_name="Articles")
        assert http.get("/aliases/Articles").status_code == 404
        assert http.delete("/aliases/Articles").status_code == 404


@pytest.mark.parametrize(("version", "taken", "named_like_class", "missing"), [
    ("1.32.0", (422, "updating schema: TYPE_CREATE_ALIAS: create alias: alias Live already exists"),
     (422, "updating schema: TYPE_CREATE_ALIAS: create alias: class Article already exists"),
     (422, "class does not exist: bad request")),
    ("1.33.0", (422, "updating schema: TYPE_CREATE_ALIAS: create alias: Live, alias already exists"),
     (422, "updating schema: TYPE_CREATE_ALIAS: create alias: class Article already exists"),
     (422, "class does not exist: bad request")),
    ("1.38.0", (422, "validation: updating schema: TYPE_CREATE_ALIAS: create alias: Live, alias already exists"),
     (500, "updating schema: TYPE_CREATE_ALIAS: create alias: class Article already exists"),
     (422, 'validation: target class "Missing" does not exist'))])
def test_alias_create_refusals(weaviate_at: Factory, version: str, taken: tuple[int, str],
                               named_like_class: tuple[int, str], missing: tuple[int, str]) -> None:
    """FIDELITY A2."""
    with http_at(weaviate_at(version)) as http:
        http.post("/schema", json={"class": "Article"})
        assert http.post("/aliases", json={"alias": "Live", "class": "Article"}).status_code == 200
        for body, (status, text) in (({"alias": "Live", "class": "Article"}, taken),
                                     ({"alias": "Article", "class": "Article"}, named_like_class),
                                     ({"alias": "Other", "class": "Missing"}, missing)):
            r = http.post("/aliases", json=body)
            assert (r.status_code, error(r)) == (status, text)


def test_no_aliases_before_132(weaviate_at: Factory) -> None:
    with http_at(weaviate_at("1.31.0")) as http:
        assert http.get("/aliases").status_code == 404


# -- index changes ----------------------------------------------------------------------------------------


def test_property_index_drop_from_136(at: At,
                                      weaviate_at: Factory) -> None:
    """FIDELITY I1: through the client's delete_property_index; absent before 1.36."""
    server = at("1.36.0")
    client = server.client
    client.collections.create("A", properties=[wc.Property(name="title", data_type=wc.DataType.TEXT)])
    collection = client.collections.get("A")
    assert collection.config.delete_property_index("title", "searchable")
    assert collection.config.delete_property_index("title", "searchable")  # already off: still 200
    prop = collection.config.get().properties[0]
    assert prop.index_searchable is False and prop.index_filterable is True
    with http_at(weaviate_at("1.35.0")) as http:
        http.post("/schema", json={"class": "A", "properties": [{"name": "t", "dataType": ["text"]}]})
        assert http.delete("/schema/A/properties/t/index/searchable").status_code in (404, 405)
    with http_at(weaviate_at("1.36.0")) as http:
        http.post("/schema", json={"class": "B", "properties": [{"name": "t", "dataType": ["text"]}]})
        r = http.delete("/schema/B/properties/t/index/rangeable")
        assert r.status_code == 422 and r.json()["code"] == 606


def test_property_index_upsert_from_139(weaviate_at: Factory) -> None:
    """FIDELITY I2, I3: asynchronous; the schema changes when the task finishes."""
    server = weaviate_at("1.39.0", reindex_delay_s=0.3)
    with http_at(server) as http:
        http.post("/schema", json={"class": "A", "properties": [
            {"name": "t", "dataType": ["text"], "indexSearchable": False},
            {"name": "n", "dataType": ["int"]}]})
        r = http.put("/schema/A/properties/t/index/searchable", json={})
        assert r.status_code == 400
        assert error(r) == "enable-searchable requires a tokenization to be set on the request body"
        r = http.put("/schema/A/properties/t/index/searchable", json={"tokenization": "field"})
        assert error(r).startswith('property "t" has an existing filterable index built with tokenization "word"')
        r = http.put("/schema/A/properties/t/index/filterable", json={"tokenization": "field"})
        assert r.status_code == 202 and r.json()["status"] == "STARTED"
        status = http.get("/schema/A/indexes").json()["properties"][0]["indexes"][0]
        assert status["type"] == "filterable" and status["status"] == "indexing"
        assert status["targetTokenization"] == "field"
        assert http.get("/schema/A").json()["properties"][0]["tokenization"] == "word"
        time.sleep(0.4)
        assert http.get("/schema/A").json()["properties"][0]["tokenization"] == "field"
        r = http.put("/schema/A/properties/t/index/searchable", json={"tokenization": "field"})
        assert r.status_code == 202
        r = http.put("/schema/A/properties/t/index/searchable", json={"tokenization": "word"})
        assert r.status_code == 409
        r = http.put("/schema/A/properties/n/index/rangeFilters", json={"tokenization": "x"})
        assert error(r) == "the rangeFilters index takes no configuration fields; send an empty body {}"
        assert http.put("/schema/A/properties/n/index/rangeFilters", json={}).status_code == 202
        time.sleep(0.4)
        props = {p["name"]: p for p in http.get("/schema/A").json()["properties"]}
        assert props["t"]["indexSearchable"] is True and props["n"]["indexRangeFilters"] is True
        assert http.put("/schema/A/properties/n/index/rangeFilters", json={}).json() == {"status": "NO_OP"}
    with http_at(weaviate_at("1.38.0")) as http:
        http.post("/schema", json={"class": "A", "properties": [{"name": "n", "dataType": ["int"]}]})
        assert http.put("/schema/A/properties/n/index/rangeFilters", json={}).status_code in (404, 405)
        assert http.get("/schema/A/indexes").status_code == 200


def test_nested_property_tokenization(at: At) -> None:
    """FIDELITY P2: nested text properties take field, word, whitespace or lowercase only."""
    server = at("1.39.0")
    client = server.client
    e = refused(lambda: client.collections.create("A", properties=[wc.Property(
        name="o", data_type=wc.DataType.OBJECT, nested_properties=[
            wc.Property(name="n", data_type=wc.DataType.TEXT, tokenization=wc.Tokenization.TRIGRAM)])]))
    assert "property 'o.n': Tokenization 'trigram' is not allowed for data type 'text'" in str(e.error)
