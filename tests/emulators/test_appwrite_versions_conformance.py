"""Conformance of the Appwrite emulator's version x engine matrix, through the official SDK (27.0.0).

Each test proves rows of ``tests/emulators/appwrite/FIDELITY.md`` (named as ``[row-id]`` in its
docstring) on every version and engine where the row's behaviour differs. One emulator per
(version, engine) serves the whole module; tests use their own database ids.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from appwrite.client import Client
from appwrite.enums.order_by import OrderBy
from appwrite.enums.tables_db_index_type import TablesDBIndexType
from appwrite.exception import AppwriteException
from appwrite.services.databases import Databases
from appwrite.services.storage import Storage
from appwrite.services.tables_db import TablesDB

from tests.emulators.appwrite import CLOUD, HEAD, AppwriteEmulator
from tests.emulators.conftest import APPWRITE_KEY, APPWRITE_PROJECT, appwrite_client
from tests.emulators.server import RunningEmulator, serve

FIDELITY = Path(__file__).parent / "appwrite" / "FIDELITY.md"
HEADERS = {"X-Appwrite-Project": APPWRITE_PROJECT, "X-Appwrite-Key": APPWRITE_KEY}
Server = Callable[..., Client]


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """``server(version, engine="mariadb")``: an SDK client of that emulator (started once per module)."""
    running: dict[tuple[str, str, bool], RunningEmulator] = {}

    def get(version: str, engine: str = "mariadb", health_version: bool = True) -> Client:
        key = (version, engine, health_version)
        if key not in running:
            running[key] = serve(AppwriteEmulator(project=APPWRITE_PROJECT, api_key=APPWRITE_KEY, version=version,
                                                  engine=engine, column_delay_s=0.02,
                                                  health_version=health_version))
        client = appwrite_client(running[key].url)
        client.url = running[key].url  # type: ignore[attr-defined]
        return client

    yield get
    for emulator in running.values():
        emulator.stop()


def uid(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def error_of(call: Callable[[], Any]) -> AppwriteException:
    with pytest.raises(AppwriteException) as info:
        call()
    return info.value


def raw(client: Client, method: str, path: str, params: dict[str, Any] | None = None) -> Any:
    return client.call(method, path, {"X-Appwrite-Project": APPWRITE_PROJECT, "content-type": "application/json"},
                       params or {})


def database(client: Client) -> str:
    db = uid("db")
    raw(client, "post", "/tablesdb", {"databaseId": db, "name": "DB"})
    return db


def available(client: Client, db: str, table: str, key: str, what: str = "columns") -> None:
    deadline = time.monotonic() + 3
    while raw(client, "get", f"/tablesdb/{db}/tables/{table}/{what}/{key}")["status"] != "available":
        assert time.monotonic() < deadline, f"{what} {key} not available"
        time.sleep(0.01)


def table_with(client: Client, db: str, columns: list[dict[str, Any]]) -> str:
    """A table whose columns are made by their own endpoints (``{"route": ..., **params}``), all available."""
    table = uid()
    raw(client, "post", f"/tablesdb/{db}/tables", {"tableId": table, "name": "T"})
    for column in columns:
        params = {k: v for k, v in column.items() if k != "route"}
        raw(client, "post", f"/tablesdb/{db}/tables/{table}/columns/{column['route']}", {"required": False, **params})
    for column in columns:
        available(client, db, table, column["key"])
    return table


def index_error(client: Client, db: str, table: str, body: dict[str, Any]) -> AppwriteException | None:
    try:
        raw(client, "post", f"/tablesdb/{db}/tables/{table}/indexes", {"key": uid("i"), **body})
    except AppwriteException as e:
        return e
    return None


# -- inline columns ---------------------------------------------------------------------------------
INLINE_CANDIDATES: dict[str, dict[str, Any]] = {
    "string": {"type": "string", "size": 10},
    "string+email": {"type": "string", "format": "email", "size": 254},
    "string+enum": {"type": "string", "format": "enum", "size": 255, "elements": ["a"]},
    "integer": {"type": "integer"},
    "bigint": {"type": "bigint"},
    "double": {"type": "double"},
    "boolean": {"type": "boolean"},
    "datetime": {"type": "datetime"},
    "point": {"type": "point"},
    "linestring": {"type": "linestring"},
    "polygon": {"type": "polygon"},
    "varchar": {"type": "varchar", "size": 10},
    "text": {"type": "text"},
    "mediumtext": {"type": "mediumtext"},
    "longtext": {"type": "longtext"},
    "email": {"type": "email"},
    "url": {"type": "url"},
    "ip": {"type": "ip"},
    "enum": {"type": "enum", "elements": ["a"]},
    "float": {"type": "float"},
    "relationship": {"type": "relationship"},
}
CORE = {"string", "string+email", "string+enum", "integer", "double", "boolean", "datetime", "point", "linestring",
        "polygon"}
ACCEPTED = {"1.9.0": CORE, "1.9.5": CORE | {"bigint"}, "1.9.6": CORE | {"bigint"},
            HEAD: CORE | {"bigint", "varchar", "text", "mediumtext", "longtext", "email", "url", "ip", "enum"}}


@pytest.mark.parametrize("version", sorted(ACCEPTED))
def test_inline_column_types_per_version(server: Server, version: str) -> None:
    """[inline-types] [inline-params]: which types create-table takes inline; a refused type is 400
    ``general_argument_invalid`` naming it, and no table is left behind."""
    client = server(version)
    tables, db = TablesDB(client), database(client)
    accepted = set()
    for name, spec in INLINE_CANDIDATES.items():
        table = uid()
        try:
            tables.create_table(db, table, "T", columns=[{"key": "c", **spec}])
        except AppwriteException as e:
            assert (e.code, e.type) == (400, "general_argument_invalid"), name
            assert f"Invalid type for attribute 'c': {spec['type']}" in e.message
            assert error_of(lambda table=table: tables.get_table(db, table)).code == 404
            continue
        accepted.add(name)
        assert [c.key for c in tables.get_table(db, table).columns] == ["c"]
    assert accepted == ACCEPTED[version]


def test_inline_columns_are_ignored_before_1_9(server: Server) -> None:
    """[inline-params]: 1.8.x has no inline parameters; the table is made without columns."""
    client = server("1.8.1")
    db = database(client)
    made = raw(client, "post", f"/tablesdb/{db}/tables",
               {"tableId": "t", "name": "T", "columns": [{"key": "c", "type": "string", "size": 5}]})
    assert made["columns"] == [] and raw(client, "get", f"/tablesdb/{db}/tables/t")["columns"] == []
    assert "bytesMax" not in made  # [row-bytes]: not before 1.9.0


@pytest.mark.parametrize(("column", "message"), [
    ({"key": "s", "type": "string"}, "Invalid or missing size for string attribute 's'"),
    ({"key": "e", "type": "string", "size": 5, "format": "phone"}, "Invalid format for attribute 'e': phone"),
    ({"key": "f", "type": "integer", "format": "email"}, "Format is only allowed for string type"),
    ({"key": "r", "type": "integer", "required": True, "default": 1}, "cannot have a default value when required"),
    ({"key": "a", "type": "integer", "array": True, "default": 1}, "cannot have a default value when array"),
    ({"key": "m", "type": "boolean", "min": 1}, "min/max can only be used with integer, bigint or float"),
    ({"key": "m", "type": "integer", "min": 5, "max": 1}, "minimum value must be less than or equal"),
    ({"key": "d", "type": "integer", "min": 0, "max": 5, "default": 9}, "must be between 0 and 5"),
    ({"key": "n", "type": "string", "format": "enum", "size": 9, "elements": []}, "must have 'elements' array"),
    ({"key": "n", "type": "string", "format": "enum", "size": 9, "elements": ["a"], "default": "b"},
     "must be one of the provided elements"),
    ({"key": "$id", "type": "boolean"}, "Invalid key for attribute"),
    ({"key": "g", "type": "boolean", "signed": True}, "'signed' can only be used with integer"),
])
def test_inline_validator(server: Server, column: dict[str, Any], message: str) -> None:
    """[inline-validator] (1.9.6)."""
    client = server("1.9.6")
    error = error_of(lambda: TablesDB(client).create_table(database(client), uid(), "T", columns=[column]))
    assert (error.code, error.type) == (400, "general_argument_invalid") and message in error.message


def test_inline_integers_take_the_size_sent_and_keep_null_bounds(server: Server) -> None:
    """[inline-integer-size] [integer-width] [row-bytes]: an inline integer without ``size`` is 4 bytes
    whatever its max, with ``size: 8`` 8 bytes; the endpoint picks 8 bytes for a max above 2^31-1 (or
    none); the width shows in ``bytesUsed``; an inline integer without bounds keeps them null."""
    client = server("1.9.6")
    tables, db = TablesDB(client), database(client)

    def used(columns: list[dict[str, Any]]) -> float:
        table = uid()
        tables.create_table(db, table, "T", columns=columns)
        return tables.get_table(db, table).bytesused

    assert used([]) == 1067
    assert used([{"key": "n", "type": "integer", "max": 2**40}]) == 1067 + 4
    assert used([{"key": "n", "type": "integer", "size": 8}]) == 1067 + 8
    table = uid()
    tables.create_table(db, table, "T", columns=[{"key": "n", "type": "integer"}])
    column = tables.get_table(db, table).columns[0].to_dict()
    assert (column["min"], column["max"]) == (None, None)
    for bounds, width in (({}, 8), ({"max": 2**31 - 1}, 4), ({"min": -(2**40), "max": 10}, 4), ({"max": 2**31}, 8)):
        table = table_with(client, db, [{"route": "integer", "key": "n", **bounds}])
        assert tables.get_table(db, table).bytesused == 1067 + width, bounds


def test_inline_index_objects(server: Server) -> None:
    """[inline-indexes]: upper-case orders only, as many orders and lengths as attributes; a length of
    0 is stored as null; array columns refused."""
    client = server("1.9.6")
    tables, db = TablesDB(client), database(client)
    columns = [{"key": "a", "type": "string", "size": 20}, {"key": "b", "type": "integer"},
               {"key": "tags", "type": "string", "size": 5, "array": True}]

    def attempt(index: dict[str, Any]) -> AppwriteException | None:
        try:
            tables.create_table(db, uid(), "T", columns=columns, indexes=[{"key": "i", "type": "key", **index}])
        except AppwriteException as e:
            return e
        return None

    lower = attempt({"attributes": ["a"], "orders": ["asc"]})
    assert lower is not None and (lower.code, lower.type) == (400, "general_argument_invalid")
    assert "Invalid order 'asc'" in lower.message
    short = attempt({"attributes": ["a", "b"], "orders": ["ASC"]})
    assert short is not None and "orders array length (1) must match attributes array length (2)" in short.message
    lengths = attempt({"attributes": ["a", "b"], "lengths": [5]})
    assert lengths is not None and "lengths array length (1) must match" in lengths.message
    array = attempt({"attributes": ["tags"]})
    assert array is not None and (array.code, array.type) == (400, "index_invalid")
    assert attempt({"attributes": ["a", "b"], "orders": ["DESC", "ASC"], "lengths": [0, None]}) is None
    many = [{"key": f"i{n}", "type": "key", "attributes": ["$id"] if n % 2 else ["b"]} for n in range(59)]
    too_many = error_of(lambda: tables.create_table(db, uid(), "T", columns=columns, indexes=many))
    assert (too_many.type, too_many.message) == ("general_argument_invalid", "Maximum of 58 indexes allowed")
    table = uid()
    tables.create_table(db, table, "T", columns=columns,
                        indexes=[{"key": "i", "type": "key", "attributes": ["a"], "orders": ["DESC"], "lengths": [0]}])
    index = tables.get_table(db, table).indexes[0]
    assert (index.orders, index.lengths) == (["DESC"], [None])


def test_inline_limits_answer_as_the_table_limit(server: Server) -> None:
    """[inline-limits] [row-width]: inline columns wider than a row are refused on MariaDB, not on MongoDB."""
    wide = [{"key": f"c{i}", "type": "string", "size": 4000} for i in range(5)]
    client = server("1.9.6")
    error = error_of(lambda: TablesDB(client).create_table(database(client), uid(), "T", columns=wide))
    assert (error.code, error.type) == (400, "table_limit_exceeded")
    mongo = server("1.9.6", "mongodb")
    db, table = database(mongo), uid()
    TablesDB(mongo).create_table(db, table, "T", columns=wide)
    assert len(TablesDB(mongo).get_table(db, table).columns) == 5


@pytest.mark.parametrize(("version", "listed"), [("1.9.6", False), (HEAD, True)])
def test_create_table_answer(server: Server, version: str, listed: bool) -> None:
    """[create-table-response]: 1.9.x answers the table as it was before its inline schema."""
    client = server(version)
    db, table = database(client), uid()
    made = raw(client, "post", f"/tablesdb/{db}/tables", {
        "tableId": table, "name": "T", "columns": [{"key": "n", "type": "integer"}],
        "indexes": [{"key": "by_n", "type": "key", "attributes": ["n"]}]})
    assert (bool(made["columns"]), bool(made["indexes"])) == (listed, listed)
    read = raw(client, "get", f"/tablesdb/{db}/tables/{table}")
    assert [c["key"] for c in read["columns"]] == ["n"] and [i["key"] for i in read["indexes"]] == ["by_n"]


# -- indexes ----------------------------------------------------------------------------------------
def test_index_orders_any_case_stored_as_sent_and_zero_lengths_null(server: Server) -> None:
    """[index-orders-case] [index-lengths-zero] [fulltext-orders]: the SDK's ``OrderBy.ASC`` sends
    ``asc``, which the server keeps; 0 lengths become null, short lists are padded; fulltext indexes
    take orders."""
    client = server("1.9.6")
    tables, db = TablesDB(client), database(client)
    table = table_with(client, db, [{"route": "varchar", "key": "a", "size": 20},
                                    {"route": "varchar", "key": "b", "size": 20}])
    made = tables.create_index(db, table, "by_a", TablesDBIndexType.KEY, ["a", "b"], orders=[OrderBy.ASC],
                               lengths=[0])
    assert (made.orders, made.lengths) == (["asc"], [None, None])
    mixed = raw(client, "post", f"/tablesdb/{db}/tables/{table}/indexes",
                {"key": "m", "type": "unique", "columns": ["b"], "orders": ["Desc"]})
    assert mixed["orders"] == ["Desc"]
    text = tables.create_index(db, table, "ft", TablesDBIndexType.FULLTEXT, ["a"], orders=[OrderBy.ASC])
    assert text.orders == ["asc"]
    bad = index_error(client, db, table, {"type": "key", "columns": ["a"], "orders": ["up"]})
    assert bad is not None and (bad.code, bad.type) == (400, "general_argument_invalid")


COLUMNS = [{"route": "varchar", "key": "name", "size": 200}, {"route": "integer", "key": "n"},
           {"route": "float", "key": "x"}, {"route": "point", "key": "spot", "required": True},
           {"route": "point", "key": "maybe"}, {"route": "datetime", "key": "day"}]


@pytest.mark.parametrize("engine", ["mariadb", "mysql", "postgresql"])
def test_index_rules_per_engine(server: Server, engine: str) -> None:
    """[index-length-types] [index-lengths-count] [index-length] [index-fulltext-strings]
    [spatial-index-one] [spatial-index-null] [spatial-index-order] [index-reserved-keys]."""
    client = server("1.9.6", engine)
    db = database(client)
    table = table_with(client, db, COLUMNS)

    def refused(body: dict[str, Any]) -> str | None:
        error = index_error(client, db, table, body)
        if error is None:
            return None
        assert (error.code, error.type) == (400, "column_index_invalid"), body
        return error.message

    assert refused({"type": "key", "columns": ["n"], "lengths": [5]}) == 'Cannot set a length on "integer" attributes'
    assert refused({"type": "key", "columns": ["day"], "lengths": [2]}) == \
        'Cannot set a length on "datetime" attributes'
    assert refused({"type": "key", "columns": ["n"], "lengths": [0]}) is None
    assert "Count of lengths" in (refused({"type": "key", "columns": ["name"], "lengths": [5, 5]}) or "")
    # the budget: a string counts its length or size, $id 255, a double 2, others 1
    assert refused({"type": "key", "columns": ["name", "$id", "x", "n"], "lengths": [200]}) is None  # 458
    three = refused({"type": "key", "columns": ["name", "$id", "$createdAt"], "lengths": [513]})
    assert three is not None and "larger than the size" in three
    assert refused({"type": "unique", "columns": ["$id", "name"], "lengths": [None, 200]}) is None
    assert "fulltext index, must be of type string" in (refused({"type": "fulltext", "columns": ["n"]}) or "")
    assert "exactly one attribute" in (refused({"type": "spatial", "columns": ["spot", "maybe"]}) or "")
    assert "require spatial indexes" in (refused({"type": "key", "columns": ["spot"]}) or "")
    nullable = refused({"type": "spatial", "columns": ["maybe"]})
    assert (nullable is None) == (engine == "postgresql")
    ordered = refused({"type": "spatial", "columns": ["spot"], "orders": ["DESC"]})
    assert (ordered is None) == (engine == "mariadb")
    reserved = refused({"type": "key", "columns": ["n"], "key": "Primary"})
    assert (reserved == "Index key name is reserved") == (engine in ("mariadb", "mysql"))


def test_mongodb_index_rules(server: Server) -> None:
    """[index-length] [fulltext-one] [identical-indexes] on MongoDB: a 1024 budget, one fulltext index
    per table, no second key/unique index over the same columns and orders."""
    client = server("1.9.6", "mongodb")
    db = database(client)
    table = table_with(client, db, [{"route": "varchar", "key": "a", "size": 1000},
                                    {"route": "varchar", "key": "b", "size": 1000}])
    assert index_error(client, db, table, {"type": "key", "columns": ["a"]}) is None  # 1000 <= 1024
    assert index_error(client, db, table, {"type": "fulltext", "columns": ["a"]}) is None
    second = index_error(client, db, table, {"type": "fulltext", "columns": ["b"]})
    assert second is not None and second.message == "There is already a fulltext index in the collection"
    twin = index_error(client, db, table, {"type": "unique", "columns": ["a"]})
    assert twin is not None and twin.message == "There is already an index with the same attributes and orders"
    inline = error_of(lambda: TablesDB(client).create_table(
        db, "two", "T",
        columns=[{"key": "a", "type": "string", "size": 10}, {"key": "b", "type": "string", "size": 10}],
        indexes=[{"key": "f1", "type": "fulltext", "attributes": ["a"]},
                 {"key": "f2", "type": "fulltext", "attributes": ["b"]}]))
    assert (inline.code, inline.type) == (500, "general_unknown")
    assert error_of(lambda: TablesDB(client).get_table(db, "two")).code == 404
    sql = server("1.9.6")
    db = database(sql)
    table = table_with(sql, db, [{"route": "varchar", "key": "a", "size": 100}, {"route": "varchar", "key": "b",
                                                                                   "size": 100}])
    for body in ({"type": "fulltext", "columns": ["a"]}, {"type": "fulltext", "columns": ["b"]},
                 {"type": "key", "columns": ["a"]}, {"type": "unique", "columns": ["a"]}):
        assert index_error(sql, db, table, body) is None, body


def test_column_updates_recheck_the_indexes(server: Server) -> None:
    """[column-update-indexes]: growing an indexed varchar past the budget, or making an indexed point
    optional on MariaDB, is refused; growing an unindexed one is not."""
    client = server("1.9.6")
    tables, db = TablesDB(client), database(client)
    table = table_with(client, db, [{"route": "varchar", "key": "a", "size": 500},
                                    {"route": "varchar", "key": "free", "size": 500},
                                    {"route": "point", "key": "spot", "required": True}])
    for body in ({"key": "by_a", "type": "key", "columns": ["a"]},
                 {"key": "geo", "type": "spatial", "columns": ["spot"]}):
        raw(client, "post", f"/tablesdb/{db}/tables/{table}/indexes", body)
    grow = error_of(lambda: tables.update_varchar_column(db, table, "a", False, None, size=800))
    assert (grow.code, grow.type) == (400, "column_index_invalid")
    assert "Index length is longer than the maximum: 768" in grow.message
    assert tables.update_varchar_column(db, table, "free", False, None, size=800).size == 800
    optional = error_of(lambda: tables.update_point_column(db, table, "spot", False))
    assert (optional.code, optional.type) == (400, "column_index_invalid")


# -- engines ----------------------------------------------------------------------------------------
def test_engine_limits_on_mongodb(server: Server) -> None:
    """[row-width] [column-count] [uid-length] [spatial-engine] [row-bytes]: MongoDB has no row width,
    allows 255-character keys, refuses spatial columns and reports 0 bytes."""
    client = server("1.9.6", "mongodb")
    tables, db, table = TablesDB(client), database(client), uid()
    tables.create_table(db, table, "T")
    made = tables.get_table(db, table)
    assert (made.bytesmax, made.bytesused) == (0, 0)
    assert tables.create_varchar_column(db, table, "w", 16381, False).size == 16381
    assert tables.create_boolean_column(db, table, "k" * 40, False).key == "k" * 40
    point = error_of(lambda: tables.create_point_column(db, table, "p", False))
    assert (point.code, point.type, point.message) == (400, "COLUMN_TYPE_NOT_SUPPORTED",
                                                        "Column type 'point' is not supported.")
    inline = error_of(lambda: tables.create_table(db, uid(), "T", columns=[{"key": "p", "type": "point"}]))
    assert "Spatial attributes are not supported by the current database" in inline.message
    with pytest.raises(ValueError, match="MariaDB or MySQL only"):
        AppwriteEmulator(version="1.8.1", engine="mongodb")


def test_engine_limits_on_mariadb(server: Server) -> None:
    """[row-width] [uid-length] [row-bytes]: the same calls on MariaDB."""
    client = server("1.9.6")
    tables, db, table = TablesDB(client), database(client), uid()
    tables.create_table(db, table, "T")
    made = tables.get_table(db, table)
    assert (made.bytesmax, made.bytesused) == (65535, 1067)
    wide = error_of(lambda: tables.create_varchar_column(db, table, "w", 16381, False))
    assert (wide.code, wide.type) == (400, "column_limit_exceeded")
    long_key = error_of(lambda: tables.create_boolean_column(db, table, "k" * 40, False))
    assert (long_key.code, long_key.type) == (400, "general_argument_invalid")


# -- routes and models per version ------------------------------------------------------------------
@pytest.mark.parametrize("version", ["1.8.0", "1.9.6", HEAD, CLOUD])
def test_relationship_update_route(server: Server, version: str) -> None:
    """[relationship-route]: ``{key}/relationship`` through HEAD, ``relationship/{key}`` (the SDK's) on the
    Cloud API; the legacy API answers both."""
    client = server(version)
    tables, db = TablesDB(client), database(client)
    for table in ("a", "b"):
        raw(client, "post", f"/tablesdb/{db}/tables", {"tableId": table, "name": table})
    raw(client, "post", f"/tablesdb/{db}/tables/a/columns/relationship",
        {"relatedTableId": "b", "type": "manyToOne", "key": "link"})
    available(client, db, "a", "link")
    old = f"/tablesdb/{db}/tables/a/columns/link/relationship"
    if version == CLOUD:
        assert tables.update_relationship_column(db, "a", "link", on_delete="cascade").ondelete == "cascade"
        assert error_of(lambda: raw(client, "patch", old, {"onDelete": "setNull"})).code == 404
    else:
        assert error_of(lambda: tables.update_relationship_column(db, "a", "link", on_delete="cascade")).code == 404
        assert raw(client, "patch", old, {"onDelete": "cascade"})["onDelete"] == "cascade"
    legacy = f"/databases/{db}/collections/a/attributes"
    assert raw(client, "patch", f"{legacy}/link/relationship", {"onDelete": "setNull"})["onDelete"] == "setNull"
    assert raw(client, "patch", f"{legacy}/relationship/link", {"onDelete": "restrict"})["onDelete"] == "restrict"


@pytest.mark.parametrize("version", ["1.8.0", "1.9.6", HEAD, CLOUD])
def test_version_route_and_error_bodies(server: Server, version: str) -> None:
    """[health-version] [auth-errors]: every version answers ``/v1/health/version`` without a key, and
    every error body names the version, which is what a client has where the route is not served."""
    client = server(version)
    url = client.url  # type: ignore[attr-defined]
    assert requests.get(f"{url}/v1/health/version", timeout=5).json() == {"version": version}
    hidden = server(version, health_version=False).url  # type: ignore[attr-defined]
    answer = requests.get(f"{hidden}/v1/health/version", headers=HEADERS, timeout=5)
    assert answer.status_code == 404 and answer.json()["version"] == version
    assert answer.json()["type"] == "general_route_not_found"


@pytest.mark.parametrize(("version", "status"), [("1.9.6", False), (HEAD, True)])
def test_database_status(server: Server, version: str, status: bool) -> None:
    """[database-status]."""
    client = server(version)
    assert ("status" in raw(client, "get", f"/tablesdb/{database(client)}")) == status


@pytest.mark.parametrize(("version", "present"), [("1.8.0", False), ("1.8.1", True), ("1.9.6", True)])
def test_bucket_transformations(server: Server, version: str, present: bool) -> None:
    """[bucket-transformations]: 1.8.0 has no ``transformations`` (the parameter is ignored)."""
    client = server(version)
    made = raw(client, "post", "/storage/buckets", {"bucketId": uid("b"), "name": "B", "transformations": False})
    assert ("transformations" in made, "totalSize" in made) == (present, present)
    if present:
        assert made["transformations"] is False


# -- the Cloud API ----------------------------------------------------------------------------------
def test_descriptions_and_strip_metadata_on_the_cloud_api_only(server: Server) -> None:
    """[cloud-api]: ``description`` on databases, tables, columns, indexes and buckets and bucket
    ``stripMetadata``, kept by an update that leaves them out; 1.9.6 ignores them."""
    cloud = server(CLOUD)
    tables, storage = TablesDB(cloud), Storage(cloud)
    db = uid("db")
    assert tables.create(db, "DB", description="main").description == "main"
    tables.create_table(db, "t", "T", description="things")
    assert tables.update_table(db, "t", name="Things").description == "things"
    column = tables.create_integer_column(db, "t", "n", False, description="a count")
    assert column.to_dict()["description"] == "a count"
    available(cloud, db, "t", "n")
    index = tables.create_index(db, "t", "by_n", TablesDBIndexType.KEY, ["n"], description="lookup")
    assert index.description == "lookup"
    bucket = storage.create_bucket(uid("b"), "B", description="photos", strip_metadata=True)
    updated = storage.update_bucket(bucket.id, "B2")
    assert (updated.description, updated.stripmetadata) == ("photos", True)
    old = server("1.9.6")
    db = uid("db")
    made = raw(old, "post", "/tablesdb", {"databaseId": db, "name": "DB", "description": "main"})
    assert "description" not in made
    bucket_made = raw(old, "post", "/storage/buckets", {"bucketId": uid("b"), "name": "B", "stripMetadata": True})
    assert "stripMetadata" not in bucket_made and "description" not in bucket_made


@pytest.mark.parametrize(("version", "engine", "outcome"), [
    ("1.9.6", "postgresql", "general_argument_invalid"),
    (CLOUD, "mariadb", "column_index_invalid"),
    (CLOUD, "postgresql", None),
])
def test_trigram_indexes(server: Server, version: str, engine: str, outcome: str | None) -> None:
    """[trigram]: a type of the Cloud API, over string columns, on PostgreSQL only."""
    client = server(version, engine)
    db = database(client)
    table = table_with(client, db, [{"route": "varchar", "key": "name", "size": 50}, {"route": "integer", "key": "n"}])
    error = index_error(client, db, table, {"type": "trigram", "columns": ["name"]})
    assert (error.type if error else None) == outcome
    if outcome is None:
        numbers = index_error(client, db, table, {"type": "trigram", "columns": ["n"]})
        assert numbers is not None and "only be created on string type" in numbers.message
        ordered = index_error(client, db, table, {"type": "trigram", "columns": ["name"], "orders": ["ASC"]})
        assert ordered is not None and "do not support orders or lengths" in ordered.message


def test_legacy_relationship_route_keeps_both_paths(server: Server) -> None:
    """[legacy-api] [relationship-route]: the legacy Databases service of the SDK uses
    ``attributes/relationship/{key}``, which every version serves."""
    client = server("1.9.6")
    db = database(client)
    for table in ("a", "b"):
        raw(client, "post", f"/tablesdb/{db}/tables", {"tableId": table, "name": table})
    raw(client, "post", f"/tablesdb/{db}/tables/a/columns/relationship",
        {"relatedTableId": "b", "type": "oneToOne", "key": "link"})
    available(client, db, "a", "link")
    with pytest.warns(DeprecationWarning):
        updated = Databases(client).update_relationship_attribute(db, "a", "link", on_delete="cascade")
    assert updated.ondelete == "cascade"


# -- FIDELITY.md is covered -------------------------------------------------------------------------
def test_every_fidelity_row_is_proved_by_a_conformance_test() -> None:
    """Each row of FIDELITY.md is cited (as ``[row-id]``) by a conformance test, and every cited row exists."""
    rows = set(re.findall(r"^\| `([a-z0-9-]+)` \|", FIDELITY.read_text(), flags=re.M))
    cited: set[str] = set()
    for test_file in Path(__file__).parent.glob("test_appwrite_*conformance.py"):
        cited |= set(re.findall(r"(?<![\w\]])\[([a-z][a-z0-9-]*)\]", test_file.read_text()))
    assert rows - cited == set(), "rows without a conformance test"
    patterns = {"row-id", "a-z", "a-z0-9-"}  # this test's own text
    assert {c for c in cited if "-" in c} - rows - patterns == set(), "cited rows missing from FIDELITY.md"
