"""Columns of every type against the emulator: created, updated in place, renamed, replaced.

Every apply goes through ``Appwrite.apply``, which fails unless the CLI's own second plan is empty.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.emulators.appwrite import HEAD
from tests.providers.appwrite.conftest import Appwrite

ALL_TYPES: list[dict[str, Any]] = [
    {"key": "c_varchar", "type": "varchar", "size": 100, "default": "x"},
    {"key": "c_text", "type": "text"},
    {"key": "c_medium", "type": "mediumtext"},
    {"key": "c_long", "type": "longtext"},
    {"key": "c_string", "type": "string", "size": 40},
    {"key": "c_int", "type": "integer", "min": 0, "max": 100, "default": 5},
    {"key": "c_big", "type": "bigint"},
    {"key": "c_float", "type": "float", "min": -1.5, "max": 1.5},
    {"key": "c_bool", "type": "boolean", "default": False},
    {"key": "c_dt", "type": "datetime", "default": "2024-01-01T00:00:00.000+00:00"},
    {"key": "c_email", "type": "email", "default": "a@b.co"},
    {"key": "c_url", "type": "url"},
    {"key": "c_ip", "type": "ip", "array": True},
    {"key": "c_enum", "type": "enum", "elements": ["a", "b"], "default": "a"},
    {"key": "c_point", "type": "point", "default": [1, 2]},
    {"key": "c_line", "type": "line"},
    {"key": "c_poly", "type": "polygon", "required": True},
    {"key": "c_secret", "type": "varchar", "size": 200, "encrypt": True},
]


def section(columns: list[dict[str, Any]], indexes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    table: dict[str, Any] = {"id": "t", "name": "T", "columns": columns}
    if indexes:
        table["indexes"] = indexes
    return {"databases": [{"id": "db", "name": "DB", "tables": [table]}]}


def server_columns(appwrite: Appwrite) -> dict[str, dict[str, Any]]:
    return {c["key"]: c for c in appwrite.table("db", "t")["columns"]}


EXPECTED_TYPES = {
    "c_varchar": ("varchar", ""), "c_text": ("text", ""), "c_medium": ("mediumtext", ""),
    "c_long": ("longtext", ""), "c_string": ("string", ""), "c_int": ("integer", "intRange"),
    "c_big": ("bigint", "bigintRange"), "c_float": ("double", "floatRange"), "c_bool": ("boolean", ""),
    "c_dt": ("datetime", "datetime"), "c_email": ("string", "email"), "c_url": ("string", "url"),
    "c_ip": ("string", "ip"), "c_enum": ("string", "enum"), "c_point": ("point", ""),
    "c_line": ("linestring", ""), "c_poly": ("polygon", ""), "c_secret": ("varchar", "")}
SEPARATE_ON_1_9 = ["c_long", "c_medium", "c_secret", "c_text", "c_varchar"]


def test_new_table_is_created_with_what_1_9_6_takes_inline(appwrite: Appwrite) -> None:
    """1.9.6 takes only the core types inline (an email/url/ip/enum as a string with its format): the
    text types and encrypted columns are created by their own calls once the table exists, and no
    request carries an inline type the server refuses (emulator FIDELITY.md [inline-types])."""
    plan = appwrite.plan(section(ALL_TYPES))
    posts = [op for op in plan["operations"] if op["request"] and op["request"]["method"] == "POST"]
    table_create = next(op for op in posts if op["request"]["path"] == "/tablesdb/db/tables")
    inline = {c["key"]: c for c in table_create["request"]["body"]["columns"]}
    # the inline API names float "double" and line "linestring"
    assert inline["c_float"]["type"] == "double" and inline["c_line"]["type"] == "linestring"
    email = inline["c_email"]
    assert (email["type"], email["format"], email["size"]) == ("string", "email", 254)
    assert inline["c_enum"]["elements"] == ["a", "b"] and inline["c_enum"]["format"] == "enum"
    assert sorted(set(EXPECTED_TYPES) - set(inline)) == SEPARATE_ON_1_9
    separate = sorted(op["request"]["path"].rsplit("/", 1)[1] for op in posts
                      if op is not table_create and "/columns/" in op["request"]["path"])
    assert separate == ["longtext", "mediumtext", "text", "varchar", "varchar"]
    # all of them depend on the table only, so they run together
    assert {tuple(op["depends_on"]) for op in posts if "/columns/" in op["request"]["path"]} == {
        (table_create["id"],)}

    appwrite.apply(section(ALL_TYPES))
    sent = [c["type"] for _, body in appwrite.sent("POST", "/tables") if body and "columns" in body
            for c in body["columns"]]
    assert set(sent) <= {"string", "integer", "bigint", "double", "boolean", "datetime", "point", "linestring",
                         "polygon"}, sent
    live = server_columns(appwrite)
    assert {k: (c["type"], c.get("format", "")) for k, c in live.items()} == {
        **EXPECTED_TYPES, "c_int": ("integer", ""), "c_big": ("bigint", ""), "c_float": ("double", "")}
    assert live["c_secret"]["encrypt"] is True and live["c_ip"]["array"] is True
    assert live["c_int"]["max"] == 100 and live["c_big"]["max"] == 2**63 - 1


@pytest.mark.parametrize("appwrite_at", [HEAD], indirect=True)
def test_the_2_0_line_takes_the_text_types_inline_too(appwrite_at: Appwrite) -> None:
    """[inline-types] on HEAD: only the encrypted column needs a call of its own."""
    appwrite_at.apply(section(ALL_TYPES))
    (_, body), = [(p, b) for p, b in appwrite_at.sent("POST", "/tables") if p.endswith("/tables")]
    assert {c["key"] for c in body["columns"]} == set(EXPECTED_TYPES) - {"c_secret"}
    assert [p for p, _ in appwrite_at.sent("POST", "/columns/")] == ["/v1/tablesdb/db/tables/t/columns/varchar"]
    live = server_columns(appwrite_at)
    assert {k: c["type"] for k, c in live.items()} == {k: t for k, (t, _) in EXPECTED_TYPES.items()}


def test_columns_added_to_an_existing_table_wait_until_available(appwrite: Appwrite) -> None:
    appwrite.apply(section([{"key": "first", "type": "boolean"}]))
    result = appwrite.apply(section([{"key": "first", "type": "boolean"}, *ALL_TYPES]))
    assert "create appwrite.databases.db.tables.t.columns.c_poly: done" in result.out
    assert all(c["status"] == "available" for c in server_columns(appwrite).values())


def test_every_updatable_property_changes_in_place(appwrite: Appwrite) -> None:
    appwrite.apply(section(ALL_TYPES))
    changed = copy.deepcopy(ALL_TYPES)
    edits: dict[str, dict[str, Any]] = {
        "c_varchar": {"size": 150, "default": "y"}, "c_text": {"required": True},
        "c_string": {"size": 60}, "c_int": {"max": 1000, "default": None}, "c_big": {"min": 0},
        "c_float": {"min": -2.5}, "c_bool": {"default": True}, "c_email": {"default": None},
        "c_enum": {"elements": ["a", "b", "c"], "default": "c"}, "c_point": {"default": [3, 4]},
        "c_poly": {"required": False}, "c_secret": {"size": 300},
    }
    for column in changed:
        column.update(edits.get(column["key"], {}))
    changes = appwrite.changes(section(changed))
    assert {a.rsplit(".", 1)[1] for a in changes} == set(edits)
    assert {c["action"] for c in changes.values()} == {"update"}
    varchar = changes["appwrite.databases.db.tables.t.columns.c_varchar"]
    assert {d["path"]: (d["before"], d["after"]) for d in varchar["diff"]} == {
        "size": (100, 150), "default": ("x", "y")}

    appwrite.apply(section(changed))
    live = server_columns(appwrite)
    assert live["c_varchar"]["size"] == 150 and live["c_varchar"]["default"] == "y"
    assert live["c_enum"]["elements"] == ["a", "b", "c"] and live["c_enum"]["default"] == "c"
    assert live["c_int"]["default"] is None and live["c_int"]["max"] == 1000
    assert live["c_point"]["default"] == [3, 4] and live["c_text"]["required"] is True


def test_renamed_columns_keep_their_data_and_their_index(appwrite: Appwrite) -> None:
    columns = [{"key": "title", "type": "varchar", "size": 50}, {"key": "views", "type": "integer"},
               {"key": "state", "type": "enum", "elements": ["on", "off"]}, {"key": "spot", "type": "point"}]
    appwrite.apply(section(columns, [{"key": "by_title", "type": "key", "columns": ["title"]}]))
    appwrite.emulator.databases["db"].tables["t"].rows["r1"] = {"$id": "r1", "title": "Hello", "views": 3}

    renamed = [{"key": "headline", "type": "varchar", "size": 50, "renamedFrom": "title"},
               {"key": "hits", "type": "integer", "renamedFrom": "views"},
               {"key": "status", "type": "enum", "elements": ["on", "off"], "renamedFrom": "state"},
               {"key": "place", "type": "point", "renamedFrom": "spot"}]
    target = section(renamed, [{"key": "by_title", "type": "key", "columns": ["headline"]}])
    changes = appwrite.changes(target)
    assert set(changes) == {f"appwrite.databases.db.tables.t.columns.{k}"
                            for k in ("headline", "hits", "status", "place")}
    assert all(c["action"] == "update" and c["reason"].startswith("renamed from") for c in changes.values())
    plan = appwrite.plan(target)
    bodies = {op["request"]["path"]: op["request"]["body"] for op in plan["operations"]}
    assert bodies["/tablesdb/db/tables/t/columns/varchar/title"] == {"required": False, "default": None,
                                                                      "size": 50, "newKey": "headline"}

    appwrite.apply(target)
    table = appwrite.table("db", "t")
    # a rename keeps each column's place (1.9.6 makes the varchar by its own call, after the table)
    assert [c["key"] for c in table["columns"]] == ["hits", "status", "place", "headline"]
    assert table["indexes"][0]["columns"] == ["headline"]
    assert appwrite.get("/tablesdb/db/tables/t/rows")["rows"][0]["headline"] == "Hello"
    # renamedFrom left in place after the rename is harmless
    assert appwrite.changes(target) == {}


def test_replace_only_changes_are_destructive_and_explained(appwrite: Appwrite) -> None:
    columns = [{"key": "body", "type": "varchar", "size": 100}, {"key": "tags", "type": "varchar", "size": 20},
               {"key": "note", "type": "text"}, {"key": "n", "type": "integer", "max": 1000},
               {"key": "kind", "type": "email"}]
    appwrite.apply(section(columns))
    replaced = [{"key": "body", "type": "text"}, {"key": "tags", "type": "varchar", "size": 20, "array": True},
                {"key": "note", "type": "text", "encrypt": True}, {"key": "n", "type": "integer", "max": 2**40},
                {"key": "kind", "type": "url"}]
    changes = appwrite.changes(section(replaced))
    reasons = {a.rsplit(".", 1)[1]: c["reason"] for a, c in changes.items()}
    assert {c["action"] for c in changes.values()} == {"replace"}
    assert all(c["destructive"] for c in changes.values())
    assert "type varchar -> text cannot change in place" in reasons["body"]
    assert "array false -> true cannot change in place" in reasons["tags"]
    assert "encrypt false -> true cannot change in place" in reasons["note"]
    assert "needs 8-byte storage" in reasons["n"]
    assert "type email -> url cannot change in place" in reasons["kind"]

    refused = appwrite.cli("apply", appwrite.manifest(section(replaced)), "--auto-approve")
    assert refused.code == 1 and "pass --allow-destroy" in refused.err
    assert server_columns(appwrite)["body"]["type"] == "varchar"

    result = appwrite.apply(section(replaced))
    assert result.out.index("delete appwrite.databases.db.tables.t.columns.body: done") < \
        result.out.index("create appwrite.databases.db.tables.t.columns.body: done")
    live = server_columns(appwrite)
    assert live["body"]["type"] == "text" and live["tags"]["array"] is True and live["note"]["encrypt"] is True
    assert live["kind"]["format"] == "url"


def test_undeclared_column_is_deleted_and_the_key_can_be_reused_in_one_apply(appwrite: Appwrite) -> None:
    appwrite.apply(section([{"key": "a", "type": "boolean"}, {"key": "b", "type": "text"}]))
    changes = appwrite.changes(section([{"key": "a", "type": "boolean"}]))
    assert changes["appwrite.databases.db.tables.t.columns.b"]["action"] == "delete"
    appwrite.apply(section([{"key": "a", "type": "boolean"}]))
    assert list(server_columns(appwrite)) == ["a"]


def test_legacy_string_column_created_elsewhere_is_read_and_diffed(appwrite: Appwrite) -> None:
    appwrite.apply(section([]))
    import httpx

    httpx.post(f"{appwrite.server.url}/v1/tablesdb/db/tables/t/columns/string",
               headers={"X-Appwrite-Project": "test", "X-Appwrite-Key": "secret-key"},
               json={"key": "legacy", "required": False, "size": 300}).raise_for_status()
    assert appwrite.changes(section([{"key": "legacy", "type": "string", "size": 300}])) == {}
    changes = appwrite.changes(section([{"key": "legacy", "type": "string", "size": 500}]))
    assert changes["appwrite.databases.db.tables.t.columns.legacy"]["action"] == "update"
    to_varchar = appwrite.changes(section([{"key": "legacy", "type": "varchar", "size": 300}]))
    assert "type string -> varchar cannot change in place" in \
        to_varchar["appwrite.databases.db.tables.t.columns.legacy"]["reason"]


def test_a_create_shows_what_was_declared_not_the_server_defaults(appwrite: Appwrite) -> None:
    bucket = {"id": "files", "name": "Files", "maximumFileSize": 1000}
    declared = section([{"key": "n", "type": "integer", "min": 0},
                        {"key": "body", "type": "text", "required": True},
                        {"key": "flag", "type": "boolean"}])
    result = appwrite.cli("plan", appwrite.manifest({**declared, "buckets": [bucket]}))
    assert result.code == 0, result.text
    # each create block: "# ADDRESS will be created", then "+ ADDRESS", then its values
    blocks = {b.split()[1]: b for b in result.out.split("\n\n") if " will be created" in b}
    n = blocks["appwrite.databases.db.tables.t.columns.n"]
    assert "+ min  = 0" in n and "max" not in n  # the declared bound shown, the server's own left out
    body = blocks["appwrite.databases.db.tables.t.columns.body"]
    assert "+ required = true" in body and "encrypt" not in body and "array" not in body
    flag = blocks["appwrite.databases.db.tables.t.columns.flag"]
    assert "required" not in flag and "default" not in flag
    files = blocks["appwrite.buckets.files"]
    assert "+ maximumFileSize = 1000" in files and "antivirus" not in files and "enabled" not in files
    assert "rowSecurity" not in blocks["appwrite.databases.db.tables.t"]
    # what is sent is still complete: the server's defaults are the values the manifest means
    appwrite.apply({**declared, "buckets": [bucket]})
    created = server_columns(appwrite)
    assert created["n"]["min"] == 0 and created["n"]["max"] == 9223372036854775807
    assert created["body"]["required"] is True and created["flag"]["required"] is False
