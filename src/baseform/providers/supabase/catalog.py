"""Reading live state from the Postgres catalogs: a fixed handful of queries, whatever the size.

Every query covers all user schemas at once (never one query per table), inside one read-only
transaction, so the plan for 200 tables costs what the plan for 2 does. Supabase-managed and system
schemas are skipped (:mod:`baseform.providers.supabase.names`), except that policies on their
tables (``storage.objects``) are read as top-level ``policies``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from baseform.engine.address import Address
from baseform.engine.resource import LiveResource, LiveState
from baseform.providers.supabase.names import (
    API_ROLES,
    MANAGED_SCHEMAS,
    PROVIDER,
    bucket_address,
    enum_address,
    foreign_policy_address,
    qualified,
    quote,
    schema_address,
    table_address,
)
from baseform.providers.supabase.session import SupabaseSession
from baseform.types import JSONObject

__all__ = ["CONTEXT_COLUMN_TYPES", "CONTEXT_OBJECTS", "CONTEXT_SERVER_MAJOR", "CONTEXT_STORAGE", "build_state",
           "read_catalog"]

CONTEXT_OBJECTS = "buckets_with_objects"
CONTEXT_COLUMN_TYPES = "column_types"
CONTEXT_SERVER_MAJOR = "server_major"
CONTEXT_STORAGE = "has_storage"

_USER_SCHEMA = ("n.nspname <> all(%(managed)s) and n.nspname not like 'pg\\_%%' "
                "and n.nspname not like '\\_timescaledb%%'")
_COMMANDS = {"r": "select", "a": "insert", "w": "update", "d": "delete", "*": "all"}
_ON_DELETE = {"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
_IDENTITY = {"a": "always", "d": "by default"}

_META = """select current_setting('server_version_num')::int, current_setting('server_version'),
  to_regclass('storage.buckets') is not null and to_regclass('storage.objects') is not null"""
_SCHEMAS = f"select n.nspname from pg_namespace n where {_USER_SCHEMA} order by 1"
_TABLES = f"""select c.oid, n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and not c.relispartition and {_USER_SCHEMA} order by 2, 3"""
_COLUMNS = f"""select a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
  pg_get_expr(d.adbin, d.adrelid), tn.nspname, t.typname, a.attgenerated
from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
join pg_type t on t.oid = a.atttypid join pg_namespace tn on tn.oid = t.typnamespace
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p') and not c.relispartition and {_USER_SCHEMA}
order by a.attrelid, a.attnum"""
_CONSTRAINTS = f"""select k.conrelid, k.conname, k.contype,
  array(select a.attname from unnest(k.conkey) with ordinality u(num, ord)
        join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.num order by u.ord),
  fn.nspname, fc.relname,
  array(select a.attname from unnest(k.confkey) with ordinality u(num, ord)
        join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.num order by u.ord),
  k.confdeltype, pg_get_expr(k.conbin, k.conrelid)
from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
left join pg_class fc on fc.oid = k.confrelid left join pg_namespace fn on fn.oid = fc.relnamespace
where k.contype in ('p', 'u', 'c', 'f') and {_USER_SCHEMA} order by k.conrelid, k.conname"""
_INDEXES = f"""select i.indrelid, ic.relname, i.indisunique, am.amname, pg_get_expr(i.indpred, i.indrelid),
  array(select pg_get_indexdef(i.indexrelid, k, true) from generate_series(1, i.indnkeyatts) k)
from pg_index i join pg_class ic on ic.oid = i.indexrelid join pg_am am on am.oid = ic.relam
join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
where not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid and k.contype in ('p', 'u', 'x'))
  and c.relkind in ('r', 'p') and {_USER_SCHEMA} order by ic.relname"""
_POLICIES = """select n.nspname, c.relname, p.polname, p.polcmd, p.polpermissive,
  array(select case when r = 0 then 'public' else pg_get_userbyid(r) end from unnest(p.polroles) r order by 1),
  pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
where n.nspname not in ('pg_catalog', 'information_schema') order by 1, 2, 3"""
_GRANTS = f"""select c.oid, r.rolname, lower(a.privilege_type)
from pg_class c join pg_namespace n on n.oid = c.relnamespace, aclexplode(c.relacl) a
join pg_roles r on r.oid = a.grantee
where c.relkind in ('r', 'p') and not c.relispartition and a.grantee <> c.relowner and {_USER_SCHEMA}"""
_ENUMS = f"""select n.nspname, t.typname, array_agg(e.enumlabel::text order by e.enumsortorder)
from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_enum e on e.enumtypid = t.oid
where {_USER_SCHEMA} group by 1, 2 order by 1, 2"""
_BUCKETS = """select b.id, b.name, b.public, b.file_size_limit, b.allowed_mime_types,
  exists(select 1 from storage.objects o where o.bucket_id = b.id)
from storage.buckets b order by b.id"""


def _params() -> dict[str, Any]:
    return {"managed": sorted(MANAGED_SCHEMAS)}


async def read_catalog(session: SupabaseSession) -> LiveState:
    """Live state; must run inside :meth:`SupabaseSession.read_only` or an apply transaction."""
    params = _params()
    (version_num, version, has_storage), = await session.query(_META)
    schemas = [r[0] for r in await session.query(_SCHEMAS, params)]
    tables = await session.query(_TABLES, params)
    columns = await session.query(_COLUMNS, params)
    constraints = await session.query(_CONSTRAINTS, params)
    indexes = await session.query(_INDEXES, params)
    policies = await session.query(_POLICIES)
    grants = await session.query(_GRANTS, params)
    enums = await session.query(_ENUMS, params)
    buckets = await session.query(_BUCKETS) if has_storage else []
    return build_state(session.endpoint, version, int(version_num), bool(has_storage), schemas, tables, columns,
                       constraints, indexes, policies, grants, enums, buckets)


def _table_constraints(constraints: list[tuple[Any, ...]]) -> dict[int, dict[str, Any]]:
    """Per table oid: its primary key and, per column, the one-column constraints (first by name)."""
    out: dict[int, dict[str, Any]] = {}
    for relid, name, kind, cols, fschema, ftable, fcols, deltype, expr in constraints:
        table = out.setdefault(relid, {"pkey": None, "pkey_columns": [], "columns": {}})
        if kind == "p":
            table["pkey"], table["pkey_columns"] = name, list(cols)
            continue
        if len(cols) != 1:
            continue  # several columns: not expressible per column, left alone
        col = table["columns"].setdefault(cols[0], {})
        key = {"u": "unique", "c": "check", "f": "fkey"}[kind]
        if key in col:
            continue
        col[key] = name
        if kind == "c":
            col["check_expr"] = expr
        elif kind == "f" and len(fcols) == 1:
            col["references"] = f"{qualified(fschema, ftable)}({quote(fcols[0])})"
            col["on_delete"] = _ON_DELETE.get(deltype, "no action")
    return out


def build_state(endpoint: str, version: str, version_num: int, has_storage: bool, schemas: list[str],
                tables: list[tuple[Any, ...]], columns: list[tuple[Any, ...]], constraints: list[tuple[Any, ...]],
                indexes: list[tuple[Any, ...]], policies: list[tuple[Any, ...]], grants: list[tuple[Any, ...]],
                enums: list[tuple[Any, ...]], buckets: list[tuple[Any, ...]]) -> LiveState:
    """The LiveState of these catalog rows. Pure."""
    resources: dict[Address, LiveResource] = {}

    def add(address: Address, value: JSONObject, raw: Any = None) -> None:
        resources[address] = LiveResource(address, value, raw)

    for schema in schemas:
        add(schema_address(schema), {})
    by_oid: dict[int, Address] = {}
    grants_of: dict[int, dict[str, list[str]]] = {}
    for relid, role, privilege in grants:
        grants_of.setdefault(relid, {}).setdefault(role, []).append(privilege)
    keys = _table_constraints(constraints)
    for relid, schema, name, rls, forced, in tables:
        address = table_address(schema, name)
        by_oid[relid] = address
        found: dict[str, list[str]] = {role: [] for role in API_ROLES} | grants_of.get(relid, {})
        table_grants = {role: sorted(p) for role, p in sorted(found.items())}
        info = keys.get(relid, {"pkey": None, "pkey_columns": []})
        add(address, {"rls": {"enabled": bool(rls), "forced": bool(forced)}, "grants": table_grants},
            {"rls": [bool(rls), bool(forced)], "grants": table_grants, "pkey": info["pkey"],
             "pkey_columns": info["pkey_columns"]})
    column_types: dict[str, list[str]] = {}
    for relid, name, type_text, notnull, identity, default, typschema, typname, generated in columns:
        table = by_oid.get(relid)
        if table is None:
            continue
        info = keys.get(relid, {"pkey_columns": [], "columns": {}})
        c = info.get("columns", {}).get(name, {})
        value: JSONObject = {
            "type": type_text, "nullable": not notnull, "default": default if not generated else None,
            "identity": _IDENTITY.get(identity), "primary_key": name in info.get("pkey_columns", []),
            "unique": "unique" in c, "check": c.get("check_expr"), "references": c.get("references"),
            "on_delete": c.get("on_delete"),
        }
        constraint_names = {k: c[k] for k in ("unique", "check", "fkey") if k in c}
        add(table.child("columns", name), value, {**value, "constraints": constraint_names,
                                                  "type_name": [typschema, typname]})
        column_types.setdefault(f"{typschema}.{typname}", []).append(str(table.child("columns", name)))
    for relid, name, unique, method, where, cols in indexes:
        table = by_oid.get(relid)
        if table is not None:
            add(table.child("indexes", name), {"columns": list(cols), "unique": bool(unique), "method": method,
                                               "where": where})
    for schema, table_name, name, cmd, permissive, roles, using, check in policies:
        value = {"command": _COMMANDS[cmd], "as": "permissive" if permissive else "restrictive",
                 "to": sorted(roles), "using": using, "with_check": check}
        table = table_address(schema, table_name)
        if table in resources:
            add(table.child("policies", name), value)
        elif schema in MANAGED_SCHEMAS:
            add(foreign_policy_address(f"{schema}.{table_name}", name), {**value, "table": f"{schema}.{table_name}"})
    for schema, name, values in enums:
        add(enum_address(schema, name), {"values": list(values)})
    with_objects: list[str] = []
    for bucket_id, name, public, limit, mimes, has_objects in buckets:
        add(bucket_address(bucket_id), {"name": name, "public": bool(public), "file_size_limit": limit,
                                        "allowed_mime_types": sorted(mimes) if mimes is not None else None})
        if has_objects:
            with_objects.append(bucket_id)
    context: Mapping[str, Any] = {CONTEXT_OBJECTS: with_objects, CONTEXT_COLUMN_TYPES: column_types,
                                  CONTEXT_SERVER_MAJOR: version_num // 10000, CONTEXT_STORAGE: has_storage}
    return LiveState(PROVIDER, endpoint, version.split()[0], resources, dict(context))
