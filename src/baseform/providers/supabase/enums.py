"""Enums (``CREATE TYPE ... AS ENUM``): values are added in place; removing or reordering one
replaces the type. Pure.

A replacement keeps the data of every column that uses the type: the old type is renamed aside, the
new one created, each such column converted through text (a row holding a removed value makes the
apply fail and roll back), and the old type dropped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from baseform.engine.address import Address
from baseform.engine.change import Action, Change, FieldDiff
from baseform.engine.resource import KindRules
from baseform.providers.supabase.models import EnumSpec
from baseform.providers.supabase.names import qualified, quote
from baseform.providers.supabase.script import Phase
from baseform.types import JSONObject

__all__ = ["ENUMS", "added_values", "desired_enum", "enum_replace_reasons", "enum_statements"]

ENUMS = KindRules("enums", renamable=True, managed_alone=True)


def desired_enum(spec: EnumSpec) -> JSONObject:
    return {"values": list(spec.values)}


def added_values(before: Sequence[str], after: Sequence[str]) -> list[tuple[str, str | None]]:
    """(value, the value it goes before) for each value of ``after`` not in ``before``, when
    ``after`` keeps every value of ``before`` in order (else the change is a replacement)."""
    out: list[tuple[str, str | None]] = []
    for i, value in enumerate(after):
        if value not in before:
            following = next((v for v in after[i + 1:] if v in before), None)
            out.append((value, following))
    return out


def enum_replace_reasons(before: JSONObject, after: JSONObject, diffs: Sequence[FieldDiff]) -> list[str]:
    old, new = list(before.get("values", [])), list(after.get("values", []))
    removed = [v for v in old if v not in new]
    if removed:
        return [f"values {', '.join(map(repr, removed))} removed: Postgres cannot drop an enum value, so the type "
                "is recreated and every column using it converted (rows holding a removed value make the apply "
                "fail)"]
    if [v for v in new if v in old] != old:
        return ["values reordered: the type is recreated and every column using it converted"]
    return []


def _type_name(address: Address) -> str:
    return qualified(address.path[0][1], address.name)


def enum_statements(change: Change, users: Mapping[Address, Sequence[tuple[str, str, str | None, bool]]],
                    renamed_from: str | None) -> Iterator[tuple[Phase, str]]:
    """Statements of one enum change. ``users``: for a replaced enum, the live columns of that type
    as (qualified table, column, live default, whether to put the default back afterwards)."""
    name = _type_name(change.address)
    if renamed_from is not None:
        yield Phase.RENAME, f"alter type {qualified(change.address.path[0][1], renamed_from)} rename to " \
                            f"{quote(change.address.name)}"
    if change.action is Action.DELETE:
        yield Phase.DROP_TYPE, f"drop type {name}"
        return
    after = change.after or {}
    values = ", ".join(_literal(v) for v in after.get("values", []))
    if change.action is Action.CREATE:
        yield Phase.TYPE, f"create type {name} as enum ({values})"
    elif change.action is Action.UPDATE:
        for value, before in added_values((change.before or {}).get("values", []), after.get("values", [])):
            yield Phase.TYPE, f"alter type {name} add value {_literal(value)}" + (
                f" before {_literal(before)}" if before is not None else "")
    elif change.action is Action.REPLACE:
        aside = quote(change.address.name[:50] + "__replaced")
        yield Phase.TYPE, f"alter type {name} rename to {aside}"
        yield Phase.TYPE, f"create type {name} as enum ({values})"
        for table, column, default, restore in users.get(change.address, ()):
            col = quote(column)
            if default is not None:
                yield Phase.TYPE, f"alter table {table} alter column {col} drop default"
            yield Phase.TYPE, f"alter table {table} alter column {col} type {name} using {col}::text::{name}"
            if default is not None and restore:
                yield Phase.TYPE, f"alter table {table} alter column {col} set default {default}"
        yield Phase.TYPE, f"drop type {qualified(change.address.path[0][1], change.address.name[:50] + '__replaced')}"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
