"""Storage buckets (``/storage/buckets``): every setting, permissions in the server's normal form.

The bucket PUT resets every omitted field to its create default (reference §3), so updates always
send the whole desired bucket. ``maximumFileSize`` left out of the manifest means "keep the live
value" (its default is the server's configured limit, which a client cannot know).
"""

from __future__ import annotations

from collections.abc import Mapping

from baseform.engine.address import Address
from baseform.engine.change import Change
from baseform.engine.operation import Operation
from baseform.engine.resource import KindRules
from baseform.providers.appwrite import calls, permissions
from baseform.providers.appwrite.models import BucketSpec
from baseform.types import JSON, JSONObject

__all__ = ["BUCKETS", "DEFAULT_MAXIMUM_FILE_SIZE", "desired_value", "export_entry", "live_value", "operations",
           "with_live_size"]

DEFAULT_MAXIMUM_FILE_SIZE = 30_000_000  # _APP_STORAGE_LIMIT's default on self-hosted servers

BUCKETS = KindRules("buckets", renamable=False, data_loss="all its files",
                    rename_unsupported="Appwrite bucket ids cannot change (change `name` instead)")

# settings with their create defaults, in the API's order (maximumFileSize handled apart)
_DEFAULTS: dict[str, JSON] = {"fileSecurity": False, "enabled": True, "allowedFileExtensions": [],
                              "compression": "none", "encryption": True, "antivirus": True,
                              "transformations": True}


def desired_value(spec: BucketSpec) -> JSONObject:
    value: JSONObject = {"name": spec.name, "permissions": permissions.normalize(spec.permissions)}
    value.update({k: getattr(spec, k) for k in _DEFAULTS})
    value["allowedFileExtensions"] = sorted(set(spec.allowedFileExtensions))
    if spec.maximumFileSize is not None:
        value["maximumFileSize"] = spec.maximumFileSize
    return value


def live_value(raw: JSONObject) -> JSONObject:
    value: JSONObject = {"name": raw.get("name"),
                         "permissions": permissions.normalize(raw.get("$permissions") or [])}
    value.update({k: raw.get(k, d) for k, d in _DEFAULTS.items()})
    value["allowedFileExtensions"] = sorted(set(raw.get("allowedFileExtensions") or []))
    value["maximumFileSize"] = raw.get("maximumFileSize")
    return value


def with_live_size(value: JSONObject, live: Mapping[str, JSON] | None) -> JSONObject:
    """The desired value with an omitted ``maximumFileSize`` taken from the live bucket."""
    if "maximumFileSize" in value or live is None:
        return value
    return {**value, "maximumFileSize": live.get("maximumFileSize")}


def operations(change: Change) -> list[Operation]:
    return calls.crud_operations(change, "bucketId")


def export_entry(address: Address, value: JSONObject) -> JSONObject:
    out: JSONObject = {"id": address.name, "name": value["name"]}
    if value["permissions"]:
        out["permissions"] = permissions.collapse(value["permissions"])
    for key, default in _DEFAULTS.items():
        if value[key] != default:
            out[key] = value[key]
    if value.get("maximumFileSize") not in (None, DEFAULT_MAXIMUM_FILE_SIZE):
        out["maximumFileSize"] = value["maximumFileSize"]
    return out
