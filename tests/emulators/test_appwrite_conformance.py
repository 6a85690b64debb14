"""Conformance of the Appwrite emulator at its default version (1.9.6, MariaDB), through the official SDK.

Every behaviour asserted here is a row of ``tests/emulators/appwrite/FIDELITY.md``, named as
``[row-id]`` in the section comments and docstrings; the rows that differ between versions and engines
are proved in ``test_appwrite_versions_conformance.py``. The official ``appwrite`` Python SDK (27.0.0)
drives the emulator; a few calls go through ``Client.call`` directly where the SDK targets the newer
Cloud API ([relationship-route], [cloud-api]) or where the raw response shape is the point.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from appwrite.client import Client
from appwrite.exception import AppwriteException
from appwrite.id import ID
from appwrite.permission import Permission
from appwrite.query import Query
from appwrite.role import Role
from appwrite.services.databases import Databases
from appwrite.services.storage import Storage
from appwrite.services.tables_db import TablesDB
from appwrite.services.teams import Teams

from tests.emulators.appwrite import AppwriteEmulator
from tests.emulators.conftest import APPWRITE_KEY, APPWRITE_PROJECT, appwrite_client
from tests.emulators.server import RunningEmulator, serve

HEADERS = {"X-Appwrite-Project": APPWRITE_PROJECT, "X-Appwrite-Key": APPWRITE_KEY}


# -- helpers --------------------------------------------------------------------------------------------------
def uid(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def raw(client: Client, method: str, path: str, params: dict[str, Any] | None = None) -> Any:
    """A direct REST call with the SDK's client (JSON body; project header as the services send it)."""
    return client.call(
        method,
        path,
        {"X-Appwrite-Project": APPWRITE_PROJECT, "content-type": "application/json"},
        params or {},
    )


def error_of(call: Callable[[], Any]) -> AppwriteException:
    with pytest.raises(AppwriteException) as info:
        call()
    return info.value


def wait_for(predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def column_status(client: Client, db: str, table: str, key: str) -> str:
    return str(raw(client, "get", f"/tablesdb/{db}/tables/{table}/columns/{key}")["status"])


def wait_column(client: Client, db: str, table: str, key: str) -> None:
    wait_for(lambda: column_status(client, db, table, key) == "available")


@pytest.fixture()
def tables(appwrite: Client) -> TablesDB:
    return TablesDB(appwrite)


@pytest.fixture()
def db(tables: TablesDB) -> Iterator[str]:
    database_id = uid("db")
    tables.create(database_id, "Test database")
    yield database_id
    tables.delete(database_id)


@pytest.fixture()
def table(tables: TablesDB, db: str) -> str:
    table_id = uid("tb")
    tables.create_table(db, table_id, "Things")
    return table_id


@pytest.fixture()
def emulator_factory() -> Iterator[Callable[..., RunningEmulator]]:
    """Start extra emulators (other versions, fault settings); all stopped after the test."""
    started: list[RunningEmulator] = []

    def start(**kwargs: Any) -> RunningEmulator:
        started.append(serve(AppwriteEmulator(project=APPWRITE_PROJECT, api_key=APPWRITE_KEY, **kwargs)))
        return started[-1]

    yield start
    for running in started:
        running.stop()


# -- auth, health, errors [auth-errors] [health-version] [response-format-warning] ----------------------------
def test_health_version_needs_no_key(appwrite_server: RunningEmulator) -> None:
    response = requests.get(f"{appwrite_server.url}/v1/health/version", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"version": "1.9.6"}


def test_wrong_or_missing_key_is_401_with_error_shape(appwrite_server: RunningEmulator) -> None:
    error = error_of(lambda: TablesDB(appwrite_client(appwrite_server.url, key="wrong")).list())
    assert (error.code, error.type) == (401, "general_unauthorized_scope")
    response = requests.get(
        f"{appwrite_server.url}/v1/tablesdb", headers={"X-Appwrite-Project": "test"}, timeout=5
    )
    body = response.json()
    assert response.status_code == 401
    assert set(body) == {"message", "code", "type", "version"}
    assert body["code"] == 401 and body["version"] == "1.9.6"
    assert body["message"] == "User (role: guests) missing scope (databases.read)"


def test_project_header_is_required(appwrite_server: RunningEmulator) -> None:
    missing = requests.get(
        f"{appwrite_server.url}/v1/tablesdb", headers={"X-Appwrite-Key": APPWRITE_KEY}, timeout=5
    )
    assert (missing.status_code, missing.json()["type"]) == (400, "project_unknown")
    error = error_of(lambda: TablesDB(appwrite_client(appwrite_server.url, project="other")).list())
    assert (error.code, error.type) == (404, "project_not_found")


def test_unknown_route_is_general_route_not_found(appwrite: Client) -> None:
    error = error_of(lambda: raw(appwrite, "get", "/nothing/here"))
    assert (error.code, error.type) == (404, "general_route_not_found")


def test_sdk_newer_than_server_gets_warning_header(appwrite_server: RunningEmulator) -> None:
    response = requests.get(
        f"{appwrite_server.url}/v1/tablesdb",
        headers={**HEADERS, "X-Appwrite-Response-Format": "2.5.0"},
        timeout=5,
    )
    assert "2.5.0" in response.headers["X-Appwrite-Warning"]


# -- databases [database-crud] --------------------------------------------------------------------------------
def test_database_crud_and_put_defaults(tables: TablesDB) -> None:
    database_id = uid("db")
    created = tables.create(database_id, "Shop", enabled=False)
    assert (created.id, created.name, created.enabled, created.type.value) == (
        database_id,
        "Shop",
        False,
        "tablesdb",
    )
    assert tables.get(database_id).name == "Shop"
    assert database_id in [d.id for d in tables.list(queries=[Query.limit(100)]).databases]
    # PUT: name null keeps the current name, an omitted ``enabled`` resets to true
    updated = tables.update(database_id)
    assert (updated.name, updated.enabled) == ("Shop", True)
    assert tables.update(database_id, name="Store", enabled=False).name == "Store"
    assert tables.delete(database_id) in ("", b"", None)
    error = error_of(lambda: tables.get(database_id))
    assert (error.code, error.type) == (404, "database_not_found")


def test_database_ids_unique_duplicate_and_invalid(tables: TablesDB, appwrite: Client) -> None:
    generated = raw(appwrite, "post", "/tablesdb", {"databaseId": "unique()", "name": "Generated"})
    assert len(generated["$id"]) == 20 and all(c in "0123456789abcdef" for c in generated["$id"])
    sdk_id = ID.unique()
    tables.create(sdk_id, "Client id")
    error = error_of(lambda: tables.create(sdk_id, "Again"))
    assert (error.code, error.type) == (409, "database_already_exists")
    for bad in ("a" * 37, "_leading", "bad$char"):
        error = error_of(lambda bad=bad: tables.create(bad, "Bad"))
        assert (error.code, error.type) == (400, "general_argument_invalid")
        assert "databaseId" in error.message
    error = error_of(lambda: tables.create(uid(), "n" * 129))
    assert (error.code, error.type) == (400, "general_argument_invalid")
    tables.delete(generated["$id"])
    tables.delete(sdk_id)


# -- tables and permissions [table-crud] [permissions] --------------------------------------------------------
def test_table_crud_put_resets_and_permission_expansion(tables: TablesDB, db: str, appwrite: Client) -> None:
    table_id = uid()
    created = raw(
        appwrite,
        "post",
        f"/tablesdb/{db}/tables",
        {
            "tableId": table_id,
            "name": "Orders",
            "rowSecurity": True,
            "permissions": [
                Permission.read(Role.any()),
                Permission.write(Role.users()),
                Permission.update(Role.users()),
                Permission.read(Role.team("admins", "owner")),
            ],
        },
    )
    assert created["$permissions"] == [
        'read("any")',
        'create("users")',
        'update("users")',
        'delete("users")',
        'read("team:admins/owner")',
    ]
    assert (created["rowSecurity"], created["enabled"], created["columns"], created["indexes"]) == (
        True,
        True,
        [],
        [],
    )
    assert (created["bytesMax"], created["bytesUsed"]) == (65535, 1067)
    # PUT with only a name: rowSecurity resets to false, enabled to true, permissions are kept
    updated = tables.update_table(db, table_id, name="Orders 2")
    assert (updated.name, updated.rowsecurity, updated.enabled) == ("Orders 2", False, True)
    assert updated.permissions == created["$permissions"]
    cleared = tables.update_table(db, table_id, permissions=[], row_security=True, enabled=False)
    assert (cleared.permissions, cleared.rowsecurity, cleared.enabled) == ([], True, False)
    error = error_of(lambda: tables.create_table(db, table_id, "Dup"))
    assert (error.code, error.type) == (409, "table_already_exists")
    tables.delete_table(db, table_id)
    error = error_of(lambda: tables.get_table(db, table_id))
    assert (error.code, error.type) == (404, "table_not_found")
    error = error_of(lambda: tables.list_tables("nodb"))
    assert (error.code, error.type) == (404, "database_not_found")


@pytest.mark.parametrize(
    "permission",
    [
        "*",
        'read("role:all")',
        'read("nobody")',
        "read(any)",
        'read("users:abc")',
        'read("users/admin")',
        'read("any/x")',
        'read("label:not-alnum")',
        'fly("any")',
        'read("user:")',
        'read("member:m1/owner")',
    ],
)
def test_invalid_permissions_are_rejected(tables: TablesDB, db: str, permission: str) -> None:
    error = error_of(lambda: tables.create_table(db, uid(), "Bad", permissions=[permission]))
    assert (error.code, error.type) == (400, "general_argument_invalid")


def test_valid_roles_are_accepted(tables: TablesDB, db: str) -> None:
    permissions = [
        Permission.read(Role.users("verified")),
        Permission.read(Role.user("u1", "unverified")),
        Permission.read(Role.member("m1")),
        Permission.read(Role.label("vip")),
        Permission.read(Role.guests()),
        Permission.read(Role.any()),
        Permission.read(Role.any()),
    ]
    created = tables.create_table(db, uid(), "Roles", permissions=permissions)
    assert created.permissions == permissions[:-1]  # exact duplicates removed
    error = error_of(
        lambda: tables.create_table(
            db, uid(), "Too many", permissions=[Permission.read(Role.user(f"u{i}")) for i in range(101)]
        )
    )
    assert error.code == 400


# -- columns [column-async] [column-params] [row-width] [column-count] [relationships] ------------------------
def test_every_column_type_processing_then_available(
    tables: TablesDB, db: str, table: str, appwrite: Client
) -> None:
    made = [
        tables.create_varchar_column(db, table, "title", 100, False, default="x"),
        tables.create_text_column(db, table, "body", False),
        tables.create_mediumtext_column(db, table, "notes", False),
        tables.create_longtext_column(db, table, "blob", False),
        tables.create_string_column(db, table, "legacy", 50, False),
        tables.create_email_column(db, table, "mail", False, default="a@b.co"),
        tables.create_url_column(db, table, "site", False),
        tables.create_ip_column(db, table, "addr", False),
        tables.create_enum_column(db, table, "state", ["on", "off"], False, default="on"),
        tables.create_integer_column(db, table, "count", False),
        tables.create_big_int_column(db, table, "big", False, min=0, max=10),
        tables.create_float_column(db, table, "ratio", False),
        tables.create_boolean_column(db, table, "flag", False, default=True),
        tables.create_datetime_column(db, table, "at", False, default="2026-01-01T00:00:00.000+00:00"),
        tables.create_point_column(db, table, "where", False, default=[1.5, 2.5]),
        tables.create_line_column(db, table, "route", False),
        tables.create_polygon_column(db, table, "area", False),
    ]
    assert all(c.status.value == "processing" for c in made)
    for column in made:
        wait_column(appwrite, db, table, column.key)
    listed = {
        c["key"]: c
        for c in raw(
            appwrite, "get", f"/tablesdb/{db}/tables/{table}/columns", {"queries": [Query.limit(100)]}
        )["columns"]
    }
    expected = {
        "title": ("varchar", None),
        "body": ("text", None),
        "notes": ("mediumtext", None),
        "blob": ("longtext", None),
        "legacy": ("string", None),
        "mail": ("string", "email"),
        "site": ("string", "url"),
        "addr": ("string", "ip"),
        "state": ("string", "enum"),
        "count": ("integer", None),
        "big": ("bigint", None),
        "ratio": ("double", None),
        "flag": ("boolean", None),
        "at": ("datetime", "datetime"),
        "where": ("point", None),
        "route": ("linestring", None),
        "area": ("polygon", None),
    }
    assert {k: (c["type"], c.get("format")) for k, c in listed.items()} == expected
    assert all(c["status"] == "available" for c in listed.values())
    assert (listed["title"]["size"], listed["title"]["default"], listed["title"]["encrypt"]) == (
        100,
        "x",
        False,
    )
    assert listed["state"]["elements"] == ["on", "off"]
    assert (listed["count"]["min"], listed["count"]["max"]) == (-(2**63), 2**63 - 1)
    assert (listed["ratio"]["min"], listed["ratio"]["max"]) == (
        -1.7976931348623157e308,
        1.7976931348623157e308,
    )
    assert (listed["big"]["min"], listed["big"]["max"]) == (0, 10)
    assert listed["where"]["default"] == [1.5, 2.5]
    assert set(listed["body"]) == {
        "key",
        "type",
        "status",
        "error",
        "required",
        "array",
        "$createdAt",
        "$updatedAt",
        "default",
        "encrypt",
    }
    # row width: 1067 + varchar(100) 401 + 3 text 60 + string(50) 201 + email(254) 1017 + url(2000) 8002
    # + ip(39) 157 + enum(255) 1021 + integer 8 + bigint 8 + double 8 + boolean 1 + datetime 7 + point 25
    # + line/polygon 40
    assert (
        tables.get_table(db, table).bytesused
        == 1067 + 401 + 60 + 201 + 1017 + 8002 + 157 + 1021 + 8 + 8 + 8 + 1 + 7 + 25 + 40
    )


def test_column_limits(tables: TablesDB, db: str, table: str) -> None:
    too_big = error_of(lambda: tables.create_varchar_column(db, table, "v", 16382, False))
    assert (too_big.code, too_big.type) == (400, "general_argument_invalid")
    too_wide = error_of(lambda: tables.create_varchar_column(db, table, "v", 16381, False))
    assert (too_wide.code, too_wide.type) == (400, "column_limit_exceeded")
    assert tables.create_varchar_column(db, table, "v", 16116, False).size == 16116
    long_key = error_of(lambda: tables.create_boolean_column(db, table, "k" * 37, False))
    assert (long_key.code, long_key.type) == (400, "general_argument_invalid")
    assert tables.create_boolean_column(db, table, "k" * 36, False).key == "k" * 36
    duplicate = error_of(lambda: tables.create_boolean_column(db, table, "V", False))  # case-insensitive
    assert (duplicate.code, duplicate.type) == (409, "column_already_exists")
    small_encrypted = error_of(
        lambda: tables.create_varchar_column(db, table, "secret", 100, False, encrypt=True)
    )
    assert (small_encrypted.code, small_encrypted.type) == (400, "general_bad_request")


@pytest.mark.parametrize(
    ("create", "error_type"),
    [
        (
            lambda t, d, tb: t.create_varchar_column(d, tb, "c", 10, True, default="x"),
            "column_default_unsupported",
        ),
        (
            lambda t, d, tb: t.create_integer_column(d, tb, "c", False, default=1, array=True),
            "column_default_unsupported",
        ),
        (
            lambda t, d, tb: t.create_varchar_column(d, tb, "c", 3, False, default="toolong"),
            "column_value_invalid",
        ),
        (
            lambda t, d, tb: t.create_enum_column(d, tb, "c", ["a"], False, default="b"),
            "column_value_invalid",
        ),
        (lambda t, d, tb: t.create_enum_column(d, tb, "c", ["a", ""], False), "column_value_invalid"),
        (lambda t, d, tb: t.create_integer_column(d, tb, "c", False, min=5, max=1), "column_value_invalid"),
        (
            lambda t, d, tb: t.create_float_column(d, tb, "c", False, min=0, max=1, default=2),
            "column_value_invalid",
        ),
        (
            lambda t, d, tb: t.create_email_column(d, tb, "c", False, default="not-an-email"),
            "general_argument_invalid",
        ),
        (
            lambda t, d, tb: t.create_ip_column(d, tb, "c", False, default="999.1.1.1"),
            "general_argument_invalid",
        ),
        (lambda t, d, tb: t.create_enum_column(d, tb, "c", ["x" * 256], False), "general_argument_invalid"),
        (
            lambda t, d, tb: t.create_point_column(d, tb, "c", False, default=[200, 0]),
            "general_argument_invalid",
        ),
    ],
)
def test_column_value_rules(
    tables: TablesDB, db: str, table: str, create: Callable[..., Any], error_type: str
) -> None:
    error = error_of(lambda: create(tables, db, table))
    assert (error.code, error.type) == (400, error_type)


def test_column_update_rules_and_rename_keeps_data(
    tables: TablesDB, db: str, table: str, appwrite: Client
) -> None:
    tables.create_varchar_column(db, table, "name", 50, False)
    error = error_of(lambda: tables.update_varchar_column(db, table, "name", False, None))
    assert (error.code, error.type) == (400, "column_not_available")
    wait_column(appwrite, db, table, "name")
    path = f"/tablesdb/{db}/tables/{table}/columns/varchar/name"
    missing_default = error_of(lambda: raw(appwrite, "patch", path, {"required": False}))
    assert (missing_default.code, missing_default.message) == (400, 'Param "default" is not optional.')
    missing_required = error_of(lambda: raw(appwrite, "patch", path, {"default": None}))
    assert missing_required.message == 'Param "required" is not optional.'
    unsupported = error_of(lambda: tables.update_varchar_column(db, table, "name", True, "x"))
    assert unsupported.type == "column_default_unsupported"
    tables.create_row(db, table, "r1", {"name": "Ada Lovelace"})
    shrink = error_of(lambda: tables.update_varchar_column(db, table, "name", False, None, size=5))
    assert (shrink.code, shrink.type) == (400, "column_invalid_resize")
    tables.create_boolean_column(db, table, "other", False)
    wait_column(appwrite, db, table, "other")
    taken = error_of(lambda: tables.update_varchar_column(db, table, "name", False, None, new_key="OTHER"))
    assert (taken.code, taken.type) == (409, "column_already_exists")
    renamed = tables.update_varchar_column(db, table, "name", True, None, size=80, new_key="full_name")
    assert (renamed.key, renamed.size, renamed.required) == ("full_name", 80, True)
    assert tables.list_rows(db, table).rows[0].data["full_name"] == "Ada Lovelace"
    assert error_of(lambda: tables.get_column(db, table, "name")).type == "column_not_found"
    integer = tables.create_integer_column(db, table, "n", False, min=1, max=10)
    wait_column(appwrite, db, table, integer.key)
    kept = tables.update_integer_column(db, table, "n", False, 5, max=20)  # omitted min keeps current
    assert (kept.min, kept.max, kept.default) == (1, 20, 5)
    tables.create_enum_column(db, table, "e", ["a", "b"], False)
    wait_column(appwrite, db, table, "e")
    needs_elements = error_of(
        lambda: raw(
            appwrite,
            "patch",
            f"/tablesdb/{db}/tables/{table}/columns/enum/e",
            {"required": False, "default": None},
        )
    )
    assert needs_elements.message == 'Param "elements" is not optional.'


def test_column_delete_is_async_and_key_reuse_conflicts(
    tables: TablesDB, db: str, table: str, appwrite: Client
) -> None:
    tables.create_boolean_column(db, table, "gone", False)
    wait_column(appwrite, db, table, "gone")
    tables.delete_column(db, table, "gone")
    assert column_status(appwrite, db, table, "gone") == "deleting"
    error = error_of(lambda: tables.create_boolean_column(db, table, "gone", False))
    assert (error.code, error.type) == (409, "column_already_exists")
    wait_for(
        lambda: (
            "gone"
            not in [c["key"] for c in raw(appwrite, "get", f"/tablesdb/{db}/tables/{table}")["columns"]]
        )
    )
    error = error_of(lambda: tables.get_column(db, table, "gone"))
    assert (error.code, error.type) == (404, "column_not_found")
    assert tables.create_boolean_column(db, table, "gone", False).status.value == "processing"


def test_relationship_two_way_and_update_route(tables: TablesDB, db: str, appwrite: Client) -> None:
    authors, books = uid("a"), uid("b")
    tables.create_table(db, authors, "Authors")
    tables.create_table(db, books, "Books")
    made = raw(
        appwrite,
        "post",
        f"/tablesdb/{db}/tables/{books}/columns/relationship",
        {
            "relatedTableId": authors,
            "type": "manyToOne",
            "twoWay": True,
            "key": "author",
            "twoWayKey": "books",
        },
    )
    assert (made["relatedTable"], made["side"], made["onDelete"], made["status"]) == (
        authors,
        "parent",
        "restrict",
        "processing",
    )
    wait_column(appwrite, db, authors, "books")
    child = raw(appwrite, "get", f"/tablesdb/{db}/tables/{authors}/columns/books")
    assert (child["side"], child["relatedTable"], child["twoWayKey"], child["relationType"]) == (
        "child",
        books,
        "author",
        "manyToOne",
    )
    # SDK 27 calls .../columns/relationship/{key}, which 1.9.6 does not register ([relationship-route])
    sdk_path = error_of(lambda: tables.update_relationship_column(db, books, "author", on_delete="cascade"))
    assert (sdk_path.code, sdk_path.type) == (404, "general_route_not_found")
    updated = raw(
        appwrite,
        "patch",
        f"/tablesdb/{db}/tables/{books}/columns/author/relationship",
        {"onDelete": "cascade", "newKey": "writer"},
    )
    assert (updated["key"], updated["onDelete"]) == ("writer", "cascade")
    assert raw(appwrite, "get", f"/tablesdb/{db}/tables/{authors}/columns/books")["twoWayKey"] == "writer"
    missing = error_of(
        lambda: raw(
            appwrite,
            "post",
            f"/tablesdb/{db}/tables/{books}/columns/relationship",
            {"relatedTableId": "nope", "type": "oneToOne"},
        )
    )
    assert (missing.code, missing.type) == (404, "table_not_found")
    tables.delete_column(db, books, "writer")
    assert column_status(appwrite, db, authors, "books") == "deleting"
    wait_for(lambda: raw(appwrite, "get", f"/tablesdb/{db}/tables/{authors}")["columns"] == [])


# -- indexes [index-columns] [index-length] [index-lengths-zero] [column-async] -------------------------------
def test_indexes(tables: TablesDB, db: str, table: str, appwrite: Client) -> None:
    tables.create_varchar_column(db, table, "code", 32, False)
    tables.create_text_column(db, table, "body", False)
    tables.create_integer_column(db, table, "tags", False, array=True)
    early = error_of(lambda: tables.create_index(db, table, "early", "key", ["code"]))
    assert (early.code, early.type) == (400, "column_not_available")
    for key in ("code", "body", "tags"):
        wait_column(appwrite, db, table, key)
    made = raw(
        appwrite,
        "post",
        f"/tablesdb/{db}/tables/{table}/indexes",
        {"key": "by_code", "type": "unique", "columns": ["code", "$createdAt"], "orders": ["ASC"]},
    )
    assert (made["status"], made["columns"], made["lengths"], made["orders"]) == (
        "processing",
        ["code", "$createdAt"],
        [None, None],
        ["ASC"],
    )
    wait_for(
        lambda: (
            raw(appwrite, "get", f"/tablesdb/{db}/tables/{table}/indexes/by_code")["status"] == "available"
        )
    )
    checks = [
        ({"key": "x", "type": "key", "columns": ["nope"]}, "column_unknown"),
        ({"key": "x", "type": "key", "columns": ["body"]}, "column_index_invalid"),  # needs lengths
        ({"key": "x", "type": "key", "columns": ["tags"]}, "index_invalid"),
        ({"key": "x", "type": "fulltext", "columns": ["tags"]}, "index_invalid"),
        ({"key": "x", "type": "key", "columns": ["code", "code"]}, "column_index_invalid"),
        ({"key": "x", "type": "spatial", "columns": ["code"]}, "column_index_invalid"),
    ]
    for body, error_type in checks:
        error = error_of(
            lambda body=body: raw(appwrite, "post", f"/tablesdb/{db}/tables/{table}/indexes", body)
        )
        assert (error.code, error.type) == (400, error_type), body
    prefix = tables.create_index(db, table, "by_body", "key", ["body"], lengths=[100])
    assert prefix.lengths == [100]
    duplicate = error_of(lambda: tables.create_index(db, table, "by_code", "key", ["code"]))
    assert (duplicate.code, duplicate.type) == (409, "column_index_already_exists")
    tables.delete_index(db, table, "by_code")
    assert raw(appwrite, "get", f"/tablesdb/{db}/tables/{table}/indexes/by_code")["status"] == "deleting"
    wait_for(
        lambda: (
            [i["key"] for i in raw(appwrite, "get", f"/tablesdb/{db}/tables/{table}/indexes")["indexes"]]
            == ["by_body"]
        )
    )
    gone = error_of(lambda: tables.get_index(db, table, "by_code"))
    assert (gone.code, gone.type) == (404, "column_index_not_found")


# -- inline columns and version gating [inline-params] [tablesdb-routes] [column-routes] [table-update] -------
def test_inline_columns_are_synchronous(tables: TablesDB, db: str) -> None:
    """[inline-params] [inline-types] [inline-validator] [create-table-response] on 1.9.6: the core types
    (an enum is a string with a format), born available; the answer lists no schema, a read does."""
    table_id = uid()
    made = tables.create_table(
        db,
        table_id,
        "Inline",
        columns=[
            {"key": "title", "type": "string", "size": 64, "required": True},
            {"key": "score", "type": "double", "min": 0, "max": 1},
            {"key": "kind", "type": "string", "format": "enum", "size": 255, "elements": ["a", "b"], "default": "a"},
        ],
        indexes=[{"key": "by_title", "type": "key", "attributes": ["title"]}],
    )
    assert (made.columns, made.indexes) == ([], [])
    read = tables.get_table(db, table_id)
    raw_columns = [c.to_dict() for c in read.columns]
    assert [(c["key"], c["type"], c["status"]) for c in raw_columns] == [
        ("title", "string", "available"),
        ("score", "double", "available"),
        ("kind", "string", "available"),
    ]
    assert raw_columns[2]["format"] == "enum" and raw_columns[2]["elements"] == ["a", "b"]
    assert read.indexes[0].to_dict()["status"] == "available" and read.indexes[0].columns == ["title"]
    for bad in (
        {"key": "r", "type": "relationship"},
        {"key": "f", "type": "float"},
        {"key": "$id", "type": "boolean"},
        {"key": "s", "type": "string"},
        {"key": "v", "type": "varchar", "size": 10},
        {"key": "e", "type": "enum", "elements": ["a"]},
        {"key": "d", "type": "integer", "required": True, "default": 1},
    ):
        error = error_of(lambda bad=bad: tables.create_table(db, uid(), "Bad", columns=[bad]))
        assert (error.code, error.type) == (400, "general_argument_invalid"), bad


def test_version_gating(emulator_factory: Callable[..., RunningEmulator]) -> None:
    old = appwrite_client(emulator_factory(version="1.8.0").url)
    old_tables = TablesDB(old)
    old_tables.create("db", "Old")
    # inline columns do not exist before 1.9.0: the param is ignored (appwrite/appwrite#11150)
    made = old_tables.create_table("db", "t", "T", columns=[{"key": "a", "type": "string", "size": 5}])
    assert made.columns == []
    for call in (
        lambda: old_tables.create_varchar_column("db", "t", "v", 10, False),
        lambda: old_tables.create_text_column("db", "t", "x", False),
        lambda: Databases(old).create_varchar_attribute("db", "t", "v", 10, False),
    ):
        error = error_of(call)
        assert (error.code, error.type) == (404, "general_route_not_found")
    assert old_tables.create_string_column("db", "t", "s", 10, False).type == "string"
    name_required = error_of(lambda: old_tables.update_table("db", "t"))
    assert name_required.message == 'Param "name" is not optional.'
    bigint = error_of(
        lambda: TablesDB(appwrite_client(emulator_factory(version="1.9.0").url)).create_big_int_column(
            "db", "t", "b", False
        )
    )
    assert bigint.code == 404
    legacy_only = error_of(lambda: TablesDB(appwrite_client(emulator_factory(version="1.7.4").url)).list())
    assert (legacy_only.code, legacy_only.type) == (404, "general_route_not_found")


# -- legacy Databases API [legacy-api] ------------------------------------------------------------------------
def test_legacy_api_shares_the_store(appwrite: Client, tables: TablesDB) -> None:
    legacy = Databases(appwrite)
    database_id, collection_id = uid("ldb"), uid("col")
    assert legacy.create(database_id, "Legacy").type.value == "legacy"
    made = legacy.create_collection(
        database_id,
        collection_id,
        "Posts",
        document_security=True,
        permissions=[Permission.write(Role.any())],
    )
    assert made.documentsecurity is True and made.permissions == [
        'create("any")',
        'update("any")',
        'delete("any")',
    ]
    attribute = legacy.create_string_attribute(database_id, collection_id, "title", 255, False)
    assert (attribute.type, attribute.size, attribute.status.value) == ("string", 255, "processing")
    wait_for(lambda: legacy.get_attribute(database_id, collection_id, "title").status.value == "available")
    updated = legacy.update_string_attribute(database_id, collection_id, "title", False, "hi", size=300)
    assert (updated.size, updated.default) == (300, "hi")
    # the same table through TablesDB
    seen = tables.get_table(database_id, collection_id)
    assert seen.rowsecurity is True and seen.columns[0].to_dict()["type"] == "string"
    listed = raw(appwrite, "get", f"/databases/{database_id}/collections/{collection_id}/attributes")
    assert listed["total"] == 1 and listed["attributes"][0]["key"] == "title"
    error = error_of(lambda: legacy.get_attribute(database_id, collection_id, "nope"))
    assert (error.code, error.type) == (404, "attribute_not_found")
    error = error_of(lambda: legacy.get_collection(database_id, "nope"))
    assert (error.code, error.type) == (404, "collection_not_found")
    index = raw(
        appwrite,
        "post",
        f"/databases/{database_id}/collections/{collection_id}/indexes",
        {"key": "t", "type": "key", "attributes": ["title"]},
    )
    assert index["attributes"] == ["title"] and "columns" not in index
    related = uid("rel")
    legacy.create_collection(database_id, related, "Related")
    made_rel = raw(
        appwrite,
        "post",
        f"/databases/{database_id}/collections/{collection_id}/attributes/relationship",
        {"relatedCollectionId": related, "type": "oneToOne", "key": "link"},
    )
    assert made_rel["relatedCollection"] == related
    wait_for(lambda: legacy.get_attribute(database_id, collection_id, "link").status.value == "available")
    for path in ("attributes/relationship/link", "attributes/link/relationship"):
        result = raw(
            appwrite,
            "patch",
            f"/databases/{database_id}/collections/{collection_id}/{path}",
            {"onDelete": "setNull"},
        )
        assert result["onDelete"] == "setNull"
    document = legacy.create_document(database_id, collection_id, "d1", {"title": "x"})
    assert document.to_dict()["$collectionId"] == collection_id
    assert database_id in [d.id for d in tables.list(queries=[Query.limit(1000)]).databases]
    legacy.delete(database_id)


# -- pagination [pagination] ----------------------------------------------------------------------------------
def test_pagination_with_cursor_over_many_tables(tables: TablesDB, db: str) -> None:
    ids = [f"t{n:02d}" for n in range(30)]
    for table_id in ids:
        tables.create_table(db, table_id, f"Table {table_id}")
    first = tables.list_tables(db)
    assert (first.total, len(first.tables)) == (30, 25)  # default page size 25
    seen: list[str] = []
    cursor: str | None = None
    while True:
        queries = [Query.limit(7)] + ([Query.cursor_after(cursor)] if cursor else [])
        page = tables.list_tables(db, queries=queries).tables
        seen += [t.id for t in page]
        if len(page) < 7:
            break
        cursor = page[-1].id
    assert seen == ids
    assert [t.id for t in tables.list_tables(db, queries=[Query.offset(28)]).tables] == ids[28:]
    assert tables.list_tables(db, total=False).total == 0
    assert [t.id for t in tables.list_tables(db, queries=[Query.equal("name", "Table t03")]).tables] == [
        "t03"
    ]
    assert [t.id for t in tables.list_tables(db, search="t07").tables] == ["t07"]
    unknown = error_of(lambda: tables.list_tables(db, queries=[Query.cursor_after("missing")]))
    assert (unknown.code, unknown.type) == (400, "general_cursor_not_found")
    bad_attribute = error_of(lambda: tables.list_tables(db, queries=[Query.equal("colour", "red")]))
    assert (bad_attribute.code, bad_attribute.type) == (400, "general_query_invalid")


def test_column_list_cursor_is_the_key(tables: TablesDB, db: str, table: str) -> None:
    for n in range(27):
        tables.create_boolean_column(db, table, f"c{n:02d}", False)
    assert len(tables.list_columns(db, table).columns) == 25
    after = tables.list_columns(db, table, queries=[Query.cursor_after("c24")])
    assert [c.key for c in after.columns] == ["c25", "c26"] and after.total == 27


# -- storage buckets [bucket-put-defaults] --------------------------------------------------------------------
def test_bucket_defaults_put_resets_and_limits(appwrite: Client) -> None:
    storage = Storage(appwrite)
    bucket_id = uid("bk")
    created = raw(
        appwrite,
        "post",
        "/storage/buckets",
        {
            "bucketId": bucket_id,
            "name": "Media",
            "permissions": [Permission.write(Role.users())],
            "fileSecurity": True,
            "maximumFileSize": 1000,
            "allowedFileExtensions": ["png"],
            "compression": "gzip",
            "encryption": False,
            "antivirus": False,
            "transformations": False,
        },
    )
    assert created["$permissions"] == ['create("users")', 'update("users")', 'delete("users")']
    assert set(created) == {
        "$id",
        "$createdAt",
        "$updatedAt",
        "$permissions",
        "fileSecurity",
        "name",
        "enabled",
        "maximumFileSize",
        "allowedFileExtensions",
        "compression",
        "encryption",
        "antivirus",
        "transformations",
        "totalSize",
    }
    # PUT: every omitted field resets to its create default; omitted permissions are kept
    reset = storage.update_bucket(bucket_id, "Media 2")
    assert (
        reset.filesecurity,
        reset.enabled,
        reset.maximumfilesize,
        reset.allowedfileextensions,
        reset.compression,
        reset.encryption,
        reset.antivirus,
        reset.transformations,
    ) == (False, True, 30000000, [], "none", True, True, True)
    assert reset.permissions == created["$permissions"]
    too_big = error_of(lambda: storage.create_bucket(uid("bk"), "Big", maximum_file_size=30000001))
    assert (too_big.code, too_big.type) == (400, "general_argument_invalid")
    bad_compression = error_of(
        lambda: raw(
            appwrite, "post", "/storage/buckets", {"bucketId": uid(), "name": "x", "compression": "brotli"}
        )
    )
    assert bad_compression.type == "general_argument_invalid"
    missing_name = error_of(lambda: raw(appwrite, "put", f"/storage/buckets/{bucket_id}", {}))
    assert missing_name.message == 'Param "name" is not optional.'
    duplicate = error_of(lambda: storage.create_bucket(bucket_id, "Again"))
    assert (duplicate.code, duplicate.type) == (409, "storage_bucket_already_exists")
    assert bucket_id in [b.id for b in storage.list_buckets(queries=[Query.limit(100)]).buckets]
    storage.delete_bucket(bucket_id)
    gone = error_of(lambda: storage.get_bucket(bucket_id))
    assert (gone.code, gone.type) == (404, "storage_bucket_not_found")


# -- teams [teams] --------------------------------------------------------------------------------------------
def test_team_crud(appwrite: Client) -> None:
    teams = Teams(appwrite)
    team_id = uid("team")
    created = teams.create(team_id, "Admins", roles=["owner"])
    assert (created.id, created.name, created.total) == (team_id, "Admins", 0)
    assert teams.update_name(team_id, "Owners").name == "Owners"
    assert teams.get(team_id).name == "Owners"
    assert team_id in [t.id for t in teams.list(queries=[Query.limit(100)]).teams]
    duplicate = error_of(lambda: teams.create(team_id, "Again"))
    assert (duplicate.code, duplicate.type) == (409, "team_already_exists")
    teams.delete(team_id)
    gone = error_of(lambda: teams.get(team_id))
    assert (gone.code, gone.type) == (404, "team_not_found")


# -- fault injection (server.py faults, Appwrite-shaped errors [auth-errors]) ---------------------------------
def test_rate_limit_fault_carries_reset_header(emulator_factory: Callable[..., RunningEmulator]) -> None:
    running = emulator_factory()
    running.emulator.set_faults(rate_limit_rate=1.0, rate_limit_reset_s=2)
    response = requests.get(f"{running.url}/v1/tablesdb", headers=HEADERS, timeout=5)
    assert response.status_code == 429
    assert int(response.headers["X-RateLimit-Reset"]) >= int(time.time())
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert response.json() == {
        "message": response.json()["message"],
        "code": 429,
        "type": "general_rate_limit_exceeded",
        "version": "1.9.6",
    }
    error = error_of(lambda: TablesDB(appwrite_client(running.url)).list())
    assert (error.code, error.type) == (429, "general_rate_limit_exceeded")


def test_server_error_fault_is_appwrite_shaped(emulator_factory: Callable[..., RunningEmulator]) -> None:
    running = emulator_factory()
    running.emulator.set_faults(error_5xx_rate=1.0)
    error = error_of(lambda: TablesDB(appwrite_client(running.url)).list())
    assert (error.code, error.type) == (503, "general_server_error")


def test_drop_after_commit_really_committed(emulator_factory: Callable[..., RunningEmulator]) -> None:
    running = emulator_factory()
    tables = TablesDB(appwrite_client(running.url))
    running.emulator.set_faults(drop_after_commit_rate=1.0)
    with pytest.raises(AppwriteException) as info:
        tables.create("committed", "Dropped response")
    assert info.value.code == 0  # a transport error, no HTTP status
    running.emulator.set_faults(drop_after_commit_rate=0.0)
    assert tables.get("committed").name == "Dropped response"
    retried = error_of(lambda: tables.create("committed", "Dropped response"))
    assert (retried.code, retried.type) == (409, "database_already_exists")
