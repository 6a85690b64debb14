"""Names: the schemas and roles Supabase manages itself, identifier quoting, and resource addresses.

Supabase-managed schemas (``auth``, ``storage``, ``realtime``...) and the system schemas are never
read as resources, never touched and never listed as unmanaged; neither are its roles granted or
revoked anything except through a declared table's ``grants``.
"""

from __future__ import annotations

import re

from baseform.engine.address import Address

__all__ = [
    "API_ROLES",
    "MANAGED_SCHEMAS",
    "PROVIDER",
    "bucket_address",
    "enum_address",
    "foreign_policy_address",
    "is_managed_schema",
    "qualified",
    "quote",
    "schema_address",
    "table_address",
]

PROVIDER = "supabase"

# the schemas Supabase (or Postgres, or an extension) owns; from the Supabase CLI's list of schemas its
# diff skips and the schemas of a new project
MANAGED_SCHEMAS = frozenset({
    "auth", "storage", "realtime", "_realtime", "extensions", "graphql", "graphql_public", "vault", "pgsodium",
    "pgsodium_masks", "supabase_functions", "supabase_migrations", "net", "cron", "pgbouncer", "_analytics",
    "_supavisor", "pgtle", "repack", "pgroonga", "tiger", "tiger_data", "topology", "information_schema",
    "pg_catalog", "pg_toast", "timescaledb_information", "timescaledb_experimental", "_timescaledb_cache",
    "_timescaledb_catalog", "_timescaledb_config", "_timescaledb_internal",
})

API_ROLES = ("anon", "authenticated", "service_role")
"""The roles PostgREST switches to; a declared table's ``grants`` are authoritative for these."""

_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*")
_KEYWORDS = frozenset({
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast", "check",
    "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role", "current_time",
    "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except",
    "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in", "initially", "intersect", "into",
    "lateral", "leading", "limit", "localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or",
    "order", "placing", "primary", "references", "returning", "select", "session_user", "some", "symmetric",
    "system_user", "table", "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic",
    "when", "where", "window", "with", "authorization", "binary", "collation", "concurrently", "cross",
    "current_schema", "freeze", "full", "ilike", "inner", "is", "isnull", "join", "left", "like", "natural",
    "notnull", "outer", "overlaps", "right", "similar", "tablesample", "verbose",
})


def is_managed_schema(name: str) -> bool:
    """Whether Supabase or Postgres owns this schema (baseform never touches it)."""
    return name in MANAGED_SCHEMAS or name.startswith(("pg_", "_timescaledb"))


def quote(name: str) -> str:
    """An identifier as SQL: bare when Postgres would print it bare, else double-quoted."""
    if _PLAIN.fullmatch(name) and name not in _KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, name: str) -> str:
    return f"{quote(schema)}.{quote(name)}"


def schema_address(schema: str) -> Address:
    return Address(PROVIDER, (("schemas", schema),))


def table_address(schema: str, table: str) -> Address:
    return schema_address(schema).child("tables", table)


def enum_address(schema: str, name: str) -> Address:
    return schema_address(schema).child("enums", name)


def bucket_address(bucket: str) -> Address:
    return Address(PROVIDER, (("buckets", bucket),))


def foreign_policy_address(table: str, name: str) -> Address:
    """``supabase.policies["storage.objects.avatar owners read"]`` (``table`` is ``schema.table``)."""
    return Address(PROVIDER, (("policies", f"{table}.{name}"),))
