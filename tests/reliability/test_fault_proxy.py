"""The fault proxy in front of the real PocketBase: without faults it is invisible (status, headers,
bodies and query strings pass unchanged); with faults it fails requests the way the emulators do, and a
lost answer means the write did happen."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.emulators.proxy import FaultProxy, start_proxy
from tests.emulators.server import RunningServer
from tests.pocketbase_fixture import PocketBaseServer


@pytest.fixture()
def proxy(pocketbase_server: PocketBaseServer) -> Iterator[RunningServer]:
    pocketbase_server.reset()
    with start_proxy(pocketbase_server.url) as running:
        yield running


def _client(proxy: RunningServer, server: PocketBaseServer) -> httpx.Client:
    return httpx.Client(base_url=proxy.url, headers={"Authorization": server.login()}, timeout=10)


def test_without_faults_answers_are_the_servers_own(proxy: RunningServer, pocketbase_server: PocketBaseServer) -> None:
    with _client(proxy, pocketbase_server) as http:
        query = {"filter": "name = 'users' && system = false", "fields": "name,type"}
        through, direct = http.get("/api/collections", params=query), pocketbase_server.http.get(
            "/api/collections", params=query)
        # (PocketBase's key order varies from answer to answer, so the JSON is compared, not the bytes)
        assert (through.status_code, through.json()) == (direct.status_code, direct.json())
        assert through.json()["items"] == [{"name": "users", "type": "auth"}]
        assert through.headers["content-type"] == direct.headers["content-type"]
        missing = http.get("/api/collections/nope")
        assert missing.status_code == 404 and missing.json()["status"] == 404
        created = http.post("/api/collections", json={"name": "notes", "type": "base",
                                                      "fields": [{"name": "body", "type": "text"}]})
        assert created.status_code == 200, created.text
    assert pocketbase_server.http.get("/api/collections/notes").status_code == 200


def test_faults_fail_requests_as_the_emulators_do(proxy: RunningServer, pocketbase_server: PocketBaseServer) -> None:
    backend = proxy.backend
    assert isinstance(backend, FaultProxy)
    with _client(proxy, pocketbase_server) as http:
        backend.set_faults(error_5xx_rate=1.0)
        assert http.get("/api/health").status_code == 503
        backend.set_faults(error_5xx_rate=0.0, rate_limit_rate=1.0, rate_limit_reset_s=2)
        limited = http.get("/api/health")
        assert limited.status_code == 429 and limited.headers["retry-after"] == "2"
        assert "x-ratelimit-reset" in limited.headers
        backend.set_faults(rate_limit_rate=0.0, drop_before_rate=1.0)
        with pytest.raises(httpx.RemoteProtocolError):
            http.post("/api/collections", json={"name": "never", "type": "base"})
        backend.set_faults(drop_before_rate=0.0, drop_after_commit_rate=1.0)
        with pytest.raises(httpx.RemoteProtocolError):
            http.post("/api/collections", json={"name": "committed", "type": "base"})
        backend.clear_faults()
    assert pocketbase_server.http.get("/api/collections/never").status_code == 404
    assert pocketbase_server.http.get("/api/collections/committed").status_code == 200
