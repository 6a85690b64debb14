"""``baseform export --provider spacetimedb``: the owned databases and their live schema as ``expect``. Pure.

The artifact a database runs cannot be exported (a compiled module), so exported databases have no
``module``: the manifest checks the live schema against ``expect`` until a ``module`` is added to
publish from it.
"""

from __future__ import annotations

from baseform.engine.resource import LiveState
from baseform.providers.spacetimedb.schema import schema_tables
from baseform.types import JSONObject

__all__ = ["export_section"]


def export_section(live: LiveState) -> JSONObject:
    databases = []
    for address in sorted(live.resources, key=str):
        raw = live.resources[address].raw
        schema = raw.get("schema") if isinstance(raw, dict) else None
        tables = [{"name": name, **table} for name, table in schema_tables(schema).items()]
        databases.append({"name": address.name, "expect": {"tables": tables}})
    return {"databases": databases}
