"""Columns: type, nullability, default, identity and the single-column constraints. Pure.

The diff shape is ``{type, nullable, default, identity, primary_key, unique, check, references,
on_delete}``; ``type``, ``default`` and ``check`` hold the server's canonical text (``format_type``,
``pg_get_expr``) on both sides once planning normalised the declared SQL. Constraints get
Postgres's own default names (``<table>_<column>_key``/``_check``/``_fkey``, ``<table>_pkey``).

A type change is made in place (``ALTER COLUMN ... TYPE ... USING column::type``, values are
converted); unless it only widens the type (varchar(10) -> varchar(20) or text, int -> bigint...)
it may rewrite or lose data, so it is planned as a replacement and needs ``--allow-destroy``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from baseform.engine.change import Action, Change, FieldDiff
from baseform.engine.resource import KindRules
from baseform.providers.supabase.models import ColumnSpec
from baseform.providers.supabase.names import quote
from baseform.providers.supabase.script import Phase
from baseform.types import JSON, JSONObject

__all__ = [
    "COLUMNS",
    "column_definition",
    "column_replace_reasons",
    "column_statements",
    "constraint_name",
    "desired_column",
    "foreign_key",
    "parse_reference",
]

COLUMNS = KindRules("columns", renamable=True, data_loss="its value in every row",
                    # what Postgres assumes when a column definition leaves them out (hidden in create blocks)
                    defaults={"nullable": True, "default": None, "identity": None, "primary_key": False,
                              "unique": False, "check": None, "references": None, "on_delete": None})

_REFERENCE = re.compile(r'^\s*(?:("(?:[^"]|"")+"|[^".()\s]+)\s*\.\s*)?("(?:[^"]|"")+"|[^".()\s]+)\s*'
                        r'\(\s*("(?:[^"]|"")+"|[^".()\s]+)\s*\)\s*$')
_WIDENING = {
    ("smallint", "integer"), ("smallint", "bigint"), ("integer", "bigint"), ("real", "double precision"),
    ("character varying", "text"), ("character", "text"), ("character", "character varying"),
}


def _ident(text: str) -> str:
    """A name as Postgres reads it: quoted kept as written, bare folded to lower case."""
    return text[1:-1].replace('""', '"') if text.startswith('"') else text.lower()


def parse_reference(text: str) -> tuple[str, str, str] | None:
    """``auth.users(id)`` -> ("auth", "users", "id"); the schema defaults to public."""
    m = _REFERENCE.match(text)
    if not m:
        return None
    schema, table, column = m.groups()
    return (_ident(schema) if schema else "public", _ident(table), _ident(column))


def _reference_text(ref: tuple[str, str, str]) -> str:
    return f"{quote(ref[0])}.{quote(ref[1])}({quote(ref[2])})"


def desired_column(spec: ColumnSpec) -> JSONObject:
    """The diff shape of a declared column (SQL text as written; planning normalises it)."""
    ref = parse_reference(spec.references) if spec.references else None
    return {
        "type": spec.type.strip(),
        "nullable": spec.nullable and not spec.primary_key and spec.identity is None,
        "default": spec.default,
        "identity": spec.identity,
        "primary_key": spec.primary_key,
        "unique": spec.unique,
        "check": spec.check,
        "references": _reference_text(ref) if ref else None,
        "on_delete": (spec.on_delete or "no action") if ref else None,
    }


def _base_type(text: str) -> tuple[str, int | None]:
    m = re.fullmatch(r"(.+?)(?:\((\d+)\))?", str(text))
    assert m is not None
    return m.group(1), int(m.group(2)) if m.group(2) else None


def _widens(before: str, after: str) -> bool:
    (old, old_len), (new, new_len) = _base_type(before), _base_type(after)
    if (old, new) in _WIDENING and new_len is None:
        return True
    if old == new and old in ("character varying", "character"):
        return new_len is None or (old_len is not None and new_len >= old_len)
    if old == new and old == "numeric":
        return after == "numeric"
    return False


def column_replace_reasons(before: JSONObject, after: JSONObject, diffs: Sequence[FieldDiff]) -> list[str]:
    for d in diffs:
        if d.path == "type" and not _widens(str(d.before), str(d.after)):
            return [f"type {d.before} -> {d.after} rewrites the column in place (ALTER COLUMN ... TYPE ... USING): "
                    "values that do not convert fail the apply or lose precision"]
    return []


def constraint_name(table: str, column: str, suffix: str) -> str:
    """Postgres's default name for a one-column constraint (truncated to 63 bytes like the server)."""
    return f"{table}_{column}_{suffix}"[:63]


def column_definition(name: str, value: JSONObject, *, inline_primary_key: bool) -> str:
    """``name type [generated ...] [not null] [default ...] [unique] [check (...)]`` (no foreign key)."""
    parts = [quote(name), str(value["type"])]
    if value.get("identity"):
        parts.append(f"generated {value['identity']} as identity")
    if not value.get("nullable", True):
        parts.append("not null")
    if value.get("default") is not None:
        parts.append(f"default {value['default']}")
    if inline_primary_key and value.get("primary_key"):
        parts.append("primary key")
    if value.get("unique"):
        parts.append("unique")
    if value.get("check") is not None:
        parts.append(f"check ({value['check']})")
    return " ".join(parts)


def foreign_key(table_sql: str, table: str, column: str, value: JSONObject) -> str:
    name = quote(constraint_name(table, column, "fkey"))
    on_delete = value.get("on_delete") or "no action"
    return (f"alter table {table_sql} add constraint {name} foreign key ({quote(column)}) references "
            f"{value['references']}" + (f" on delete {on_delete}" if on_delete != "no action" else ""))


def _changed(change: Change, key: str) -> bool:
    return any(d.path == key or d.path.startswith(key + ".") for d in change.diff)


def column_statements(change: Change, table_sql: str, table: str, live_raw: JSON,
                      renamed_from: str | None) -> Iterator[tuple[Phase, str]]:
    """The statements of one column change on an existing table (primary keys are the table's)."""
    column = change.address.name
    col = quote(column)
    raw = live_raw if isinstance(live_raw, dict) else {}
    names = raw.get("constraints") or {}
    if renamed_from is not None:
        yield Phase.RENAME, f"alter table {table_sql} rename column {quote(renamed_from)} to {col}"
    if change.action is Action.DELETE:
        yield Phase.DROP_COLUMN, f"alter table {table_sql} drop column {col}"
        return
    after = change.after or {}
    if change.action is Action.CREATE:
        yield Phase.COLUMN, f"alter table {table_sql} add column " + column_definition(
            column, after, inline_primary_key=False)
        if after.get("references"):
            yield Phase.ADD_FOREIGN_KEY, foreign_key(table_sql, table, column, after)
        return
    before = change.before or {}
    alter = f"alter table {table_sql} alter column {col}"
    # constraints that change are dropped first (by their live names) and added back afterwards
    for key, kind in (("unique", "unique"), ("check", "check")):
        if _changed(change, key) and names.get(kind):
            yield Phase.DROP_CONSTRAINT, f"alter table {table_sql} drop constraint {quote(names[kind])}"
    if (_changed(change, "references") or _changed(change, "on_delete")) and names.get("fkey"):
        yield Phase.DROP_CONSTRAINT, f"alter table {table_sql} drop constraint {quote(names['fkey'])}"
    if _changed(change, "identity") and before.get("identity"):
        yield Phase.COLUMN, f"{alter} drop identity"
    if _changed(change, "default") and before.get("default") is not None:
        yield Phase.COLUMN, f"{alter} drop default"
    if _changed(change, "type"):
        yield Phase.COLUMN, f"{alter} type {after['type']} using {col}::{after['type']}"
    if _changed(change, "default") and after.get("default") is not None:
        yield Phase.COLUMN, f"{alter} set default {after['default']}"
    if _changed(change, "nullable"):
        yield Phase.COLUMN, f"{alter} {'drop' if after.get('nullable') else 'set'} not null"
    if _changed(change, "identity") and after.get("identity"):
        yield Phase.COLUMN, f"{alter} add generated {after['identity']} as identity"
    if after.get("unique") and _changed(change, "unique"):
        yield Phase.ADD_CONSTRAINT, (f"alter table {table_sql} add constraint "
                                     f"{quote(constraint_name(table, column, 'key'))} unique ({col})")
    if after.get("check") is not None and _changed(change, "check"):
        yield Phase.ADD_CONSTRAINT, (f"alter table {table_sql} add constraint "
                                     f"{quote(constraint_name(table, column, 'check'))} check ({after['check']})")
    if after.get("references") and (_changed(change, "references") or _changed(change, "on_delete")):
        yield Phase.ADD_FOREIGN_KEY, foreign_key(table_sql, table, column, after)
