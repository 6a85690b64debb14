"""Collection fields: their diff shape, the server's defaults per type, and live-id handling.

A field's value is the API's own JSON for it without ``system``; a relation names its target by
``collection`` (the collection's name after the apply, on both sides, so a plan reads like the
manifest; the import body gets the id). A field is matched to a live one by its ``id`` when the
manifest gives one (a new name on the same id is a rename), else by name; the ``id`` is never
compared, and the live id is always sent back for a kept field so PocketBase keeps its column and data.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from baseform.engine.resource import KindRules
from baseform.providers.pocketbase.models import FieldSpec
from baseform.types import JSONObject

__all__ = [
    "FIELDS",
    "SYSTEM_FIELD_NAMES",
    "SYSTEM_FIELD_TYPES",
    "desired_field",
    "export_field",
    "field_id",
    "has_own_id",
    "is_field_name",
    "live_field",
    "normalise_date",
]

_COMMON: JSONObject = {"hidden": False, "presentable": False}
_VALUE: JSONObject = {**_COMMON, "required": False, "help": ""}
_DOMAINS: JSONObject = {"exceptDomains": [], "onlyDomains": []}

TYPE_DEFAULTS: dict[str, JSONObject] = {
    "text": {**_VALUE, "min": 0, "max": 0, "pattern": "", "autogeneratePattern": "", "primaryKey": False},
    "editor": {**_VALUE, "maxSize": 0, "convertURLs": False},
    "number": {**_VALUE, "min": None, "max": None, "onlyInt": False},
    "bool": dict(_VALUE),
    "email": {**_VALUE, **_DOMAINS},
    "url": {**_VALUE, **_DOMAINS},
    "date": {**_VALUE, "min": "", "max": ""},
    "autodate": {**_COMMON, "onCreate": False, "onUpdate": False},
    "select": {**_VALUE, "maxSelect": 0},
    "file": {**_VALUE, "maxSelect": 0, "maxSize": 0, "mimeTypes": [], "thumbs": [], "protected": False},
    "relation": {**_VALUE, "cascadeDelete": False, "minSelect": 0, "maxSelect": 0},
    "json": {**_VALUE, "maxSize": 0},
    "geoPoint": dict(_VALUE),
    "password": {**_VALUE, "min": 0, "max": 0, "cost": 0, "pattern": ""},
}
"""What PocketBase 0.23+ echoes for an option left out (checked live against 0.40.6)."""

FIELDS = KindRules(
    "fields",
    # PocketBase refuses a type change on a kept field id and a new relation target on it
    # (validation_field_type_change / validation_field_relation_change): both recreate the column.
    replace_on=frozenset({"type", "collection"}),
    type_key="type",
    type_defaults=TYPE_DEFAULTS,
    ignore=frozenset({"id"}),  # for matching only
    renamable=True,
    # the fields of a collection are saved together (by id), so renames may chain and swap names
    rename_chains=True,
    compare_declared_only=False,
    data_loss="its value in every record",
    narrowing={"max": "limit", "maxSize": "limit", "maxSelect": "limit", "min": "min", "values": "values"},
    # a relation whose target collection is recreated (new id) must be recreated too
    replaced_with_dependencies=True,
)

SYSTEM_FIELD_TYPES: Mapping[str, Mapping[str, str]] = {
    "base": {"id": "text"},
    "auth": {"id": "text", "password": "password", "tokenKey": "text", "email": "email", "emailVisibility": "bool",
             "verified": "bool"},
    "view": {},
}
"""Fields PocketBase creates and manages itself (name -> type); a manifest may not declare them."""

SYSTEM_FIELD_NAMES: Mapping[str, frozenset[str]] = {kind: frozenset(f) for kind, f in SYSTEM_FIELD_TYPES.items()}

_MISSING = object()
_MANIFEST_ONLY = frozenset({"protect", "renamedFrom"})
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S.%fZ", "%Y-%m-%d %H:%M:%SZ", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%fZ",
                 "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")


def normalise_date(text: str) -> str:
    """A date option as PocketBase stores it (``2024-01-01`` -> ``2024-01-01 00:00:00.000Z``);
    unparseable text is returned unchanged so the server reports it."""
    if not text:
        return ""
    for fmt in _DATE_FORMATS:
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return moment.replace(tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return text


def desired_field(spec: FieldSpec) -> JSONObject:
    """The diff value of a declared field (``id`` only when the manifest gives one)."""
    value: JSONObject = spec.model_dump(exclude=set(_MANIFEST_ONLY) | ({"id"} if spec.id is None else set()))
    if value["type"] == "date":
        value["min"], value["max"] = normalise_date(value["min"]), normalise_date(value["max"])
    return value


def live_field(raw: Mapping[str, Any], collection_names: Mapping[str, str]) -> JSONObject:
    """The diff value of a field as the server returns it; a relation's target by name (an id no
    collection has stays as it is)."""
    value: JSONObject = {}
    for key, item in raw.items():
        if key == "collectionId":
            value["collection"] = collection_names.get(str(item), item)
        elif key not in ("id", "system"):
            value[key] = item
    for key in _LISTS.get(str(raw.get("type")), ()):
        if value.get(key) is None:
            value[key] = []  # an export's null; the server itself answers []
    return value


_LISTS = {"email": ("exceptDomains", "onlyDomains"), "url": ("exceptDomains", "onlyDomains"),
          "file": ("mimeTypes", "thumbs")}


def has_own_id(raw: Mapping[str, Any]) -> bool:
    """Whether a live field's id differs from the one PocketBase derives from its type and name
    (it was renamed, came from an older server or was given explicitly): exports keep such ids."""
    fid = raw.get("id")
    return isinstance(fid, str) and bool(fid) and fid != field_id(str(raw.get("type")), str(raw.get("name")), ())


def export_field(raw: Mapping[str, Any], collection_names: Mapping[str, str]) -> JSONObject:
    """A live field as a minimal manifest entry: server defaults left out, relation target by name,
    the id only when it is not the one PocketBase would derive (so a later rename is recognised)."""
    value = live_field(raw, collection_names)
    defaults = TYPE_DEFAULTS.get(str(raw.get("type")), {})
    out: JSONObject = {"name": raw["name"], "type": raw["type"]}
    if has_own_id(raw):
        out["id"] = raw["id"]
    for key, item in value.items():
        if key not in ("name", "type") and defaults.get(key, _MISSING) != item:
            out[key] = item
    return out


def field_id(field_type: str, name: str, taken: Iterable[str]) -> str:
    """PocketBase's own id for a new field (``type + crc32(name)``, suffix 2..999 on collision)."""
    base = f"{field_type}{zlib.crc32(name.encode())}"
    used = set(taken)
    if base not in used:
        return base
    return next(f"{base}{n}" for n in range(2, 1000) if f"{base}{n}" not in used)


def is_field_name(name: str) -> bool:
    """PocketBase's field name rule (``^\\w{1,100}$``, not a reserved word, no ``_via_``)."""
    reserved = name.lower() in ("null", "true", "false", "_rowid_") or "_via_" in name
    return bool(re.fullmatch(r"[A-Za-z0-9_]{1,100}", name)) and not reserved

