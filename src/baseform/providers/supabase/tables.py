"""Tables: creation with their columns, renames, drops, row level security, the primary key, and
the privileges of Supabase's API roles. Pure.

The diff shape is ``{rls: {enabled, forced}, grants: {role: [privilege...]}}``, each key present only
when the manifest declares it (a table whose manifest says nothing about RLS or grants keeps what
the server has: Supabase's default privileges grant the API roles everything on new tables). When
``grants`` is declared it is authoritative for ``anon``, ``authenticated`` and ``service_role`` and
for every role it names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.resource import KindRules
from baseform.providers.supabase.columns import column_definition, foreign_key
from baseform.providers.supabase.models import RlsSpec, TableSpec
from baseform.providers.supabase.names import API_ROLES, qualified, quote
from baseform.providers.supabase.script import Phase
from baseform.types import JSON, JSONObject

__all__ = ["ALL_PRIVILEGES", "TABLES", "desired_table", "expand_privileges", "primary_key_statements",
           "table_sql", "table_statements"]

TABLES = KindRules("tables", renamable=True, managed_alone=True, data_loss="all its rows")

ALL_PRIVILEGES = ("delete", "insert", "references", "select", "trigger", "truncate", "update")
"""What ``all`` grants on a table; Postgres 17 added ``maintain``."""


def expand_privileges(privileges: Sequence[str], server_major: int) -> list[str]:
    everything = list(ALL_PRIVILEGES) + (["maintain"] if server_major >= 17 else [])
    out: set[str] = set()
    for p in privileges:
        out.update(everything if p == "all" else [p])
    return sorted(out)


def desired_table(spec: TableSpec) -> JSONObject:
    """The declared table (grants hold ``all`` unexpanded until the server version is known)."""
    value: JSONObject = {}
    if spec.rls is not None:
        rls = spec.rls if isinstance(spec.rls, RlsSpec) else RlsSpec(enabled=spec.rls)
        value["rls"] = {"enabled": rls.enabled, "forced": rls.forced}
    if spec.grants is not None:
        grants: dict[str, list[str]] = {role: [] for role in API_ROLES}
        for g in spec.grants:
            grants[g.to] = sorted(set(grants.get(g.to, [])) | set(g.privileges))
        value["grants"] = grants
    return value


def table_sql(address: Address) -> str:
    """The table's qualified name for a (table or child) address."""
    return qualified(address.path[0][1], address.path[1][1])


def table_statements(change: Change, columns: Sequence[tuple[str, JSONObject]], live_grants: JSON,
                     renamed_from: str | None) -> Iterator[tuple[Phase, str]]:
    """Statements of one table change; ``columns`` are its declared columns (for a create)."""
    schema, name = change.address.path[0][1], change.address.name
    target = qualified(schema, name)
    if renamed_from is not None:
        yield Phase.RENAME, f"alter table {qualified(schema, renamed_from)} rename to {quote(name)}"
    if change.action is Action.DELETE:
        yield Phase.DROP_TABLE, f"drop table {target}"
        return
    after = change.after or {}
    before = change.before or {}
    if change.action is Action.CREATE:
        keys = [c for c, v in columns if v.get("primary_key")]
        body = [column_definition(c, v, inline_primary_key=False) for c, v in columns]
        if keys:
            body.append(f"primary key ({', '.join(quote(k) for k in keys)})")
        yield Phase.CREATE_TABLE, f"create table {target} (" + ", ".join(body) + ")"
        for c, v in columns:
            if v.get("references"):
                yield Phase.ADD_FOREIGN_KEY, foreign_key(target, name, c, v)
    rls, old_rls = after.get("rls"), before.get("rls") or {}
    if isinstance(rls, dict):
        if rls.get("enabled") != old_rls.get("enabled", False):
            yield Phase.TABLE_SECURITY, f"alter table {target} {'enable' if rls['enabled'] else 'disable'} row level " \
                                        "security"
        if rls.get("forced") != old_rls.get("forced", False):
            yield Phase.TABLE_SECURITY, f"alter table {target} {'force' if rls['forced'] else 'no force'} row level " \
                                        "security"
    grants = after.get("grants")
    if isinstance(grants, dict):
        # a new table starts with the schema's default privileges (on Supabase: everything for the API roles)
        old = before.get("grants") if change.action is not Action.CREATE else live_grants
        old_grants: Mapping[str, list[str]] = old if isinstance(old, dict) else {}
        for role in sorted(grants):
            if change.action is Action.CREATE or sorted(old_grants.get(role, [])) != sorted(grants[role]):
                yield Phase.TABLE_SECURITY, f"revoke all on table {target} from {quote(role)}"
                if grants[role]:
                    yield Phase.TABLE_SECURITY, f"grant {', '.join(grants[role])} on table {target} to {quote(role)}"


def primary_key_statements(target: str, table: str, declared: Sequence[str], live: Sequence[str],
                           live_name: str | None) -> Iterator[tuple[Phase, str]]:
    """Rebuild the primary key of an existing table when its declared columns differ from the live ones."""
    if list(declared) == list(live):
        return
    if live_name:
        yield Phase.DROP_CONSTRAINT, f"alter table {target} drop constraint {quote(live_name)}"
    if declared:
        yield Phase.ADD_CONSTRAINT, (f"alter table {target} add constraint {quote((table + '_pkey')[:63])} "
                                     f"primary key ({', '.join(quote(c) for c in declared)})")
