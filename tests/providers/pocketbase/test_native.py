"""PocketBase's own collections export (pb_schema.json) as a manifest, against the real server.

``native/pb_schema.json`` is what ``GET /api/collections`` returned on a PocketBase 0.40 server after
a small blog was built through the API (system collections, ids, timestamps and email templates
included, exactly as the dashboard's export holds them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.pocketbase_fixture import USERS_ID, PocketBaseServer
from tests.providers.pocketbase.conftest import Baseform

EXPORT = Path(__file__).parent / "native" / "pb_schema.json"


def _collections(server: PocketBaseServer) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = server.http.get("/api/collections", params={"perPage": 1000}).json()["items"]
    return items


def _line(path: Path, text: str, after: int = 0) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if i > after and text in line)


def test_the_export_validates_and_plans_only_its_own_collections(baseform: Baseform,
                                                                 pocketbase: PocketBaseServer) -> None:
    assert baseform("validate", EXPORT).out == "Valid: 31 resource(s) in 1 file(s).\n"
    plan = json.loads(baseform("plan", EXPORT, "--format", "json").out)
    created = {c["address"] for c in plan["changes"] if c["action"] == "create" and c["kind"] == "collections"}
    assert created == {f"pocketbase.collections.{n}" for n in ("tags", "posts", "comments", "posts_per_author")}
    # system collections and system fields are never part of the plan
    assert not [c for c in plan["changes"] if "._" in c["address"] or c["address"].endswith(".fields.id")]


def test_the_export_applies_to_an_empty_server_and_then_plans_no_changes(baseform: Baseform,
                                                                         pocketbase: PocketBaseServer) -> None:
    result = baseform("apply", EXPORT, "--auto-approve")
    assert result.code == 0 and "Converged" in result.out, result.text
    assert baseform("plan", EXPORT, "--detailed-exitcode").code == 0
    live = {c["name"]: c for c in _collections(pocketbase)}
    fields = {f["name"]: f for f in live["posts"]["fields"]}
    assert fields["author"]["collectionId"] == USERS_ID
    assert fields["tags"]["collectionId"] == live["tags"]["id"]
    assert [f["name"] for f in live["users"]["fields"]][-1] == "bio"
    assert live["users"]["otp"]["enabled"] is True and live["users"]["listRule"] == "id = @request.auth.id"


def test_a_fresh_export_of_a_server_plans_no_changes_against_it(baseform: Baseform, pocketbase: PocketBaseServer,
                                                                tmp_path: Path) -> None:
    # built by hand in the dashboard (here: through the same API), exported, and adopted as it is
    tags = pocketbase.http.post("/api/collections", json={
        "name": "labels", "fields": [{"name": "title", "type": "text", "max": 50}],
        "indexes": ["CREATE INDEX idx_labels_title ON labels (title)"]}).json()
    pocketbase.http.post("/api/collections", json={
        "name": "notes", "listRule": "owner = @request.auth.id",
        "fields": [{"name": "owner", "type": "relation", "collectionId": USERS_ID, "maxSelect": 1},
                   {"name": "labels", "type": "relation", "collectionId": tags["id"], "maxSelect": 5}]})
    exported = tmp_path / "pb_schema.json"
    exported.write_text(json.dumps(_collections(pocketbase), indent=4))
    result = baseform("plan", exported, "--detailed-exitcode")
    assert result.code == 0, result.text
    # the listing as the API returns it (page, perPage, items) is read too
    listing = tmp_path / "collections.json"
    listing.write_text(pocketbase.http.get("/api/collections", params={"perPage": 1000}).text)
    result = baseform("plan", listing, "--detailed-exitcode")
    assert result.code == 0, result.text


def test_a_bad_field_in_the_export_is_reported_at_its_line(baseform: Baseform, tmp_path: Path) -> None:
    data = json.loads(EXPORT.read_text())
    posts = next(c for c in data if c["name"] == "posts")
    next(f for f in posts["fields"] if f["name"] == "status")["type"] = "choice"
    next(f for f in posts["fields"] if f["name"] == "tags")["collectionId"] = "pbc_gone"
    path = tmp_path / "pb_schema.json"
    path.write_text(json.dumps(data, indent=2))
    result = baseform("validate", path)
    assert result.code == 1
    status = _line(path, '"name": "status"')
    start = max(i for i in range(1, status) if path.read_text().splitlines()[i - 1].strip() == "{")
    assert f"{path}:{start}:7: unknown type 'choice'" in result.err, result.err
    assert f"{path}:{_line(path, 'pbc_gone')}:" in result.err and "relation target 'pbc_gone' is not a " \
        "collection in this export" in result.err


def test_an_export_from_before_0_23_says_what_to_do(baseform: Baseform, tmp_path: Path) -> None:
    path = tmp_path / "pb_schema.json"
    path.write_text(json.dumps([{"id": "a1", "name": "posts", "type": "base", "system": False,
                                 "schema": [{"id": "x", "name": "title", "type": "text", "system": False,
                                             "required": False, "options": {"min": None, "max": None}}],
                                 "indexes": [], "options": {}}], indent=2))
    result = baseform("plan", path)
    assert result.code == 1
    assert f"{path}:7:15: this is an export of PocketBase 0.22 or older" in result.err
    assert "upgrade the server (it migrates the collections) and export them again" in result.err
