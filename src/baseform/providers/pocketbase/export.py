"""Live PocketBase collections as a minimal ``pocketbase`` manifest section (``baseform export``).

Minimal: server defaults are left out (null rules, base type, field options at their defaults,
auth options at a new auth collection's defaults, key by key inside each option object) and system
collections, fields and the server's own auth indexes (by definition, whatever their names) are not
written; a field's id only when it is not the one PocketBase derives from its type and name. Email templates are written
only where they differ from the server's built-in text, which is read from the ``_superusers``
collection (PocketBase gives every auth collection the same built-in templates). Stable:
collections sorted by name, fields and indexes in the server's order (one import creates them in
the manifest's order, so a server built from an export keeps it). Applying the result to the same
server plans no changes. OAuth2 providers are not exported (their client secrets are write-only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from baseform.engine.resource import LiveState
from baseform.providers.pocketbase.collections import RULE_KEYS, system_collections
from baseform.providers.pocketbase.fields import export_field
from baseform.providers.pocketbase.indexes import is_default_builtin, parse_index
from baseform.types import JSON, JSONObject

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

_TEMPLATES: tuple[tuple[str, ...], ...] = (
    ("otp", "emailTemplate"), ("authAlert", "emailTemplate"), ("verificationTemplate",),
    ("resetPasswordTemplate",), ("confirmEmailChangeTemplate",),
)
"""Where auth collections keep their email templates (paths into the collection's JSON)."""

_TEMPLATE_REFERENCE = "_superusers"


def _changed(value: JSON, default: JSON) -> JSON | None:
    """``value`` without what equals ``default``, key by key inside objects; None when nothing differs."""
    if isinstance(value, dict) and isinstance(default, dict):
        out = {k: c for k, d in default.items() if k in value and (c := _changed(value[k], d)) is not None}
        return out or None
    return None if value == default else value


def _at(raw: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = raw
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _auth_options(raw: Mapping[str, Any], reference: Mapping[str, Any] | None) -> JSONObject:
    out: JSONObject = {}
    for key, default in _AUTH_DEFAULTS.items():
        if key in raw and (value := _changed(raw[key], default)) is not None:
            out[key] = value
    if reference is None:
        return out  # no built-in text to compare with: templates stay out, as defaults would
    for path in _TEMPLATES:
        template = _at(raw, path)
        if isinstance(template, dict) and template != _at(reference, path):
            target = out
            for key in path[:-1]:
                target = target.setdefault(key, {})
            target[path[-1]] = {"subject": template.get("subject", ""), "body": template.get("body", "")}
    return out


def _collection(raw: Mapping[str, Any], names: Mapping[str, str], reference: Mapping[str, Any] | None) -> JSONObject:
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
        entry.update(_auth_options(raw, reference))
    fields = [export_field(f, names) for f in raw.get("fields", []) if not f.get("system")]
    if fields:
        entry["fields"] = fields
    indexes = [text for text in raw.get("indexes", [])
               if (index := parse_index(text)) is None or not is_default_builtin(index, str(raw["type"]))]
    if indexes:
        entry["indexes"] = indexes
    return entry


def export_section(live: LiveState) -> JSONObject:
    """The ``pocketbase`` section describing ``live``."""
    raws = [r.raw for a, r in live.resources.items() if a.kind == "collections"]
    systems = system_collections(live)
    # relations may point at system collections (_superusers); they are written by name too
    names = {str(raw["id"]): name for name, raw in systems.items()}
    names.update({str(raw["id"]): str(raw["name"]) for raw in raws})
    reference = systems.get(_TEMPLATE_REFERENCE)
    return {"collections": [_collection(raw, names, reference) for raw in sorted(raws, key=lambda r: str(r["name"]))]}
