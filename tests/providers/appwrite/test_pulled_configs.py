"""Appwrite CLI configs in the shapes real projects pull, applied to released servers and the newest one.

The files under ``native/pulled/`` are this project's own, written in the shapes found in public
projects' ``appwrite.config.json``/``appwrite.json`` files that baseform used to mishandle: the text
column types and formatted strings a 1.9 server cannot take inline, lower-case and null index
orders, orders on fulltext indexes, ``lengths: [0]`` and index entries carrying ``$id``/timestamps,
integer bounds of 32 bits, double bounds written both as ``1.7976931348623157e+308`` and as its
309-digit integer literal, a table without ``rowSecurity``, the counterpart of a two-way relationship,
and in the legacy form ``size`` on booleans, ``relatedCollection`` and ``$id`` in an index. Each must
validate, apply to an empty server, converge, export, and export again byte for byte; the server is
read back through the official SDK. Indexes pulled without ``lengths`` or without ``columns`` keep
what the live index has.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from appwrite.client import Client
from appwrite.enums.order_by import OrderBy
from appwrite.enums.tables_db_index_type import TablesDBIndexType
from appwrite.services.tables_db import TablesDB

from tests.emulators.appwrite import CLOUD, HEAD
from tests.providers.appwrite.conftest import KEY, PROJECT, Appwrite

PULLED = Path(__file__).parent / "native" / "pulled"
FLOAT_MAX = 1.7976931348623157e308
# what create-table takes inline on 1.9.x (the emulator's FIDELITY.md [inline-types])
INLINE_1_9 = {"string", "integer", "bigint", "double", "boolean", "datetime", "point", "linestring", "polygon"}


def sdk(appwrite: Appwrite) -> TablesDB:
    return TablesDB(Client().set_endpoint(f"{appwrite.server.url}/v1").set_project(PROJECT).set_key(KEY))


def pointed(appwrite: Appwrite, source: Path, data: dict[str, Any] | None = None) -> Path:
    """``source`` (or ``data`` in its place) naming the emulator as its endpoint and project."""
    text = source.read_text() if data is None else json.dumps(data, indent=4)
    text = text.replace('"endpoint": "https://fra.cloud.appwrite.io/v1"', f'"endpoint": "{appwrite.server.url}/v1"')
    if '"endpoint"' not in text:
        text = text.replace("{\n", f'{{\n    "endpoint": "{appwrite.server.url}/v1",\n', 1)
    name = json.loads(text)["projectId"]
    path = appwrite.tmp / source.name
    path.write_text(text.replace(f'"projectId": "{name}"', f'"projectId": "{PROJECT}"'))
    return path


def converges_and_exports_stably(appwrite: Appwrite, path: Path) -> str:
    """Apply ``path`` to the server, then: no changes left, and export -> plan (no changes) -> export
    gives the same file. Returns the export."""
    assert appwrite.cli("validate", str(path)).code == 0
    result = appwrite.cli("apply", str(path), "--auto-approve")
    assert result.code == 0 and ("Converged" in result.out or "No changes" in result.out), result.text
    assert appwrite.cli("plan", str(path), "--detailed-exitcode").code == 0
    first, second = appwrite.tmp / "exported.yaml", appwrite.tmp / "again" / "baseform.yaml"
    assert appwrite.cli("export", "--provider", "appwrite", str(path), "--out", str(first)).code == 0
    second.parent.mkdir()
    second.write_text(first.read_text())
    plan = appwrite.cli("plan", str(second), "--detailed-exitcode")
    assert plan.code == 0, plan.text
    again = appwrite.tmp / "exported-again.yaml"
    assert appwrite.cli("export", "--provider", "appwrite", str(second), "--out", str(again)).code == 0
    assert again.read_bytes() == first.read_bytes()
    return first.read_text()


# byte width of each recipes column in the row budget (the emulator's FIDELITY.md [row-bytes]):
# the integer widths are the point: servings' max fits 4 bytes, views' does not
RECIPE_WIDTHS = {"title": 4 * 120 + 1, "slug": 4 * 80 + 1, "summary": 20, "steps": 20, "notes": 20,
                 "authorEmail": 4 * 254 + 1, "source": 4 * 2000 + 2, "originIp": 4 * 39 + 1, "cuisine": 4 * 255 + 1,
                 "servings": 4, "views": 8, "rating": 8, "cost": 8, "vegan": 1, "published": 7, "tags": 20,
                 "chef": 1021}


@pytest.mark.parametrize("appwrite_at", ["1.9.0", "1.9.6", HEAD, CLOUD], indirect=True)
def test_a_pulled_tablesdb_config_applies_converges_and_exports_stably(appwrite_at: Appwrite) -> None:
    appwrite = appwrite_at
    exported = converges_and_exports_stably(appwrite, pointed(appwrite, PULLED / "appwrite.config.json"))
    version = appwrite.emulator.version
    inline = {c["type"] for path, body in appwrite.sent("POST", "/tables") if path.endswith("/tables")
              for c in (body or {}).get("columns", [])}
    if version.startswith("1.9"):
        assert inline <= INLINE_1_9, inline  # nothing a 1.9 server refuses inline
    tables = sdk(appwrite)
    recipes = tables.get_table("kitchen", "recipes")
    # the SDK's column models blur formats (a varchar reads back with one): the raw answer has them
    columns = {c["key"]: c for c in appwrite.table("kitchen", "recipes")["columns"]}
    assert {k: (c["type"], c.get("format")) for k, c in columns.items() if k in ("title", "summary", "cuisine",
                                                                                   "source", "published")} == {
        "title": ("varchar", None), "summary": ("text", None), "cuisine": ("string", "enum"),
        "source": ("string", "url"), "published": ("datetime", "datetime")}
    assert columns["cuisine"]["default"] == "other" and columns["tags"]["array"] is True
    assert (columns["cost"]["min"], columns["cost"]["max"]) == (-FLOAT_MAX, FLOAT_MAX)
    assert columns["servings"]["max"] == 2147483647
    assert recipes.bytesused == 1067 + sum(RECIPE_WIDTHS.values())
    assert recipes.rowsecurity is False
    indexes = {i.key: i for i in recipes.indexes}
    assert (indexes["newest"].columns, indexes["newest"].orders) == (["$createdAt"], ["DESC"])
    assert (indexes["uniq_slug"].orders, indexes["uniq_slug"].lengths) == (["DESC"], [None])
    assert indexes["search"].type == "fulltext" and indexes["by_cuisine"].columns == ["cuisine", "servings"]
    counterpart = {c.key: c.to_dict() for c in tables.get_table("kitchen", "chefs").columns}["recipes"]
    assert (counterpart["side"], counterpart["twoWayKey"]) == ("child", "chef")
    # the export says what the manifest meant, in the form validate accepts
    written = {i["key"]: i for i in yaml.safe_load(exported)["appwrite"]["databases"][0]["tables"][1]["indexes"]}
    assert (written["uniq_slug"].get("orders"), written["newest"].get("orders")) == (["DESC"], ["DESC"])
    assert "orders" not in written["by_title"] and "lengths" not in written["uniq_slug"]
    assert "1797693" not in exported


@pytest.mark.parametrize("appwrite_at", ["1.9.6", CLOUD], indirect=True)
def test_a_pulled_legacy_config_applies_converges_and_exports_stably(appwrite_at: Appwrite) -> None:
    appwrite = appwrite_at
    exported = converges_and_exports_stably(appwrite, pointed(appwrite, PULLED / "appwrite.json"))
    patients = sdk(appwrite).get_table("clinic", "patients")
    columns = {c["key"]: c for c in appwrite.table("clinic", "patients")["columns"]}
    assert (columns["active"]["type"], columns["active"]["default"]) == ("boolean", True)
    assert columns["weight"]["max"] == FLOAT_MAX and columns["doctor"]["relatedTable"] == "doctors"
    assert patients.rowsecurity is True
    assert {i.key: (i.type, i.columns) for i in patients.indexes} == {
        "by_id": ("key", ["$id"]), "names": ("fulltext", ["fullName"])}
    assert "size: 10\n" not in exported  # the booleans' size is not kept


def wait_available(tables: TablesDB, key: str) -> None:
    deadline = time.monotonic() + 5
    while tables.get_column("notes", "pages", key).to_dict()["status"] != "available":
        assert time.monotonic() < deadline
        time.sleep(0.01)


NOTES = {"projectId": "notes-prod",
         "tablesDB": [{"$id": "notes", "name": "Notes", "enabled": True}],
         "tables": [{"$id": "pages", "$permissions": [], "databaseId": "notes", "name": "Pages", "enabled": True,
                     "rowSecurity": False,
                     "columns": [{"key": "body", "type": "text", "required": False, "array": False, "default": None,
                                  "encrypt": False},
                                 {"key": "title", "type": "varchar", "required": False, "array": False, "size": 200,
                                  "default": None, "encrypt": False}],
                     "indexes": [{"key": "by_body", "type": "key", "status": "available", "columns": ["body"],
                                  "orders": ["asc"]},
                                 {"key": "by_title", "type": "key", "status": "available", "orders": []}]}]}


@pytest.mark.parametrize("appwrite_at", ["1.9.6", CLOUD], indirect=True)
def test_indexes_pulled_without_lengths_or_columns_keep_the_live_ones(appwrite_at: Appwrite) -> None:
    """``appwrite pull`` writes no index ``lengths`` (and some files no ``columns``): the live index's
    stand, so a console-made prefix index over a text column is neither refused nor recreated."""
    appwrite = appwrite_at
    tables = sdk(appwrite)
    tables.create("notes", "Notes")
    tables.create_table("notes", "pages", "Pages")
    tables.create_text_column("notes", "pages", "body", False)
    tables.create_varchar_column("notes", "pages", "title", 200, False)
    for key, columns, lengths in (("by_body", ["body"], [100]), ("by_title", ["title"], [40])):
        wait_available(tables, columns[0])
        tables.create_index("notes", "pages", key, TablesDBIndexType.KEY, columns, orders=[OrderBy.ASC],
                            lengths=lengths)
    path = pointed(appwrite, PULLED / "appwrite.config.json", NOTES)
    validated = appwrite.cli("validate", str(path))
    assert validated.code == 0
    assert "index 'by_title' declares no columns: the live index is kept as it is" in validated.err
    assert "fine if the live index has prefix lengths" in validated.err
    assert appwrite.changes(path.read_text()) == {}  # the lower-case orders and the live lengths match
    exported = converges_and_exports_stably(appwrite, path)
    live = {i.key: (i.columns, i.orders, i.lengths) for i in tables.get_table("notes", "pages").indexes}
    assert live == {"by_body": (["body"], ["asc"], [100]), "by_title": (["title"], ["asc"], [40])}
    written = {i["key"]: i for i in yaml.safe_load(exported)["appwrite"]["databases"][0]["tables"][0]["indexes"]}
    assert written == {"by_body": {"key": "by_body", "type": "key", "columns": ["body"], "lengths": [100]},
                       "by_title": {"key": "by_title", "type": "key", "columns": ["title"], "lengths": [40]}}


def test_an_index_pulled_without_columns_cannot_be_created_on_an_empty_server(appwrite: Appwrite) -> None:
    result = appwrite.cli("plan", str(pointed(appwrite, PULLED / "appwrite.config.json", NOTES)))
    assert result.code == 1
    assert "index 'by_title' declares no columns and the server has no such index, so it cannot be created" \
        in result.err, result.err
    assert appwrite.requests() > 0 and not appwrite.sent("POST")
