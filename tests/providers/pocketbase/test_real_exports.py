"""Collections exports shaped like the ones real projects commit (PocketBase 0.23+ pb_schema.json).

Ten public projects' exports were studied; every shape in them that baseform mishandled is written
here as a case of our own (no file is copied): ``null`` list options, the built-in auth indexes under
the names older servers gave them, views reading views declared later in the file, collection ids
that are not ``pbc_<crc32>`` (``users`` created by hand, 15-character ids migrated from 0.22), field
ids that are not the derived ones, server-managed keys (``created``/``updated``, system collections
and fields), multi-line rules with comments, back-relations and ``@collection`` references to views.
Each case validates, applies to a fresh real PocketBase, converges, exports, rebuilds a second
server from that export, and exports again to the same bytes; the servers are read back over HTTP.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.pocketbase_fixture import PocketBaseServer
from tests.providers.pocketbase.conftest import Baseform
from tests.providers.pocketbase.test_apply import applied, field, line_of, names
from tests.providers.pocketbase.test_roundtrip import cli, export, no_changes

USERS_ID = "pbc_1736455494"  # a users collection made by hand: not the default _pb_users_auth_
MEMBERS_ID = "pbc_members"
TEAMS_ID = "k3x9q2m7w1z5v8a"  # a 0.22-style random id, kept by the upgrade
STAMPS = {"created": "2024-11-02 10:00:00.000Z", "updated": "2025-01-15 08:30:00.000Z"}


def _common(name: str, fid: str, kind: str, **options: Any) -> dict[str, Any]:
    return {"hidden": False, "id": fid, "name": name, "presentable": False, "system": False, "type": kind, **options}


def _value(name: str, fid: str, kind: str, **options: Any) -> dict[str, Any]:
    return _common(name, fid, kind, **{"required": False, **options})


def _text(name: str, fid: str, **options: Any) -> dict[str, Any]:
    defaults = {"autogeneratePattern": "", "max": 0, "min": 0, "pattern": "", "primaryKey": False}
    return _value(name, fid, "text", **{**defaults, **options})


def _relation(name: str, fid: str, target: str, max_select: int) -> dict[str, Any]:
    return _value(name, fid, "relation", cascadeDelete=False, collectionId=target, maxSelect=max_select, minSelect=0)


def _autodates() -> list[dict[str, Any]]:
    return [_common("created", "autodate2990389176", "autodate", onCreate=True, onUpdate=False),
            _common("updated", "autodate3332085495", "autodate", onCreate=True, onUpdate=True)]


def _system_id() -> dict[str, Any]:
    return {**_text("id", "text3208210256", autogeneratePattern="[a-z0-9]{15}", max=15, min=15,
                    pattern="^[a-z0-9]+$", primaryKey=True, required=True), "system": True}


def _auth_system_fields() -> list[dict[str, Any]]:
    return [_system_id(),
            {**_value("password", "password901924565", "password", cost=0, max=0, min=8, pattern=""),
             "hidden": True, "required": True, "system": True},
            {**_text("tokenKey", "text2504183744", autogeneratePattern="[a-zA-Z0-9]{50}", max=60, min=30),
             "hidden": True, "required": True, "system": True},
            {**_value("email", "email3885137012", "email", exceptDomains=None, onlyDomains=None),
             "required": True, "system": True},
            {**_common("emailVisibility", "bool1547992806", "bool"), "required": False, "system": True},
            {**_common("verified", "bool256245529", "bool"), "required": False, "system": True}]


def _auth(cid: str, name: str, fields: list[dict[str, Any]], indexes: list[str], **rules: Any) -> dict[str, Any]:
    template = {"subject": "Hello", "body": "<p>Hello</p>"}
    return {"authAlert": {"emailTemplate": template, "enabled": True}, "authRule": "",
            "authToken": {"duration": 604800}, "confirmEmailChangeTemplate": template,
            "createRule": "", "deleteRule": None, "emailChangeToken": {"duration": 1800},
            "fields": [*_auth_system_fields(), *fields], "fileToken": {"duration": 180}, "id": cid,
            "indexes": indexes, "listRule": None, "manageRule": None,
            "mfa": {"duration": 1800, "enabled": False, "rule": ""}, "name": name,
            "oauth2": {"enabled": False, "mappedFields": {"avatarURL": "", "id": "", "name": "", "username": ""}},
            "otp": {"duration": 180, "emailTemplate": template, "enabled": False, "length": 8},
            "passwordAuth": {"enabled": True, "identityFields": ["email"]},
            "passwordResetToken": {"duration": 1800}, "resetPasswordTemplate": template, "system": False,
            "type": "auth", "updateRule": None, "verificationTemplate": template,
            "verificationToken": {"duration": 259200}, "viewRule": None, **STAMPS, **rules}


def _base(cid: str, name: str, fields: list[dict[str, Any]], indexes: list[str] = (), **rules: Any) -> dict[str, Any]:
    return {"createRule": None, "deleteRule": None, "fields": [_system_id(), *fields], "id": cid,
            "indexes": list(indexes), "listRule": None, "name": name, "system": False, "type": "base",
            "updateRule": None, "viewRule": None, **STAMPS, **rules}


def _view(cid: str, name: str, query: str, columns: list[str], **rules: Any) -> dict[str, Any]:
    generated = [_value(c, f"json{n}", "json", maxSize=1) for n, c in enumerate(columns)]
    return {"createRule": None, "deleteRule": None, "fields": [_system_id(), *generated], "id": cid, "indexes": [],
            "listRule": None, "name": name, "system": False, "type": "view", "updateRule": None,
            "viewQuery": query, "viewRule": None, **rules}


def project_export() -> list[dict[str, Any]]:
    """A small team-tasks project as its dashboard would export it."""
    superusers = _auth("pbc_3142635823", "_superusers", [], [
        "CREATE UNIQUE INDEX `idx_tokenKey_pbc_3142635823` ON `_superusers` (`tokenKey`)",
        "CREATE UNIQUE INDEX `idx_email_pbc_3142635823` ON `_superusers` (`email`) WHERE `email` != ''"],
        system=True, createRule=None)
    users = _auth(USERS_ID, "users", [
        _text("username", "q7w2e9rt", required=True),  # an id from before 0.23
        _value("website", "url4101391790", "url", exceptDomains=None, onlyDomains=None),
        _value("avatar", "file376926767", "file", maxSelect=1, maxSize=0, mimeTypes=None, protected=False,
               thumbs=None),
        *_autodates(),
    ], [  # the names PocketBase 0.22 gave them; the upgrade keeps them
        "CREATE UNIQUE INDEX `__pb_users_auth__username_idx` ON `users` (username COLLATE NOCASE)",
        "CREATE UNIQUE INDEX `__pb_users_auth__email_idx` ON `users` (`email`) WHERE `email` != ''",
        "CREATE UNIQUE INDEX `__pb_users_auth__tokenKey_idx` ON `users` (`tokenKey`)",
    ], listRule="id = @request.auth.id", viewRule="id = @request.auth.id",
        passwordAuth={"enabled": True, "identityFields": ["email", "username"]})
    members = _auth(MEMBERS_ID, "members", [
        _value("contact", "email1251468396", "email", exceptDomains=None, onlyDomains=["example.com"]),
    ], [  # named after the collection's id before it was changed
        "CREATE UNIQUE INDEX `idx_tokenKey_m4n5b6v7c8x9z0l` ON `members` (`tokenKey`)",
        "CREATE UNIQUE INDEX `idx_email_m4n5b6v7c8x9z0l` ON `members` (`email`) WHERE `email` != ''",
    ])
    teams = _base(TEAMS_ID, "teams", [
        _text("title", "fld_title", required=True),
        _relation("members", "relation1168167679", MEMBERS_ID, 10),
        _relation("owner", "relation3479234172", USERS_ID, 1),
        _value("budget", "number1807541591", "number", max=None, min=None, onlyInt=False),
        *_autodates(),
    ], ["CREATE INDEX `idx_teams_title` ON `teams` (`title`)"],
        listRule="@request.auth.id != '' &&\n// members, or a team with open tasks\n"
                 "(members.id ?= @request.auth.id || tasks_via_team.done ?= false)",
        viewRule="@collection.team_totals.id ?= id")
    tasks = _base("pbc_2602490748", "tasks", [
        _relation("team", "relation1568971955", TEAMS_ID, 1),
        _text("title", "text724990059"),
        {**_common("done", "bool1177347317", "bool"), "required": False},
        *_autodates(),
    ], updateRule="team.owner = @request.auth.id")
    # declared before the view it reads, as an export sorted by name has it
    overview = _view("pbc_1190452531", "team_overview",
                     "SELECT t.id, t.title, tt.open\nFROM teams t\n-- the totals come FROM the view below\n"
                     "JOIN team_totals tt ON tt.id = t.id", ["title", "open"], listRule="")
    totals = _view("pbc_3785125117", "team_totals",
                   "WITH team_totals AS (\n  SELECT team, COUNT(*) AS open FROM tasks WHERE done = false\n"
                   "  GROUP BY team\n)\nSELECT team AS id, open FROM team_totals", ["open"])
    return [superusers, members, overview, teams, totals, tasks, users]


def write(path: Path, collections: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(collections, indent=2))
    return path


def by_name(server: PocketBaseServer) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in server.http.get("/api/collections", params={"perPage": 1000}).json()["items"]}


def round_trip(baseform: Baseform, server: PocketBaseServer, server_b: PocketBaseServer, path: Path) -> str:
    """Validate, apply to the (fresh) ``server``, converge; export; rebuild ``server_b`` from the export
    and export it again: the same bytes. Returns the export."""
    checked = baseform("validate", path)
    assert checked.code == 0, checked.text
    applied(baseform, path, "--allow-destroy")  # a fresh users collection's "name" field is in no file here
    first = export(server, path, path.with_name("first.yaml"))
    no_changes(server, path.with_name("first.yaml"))
    cli(server_b, "apply", path.with_name("first.yaml"), "--auto-approve", "--allow-destroy")
    second = export(server_b, path, path.with_name("second.yaml"))
    assert second == first
    no_changes(server_b, path)  # the original file plans no changes against the rebuilt server either
    return first


def _null_list_options(server: PocketBaseServer) -> None:
    profile = {f["name"]: f for f in by_name(server)["profiles"]["fields"]}
    assert profile["site"]["exceptDomains"] == profile["site"]["onlyDomains"] == []
    assert profile["photo"]["mimeTypes"] == profile["photo"]["thumbs"] == []
    assert profile["mail"]["onlyDomains"] == ["example.com"] and profile["mail"]["exceptDomains"] == []


def _older_index_names(server: PocketBaseServer) -> None:
    for name in ("users", "members"):
        indexes = by_name(server)[name]["indexes"]
        assert sum("(`tokenKey`)" in i for i in indexes) == 1 and sum("(`email`)" in i for i in indexes) == 1
    assert any("`__pb_users_auth__username_idx`" in i and "NOCASE" in i for i in by_name(server)["users"]["indexes"])


def _views_before_what_they_read(server: PocketBaseServer) -> None:
    order = server.http.post("/api/collections/orders/records", json={"total": 250})
    assert order.status_code == 200, order.text
    top = server.http.get("/api/collections/top_orders/records").json()["items"]
    assert [r["total"] for r in top] == [250]


def _ids_not_derived(server: PocketBaseServer) -> None:
    live = by_name(server)
    assert field(server, "teams", "title")["id"] == "fld_title"
    assert field(server, "users", "username")["id"] == "q7w2e9rt"
    assert field(server, "teams", "members")["collectionId"] == live["members"]["id"]
    assert field(server, "teams", "owner")["collectionId"] == live["users"]["id"] == "_pb_users_auth_"


def _rules_as_written(server: PocketBaseServer) -> None:
    live = by_name(server)
    assert "// members, or a team with open tasks" in live["teams"]["listRule"]
    assert live["teams"]["viewRule"] == "@collection.team_totals.id ?= id"
    assert live["tasks"]["updateRule"] == "team.owner = @request.auth.id"


def _collections(*wanted: str) -> list[dict[str, Any]]:
    return [c for c in project_export() if c["name"] in wanted]


def _orders() -> list[dict[str, Any]]:
    return [_view("pbc_4191120513", "top_orders", "SELECT id, total FROM big_orders WHERE total > 100", ["total"]),
            _view("pbc_2036390137", "big_orders", "SELECT id, total FROM orders WHERE total > 10", ["total"]),
            _base("pbc_1440306457", "orders", [_value("total", "number1186288468", "number", max=None, min=None,
                                                      onlyInt=False)])]


def _profiles() -> list[dict[str, Any]]:
    return [_base("pbc_2114453513", "profiles", [
        _value("site", "url1579384326", "url", exceptDomains=None, onlyDomains=None),
        _value("photo", "file3277268710", "file", maxSelect=1, maxSize=0, mimeTypes=None, protected=False,
               thumbs=None),
        _value("mail", "prof_mail", "email", exceptDomains=None, onlyDomains=["example.com"])])]


SHAPES = {
    "null list options": (_profiles, _null_list_options),
    "built-in auth indexes under older names": (lambda: _collections("users", "members"), _older_index_names),
    "views before the views they read": (_orders, _views_before_what_they_read),
    "collection and field ids that are not derived": (
        lambda: [{**c, "listRule": None, "viewRule": None} for c in _collections("users", "members", "teams")],
        _ids_not_derived),
    "rules with comments, back-relations, views": (lambda: _collections("users", "members", "teams", "tasks",
                                                                        "team_totals"), _rules_as_written),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_each_shape_applies_converges_and_exports_the_same_bytes_twice(
        shape: str, baseform: Baseform, pocketbase: PocketBaseServer, server_b: PocketBaseServer,
        tmp_path: Path) -> None:
    collections, check = SHAPES[shape]
    path = write(tmp_path / "pb_schema.json", collections())
    round_trip(baseform, pocketbase, server_b, path)
    check(pocketbase)
    check(server_b)


def test_the_whole_project_export_applies_converges_and_exports_the_same_bytes_twice(
        baseform: Baseform, pocketbase: PocketBaseServer, server_b: PocketBaseServer, tmp_path: Path) -> None:
    path = write(tmp_path / "pb_schema.json", project_export())
    plan = baseform("plan", path)
    assert plan.code == 0, plan.text
    assert "pbc_" not in plan.out and re.search(r'\+ collection += +"members"', plan.out)  # targets by name
    # the built-in auth indexes exist already, under the server's own names; only the user's own is new
    assert "__pb_users_auth__username_idx will be created" in plan.out
    assert "tokenKey" not in plan.out and "_email_" not in plan.out and "email_idx" not in plan.out
    first = round_trip(baseform, pocketbase, server_b, path)
    assert "tokenKey" not in first and "email_idx" not in first and "idx_email" not in first
    for server in (pocketbase, server_b):
        assert names(server) == {"users", "members", "teams", "tasks", "team_totals", "team_overview"}
        for check in (_older_index_names, _ids_not_derived, _rules_as_written):
            check(server)
        assert field(server, "members", "contact")["exceptDomains"] == []
        assert field(server, "tasks", "team")["collectionId"] == by_name(server)["teams"]["id"]
    # both views work
    team = pocketbase.http.post("/api/collections/teams/records", json={"title": "core"}).json()
    pocketbase.http.post("/api/collections/tasks/records", json={"team": team["id"], "title": "t1"})
    overview = pocketbase.http.get("/api/collections/team_overview/records").json()["items"]
    assert [(r["title"], r["open"]) for r in overview] == [("core", 1)]


def test_a_field_renamed_in_the_dashboard_is_a_rename_that_keeps_the_data(
        baseform: Baseform, pocketbase: PocketBaseServer, tmp_path: Path) -> None:
    before = project_export()
    path = write(tmp_path / "pb_schema.json", before)
    applied(baseform, path, "--allow-destroy")
    team = pocketbase.http.post("/api/collections/teams/records", json={"title": "keep me", "budget": 7})
    assert team.status_code == 200, team.text
    title_id = field(pocketbase, "teams", "title")["id"]

    # the export after "title" was renamed "name" in the dashboard: same id, new name
    after = copy.deepcopy(before)
    teams = next(c for c in after if c["name"] == "teams")
    next(f for f in teams["fields"] if f["id"] == "fld_title")["name"] = "name"
    teams["indexes"] = ["CREATE INDEX `idx_teams_title` ON `teams` (`name`)"]
    overview = next(c for c in after if c["name"] == "team_overview")
    overview["viewQuery"] = overview["viewQuery"].replace("t.title", "t.name AS title")
    path = write(tmp_path / "renamed.json", after)
    plan = baseform("plan", path)
    assert plan.code == 0, plan.text
    assert "pocketbase.collections.teams.fields.name will be renamed from title" in plan.out
    assert "0 to destroy" in plan.out
    applied(baseform, path)  # no --allow-destroy: nothing is lost

    assert field(pocketbase, "teams", "name")["id"] == title_id
    record = pocketbase.http.get(f"/api/collections/teams/records/{team.json()['id']}").json()
    assert record["name"] == "keep me" and "title" not in record and record["budget"] == 7


def test_a_field_id_in_a_manifest_renames_and_a_contradiction_is_refused(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Any) -> None:
    applied(baseform, manifest("""
        collections:
          - name: notes
            fields:
              - {name: body, type: text, id: note_body}
              - {name: stars, type: number}
    """))
    note = pocketbase.http.post("/api/collections/notes/records", json={"body": "hello", "stars": 3}).json()
    path = manifest("""
        collections:
          - name: notes
            fields:
              - {name: content, type: text, id: note_body}
              - {name: stars, type: number}
    """)
    applied(baseform, path)
    assert field(pocketbase, "notes", "content")["id"] == "note_body"
    record = pocketbase.http.get(f"/api/collections/notes/records/{note['id']}").json()
    assert record["content"] == "hello" and record["stars"] == 3

    # the id names one field, renamedFrom another: refused, nothing sent
    contradiction = manifest("""
        collections:
          - name: notes
            fields:
              - {name: text, type: text, id: note_body, renamedFrom: stars}
              - {name: stars, type: number}
    """)
    refused = baseform("plan", contradiction)
    assert refused.code == 1
    assert f"{contradiction}:{line_of(contradiction, 'renamedFrom')}:" in refused.err
    assert "contradicts the field id 'note_body'" in refused.err
    # the id's field, and a field declared under its old name: ambiguous, refused
    ambiguous = manifest("""
        collections:
          - name: notes
            fields:
              - {name: text, type: text, id: note_body}
              - {name: content, type: text}
              - {name: stars, type: number}
    """)
    refused = baseform("plan", ambiguous)
    assert refused.code == 1 and f"{ambiguous}:{line_of(ambiguous, 'name: text')}:" in refused.err
    assert "also declares a field named 'content'" in refused.err
    assert field(pocketbase, "notes", "content")["id"] == "note_body"


def test_views_are_created_after_the_views_they_read_and_a_cycle_is_refused_at_its_line(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Any) -> None:
    path = manifest("""
        collections:
          - name: top_orders
            type: view
            viewQuery: SELECT id, total FROM big_orders WHERE total > 100
          - name: big_orders
            type: view
            viewQuery: SELECT id, total FROM orders WHERE total > 10
          - name: orders
            fields: [{name: total, type: number}]
    """)
    applied(baseform, path)
    assert {"top_orders", "big_orders", "orders"} <= names(pocketbase)

    cycle = manifest("""
        collections:
          - name: a_view
            type: view
            viewQuery: SELECT id FROM b_view
          - name: b_view
            type: view
            viewQuery: |
              SELECT id
              FROM a_view
    """)
    refused = baseform("validate", cycle)
    assert refused.code == 1
    assert "views that read each other cannot be created (a_view -> b_view -> a_view)" in refused.err
    assert f"{cycle}:{line_of(cycle, 'viewQuery: SELECT id FROM b_view')}:" in refused.err


def test_an_export_from_before_0_23_is_refused_once(baseform: Baseform, tmp_path: Path) -> None:
    old = [{"id": f"c{n}", "name": name, "type": "base", "system": False, "indexes": [], "options": {},
            "schema": [{"id": "x", "name": "title", "type": "text", "system": False, "required": False,
                        "options": {"min": None, "max": None, "pattern": ""}}]}
           for n, name in enumerate(("posts", "tags", "comments"))]
    path = write(tmp_path / "pb_schema.json", old)
    result = baseform("validate", path)
    assert result.code == 1
    assert result.err.count("PocketBase 0.22 or older") == 1
    assert "3 of its 3 collections have their fields under 'schema'" in result.err
    assert "1 problem in the manifest" in result.err
