"""Validate-time checks of an Appwrite section: the server's limits and rules, without a network.

Everything the server would reject with a 400 that can be known from the manifest alone is
reported here, all at once, each at its file:line: id and key rules, sizes, per-type keys,
defaults, permission grammar, relationship shape, index columns and length budgets, row width.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from baseform.errors import Diagnostic
from baseform.manifest.models import did_you_mean
from baseform.providers.appwrite import permissions
from baseform.providers.appwrite.buckets import DEFAULT_MAXIMUM_FILE_SIZE
from baseform.providers.appwrite.columns import INT32_MAX, INT_MAX, STRING_TYPES, TYPES, ColumnTypeInfo
from baseform.providers.appwrite.engines import Engine
from baseform.providers.appwrite.models import (
    AppwriteSection,
    BucketSpec,
    ColumnSpec,
    IndexSpec,
    Permissions,
    TableSpec,
)
from baseform.providers.base import Locator

__all__ = ["check_section", "index_length", "row_width"]

Path = tuple[str | int, ...]

MAX_ID = 36
MAX_NAME = 128
VARCHAR_MAX = 16381
STRING_MAX = 1_073_741_824
ENCRYPT_MIN_SIZE = 150
MAX_ITEMS = 100  # APP_LIMIT_ARRAY_PARAMS_SIZE: enum elements, index columns, extensions
MAX_INDEXES = 58
ROW_BASE = 1067
SYSTEM_INDEX_COLUMNS = ("$id", "$createdAt", "$updatedAt")
_SYSTEM_LENGTHS = {"$id": 255, "$createdAt": 1, "$updatedAt": 1}  # $id is a string of 255, the others datetimes
_TEXT_INDEXED = frozenset({"fulltext", "trigram"})  # index types whose length the server does not measure
_KEY = re.compile(r"[A-Za-z0-9._-]+")
_NUMBER = (int, float)


def key_problem(value: str, what: str) -> str | None:
    """Why ``value`` breaks Appwrite's id/key rule (<= 36 of a-z A-Z 0-9 . - _, no leading . - _)."""
    if not value:
        return f"{what} must not be empty"
    if len(value) > MAX_ID:
        return f"{what} {value!r} is {len(value)} characters long; Appwrite allows at most {MAX_ID}"
    if not _KEY.fullmatch(value):
        return f"{what} {value!r} may contain only a-z, A-Z, 0-9, '.', '-' and '_'"
    if value[0] in "._-":
        return f"{what} {value!r} must not start with '{value[0]}'"
    return None


def row_width(column: ColumnSpec) -> int:
    """Estimated bytes a column takes in the 65535-byte row (FIDELITY.md [row-width])."""
    info = TYPES[column.type]
    size = column.size if info.sized else info.fixed_size
    if column.type == "relationship":
        return 1021
    if column.array or column.type in ("text", "mediumtext", "longtext", "line", "polygon"):
        return 20
    if column.type in STRING_TYPES:
        n = size or 0
        if column.type == "string" and n > VARCHAR_MAX:
            return 20  # stored as a TEXT-family column
        return 4 * n + (1 if n <= 255 else 2)
    if column.type == "integer":
        return 8 if (column.max if column.max is not None else INT_MAX) > INT32_MAX else 4
    return {"bigint": 8, "float": 8, "boolean": 1, "datetime": 7, "point": 25}[column.type]


def index_length(name: str, type_name: str | None, size: int | None, length: int | None) -> int:
    """What one column counts in a key/unique index's length budget (emulator FIDELITY.md [index-length]):
    a string column its prefix length or its size, ``$id`` 255, a float 2, anything else 1."""
    if name in SYSTEM_INDEX_COLUMNS:
        return length if length and name == "$id" else _SYSTEM_LENGTHS[name]
    if type_name in STRING_TYPES:
        return length if length else (size or 0)
    return 2 if type_name == "float" else 1


class _Checker:
    def __init__(self, locate: Locator, engine: Engine) -> None:
        self.locate = locate
        self.engine = engine
        self.found: list[Diagnostic] = []

    def problem(self, path: Path, message: str, hint: str | None = None, *, warning: bool = False) -> None:
        self.found.append(Diagnostic(message, self.locate(("appwrite", *path)), hint=hint, warning=warning))

    def key(self, path: Path, value: str, what: str) -> None:
        reason = key_problem(value, what)
        if reason:
            self.problem(path, reason)

    def name(self, path: Path, value: str) -> None:
        if not value or len(value) > MAX_NAME:
            self.problem(path, f"name must be 1 to {MAX_NAME} characters (got {len(value)})")

    def permissions(self, path: Path, value: Permissions) -> None:
        for p in permissions.parse(value)[1]:
            self.problem((*path, *p.path), p.message,
                         hint='e.g. read("any"), write("team:editors"), or {read: [any], write: [users]}')

    # -- columns ---------------------------------------------------------------------------
    def column(self, path: Path, c: ColumnSpec, table: TableSpec, tables: dict[str, TableSpec]) -> None:
        info = TYPES[c.type]
        self.key((*path, "key"), c.key, "column key")
        set_keys = c.model_fields_set
        if c.type == "relationship":
            self.relationship(path, c, table, tables)
            return
        for field in ("relatedTable", "relationType", "twoWay", "twoWayKey", "onDelete"):
            if field in set_keys:
                self.problem((*path, field), f"{field} applies only to relationship columns")
        self.size(path, c, info)
        if "encrypt" in set_keys and c.encrypt:
            if not info.encryptable:
                self.problem((*path, "encrypt"), f"encrypt applies only to varchar, text, mediumtext, longtext "
                             f"and string columns, not {c.type}")
            elif info.sized and c.size is not None and c.size < ENCRYPT_MIN_SIZE:
                self.problem((*path, "size"), f"an encrypted {c.type} column needs size >= {ENCRYPT_MIN_SIZE} "
                             f"(got {c.size})")
        if c.array and info.spatial:
            self.problem((*path, "array"), f"{c.type} columns cannot be arrays")
        self.bounds(path, c, info)
        self.elements(path, c)
        self.default(path, c, info)

    def size(self, path: Path, c: ColumnSpec, info: ColumnTypeInfo) -> None:
        if info.sized:
            limit = VARCHAR_MAX if c.type == "varchar" else STRING_MAX
            if c.size is None:
                self.problem(path, f"a {c.type} column needs size (1..{limit})")
            elif not 1 <= c.size <= limit:
                hint = "use text, mediumtext or longtext for longer values" if c.type == "varchar" else None
                self.problem((*path, "size"), f"{c.type} size must be 1..{limit:,} (got {c.size:,})", hint)
        elif c.size is not None and c.size != info.fixed_size:
            fixed = f"has the fixed size {info.fixed_size}" if info.fixed_size else "takes no size"
            self.problem((*path, "size"), f"a {c.type} column {fixed}; remove size")

    def bounds(self, path: Path, c: ColumnSpec, info: ColumnTypeInfo) -> None:
        for field in ("min", "max"):
            value = getattr(c, field)
            if value is None:
                continue
            if not info.numeric:
                self.problem((*path, field), f"{field} applies only to integer, bigint and float columns")
            elif c.type != "float" and not isinstance(value, int):
                self.problem((*path, field), f"{field} of a {c.type} column must be a whole number")
        if info.numeric and c.min is not None and c.max is not None and c.min > c.max:
            self.problem((*path, "min"), f"min {c.min} is greater than max {c.max}")
        if c.type == "integer" and isinstance(c.min, int) and c.min < -INT32_MAX - 1 and (
                c.max is not None and c.max <= INT32_MAX):
            # the integer endpoint picks the width from max alone (emulator FIDELITY.md [integer-width])
            self.problem((*path, "min"), f"min {c.min} is below -2147483648 but max {c.max} fits 4 bytes: Appwrite "
                                         "makes a 4-byte column, which cannot store such values",
                         "raise max above 2147483647 (or use bigint) for an 8-byte column", warning=True)

    def elements(self, path: Path, c: ColumnSpec) -> None:
        if c.type != "enum":
            if c.elements is not None:
                self.problem((*path, "elements"), "elements applies only to enum columns")
            return
        if not c.elements:
            self.problem(path, "an enum column needs elements (1 to 100 values)")
            return
        if len(c.elements) > MAX_ITEMS:
            self.problem((*path, "elements"), f"{len(c.elements)} elements; Appwrite allows at most {MAX_ITEMS}")
        for i, e in enumerate(c.elements):
            if not 1 <= len(e) <= 255:
                self.problem((*path, "elements", i), "each enum element must be 1 to 255 characters")
        if len(set(c.elements)) != len(c.elements):
            self.problem((*path, "elements"), "enum elements must be unique")

    def default(self, path: Path, c: ColumnSpec, info: ColumnTypeInfo) -> None:
        if c.default is None:
            return
        where = (*path, "default")
        if c.required:
            self.problem(where, "a required column cannot have a default",
                         "remove default or set required: false")
            return
        if c.array:
            self.problem(where, "an array column cannot have a default")
            return
        reason = _default_problem(c, info)
        if reason:
            self.problem(where, f"default {c.default!r} {reason}")

    def relationship(self, path: Path, c: ColumnSpec, table: TableSpec, tables: dict[str, TableSpec]) -> None:
        for field in ("required", "default", "array", "size", "min", "max", "elements", "encrypt"):
            if field in c.model_fields_set and getattr(c, field) not in (None, False):
                self.problem((*path, field), f"{field} does not apply to relationship columns")
        if not c.relatedTable:
            self.problem(path, "a relationship column needs relatedTable (the related table's id)")
        if c.relationType is None:
            self.problem(path, "a relationship column needs relationType (oneToOne, oneToMany, manyToOne "
                               "or manyToMany)")
        if c.twoWayKey is not None:
            self.key((*path, "twoWayKey"), c.twoWayKey, "twoWayKey")
        if c.relatedTable and c.relatedTable not in tables:
            # a declared database's tables are authoritative: an undeclared target would be deleted
            self.problem((*path, "relatedTable"), f"relatedTable {c.relatedTable!r} is not a table of this "
                                                  f"database{_suggest(c.relatedTable, tables)}",
                         "declare the related table in the same database")
        if not c.twoWay or not c.relatedTable:
            return
        counterpart = c.twoWayKey or table.id
        if c.relatedTable == table.id and counterpart.lower() == c.key.lower():
            self.problem((*path, "twoWayKey"), "a two-way relationship of a table with itself needs a twoWayKey "
                                               "different from its key")
        related = tables.get(c.relatedTable)
        if related is not None and any(o.key.lower() == counterpart.lower() and o is not c
                                       for o in related.columns):
            self.problem((*path, "twoWayKey"),
                         f"table {related.id!r} already declares a column {counterpart!r}: the two-way "
                         "relationship creates that column itself",
                         "remove it from the related table, or pick another twoWayKey")

    # -- indexes ---------------------------------------------------------------------------
    def index(self, path: Path, ix: IndexSpec, table: TableSpec) -> None:  # noqa: C901 - one rule per branch
        """The server's index rules (emulator FIDELITY.md rows index-*, spatial-index-one, trigram)."""
        self.key((*path, "key"), ix.key, "index key")
        if ix.columns is None:
            self.problem(path, f"index {ix.key!r} declares no columns: the live index is kept as it is, and "
                               "baseform cannot create it if it does not exist",
                         "add columns (appwrite pull leaves them out of some indexes)", warning=True)
            return
        by_key = {c.key: c for c in table.columns}
        if not ix.columns:
            self.problem(path, "an index needs at least one column")
        if len(ix.columns) > MAX_ITEMS:
            self.problem((*path, "columns"), f"an index can have at most {MAX_ITEMS} columns")
        if len({c.lower() for c in ix.columns}) != len(ix.columns):
            self.problem((*path, "columns"), "an index lists a column twice")
        if len(ix.orders) > len(ix.columns):
            self.problem((*path, "orders"), "more orders than columns")
        lengths = ix.lengths or []
        if len(lengths) > len(ix.columns) and ix.type != "fulltext":
            self.problem((*path, "lengths"), "more lengths than columns")
        if ix.type == "trigram" and (any(ix.orders) or any(lengths)):
            self.problem(path, "a trigram index takes no orders or lengths")
        if ix.type == "spatial" and len(ix.columns) > 1:
            self.problem((*path, "columns"), "a spatial index has exactly one column")
        budget = 0
        unknown_lengths = False
        for i, name in enumerate(ix.columns):
            where = (*path, "columns", i)
            length = lengths[i] if i < len(lengths) else None
            if name in SYSTEM_INDEX_COLUMNS:
                if length and name != "$id":
                    self.problem((*path, "lengths", i), f"a length applies only to string columns ({name!r} is a "
                                                        "date-time)")
                budget += index_length(name, None, None, length)
                continue
            column = by_key.get(name)
            if column is None:
                self.problem(where, f"index column {name!r} is not a column of table {table.id!r}"
                                    f"{_suggest(name, by_key)}")
                continue
            if column.type == "relationship":
                self.problem(where, f"relationship column {name!r} cannot be indexed")
                continue
            if column.array:
                self.problem(where, f"array column {name!r} cannot be indexed (Appwrite refuses indexes over "
                                    "array columns on every database)")
            spatial = TYPES[column.type].spatial
            if (ix.type == "spatial") != spatial:
                self.problem(where, f"spatial columns go in spatial indexes only, and spatial indexes take only "
                                    f"spatial columns ({name!r} is {column.type})")
            if ix.type in _TEXT_INDEXED and column.type not in STRING_TYPES:
                self.problem(where, f"a {ix.type} index takes only string columns ({name!r} is {column.type})")
            size = column.size if TYPES[column.type].sized else TYPES[column.type].fixed_size
            if column.type in STRING_TYPES:
                if length is not None and (length < 0 or (size is not None and length > size)):
                    self.problem((*path, "lengths", i), f"length {length} is outside 0..{size} for column {name!r}")
                unknown_lengths = unknown_lengths or (ix.lengths is None and bool(size and size > 0))
            elif length:
                self.problem((*path, "lengths", i), f"a length applies only to string columns ({name!r} is "
                                                    f"{column.type}); use 0 or null")
            budget += index_length(name, column.type, size, length)
        limit = self.engine.index_length
        if ix.type in ("key", "unique") and budget > limit:
            whose = "" if self.engine.known else " (MariaDB, MySQL, PostgreSQL; MongoDB allows 1024)"
            message = f"index {ix.key!r} is {budget} characters long; the limit is {limit}{whose}"
            if unknown_lengths:
                self.problem(path, message + ": fine if the live index has prefix lengths (appwrite pull leaves "
                                             "them out), refused if it must be created", warning=True,
                             hint="give lengths (prefix lengths) for long string columns")
            else:
                self.problem(path, message, "give lengths (prefix lengths) for long string columns")

    # -- containers ------------------------------------------------------------------------
    def table(self, path: Path, t: TableSpec, tables: dict[str, TableSpec]) -> None:
        self.key((*path, "id"), t.id, "table id")
        self.name((*path, "name"), t.name)
        self.permissions((*path, "permissions"), t.permissions)
        seen: dict[str, int] = {}
        many: set[str] = set()
        for i, c in enumerate(t.columns):
            where: Path = (*path, "columns", i)
            self.column(where, c, t, tables)
            first = seen.setdefault(c.key.lower(), i)
            if first != i and t.columns[first].key != c.key:
                self.problem((*where, "key"), f"column keys {t.columns[first].key!r} and {c.key!r} differ only in "
                                              "case; Appwrite treats them as the same")
            if c.relationType == "manyToMany" and c.relatedTable:
                if c.relatedTable in many:
                    self.problem(where, f"a second manyToMany relationship to {c.relatedTable!r}: Appwrite allows "
                                        "one between the same two tables")
                many.add(c.relatedTable)
        limit = self.engine.column_limit
        if limit and len(t.columns) > limit:
            self.problem((*path, "columns"), f"{len(t.columns)} columns; Appwrite allows at most {limit}"
                                             f"{'' if self.engine.known else ' (MongoDB has no limit)'}")
        width = ROW_BASE + sum(row_width(c) for c in t.columns if c.type in TYPES)
        row_max = self.engine.row_limit
        if row_max and width >= row_max:
            self.problem((*path, "columns"), f"the columns need about {width:,} bytes per row; a row must stay under "
                                             f"{row_max:,}{'' if self.engine.known else ' (MongoDB has no limit)'}",
                         "use text/mediumtext/longtext or smaller sizes")
        if len(t.indexes) > MAX_INDEXES:
            self.problem((*path, "indexes"), f"{len(t.indexes)} indexes; Appwrite allows at most {MAX_INDEXES}")
        for j, ix in enumerate(t.indexes):
            self.index((*path, "indexes", j), ix, t)

    def bucket(self, path: Path, b: BucketSpec) -> None:
        self.key((*path, "id"), b.id, "bucket id")
        self.name((*path, "name"), b.name)
        self.permissions((*path, "permissions"), b.permissions)
        if b.maximumFileSize is not None and b.maximumFileSize < 1:
            self.problem((*path, "maximumFileSize"), "maximumFileSize must be at least 1 byte")
        elif b.maximumFileSize is not None and b.maximumFileSize > DEFAULT_MAXIMUM_FILE_SIZE:
            self.problem((*path, "maximumFileSize"), f"maximumFileSize {b.maximumFileSize:,} is above "
                         f"{DEFAULT_MAXIMUM_FILE_SIZE:,} bytes, the limit of a self-hosted server with the default "
                         "_APP_STORAGE_LIMIT (Appwrite Cloud's depends on the plan): such a server refuses it",
                         warning=True)
        if len(b.allowedFileExtensions) > MAX_ITEMS:
            self.problem((*path, "allowedFileExtensions"), f"at most {MAX_ITEMS} extensions")
        for i, ext in enumerate(b.allowedFileExtensions):
            if not 1 <= len(ext) <= 64:
                self.problem((*path, "allowedFileExtensions", i), "each extension must be 1 to 64 characters")


def _suggest(word: str, choices: dict[str, Any]) -> str:
    return did_you_mean(word, list(choices))


def _default_problem(c: ColumnSpec, info: ColumnTypeInfo) -> str | None:
    """Why a (non-null) default does not fit the column, or None."""
    d = c.default
    if c.type in STRING_TYPES:
        if not isinstance(d, str):
            return "must be a string"
        limit = c.size if info.sized else info.fixed_size
        if limit is not None and len(d) > limit:
            return f"is longer than the column size {limit}"
        if c.type == "enum" and c.elements is not None and d not in c.elements:
            return "is not one of the elements"
        return _format_problem(c.type, d)
    if info.numeric:
        if isinstance(d, bool) or not isinstance(d, _NUMBER) or (c.type != "float" and not isinstance(d, int)):
            return "must be a " + ("number" if c.type == "float" else "whole number")
        low, high = info.bounds
        low = low if c.min is None else c.min
        high = high if c.max is None else c.max
        return None if low <= d <= high else f"is outside min..max ({low}..{high})"
    if c.type == "boolean":
        return None if isinstance(d, bool) else "must be true or false"
    if c.type == "datetime":
        return _format_problem("datetime", d)
    if info.spatial:
        return None if _spatial_ok(c.type, d) else f"is not a valid {c.type} ([longitude, latitude] coordinates)"
    return None


def _format_problem(type_name: str, value: Any) -> str | None:
    if type_name == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        return "is not an email address"
    if type_name == "url":
        parts = urlsplit(value)
        if not parts.scheme or not parts.netloc:
            return "is not a URL"
    if type_name == "ip":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return "is not an IP address"
    if type_name == "datetime":
        try:
            datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return "is not an ISO 8601 date-time"
        if not isinstance(value, str):
            return "must be a string"
    return None


def _point(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, _NUMBER) and not isinstance(v, bool) for v in value)
            and -180 <= value[0] <= 180 and -90 <= value[1] <= 90)


def _spatial_ok(type_name: str, value: Any) -> bool:
    if type_name == "point":
        return _point(value)
    if type_name == "line":
        return isinstance(value, list) and len(value) >= 2 and all(map(_point, value))
    return (isinstance(value, list) and bool(value)
            and all(isinstance(r, list) and len(r) >= 4 and all(map(_point, r)) and r[0] == r[-1] for r in value))


def check_section(section: AppwriteSection, locate: Locator, engine: Engine) -> list[Diagnostic]:
    """Every limit violation in ``section`` (warnings included) on a project stored in ``engine``. Pure."""
    checker = _Checker(locate, engine)
    for i, team in enumerate(section.teams):
        checker.key(("teams", i, "id"), team.id, "team id")
        checker.name(("teams", i, "name"), team.name)
    for i, db in enumerate(section.databases):
        checker.key(("databases", i, "id"), db.id, "database id")
        checker.name(("databases", i, "name"), db.name)
        tables = {t.id: t for t in db.tables}
        for j, table in enumerate(db.tables):
            checker.table(("databases", i, "tables", j), table, tables)
    for i, bucket in enumerate(section.buckets):
        checker.bucket(("buckets", i), bucket)
    return checker.found
