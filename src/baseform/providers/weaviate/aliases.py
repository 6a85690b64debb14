"""Aliases (Weaviate 1.32+): a second name for a class, read and written through ``/v1/aliases``.

An alias is ``weaviate.aliases.<Alias>`` with the value ``{alias, class}``; pointing it at another
class is an update (``PUT /v1/aliases/{alias}``), so readers can be switched to a rebuilt class
without a gap. A class cannot be named like an alias (the server refuses the create).
"""

from __future__ import annotations

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.operation import Operation, Request
from baseform.engine.resource import KindRules
from baseform.providers.weaviate.models import AliasSpec
from baseform.providers.weaviate.names import class_name
from baseform.types import JSON, JSONObject

__all__ = ["ALIASES", "alias_address", "alias_operations", "alias_value", "desired_alias"]

ALIASES = KindRules("aliases", renamable=False,
                    rename_unsupported="Weaviate cannot rename an alias; declare the new alias (it may point at "
                                       "the same class) and drop the old one")


def alias_address(provider: str, name: str) -> Address:
    return Address(provider, (("aliases", class_name(name)),))


def alias_value(raw: JSON) -> JSONObject:
    """An alias in the diff shape (the server upper-cases the first letter of both names)."""
    data = raw if isinstance(raw, dict) else {}
    return {"alias": class_name(str(data.get("alias", ""))), "class": class_name(str(data.get("class", "")))}


def desired_alias(spec: AliasSpec) -> JSONObject:
    return alias_value({"alias": spec.alias, "class": spec.class_})


def alias_operations(provider: str, change: Change) -> list[Operation]:
    """The call of one alias change: create, point at another class, or delete (replace: both)."""
    name = change.address.name
    path = f"/v1/aliases/{name}"
    ops: list[Operation] = []
    if change.action in (Action.DELETE, Action.REPLACE):
        ops.append(Operation(f"{change.address}:delete", provider, Action.DELETE, (change.address,),
                             f"delete alias {name}", Request("DELETE", path)))
    if change.action in (Action.CREATE, Action.REPLACE):
        assert change.after is not None
        ops.append(Operation(f"{change.address}:create", provider, Action.CREATE, (change.address,),
                             f"create alias {name} -> {change.after['class']}",
                             Request("POST", "/v1/aliases", dict(change.after)), verify=Request("GET", path)))
    if change.action is Action.UPDATE:
        assert change.after is not None
        ops.append(Operation(f"{change.address}:update", provider, Action.UPDATE, (change.address,),
                             f"point alias {name} at class {change.after['class']}",
                             Request("PUT", path, {"class": change.after["class"]})))
    return ops
