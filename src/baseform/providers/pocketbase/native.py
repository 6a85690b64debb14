"""PocketBase's collections export (``pb_schema.json``) read as a ``pocketbase`` section. Pure.

The dashboard's *Settings > Export collections* writes a JSON list of collection objects, the same
objects ``GET /api/collections`` lists under ``items`` (both forms are read). They are converted
exactly as ``baseform export`` converts live collections (:func:`~.export.export_section` over the
state :func:`~.live.state_from` builds): collection ids, timestamps, system collections, system
fields, server defaults and the indexes the server adds to auth collections are left out, a field
keeps its id when it is not the one PocketBase derives from its type and name (so a field renamed in
the dashboard is recognised by its id), and a relation names its target by collection name. Exports
of PocketBase before 0.23 (fields under ``schema``) are refused once, with the way forward: their
field options differ and the server migrates them on upgrade.
"""

from __future__ import annotations

from typing import Any

from baseform.manifest.models import did_you_mean
from baseform.manifest.native import Conversion, DataPath, NativeFormat
from baseform.providers.pocketbase.collections import PROVIDER, RULE_KEYS
from baseform.providers.pocketbase.export import export_section
from baseform.providers.pocketbase.live import state_from
from baseform.providers.pocketbase.models import AUTH_OPTION_KEYS

__all__ = ["PB_SCHEMA"]

USERS_ID = "_pb_users_auth_"
"""The fixed id PocketBase gives the default ``users`` collection (a partial export may lack it)."""

_KEYS = frozenset({"id", "name", "type", "system", "created", "updated", "viewQuery", "fields", "indexes",
                   *RULE_KEYS, *AUTH_OPTION_KEYS})
"""Collection keys of PocketBase 0.23+ (server-managed ones included: they are dropped)."""


def _collections(data: Any) -> tuple[list[Any], DataPath] | None:
    """The collection list and its path: the export's top-level list, or a listing's ``items``."""
    if isinstance(data, list):
        return data, ()
    if isinstance(data, dict) and isinstance(data.get("items"), list) and "perPage" in data:
        return data["items"], ("items",)
    return None


def detect(data: Any) -> bool:
    found = _collections(data)
    return found is not None and bool(found[0]) and all(
        isinstance(c, dict) and "name" in c and ("fields" in c or "schema" in c) for c in found[0])


def _old_format(items: list[Any], prefix: DataPath, conversion: Conversion) -> bool:
    """Whether the export is of PocketBase 0.22 or older; if so, that is recorded once."""
    old = [i for i, raw in enumerate(items) if isinstance(raw, dict) and "schema" in raw and "fields" not in raw]
    if old:
        conversion.problem((*prefix, old[0], "schema"), "this is an export of PocketBase 0.22 or older ("
                           f"{len(old)} of its {len(items)} collections have their fields under 'schema'); "
                           "baseform reads the collections format of PocketBase 0.23+",
                           "upgrade the server (it migrates the collections) and export them again from "
                           "Settings > Export collections")
    return bool(old)


def _usable(raw: dict[str, Any], at: DataPath, conversion: Conversion) -> bool:
    """Whether the collection has the shape the export code needs; problems are recorded."""
    ok = True
    for key in ("name", "type"):
        if not isinstance(raw.get(key), str):
            conversion.problem((*at, key) if key in raw else at, f"a collection needs {key} (a string)")
            ok = False
    for key in raw:
        if key not in _KEYS:
            conversion.problem((*at, key), f"unknown collection key {key!r}{did_you_mean(key, sorted(_KEYS))}",
                               "remove it, or export the collections again from the dashboard")
    fields = raw.get("fields", [])
    if not isinstance(fields, list):
        conversion.problem((*at, "fields"), "fields must be a list of field objects")
        return False
    for j, f in enumerate(fields):
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not isinstance(f.get("type"), str):
            conversion.problem((*at, "fields", j), "a field must be an object with a name and a type")
            ok = False
    indexes = raw.get("indexes", [])
    if not isinstance(indexes, list) or not all(isinstance(x, str) for x in indexes):
        conversion.problem((*at, "indexes"), "indexes must be a list of CREATE INDEX statements")
        ok = False
    providers = (raw.get("oauth2") or {}).get("providers") if isinstance(raw.get("oauth2"), dict) else None
    if providers:
        conversion.problem((*at, "oauth2", "providers"), "OAuth2 providers are not managed by baseform (their "
                           "client secrets are write-only); they are left as they are on the server",
                           warning=True)
    return ok


def _match(items: list[Any], wanted: Any, key: str | None, used: set[int]) -> int | None:
    """Index of the first item not yet used that equals ``wanted`` (or whose ``key`` does)."""
    for i, item in enumerate(items):
        value = item.get(key) if key is not None and isinstance(item, dict) else item
        if i not in used and value == wanted:
            used.add(i)
            return i
    return None


def convert(data: Any) -> Conversion:
    conversion = Conversion()
    found = _collections(data)
    assert found is not None
    items, prefix = found
    if _old_format(items, prefix, conversion):
        conversion.document = {PROVIDER: {"collections": []}}
        return conversion
    usable: dict[str, int] = {}
    for i, raw in enumerate(items):
        at = (*prefix, i)
        if not _usable(raw, at, conversion):
            continue
        if raw["name"] in usable:
            conversion.problem((*at, "name"), f"collection {raw['name']!r} appears twice in the export")
            continue
        usable[raw["name"]] = i
    # a hand-made file may lack ids; the export code keys relation targets by id
    raws = [items[i] if "id" in items[i] else {**items[i], "id": ""} for i in usable.values()]
    section = export_section(state_from(raws, ""))
    ids = {str(raw.get("id")) for raw in raws}
    order = sorted(section["collections"], key=lambda c: usable[c["name"]])  # the file's order
    section["collections"] = order
    for c, entry in enumerate(order):
        k = usable[entry["name"]]
        source = items[k]
        here: DataPath = (PROVIDER, "collections", c)
        conversion.origin(here, (*prefix, k))
        used_fields: set[int] = set()
        for j, f in enumerate(entry.get("fields", [])):
            m = _match(source.get("fields", []), f["name"], "name", used_fields)
            if m is None:
                continue
            field_at: DataPath = (*prefix, k, "fields", m)
            conversion.origin((*here, "fields", j), field_at)
            if "collection" in f:
                conversion.origin((*here, "fields", j, "collection"), (*field_at, "collectionId"))
                target = source["fields"][m].get("collectionId")
                if str(target) not in ids and target == f["collection"]:
                    if target == USERS_ID:
                        f["collection"] = "users"
                    else:
                        conversion.problem((*field_at, "collectionId"), f"relation target {target!r} is not a "
                                           "collection in this export",
                                           "export the target collection too (or all collections)")
        used_indexes: set[int] = set()
        for n, text in enumerate(entry.get("indexes", [])):
            m = _match(source.get("indexes", []), text, None, used_indexes)
            if m is not None:
                conversion.origin((*here, "indexes", n), (*prefix, k, "indexes", m))
    conversion.document = {PROVIDER: section}
    return conversion


PB_SCHEMA = NativeFormat("PocketBase collections export (pb_schema.json, 0.23+)", detect, convert)
