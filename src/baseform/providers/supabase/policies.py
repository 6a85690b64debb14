"""Row level security policies, on managed tables and on tables baseform does not own. Pure.

The diff shape is ``{command, as, to, using, with_check}`` (plus ``table`` for a policy on a table
baseform does not own), with ``using``/``with_check`` in the server's canonical text (``pg_get_expr``)
and ``to`` as a set. ``to``, ``using`` and ``with_check`` change in place (``ALTER POLICY``); the
command or permissive/restrictive cannot, so the policy is dropped and created again in the same
transaction (no moment without it).
"""

from __future__ import annotations

from collections.abc import Iterator

from baseform.engine.change import Action, Change
from baseform.engine.resource import KindRules
from baseform.providers.supabase.models import PolicySpec, TablePolicySpec
from baseform.providers.supabase.names import quote
from baseform.providers.supabase.script import Phase
from baseform.types import JSONObject

__all__ = ["POLICIES", "desired_policy", "policy_statements"]

POLICIES = KindRules("policies", renamable=True, replace_on=frozenset({"command", "as", "table"}),
                     sets=frozenset({"to"}), defaults={"as": "permissive", "using": None, "with_check": None})


def desired_policy(spec: TablePolicySpec | PolicySpec) -> JSONObject:
    value: JSONObject = {"command": spec.command, "as": spec.as_, "to": sorted(set(spec.to)), "using": spec.using,
                         "with_check": spec.with_check}
    if isinstance(spec, PolicySpec):
        value["table"] = spec.table
    return value


def _roles(value: JSONObject) -> str:
    return ", ".join(r if r == "public" else quote(r) for r in value.get("to") or ["public"])


def policy_statements(change: Change, name: str, table_sql: str, renamed_from: str | None,
                      ) -> Iterator[tuple[Phase, str]]:
    """``name`` is the policy's own name (for a policy on a foreign table the address holds the table too)."""
    policy = quote(name)
    if renamed_from is not None:
        yield Phase.RENAME, f"alter policy {quote(renamed_from)} on {table_sql} rename to {policy}"
    if change.action in (Action.DELETE, Action.REPLACE):
        yield Phase.DROP_POLICY, f"drop policy {policy} on {table_sql}"
    after = change.after or {}
    if change.action in (Action.CREATE, Action.REPLACE):
        yield Phase.POLICY, (f"create policy {policy} on {table_sql} as {after['as']} for {after['command']} "
                             f"to {_roles(after)}"
                             + (f" using ({after['using']})" if after.get("using") is not None else "")
                             + (f" with check ({after['with_check']})" if after.get("with_check") is not None else ""))
    elif change.action is Action.UPDATE:
        changed = {d.path.split(".")[0] for d in change.diff}
        parts = []
        if "to" in changed:
            parts.append(f"to {_roles(after)}")
        if "using" in changed:
            parts.append(f"using ({after['using'] if after.get('using') is not None else 'true'})")
        if "with_check" in changed:
            parts.append(f"with check ({after['with_check'] if after.get('with_check') is not None else 'true'})")
        if parts:
            yield Phase.POLICY, f"alter policy {policy} on {table_sql} " + " ".join(parts)
