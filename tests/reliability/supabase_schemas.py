"""Random Supabase manifests for the convergence property, and their data (read back with SQL).

Tables and columns come from small pools so that B overlaps A in every way that matters: tables
kept, changed, renamed (``renamedFrom``), dropped and added; columns kept, changed (nullability,
default, unique, check, varchar <-> text), renamed, dropped and added; RLS, a policy, an index,
grants. Every table has ``id int primary key`` and gets one row (id 1) with a value in every column.
Postgres keeps a column's data through renames and in-place changes, so the property checks that a
column declared in A and B (through renames) with the same type family keeps its value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import psycopg
from hypothesis import strategies as st

from tests.reliability.convergence import Container, Expected, Section

__all__ = ["SupabaseSchemas", "pairs"]

TABLES = ("posts", "tags", "notes", "items")
# each column name has one type family, so a value seeded under A is valid under B
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("text", "varchar(40)"), "body": ("text",), "total": ("integer", "bigint"), "flag": ("boolean",),
    "meta": ("jsonb",), "day": ("date",), "kind": ("text", "varchar(40)"),
}
VALUES: dict[str, Any] = {"title": "a title", "body": "some body", "total": 7, "flag": True, "meta": {"k": "v"},
                          "day": "2024-05-06", "kind": "plain"}


@st.composite
def _column(draw: st.DrawFn, name: str, *, fresh: bool) -> dict[str, Any]:
    """``fresh``: added to a table that may already hold a row (so NOT NULL needs a default)."""
    out: dict[str, Any] = {"name": name, "type": draw(st.sampled_from(COLUMNS[name]))}
    if draw(st.booleans()):
        out["nullable"] = False
        if fresh:
            out["default"] = {"title": "'x'", "body": "''", "total": "0", "flag": "false", "meta": "'{}'",
                              "day": "current_date", "kind": "'k'"}[name]
    if name in ("title", "kind") and draw(st.integers(0, 3)) == 0:
        out["check"] = f"length({name}) > 0"
    if name == "title" and draw(st.integers(0, 3)) == 0:
        out["unique"] = True
    return out


@st.composite
def _table(draw: st.DrawFn, name: str, old: dict[str, Any] | None) -> dict[str, Any]:
    existing = {c["name"]: c for c in (old or {}).get("columns", []) if c["name"] != "id"}
    names = draw(st.lists(st.sampled_from(sorted(COLUMNS)), unique=True, max_size=4))
    columns: list[dict[str, Any]] = [{"name": "id", "type": "integer", "primary_key": True}]
    for n in names:
        column = draw(_column(n, fresh=old is not None and n not in existing))
        renames = [o for o in existing if o not in names and COLUMNS[o] == COLUMNS[n]]
        if renames and draw(st.integers(0, 2)) == 0 and n not in existing:
            column["renamedFrom"] = draw(st.sampled_from(renames))
        columns.append(column)
    out: dict[str, Any] = {"name": name, "columns": columns}
    if draw(st.booleans()):
        out["rls"] = draw(st.sampled_from([True, False, {"enabled": True, "forced": True}]))
    if draw(st.integers(0, 2)) == 0:
        out["policies"] = [{"name": "owner read", "command": "select", "to": ["authenticated"],
                            "using": "(select auth.uid()) is not null"}]
    plain = [c["name"] for c in columns[1:] if c["type"] not in ("jsonb",)]
    if plain and draw(st.booleans()):
        out["indexes"] = [{"name": f"{name}_{plain[0]}_idx", "columns": [plain[0]],
                           "unique": False, "where": f"{plain[0]} is not null"}]
    if draw(st.integers(0, 2)) == 0:
        out["grants"] = [{"to": "anon", "privileges": ["select"]}, {"to": "service_role", "privileges": ["all"]}]
    return out


@st.composite
def _section(draw: st.DrawFn, previous: Section | None) -> Section:
    old_tables = {t["name"]: t for s in (previous or {}).get("schemas", []) for t in s.get("tables", [])}
    names = draw(st.lists(st.sampled_from(TABLES), unique=True, min_size=1, max_size=3))
    tables = []
    for name in names:
        old = old_tables.get(name)
        renamed_from = None
        if old is None and previous is not None:
            gone = [o for o in old_tables if o not in names]
            if gone and draw(st.booleans()):
                renamed_from = draw(st.sampled_from(gone))
                old = old_tables[renamed_from]
        table = draw(_table(name, old))
        if renamed_from:
            table["renamedFrom"] = renamed_from
        tables.append(table)
    return {"prune": True, "schemas": [{"name": "public", "tables": tables}]}


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Section, Section]:
    a = draw(_section(None))
    return a, draw(_section(a))


def _columns(table: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in table["columns"]}


class SupabaseSchemas:
    """Seeds and reads one database with SQL of its own (as the superuser)."""

    provider = "supabase"

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url

    def _sql(self, query: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.admin_url, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(query.encode())
            return list(cur.fetchall()) if cur.description is not None else []

    def seed(self, section: Section) -> None:
        for table in section["schemas"][0]["tables"]:
            columns = _columns(table)
            names = ["id", *(n for n in columns if n != "id")]
            values = ["1", *(_literal(VALUES[n]) for n in names[1:])]
            self._sql(f"insert into public.{table['name']} ({', '.join(names)}) values ({', '.join(values)})")

    def read(self) -> dict[str, Container]:
        out: dict[str, Container] = {}
        for (name,) in self._sql("select tablename from pg_tables where schemaname = 'public'"):
            fields = {r[0] for r in self._sql(f"select column_name from information_schema.columns where "
                                              f"table_schema = 'public' and table_name = '{name}'")}
            rows = {str(r[0]["id"]): r[0] for r in self._sql(f"select to_jsonb(t) from public.{name} t")}
            out[name] = Container(frozenset(fields - {"id"}), rows)
        return out

    def expect(self, a: Section, b: Section, before: Mapping[str, Container]) -> dict[str, Expected]:
        old = {t["name"]: t for t in a["schemas"][0]["tables"]}
        expected: dict[str, Expected] = {}
        for table in b["schemas"][0]["tables"]:
            columns = _columns(table)
            fields = frozenset(n for n in columns if n != "id")
            origin = old.get(table.get("renamedFrom") or table["name"])
            if origin is None:
                expected[table["name"]] = Expected(fields)
                continue
            was = _columns(origin)
            kept: dict[str, Any] = {"id": 1}
            for name, column in columns.items():
                source = column.get("renamedFrom") or name
                if name != "id" and source in was and COLUMNS[source] == COLUMNS[name]:
                    kept[name] = json.loads(json.dumps(VALUES[source]))
            expected[table["name"]] = Expected(fields, {"1": kept})
        return expected


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "'" + json.dumps(value) + "'"
    return "'" + str(value).replace("'", "''") + "'"
