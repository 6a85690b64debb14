"""Reading a Weaviate server: version, classes with their properties, declared classes' tenants, aliases.

One ``GET /v1/meta`` and one ``GET /v1/schema`` (together), then, together, one tenants list per class
whose tenants the manifest manages and the aliases (1.32+). Live values are put in the diff shape and
limited to the keys the manifest sets (:func:`.shape.project_class`), so server defaults the manifest
does not mention never differ.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from baseform.engine.address import Address
from baseform.engine.resource import DesiredResource, LiveResource, LiveState
from baseform.http import Session
from baseform.providers.weaviate.aliases import alias_address, alias_value
from baseform.providers.weaviate.classes import class_address, class_path
from baseform.providers.weaviate.defaults import parse_version
from baseform.providers.weaviate.shape import class_value, declared_only, project_class, property_value, tenant_value
from baseform.providers.weaviate.versions import ALIASES
from baseform.types import JSON, JSONObject

__all__ = ["read_live"]


async def read_live(provider: str, session: Session, desired: Sequence[DesiredResource]) -> LiveState:
    """The live state of the server behind ``session``. Reads only."""
    meta, schema = await asyncio.gather(  # independent: one round trip, not two
        session.request("GET", "/v1/meta", operation="read the Weaviate version"),
        session.request("GET", "/v1/schema", operation="read the Weaviate schema"))
    wanted = {d.address: d.value for d in desired}
    resources: dict[Address, LiveResource] = {}
    managed_tenants = {d.address.parent for d in desired if d.address.kind == "tenants"}
    tenant_reads: dict[Address, str] = {}
    for raw in (schema or {}).get("classes") or []:
        address = class_address(provider, str(raw["class"]))
        value = class_value(raw, live=True)
        if address in wanted:
            value = project_class(value, wanted[address])
        resources[address] = LiveResource(address, value, raw)
        for prop in raw.get("properties") or []:
            _add(resources, address.child("properties", str(prop["name"])), property_value(prop), prop, wanted)
        if address in managed_tenants and (raw.get("multiTenancyConfig") or {}).get("enabled"):
            tenant_reads[address] = str(raw["class"])
    version = meta.get("version") if isinstance(meta, dict) else None
    reads = [session.request("GET", class_path(name) + "/tenants", operation=f"read the tenants of class {name}")
             for name in tenant_reads.values()]
    if parse_version(str(version) if version else None) >= ALIASES:
        reads.append(session.request("GET", "/v1/aliases", operation="read the Weaviate aliases"))
    answers = await asyncio.gather(*reads)
    for address, tenants in zip(tenant_reads, answers, strict=False):
        for tenant in tenants or []:
            _add(resources, address.child("tenants", str(tenant["name"])), tenant_value(tenant), tenant, wanted)
    aliases = answers[len(tenant_reads)] if len(answers) > len(tenant_reads) else None
    for alias in (aliases or {}).get("aliases") or [] if isinstance(aliases, dict) else []:
        value = alias_value(alias)
        resources[alias_address(provider, str(value["alias"]))] = LiveResource(
            alias_address(provider, str(value["alias"])), value, alias)
    modules = sorted((meta.get("modules") or {}) if isinstance(meta, dict) else {})
    return LiveState(provider, session.base_url, str(version) if version else None, resources,
                     context={"modules": modules})


def _add(resources: dict[Address, LiveResource], address: Address, value: JSONObject, raw: JSON,
         wanted: Mapping[Address, JSONObject]) -> None:
    if address in wanted:
        value = declared_only(value, wanted[address])
    resources[address] = LiveResource(address, value, raw)
