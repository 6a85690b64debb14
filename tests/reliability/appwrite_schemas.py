"""Random Appwrite manifests for the convergence property, and their data.

Names come from small pools so that B overlaps A: databases, tables, buckets and teams kept, changed,
dropped and added; columns of several types kept, changed (including their type, which recreates
the column), renamed (``renamedFrom``, which keeps its data), dropped and added; key, unique and
fulltext indexes; one-way and two-way relationships. Every table gets one row with a value in every
column but relationships. A column declared identically in A and B (under its old key or
``renamedFrom``) must keep its values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from hypothesis import strategies as st

from tests.reliability.convergence import Container, Expected, Section

__all__ = ["AppwriteSchemas", "pairs"]

DATABASES = ("main", "aux")
TABLES = ("posts", "tags", "notes")
COLUMNS = ("title", "body", "total", "ratio", "flag", "day", "mail", "site", "kind", "ref", "extra")
BUCKETS = ("avatars", "docs", "media")
TEAMS = ("editors", "admins", "viewers")
KINDS = ("varchar", "text", "integer", "float", "boolean", "datetime", "email", "url", "enum", "relationship")
KEY_INDEXABLE = frozenset({"varchar", "integer", "float", "boolean", "datetime", "email", "enum"})
FULLTEXT_INDEXABLE = frozenset({"varchar", "text"})
PERMISSIONS: tuple[list[str], ...] = ([], ['read("any")'], ['read("any")', 'create("users")', 'update("users")'])


def value(kind: str, key: str) -> Any:
    """The seeded value of column ``key`` of type ``kind``: valid under every option the strategies
    draw (sizes, ranges, enum elements), and different per key, so a value that moved is noticed."""
    n = COLUMNS.index(key) if key in COLUMNS else len(COLUMNS)
    return {"varchar": f"{key}-v", "text": f"{key} in a text", "integer": 10 + n, "float": n + 0.5, "boolean": True,
            "datetime": f"2024-05-{n + 1:02d}T07:08:09.000+00:00", "email": f"{key}@example.com",
            "url": f"https://example.com/{key}", "enum": "ab"[n % 2]}[kind]


ROW_ID = "seed"


@st.composite
def _column(draw: st.DrawFn, key: str, tables: list[str]) -> dict[str, Any]:
    kind = draw(st.sampled_from([k for k in KINDS if k != "relationship" or tables]))
    out: dict[str, Any] = {"key": key, "type": kind}
    if kind == "relationship":
        out.update(relatedTable=draw(st.sampled_from(tables)),
                   relationType=draw(st.sampled_from(["manyToOne", "oneToOne"])),
                   onDelete=draw(st.sampled_from(["restrict", "setNull", "cascade"])))
        return out
    required = draw(st.integers(0, 3)) == 0
    array = kind == "varchar" and not required and draw(st.integers(0, 4)) == 0
    if required:
        out["required"] = True
    if array:
        out["array"] = True
    if kind == "varchar":
        out["size"] = draw(st.sampled_from([20, 100]))
    elif kind in ("integer", "float"):
        out.update(min=draw(st.sampled_from([None, 0])), max=draw(st.sampled_from([None, 1000])))
    elif kind == "enum":
        out["elements"] = draw(st.sampled_from([["a", "b"], ["a", "b", "c"]]))
    if not required and not array:
        out["default"] = draw(st.sampled_from({
            "varchar": [None, "x"], "text": [None, "x"], "integer": [None, 5], "float": [None, 1.5],
            "boolean": [None, True, False], "email": [None, "b@example.com"], "enum": [None, "a"],
        }.get(kind, [None])))
    return {k: v for k, v in out.items() if v is not None}


@st.composite
def _table(draw: st.DrawFn, table_id: str, columns: list[dict[str, Any]]) -> dict[str, Any]:
    """A table with ``columns`` plus settings and indexes drawn here."""
    out: dict[str, Any] = {"id": table_id, "name": draw(st.sampled_from([table_id.title(), table_id.upper()])),
                           "rowSecurity": draw(st.booleans()), "enabled": draw(st.sampled_from([True, True, False])),
                           "permissions": draw(st.sampled_from(PERMISSIONS)), "columns": columns}
    indexes = []
    for c in draw(st.lists(st.sampled_from(columns), unique_by=lambda c: c["key"], max_size=2)):
        if c.get("array") or c["type"] not in KEY_INDEXABLE | FULLTEXT_INDEXABLE:
            continue
        if c["type"] in KEY_INDEXABLE:
            kind = draw(st.sampled_from(["key", "unique"] + (["fulltext"] if c["type"] in FULLTEXT_INDEXABLE else [])))
        else:
            kind = "fulltext"
        index: dict[str, Any] = {"key": f"ix_{c['key']}", "type": kind, "columns": [c["key"]]}
        # any case, as the SDKs and the console write them; a fulltext index may carry orders too
        index["orders"] = draw(st.sampled_from([[], ["asc"]] if kind == "fulltext" else
                                               [[], ["ASC"], ["DESC"], ["asc"], ["desc"]]))
        indexes.append(index)
    if indexes:
        out["indexes"] = indexes
    return out


@st.composite
def _two_way(draw: st.DrawFn, tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``tables`` with each new relationship made one-way or two-way (counterpart ``TABLE_KEY`` on the
    related table, a key no declared column has); columns that say already are kept as they are."""
    out = []
    for t in tables:
        columns = []
        for c in t["columns"]:
            if c["type"] == "relationship" and "twoWay" not in c:
                two_way = draw(st.integers(0, 2)) == 0
                c = {**c, "twoWay": two_way, **({"twoWayKey": f"{t['id']}_{c['key']}"} if two_way else {})}
            columns.append(c)
        out.append({**t, "columns": columns})
    return out


def counterparts(tables: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Table id -> keys of the columns two-way relationships of ``tables`` create on it."""
    out: dict[str, set[str]] = {}
    for t in tables:
        for c in t["columns"]:
            if c.get("twoWay"):
                out.setdefault(c["relatedTable"], set()).add(c["twoWayKey"])
    return out


@st.composite
def _columns(draw: st.DrawFn, tables: list[str]) -> list[dict[str, Any]]:
    keys = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=5, unique=True))
    return [draw(_column(k, tables)) for k in keys]


@st.composite
def _b_columns(draw: st.DrawFn, a_columns: list[dict[str, Any]], tables: list[str]) -> list[dict[str, Any]]:
    """B's columns of a table A also has: each A column kept, changed, renamed or dropped; some added."""
    out: list[dict[str, Any]] = []
    fates = [draw(st.sampled_from(["same", "same", "same", "change", "rename", "drop"])) for _ in a_columns]
    # a rename only takes a key that was never live: Appwrite cannot apply a chain of renames in one
    # go, and the planner refuses one (and a rename into a live key) with a located error
    used = {c["key"] for c in a_columns}
    for c, fate in zip(a_columns, fates, strict=True):
        if c["type"] == "relationship" and c["relatedTable"] not in tables:
            continue  # its table is gone: so is the column
        if fate == "same":
            out.append(c)
        elif fate == "change":
            out.append(draw(_column(c["key"], tables)))
        elif fate == "rename":
            free = [k for k in COLUMNS if k not in used and k != c["key"]]
            if not free:
                continue
            to = draw(st.sampled_from(free))
            used.add(to)
            same = draw(st.booleans())
            out.append({**({**c, "key": to} if same else draw(_column(to, tables))), "renamedFrom": c["key"]})
    for k in draw(st.lists(st.sampled_from([k for k in COLUMNS if k not in used] or ["unused"]),
                           max_size=2, unique=True)):
        if k != "unused":
            out.append(draw(_column(k, tables)))
    return out or [draw(_column("extra2", tables))]


@st.composite
def _settings(draw: st.DrawFn, kind: str, ident: str) -> dict[str, Any]:
    """A bucket or team."""
    out: dict[str, Any] = {"id": ident, "name": draw(st.sampled_from([ident.title(), ident.upper()]))}
    if kind == "buckets":
        out.update(permissions=draw(st.sampled_from(PERMISSIONS)), fileSecurity=draw(st.booleans()),
                   maximumFileSize=draw(st.sampled_from([1000000, 5000000])),
                   allowedFileExtensions=draw(st.sampled_from([[], ["png", "jpg"]])),
                   compression=draw(st.sampled_from(["none", "gzip"])), enabled=draw(st.booleans()))
    return out


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Section, Section]:
    """(A, B): two ``appwrite`` sections over overlapping ids."""
    a_dbs = []
    for db in draw(st.lists(st.sampled_from(DATABASES), min_size=1, max_size=2, unique=True)):
        ids = draw(st.lists(st.sampled_from(TABLES), min_size=1, max_size=2, unique=True))
        a_dbs.append({"id": db, "name": db.title(),
                      "tables": draw(_two_way([draw(_table(t, draw(_columns(ids)))) for t in ids]))})
    b_dbs = []
    for db in a_dbs:
        if draw(st.integers(0, 4)) == 0:
            continue  # dropped (deleted only with prune)
        kept = [t for t in db["tables"] if draw(st.integers(0, 4)) > 0]
        added = [t for t in draw(st.lists(st.sampled_from(TABLES), max_size=1))
                 if t not in {x["id"] for x in db["tables"]}]
        ids = [t["id"] for t in kept] + added
        if not ids:
            continue
        tables = [draw(_table(t["id"], draw(_b_columns(t["columns"], ids)))) for t in kept]
        tables += [draw(_table(t, draw(_columns(ids)))) for t in added]
        b_dbs.append({"id": db["id"], "name": draw(st.sampled_from([db["name"], db["name"] + " 2"])),
                      "tables": draw(_two_way(tables))})
    if not b_dbs and draw(st.booleans()):
        b_dbs.append({"id": "extra", "name": "Extra", "tables": [draw(_table("posts", draw(_columns(["posts"]))))]})

    a: Section = {"prune": draw(st.booleans()), "databases": a_dbs}
    b: Section = {"prune": draw(st.booleans()), "databases": b_dbs}
    for kind, pool in (("buckets", BUCKETS), ("teams", TEAMS)):
        a_ids = draw(st.lists(st.sampled_from(pool), max_size=2, unique=True))
        b_ids = draw(st.lists(st.sampled_from(pool), max_size=2, unique=True))
        a[kind] = [draw(_settings(kind, i)) for i in a_ids]
        same = {x["id"]: x for x in a[kind] if draw(st.booleans())}
        b[kind] = [same.get(i) or draw(_settings(kind, i)) for i in b_ids]
    return a, b


def _definition(column: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in column.items() if k not in ("key", "renamedFrom")}


class AppwriteSchemas:
    """The property's Appwrite side, reading and writing through ``http`` (an API-key client for /v1)."""

    provider = "appwrite"

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def _ok(self, response: httpx.Response) -> Any:
        assert not response.is_error, f"{response.request.method} {response.request.url}: {response.text}"
        return response.json() if response.content else None

    def seed(self, section: Section) -> None:
        for db in section["databases"]:
            for table in db["tables"]:
                data = {c["key"]: [value(c["type"], c["key"])] if c.get("array") else value(c["type"], c["key"])
                        for c in table["columns"] if c["type"] != "relationship"}
                self._ok(self.http.post(f"/tablesdb/{db['id']}/tables/{table['id']}/rows",
                                        json={"rowId": ROW_ID, "data": data}))

    def read(self) -> dict[str, Container]:
        """Tables as ``databases/DB/tables/T``; a database without tables, a bucket and a team as an empty
        container named by its address (``databases/DB``, ``buckets/ID``, ``teams/ID``)."""
        out: dict[str, Container] = {}
        for db in self._ok(self.http.get("/tablesdb"))["databases"]:
            tables = self._ok(self.http.get(f"/tablesdb/{db['$id']}/tables"))["tables"]
            if not tables:
                out[f"databases/{db['$id']}"] = Container(frozenset(), {})
            for table in tables:
                keys = frozenset(c["key"] for c in table["columns"])
                rows = self._ok(self.http.get(f"/tablesdb/{db['$id']}/tables/{table['$id']}/rows"))["rows"]
                out[f"databases/{db['$id']}/tables/{table['$id']}"] = Container(
                    keys, {r["$id"]: {k: r.get(k) for k in keys} for r in rows})
        for kind, path in (("buckets", "/storage/buckets"), ("teams", "/teams")):
            for item in self._ok(self.http.get(path))[kind]:
                out[f"{kind}/{item['$id']}"] = Container(frozenset(), {})
        return out

    def expect(self, a: Section, b: Section, before: Mapping[str, Container]) -> dict[str, Expected]:
        out: dict[str, Expected] = {}
        # a declared top-level resource is authoritative over its children; the others are left alone
        declared = {f"{kind}/{x['id']}" for kind in ("databases", "buckets", "teams") for x in b[kind]}
        if not b["prune"]:
            for name, container in before.items():
                if "/".join(name.split("/")[:2]) not in declared:
                    out[name] = Expected.untouched(container)
        for kind in ("buckets", "teams"):
            for x in b[kind]:
                out[f"{kind}/{x['id']}"] = Expected(frozenset())
        a_tables = {(db["id"], t["id"]): t for db in a["databases"] for t in db["tables"]}
        for db in b["databases"]:
            if not db["tables"]:
                out[f"databases/{db['id']}"] = Expected(frozenset())
            partners = counterparts(db["tables"])
            for table in db["tables"]:
                name = f"databases/{db['id']}/tables/{table['id']}"
                keys = frozenset(c["key"] for c in table["columns"]) | partners.get(table["id"], set())
                old = a_tables.get((db["id"], table["id"]))
                if old is None:
                    out[name] = Expected(keys)
                    continue
                old_columns = {c["key"]: c for c in old["columns"]}
                kept = {}
                for c in table["columns"]:
                    origin = old_columns.get(c.get("renamedFrom", c["key"]))
                    if origin is not None and _definition(origin) == _definition(c):
                        kept[c["key"]] = origin["key"]
                out[name] = Expected(keys, {rid: {new: values[old] for new, old in kept.items()}
                                            for rid, values in before[name].rows.items()})
        return out
