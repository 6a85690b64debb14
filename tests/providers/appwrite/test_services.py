"""Buckets, teams, databases and tables as whole objects: PUT sends everything, prune, permissions forms."""

from __future__ import annotations

from typing import Any

import yaml

from tests.providers.appwrite.conftest import Appwrite

BUCKET: dict[str, Any] = {"id": "avatars", "name": "Avatars", "permissions": {"read": ["any"], "write": ["users"]},
                          "fileSecurity": True, "enabled": False, "maximumFileSize": 5_000_000,
                          "allowedFileExtensions": ["png", "jpg"], "compression": "zstd", "encryption": False,
                          "antivirus": False, "transformations": False}


def test_bucket_with_every_setting_then_one_change_keeps_the_others(appwrite: Appwrite) -> None:
    appwrite.apply({"buckets": [BUCKET]})
    live = appwrite.get("/storage/buckets/avatars")
    assert sorted(live["$permissions"]) == ['create("users")', 'delete("users")', 'read("any")', 'update("users")']
    assert (live["compression"], live["encryption"], live["antivirus"], live["transformations"]) == \
        ("zstd", False, False, False)
    # the same permissions in the native form, another order, extensions reordered: no change
    same = BUCKET | {"permissions": ['write("users")', 'read("any")'], "allowedFileExtensions": ["jpg", "png"]}
    assert appwrite.changes({"buckets": [same]}) == {}

    renamed = BUCKET | {"name": "Avatar images"}
    plan = appwrite.plan({"buckets": [renamed]})
    (op,) = plan["operations"]
    assert op["request"]["method"] == "PUT" and op["request"]["body"]["antivirus"] is False
    appwrite.apply({"buckets": [renamed]})
    live = appwrite.get("/storage/buckets/avatars")
    assert live["name"] == "Avatar images" and live["antivirus"] is False and live["compression"] == "zstd"


def test_omitted_maximum_file_size_keeps_the_live_value(appwrite: Appwrite) -> None:
    appwrite.apply({"buckets": [{"id": "b", "name": "B", "maximumFileSize": 1000}]})
    appwrite.apply({"buckets": [{"id": "b", "name": "B2"}]})
    assert appwrite.get("/storage/buckets/b")["maximumFileSize"] == 1000
    appwrite.apply({"buckets": [{"id": "fresh", "name": "Fresh"}]})
    assert appwrite.get("/storage/buckets/fresh")["maximumFileSize"] == 30_000_000


def test_teams_database_and_table_settings_update_in_place(appwrite: Appwrite) -> None:
    section: dict[str, Any] = {
        "teams": [{"id": "editors", "name": "Editors"}],
        "databases": [{"id": "blog", "name": "Blog", "tables": [
            {"id": "posts", "name": "Posts", "rowSecurity": True, "enabled": False,
             "permissions": ['read("any")', 'write("team:editors/owner")']}]}]}
    appwrite.apply(section)
    section["teams"][0]["name"] = "Editorial"
    section["databases"][0]["name"] = "The blog"
    section["databases"][0]["tables"][0]["name"] = "All posts"
    plan = appwrite.plan(section)
    bodies = {op["request"]["path"]: op["request"]["body"] for op in plan["operations"]}
    assert bodies == {"/teams/editors": {"name": "Editorial"},
                      "/tablesdb/blog": {"name": "The blog", "enabled": True},
                      # every field: the PUT would otherwise turn rowSecurity off and enable the table
                      "/tablesdb/blog/tables/posts": {
                          "name": "All posts", "enabled": False, "rowSecurity": True,
                          "permissions": ['create("team:editors/owner")', 'delete("team:editors/owner")',
                                          'read("any")', 'update("team:editors/owner")']}}
    appwrite.apply(section)
    table = appwrite.table("blog", "posts")
    assert (table["name"], table["rowSecurity"], table["enabled"]) == ("All posts", True, False)
    assert appwrite.emulator.teams["editors"].name == "Editorial"


def test_undeclared_top_level_resources_are_unmanaged_unless_prune(appwrite: Appwrite) -> None:
    appwrite.apply({"teams": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
                    "buckets": [{"id": "x", "name": "X"}],
                    "databases": [{"id": "d", "name": "D", "tables": [{"id": "t", "name": "T", "columns": [
                        {"key": "c", "type": "boolean"}]}]}]})
    keep = {"teams": [{"id": "a", "name": "A"}]}
    plan = appwrite.plan(keep)
    assert plan["changes"] == []
    assert set(plan["providers"]["appwrite"]["unmanaged"]) == {
        "appwrite.teams.b", "appwrite.buckets.x", "appwrite.databases.d"}
    pruned = appwrite.plan(keep | {"prune": True})
    actions = {c["address"]: c["action"] for c in pruned["changes"]}
    assert actions["appwrite.databases.d"] == "delete"
    assert actions["appwrite.databases.d.tables.t.columns.c"] == "delete"
    # the table and its column go with the database: one call
    assert sorted(op["request"]["path"] for op in pruned["operations"]) == [
        "/storage/buckets/x", "/tablesdb/d", "/teams/b"]
    appwrite.apply(keep | {"prune": True})
    assert list(appwrite.emulator.teams) == ["a"] and not appwrite.emulator.databases


def test_a_protected_column_is_never_replaced(appwrite: Appwrite) -> None:
    def section(type_: str) -> dict[str, Any]:
        return {"databases": [{"id": "d", "name": "D", "tables": [{"id": "t", "name": "T", "columns": [
            {"key": "c", "type": type_, "size": 10, "protect": True}]}]}]}

    appwrite.apply(section("varchar"))
    result = appwrite.cli("apply", appwrite.manifest(section("string")), "--auto-approve", "--allow-destroy")
    assert result.code == 1
    assert "appwrite.databases.d.tables.t.columns.c is protected (protect: true) and would be replaced" in result.err
    assert appwrite.table("d", "t")["columns"][0]["type"] == "varchar"


def test_id_change_via_renamed_from_is_rejected_for_tables(appwrite: Appwrite) -> None:
    path = appwrite.manifest(yaml.safe_dump({"version": 1, "appwrite": {"databases": [{
        "id": "d", "name": "D", "tables": [{"id": "new", "name": "N", "renamedFrom": "old"}]}]}}))
    result = appwrite.cli("validate", path)
    assert result.code == 1
    assert "renamedFrom is not supported for tables: Appwrite table ids cannot change" in result.err
