"""Relationships (two-way pairs, onDelete, replace) and indexes (create, replace, fail fast)."""

from __future__ import annotations

from typing import Any

from tests.providers.appwrite.conftest import Appwrite


def tables(*specs: dict[str, Any]) -> dict[str, Any]:
    return {"databases": [{"id": "db", "name": "DB", "tables": list(specs)}]}


AUTHORS = {"id": "authors", "name": "Authors", "columns": [{"key": "name", "type": "varchar", "size": 50}]}


def articles(**relationship: Any) -> dict[str, Any]:
    column = {"key": "author", "type": "relationship", "relatedTable": "authors", "relationType": "manyToOne",
              **relationship}
    return {"id": "articles", "name": "Articles", "columns": [{"key": "title", "type": "varchar", "size": 50},
                                                              column]}


def test_two_way_pair_is_created_after_both_tables_and_its_counterpart_is_left_alone(appwrite: Appwrite) -> None:
    manifest = tables(articles(twoWay=True, twoWayKey="articles", onDelete="cascade"), AUTHORS)
    plan = appwrite.plan(manifest)
    ops = {op["id"]: op for op in plan["operations"]}
    relationship = ops["appwrite.databases.db.tables.articles.columns.author:create"]
    assert relationship["request"]["path"] == "/tablesdb/db/tables/articles/columns/relationship"
    assert relationship["request"]["body"] == {"relatedTableId": "authors", "type": "manyToOne", "twoWay": True,
                                               "key": "author", "twoWayKey": "articles", "onDelete": "cascade"}
    assert {"appwrite.databases.db.tables.authors:create", "appwrite.databases.db.tables.articles:create"} \
        <= set(relationship["depends_on"])

    appwrite.apply(manifest)
    counterpart = {c["key"]: c for c in appwrite.table("db", "authors")["columns"]}["articles"]
    assert counterpart["side"] == "child" and counterpart["relatedTable"] == "articles"

    # onDelete changes in place, on the relationship route
    changed = tables(articles(twoWay=True, twoWayKey="articles", onDelete="setNull"), AUTHORS)
    plan = appwrite.plan(changed)
    assert [(op["request"]["method"], op["request"]["path"], op["request"]["body"]) for op in plan["operations"]] \
        == [("PATCH", "/tablesdb/db/tables/articles/columns/author/relationship", {"onDelete": "setNull"})]
    appwrite.apply(changed)

    # the shape cannot change in place; the old counterpart goes with its relationship
    one_way = tables(articles(relationType="oneToOne"), AUTHORS)
    change = appwrite.changes(one_way)["appwrite.databases.db.tables.articles.columns.author"]
    assert change["action"] == "replace"
    assert "relationType manyToOne -> oneToOne" in change["reason"] and "twoWay true -> false" in change["reason"]
    appwrite.apply(one_way)
    assert [c["key"] for c in appwrite.table("db", "authors")["columns"]] == ["name"]

    appwrite.apply(tables(articles(relationType="oneToOne") | {"columns": [{"key": "title", "type": "varchar",
                                                                            "size": 50}]}, AUTHORS))
    assert [c["key"] for c in appwrite.table("db", "articles")["columns"]] == ["title"]


def test_relationship_to_an_undeclared_table_is_rejected_at_validate_time(appwrite: Appwrite) -> None:
    manifest = tables({"id": "a", "name": "A", "columns": [
        {"key": "b", "type": "relationship", "relatedTable": "authorz", "relationType": "oneToOne"}]}, AUTHORS)
    result = appwrite.cli("validate", appwrite.manifest(manifest))
    assert result.code == 1
    assert "relatedTable 'authorz' is not a table of this database (did you mean 'authors'?)" in result.err
    assert "baseform.yaml:" in result.err


def test_self_relationship_and_rename_of_a_relationship(appwrite: Appwrite) -> None:
    base = {"id": "people", "name": "People", "columns": [
        {"key": "manager", "type": "relationship", "relatedTable": "people", "relationType": "manyToOne",
         "twoWay": True, "twoWayKey": "reports"}]}
    appwrite.apply(tables(base))
    renamed = {"id": "people", "name": "People", "columns": [
        {"key": "boss", "type": "relationship", "relatedTable": "people", "relationType": "manyToOne",
         "twoWay": True, "twoWayKey": "reports", "renamedFrom": "manager"}]}
    change = appwrite.changes(tables(renamed))["appwrite.databases.db.tables.people.columns.boss"]
    assert change["action"] == "update"
    appwrite.apply(tables(renamed))
    keys = {c["key"]: c for c in appwrite.table("db", "people")["columns"]}
    assert set(keys) == {"boss", "reports"} and keys["reports"]["twoWayKey"] == "boss"


INDEXED = {"id": "t", "name": "T", "columns": [
    {"key": "title", "type": "varchar", "size": 100}, {"key": "body", "type": "text"},
    {"key": "n", "type": "integer"}, {"key": "spot", "type": "point", "required": True}]}


def with_indexes(*indexes: dict[str, Any]) -> dict[str, Any]:
    return tables(INDEXED | {"indexes": list(indexes)})


def test_indexes_of_every_type_created_inline_then_replaced_on_any_change(appwrite: Appwrite) -> None:
    """On 1.9.6 an index goes inline only when its columns do: varchar and text columns are created by
    their own calls, so the indexes over them follow once they are available."""
    first = with_indexes({"key": "k", "type": "key", "columns": ["title", "n"], "orders": ["DESC"]},
                         {"key": "u", "type": "unique", "columns": ["title"], "lengths": [20]},
                         {"key": "f", "type": "fulltext", "columns": ["body"]},
                         {"key": "s", "type": "spatial", "columns": ["spot"]},
                         {"key": "sys", "type": "key", "columns": ["$createdAt"]})
    plan = appwrite.plan(first)
    table_create = next(op for op in plan["operations"] if op["request"]["path"] == "/tablesdb/db/tables")
    assert [i["key"] for i in table_create["request"]["body"]["indexes"]] == ["s", "sys"]
    ops = {op["id"]: op for op in plan["operations"]}
    assert ops["appwrite.databases.db.tables.t.indexes.k:create"]["request"]["body"] == {
        "key": "k", "type": "key", "columns": ["title", "n"], "orders": ["DESC", "ASC"]}
    assert sorted(ops["appwrite.databases.db.tables.t.indexes.k:create"]["depends_on"]) == [
        "appwrite.databases.db.tables.t.columns.title:create", "appwrite.databases.db.tables.t:create"]
    appwrite.apply(first)
    live = {i["key"]: i for i in appwrite.table("db", "t")["indexes"]}
    assert live["k"]["orders"] == ["DESC", "ASC"] and live["u"]["lengths"] == [20]

    second = with_indexes({"key": "k", "type": "key", "columns": ["title", "n"], "orders": ["DESC", "ASC"]},
                          {"key": "u", "type": "unique", "columns": ["title"], "lengths": [30]},
                          {"key": "f", "type": "fulltext", "columns": ["body", "title"]},
                          {"key": "s", "type": "spatial", "columns": ["spot"]},
                          {"key": "sys", "type": "key", "columns": ["$createdAt"]})
    changes = appwrite.changes(second)
    assert {a.rsplit(".", 1)[1]: c["action"] for a, c in changes.items()} == {"u": "replace", "f": "replace"}
    reason = changes["appwrite.databases.db.tables.t.indexes.u"]["reason"]
    assert "lengths [20] -> [30] cannot change in place" in reason
    appwrite.apply(second)
    assert {i["key"]: i["lengths"] for i in appwrite.table("db", "t")["indexes"]}["u"] == [30]


def test_an_index_on_new_columns_is_created_after_they_are_available(appwrite: Appwrite) -> None:
    appwrite.apply(tables({"id": "t", "name": "T", "columns": [{"key": "a", "type": "boolean"}]}))
    target = tables({"id": "t", "name": "T", "columns": [{"key": "a", "type": "boolean"},
                                                          {"key": "b", "type": "varchar", "size": 10}],
                     "indexes": [{"key": "ab", "type": "unique", "columns": ["a", "b"]}]})
    plan = appwrite.plan(target)
    ops = {op["id"]: op for op in plan["operations"]}
    assert ops["appwrite.databases.db.tables.t.indexes.ab:create"]["depends_on"] == \
        ["appwrite.databases.db.tables.t.columns.b:create"]
    # the column's status is read from its table (one read answers for all the table's new children)
    wait = ops["appwrite.databases.db.tables.t.columns.b:create"]["wait"]
    assert (wait["path"], wait["field"]) == ("/tablesdb/db/tables/t", "columns[key=b].status")
    appwrite.apply(target)


def test_an_index_that_uses_a_recreated_column_is_recreated_too(appwrite: Appwrite) -> None:
    base = tables({"id": "t", "name": "T", "columns": [{"key": "a", "type": "varchar", "size": 10}],
                   "indexes": [{"key": "by_a", "type": "key", "columns": ["a"]}]})
    appwrite.apply(base)
    # the defaults written out explicitly are the same column
    explicit = tables({"id": "t", "name": "T", "columns": [{"key": "a", "type": "varchar", "size": 10, "array": False,
                                                            "encrypt": False, "required": False}],
                       "indexes": [{"key": "by_a", "type": "key", "columns": ["a"], "orders": ["ASC"]}]})
    assert appwrite.changes(explicit) == {}
    to_int = tables({"id": "t", "name": "T", "columns": [{"key": "a", "type": "integer"}],
                     "indexes": [{"key": "by_a", "type": "key", "columns": ["a"]}]})
    changes = appwrite.changes(to_int)
    index = changes["appwrite.databases.db.tables.t.indexes.by_a"]
    assert index["action"] == "replace" and "columns.a is recreated" in index["reason"]
    result = appwrite.apply(to_int)
    out = result.out
    assert out.index("delete appwrite.databases.db.tables.t.indexes.by_a") < \
        out.index("delete appwrite.databases.db.tables.t.columns.a") < \
        out.index("create appwrite.databases.db.tables.t.columns.a") < \
        out.index("create appwrite.databases.db.tables.t.indexes.by_a")
    assert appwrite.table("db", "t")["indexes"][0]["columns"] == ["a"]


def test_a_failed_index_stops_the_apply_with_the_servers_error(appwrite: Appwrite) -> None:
    appwrite.apply(tables({"id": "t", "name": "T", "columns": [{"key": "a", "type": "varchar", "size": 10}]}))
    rows = appwrite.emulator.databases["db"].tables["t"].rows
    rows["r1"] = {"$id": "r1", "a": "same"}
    rows["r2"] = {"$id": "r2", "a": "same"}
    target = tables({"id": "t", "name": "T", "columns": [{"key": "a", "type": "varchar", "size": 10}],
                     "indexes": [{"key": "uniq", "type": "unique", "columns": ["a"]}]})
    result = appwrite.cli("apply", appwrite.manifest(target), "--auto-approve")
    assert result.code == 1
    assert "the server reports status 'failed': Duplicate entry" in result.text
    # the next plan offers to recreate the failed index, naming why
    change = appwrite.changes(target)["appwrite.databases.db.tables.t.indexes.uniq"]
    assert change["action"] == "replace" and "status failed on the server: Duplicate entry" in change["reason"]


def test_renamed_and_retyped_column_recreates_the_index_that_uses_it(appwrite: Appwrite) -> None:
    appwrite.apply(tables({"id": "t", "name": "T", "columns": [{"key": "a", "type": "varchar", "size": 10}],
                           "indexes": [{"key": "by_a", "type": "key", "columns": ["a"]}]}))
    target = tables({"id": "t", "name": "T", "columns": [{"key": "b", "type": "integer", "renamedFrom": "a"}],
                     "indexes": [{"key": "by_a", "type": "key", "columns": ["b"]}]})
    changes = appwrite.changes(target)
    assert changes["appwrite.databases.db.tables.t.columns.b"]["action"] == "replace"
    assert changes["appwrite.databases.db.tables.t.indexes.by_a"]["action"] == "replace"
    appwrite.apply(target)
    table = appwrite.table("db", "t")
    assert [(c["key"], c["type"]) for c in table["columns"]] == [("b", "integer")]
    assert table["indexes"][0]["columns"] == ["b"]

