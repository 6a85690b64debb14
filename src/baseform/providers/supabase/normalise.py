"""Normalising declared SQL through the server itself, so an applied manifest plans as no changes.

Postgres keeps types, defaults, checks, index predicates and policy expressions in its own form
(``varchar(80)`` is ``character varying(80)``, ``status = 'published'`` is
``(status = 'published'::post_status)``...). Rather than imitate that, planning builds every declared
object on the server, inside a transaction that is always rolled back, and reads the catalogs back
with the same functions the live read uses (``format_type``, ``pg_get_expr``). Objects whose name
exists live are built as temporary copies, so nothing live is locked or touched; the rest under their
real names (policies may refer to other new tables).

The whole thing is a fixed number of round trips: the statements travel as one JSON array and a
``DO`` block runs each in its own subtransaction, recording the server's error for the ones that
fail; those become located manifest problems (an unknown type, a syntax error in ``using``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from baseform.engine.address import Address
from baseform.engine.resource import DesiredResource, LiveState
from baseform.providers.supabase.names import qualified, quote
from baseform.providers.supabase.session import SupabaseSession
from baseform.types import JSONObject

__all__ = ["Normalised", "normalise"]

_RUN = """do $baseform$
declare item jsonb;
begin
  for item in select * from jsonb_array_elements(current_setting('baseform.scratch')::jsonb) loop
    begin
      execute item->>'sql';
    exception when others then
      insert into pg_temp.baseform_errors values (item->>'key', sqlstate, sqlerrm);
    end;
  end loop;
end $baseform$"""
_COLUMNS = """select t.target, a.attname, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid)
from unnest(%s::text[]) t(target) join pg_attribute a on a.attrelid = to_regclass(t.target)
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where a.attnum > 0 and not a.attisdropped"""
_CHECKS = """select k.conname, pg_get_expr(k.conbin, k.conrelid) from pg_constraint k
where k.conname like 'baseform\\_c\\_%%' and k.conrelid in (select to_regclass(x) from unnest(%s::text[]) x)"""
_INDEXES = """select ic.relname, pg_get_expr(i.indpred, i.indrelid),
  array(select pg_get_indexdef(i.indexrelid, k, true) from generate_series(1, i.indnkeyatts) k)
from pg_index i join pg_class ic on ic.oid = i.indexrelid
where ic.relname like 'baseform\\_i\\_%%' and i.indrelid in (select to_regclass(x) from unnest(%s::text[]) x)"""
_POLICIES = """select p.polname, pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
from pg_policy p where p.polname like 'baseform\\_p\\_%%'
  and p.polrelid in (select to_regclass(x) from unnest(%s::text[]) x)"""


@dataclass
class Normalised:
    """Per desired address: the canonical value of each SQL field; and the problems the server found."""

    values: dict[str, JSONObject] = field(default_factory=dict)
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    """(address, field, the server's message)."""


@dataclass
class _Scratch:
    items: list[dict[str, str]] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    table_target: dict[Address, str] = field(default_factory=dict)
    column_of: dict[tuple[str, str], Address] = field(default_factory=dict)
    named: dict[str, tuple[Address, str]] = field(default_factory=dict)
    stand_ins: dict[str, str] = field(default_factory=dict)
    """Temporary enum name -> the live enum's name as the server prints it (see :func:`_stand_in`)."""

    def add(self, key: Address, what: str, sql: str) -> None:
        self.items.append({"key": f"{what}\t{key}", "sql": sql})

    def target_of(self, d: DesiredResource) -> str | None:
        """Where a column's or index's table is built in the scratch transaction (None: not built)."""
        return self.table_target.get(d.address.parent) if d.address.parent else None

    def name(self, prefix: str, address: Address, what: str) -> str:
        name = f"baseform_{prefix}_{len(self.named)}"
        self.named[name] = (address, what)
        return name


def _live_name(d: DesiredResource, live: LiveState) -> bool:
    """Whether the resource (or the one it is renamed from) exists live."""
    if d.address in live.resources:
        return True
    if d.renamed_from and d.address.parent is not None:
        return d.address.parent.child(d.address.kind, d.renamed_from) in live.resources
    if d.renamed_from:
        return Address(d.address.provider, ((d.address.kind, d.renamed_from),)) in live.resources
    return False


def _scratch(desired: Sequence[DesiredResource], live: LiveState) -> _Scratch:
    s = _Scratch()
    by_kind: dict[str, list[DesiredResource]] = {}
    for d in desired:
        by_kind.setdefault(d.address.kind, []).append(d)
    for d in by_kind.get("schemas", []):
        if d.address not in live.resources:
            s.add(d.address, "schema", f"create schema {quote(d.address.name)}")
    types: dict[str, str] = {}
    for d in by_kind.get("enums", []):
        schema = d.address.path[0][1]
        values = ", ".join("'" + v.replace("'", "''") + "'" for v in d.value["values"])
        if d.address in live.resources:
            if d.value["values"] != live.resources[d.address].value.get("values"):
                # a new value cannot be used in the transaction that adds it: a temporary stand-in has them all
                stand_in = f"baseform_e_{len(s.stand_ins)}"
                printed = d.address.name if schema == "public" else qualified(schema, d.address.name)
                s.stand_ins[stand_in] = quote(d.address.name) if schema == "public" else printed
                for spelling in {d.address.name, f"{schema}.{d.address.name}", qualified(schema, d.address.name),
                                 quote(d.address.name) if schema == "public" else ""} - {""}:
                    types[spelling] = f"pg_temp.{stand_in}"
                s.add(d.address, "enum", f"create type pg_temp.{stand_in} as enum ({values})")
            continue
        if d.renamed_from and _live_name(d, live):
            s.add(d.address, "enum",
                  f"alter type {qualified(schema, d.renamed_from)} rename to {quote(d.address.name)}")
        else:
            s.add(d.address, "enum", f"create type {qualified(schema, d.address.name)} as enum ({values})")
    for i, d in enumerate(by_kind.get("tables", [])):
        if _live_name(d, live):
            target = f"pg_temp.baseform_t_{i}"
        else:
            target = qualified(d.address.path[0][1], d.address.name)
        s.table_target[d.address] = target
        s.targets.append(target)
        s.add(d.address, "table", f"create table {target} ()")
    for d in by_kind.get("columns", []):
        built = s.target_of(d)
        if built is None:
            continue
        target, v = built, d.value
        s.column_of[(target, d.address.name)] = d.address
        default = f" default {v['default']}" if v.get("default") is not None else ""
        column_type = str(v["type"])
        column_type = types.get(column_type, column_type)
        s.add(d.address, "type", f"alter table {target} add column {quote(d.address.name)} {column_type}{default}")
        if v.get("check") is not None:
            name = s.name("c", d.address, "check")
            s.add(d.address, "check", f"alter table {target} add constraint {name} check ({v['check']})")
        if v.get("references"):
            ref = str(v["references"])
            table, _, column = ref.rpartition("(")
            s.add(d.address, "references", f"select {column.rstrip(')')} from {table} where false")
    for d in by_kind.get("indexes", []):
        built = s.target_of(d)
        if built is None:
            continue
        target, v = built, d.value
        name = s.name("i", d.address, "index")
        columns = ", ".join(quote(c) for c in v["columns"])
        where = f" where {v['where']}" if v.get("where") else ""
        s.add(d.address, "index", f"create index {name} on {target} using {v['method']} ({columns}){where}")
    for i, d in enumerate(by_kind.get("policies", [])):
        v = d.value
        if d.address.depth == 1:
            target = f"pg_temp.baseform_f_{i}"
            s.targets.append(target)
            schema, _, table = str(v["table"]).partition(".")
            s.add(d.address, "policy", f"create table {target} (like {qualified(schema, table)})")
        else:
            found = s.target_of(d)
            if found is None:
                continue
            target = found
        name = s.name("p", d.address, "policy")
        roles = ", ".join(r if r == "public" else quote(r) for r in v["to"])
        using = f" using ({v['using']})" if v.get("using") is not None else ""
        check = f" with check ({v['with_check']})" if v.get("with_check") is not None else ""
        s.add(d.address, "policy", f"create policy {name} on {target} as {v['as']} for {v['command']} "
                                   f"to {roles}{using}{check}")
    return s


def _real_names(value: Any, stand_ins: dict[str, str]) -> Any:
    """``value`` with every temporary enum stand-in named as the live enum it stands for."""
    if isinstance(value, list):
        return [_real_names(v, stand_ins) for v in value]
    if isinstance(value, str):
        for stand_in, real in stand_ins.items():
            value = re.sub(rf"\b{stand_in}\b", real, value)
    return value


def _field_of(what: str) -> str:
    return {"type": "type", "check": "check", "references": "references", "index": "index", "policy": "policy",
            "enum": "values", "schema": "name", "table": "name"}.get(what, what)


async def normalise(session: SupabaseSession, desired: Sequence[DesiredResource], live: LiveState) -> Normalised:
    """Canonical SQL of every declared type, default, check, index predicate and policy expression."""
    scratch = _scratch(desired, live)
    out = Normalised()
    if not scratch.items:
        return out
    async with session.rolled_back():
        await session.query("create temp table baseform_errors (key text, state text, message text) on commit drop")
        await session.query("select set_config('baseform.scratch', %s, true)", (json.dumps(scratch.items),))
        await session.query(_RUN)
        errors = await session.query("select key, state, message from pg_temp.baseform_errors")
        columns = await session.query(_COLUMNS, (scratch.targets,))
        checks = await session.query(_CHECKS, (scratch.targets,))
        indexes = await session.query(_INDEXES, (scratch.targets,))
        policies = await session.query(_POLICIES, (scratch.targets,))
    failed: set[str] = set()
    for key, _state, message in errors:
        what, _, address = key.partition("\t")
        out.problems.append((address, _field_of(what), message))
        failed.add(address)

    def put(address: Address, key: str, value: Any) -> None:
        if str(address) not in failed:
            out.values.setdefault(str(address), {})[key] = _real_names(value, scratch.stand_ins)

    for target, name, type_text, default in columns:
        column = scratch.column_of.get((target, name))
        if column is not None:
            put(column, "type", type_text)
            put(column, "default", default)
    for name, expr in checks:
        address, _ = scratch.named[name]
        put(address, "check", expr)
    for name, where, cols in indexes:
        address, _ = scratch.named[name]
        put(address, "where", where)
        put(address, "columns", list(cols))
    for name, using, check in policies:
        address, _ = scratch.named[name]
        put(address, "using", using)
        put(address, "with_check", check)
    return out
