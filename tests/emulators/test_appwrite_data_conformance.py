"""Conformance of the Appwrite emulator's rows with the real server, through the official SDK: what
schema changes do to stored data (the reliability tests rely on it to check that applies keep data).

Rows of ``tests/emulators/appwrite/FIDELITY.md``: [rows] (rows are validated against ``available``
columns only, "Unknown attribute"; a unique index is built over the stored values: duplicates fail the
index and, being an SQL unique index, it lets any number of rows hold NULL) and [column-params] (a
rename, ``newKey``, keeps the values); deleting a column drops them, so a new column of the same key
starts empty; deleting a table drops its rows.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from appwrite.client import Client
from appwrite.enums.tables_db_index_type import TablesDBIndexType
from appwrite.exception import AppwriteException
from appwrite.services.tables_db import TablesDB


def _uid(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def _wait(predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


@pytest.fixture()
def tables(appwrite: Client) -> TablesDB:
    return TablesDB(appwrite)


@pytest.fixture()
def table(tables: TablesDB) -> tuple[str, str]:
    db, table_id = _uid("db"), _uid("tb")
    tables.create(db, "Data")
    tables.create_table(db, table_id, "Things")
    return db, table_id


def _available(tables: TablesDB, db: str, table: str, key: str) -> None:
    _wait(lambda: _status(tables.get_column(db, table, key).status) == "available")


def _gone(tables: TablesDB, db: str, table: str, key: str) -> None:
    def missing() -> bool:
        try:
            tables.get_column(db, table, key)
        except AppwriteException as e:
            return e.code == 404
        return False

    _wait(missing)


def _status(value: Any) -> str:
    """A status the SDK may hand back as an enum member or as text."""
    return str(getattr(value, "value", value))


def _values(tables: TablesDB, db: str, table: str) -> dict[str, dict[str, Any]]:
    rows = tables.list_rows(db, table).rows
    return {r.id: {k: v for k, v in r.data.items() if not k.startswith("$")} for r in rows}


def test_rows_hold_values_of_available_columns_with_defaults(tables: TablesDB, table: tuple[str, str]) -> None:
    db, t = table
    tables.create_varchar_column(db, t, "title", 50, True)
    tables.create_integer_column(db, t, "views", False, default=3)
    with pytest.raises(AppwriteException) as processing:
        tables.create_row(db, t, "early", {"title": "x"})
    assert processing.value.code == 400 and 'Unknown attribute: "title"' in processing.value.message
    _available(tables, db, t, "title")
    _available(tables, db, t, "views")
    row = tables.create_row(db, t, "r1", {"title": "hello"})
    assert (row.id, row.data["title"], row.data["views"]) == ("r1", "hello", 3)
    with pytest.raises(AppwriteException) as missing:
        tables.create_row(db, t, "r2", {"views": 1})
    assert missing.value.code == 400 and 'Missing required attribute "title"' in missing.value.message
    assert _values(tables, db, t) == {"r1": {"title": "hello", "views": 3}}


def test_a_deleted_column_takes_its_values_along(tables: TablesDB, table: tuple[str, str]) -> None:
    db, t = table
    tables.create_varchar_column(db, t, "title", 50, False)
    tables.create_varchar_column(db, t, "note", 50, False)
    _available(tables, db, t, "title")
    _available(tables, db, t, "note")
    tables.create_row(db, t, "r1", {"title": "kept", "note": "dropped"})
    tables.delete_column(db, t, "note")
    _gone(tables, db, t, "note")
    assert _values(tables, db, t) == {"r1": {"title": "kept"}}
    tables.create_integer_column(db, t, "note", False)  # same key, another type: a new, empty column
    _available(tables, db, t, "note")
    assert _values(tables, db, t) == {"r1": {"title": "kept", "note": None}}


def test_a_renamed_column_keeps_its_values(tables: TablesDB, table: tuple[str, str]) -> None:
    db, t = table
    tables.create_integer_column(db, t, "count", False)
    _available(tables, db, t, "count")
    tables.create_row(db, t, "r1", {"count": 42})
    tables.update_integer_column(db, t, "count", False, None, new_key="total")
    assert _values(tables, db, t) == {"r1": {"total": 42}}


def test_a_deleted_table_takes_its_rows_along(tables: TablesDB, table: tuple[str, str]) -> None:
    db, t = table
    tables.create_varchar_column(db, t, "title", 50, False)
    _available(tables, db, t, "title")
    tables.create_row(db, t, "r1", {"title": "gone"})
    tables.delete_table(db, t)
    tables.create_table(db, t, "Things again")
    assert tables.list_rows(db, t).rows == []


def test_unique_index_over_stored_values(tables: TablesDB, table: tuple[str, str]) -> None:
    db, t = table
    tables.create_varchar_column(db, t, "slug", 50, False)
    _available(tables, db, t, "slug")
    for i, slug in enumerate(["same", "same"]):
        tables.create_row(db, t, f"r{i}", {"slug": slug})
    tables.create_index(db, t, "by_slug", TablesDBIndexType.UNIQUE, ["slug"])
    _wait(lambda: _status(tables.get_index(db, t, "by_slug").status) != "processing")
    failed = tables.get_index(db, t, "by_slug")
    assert _status(failed.status) == "failed" and failed.error

    # a column added after the rows holds NULL in each of them: NULLs never collide
    tables.create_varchar_column(db, t, "code", 50, False)
    _available(tables, db, t, "code")
    tables.create_index(db, t, "by_code", TablesDBIndexType.UNIQUE, ["code"])
    _wait(lambda: _status(tables.get_index(db, t, "by_code").status) != "processing")
    assert _status(tables.get_index(db, t, "by_code").status) == "available"
