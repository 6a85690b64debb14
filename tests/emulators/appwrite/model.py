"""In-memory metadata: databases, tables with columns/indexes/rows, buckets, teams.

Columns and indexes carry a ``due`` time for their pending asynchronous transition (``processing`` ->
``available``, ``deleting`` -> removed), applied lazily by :meth:`Table.tick` before a request is
handled (while any job is pending: :meth:`~tests.emulators.jobs.JobClock.all_due_before`), which stands
in for the server's databases worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .profile import Profile

__all__ = [
    "Bucket",
    "Column",
    "Database",
    "Index",
    "KINDS",
    "ROW_BASE_BYTES",
    "ROW_MAX_BYTES",
    "Table",
    "Team",
    "now_iso",
]

ROW_MAX_BYTES = 65535  # MariaDB/MySQL row size; a table's bytesMax
ROW_BASE_BYTES = 1067  # bytesUsed of a table without user columns (internal columns)
INT32_MAX = 2147483647
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
FLOAT_MAX = 1.7976931348623157e308  # PHP_FLOAT_MAX

# Column route kinds -> (stored type, stored format, fixed size or None when the size is a parameter).
KINDS: dict[str, tuple[str, str, int | None]] = {
    "varchar": ("varchar", "", None),
    "text": ("text", "", 65535),
    "mediumtext": ("mediumtext", "", 16777215),
    "longtext": ("longtext", "", 2147483647),
    "string": ("string", "", None),
    "email": ("string", "email", 254),
    "url": ("string", "url", 2000),
    "ip": ("string", "ip", 39),
    "enum": ("string", "enum", 255),
    "integer": ("integer", "intRange", None),
    "bigint": ("bigint", "bigintRange", None),
    "float": ("double", "floatRange", None),
    "boolean": ("boolean", "", None),
    "datetime": ("datetime", "datetime", None),
    "point": ("point", "", None),
    "line": ("linestring", "", None),
    "polygon": ("polygon", "", None),
    "relationship": ("relationship", "", None),
}
STRING_KINDS = frozenset(
    {"varchar", "text", "mediumtext", "longtext", "string", "email", "url", "ip", "enum"}
)
SPATIAL_KINDS = frozenset({"point", "line", "polygon"})
NUMERIC_KINDS = frozenset({"integer", "bigint", "float"})


def now_iso() -> str:
    """Appwrite's timestamp format, e.g. ``2026-04-01T12:00:00.000+00:00``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class Column:
    """One column (attribute). ``kind`` is the route type; ``type``/``format`` are what the server stores."""

    key: str
    kind: str
    required: bool
    array: bool = False
    default: Any = None
    size: int | None = None
    min: int | float | None = None
    max: int | float | None = None
    elements: list[str] | None = None
    encrypt: bool = False
    relation: dict[str, Any] | None = None  # relatedTable, relationType, twoWay, twoWayKey, onDelete, side
    status: str = "processing"
    description: str = ""
    error: str = ""
    due: float = 0.0  # when a processing column becomes available
    drop_due: float = 0.0  # when a deleted column disappears
    created: str = field(default_factory=now_iso)
    updated: str = ""

    def __post_init__(self) -> None:
        self.updated = self.updated or self.created
        fixed = KINDS[self.kind][2]
        if fixed is not None:
            self.size = fixed

    @property
    def type(self) -> str:
        return KINDS[self.kind][0]

    @property
    def is_string(self) -> bool:
        return self.kind in STRING_KINDS

    def width(self) -> int:
        """Estimated bytes in the row ([row-width])."""
        if self.array or self.kind in ("text", "mediumtext", "longtext", "line", "polygon"):
            return 20
        if self.kind == "relationship":
            return 1021
        if self.is_string:
            size = self.size or 0
            if self.kind == "string" and size > 16381:
                return 20  # stored as a TEXT-family column
            return 4 * size + (1 if size <= 255 else 2)
        if self.kind == "integer":
            # [integer-width]: the width chosen at create (``size`` 8 is a BIGINT, else an INT)
            return 8 if (self.size or 0) >= 8 else 4
        return {"bigint": 8, "float": 8, "boolean": 1, "datetime": 7, "point": 25}[self.kind]

    def to_model(self, legacy: bool, profile: Profile) -> dict[str, Any]:
        """The column response model (legacy API: attribute model, ``relatedCollection``)."""
        out: dict[str, Any] = {
            "key": self.key,
            "type": self.type,
            "status": self.status,
            "error": self.error,
            "required": self.required,
            "array": self.array,
            "$createdAt": self.created,
            "$updatedAt": self.updated,
        }
        if self.kind in ("varchar", "string"):
            out.update(size=self.size, default=self.default, encrypt=self.encrypt)
        elif self.kind in ("text", "mediumtext", "longtext"):
            out.update(default=self.default, encrypt=self.encrypt)
        elif self.kind == "enum":
            out.update(elements=list(self.elements or []), format="enum", default=self.default)
        elif self.kind in ("email", "url", "ip", "datetime"):
            out.update(format=KINDS[self.kind][1], default=self.default)
        elif self.kind in NUMERIC_KINDS:
            out.update(min=self.min, max=self.max, default=self.default)
        elif self.kind == "relationship" and self.relation is not None:
            related = self.relation["relatedTable"]
            out.update(
                {"relatedCollection" if legacy else "relatedTable": related},
                relationType=self.relation["relationType"],
                twoWay=self.relation["twoWay"],
                twoWayKey=self.relation["twoWayKey"],
                onDelete=self.relation["onDelete"],
                side=self.relation["side"],
            )
        else:
            out.update(default=self.default)
        if profile.cloud_api:
            out["description"] = self.description
        return out


@dataclass
class Index:
    id: str
    key: str
    type: str
    columns: list[str]
    lengths: list[int | None]
    orders: list[Any]
    status: str = "processing"
    description: str = ""
    error: str = ""
    due: float = 0.0  # when a processing index becomes available (or failed)
    drop_due: float = 0.0  # when a deleted index disappears
    created: str = field(default_factory=now_iso)
    updated: str = ""

    def __post_init__(self) -> None:
        self.updated = self.updated or self.created

    def to_model(self, legacy: bool, profile: Profile) -> dict[str, Any]:
        out = {
            "$id": self.id,
            "$createdAt": self.created,
            "$updatedAt": self.updated,
            "key": self.key,
            "type": self.type,
            "status": self.status,
            "error": self.error,
            "attributes" if legacy else "columns": list(self.columns),
            "lengths": list(self.lengths),
            "orders": list(self.orders),
        }
        if profile.cloud_api:
            out["description"] = self.description
        return out


@dataclass
class Table:
    id: str
    sequence: int
    database_id: str
    name: str
    permissions: list[str]
    row_security: bool
    enabled: bool
    columns: dict[str, Column] = field(default_factory=dict)
    indexes: dict[str, Index] = field(default_factory=dict)
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    description: str = ""
    created: str = field(default_factory=now_iso)
    updated: str = ""

    def __post_init__(self) -> None:
        self.updated = self.updated or self.created

    def find_column(self, key: str) -> Column | None:
        """Column keys are unique case-insensitively (the SQL adapters' collation)."""
        return next((c for c in self.columns.values() if c.key.lower() == key.lower()), None)

    def bytes_used(self) -> int:
        return ROW_BASE_BYTES + sum(c.width() for c in self.columns.values())

    def tick(self, now: float) -> None:
        """Complete the asynchronous jobs whose time has come (the databases worker)."""
        for column in list(self.columns.values()):
            if column.drop_due and column.drop_due <= now:
                self._drop_column(column.key)
            elif column.due and column.due <= now:
                column.due = 0.0
                if column.status == "processing":
                    column.status = "available"
        for index in list(self.indexes.values()):
            if index.drop_due and index.drop_due <= now:
                del self.indexes[index.key]
            elif index.due and index.due <= now:
                index.due = 0.0
                if index.status == "processing":
                    self._build_index(index)

    def _drop_column(self, key: str) -> None:
        # The worker also strips the key from indexes, deleting indexes left empty or made identical to
        # another index ([column-async]).
        del self.columns[key]
        for row in self.rows.values():
            row.pop(key, None)
        for index in list(self.indexes.values()):
            if key not in index.columns:
                continue
            position = index.columns.index(key)
            index.columns.pop(position)
            index.lengths.pop(position)
            if position < len(index.orders):
                index.orders.pop(position)
            twin = any(
                o is not index and (o.type, o.columns) == (index.type, index.columns)
                for o in self.indexes.values()
            )
            if not index.columns or twin:
                del self.indexes[index.key]

    def _build_index(self, index: Index) -> None:
        if index.type == "unique":
            seen: set[str] = set()
            for row in self.rows.values():
                if any(row.get(c) is None for c in index.columns):
                    continue  # SQL unique indexes never treat NULLs as equal (several rows may have them)
                values = repr([row.get(c) for c in index.columns])
                if values in seen:
                    index.status = "failed"
                    index.error = f"Duplicate entry {values} for key '{index.key}'"
                    return
                seen.add(values)
        index.status = "available"

    def to_model(self, legacy: bool, profile: Profile, schema: bool = True) -> dict[str, Any]:
        """The table model; ``schema=False`` lists no columns or indexes (the 1.9 create answer)."""
        out: dict[str, Any] = {
            "$id": self.id,
            "$createdAt": self.created,
            "$updatedAt": self.updated,
            "$permissions": list(self.permissions),
            "databaseId": self.database_id,
            "name": self.name,
            "enabled": self.enabled,
            "documentSecurity" if legacy else "rowSecurity": self.row_security,
            "attributes" if legacy else "columns": [c.to_model(legacy, profile) for c in self.columns.values()]
            if schema else [],
            "indexes": [i.to_model(legacy, profile) for i in self.indexes.values()] if schema else [],
        }
        if profile.bytes_info:
            # [row-bytes]: MongoDB measures nothing (its adapter answers 0 for both)
            out["bytesMax"] = ROW_MAX_BYTES if profile.row_limit else 0
            out["bytesUsed"] = (self.bytes_used() if schema else ROW_BASE_BYTES) if profile.row_limit else 0
        if profile.cloud_api:
            out["description"] = self.description
        return out


@dataclass
class Database:
    id: str
    sequence: int
    name: str
    enabled: bool
    type: str  # "tablesdb" (created through /tablesdb) or "legacy" (through /databases)
    tables: dict[str, Table] = field(default_factory=dict)
    description: str = ""
    created: str = field(default_factory=now_iso)
    updated: str = ""

    def __post_init__(self) -> None:
        self.updated = self.updated or self.created

    def to_model(self, profile: Profile) -> dict[str, Any]:
        out: dict[str, Any] = {
            "$id": self.id,
            "name": self.name,
            "$createdAt": self.created,
            "$updatedAt": self.updated,
            "enabled": self.enabled,
            "type": self.type,
        }
        if profile.database_status:
            out["status"] = "ready"
        if profile.cloud_api:
            out["description"] = self.description
        return out


@dataclass
class Bucket:
    id: str
    settings: dict[str, Any]  # permissions, fileSecurity, name, enabled, maximumFileSize, ... (model names)
    created: str = field(default_factory=now_iso)
    updated: str = ""

    def __post_init__(self) -> None:
        self.updated = self.updated or self.created

    def to_model(self, profile: Profile) -> dict[str, Any]:
        s = self.settings
        out: dict[str, Any] = {
            "$id": self.id,
            "$createdAt": self.created,
            "$updatedAt": self.updated,
            "$permissions": list(s["permissions"]),
            "fileSecurity": s["fileSecurity"],
            "name": s["name"],
            "enabled": s["enabled"],
            "maximumFileSize": s["maximumFileSize"],
            "allowedFileExtensions": list(s["allowedFileExtensions"]),
            "compression": s["compression"],
            "encryption": s["encryption"],
            "antivirus": s["antivirus"],
        }
        if profile.bucket_transformations:
            out.update(transformations=s["transformations"], totalSize=0)
        if profile.cloud_api:
            out.update(description=s["description"], stripMetadata=s["stripMetadata"])
        return out


@dataclass
class Team:
    id: str
    name: str
    prefs: dict[str, Any] = field(default_factory=dict)
    created: str = field(default_factory=now_iso)
    updated: str = ""

    def __post_init__(self) -> None:
        self.updated = self.updated or self.created

    def to_model(self) -> dict[str, Any]:
        # With an API key no membership is created, so total stays 0 ([teams]).
        return {
            "$id": self.id,
            "$createdAt": self.created,
            "$updatedAt": self.updated,
            "name": self.name,
            "total": 0,
            "prefs": dict(self.prefs),
        }
