"""The provider per server version and storage engine (rows of tests/emulators/appwrite/FIDELITY.md).

What a newer server has and an older one lacks is a located plan error, never a failed call; the
version is learnt where ``/v1/health/version`` is not served; the engine's limits apply when it is
configured or shown; live objects of types this baseform does not know are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from tests.emulators.appwrite import CLOUD, AppwriteEmulator
from tests.emulators.appwrite.model import Column, Index
from tests.emulators.appwrite.profile import Profile
from tests.emulators.server import serve
from tests.providers.appwrite.conftest import KEY, PROJECT, Appwrite, start
from tests.providers.appwrite.test_validate import line_of


def db(*tables: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"databases": [{"id": "db", "name": "DB", "tables": list(tables)}], **extra}


# -- live objects of unknown types --------------------------------------------------------------
@dataclass
class FutureColumn(Column):
    """A column of a type a later server may have (a vector of floats)."""

    def to_model(self, legacy: bool, profile: Profile) -> dict[str, Any]:
        return {"key": self.key, "type": "vector", "status": "available", "error": "", "required": False,
                "array": False, "size": 3, "$createdAt": self.created, "$updatedAt": self.updated}

    def width(self) -> int:
        return 0


@dataclass
class FutureIndex(Index):
    def to_model(self, legacy: bool, profile: Profile) -> dict[str, Any]:
        return {**super().to_model(legacy, profile), "type": "hnsw_cosine"}


def test_live_columns_and_indexes_of_unknown_types_are_left_alone(appwrite: Appwrite) -> None:
    section = db({"id": "t", "name": "T", "columns": [{"key": "title", "type": "varchar", "size": 20}]})
    appwrite.apply(section)
    table = appwrite.emulator.databases["db"].tables["t"]
    table.columns["embedding"] = FutureColumn("embedding", "integer", False, status="available")
    table.indexes["near"] = FutureIndex("1_1_near", "near", "key", ["embedding"], [None], [], status="available")
    plan = appwrite.cli("plan", appwrite.manifest(section), "--detailed-exitcode")
    assert plan.code == 0, plan.text  # nothing to do: neither is planned for deletion
    assert ("appwrite.databases.db.tables.t.columns.embedding: the server's column type 'vector' is not known to "
            "this version of baseform: it is left as it is (plans never delete it, export leaves it out)") in plan.out
    assert "appwrite.databases.db.tables.t.indexes.near: the server's index type 'hnsw_cosine'" in plan.out
    out = appwrite.tmp / "export.yaml"
    exported = appwrite.cli("export", "--provider", "appwrite", "--out", str(out))
    assert exported.code == 0 and "columns.embedding: the server's column type 'vector'" in exported.err
    written = yaml.safe_load(out.read_text())["appwrite"]["databases"][0]["tables"][0]
    assert [c["key"] for c in written["columns"]] == ["title"] and "indexes" not in written
    again = appwrite.cli("apply", appwrite.manifest(section), "--auto-approve", "--allow-destroy")
    assert again.code == 0 and "No changes" in again.out, again.text
    live = appwrite.table("db", "t")
    assert {c["key"] for c in live["columns"]} == {"title", "embedding"} and live["indexes"][0]["key"] == "near"
    declared = db({"id": "t", "name": "T", "columns": [{"key": "title", "type": "varchar", "size": 20},
                                                       {"key": "embedding", "type": "text"}]})
    refused = appwrite.cli("plan", appwrite.manifest(declared))
    assert refused.code == 1
    assert ("the server's column 'embedding' has type 'vector', which this version of baseform does not know "
            "and will not change or replace") in refused.err, refused.err


# -- the version -----------------------------------------------------------------------------------
def test_the_version_comes_from_an_error_body_where_the_route_is_not_served(appwrite: Appwrite) -> None:
    running = serve(AppwriteEmulator(project=PROJECT, api_key=KEY, version="1.9.5", health_version=False,
                                     column_delay_s=0.02))
    try:
        other = Appwrite(running, appwrite.tmp)
        plan = other.plan(db({"id": "t", "name": "T", "columns": [{"key": "n", "type": "bigint"}]}))
        assert plan["providers"]["appwrite"]["server_version"] == "1.9.5"
        assert other.sent("GET", "/health/version")
    finally:
        running.stop()


# -- what a version lacks --------------------------------------------------------------------------
CLOUD_ONLY = """\
version: 1
providers:
  appwrite: {endpoint: "{{ env.APPWRITE_ENDPOINT }}", project: "{{ env.APPWRITE_PROJECT_ID }}", engine: postgresql}
appwrite:
  databases:
    - id: db
      name: DB
      description: the shop
      tables:
        - id: t
          name: T
          description: orders
          columns:
            - {key: name, type: varchar, size: 50, description: who}
          indexes:
            - {key: fuzzy, type: trigram, columns: [name]}
  buckets:
    - {id: b, name: B, stripMetadata: true}
"""


def test_cloud_api_keys_are_located_plan_errors_on_1_9(appwrite: Appwrite) -> None:
    result = appwrite.cli("plan", appwrite.manifest(CLOUD_ONLY))
    assert result.code == 1
    path = appwrite.tmp / "baseform.yaml"
    for needle, what in (("id: db", "description"), ("id: t", "description"), ("key: name", "description"),
                         ("key: fuzzy", "a trigram index"), ("id: b", "stripMetadata")):
        assert f"{path}:{line_of(CLOUD_ONLY, needle)}" in result.err, (needle, result.err)
        assert f"{what} needs Appwrite Cloud's API (2.5)" in result.err
    assert not appwrite.sent("POST")


@pytest.mark.parametrize("appwrite_at", [(CLOUD, "postgresql")], indirect=True)
def test_cloud_api_keys_apply_and_are_kept_when_left_out(appwrite_at: Appwrite) -> None:
    appwrite = appwrite_at
    appwrite.apply(CLOUD_ONLY)
    table = appwrite.table("db", "t")
    assert table["description"] == "orders" and table["columns"][0]["description"] == "who"
    assert table["indexes"][0]["type"] == "trigram"
    assert appwrite.get("/storage/buckets/b")["stripMetadata"] is True
    renamed = CLOUD_ONLY.replace("          name: T\n          description: orders\n", "          name: Orders\n") \
        .replace("{id: b, name: B, stripMetadata: true}", "{id: b, name: Photos}")
    appwrite.apply(renamed)
    assert (appwrite.table("db", "t")["name"], appwrite.table("db", "t")["description"]) == ("Orders", "orders")
    bucket = appwrite.get("/storage/buckets/b")
    assert (bucket["name"], bucket["stripMetadata"]) == ("Photos", True)
    table_update = [body for path, body in appwrite.sent("PUT", "/tables/t")][-1]
    assert table_update["description"] == "orders"  # sent: a PUT may reset what it lacks
    out = appwrite.tmp / "export.yaml"
    assert appwrite.cli("export", "--provider", "appwrite", "--out", str(out)).code == 0
    exported = yaml.safe_load(out.read_text())["appwrite"]
    table = exported["databases"][0]["tables"][0]
    assert (exported["databases"][0]["description"], table["description"]) == ("the shop", "orders")
    assert table["columns"][0]["description"] == "who" and exported["buckets"][0]["stripMetadata"] is True
    replan = appwrite.cli("plan", str(out), "--detailed-exitcode")
    assert replan.code == 0, replan.text


def test_transformations_need_1_8_1(appwrite: Appwrite) -> None:
    running = start("1.8.0")
    try:
        old = Appwrite(running, appwrite.tmp)
        result = old.cli("plan", old.manifest({"buckets": [{"id": "b", "name": "B", "transformations": False}]}))
        assert result.code == 1 and "transformations needs Appwrite 1.8.1 or later; this server is 1.8.0" in result.err
        old.apply({"buckets": [{"id": "b", "name": "B"}]})
        assert "transformations" not in old.get("/storage/buckets/b")
    finally:
        running.stop()


@pytest.mark.parametrize(("appwrite_at", "route"), [("1.9.6", "/columns/link/relationship"),
                                                    (CLOUD, "/columns/relationship/link")], indirect=["appwrite_at"])
def test_the_relationship_update_route_per_version(appwrite_at: Appwrite, route: str) -> None:
    tables = [{"id": "a", "name": "A", "columns": [{"key": "link", "type": "relationship", "relatedTable": "b",
                                                    "relationType": "manyToOne"}]}, {"id": "b", "name": "B"}]
    appwrite_at.apply(db(*tables))
    tables[0]["columns"][0]["onDelete"] = "cascade"
    appwrite_at.apply(db(*tables))
    assert [path for path, _ in appwrite_at.sent("PATCH")] == [f"/v1/tablesdb/db/tables/a{route}"]
    assert appwrite_at.table("db", "a")["columns"][0]["onDelete"] == "cascade"


# -- engines ---------------------------------------------------------------------------------------
SPATIAL = {"id": "places", "name": "Places", "columns": [
    {"key": "spot", "type": "point", "required": True}, {"key": "name", "type": "varchar", "size": 900},
    {"key": "about", "type": "text"}],
    "indexes": [{"key": "by_name", "type": "key", "columns": ["name"], "lengths": [0]},
                {"key": "ft1", "type": "fulltext", "columns": ["name"]},
                {"key": "ft2", "type": "fulltext", "columns": ["about"]}]}


def manifest_for(engine: str | None, section: dict[str, Any]) -> str:
    providers = {"appwrite": {"endpoint": "{{ env.APPWRITE_ENDPOINT }}", "project": "{{ env.APPWRITE_PROJECT_ID }}",
                              **({"engine": engine} if engine else {})}}
    return yaml.safe_dump({"version": 1, "providers": providers, "appwrite": section}, sort_keys=False)


def test_engine_limits_at_validate_time(appwrite: Appwrite) -> None:
    unknown = appwrite.cli("validate", appwrite.manifest(manifest_for(None, db(SPATIAL))))
    assert unknown.code == 1
    # MariaDB's budget applies when the engine is not known; MongoDB-only refusals are warnings
    assert "index 'by_name' is 900 characters long; the limit is 768 (MariaDB, MySQL, PostgreSQL; MongoDB allows " \
           "1024)" in unknown.err
    assert "warning: a point column: Appwrite on mongodb refuses it (the project's database is not known" in unknown.err
    assert "warning: a second fulltext index (after 'ft1')" in unknown.err
    mongo = appwrite.cli("validate", appwrite.manifest(manifest_for("mongodb", db(SPATIAL))))
    assert mongo.code == 1 and "900 characters long" not in mongo.err
    assert ": a point column: Appwrite on mongodb refuses it" in mongo.err
    assert ": a second fulltext index (after 'ft1'): Appwrite on mongodb refuses it" in mongo.err
    postgres = appwrite.cli("validate", appwrite.manifest(manifest_for("postgresql", db(SPATIAL))))
    assert postgres.code == 1 and "mongodb" not in postgres.err and "900 characters long" in postgres.err


@pytest.mark.parametrize("appwrite_at", [("1.9.6", "mongodb")], indirect=True)
def test_a_server_that_shows_mongodb_gets_its_limits_at_plan_time(appwrite_at: Appwrite) -> None:
    appwrite = appwrite_at
    appwrite.apply(db({"id": "seen", "name": "Seen"}))  # a table, whose bytesMax 0 shows the engine
    section = db({"id": "seen", "name": "Seen"}, {"id": "places", "name": "Places", "columns": [
        {"key": "spot", "type": "point", "required": True}]})
    result = appwrite.cli("plan", appwrite.manifest(section))
    assert result.code == 1 and "a point column: Appwrite on mongodb refuses it" in result.err, result.err
    # what the server already has (here planted, as a project moved from MariaDB would have it) it took:
    # only what is still to be made is held to the engine's rules
    texts = {"id": "texts", "name": "Texts", "columns": [{"key": "a", "type": "varchar", "size": 10},
                                                         {"key": "b", "type": "varchar", "size": 10}],
             "indexes": [{"key": "f1", "type": "fulltext", "columns": ["a"]}]}
    appwrite.apply(db({"id": "seen", "name": "Seen"}, texts))
    appwrite.emulator.databases["db"].tables["texts"].indexes["f2"] = Index(
        "x", "f2", "fulltext", ["b"], [None], [], status="available")
    texts["indexes"].append({"key": "f2", "type": "fulltext", "columns": ["b"]})
    assert appwrite.changes(db({"id": "seen", "name": "Seen"}, texts)) == {}
    writes = len(appwrite.sent("POST"))
    mismatch = appwrite.cli("plan", appwrite.manifest(manifest_for("mariadb", db({"id": "seen", "name": "Seen"}))))
    assert mismatch.code == 1
    assert "providers.appwrite.engine is mariadb, but the server shows mongodb" in mismatch.err
    assert len(appwrite.sent("POST")) == writes  # the refused plans sent nothing


# -- index rules at validate time -----------------------------------------------------------------
RULES = """\
version: 1
appwrite:
  databases:
    - id: db
      name: DB
      tables:
        - id: t
          name: T
          columns:
            - {key: n, type: integer, min: -5000000000, max: 10}
            - {key: title, type: varchar, size: 600}
            - {key: spot, type: point}
            - {key: area, type: polygon, required: true}
            - {key: tags, type: varchar, size: 20, array: true}
          indexes:
            - {key: by_n, type: key, columns: [n], lengths: [4]}
            - {key: two_spatial, type: spatial, columns: [spot, area]}
            - {key: nullable, type: spatial, columns: [spot]}
            - {key: too_many, type: key, columns: [n], orders: [asc, desc]}
            - {key: with_id, type: key, columns: [title, $id], lengths: [0, 0]}
            - {key: later, type: key, columns: [title]}
            - {key: ok_orders, type: fulltext, columns: [title], orders: [asc]}
            - {key: day, type: key, columns: [$createdAt], lengths: [3]}
            - {key: by_tags, type: key, columns: [tags]}
  buckets:
    - {id: big, name: Big, maximumFileSize: 50000000}
"""


def test_the_servers_index_rules_are_located_validate_errors(appwrite: Appwrite) -> None:
    result = appwrite.cli("validate", appwrite.manifest(RULES))
    assert result.code == 1
    path = appwrite.tmp / "baseform.yaml"
    expected = {
        "a length applies only to string columns ('n' is integer); use 0 or null": "key: by_n",
        "a spatial index has exactly one column": "key: two_spatial",
        "a spatial index over 'spot', which is not required: Appwrite on mariadb, mysql, mongodb refuses it":
            "key: nullable",
        "more orders than columns": "key: too_many",
        "index 'with_id' is 855 characters long; the limit is 768": "key: with_id",
        "a length applies only to string columns ('$createdAt' is a date-time)": "key: day",
        "array column 'tags' cannot be indexed (Appwrite refuses indexes over array columns on every database)":
            "key: by_tags",
        "warning: min -5000000000 is below -2147483648 but max 10 fits 4 bytes": "key: n,",
        "warning: maximumFileSize 50,000,000 is above 30,000,000 bytes": "id: big",
    }
    for message, needle in expected.items():
        assert f"{path}:{line_of(RULES, needle)}" in result.err and message in result.err, (message, result.err)
    assert "ok_orders" not in result.err  # orders on a fulltext index are allowed, in any case
    assert appwrite.requests() == 0  # validate has no network
    # lengths left out: the live index's (pulled configs have none), so only a plan knows it must create it
    later = f"{path}:{line_of(RULES, 'key: later')}:15: warning: index 'later' is 600 characters long"
    assert later not in result.err
    unlimited = RULES.replace("title, type: varchar, size: 600", "title, type: varchar, size: 900")
    warned = appwrite.cli("validate", appwrite.manifest(unlimited))
    assert f"{path}:{line_of(RULES, 'key: later')}:15: warning: index 'later' is 900 characters long" in warned.err


def test_an_index_to_create_without_the_lengths_it_needs_is_a_plan_error(appwrite: Appwrite) -> None:
    section = db({"id": "t", "name": "T", "columns": [{"key": "body", "type": "varchar", "size": 1000}],
                  "indexes": [{"key": "by_body", "type": "key", "columns": ["body"]}]})
    result = appwrite.cli("plan", appwrite.manifest(section))
    assert result.code == 1
    assert ("index 'by_body' is 1000 characters long and the server has no such index to take prefix lengths "
            "from; the limit is 768: give lengths") in result.err, result.err
    assert not appwrite.sent("POST")
