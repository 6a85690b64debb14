"""The Weaviate provider: classes, their properties and tenants, and aliases, through the REST API.

This module only wires the pieces together; each concern lives in its own module (models, shape,
mutability, one module per resource kind, live reading, server adaptation and checks, scheduling,
export). What each server version does is listed in tests/emulators/weaviate/FIDELITY.md.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from baseform.engine.address import Address
from baseform.engine.change import Change, FieldDiff
from baseform.engine.operation import Operation
from baseform.engine.resource import DesiredResource, LiveState
from baseform.errors import ApiError, Diagnostic
from baseform.http import Session
from baseform.manifest.models import Section
from baseform.providers.base import Locator, Provider
from baseform.providers.fingerprint import Fingerprint
from baseform.providers.weaviate.aliases import ALIASES, alias_address, desired_alias
from baseform.providers.weaviate.classes import CLASSES, class_address, desired_class
from baseform.providers.weaviate.datatypes import reference_targets
from baseform.providers.weaviate.defaults import parse_version
from baseform.providers.weaviate.explain import explain_failure, factor_warnings
from baseform.providers.weaviate.export import export_section
from baseform.providers.weaviate.features import adapt_to_server, check_server_support
from baseform.providers.weaviate.live import read_live
from baseform.providers.weaviate.models import WeaviateConfig, WeaviateSection
from baseform.providers.weaviate.mutability import class_reasons, property_reasons
from baseform.providers.weaviate.names import class_name
from baseform.providers.weaviate.native import WEAVIATE_SCHEMA
from baseform.providers.weaviate.properties import PROPERTIES, desired_property
from baseform.providers.weaviate.schedule import plan_operations
from baseform.providers.weaviate.tenants import TENANTS, desired_tenant
from baseform.providers.weaviate.validation import check_section
from baseform.providers.weaviate.verify import created_matches
from baseform.types import JSON, JSONObject

__all__ = ["WeaviateProvider"]


class WeaviateProvider(Provider):
    """``weaviate`` section: ``weaviate.classes.<Class>[.properties.<name>|.tenants.<name>]`` and
    ``weaviate.aliases.<Alias>``."""

    name = "weaviate"
    config_model = WeaviateConfig
    section_model = WeaviateSection
    kinds = (CLASSES, PROPERTIES, TENANTS, ALIASES)
    top_level = ("classes", "aliases")
    native_formats = (WEAVIATE_SCHEMA,)
    fingerprint = Fingerprint("Weaviate", "url", "/v1/meta", frozenset({"version", "modules"}))

    # -- validate time ------------------------------------------------------------------------
    def check(self, section: Section, locate: Locator) -> list[Diagnostic]:
        assert isinstance(section, WeaviateSection)
        return check_section(section, locate)

    def desired(self, section: Section, locate: Locator) -> list[DesiredResource]:
        assert isinstance(section, WeaviateSection)
        out: list[DesiredResource] = []
        for i, spec in enumerate(section.classes):
            path = ("weaviate", "classes", i)
            address = class_address(self.name, class_name(spec.class_))
            out.append(DesiredResource(address, desired_class(spec), locate(path), protect=spec.protect,
                                       renamed_from=spec.renamedFrom))
            for j, prop in enumerate(spec.properties):
                value = desired_property(prop)
                targets = reference_targets(prop.dataType)
                out.append(DesiredResource(
                    address.child("properties", value["name"]), value, locate((*path, "properties", j)),
                    frozenset(class_address(self.name, class_name(t)) for t in targets), prop.protect,
                    prop.renamedFrom))
            for k, tenant in enumerate(spec.tenants or []):
                out.append(DesiredResource(address.child("tenants", tenant.name), desired_tenant(tenant),
                                           locate((*path, "tenants", k)), protect=tenant.protect,
                                           renamed_from=tenant.renamedFrom))
        for i, alias in enumerate(section.aliases):
            value = desired_alias(alias)
            out.append(DesiredResource(alias_address(self.name, alias.alias), value,
                                       locate(("weaviate", "aliases", i)),
                                       frozenset({class_address(self.name, str(value["class"]))}), alias.protect,
                                       alias.renamedFrom))
        return out

    # -- I/O ----------------------------------------------------------------------------------
    async def connect(self, transport: httpx.AsyncBaseTransport | None = None) -> Session:
        url = self.config.require("url", self.name).rstrip("/").removesuffix("/v1")
        key = getattr(self.config, "apiKey", None)
        # a server without an auth scheme rejects any Authorization header (FIDELITY P7)
        headers = {"Authorization": f"Bearer {key.get_secret_value()}"} if key and key.get_secret_value() else {}
        return Session(url, headers=headers, transport=transport)

    async def read(self, session: Session, desired: Sequence[DesiredResource]) -> LiveState:
        return await read_live(self.name, session, desired)

    # -- plan time ----------------------------------------------------------------------------
    def prepare(self, desired: Sequence[DesiredResource], live: LiveState) -> list[DesiredResource]:
        adapted = adapt_to_server(desired, live)
        check_server_support(adapted, live)
        return adapted

    def replace_reasons(self, address: Address, before: JSONObject, after: JSONObject,
                        diffs: Sequence[FieldDiff], live: LiveState) -> list[str]:
        if address.kind in ("tenants", "aliases"):
            return []
        version = parse_version(live.server_version)
        raw = live.resources[address].raw if address in live.resources else None
        if address.kind == "properties":
            return property_reasons(diffs, version, raw if isinstance(raw, dict) else None)
        return class_reasons(diffs, raw if isinstance(raw, dict) else {}, version)

    def plan_warnings(self, changes: Sequence[Change], live: LiveState) -> list[str]:
        return factor_warnings(changes, live)

    def operations(self, changes: Sequence[Change], desired: Sequence[DesiredResource],
                   live: LiveState) -> list[Operation]:
        return plan_operations(self.name, changes, desired, live)

    # -- apply time ---------------------------------------------------------------------------
    def is_conflict(self, error: ApiError) -> bool:
        # Weaviate answers 422 for every rejected create, "already exists"/"already in use" included
        text = error.server_message.lower()
        return error.status == 422 and ("already exists" in text or "already in use" in text)

    def explain_error(self, operation: Operation, error: ApiError) -> str:
        return explain_failure(operation, error)

    def matches(self, operation: Operation, live: JSON) -> bool:
        return created_matches(operation, live)

    # -- export -------------------------------------------------------------------------------
    def export(self, live: LiveState) -> JSONObject:
        return export_section(live)
