"""From a Supabase plan's changes to its operations: one transaction, plus the marked phases that
cannot run inside one. Pure.

Each change yields statements tagged with a :class:`~baseform.providers.supabase.script.Phase`; the
transaction runs them by phase, then in address order. Children covered by their parent's statement
(the columns of a new table, whatever a dropped table held) yield nothing. Outside the transaction,
and marked as such: ``ALTER TYPE ... ADD VALUE`` for values the same plan uses (Postgres refuses a
new enum value in the transaction that added it), before; ``CREATE INDEX CONCURRENTLY``, after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.operation import Operation
from baseform.engine.resource import DesiredResource, LiveState
from baseform.errors import PlanError
from baseform.providers.supabase.buckets import bucket_statements
from baseform.providers.supabase.catalog import CONTEXT_OBJECTS
from baseform.providers.supabase.columns import column_statements
from baseform.providers.supabase.enums import added_values, enum_statements
from baseform.providers.supabase.indexes import create_index, index_statements
from baseform.providers.supabase.names import PROVIDER, qualified
from baseform.providers.supabase.policies import policy_statements
from baseform.providers.supabase.schemas import schema_statements
from baseform.providers.supabase.script import Expectation, Phase, SqlScript, Statement
from baseform.providers.supabase.tables import primary_key_statements, table_sql, table_statements

__all__ = ["build_operations"]


@dataclass(frozen=True, slots=True)
class _Context:
    changes: Mapping[Address, Change]
    desired: Mapping[Address, DesiredResource]
    children: Mapping[tuple[Address, str], Sequence[DesiredResource]]
    live: LiveState

    def parent_action(self, change: Change) -> Action | None:
        parent = change.address.parent
        found = self.changes.get(parent) if parent is not None else None
        return found.action if found is not None else None

    def old_name(self, change: Change) -> str | None:
        """The resource's own old name when it is renamed (not when only its table is)."""
        old = change.renamed_from
        return old.name if old is not None and old.name != change.address.name else None

    def live_raw(self, change: Change) -> object:
        found = self.live.resources.get(change.renamed_from or change.address)
        return found.raw if found is not None else None


Emit = Callable[[Change, _Context], Iterable[tuple[Phase, str]]]


def _schemas(change: Change, ctx: _Context) -> Iterable[tuple[Phase, str]]:
    return schema_statements(change)


def _enums(change: Change, ctx: _Context) -> Iterable[tuple[Phase, str]]:
    users: dict[Address, list[tuple[str, str, str | None, bool]]] = {}
    if change.action is Action.REPLACE:
        schema, name = change.address.path[0][1], (change.renamed_from or change.address).name
        for resource in ctx.live.resources.values():
            raw = resource.raw
            if resource.address.kind == "columns" and isinstance(raw, dict) and raw.get("type_name") == [schema, name]:
                # a default the plan changes anyway is not put back (it may hold a removed value)
                column = ctx.changes.get(resource.address)
                kept = column is None or not any(d.path == "default" for d in column.diff)
                users.setdefault(change.address, []).append(
                    (table_sql(resource.address), resource.address.name, raw.get("default"), kept))
    return enum_statements(change, users, ctx.old_name(change))


def _tables(change: Change, ctx: _Context) -> Iterator[tuple[Phase, str]]:
    columns = [(d.address.name, d.value) for d in ctx.children.get((change.address, "columns"), [])]
    raw = ctx.live_raw(change)
    live = raw if isinstance(raw, dict) else {}
    yield from table_statements(change, columns, live.get("grants"), ctx.old_name(change))
    if change.action in (Action.UPDATE, Action.NOOP) and change.address in ctx.desired:
        declared = [name for name, value in columns if value.get("primary_key")]
        yield from primary_key_statements(table_sql(change.address), change.address.name, declared,
                                          live.get("pkey_columns") or [], live.get("pkey"))


def _columns(change: Change, ctx: _Context) -> Iterable[tuple[Phase, str]]:
    if ctx.parent_action(change) in (Action.CREATE, Action.DELETE):
        return ()  # created inline with its table, or dropped with it
    return column_statements(change, table_sql(change.address), change.address.path[1][1], ctx.live_raw(change),
                             ctx.old_name(change))


def _indexes(change: Change, ctx: _Context) -> Iterable[tuple[Phase, str]]:
    if ctx.parent_action(change) is Action.DELETE:
        return ()
    return index_statements(change, table_sql(change.address))


def _policies(change: Change, ctx: _Context) -> Iterable[tuple[Phase, str]]:
    if change.address.depth == 1:  # a policy on a table baseform does not own
        value = change.after or change.before or {}
        schema, _, table = str(value["table"]).partition(".")
        old = ctx.old_name(change)
        prefix = f"{schema}.{table}."
        return policy_statements(change, change.address.name.removeprefix(prefix), qualified(schema, table),
                                 old.removeprefix(prefix) if old else None)
    if ctx.parent_action(change) is Action.DELETE:
        return ()
    return policy_statements(change, change.address.name, table_sql(change.address), ctx.old_name(change))


def _buckets(change: Change, ctx: _Context) -> Iterable[tuple[Phase, str]]:
    if change.action is Action.DELETE and change.address.name in (ctx.live.context.get(CONTEXT_OBJECTS) or []):
        raise PlanError("the bucket still holds objects, and baseform never deletes a bucket that does; empty it "
                        "first (Storage API or dashboard), or declare it again", address=str(change.address))
    return bucket_statements(change)


_EMITTERS: Mapping[str, Emit] = {
    "schemas": _schemas, "enums": _enums, "tables": _tables, "columns": _columns, "indexes": _indexes,
    "policies": _policies, "buckets": _buckets,
}


def _tables_needing_keys(changes: Sequence[Change], ctx: _Context) -> list[Change]:
    """Declared live tables whose primary key may change although the table itself is a no-op."""
    touched = {c.address.parent for c in changes if c.address.kind == "columns" and c.address.parent is not None
               and c.action is not Action.NOOP}
    return [c for c in changes if c.address in touched and c.action is Action.NOOP and c.address.kind == "tables"]


def build_operations(changes: Sequence[Change], desired: Sequence[DesiredResource], live: LiveState) -> list[Operation]:
    """The operations of a Supabase plan (none when nothing changes)."""
    children: dict[tuple[Address, str], list[DesiredResource]] = {}
    for d in desired:
        if d.address.parent is not None:
            children.setdefault((d.address.parent, d.address.kind), []).append(d)
    ctx = _Context({c.address: c for c in changes}, {d.address: d for d in desired}, children, live)
    active = [c for c in changes if c.action is not Action.NOOP]
    if not active:
        return []
    statements: list[tuple[int, int, Statement]] = []
    late: list[Statement] = []
    for order, change in enumerate([*active, *_tables_needing_keys(changes, ctx)]):
        source = change.source
        for phase, text in _EMITTERS[change.address.kind](change, ctx):
            statement = Statement(text, change.address, phase, source)
            after = change.after or {}
            if change.address.kind == "indexes" and phase is Phase.CREATE_INDEX and after.get("concurrently"):
                late.append(Statement(create_index(change.address.name, table_sql(change.address), after,
                                                   concurrently=True), change.address, phase, source))
                continue
            statements.append((phase, order, statement))
    statements.sort(key=lambda s: (s[0], s[1]))
    ordered = [s for _, _, s in statements]
    early, ordered = _split_enum_values(ordered, active)
    # what the early phase changes is committed before the transaction re-reads the server
    outside = {s.address for s in early}
    expected = tuple(Expectation(c.renamed_from or c.address, c.live_digest)
                     for c in active if c.address not in outside)
    addresses = tuple(c.address for c in active)
    ops: list[Operation] = []
    if early:
        ops.append(Operation(f"{PROVIDER}-enum-values", PROVIDER, Action.UPDATE, tuple(s.address for s in early),
                             "add enum values the plan uses, outside the transaction (each commits on its own; "
                             "Postgres refuses a new enum value in the transaction that added it)",
                             SqlScript(tuple(early), transaction=False)))
    if ordered:
        ops.append(Operation(f"{PROVIDER}-transaction", PROVIDER, _overall(active), addresses,
                             f"apply {len(active)} change(s) in one transaction ({len(ordered)} SQL statements)",
                             SqlScript(tuple(ordered), expected=expected),
                             depends_on=tuple(op.id for op in ops), atomic=True))
    if late:
        ops.append(Operation(f"{PROVIDER}-concurrent-indexes", PROVIDER, Action.CREATE,
                             tuple(s.address for s in late),
                             "build indexes concurrently, after the transaction (outside it, one at a time)",
                             SqlScript(tuple(late), transaction=False), depends_on=tuple(op.id for op in ops)))
    return ops


def _overall(changes: Sequence[Change]) -> Action:
    actions = {c.action for c in changes}
    return next(iter(actions)) if len(actions) == 1 else Action.UPDATE


def _split_enum_values(statements: list[Statement], changes: Sequence[Change]) -> tuple[list[Statement],
                                                                                       list[Statement]]:
    """Move ``ADD VALUE`` statements whose value the rest of the plan mentions out of the transaction."""
    added: dict[Address, list[str]] = {}
    for c in changes:
        if c.address.kind == "enums" and c.action is Action.UPDATE:
            added[c.address] = [v for v, _ in added_values((c.before or {}).get("values", []),
                                                           (c.after or {}).get("values", []))]
    if not added:
        return [], statements
    others = " ".join(s.sql for s in statements if " add value " not in s.sql)
    used = {a for a, values in added.items() if any("'" + v.replace("'", "''") + "'" in others for v in values)}
    early = [s for s in statements if s.address in used and " add value " in s.sql]
    return early, [s for s in statements if s not in early]
