"""What the rows already in the database forbid, found when planning (one query, read only).

A constraint the plan adds over existing data would fail in the middle of the apply transaction
(and roll it back): NOT NULL over a column holding NULLs, UNIQUE over duplicate values, a NOT NULL
column without a default added to a table with rows. Planning counts those rows instead and
reports each case at the column's manifest line, so the plan fails before anything is sent.
"""

from __future__ import annotations

from collections.abc import Sequence

from baseform.engine.address import Address
from baseform.engine.resource import DesiredResource, LiveState
from baseform.providers.supabase.names import qualified, quote
from baseform.providers.supabase.session import SupabaseSession

__all__ = ["CONTEXT_DATA", "data_problems"]

CONTEXT_DATA = "data_problems"


def _origin(d: DesiredResource, live: LiveState, renamed: dict[Address, Address]) -> Address:
    """The live address of a declared resource (following its own and its parents' renames)."""
    parent = d.address.parent
    base = renamed.get(parent, parent) if parent is not None else None
    name = d.address.name
    if d.renamed_from:
        old = base.child(d.address.kind, d.renamed_from) if base is not None else d.address
        if old in live.resources:
            return old
    return base.child(d.address.kind, name) if base is not None else d.address


def _queries(desired: Sequence[DesiredResource], live: LiveState) -> list[tuple[str, str, str, str]]:
    """(sql, address, message template, hint) for each check worth a count."""
    renamed: dict[Address, Address] = {}
    out: list[tuple[str, str, str, str]] = []
    for d in sorted(desired, key=lambda d: d.address.depth):
        origin = _origin(d, live, renamed)
        if origin != d.address:
            renamed[d.address] = origin
        if d.address.kind != "columns" or origin.parent not in live.resources:
            continue
        table = qualified(origin.path[0][1], origin.path[1][1])
        column = quote(origin.name)
        found = live.resources.get(origin)
        v = d.value
        if found is None:
            if not v.get("nullable", True) and v.get("default") is None and not v.get("identity"):
                out.append((f"select count(*) from {table}", str(d.address),
                            "a NOT NULL column without a default cannot be added: the table has {n} row(s)",
                            "give it a default, or add it nullable, fill it, then make it NOT NULL"))
            continue
        if not v.get("nullable", True) and found.value.get("nullable"):
            out.append((f"select count(*) from {table} where {column} is null", str(d.address),
                        "NOT NULL cannot be set: {n} row(s) hold NULL in this column",
                        "update those rows first (a default does not fill existing NULLs)"))
        if v.get("unique") and not found.value.get("unique"):
            out.append((f"select count(*) from (select 1 from {table} where {column} is not null group by {column} "
                        "having count(*) > 1) d", str(d.address),
                        "UNIQUE cannot be added: {n} value(s) appear more than once in this column",
                        "remove the duplicates first"))
    return out


async def data_problems(session: SupabaseSession, desired: Sequence[DesiredResource],
                        live: LiveState) -> list[tuple[str, str, str]]:
    """(address, message, hint) of each declared change the existing rows forbid."""
    checks = _queries(desired, live)
    if not checks:
        return []
    union = " union all ".join(f"select {i}, ({sql})::bigint" for i, (sql, *_rest) in enumerate(checks))
    rows = await session.query(union)
    problems = []
    for i, count in rows:
        if count:
            _sql, address, message, hint = checks[i]
            problems.append((address, message.format(n=count), hint))
    return sorted(problems)
