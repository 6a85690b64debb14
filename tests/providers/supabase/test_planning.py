"""Pure planning rules of the Supabase provider, table-driven (no server): what is left alone, what
needs --allow-destroy, and in which order statements run."""

from __future__ import annotations

import pytest

from baseform.engine.change import Action
from baseform.engine.plan import build_provider_plan
from baseform.engine.resource import DesiredResource, LiveResource, LiveState
from baseform.providers.supabase import SupabaseProvider
from baseform.providers.supabase.catalog import CONTEXT_SERVER_MAJOR
from baseform.providers.supabase.columns import column_replace_reasons
from baseform.providers.supabase.models import SupabaseConfig
from baseform.providers.supabase.names import schema_address, table_address
from baseform.providers.supabase.script import SqlScript

COLUMN = {"type": "text", "nullable": True, "default": None, "identity": None, "primary_key": False,
          "unique": False, "check": None, "references": None, "on_delete": None}


def _live(*resources: tuple[object, dict[str, object]]) -> LiveState:
    found = {a: LiveResource(a, v) for a, v in resources}  # type: ignore[misc]
    return LiveState("supabase", "postgresql://x", "18.1", found, {CONTEXT_SERVER_MAJOR: 18})


@pytest.mark.parametrize(("before", "after", "destroys"), [
    ("character varying(10)", "character varying(20)", False),
    ("character varying(10)", "text", False),
    ("integer", "bigint", False),
    ("character varying(20)", "character varying(10)", True),
    ("text", "integer", True),
    ("bigint", "integer", True),
    ("numeric(10,2)", "numeric(12,2)", True),
])
def test_only_widening_type_changes_are_made_without_allow_destroy(before: str, after: str, destroys: bool) -> None:
    from baseform.engine.diff import diff_fields

    diffs = diff_fields({"type": before}, {"type": after})
    assert bool(column_replace_reasons({"type": before}, {"type": after}, diffs)) is destroys


def test_undeclared_tables_of_a_declared_schema_are_listed_not_dropped() -> None:
    provider = SupabaseProvider(SupabaseConfig())
    public = schema_address("public")
    legacy = table_address("public", "legacy")
    live = _live((public, {}), (legacy, {"rls": {"enabled": False, "forced": False}}),
                 (legacy.child("columns", "id"), dict(COLUMN)))
    desired = [DesiredResource(public, {})]
    kept = build_provider_plan(provider, desired, live, prune=False)
    assert kept.unmanaged == (legacy,)
    assert all(c.action is Action.NOOP for c in kept.changes)
    pruned = build_provider_plan(provider, desired, live, prune=True)
    assert {str(c.address): c.action for c in pruned.changes if c.action is not Action.NOOP} == {
        str(legacy): Action.DELETE, str(legacy.child("columns", "id")): Action.DELETE}
    script = pruned.operations[0].request
    assert isinstance(script, SqlScript)
    assert [s.sql for s in script.statements] == ["drop table public.legacy"]


def test_statements_run_by_phase_whatever_the_address_order() -> None:
    provider = SupabaseProvider(SupabaseConfig())
    public = schema_address("public")
    a, b = table_address("public", "a"), table_address("public", "b")
    live = _live((public, {}), (b, {"rls": {"enabled": False, "forced": False}}),
                 (b.child("columns", "x"), dict(COLUMN)), (b.child("columns", "y"), dict(COLUMN)),
                 (b.child("policies", "p"), {"command": "select", "as": "permissive", "to": ["public"],
                                             "using": "(y = 'a'::text)", "with_check": None}))
    desired = [DesiredResource(public, {}), DesiredResource(a, {}),
               DesiredResource(a.child("columns", "id"), {**COLUMN, "type": "integer", "nullable": False,
                                                          "primary_key": True}),
               DesiredResource(a.child("columns", "b_x"), {**COLUMN, "references": "public.b(x)",
                                                           "on_delete": "cascade"}),
               DesiredResource(b, {}), DesiredResource(b.child("columns", "x"), dict(COLUMN))]
    plan = build_provider_plan(provider, desired, live, prune=False)
    script = plan.operations[0].request
    assert isinstance(script, SqlScript)
    sql = [s.sql for s in script.statements]
    # the policy reading y goes before y is dropped; the table before its foreign key
    assert sql.index("drop policy p on public.b") < sql.index("alter table public.b drop column y")
    assert sql.index("alter table public.b drop column y") < sql.index(next(q for q in sql if "create table" in q))
    assert sql[-1].startswith("alter table public.a add constraint a_b_x_fkey foreign key (b_x) references "
                              "public.b(x) on delete cascade")
    assert script.transaction and {str(e.address) for e in script.expected} >= {str(b.child("columns", "y"))}
