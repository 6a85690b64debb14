"""A PocketBase import whose answer is lost: the apply ends with the server as declared and says so, and
never fails with its own resend's "UNIQUE constraint failed: _collections.name".

The real PocketBase, behind the fault proxy (tests/emulators/proxy.py). Three ways an answer goes
missing or a resend meets a collection: the proxy drops the answer after the import committed (the
resend finds every collection by its id and changes nothing); the server takes longer than the call's
timeout, so the resend arrives while the first attempt still runs (a hook of the server's own holds the
first attempt inside its transaction until the resend arrives, so this does not depend on the machine's
speed; the resend then fails with the UNIQUE error, and the apply reads the server and finds the import
applied); and a collection of the same name made by someone else meanwhile (a real conflict, which
fails naming it).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from baseform.providers.pocketbase import import_plan
from tests.clirun import CliResult, run_cli
from tests.emulators.jobs import wait_until
from tests.emulators.proxy import FaultProxy
from tests.emulators.server import Request, Response, serve
from tests.pocketbase_fixture import PocketBaseServer, start_pocketbase
from tests.reliability.convergence import fast_retries

IMPORT = ("PUT", "/api/collections/import")
COLLECTIONS = 60  # a big import: ~0.5 s of the server's work on an idle machine


def _is_import(request: Request) -> bool:
    return (request.method, request.path) == IMPORT


class LoseFirstImportAnswer(FaultProxy):
    """Forwards everything, but closes the connection instead of passing on the first import's answer
    (the import has committed by then)."""

    def __init__(self, upstream: str) -> None:
        super().__init__(upstream)
        self.lost = threading.Event()

    def drops_after_commit(self, request: Request) -> bool:
        if _is_import(request) and not self.lost.is_set():
            self.lost.set()
            return True
        return False


class HoldImport(FaultProxy):
    """Holds the first import (every import with ``every``) before forwarding it, until ``release`` is set;
    ``forwarded`` counts the held imports the server has answered since."""

    def __init__(self, upstream: str, every: bool = False) -> None:
        super().__init__(upstream)
        self.every = every
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.forwarded = 0

    def respond(self, request: Request) -> Response:
        if not _is_import(request) or (self.arrived.is_set() and not self.every):
            return super().respond(request)
        self.arrived.set()
        self.release.wait(timeout=120)
        try:
            return super().respond(request)
        finally:
            with self.lock:
                self.forwarded += 1


HOLD_UNTIL_RESENT = r"""
// The first import, once inside its transaction, waits at its first new collection until the import
// arrives again (markers are files beside this directory: the server reloads on changes inside it).
onCollectionsImportRequest((e) => {
  const markers = __hooks + "/../markers"
  let held = true
  try { $os.stat(markers + "/held") } catch (_) { held = false }
  $os.writeFile(markers + (held ? "/resent" : "/importing"), "", 0o644)
  e.next()
})

onCollectionCreateExecute((e) => {
  const markers = __hooks + "/../markers"
  let hold = true
  try { $os.stat(markers + "/importing") } catch (_) { hold = false }
  try { $os.stat(markers + "/held"); hold = false } catch (_) {}
  if (hold) {
    $os.writeFile(markers + "/held", "", 0o644)
    for (let i = 0; i < 12000; i++) {
      try { $os.stat(markers + "/resent"); break } catch (_) { sleep(10) }
    }
  }
  e.next()
})
"""


def _manifest(path: Path, count: int = COLLECTIONS) -> str:
    collections = [{"name": f"c{i:04d}", "fields": [{"name": "title", "type": "text", "max": 200},
                                                    {"name": "views", "type": "number"}],
                    "indexes": [f"CREATE INDEX idx_c{i:04d}_title ON c{i:04d} (title)"]} for i in range(count)]
    path.write_text(yaml.safe_dump({"version": 1, "pocketbase": {"collections": collections}}))
    return str(path)


def _env(server: PocketBaseServer, url: str) -> dict[str, str]:
    return {"POCKETBASE_URL": url, "POCKETBASE_EMAIL": server.email, "POCKETBASE_PASSWORD": server.password}


def _apply(manifest: str, env: dict[str, str]) -> CliResult:
    return run_cli(["apply", manifest, "--auto-approve"], env=env)


def _declared_on_server(server: PocketBaseServer, count: int = COLLECTIONS) -> None:
    """Read back with the server's own API: every collection, with its fields and index."""
    items: list[dict[str, Any]] = server.http.get("/api/collections", params={
        "perPage": 1000, "filter": "system = false && name != 'users'"}).json()["items"]
    assert sorted(c["name"] for c in items) == [f"c{i:04d}" for i in range(count)]
    for c in items:
        fields = {f["name"]: f for f in c["fields"] if not f.get("system")}
        assert fields["title"]["type"] == "text" and fields["title"]["max"] == 200, c
        assert fields["views"]["type"] == "number", c
        name = c["name"]
        assert [i.replace("`", "") for i in c["indexes"]] == [f"CREATE INDEX idx_{name}_title ON {name} (title)"]


@pytest.fixture()
def pocketbase(pocketbase_server: PocketBaseServer) -> PocketBaseServer:
    pocketbase_server.reset()
    return pocketbase_server


def test_an_answer_lost_after_the_import_committed_is_resent_and_changes_nothing_more(
        pocketbase: PocketBaseServer, tmp_path: Path) -> None:
    proxy = LoseFirstImportAnswer(pocketbase.url)
    running = serve(proxy)
    try:
        result = _apply(_manifest(tmp_path / "big.yaml"), _env(pocketbase, running.url))
    finally:
        running.stop()
    assert proxy.lost.is_set() and proxy.stats["PUT /api/collections/import"] == 2
    assert result.code == 0 and "Converged" in result.out, result.text
    assert "UNIQUE" not in result.text
    _declared_on_server(pocketbase)


@pytest.fixture()
def slow_pocketbase(tmp_path: Path) -> Iterator[PocketBaseServer]:
    """A PocketBase of this test's own whose first import is held inside its transaction until the import
    is sent again (pb_hooks beside its data directory)."""
    (tmp_path / "pb_hooks").mkdir()
    (tmp_path / "markers").mkdir()
    (tmp_path / "pb_hooks" / "hold_until_resent.pb.js").write_text(HOLD_UNTIL_RESENT)
    with start_pocketbase(tmp_path / "pb_data") as server:
        yield server


def test_a_resend_that_meets_the_first_attempt_still_running_finds_the_import_applied(
        slow_pocketbase: PocketBaseServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The first attempt outlasts its timeout (the server holds it until the resend comes), as a big
    # import on a loaded machine outlasted the 30 s it once had; 3 s keeps the test short and is still
    # far more than the resend waits for the first attempt to finish (~0.1 s idle).
    monkeypatch.setattr(import_plan, "import_timeout_s", lambda collections: 3.0)
    count = 30
    running = serve(FaultProxy(slow_pocketbase.url))
    try:
        result = _apply(_manifest(tmp_path / "big.yaml", count), _env(slow_pocketbase, running.url))
    finally:
        running.stop()
    assert running.backend.stats["PUT /api/collections/import"] == 2, result.text
    assert (tmp_path / "markers" / "resent").exists()  # the resend came while the first attempt was held
    assert result.code == 0 and "Converged" in result.out, result.text
    assert "UNIQUE" not in result.text
    assert "already existed and matches the manifest" in result.out
    _declared_on_server(slow_pocketbase, count)


def test_a_collection_of_the_same_name_made_meanwhile_fails_the_import_saying_so(
        pocketbase: PocketBaseServer, tmp_path: Path) -> None:
    manifest = _manifest(tmp_path / "small.yaml", 3)
    proxy = HoldImport(pocketbase.url)
    running = serve(proxy)

    def meanwhile() -> None:
        """Once the import is on its way, someone makes a collection of one of its names (another id)."""
        try:
            if proxy.arrived.wait(timeout=60):
                made = pocketbase.http.post("/api/collections", json={
                    "id": "madebysomeone1", "name": "c0001", "type": "base",
                    "fields": [{"name": "other", "type": "bool"}]})
                made.raise_for_status()
        finally:
            proxy.release.set()

    someone = threading.Thread(target=meanwhile)
    someone.start()
    try:
        result = _apply(manifest, _env(pocketbase, running.url))
    finally:
        proxy.release.set()
        someone.join()
        running.stop()
    assert proxy.arrived.is_set()
    assert result.code == 1, result.text
    assert "UNIQUE constraint failed: _collections.name" in result.text
    assert "it exists on the server with different settings; plan again to see the difference" in result.text
    # the import is one transaction: none of its collections was made
    names = [c["name"] for c in pocketbase.http.get("/api/collections", params={
        "filter": "system = false && name != 'users'"}).json()["items"]]
    assert names == ["c0001"]


def test_an_import_whose_every_answer_is_lost_fails_saying_the_server_may_have_made_it(
        pocketbase: PocketBaseServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_plan, "import_timeout_s", lambda collections: 0.5)
    manifest = _manifest(tmp_path / "small.yaml", 3)
    proxy = HoldImport(pocketbase.url, every=True)  # no answer comes before the apply gives up
    running = serve(proxy)
    try:
        with fast_retries(max_attempts=2):
            result = _apply(manifest, _env(pocketbase, running.url))
        proxy.release.set()  # the held imports reach the server after the apply gave up
        wait_until(lambda: proxy.forwarded == 2, "the held imports answered")
    finally:
        proxy.release.set()
        running.stop()
    assert result.code == 1, result.text
    assert "timed out waiting for the server; gave up after 2 attempts" in result.text
    assert "it changed nothing" not in result.text
    assert "its answer was lost: the server made all of it or none of it; the next plan shows which" in result.out
    _declared_on_server(pocketbase, 3)  # it did make it: the next plan is empty
    plan = run_cli(["plan", manifest, "--detailed-exitcode"], env=_env(pocketbase, pocketbase.url))
    assert plan.code == 0, plan.text
