"""Tenants of multi-tenant classes: kind rules, desired values, and the batched tenant calls.

Tenants are created, updated and deleted in batches per class (``POST``/``PUT``/``DELETE``
``/v1/schema/{class}/tenants``); a ``PUT`` takes at most 100 tenants (FIDELITY P6).
"""

from __future__ import annotations

from collections.abc import Sequence

from baseform.engine.change import Action, Change
from baseform.engine.operation import Operation, Request
from baseform.engine.resource import KindRules
from baseform.providers.weaviate.classes import class_path
from baseform.providers.weaviate.models import TenantSpec
from baseform.providers.weaviate.shape import tenant_value
from baseform.types import JSONObject

__all__ = ["MAX_UPDATE", "TENANTS", "create_tenants", "delete_tenants", "desired_tenant", "update_tenants"]

TENANTS = KindRules("tenants", renamable=False, rename_unsupported="Weaviate cannot rename a tenant",
                   data_loss="all the tenant's objects")
MAX_UPDATE = 100


def desired_tenant(spec: TenantSpec) -> JSONObject:
    return tenant_value({"name": spec.name, "activityStatus": spec.activityStatus})


def _class_of(changes: Sequence[Change]) -> str:
    parent = changes[0].address.parent
    assert parent is not None
    return parent.name


def _body(changes: Sequence[Change]) -> list[JSONObject]:
    return [dict(c.after) for c in changes if c.after is not None]


def create_tenants(provider: str, changes: Sequence[Change]) -> Operation:
    """One ``POST`` creating ``changes``' tenants (existing names are skipped by the server)."""
    cls = _class_of(changes)
    return Operation(f"{changes[0].address.parent}.tenants:create", provider, Action.CREATE,
                     tuple(c.address for c in changes),
                     f"create {len(changes)} tenant(s) of class {cls}",
                     Request("POST", class_path(cls) + "/tenants", _body(changes)))


def update_tenants(provider: str, changes: Sequence[Change]) -> list[Operation]:
    """``PUT`` calls of at most :data:`MAX_UPDATE` tenants setting their activity status."""
    cls = _class_of(changes)
    ops = []
    for start in range(0, len(changes), MAX_UPDATE):
        batch = changes[start:start + MAX_UPDATE]
        ops.append(Operation(f"{changes[0].address.parent}.tenants:update:{start // MAX_UPDATE}", provider,
                             Action.UPDATE, tuple(c.address for c in batch),
                             f"set the activity status of {len(batch)} tenant(s) of class {cls}",
                             Request("PUT", class_path(cls) + "/tenants", _body(batch))))
    return ops


def delete_tenants(provider: str, changes: Sequence[Change]) -> Operation:
    """One ``DELETE`` of ``changes``' tenants and all their objects."""
    cls = _class_of(changes)
    return Operation(f"{changes[0].address.parent}.tenants:delete", provider, Action.DELETE,
                     tuple(c.address for c in changes),
                     f"delete {len(changes)} tenant(s) of class {cls} and their objects",
                     Request("DELETE", class_path(cls) + "/tenants", [c.address.name for c in changes]))
