"""Two applies against one backend at the same time, as two real ``python -m baseform`` processes:
nothing may be corrupted or lost.

baseform takes no lock (README "Safety"); each apply plans from what it reads. What must hold:

* the same manifest twice at once: both exit 0, or one fails with a clear error and a rerun
  converges; the end state is the manifest, with no duplicates;
* two manifests that declare different resources, at once: both succeed and neither touches the
  other's resources.

Appwrite and Weaviate (emulators with latency, so the applies overlap) answer per-resource calls: a
create that loses the race meets "already exists", which is verified against the manifest; a delete
that loses it meets "not found". PocketBase (the real server) applies a whole plan as one
``collections/import``; the interleavings that matter there (one apply's import landing after the
other apply finished) are produced deterministically by a proxy that holds the first import until the
other apply is done.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.clirun import CliResult, finish_process, run_cli, start_process
from tests.emulators.proxy import FaultProxy
from tests.emulators.server import Request, Response, RunningServer, serve
from tests.pocketbase_fixture import PocketBaseServer
from tests.reliability.conftest import appwrite_env, appwrite_headers, weaviate_env

APPWRITE = {
    "teams": [{"id": "editors", "name": "Editors"}],
    "buckets": [{"id": "avatars", "name": "Avatars", "maximumFileSize": 1000000}],
    "databases": [{"id": "blog", "name": "Blog", "tables": [
        {"id": "posts", "name": "Posts",
         "columns": [{"key": "title", "type": "varchar", "size": 100, "required": True},
                     {"key": "views", "type": "integer", "min": 0}],
         "indexes": [{"key": "by_title", "type": "key", "columns": ["title"]}]},
        {"id": "comments", "name": "Comments",
         "columns": [{"key": "text", "type": "text"},
                     {"key": "post", "type": "relationship", "relatedTable": "posts", "relationType": "manyToOne"}]},
    ]}],
}
WEAVIATE = {"classes": [
    {"class": "Article", "properties": [{"name": "title", "dataType": ["text"]},
                                        {"name": "writtenBy", "dataType": ["Author"]}]},
    {"class": "Author", "properties": [{"name": "name", "dataType": ["text"]},
                                       {"name": "wrote", "dataType": ["Article"]}]},
]}
POCKETBASE = {"collections": [
    {"name": "posts", "fields": [{"name": "title", "type": "text", "required": True},
                                 {"name": "tag", "type": "relation", "collection": "tags", "maxSelect": 1}],
     "indexes": ["CREATE INDEX idx_posts_title ON posts (title)"]},
    {"name": "tags", "fields": [{"name": "label", "type": "text"}]},
]}


def _manifest(path: Path, provider: str, section: Mapping[str, Any]) -> str:
    path.write_text(yaml.safe_dump({"version": 1, provider: dict(section)}, sort_keys=False))
    return str(path)


def _at_once(*runs: tuple[str, Mapping[str, str]]) -> list[CliResult]:
    """``baseform apply MANIFEST --auto-approve`` for each (manifest, env), as processes started
    together (each one's plan overlaps the others' applies: the servers answer with latency)."""
    processes = [start_process(["apply", manifest, "--auto-approve"], env=env) for manifest, env in runs]
    return [finish_process(p, timeout_s=60) for p in processes]


def _no_corruption(results: list[CliResult], manifest: str, env: Mapping[str, str]) -> None:
    """Each apply succeeded or failed with a clear error; then (after a rerun if one failed) the
    manifest plans as no changes."""
    for r in results:
        assert "Traceback" not in r.text, r.text
        if r.code != 0:
            assert r.err.startswith("Error: ") or "Apply failed:" in r.out, r.text
    if any(r.code != 0 for r in results):
        rerun = run_cli(["apply", manifest, "--auto-approve"], env=env)
        assert rerun.code == 0, rerun.text
    assert run_cli(["plan", manifest, "--detailed-exitcode"], env=env).code == 0


# -- Appwrite and Weaviate --------------------------------------------------------------------


@pytest.fixture()
def appwrite(appwrite_server: RunningServer) -> Iterator[RunningServer]:
    appwrite_server.backend.reset()
    appwrite_server.backend.set_faults(latency_ms=30)
    yield appwrite_server
    appwrite_server.backend.clear_faults()


@pytest.fixture()
def weaviate(weaviate_server: RunningServer) -> Iterator[RunningServer]:
    weaviate_server.backend.reset()
    weaviate_server.backend.set_faults(latency_ms=30)
    yield weaviate_server
    weaviate_server.backend.clear_faults()


def _appwrite_listing(server: RunningServer) -> dict[str, list[str]]:
    """Every id the server lists, sorted, per collection of things (a duplicate would show up twice)."""
    with httpx.Client(base_url=appwrite_env(server)["APPWRITE_ENDPOINT"], headers=appwrite_headers()) as http:
        out = {"teams": [t["$id"] for t in http.get("/teams").json()["teams"]],
               "buckets": [b["$id"] for b in http.get("/storage/buckets").json()["buckets"]],
               "databases": [d["$id"] for d in http.get("/tablesdb").json()["databases"]]}
        for db in out["databases"]:
            for table in http.get(f"/tablesdb/{db}/tables").json()["tables"]:
                out[f"{db}.tables"] = [*out.get(f"{db}.tables", []), table["$id"]]
                out[f"{db}.{table['$id']}.columns"] = [c["key"] for c in table["columns"]]
                out[f"{db}.{table['$id']}.indexes"] = [i["key"] for i in table["indexes"]]
    return {k: sorted(v) for k, v in out.items()}


def test_appwrite_same_manifest_twice_at_once(appwrite: RunningServer, tmp_path: Path) -> None:
    env = appwrite_env(appwrite)
    manifest = _manifest(tmp_path / "blog.yaml", "appwrite", APPWRITE)
    _no_corruption(_at_once((manifest, env), (manifest, env)), manifest, env)
    # the same again with a column and an index added to an existing table
    grown = {**APPWRITE, "databases": [{**APPWRITE["databases"][0], "tables": [
        {**APPWRITE["databases"][0]["tables"][0],
         "columns": [*APPWRITE["databases"][0]["tables"][0]["columns"], {"key": "draft", "type": "boolean"}],
         "indexes": [{"key": "by_title", "type": "key", "columns": ["title"]},
                     {"key": "by_draft", "type": "key", "columns": ["draft"]}]},
        APPWRITE["databases"][0]["tables"][1]]}]}
    manifest = _manifest(tmp_path / "grown.yaml", "appwrite", grown)
    _no_corruption(_at_once((manifest, env), (manifest, env)), manifest, env)
    assert _appwrite_listing(appwrite) == {
        "teams": ["editors"], "buckets": ["avatars"], "databases": ["blog"], "blog.tables": ["comments", "posts"],
        "blog.posts.columns": ["draft", "title", "views"], "blog.posts.indexes": ["by_draft", "by_title"],
        "blog.comments.columns": ["post", "text"], "blog.comments.indexes": []}


def test_appwrite_different_manifests_at_once(appwrite: RunningServer, tmp_path: Path) -> None:
    env = appwrite_env(appwrite)
    blog = _manifest(tmp_path / "blog.yaml", "appwrite", APPWRITE)
    shop = _manifest(tmp_path / "shop.yaml", "appwrite", {
        "teams": [{"id": "sellers", "name": "Sellers"}],
        "databases": [{"id": "shop", "name": "Shop", "tables": [
            {"id": "orders", "name": "Orders", "columns": [{"key": "total", "type": "float"}]}]}]})
    results = _at_once((blog, env), (shop, env))
    assert [r.code for r in results] == [0, 0], [r.text for r in results]
    for manifest in (blog, shop):
        assert run_cli(["plan", manifest, "--detailed-exitcode"], env=env).code == 0
    listing = _appwrite_listing(appwrite)
    assert (listing["teams"], listing["databases"]) == (["editors", "sellers"], ["blog", "shop"])


def test_weaviate_same_manifest_twice_at_once(weaviate: RunningServer, tmp_path: Path) -> None:
    env = weaviate_env(weaviate)
    manifest = _manifest(tmp_path / "kb.yaml", "weaviate", WEAVIATE)
    _no_corruption(_at_once((manifest, env), (manifest, env)), manifest, env)
    schema = httpx.get(f"{weaviate.url}/v1/schema").json()["classes"]
    assert {c["class"]: [p["name"] for p in c["properties"]] for c in schema} == {
        "Article": ["title", "writtenBy"], "Author": ["name", "wrote"]}


def test_weaviate_different_manifests_at_once(weaviate: RunningServer, tmp_path: Path) -> None:
    env = weaviate_env(weaviate)
    kb = _manifest(tmp_path / "kb.yaml", "weaviate", WEAVIATE)
    notes = _manifest(tmp_path / "notes.yaml", "weaviate", {"classes": [
        {"class": "Note", "properties": [{"name": "body", "dataType": ["text"]}]}]})
    results = _at_once((kb, env), (notes, env))
    assert [r.code for r in results] == [0, 0], [r.text for r in results]
    for manifest in (kb, notes):
        assert run_cli(["plan", manifest, "--detailed-exitcode"], env=env).code == 0
    schema = httpx.get(f"{weaviate.url}/v1/schema").json()["classes"]
    assert sorted(c["class"] for c in schema) == ["Article", "Author", "Note"]


# -- PocketBase ---------------------------------------------------------------------------------


def _is_import(request: Request) -> bool:
    return request.method == "PUT" and request.path == "/api/collections/import"


def _is_import_precondition(request: Request) -> bool:
    # the apply's last read before a destructive import (COLLECTION_STAMPS): holding it puts the
    # other apply between the plan's read and the import, as a slow review or a long plan would
    return request.method == "GET" and request.path == "/api/collections" and request.arg("fields") == "id,updated"


class ImportGate(FaultProxy):
    """Forwards to PocketBase, but holds the first request ``holds`` picks (the import) until released."""

    def __init__(self, upstream: str, holds: Callable[[Request], bool] = _is_import) -> None:
        super().__init__(upstream)
        self.holds = holds
        self.arrived = threading.Event()
        self.release = threading.Event()

    def respond(self, request: Request) -> Response:
        if self.holds(request) and not self.arrived.is_set():
            self.arrived.set()
            self.release.wait(timeout=30)
        return super().respond(request)


def _pb_env(server: PocketBaseServer, url: str | None = None) -> dict[str, str]:
    return {"POCKETBASE_URL": url or server.url, "POCKETBASE_EMAIL": server.email,
            "POCKETBASE_PASSWORD": server.password}


def _collections(server: PocketBaseServer) -> list[str]:
    listing = server.http.get("/api/collections", params={"perPage": 500}).json()["items"]
    return sorted(c["name"] for c in listing if not c["system"])


def _held_behind(server: PocketBaseServer, manifest: str, other: str, meanwhile: Callable[[], None] = lambda: None,
                 flags: tuple[str, ...] = (),
                 holds: Callable[[Request], bool] = _is_import) -> tuple[CliResult, CliResult]:
    """Apply ``manifest`` (with ``flags``) with its import held at the proxy while ``other`` is applied
    directly (and ``meanwhile`` runs), then let the held import through. Returns (held apply, other apply)."""
    gate = ImportGate(server.url, holds)
    running = serve(gate)
    process = start_process(["apply", manifest, "--auto-approve", *flags], env=_pb_env(server, running.url))
    try:
        assert gate.arrived.wait(timeout=30), "the held apply never sent its import"
        direct = run_cli(["apply", other, "--auto-approve"], env=_pb_env(server))
        assert direct.code == 0, direct.text
        meanwhile()
    finally:
        gate.release.set()
        held = finish_process(process, timeout_s=60)
        running.stop()
    return held, direct


@pytest.fixture()
def pocketbase(pocketbase_server: PocketBaseServer) -> PocketBaseServer:
    pocketbase_server.reset()
    return pocketbase_server


def test_pocketbase_same_manifest_twice_at_once(pocketbase: PocketBaseServer, tmp_path: Path) -> None:
    env = _pb_env(pocketbase)
    manifest = _manifest(tmp_path / "blog.yaml", "pocketbase", POCKETBASE)
    _no_corruption(_at_once((manifest, env), (manifest, env)), manifest, env)
    assert _collections(pocketbase) == ["posts", "tags", "users"]


def test_pocketbase_same_manifest_with_one_import_landing_last(pocketbase: PocketBaseServer, tmp_path: Path) -> None:
    manifest = _manifest(tmp_path / "blog.yaml", "pocketbase", POCKETBASE)
    held, _ = _held_behind(pocketbase, manifest, manifest)
    _no_corruption([held], manifest, _pb_env(pocketbase))
    assert _collections(pocketbase) == ["posts", "tags", "users"]


def test_pocketbase_different_manifests_with_one_import_landing_last(pocketbase: PocketBaseServer,
                                                                     tmp_path: Path) -> None:
    blog = _manifest(tmp_path / "blog.yaml", "pocketbase", POCKETBASE)
    notes = _manifest(tmp_path / "notes.yaml", "pocketbase", {"collections": [
        {"name": "notes", "fields": [{"name": "body", "type": "text"}]}]})

    def write_a_note() -> None:
        record = pocketbase.http.post("/api/collections/notes/records", json={"body": "keep me"})
        assert record.status_code == 200, record.text

    held, _ = _held_behind(pocketbase, blog, notes, meanwhile=write_a_note)
    # the blog apply may succeed, or fail saying the server changed since it planned; it may not
    # delete what the other apply created
    assert "notes" in _collections(pocketbase), held.text
    assert [r["body"] for r in pocketbase.http.get("/api/collections/notes/records").json()["items"]] == ["keep me"]
    _no_corruption([held], blog, _pb_env(pocketbase))
    assert _collections(pocketbase) == ["notes", "posts", "tags", "users"]


def test_pocketbase_destructive_plan_with_its_import_landing_last(pocketbase: PocketBaseServer,
                                                                  tmp_path: Path) -> None:
    blog = _manifest(tmp_path / "blog.yaml", "pocketbase", POCKETBASE)
    assert run_cli(["apply", blog, "--auto-approve"], env=_pb_env(pocketbase)).code == 0
    untagged = {"collections": [{**POCKETBASE["collections"][0], "fields": POCKETBASE["collections"][0]["fields"][:1]},
                                POCKETBASE["collections"][1]]}
    smaller = _manifest(tmp_path / "smaller.yaml", "pocketbase", untagged)
    notes = _manifest(tmp_path / "notes.yaml", "pocketbase", {"collections": [
        {"name": "notes", "fields": [{"name": "body", "type": "text"}]}]})

    def write_a_note() -> None:
        record = pocketbase.http.post("/api/collections/notes/records", json={"body": "keep me"})
        assert record.status_code == 200, record.text

    # removing a field needs the complete collection list in the import (deleteMissing): a collection
    # created after the plan read the server must survive it, so the apply refuses and says why
    held, _ = _held_behind(pocketbase, smaller, notes, meanwhile=write_a_note, flags=("--allow-destroy",),
                           holds=_is_import_precondition)
    assert held.code == 1 and "the server changed since the plan read it" in held.out, held.text
    assert "nothing was sent" in held.out and "Traceback" not in held.text
    assert "notes" in _collections(pocketbase), held.text
    assert [r["body"] for r in pocketbase.http.get("/api/collections/notes/records").json()["items"]] == ["keep me"]
    rerun = run_cli(["apply", smaller, "--auto-approve", "--allow-destroy"], env=_pb_env(pocketbase))
    assert rerun.code == 0 and "notes" in _collections(pocketbase), rerun.text
