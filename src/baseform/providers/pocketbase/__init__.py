"""The PocketBase provider (0.23+): collections, their fields and indexes, as one import per apply.

The class only wires the modules together: ``models`` (manifest), ``declared`` (desired side and
checks), ``live`` (reading), ``planning`` (the desired side completed against the server),
``collections``/``fields``/``indexes`` (each kind's diff shape and rules), ``references`` (rules and
view queries checked against ``catalog``; ``filters``, ``rules``, ``view_queries``), ``import_plan``
(operations), ``server_errors``, ``connection``, ``export``, ``native`` and ``local``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import httpx

from baseform.engine.address import Address
from baseform.engine.change import Change, FieldDiff
from baseform.engine.operation import Operation, Request
from baseform.engine.resource import DesiredResource, LiveState
from baseform.errors import ApiError, Diagnostic
from baseform.http import Session
from baseform.manifest.models import Section
from baseform.providers.base import Locator, Provider
from baseform.providers.fingerprint import Fingerprint
from baseform.providers.pocketbase.collections import COLLECTIONS
from baseform.providers.pocketbase.connection import open_session
from baseform.providers.pocketbase.declared import check_section, desired_resources
from baseform.providers.pocketbase.export import export_section
from baseform.providers.pocketbase.fields import FIELDS
from baseform.providers.pocketbase.import_plan import ImportOperation, build_operations, collection_stamps
from baseform.providers.pocketbase.indexes import INDEXES
from baseform.providers.pocketbase.live import read_state
from baseform.providers.pocketbase.models import PocketBaseConfig, PocketBaseSection
from baseform.providers.pocketbase.native import PB_SCHEMA
from baseform.providers.pocketbase.planning import prepare_desired
from baseform.providers.pocketbase.server_errors import body_origins, explain
from baseform.types import JSON, JSONObject

__all__ = ["PocketBaseProvider"]

_LOSS = {
    "collections": "the collection is deleted and created anew, with all its records",
    "fields": "PocketBase drops the column with its data and adds a new empty one",
}


class PocketBaseProvider(Provider):
    """PocketBase 0.23+ collections (base, auth, view) with fields and indexes."""

    name = "pocketbase"
    config_model = PocketBaseConfig
    section_model = PocketBaseSection
    kinds = (COLLECTIONS, FIELDS, INDEXES)
    top_level = ("collections",)
    native_formats = (PB_SCHEMA,)
    local_server = "baseform.providers.pocketbase.local:LocalPocketBase"
    fingerprint = Fingerprint("PocketBase", "url", "/api/health", frozenset({"message", "code", "data"}))

    def check(self, section: Section, locate: Locator) -> list[Diagnostic]:
        assert isinstance(section, PocketBaseSection)
        return check_section(section, locate)

    def desired(self, section: Section, locate: Locator) -> list[DesiredResource]:
        assert isinstance(section, PocketBaseSection)
        return desired_resources(section, locate)

    async def connect(self, transport: httpx.AsyncBaseTransport | None = None) -> Session:
        assert isinstance(self.config, PocketBaseConfig)
        return await open_session(self.config, transport)

    async def read(self, session: Session, desired: Sequence[DesiredResource]) -> LiveState:
        return await read_state(session, desired)

    def prepare(self, desired: Sequence[DesiredResource], live: LiveState) -> list[DesiredResource]:
        return prepare_desired(desired, live)

    def live_dependencies(self, live: LiveState) -> Mapping[Address, frozenset[Address]]:
        """Each relation field -> the live collection it points at (recreated with it)."""
        by_id = {str(r.raw["id"]): a for a, r in live.resources.items() if a.kind == "collections"}
        out: dict[Address, frozenset[Address]] = {}
        for address, resource in live.resources.items():
            raw = resource.raw
            if address.kind == "fields" and isinstance(raw, dict) and raw.get("type") == "relation":
                target = by_id.get(str(raw.get("collectionId")))
                if target is not None:
                    out[address] = frozenset({target})
        return out

    def replace_reasons(self, address: Address, before: JSONObject, after: JSONObject,
                        diffs: Sequence[FieldDiff], live: LiveState) -> list[str]:
        reasons = super().replace_reasons(address, before, after, diffs, live)
        loss = _LOSS.get(address.kind)
        return [f"{r}: {loss}" for r in reasons] if loss else reasons

    def operations(self, changes: Sequence[Change], desired: Sequence[DesiredResource],
                   live: LiveState) -> list[Operation]:
        return build_operations(changes, desired, live)

    def is_conflict(self, error: ApiError) -> bool:
        return False  # the only write is an import, which converges when repeated

    def precondition_holds(self, operation: Operation, answer: JSON) -> bool:
        items = answer.get("items") if isinstance(answer, dict) else None
        return (isinstance(operation, ImportOperation) and isinstance(items, list)
                and collection_stamps(items) == operation.read)

    def explain_error(self, operation: Operation, error: ApiError) -> str:
        """The error with each field error of a failed import put at its manifest line and address."""
        body = operation.request.body if isinstance(operation.request, Request) else None
        collections = body.get("collections") if isinstance(body, dict) else None
        if not isinstance(operation, ImportOperation) or not isinstance(collections, list):
            return str(error)
        message = explain(error.server_message, body_origins(collections, operation.sources, operation.parts))
        return str(ApiError(method=error.method, url=error.url, status=error.status, kind=error.kind,
                            operation=error.operation, message=message))

    def export(self, live: LiveState) -> JSONObject:
        return export_section(live)
