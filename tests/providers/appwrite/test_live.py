"""Reading live state (request counts, pagination), server versions, export, and retried creates."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from baseform.commands import apply_operations, compute_plan, connect
from baseform.engine.outcome import ApplyResult
from baseform.engine.plan import Plan
from baseform.manifest.project import load_project
from baseform.providers import default_registry
from tests.providers.appwrite.conftest import Appwrite
from tests.providers.appwrite.test_columns import ALL_TYPES

RICH: dict[str, Any] = {
    "teams": [{"id": "editors", "name": "Editors"}],
    "databases": [
        {"id": "blog", "name": "Blog", "tables": [
            {"id": "articles", "name": "Articles", "permissions": ['read("any")', 'write("team:editors")'],
             "columns": [*ALL_TYPES,
                         {"key": "author", "type": "relationship", "relatedTable": "authors",
                          "relationType": "manyToOne", "twoWay": True, "onDelete": "setNull"}],
             "indexes": [{"key": "by_title", "type": "key", "columns": ["c_varchar"], "orders": ["DESC"]},
                         {"key": "search", "type": "fulltext", "columns": ["c_text"]}]},
            {"id": "authors", "name": "Authors", "rowSecurity": True,
             "columns": [{"key": "name", "type": "varchar", "size": 60, "required": True}]}]},
        {"id": "shop", "name": "Shop", "enabled": False}],
    "buckets": [{"id": "files", "name": "Files", "maximumFileSize": 1234, "compression": "gzip"}],
}


def test_plan_reads_each_list_once_and_never_per_column(appwrite: Appwrite) -> None:
    appwrite.apply(RICH)
    before = appwrite.requests()
    assert appwrite.changes(RICH) == {}
    # version, databases, buckets, teams, and one table list per database
    assert appwrite.requests() - before == 4 + 2


def test_lists_longer_than_a_page_are_read_completely(appwrite: Appwrite) -> None:
    many = {"teams": [{"id": f"team{i:03}", "name": f"Team {i}"} for i in range(130)]}
    appwrite.apply(many)
    assert len(appwrite.emulator.teams) == 130
    before = appwrite.requests()
    assert appwrite.changes(many) == {}
    assert appwrite.requests() - before == 4 + 1  # the teams list took two pages


def test_export_then_plan_shows_no_changes(appwrite: Appwrite, tmp_path: Path) -> None:
    appwrite.apply(RICH)
    out = tmp_path / "exported.yaml"
    result = appwrite.cli("export", "--provider", "appwrite", "--out", str(out))
    assert result.code == 0, result.text
    text = out.read_text()
    assert "secret-key" not in text and "{{ env.APPWRITE_API_KEY" in text
    exported = yaml.safe_load(text)["appwrite"]
    articles = exported["databases"][0]["tables"][0]
    assert articles["permissions"] == ['read("any")', 'write("team:editors")']
    # defaults are left out; the counterpart of the two-way relationship is not exported
    assert {"key": "c_text", "type": "text"} in articles["columns"]
    assert [c["key"] for c in exported["databases"][0]["tables"][1]["columns"]] == ["name"]
    assert exported["databases"][1] == {"id": "shop", "name": "Shop", "enabled": False}
    assert exported["buckets"] == [{"id": "files", "name": "Files", "compression": "gzip", "maximumFileSize": 1234}]
    plan = appwrite.cli("plan", str(out), "--detailed-exitcode")
    assert plan.code == 0, plan.text
    assert "No changes" in plan.out


def test_creates_whose_answer_was_lost_are_verified_not_duplicated(appwrite: Appwrite) -> None:
    appwrite.emulator.set_faults(drop_after_commit_rate=0.2, seed=3)
    result = appwrite.cli("apply", appwrite.manifest(RICH), "--auto-approve")
    appwrite.emulator.set_faults(drop_after_commit_rate=0.0)
    assert result.code == 0, result.text
    assert "already existed and matches the manifest" in result.out
    assert appwrite.changes(RICH) == {}


@pytest.mark.parametrize("old_appwrite", ["1.8.1"], indirect=True)
def test_a_server_before_1_9_gets_per_column_creates_and_plan_time_errors_for_new_types(
        old_appwrite: Appwrite) -> None:
    legacy = {"databases": [{"id": "d", "name": "D", "tables": [{"id": "t", "name": "T", "columns": [
        {"key": "s", "type": "string", "size": 20}, {"key": "n", "type": "integer"}],
        "indexes": [{"key": "by_s", "type": "key", "columns": ["s"]}]}]}]}
    plan = old_appwrite.plan(legacy)
    paths = [op["request"]["path"] for op in plan["operations"]]
    assert paths == ["/tablesdb", "/tablesdb/d/tables", "/tablesdb/d/tables/t/columns/integer",
                     "/tablesdb/d/tables/t/columns/string", "/tablesdb/d/tables/t/indexes"]
    old_appwrite.apply(legacy)

    modern = {"databases": [{"id": "d", "name": "D", "tables": [{"id": "t", "name": "T", "columns": [
        {"key": "s", "type": "string", "size": 20}, {"key": "n", "type": "integer"},
        {"key": "v", "type": "varchar", "size": 10}, {"key": "b", "type": "bigint"}]}]}]}

    def writes() -> int:
        stats = old_appwrite.emulator.stats
        return sum(n for k, n in stats.items() if k.startswith(("POST", "PUT", "PATCH", "DELETE")))

    before = writes()
    result = old_appwrite.cli("plan", old_appwrite.manifest(modern))
    assert result.code == 1
    assert "column type varchar needs Appwrite 1.9.0 or later; this server is 1.8.1" in result.err
    assert "column type bigint needs Appwrite 1.9.5 or later" in result.err
    assert "baseform.yaml:" in result.err
    assert writes() == before


@pytest.mark.parametrize("old_appwrite", ["1.7.2"], indirect=True)
def test_a_server_without_tablesdb_is_refused_clearly(old_appwrite: Appwrite) -> None:
    result = old_appwrite.cli("plan", old_appwrite.manifest({"teams": [{"id": "t", "name": "T"}]}))
    assert result.code == 1
    assert "Appwrite 1.7.2 has no TablesDB API; baseform needs server 1.8.0 or later" in result.err


def test_endpoint_without_v1_and_legacy_databases_are_served(appwrite: Appwrite) -> None:
    headers = {"X-Appwrite-Project": "test", "X-Appwrite-Key": "secret-key"}
    httpx.post(f"{appwrite.server.url}/v1/databases", headers=headers,
               json={"databaseId": "old", "name": "Old"}).raise_for_status()
    env = appwrite.env | {"APPWRITE_ENDPOINT": appwrite.server.url}
    from tests.clirun import run_cli

    result = run_cli(["plan", appwrite.manifest({"databases": [{"id": "old", "name": "Old"}]}),
                      "--detailed-exitcode"], env=env)
    assert result.code == 0, result.text


def _race(appwrite: Appwrite, ours: dict[str, Any], theirs: dict[str, Any]) -> ApplyResult:
    """Plan OURS against the empty server, let another apply make THEIRS, then apply our plan."""
    project = load_project([appwrite.manifest(ours, "ours.yaml")], registry=default_registry(), environ=appwrite.env)

    async def planned() -> Plan:
        async with connect(project) as conns:
            return await compute_plan(project, conns)

    async def applied(plan: Plan) -> ApplyResult:
        async with connect(project) as conns:
            return await apply_operations(plan, conns)

    plan = asyncio.run(planned())
    appwrite.apply(theirs)  # lands between our plan and our apply
    return asyncio.run(applied(plan))


def _one_table(columns: list[dict[str, Any]], indexes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    table = {"id": "t", "name": "T", "columns": columns, "indexes": indexes or []}
    return {"databases": [{"id": "db", "name": "DB", "tables": [table]}]}


def test_a_table_another_apply_made_with_other_columns_is_not_taken_for_ours(appwrite: Appwrite) -> None:
    # integer and boolean columns go inline with the table on 1.9.6: only the table's create is sent,
    # so only its check of the existing table can see that the column is not the one declared
    ours = _one_table([{"key": "n", "type": "integer", "min": 0}])
    theirs = _one_table([{"key": "n", "type": "boolean"}])
    result = _race(appwrite, ours, theirs)
    failed = [r for r in result.results if r.error]
    assert not result.ok and [r.operation.description for r in failed] == ["create appwrite.databases.db.tables.t"]
    assert "it exists on the server with different settings" in str(failed[0].error)
    assert appwrite.table("db", "t")["columns"][0]["type"] == "boolean"  # theirs, untouched


def test_a_table_another_apply_made_the_same_way_is_ours(appwrite: Appwrite) -> None:
    ours = _one_table([{"key": "n", "type": "integer", "min": 0}, {"key": "on", "type": "boolean"}],
                      [{"key": "by_n", "type": "unique", "columns": ["n", "on"], "orders": ["DESC", "ASC"]}])
    result = _race(appwrite, ours, ours)
    assert result.ok, [r.error for r in result.results]
    notes = {r.operation.description: r.note for r in result.results}
    assert notes["create appwrite.databases.db.tables.t"] == "already existed and matches the manifest"


def test_a_table_another_apply_made_with_another_index_is_not_taken_for_ours(appwrite: Appwrite) -> None:
    columns = [{"key": "n", "type": "integer", "min": 0}]
    ours = _one_table(columns, [{"key": "by_n", "type": "unique", "columns": ["n"]}])
    theirs = _one_table(columns, [{"key": "by_n", "type": "key", "columns": ["n"]}])
    result = _race(appwrite, ours, theirs)
    assert [r.operation.description for r in result.results if r.error] == ["create appwrite.databases.db.tables.t"]
    assert appwrite.table("db", "t")["indexes"][0]["type"] == "key"
