"""A live schema (``GET /v1/database/:name/schema?version=9``, a RawModuleDefV9) as ``expect`` tables.

The document's shape is crates/lib/src/db/raw_def/v9.rs serialised as SATS-JSON: a table names its
row type by ``product_type_ref`` into ``typespace.types``, whose element names are the columns;
``primary_key`` lists column positions; options are ``{"some": x}`` / ``{"none": []}`` and enums
``{"Variant": []}``. Pure.
"""

from __future__ import annotations

from typing import Any

from baseform.types import JSON, JSONObject

__all__ = ["project_expect", "schema_tables"]


def _option(value: Any) -> Any:
    return value.get("some") if isinstance(value, dict) else None


def _variant(value: Any) -> str | None:
    return next(iter(value)) if isinstance(value, dict) and len(value) == 1 else None


def schema_tables(schema: JSON) -> dict[str, JSONObject]:
    """The user tables of a schema: name -> {access, primaryKey, columns}, in the module's order."""
    if not isinstance(schema, dict):
        return {}
    types = (schema.get("typespace") or {}).get("types") or []
    out: dict[str, JSONObject] = {}
    for table in schema.get("tables") or []:
        if not isinstance(table, dict) or _variant(table.get("table_type")) == "System":
            continue
        ref = table.get("product_type_ref")
        row = types[ref] if isinstance(ref, int) and 0 <= ref < len(types) else {}
        elements = (row.get("Product") or {}).get("elements") or [] if isinstance(row, dict) else []
        columns = [str(_option(e.get("name")) if _option(e.get("name")) is not None else i)
                   for i, e in enumerate(elements)]
        primary = [columns[c] for c in table.get("primary_key") or [] if isinstance(c, int) and c < len(columns)]
        access = _variant(table.get("table_access"))
        out[str(table.get("name"))] = {"access": (access or "").lower(), "primaryKey": primary, "columns": columns}
    return out


def project_expect(tables: dict[str, JSONObject], declared: JSONObject | None) -> JSONObject:
    """The live tables in the shape of a declared ``expect`` value: each declared table limited to the
    keys it declares; undeclared live tables whole (the contract lists every table, so they differ)."""
    wanted = (declared or {}).get("tables") or {}
    out: JSONObject = {}
    for name, table in tables.items():
        keys = wanted.get(name)
        out[name] = {k: v for k, v in table.items() if k in keys} if isinstance(keys, dict) else dict(table)
    return {"tables": out}
