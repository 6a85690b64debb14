"""Live PocketBase collections as a minimal ``pocketbase`` manifest section (``baseform export``).

Minimal: server defaults are left out (null rules, base type, field options at their defaults,
auth options at a new auth collection's defaults) and system collections, fields and the server's
own auth indexes are not written. Stable: collections sorted by name, fields and indexes in the
server's order. Applying the result to the same server plans no changes. Email templates and
OAuth2 providers are not exported (templates are long server defaults; provider secrets are
write-only).
"""

from __future__ import annotations

from typing import Any

from baseform.engine.resource import LiveState
from baseform.providers.pocketbase.collections import RULE_KEYS, system_collections
from baseform.providers.pocketbase.fields import export_field
from baseform.providers.pocketbase.indexes import is_auto_index, parse_index
from baseform.types import JSONObject

__all__ = ["export_section"]

_AUTH_DEFAULTS: dict[str, Any] = {
    "authRule": "",
    "manageRule": None,
    "passwordAuth": {"enabled": True, "identityFields": ["email"]},
    "oauth2": {"enabled": False, "mappedFields": {"id": "", "name": "", "username": "", "avatarURL": ""}},
    "mfa": {"enabled": False, "duration": 600, "rule": ""},
    "otp": {"enabled": False, "duration": 180, "length": 8},
    "authAlert": {"enabled": True},
    "authToken": {"duration": 432000},
    "passwordResetToken": {"duration": 1800},
    "emailChangeToken": {"duration": 1800},
    "verificationToken": {"duration": 86400},
    "fileToken": {"duration": 180},
}
"""A new auth collection's options (the keys export writes), as PocketBase 0.40 creates them."""


def _auth_options(raw: dict[str, Any]) -> JSONObject:
    out: JSONObject = {}
    for key, default in _AUTH_DEFAULTS.items():
        value = raw.get(key)
        if isinstance(default, dict) and isinstance(value, dict):
            value = {k: value[k] for k in default if k in value}
        if value != default and key in raw:
            out[key] = value
    return out


def _collection(raw: dict[str, Any], names: dict[str, str]) -> JSONObject:
    entry: JSONObject = {"name": raw["name"]}
    if raw["type"] != "base":
        entry["type"] = raw["type"]
    for rule in RULE_KEYS:
        if raw.get(rule) is not None:
            entry[rule] = raw[rule]
    if raw["type"] == "view":
        entry["viewQuery"] = raw.get("viewQuery")
        return entry
    if raw["type"] == "auth":
        entry.update(_auth_options(raw))
    fields = [export_field(f, names) for f in raw.get("fields", []) if not f.get("system")]
    if fields:
        entry["fields"] = fields
    indexes = [text for text in raw.get("indexes", [])
               if (index := parse_index(text)) is None or not is_auto_index(index.name, str(raw["id"]))]
    if indexes:
        entry["indexes"] = indexes
    return entry


def export_section(live: LiveState) -> JSONObject:
    """The ``pocketbase`` section describing ``live``."""
    raws = [r.raw for a, r in live.resources.items() if a.kind == "collections"]
    # relations may point at system collections (_superusers); they are written by name too
    names = {str(raw["id"]): name for name, raw in system_collections(live).items()}
    names.update({str(raw["id"]): str(raw["name"]) for raw in raws})
    return {"collections": [_collection(raw, names) for raw in sorted(raws, key=lambda r: str(r["name"]))]}
