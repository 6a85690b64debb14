"""``baseform export --provider supabase``: live state as a minimal, stable ``supabase`` section. Pure.

Everything is sorted by name, keys with their default value are left out, and what the server
normalised is written in the server's own text, so exporting twice gives the same bytes and the
export plans as no changes. Grants equal to Supabase's defaults (every privilege for ``anon``,
``authenticated`` and ``service_role``) are left out, as is RLS when it is off.
"""

from __future__ import annotations

from typing import Any

from baseform.engine.address import Address
from baseform.engine.resource import LiveState
from baseform.providers.supabase.catalog import CONTEXT_SERVER_MAJOR
from baseform.providers.supabase.names import API_ROLES
from baseform.providers.supabase.tables import expand_privileges
from baseform.types import JSONObject

__all__ = ["export_section"]


def _children(live: LiveState, parent: Address, kind: str) -> list[tuple[str, JSONObject]]:
    found = [(a.name, r.value) for a, r in live.resources.items() if a.parent == parent and a.kind == kind]
    return sorted(found)


def _column(name: str, v: JSONObject) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "type": v["type"]}
    implied_not_null = bool(v.get("primary_key") or v.get("identity"))
    if not v.get("nullable", True) and not implied_not_null:
        out["nullable"] = False
    for key in ("default", "identity", "check", "references"):
        if v.get(key) is not None:
            out[key] = v[key]
    for key in ("primary_key", "unique"):
        if v.get(key):
            out[key] = True
    if v.get("references") and v.get("on_delete") not in (None, "no action"):
        out["on_delete"] = v["on_delete"]
    return out


def _table(live: LiveState, address: Address, value: JSONObject, everything: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": address.name}
    rls = value.get("rls") or {}
    if rls.get("forced"):
        out["rls"] = {"enabled": bool(rls.get("enabled")), "forced": True}
    elif rls.get("enabled"):
        out["rls"] = True
    out["columns"] = [_column(n, v) for n, v in _children(live, address, "columns")]
    indexes = []
    for name, v in _children(live, address, "indexes"):
        index: dict[str, Any] = {"name": name, "columns": v["columns"]}
        if v.get("unique"):
            index["unique"] = True
        if v.get("method") not in (None, "btree"):
            index["method"] = v["method"]
        if v.get("where"):
            index["where"] = v["where"]
        indexes.append(index)
    if indexes:
        out["indexes"] = indexes
    policies = [_policy(n, v) for n, v in _children(live, address, "policies")]
    if policies:
        out["policies"] = policies
    grants = value.get("grants") or {}
    if any(sorted(grants.get(r, [])) != everything for r in API_ROLES) or set(grants) - set(API_ROLES):
        out["grants"] = [{"to": role, "privileges": ["all"] if privileges == everything else privileges}
                         for role, privileges in sorted(grants.items()) if privileges]
    return out


def _policy(name: str, v: JSONObject) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name}
    if v.get("table"):
        out = {"table": v["table"], "name": name.removeprefix(str(v["table"]) + ".")}
    if v["command"] != "all":
        out["command"] = v["command"]
    if v["as"] != "permissive":
        out["as"] = v["as"]
    if v["to"] != ["public"]:
        out["to"] = v["to"]
    for key in ("using", "with_check"):
        if v.get(key) is not None:
            out[key] = v[key]
    return out


def export_section(live: LiveState) -> JSONObject:
    everything = expand_privileges(["all"], int(live.context.get(CONTEXT_SERVER_MAJOR) or 0))
    schemas = []
    tops = sorted((a for a in live.resources if a.depth == 1), key=str)
    for address in (a for a in tops if a.kind == "schemas"):
        schema: dict[str, Any] = {"name": address.name}
        enums = [{"name": n, "values": v["values"]} for n, v in _children(live, address, "enums")]
        if enums:
            schema["enums"] = enums
        tables = [_table(live, address.child("tables", n), v, everything)
                  for n, v in _children(live, address, "tables")]
        if tables:
            schema["tables"] = tables
        schemas.append(schema)
    section: dict[str, Any] = {}
    if schemas:
        section["schemas"] = schemas
    buckets = []
    for address in (a for a in tops if a.kind == "buckets"):
        v = live.resources[address].value
        bucket: dict[str, Any] = {"id": address.name}
        if v["name"] != address.name:
            bucket["name"] = v["name"]
        if v["public"]:
            bucket["public"] = True
        for key in ("file_size_limit", "allowed_mime_types"):
            if v.get(key) is not None:
                bucket[key] = v[key]
        buckets.append(bucket)
    if buckets:
        section["buckets"] = buckets
    policies = [_policy(a.name, live.resources[a].value) for a in tops if a.kind == "policies"]
    if policies:
        section["policies"] = policies
    return section
