"""Indexes (not those behind a primary key or unique constraint): any change recreates it. Pure.

The diff shape is ``{columns, unique, method, where}`` with ``where`` in the server's canonical text;
``concurrently`` is how to build it (``CREATE INDEX CONCURRENTLY``, outside the apply transaction),
not something the server keeps, so it is never compared.
"""

from __future__ import annotations

from collections.abc import Iterator

from baseform.engine.change import Action, Change
from baseform.engine.resource import KindRules
from baseform.providers.supabase.models import IndexSpec
from baseform.providers.supabase.names import qualified, quote
from baseform.providers.supabase.script import Phase
from baseform.types import JSONObject

__all__ = ["INDEXES", "create_index", "desired_index", "index_statements"]

INDEXES = KindRules("indexes", replace_on=frozenset({"columns", "unique", "method", "where"}),
                    ignore=frozenset({"concurrently"}),
                    defaults={"unique": False, "method": "btree", "where": None, "concurrently": False})


def desired_index(spec: IndexSpec) -> JSONObject:
    return {"columns": list(spec.columns), "unique": spec.unique, "method": spec.method, "where": spec.where,
            "concurrently": spec.concurrently}


def create_index(name: str, table_sql: str, value: JSONObject, *, concurrently: bool = False) -> str:
    columns = ", ".join(quote(c) for c in value["columns"])
    return (f"create {'unique ' if value.get('unique') else ''}index {'concurrently ' if concurrently else ''}"
            f"{quote(name)} on {table_sql} using {value.get('method') or 'btree'} ({columns})"
            + (f" where {value['where']}" if value.get("where") else ""))


def index_statements(change: Change, table_sql: str) -> Iterator[tuple[Phase, str]]:
    """Statements in the apply transaction; a concurrent create is returned by the caller apart."""
    schema = change.address.path[0][1]
    if change.action in (Action.DELETE, Action.REPLACE):
        yield Phase.DROP_INDEX, f"drop index {qualified(schema, change.address.name)}"
    if change.action in (Action.CREATE, Action.REPLACE) and change.after is not None:
        yield Phase.CREATE_INDEX, create_index(change.address.name, table_sql, change.after)
