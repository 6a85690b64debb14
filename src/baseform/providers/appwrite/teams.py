"""Teams (``/teams``): only ``name`` is declarative (memberships are people, not schema)."""

from __future__ import annotations

from baseform.engine.address import Address
from baseform.engine.change import Change
from baseform.engine.operation import Operation
from baseform.engine.resource import KindRules
from baseform.providers.appwrite import calls
from baseform.providers.appwrite.models import TeamSpec
from baseform.types import JSONObject

__all__ = ["TEAMS", "desired_value", "export_entry", "live_value", "operations"]

TEAMS = KindRules("teams", renamable=False, data_loss="all its memberships",
                  rename_unsupported="Appwrite team ids cannot change (change `name` instead)")


def desired_value(spec: TeamSpec) -> JSONObject:
    return {"name": spec.name}


def live_value(raw: JSONObject) -> JSONObject:
    return {"name": raw.get("name")}


def operations(change: Change) -> list[Operation]:
    return calls.crud_operations(change, "teamId")


def export_entry(address: Address, value: JSONObject) -> JSONObject:
    return {"id": address.name, "name": value["name"]}
