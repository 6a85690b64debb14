"""Databases (``/tablesdb``): diff shape, calls and export form."""

from __future__ import annotations

from baseform.engine.address import Address
from baseform.engine.change import Change
from baseform.engine.operation import Operation
from baseform.engine.resource import KindRules
from baseform.providers.appwrite import calls
from baseform.providers.appwrite.calls import with_description
from baseform.providers.appwrite.models import DatabaseSpec
from baseform.types import JSONObject

__all__ = ["DATABASES", "desired_value", "export_entry", "live_value", "operations"]

DATABASES = KindRules("databases", renamable=False, data_loss="all its tables and their rows",
                      rename_unsupported="Appwrite database ids cannot change (change `name` instead)",
                      defaults={"enabled": True})


def desired_value(spec: DatabaseSpec) -> JSONObject:
    return with_description({"name": spec.name, "enabled": spec.enabled}, spec.description)


def live_value(raw: JSONObject) -> JSONObject:
    return with_description({"name": raw.get("name"), "enabled": bool(raw.get("enabled", True))},
                            raw.get("description"))


def operations(change: Change) -> list[Operation]:
    return calls.crud_operations(change, "databaseId")


def export_entry(address: Address, value: JSONObject) -> JSONObject:
    out: JSONObject = {"id": address.name, "name": value["name"]}
    if not value["enabled"]:
        out["enabled"] = False
    if value.get("description"):
        out["description"] = value["description"]
    return out
