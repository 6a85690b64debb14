"""The Appwrite CLI's project config (``appwrite.config.json``, formerly ``appwrite.json``) read as an
``appwrite`` section plus a ``providers.appwrite`` block. Pure.

Read: ``projectId`` and ``endpoint`` (where the project is), ``tablesDB`` + ``tables``, the legacy
``databases`` + ``collections`` (``attributes``, ``documentSecurity``), ``buckets`` and ``teams``;
the loader puts arrays kept in other files (``includes``) in place first. Functions, sites,
messaging, webhooks and project settings are not baseform's: they are ignored with a warning.

Values are kept as written, with these changes: ``$id``/``$permissions`` become ``id``/``permissions``;
a table goes under its ``databaseId``; a column's server type and format become the manifest type
(``string`` + ``email`` -> ``email``, ``double`` -> ``float``, ``linestring`` -> ``line``);
``previousKey`` becomes ``renamedFrom``; the counterpart column a two-way relationship creates on the
related table (``side: child``) is left out, as the server makes it with its relationship (the CLI's
push skips it too); a ``size`` on a type that takes none (seen on booleans in older files) is dropped
with a warning, as the server never reads it; keys the server manages (timestamps, ``status``,
``error``, ``side``, ``bytesMax``...) are dropped. Index ``orders`` stay as written (any case, null =
ascending); an index without ``columns`` or ``lengths`` (``appwrite pull`` writes no lengths, and
some files no columns) keeps the live index's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from baseform.manifest.native import Conversion, DataPath, Include, NativeFormat
from baseform.providers.appwrite.columns import TYPES, type_of_live

__all__ = ["APPWRITE_CONFIG"]

PROVIDER = "appwrite"
_DATABASES = ("tablesDB", "databases")
_TABLES = ("tables", "collections")
_RESOURCES = (*_DATABASES, *_TABLES, "buckets", "teams")
_NOT_MANAGED = ("settings", "functions", "sites", "topics", "messages", "webhooks")
_PROJECT = ("projectId", "projectName", "organizationId", "endpoint", "includes")
_TIMESTAMPS = frozenset({"$createdAt", "$updatedAt"})
_STRING_FORMATS = ("", "email", "url", "ip", "enum")


def detect(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    return "projectId" in data or any(
        isinstance(data.get(k), list) and data[k] and all(isinstance(x, dict) and "$id" in x for x in data[k])
        for k in _RESOURCES)


def includes(data: Any) -> Sequence[Include]:
    found = data.get("includes") if isinstance(data, dict) else None
    if not isinstance(found, dict):
        return ()
    return [Include((key,), path, ("includes", key)) for key, path in found.items()
            if key in _RESOURCES and isinstance(path, str) and path]


def _copy(raw: Mapping[str, Any], at: DataPath, out: DataPath, conversion: Conversion,
          renames: Mapping[str, str], drop: frozenset[str]) -> dict[str, Any]:
    """``raw`` without the ``drop`` keys and with keys renamed; origins recorded."""
    conversion.origin(out, at)
    entry: dict[str, Any] = {}
    for key, value in raw.items():
        if key in drop:
            continue
        name = renames.get(key, key)
        if name != key:
            conversion.origin((*out, name), (*at, key))
        entry[name] = value
    return entry


def _objects(data: Mapping[str, Any], key: str, conversion: Conversion) -> list[tuple[int, dict[str, Any]]]:
    """The entries of a resource array with their index; a wrong shape is a problem."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        conversion.problem((key,), f"{key} must be a list")
        return []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, dict) and isinstance(item.get("$id"), str):
            out.append((i, item))
        else:
            conversion.problem((key, i), f"each entry of {key} must be an object with a $id (a string)")
    return out


def _column(raw: dict[str, Any], at: DataPath, out: DataPath, conversion: Conversion) -> dict[str, Any]:
    renames = {"previousKey": "renamedFrom", "relatedCollection": "relatedTable"}
    drop = _TIMESTAMPS | {"side", "format", "status", "error"}
    if "relatedTable" in raw:
        drop |= {"relatedCollection"}  # the legacy form may carry both, with the same value
    column = _copy(raw, at, out, conversion, renames, drop)
    stored, fmt = raw.get("type"), raw.get("format") or ""
    if stored == "string" and fmt not in _STRING_FORMATS:
        conversion.problem((*at, "format"), f"unknown string column format {fmt!r}; known: email, url, ip, enum")
    if isinstance(stored, str):
        column["type"] = type_of_live(raw)
        info = TYPES.get(column["type"])
        if "size" in column and info is not None and not info.sized and info.fixed_size is None:
            del column["size"]
            conversion.problem((*at, "size"), f"size does not apply to {column['type']} columns; ignored",
                               warning=True)
    return column


def _columns(value: Any, at: DataPath, out: DataPath, conversion: Conversion) -> Any:
    if not isinstance(value, list):
        return value  # the model reports the wrong type
    columns: list[Any] = []
    for i, raw in enumerate(value):
        here = (*out, len(columns))
        if not isinstance(raw, dict):
            conversion.origin(here, (*at, i))
            columns.append(raw)
        elif not (raw.get("type") == "relationship" and raw.get("side") == "child"):
            columns.append(_column(raw, (*at, i), here, conversion))
    return columns


def _indexes(value: Any, at: DataPath, out: DataPath, conversion: Conversion) -> Any:
    if not isinstance(value, list):
        return value
    indexes: list[Any] = []
    for i, raw in enumerate(value):
        if not isinstance(raw, dict):
            indexes.append(raw)
            continue
        indexes.append(_copy(raw, (*at, i), (*out, i), conversion, {"attributes": "columns"},
                             _TIMESTAMPS | {"$id", "status", "error"}))
    return indexes


class _Section:
    """Builds the ``appwrite`` section: databases by id, each with the tables naming it."""

    def __init__(self, conversion: Conversion) -> None:
        self.conversion = conversion
        self.databases: list[dict[str, Any]] = []
        self.by_id: dict[str, tuple[int, DataPath]] = {}

    def database(self, raw: dict[str, Any], at: DataPath) -> None:
        found = self.by_id.get(raw["$id"])
        if found is not None:
            # tablesDB and the legacy databases list may both name a database
            first = self.databases[found[0]]
            if raw.get("name") != first.get("name"):
                self.conversion.problem((*at, "name"), f"database {raw['$id']!r} is listed twice with different "
                                        "names", "keep one name")
            return
        out = (PROVIDER, "databases", len(self.databases))
        self.by_id[raw["$id"]] = (len(self.databases), at)
        self.databases.append(_copy(raw, at, out, self.conversion, {"$id": "id"},
                                    _TIMESTAMPS | {"type", "status", "policies", "archives"}))

    def table(self, raw: dict[str, Any], at: DataPath, legacy: bool) -> None:
        database = raw.get("databaseId")
        found = self.by_id.get(database) if isinstance(database, str) else None
        if found is None:
            self.conversion.problem((*at, "databaseId") if "databaseId" in raw else at,
                                    f"table {raw['$id']!r} belongs to database {database!r}, which the file does "
                                    f"not list under {'databases' if legacy else 'tablesDB'}",
                                    f'add {{"$id": "{database}", "name": "..."}} to that list: baseform manages '
                                    "tables only inside a declared database")
            return
        db = self.databases[found[0]]
        tables = db.setdefault("tables", [])
        out = (PROVIDER, "databases", found[0], "tables", len(tables))
        renames = {"$id": "id", "$permissions": "permissions"}
        if legacy:
            renames |= {"documentSecurity": "rowSecurity", "attributes": "columns"}
        table = _copy(raw, at, out, self.conversion, renames, _TIMESTAMPS | {"databaseId", "bytesMax", "bytesUsed"})
        columns_key = "attributes" if legacy else "columns"
        if columns_key in raw:
            table["columns"] = _columns(raw[columns_key], (*at, columns_key), (*out, "columns"), self.conversion)
        if "indexes" in raw:
            table["indexes"] = _indexes(raw["indexes"], (*at, "indexes"), (*out, "indexes"), self.conversion)
        tables.append(table)


def _top(data: Mapping[str, Any], key: str, renames: Mapping[str, str], drop: frozenset[str],
         conversion: Conversion) -> list[dict[str, Any]]:
    return [_copy(raw, (key, i), (PROVIDER, key, n), conversion, renames, drop)
            for n, (i, raw) in enumerate(_objects(data, key, conversion))]


def _ignored(data: Mapping[str, Any], conversion: Conversion) -> None:
    """Warnings for the parts of the config that baseform does not manage."""
    for key, value in data.items():
        if key in _NOT_MANAGED and value:
            conversion.problem((key,), f"{key!r} is not managed by baseform (only databases, tables, buckets and "
                               "teams are); ignored", warning=True)
        elif key not in _NOT_MANAGED and key not in _PROJECT and key not in _RESOURCES:
            conversion.problem((key,), f"{key!r} is not an Appwrite CLI config key baseform reads; ignored",
                               warning=True)
    inclusions = data.get("includes")
    for key in inclusions if isinstance(inclusions, dict) else ():
        if key not in _RESOURCES:
            conversion.problem(("includes", key), f"{key!r} is not managed by baseform; the included file is "
                               "not read", warning=True)


def convert(data: Any) -> Conversion:
    conversion = Conversion()
    assert isinstance(data, dict)
    _ignored(data, conversion)
    section = _Section(conversion)
    for key in _DATABASES:
        for i, raw in _objects(data, key, conversion):
            section.database(raw, (key, i))
    for key in _TABLES:
        for i, raw in _objects(data, key, conversion):
            section.table(raw, (key, i), legacy=key == "collections")
    body: dict[str, Any] = {}
    teams = _top(data, "teams", {"$id": "id"}, _TIMESTAMPS | {"total", "prefs"}, conversion)
    buckets = _top(data, "buckets", {"$id": "id", "$permissions": "permissions"}, _TIMESTAMPS | {"totalSize"},
                   conversion)
    for key, items in (("teams", teams), ("databases", section.databases), ("buckets", buckets)):
        if items:
            body[key] = items
    conversion.document = {PROVIDER: body}
    settings: dict[str, Any] = {}
    for key, setting in (("endpoint", "endpoint"), ("projectId", "project")):
        if key in data:
            settings[setting] = data[key]
            conversion.origin(("providers", PROVIDER, setting), (key,))
    if settings:
        conversion.document["providers"] = {PROVIDER: settings}
    return conversion


APPWRITE_CONFIG = NativeFormat("Appwrite CLI config (appwrite.config.json, appwrite.json)", detect, convert,
                               includes)
