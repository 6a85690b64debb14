"""Conformance of the Weaviate emulator's objects with the real server, through the official client
(REST calls only: the emulator has no gRPC) and plain REST for listing, which the client does over
gRPC. The reliability tests rely on these facts to check that applies keep data.

Facts: an object keeps the property values it was written with; a property added later is absent
from existing objects (FIDELITY U7: properties are only added); a class that is deleted and
created again is empty; ``GET /v1/objects`` pages with ``offset``/``limit`` (default 25, Weaviate's
QUERY_DEFAULTS_LIMIT) and counts the page in ``totalResults``.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import httpx
import pytest
import weaviate
import weaviate.classes.config as wc

from tests.emulators.server import RunningServer, serve
from tests.emulators.weaviate import WeaviateEmulator


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    running = serve(WeaviateEmulator("1.32.0"))
    yield running
    running.stop()


@pytest.fixture()
def client(server: RunningServer) -> Iterator[weaviate.WeaviateClient]:
    server.backend.reset()
    # gRPC is never dialled: these tests make REST calls only
    c = weaviate.connect_to_custom(http_host="127.0.0.1", http_port=server.port, http_secure=False,
                                   grpc_host="127.0.0.1", grpc_port=_free_port(), grpc_secure=False,
                                   skip_init_checks=True)
    yield c
    c.close()


@pytest.fixture()
def http(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + "/v1") as h:
        yield h


def _create_article(client: weaviate.WeaviateClient) -> None:
    client.collections.create("Article", properties=[
        wc.Property(name="title", data_type=wc.DataType.TEXT),
        wc.Property(name="views", data_type=wc.DataType.INT),
        wc.Property(name="score", data_type=wc.DataType.NUMBER),
        wc.Property(name="done", data_type=wc.DataType.BOOL),
        wc.Property(name="tags", data_type=wc.DataType.TEXT_ARRAY),
        wc.Property(name="published", data_type=wc.DataType.DATE),
    ])


def test_objects_keep_their_values_and_later_properties_are_absent(client: weaviate.WeaviateClient,
                                                                    http: httpx.Client) -> None:
    _create_article(client)
    articles = client.collections.get("Article")
    values = {"title": "hello", "views": 7, "score": 2.5, "done": True, "tags": ["a", "b"],
              "published": "2024-05-06T07:08:09Z"}
    oid = str(articles.data.insert(values, uuid=uuid.uuid5(uuid.NAMESPACE_URL, "article-1")))
    assert oid == str(uuid.uuid5(uuid.NAMESPACE_URL, "article-1"))
    articles.config.add_property(wc.Property(name="body", data_type=wc.DataType.TEXT))
    stored = http.get(f"/objects/Article/{oid}").json()
    assert (stored["class"], stored["id"], stored["properties"]) == ("Article", oid, values)
    assert "body" not in stored["properties"]


def test_a_recreated_class_is_empty(client: weaviate.WeaviateClient, http: httpx.Client) -> None:
    _create_article(client)
    client.collections.get("Article").data.insert({"title": "gone"})
    client.collections.delete("Article")
    _create_article(client)
    assert http.get("/objects", params={"class": "Article"}).json() == {"objects": [], "totalResults": 0}


def test_objects_list_in_pages(client: weaviate.WeaviateClient, http: httpx.Client) -> None:
    _create_article(client)
    articles = client.collections.get("Article")
    ids = [str(articles.data.insert({"views": i})) for i in range(30)]
    first = http.get("/objects", params={"class": "Article"}).json()
    assert first["totalResults"] == 25 and [o["id"] for o in first["objects"]] == ids[:25]
    rest = http.get("/objects", params={"class": "Article", "offset": 25, "limit": 10}).json()
    assert rest["totalResults"] == 5 and [o["id"] for o in rest["objects"]] == ids[25:]
