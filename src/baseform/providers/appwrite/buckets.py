"""Storage buckets (``/storage/buckets``): every setting, permissions in the server's normal form.

The bucket PUT resets every omitted field to its create default (FIDELITY.md [bucket-put-defaults]), so
updates always send the whole desired bucket. ``maximumFileSize`` left out of the manifest means "keep
the live value" (its default is the server's configured limit, which a client cannot know); so do the
Cloud API's ``description`` and ``stripMetadata``, which are then sent with the live values.
"""

from __future__ import annotations

from collections.abc import Mapping

from baseform.engine.address import Address
from baseform.engine.change import Change
from baseform.engine.operation import Operation
from baseform.engine.resource import KindRules
from baseform.providers.appwrite import calls, permissions
from baseform.providers.appwrite.calls import with_description
from baseform.providers.appwrite.models import BucketSpec
from baseform.types import JSON, JSONObject

__all__ = ["BUCKETS", "DEFAULT_MAXIMUM_FILE_SIZE", "desired_value", "export_entry", "live_value", "operations",
           "with_live"]

DEFAULT_MAXIMUM_FILE_SIZE = 30_000_000  # _APP_STORAGE_LIMIT's default on self-hosted servers

# settings with their create defaults, in the API's order (maximumFileSize handled apart)
_DEFAULTS: dict[str, JSON] = {"fileSecurity": False, "enabled": True, "allowedFileExtensions": [],
                              "compression": "none", "encryption": True, "antivirus": True,
                              "transformations": True}

BUCKETS = KindRules("buckets", renamable=False, data_loss="all its files",
                    rename_unsupported="Appwrite bucket ids cannot change (change `name` instead)",
                    defaults={**_DEFAULTS, "permissions": []})


def desired_value(spec: BucketSpec) -> JSONObject:
    value: JSONObject = {"name": spec.name, "permissions": permissions.normalize(spec.permissions)}
    value.update({k: getattr(spec, k) for k in _DEFAULTS})
    value["allowedFileExtensions"] = sorted(set(spec.allowedFileExtensions))
    if spec.maximumFileSize is not None:
        value["maximumFileSize"] = spec.maximumFileSize
    if spec.stripMetadata is not None:
        value["stripMetadata"] = spec.stripMetadata
    return with_description(value, spec.description)


def live_value(raw: JSONObject) -> JSONObject:
    value: JSONObject = {"name": raw.get("name"),
                         "permissions": permissions.normalize(raw.get("$permissions") or [])}
    value.update({k: raw.get(k, d) for k, d in _DEFAULTS.items()})
    value["allowedFileExtensions"] = sorted(set(raw.get("allowedFileExtensions") or []))
    value["maximumFileSize"] = raw.get("maximumFileSize")
    if isinstance(raw.get("stripMetadata"), bool):
        value["stripMetadata"] = raw["stripMetadata"]
    return with_description(value, raw.get("description"))


_KEPT = ("maximumFileSize", "stripMetadata", "description")
"""Settings the manifest may leave out to keep the live value."""


def with_live(value: JSONObject, live: Mapping[str, JSON] | None) -> JSONObject:
    """The desired value with the left-out settings of :data:`_KEPT` taken from the live bucket."""
    if live is None or all(k in value or k not in live for k in _KEPT):
        return value
    return {**value, **{k: live[k] for k in _KEPT if k not in value and k in live}}


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
    if value.get("stripMetadata"):
        out["stripMetadata"] = True
    if value.get("description"):
        out["description"] = value["description"]
    return out
