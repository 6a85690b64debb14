"""Schemas: the top-level resources of the ``supabase`` section. Pure.

A declared schema is created when missing; its enums and tables are managed one by one (an
undeclared table of a declared schema is left alone and listed, unless ``prune``). An undeclared
schema (outside Supabase's own) is listed as unmanaged, and dropped only with ``prune``: then its
tables are dropped one by one first and the schema last, without CASCADE, so anything baseform does
not know about (a view, a function) makes the apply fail and roll back instead of vanishing.
"""

from __future__ import annotations

from collections.abc import Iterator

from baseform.engine.change import Action, Change
from baseform.engine.resource import KindRules
from baseform.providers.supabase.names import quote
from baseform.providers.supabase.script import Phase

__all__ = ["SCHEMAS", "schema_statements"]

SCHEMAS = KindRules("schemas", data_loss="all its tables and their rows")


def schema_statements(change: Change) -> Iterator[tuple[Phase, str]]:
    name = quote(change.address.name)
    if change.action is Action.CREATE:
        yield Phase.CREATE_SCHEMA, f"create schema {name}"
    elif change.action is Action.DELETE:
        yield Phase.DROP_SCHEMA, f"drop schema {name}"
