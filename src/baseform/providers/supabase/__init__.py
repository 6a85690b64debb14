"""The Supabase provider: the project's Postgres (schemas, enums, tables, columns, indexes, RLS,
policies, grants) and its Storage buckets, over a direct Postgres connection (psycopg 3, async).

The class only wires the modules together: ``models`` (manifest), ``declared`` (desired side and
offline checks), ``catalog`` (reading), ``normalise`` (declared SQL through the server),
``data_checks`` (what existing rows forbid), one module per kind (``schemas``, ``enums``, ``tables``,
``columns``, ``indexes``, ``policies``, ``buckets``) with its rules and statements, ``planning``
(operations), ``script``/``session`` (the SQL call and the connection performing it), ``export``,
``postgres``/``local`` (a local Supabase-shaped Postgres).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import httpx

from baseform.engine.address import Address
from baseform.engine.change import Change, FieldDiff
from baseform.engine.operation import Operation
from baseform.engine.resource import DesiredResource, LiveState
from baseform.errors import Diagnostic, ManifestError, PlanError
from baseform.manifest.models import Section
from baseform.providers.base import Locator, Provider
from baseform.providers.supabase.buckets import BUCKETS
from baseform.providers.supabase.catalog import CONTEXT_SERVER_MAJOR, CONTEXT_STORAGE, read_catalog
from baseform.providers.supabase.columns import COLUMNS, column_replace_reasons
from baseform.providers.supabase.data_checks import CONTEXT_DATA, data_problems
from baseform.providers.supabase.declared import check_section, desired_resources
from baseform.providers.supabase.enums import ENUMS, enum_replace_reasons
from baseform.providers.supabase.export import export_section
from baseform.providers.supabase.indexes import INDEXES
from baseform.providers.supabase.models import SupabaseConfig, SupabaseSection
from baseform.providers.supabase.normalise import normalise
from baseform.providers.supabase.planning import build_operations
from baseform.providers.supabase.policies import POLICIES
from baseform.providers.supabase.schemas import SCHEMAS
from baseform.providers.supabase.session import SupabaseSession, open_session
from baseform.providers.supabase.tables import TABLES, expand_privileges
from baseform.types import JSONObject

__all__ = ["SupabaseProvider"]

_NORMALISED = "normalised"
_PROBLEMS = "problems"
_REPLACE_REASONS = {"columns": column_replace_reasons, "enums": enum_replace_reasons}


async def _digests(session: SupabaseSession) -> dict[str, str | None]:
    live = await read_catalog(session)
    return {str(a): r.digest for a, r in live.resources.items()}


class SupabaseProvider(Provider):
    """A Supabase project's database schema and Storage buckets."""

    name = "supabase"
    config_model = SupabaseConfig
    section_model = SupabaseSection
    kinds = (SCHEMAS, ENUMS, TABLES, COLUMNS, INDEXES, POLICIES, BUCKETS)
    top_level = ("schemas", "buckets", "policies")
    local_server = "baseform.providers.supabase.local:LocalSupabase"

    def check(self, section: Section, locate: Locator) -> list[Diagnostic]:
        assert isinstance(section, SupabaseSection)
        return check_section(section, locate)

    def desired(self, section: Section, locate: Locator) -> list[DesiredResource]:
        assert isinstance(section, SupabaseSection)
        return desired_resources(section, locate)

    async def connect(self, transport: httpx.AsyncBaseTransport | None = None) -> SupabaseSession:
        assert isinstance(self.config, SupabaseConfig)
        return await open_session(self.config.require("db_url", self.name), _digests)

    async def read(self, session: Any, desired: Sequence[DesiredResource]) -> LiveState:
        assert isinstance(session, SupabaseSession)
        async with session.read_only():
            live = await read_catalog(session)
            data = await data_problems(session, desired, live)
        normalised = await normalise(session, desired, live)
        return replace(live, context={**live.context, _NORMALISED: normalised.values,
                                      _PROBLEMS: normalised.problems, CONTEXT_DATA: data})

    def prepare(self, desired: Sequence[DesiredResource], live: LiveState) -> list[DesiredResource]:
        """Declared SQL in the server's canonical text, grants completed; raises the problems the
        server found (unknown types, bad expressions, rows that forbid a constraint) with their lines."""
        normalised: dict[str, JSONObject] = live.context.get(_NORMALISED) or {}
        by_address = {str(d.address): d for d in desired}
        problems = [Diagnostic(f"{field}: {message}", by_address[a].source if a in by_address else None, a)
                    for a, field, message in live.context.get(_PROBLEMS) or []]
        problems += [Diagnostic(message, by_address[a].source if a in by_address else None, a, hint)
                     for a, message, hint in live.context.get(CONTEXT_DATA) or []]
        if problems:
            raise ManifestError(problems)
        if any(d.address.kind == "buckets" for d in desired) and not live.context.get(CONTEXT_STORAGE):
            raise PlanError("buckets are declared, but this database has no storage.buckets table (is it a Supabase "
                            "project?)", address="supabase.buckets")
        major = int(live.context.get(CONTEXT_SERVER_MAJOR) or 0)
        out = []
        for d in desired:
            value = {**d.value, **normalised.get(str(d.address), {})}
            if d.address.kind == "tables" and isinstance(value.get("grants"), dict):
                value["grants"] = self._grants(d, value["grants"], live, major)
            out.append(d._replace(value=value))
        return out

    @staticmethod
    def _grants(d: DesiredResource, declared: dict[str, list[str]], live: LiveState,
                major: int) -> dict[str, list[str]]:
        """Declared grants with ``all`` expanded, plus the live grants of roles the manifest does not name
        (left as they are)."""
        origin = d.address if d.address in live.resources or not d.renamed_from or d.address.parent is None \
            else d.address.parent.child("tables", d.renamed_from)
        found = live.resources.get(origin)
        live_grants = found.value.get("grants", {}) if found is not None else {}
        grants = {role: privileges for role, privileges in live_grants.items() if role not in declared}
        grants.update({role: expand_privileges(p, major) for role, p in declared.items()})
        return dict(sorted(grants.items()))

    def replace_reasons(self, address: Address, before: JSONObject, after: JSONObject,
                        diffs: Sequence[FieldDiff], live: LiveState) -> list[str]:
        reasons = super().replace_reasons(address, before, after, diffs, live)
        extra = _REPLACE_REASONS.get(address.kind)
        return reasons + (extra(before, after, diffs) if extra else [])

    def operations(self, changes: Sequence[Change], desired: Sequence[DesiredResource],
                   live: LiveState) -> list[Operation]:
        return build_operations(changes, desired, live)

    def export(self, live: LiveState) -> JSONObject:
        return export_section(live)
