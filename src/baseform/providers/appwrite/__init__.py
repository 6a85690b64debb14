"""Appwrite provider: TablesDB databases, tables, columns and indexes; storage buckets; teams.

The provider class only wires the modules of this package together: ``models`` (manifest),
``checks`` (validate-time limits), ``desired`` (manifest -> resources), ``live`` (reading),
``planning`` (capabilities, replace reasons, operations), ``export``, and one module per kind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from baseform.engine.address import Address
from baseform.engine.change import Change, FieldDiff
from baseform.engine.operation import Operation
from baseform.engine.resource import DesiredResource, LiveState
from baseform.errors import ApiError, Diagnostic
from baseform.manifest.models import Section
from baseform.providers.appwrite import engines, planning
from baseform.providers.appwrite.buckets import BUCKETS
from baseform.providers.appwrite.calls import Creation
from baseform.providers.appwrite.checks import check_section
from baseform.providers.appwrite.columns import COLUMNS
from baseform.providers.appwrite.databases import DATABASES
from baseform.providers.appwrite.desired import desired_resources
from baseform.providers.appwrite.export import export_section
from baseform.providers.appwrite.indexes import INDEXES
from baseform.providers.appwrite.models import AppwriteConfig, AppwriteSection
from baseform.providers.appwrite.native import APPWRITE_CONFIG
from baseform.providers.appwrite.tables import TABLES
from baseform.providers.appwrite.teams import TEAMS
from baseform.providers.base import Locator, Provider, subset_matches
from baseform.providers.fingerprint import Fingerprint
from baseform.types import JSON, JSONObject

if TYPE_CHECKING:
    import httpx

    from baseform.http import Session

__all__ = ["AppwriteProvider"]


class AppwriteProvider(Provider):
    """Appwrite (server 1.8+, TablesDB API), per server version and storage engine."""

    name = "appwrite"
    _desired: tuple[Section, Locator, list[DesiredResource]] | None = None
    config_model = AppwriteConfig
    section_model = AppwriteSection
    kinds = (DATABASES, TABLES, COLUMNS, INDEXES, BUCKETS, TEAMS)
    top_level = ("databases", "buckets", "teams")
    native_formats = (APPWRITE_CONFIG,)
    fingerprint = Fingerprint("Appwrite", "endpoint", "/v1/health/version", frozenset({"version"}))

    @property
    def engine(self) -> engines.Engine:
        """The configured storage engine (unknown when not configured)."""
        assert isinstance(self.config, AppwriteConfig)
        return engines.rules(self.config.engine)

    def check(self, section: Section, locate: Locator) -> list[Diagnostic]:
        assert isinstance(section, AppwriteSection)
        return check_section(section, locate, self.engine) + engines.engine_findings(
            self.desired(section, locate), self.engine)

    def desired(self, section: Section, locate: Locator) -> list[DesiredResource]:
        assert isinstance(section, AppwriteSection)
        # check() needs them too: made once per section (a frozen model) and locator
        made = self._desired
        if made is None or made[0] is not section or made[1] != locate:
            made = self._desired = (section, locate, desired_resources(section, locate))
        return list(made[2])

    async def connect(self, transport: httpx.AsyncBaseTransport | None = None) -> Session:
        endpoint = self.config.require("endpoint", self.name).rstrip("/")
        if not endpoint.endswith("/v1"):
            endpoint += "/v1"  # Appwrite's documented endpoints include it; accept the bare host too
        from baseform.http import Session  # validate needs no HTTP client (nor its import time)

        headers = {"X-Appwrite-Project": self.config.require("project", self.name),
                   "X-Appwrite-Key": self.config.require("apiKey", self.name)}
        return Session(endpoint, headers=headers, transport=transport)

    async def read(self, session: Session, desired: Sequence[DesiredResource]) -> LiveState:
        from baseform.providers.appwrite.live import read_state

        return await read_state(session, desired, self.engine.name)

    def prepare(self, desired: Sequence[DesiredResource], live: LiveState) -> list[DesiredResource]:
        planning.raise_capability_problems(desired, live)
        return planning.with_live_defaults(desired, live)

    def replace_reasons(self, address: Address, before: JSONObject, after: JSONObject,
                        diffs: Sequence[FieldDiff], live: LiveState) -> list[str]:
        reasons = super().replace_reasons(address, before, after, diffs, live)
        if address.kind == "columns":
            reasons += planning.column_extra_reasons(address, before, after, live)
        elif address.kind == "indexes":
            reasons += planning.index_extra_reasons(address, live)
        return reasons

    def plan_warnings(self, changes: Sequence[Change], live: LiveState) -> list[str]:
        return planning.plan_warnings(changes, live)

    def live_dependencies(self, live: LiveState) -> Mapping[Address, frozenset[Address]]:
        return planning.live_dependencies(live)

    def operations(self, changes: Sequence[Change], desired: Sequence[DesiredResource],
                   live: LiveState) -> list[Operation]:
        return planning.plan_operations(changes, desired, live)

    def is_conflict(self, error: ApiError) -> bool:
        return error.status == 409 and bool(error.kind and error.kind.endswith("_already_exists"))

    def matches(self, operation: Operation, live: JSON) -> bool:
        if not isinstance(operation, Creation) or not isinstance(live, dict):
            return super().matches(operation, live)
        kind = operation.addresses[0].kind
        return subset_matches(operation.expects, planning.LIVE_VALUES[kind](live)) and all(
            planning.children_match(child_kind, expected, live.get(child_kind))
            for child_kind, expected in operation.children.items())

    def export(self, live: LiveState) -> JSONObject:
        return export_section(live)

    def export_warnings(self, live: LiveState) -> list[str]:
        return planning.plan_warnings([], live)

    def export_config(self, live: LiveState | None = None) -> dict[str, Any]:
        """The base block, plus the storage engine when it is known (configured, or shown by the
        server): an export with e.g. a trigram index only validates for PostgreSQL."""
        out = super().export_config(live)
        engine = planning.engine_of(live).name if live is not None else self.engine.name
        if engine:
            out["engine"] = engine
        return out
