"""Column endpoints (``.../columns/{type}``, update, delete, relationship) of the emulator.

The rules follow ``Collections/Attributes/*`` of the server at the tags in ``FIDELITY.md``; the ones
that depend on the version or the engine read :class:`~.profile.Profile`.
"""

from __future__ import annotations

import time
from typing import Any

from tests.emulators.server import Request, Response

from . import params as p
from .errors import AppwriteError
from .indexes import IndexSpec, index_problem
from .model import (
    FLOAT_MAX,
    INT32_MAX,
    INT64_MAX,
    INT64_MIN,
    NUMERIC_KINDS,
    SPATIAL_KINDS,
    STRING_KINDS,
    Column,
    Database,
    Table,
    now_iso,
)
from .params import Params
from .profile import Profile

__all__ = ["ColumnsApi", "check_column_values", "check_can_add", "VARCHAR_MAX"]

VARCHAR_MAX = 16381  # floor of Postgres/MySQL/MariaDB varchar limits ([column-params])
STRING_MAX = 1_073_741_824
ENCRYPT_MIN_SIZE = 150


def check_column_values(column: Column) -> None:
    """Controller checks shared by create and update ([column-params])."""
    if column.default is not None and column.required:
        raise AppwriteError(400, "column_default_unsupported", "Cannot set default value for required column")
    if column.default is not None and column.array:
        raise AppwriteError(400, "column_default_unsupported", "Cannot set default value for array columns")
    if column.encrypt and column.kind in ("varchar", "string") and (column.size or 0) < ENCRYPT_MIN_SIZE:
        raise AppwriteError(
            400, "general_bad_request", f"Size too small for encrypted column. Minimum size is {ENCRYPT_MIN_SIZE}."
        )
    if column.kind in ("varchar", "string") and isinstance(column.default, str) and len(column.default) > (
        column.size or 0
    ):
        raise AppwriteError(400, "column_value_invalid", "Default value exceeds the column size")
    if column.kind == "enum":
        elements = column.elements or []
        if any(e == "" for e in elements):
            raise AppwriteError(400, "column_value_invalid", "Each enum element must not be empty")
        if column.default is not None and column.default not in elements:
            raise AppwriteError(400, "column_value_invalid", "Default value not found in elements")
    if column.kind in NUMERIC_KINDS:
        lowest = -FLOAT_MAX if column.kind == "float" else INT64_MIN
        highest = FLOAT_MAX if column.kind == "float" else INT64_MAX
        column.min = lowest if column.min is None else column.min
        column.max = highest if column.max is None else column.max
        if column.min > column.max:
            raise AppwriteError(400, "column_value_invalid", "Minimum value must be lesser than maximum value")
        if column.default is not None and not column.min <= column.default <= column.max:
            raise AppwriteError(
                400, "column_value_invalid", f"Default value must be between {column.min} and {column.max}"
            )


def check_can_add(profile: Profile, table: Table, column: Column) -> None:
    """A new column fits: unique key, [column-count] and [row-width] (neither on MongoDB)."""
    if table.find_column(column.key) is not None:
        raise AppwriteError(409, "column_already_exists")
    if profile.column_limit and len(table.columns) >= profile.column_limit:
        raise AppwriteError(400, "column_limit_exceeded", "Column limit exceeded")
    if profile.row_limit and table.bytes_used() + column.width() >= profile.row_limit:
        raise AppwriteError(
            400,
            "column_limit_exceeded",
            "Row width limit reached. Cannot create new column. Current row width is "
            f"{table.bytes_used()} bytes but the maximum is {profile.row_limit} bytes. "
            "Reduce the size of existing columns or remove some columns to free up space.",
        )


class ColumnsApi:
    """Column handlers; mixed into the emulator with :class:`~.tables.DatabasesApi`."""

    databases: dict[str, Database]
    column_delay_s: float
    profile: Profile

    def _table(self, db: str, table: str) -> Table:
        raise NotImplementedError

    def _due(self) -> float:
        return time.monotonic() + self.column_delay_s

    def _column(self, table: Table, key: str) -> Column:
        found = table.columns.get(key)
        if found is None:
            raise AppwriteError(404, "column_not_found")
        return found

    def list_columns(self, flavor: Any, request: Request, db: str, table: str) -> dict[str, Any]:
        found = self._table(db, table)
        params = Params.from_request(request)
        query = p.parse_queries(params, ["key", "type", "size", "required", "array", "status", "error"])
        items = [c.to_model(flavor.legacy, self.profile) for c in found.columns.values()]
        total, page = p.paginate(items, query, "key", params)
        return {"total": total, flavor.name("columns"): page}

    def get_column(self, flavor: Any, request: Request, db: str, table: str, key: str) -> dict[str, Any]:
        return self._column(self._table(db, table), key).to_model(flavor.legacy, self.profile)

    def _kind_params(self, params: Params, kind: str) -> dict[str, Any]:
        """Validate the type-specific create params of ``kind``; return Column field values."""
        out: dict[str, Any] = {}
        if kind in ("varchar", "string"):
            out["size"] = params.required("size", p.integer(1, VARCHAR_MAX if kind == "varchar" else STRING_MAX))
        if kind in STRING_KINDS:
            checker = {"email": p.email, "url": p.url, "ip": p.ip}.get(kind, p.text(STRING_MAX, 0))
            out["default"] = params.optional("default", None, checker)
        if kind == "enum":
            out["elements"] = params.required("elements", p.array(p.text(255, 0)))
        if kind in ("varchar", "string", "text", "mediumtext", "longtext"):
            out["encrypt"] = params.optional("encrypt", False, p.boolean)
        if kind in ("integer", "bigint"):
            for name in ("min", "max", "default"):
                out[name] = params.optional(name, None, p.integer())
        if kind == "float":
            for name in ("min", "max", "default"):
                out[name] = params.optional(name, None, p.number)
        if kind == "boolean":
            out["default"] = params.optional("default", None, p.boolean)
        if kind == "datetime":
            out["default"] = params.optional("default", None, p.datetime_value)
        if kind in SPATIAL_KINDS:
            out["default"] = params.optional(
                "default", None, {"point": p.point, "line": p.line, "polygon": p.polygon}[kind]
            )
        if self.profile.cloud_api:
            out["description"] = params.optional("description", "", p.text(2048, 0))
        return out

    def create_column(self, flavor: Any, request: Request, kind: str, db: str, table: str) -> Response:
        params = Params.from_request(request)
        key = params.required("key", p.key_of(self.profile.uid_length))
        required = params.required("required", p.boolean)
        fields = self._kind_params(params, kind)
        array = params.optional("array", False, p.boolean) if kind not in SPATIAL_KINDS else False
        found = self._table(db, table)
        if kind in SPATIAL_KINDS and not self.profile.spatial:
            # [spatial-engine]: the upper-case type is the server's own error name
            raise AppwriteError(400, "COLUMN_TYPE_NOT_SUPPORTED",
                                f"Column type '{ {'line': 'linestring'}.get(kind, kind)}' is not supported.")
        column = Column(key, kind, required, array, **fields)
        check_column_values(column)
        if kind == "integer":
            # [integer-width]: Integer/Create.php picks the width from max alone
            column.size = 8 if (column.max if column.max is not None else INT64_MAX) > INT32_MAX else 4
        check_can_add(self.profile, found, column)
        column.due = self._due()
        found.columns[key] = column
        return Response(202, column.to_model(flavor.legacy, self.profile))

    def update_column(self, flavor: Any, request: Request, kind: str, db: str, table: str, key: str) -> dict[str, Any]:
        params = Params.from_request(request)
        required = params.required("required", p.boolean)
        checker: p.Check = {
            "email": p.email,
            "url": p.url,
            "ip": p.ip,
            "boolean": p.boolean,
            "datetime": p.datetime_value,
            "integer": p.integer(),
            "bigint": p.integer(),
            "float": p.number,
            "point": p.point,
            "line": p.line,
            "polygon": p.polygon,
        }.get(kind, p.text(STRING_MAX, 0))
        # Spatial updates have an optional default; every other update route requires it (null allowed).
        default = (
            params.optional("default", None, checker)
            if kind in SPATIAL_KINDS
            else params.required_nullable("default", checker)
        )
        new_key = params.optional("newKey", None, p.key_of(self.profile.uid_length))
        size = (
            params.optional("size", None, p.integer(1, VARCHAR_MAX if kind == "varchar" else STRING_MAX))
            if kind in ("varchar", "string")
            else None
        )
        elements = params.required("elements", p.array(p.text(255, 0))) if kind == "enum" else None
        bound = p.integer() if kind in ("integer", "bigint") else p.number
        minimum = params.optional("min", None, bound) if kind in NUMERIC_KINDS else None
        maximum = params.optional("max", None, bound) if kind in NUMERIC_KINDS else None
        description = params.optional("description", None, p.text(2048, 0)) if self.profile.cloud_api else None
        found = self._table(db, table)
        column = self._column(found, key)
        if column.status != "available":
            raise AppwriteError(400, "column_not_available")
        # 1.9.6 does not enforce that the route matches the column's type (misplaced parenthesis in
        # updateAttribute, [column-params]): a mismatched route still updates the common fields, and we
        # apply its type-specific fields only to a column of that family.
        same_family = column.kind == kind or {column.kind, kind} <= {"varchar", "string"}
        candidate = Column(column.key, column.kind, required, column.array, default, column.size, column.min,
                           column.max, column.elements, column.encrypt, column.relation, column.status)
        if same_family:
            candidate.size = size if size is not None else column.size
            candidate.elements = elements if elements is not None else column.elements
            candidate.min = minimum if minimum is not None else column.min
            candidate.max = maximum if maximum is not None else column.max
        check_column_values(candidate)
        altering = candidate.size != column.size or (new_key is not None and new_key != key)
        if candidate.size != column.size and column.is_string:
            longest = max((len(str(r.get(key) or "")) for r in found.rows.values()), default=0)
            if candidate.size is not None and longest > candidate.size:
                raise AppwriteError(400, "column_invalid_resize")
            if self.profile.row_limit and (
                found.bytes_used() - column.width() + candidate.width() >= self.profile.row_limit
            ):
                raise AppwriteError(400, "column_limit_exceeded", "Row width limit reached. Cannot resize column.")
        self._recheck_indexes(found, column, candidate, altering)
        if new_key is not None and new_key != key:
            self._rename_column(found, column, new_key)
        column.required, column.default = required, default
        column.size, column.elements, column.min, column.max = (
            candidate.size,
            candidate.elements,
            candidate.min,
            candidate.max,
        )
        if description is not None:
            column.description = description
        column.updated = now_iso()
        return column.to_model(flavor.legacy, self.profile)

    def _recheck_indexes(self, table: Table, column: Column, candidate: Column, altering: bool) -> None:
        """[column-update-indexes]: an update that changes the column's size or key re-validates every
        index of the table with the new column; making an indexed spatial column optional is refused
        where spatial indexes cannot hold nulls (utopia Database::updateAttribute)."""
        if column.kind in SPATIAL_KINDS and not candidate.required and not self.profile.spatial_index_null:
            for index in table.indexes.values():
                if index.type == "spatial" and column.key in index.columns:
                    raise AppwriteError(
                        400,
                        "column_index_invalid",
                        f'Spatial indexes do not allow null values. Mark the attribute "{column.key}" as required '
                        "or create the index on a column with no null values.",
                    )
        if not altering:
            return
        columns = {k: (candidate if c is column else c) for k, c in table.columns.items()}
        for index in table.indexes.values():
            spec = IndexSpec(index.key, index.type, index.columns, index.lengths, index.orders)
            problem = index_problem(self.profile, columns, [], spec)
            if problem:
                raise AppwriteError(400, "column_index_invalid", problem)

    def _rename_column(self, table: Table, column: Column, new_key: str) -> None:
        """Rename in place: indexes and row data follow; a twoWay partner's ``twoWayKey`` too."""
        other = table.find_column(new_key)
        if other is not None and other is not column:
            raise AppwriteError(409, "column_already_exists")
        if column.array and any(column.key in i.columns for i in table.indexes.values()):
            raise AppwriteError(409, "column_index_dependency")
        old = column.key
        table.columns = {(new_key if k == old else k): c for k, c in table.columns.items()}
        column.key = new_key
        for index in table.indexes.values():
            index.columns = [new_key if c == old else c for c in index.columns]
        for row in table.rows.values():
            if old in row:
                row[new_key] = row.pop(old)
        partner = self._partner(table, column)
        if partner is not None and column.relation is not None and partner.relation is not None:
            partner.relation["twoWayKey"] = new_key

    def _partner(self, table: Table, column: Column) -> Column | None:
        """The other side of a twoWay relationship column, if any."""
        if column.relation is None or not column.relation["twoWay"]:
            return None
        related = self.databases[table.database_id].tables.get(column.relation["relatedTable"])
        return related.columns.get(column.relation["twoWayKey"]) if related else None

    def create_relationship_column(self, flavor: Any, request: Request, kind: str, db: str, table: str) -> Response:
        params = Params.from_request(request)
        related_id = params.required(flavor.name("relatedTableId"), p.key)
        relation_type = params.required("type", p.whitelist("oneToOne", "oneToMany", "manyToOne", "manyToMany"))
        two_way = params.optional("twoWay", False, p.boolean)
        key = params.optional("key", None, p.key_of(self.profile.uid_length))
        two_way_key = params.optional("twoWayKey", None, p.key_of(self.profile.uid_length))
        on_delete = params.optional("onDelete", "restrict", p.whitelist("cascade", "restrict", "setNull"))
        found = self._table(db, table)
        database = self.databases[db]
        related = database.tables.get(related_id)
        if related is None:
            raise AppwriteError(404, "table_not_found")
        key = key or related_id
        two_way_key = two_way_key or found.id
        if relation_type == "manyToMany" and any(
            c.relation and c.relation["relationType"] == "manyToMany" and c.relation["relatedTable"] == related_id
            for c in found.columns.values()
        ):
            raise AppwriteError(
                409,
                "column_already_exists",
                'Creating more than one "manyToMany" relationship on the same table is currently not permitted.',
            )
        relation = {"relatedTable": related_id, "relationType": relation_type, "twoWay": two_way,
                    "twoWayKey": two_way_key, "onDelete": on_delete, "side": "parent"}
        parent = Column(key, "relationship", False, relation=relation)
        check_can_add(self.profile, found, parent)
        child: Column | None = None
        if two_way:
            child = Column(two_way_key, "relationship", False,
                           relation={**relation, "relatedTable": found.id, "twoWay": True, "twoWayKey": key,
                                     "side": "child"})
            if related is found and two_way_key.lower() == key.lower():
                raise AppwriteError(409, "column_already_exists")
            check_can_add(self.profile, related, child)
        parent.due = self._due()
        found.columns[key] = parent
        if child is not None:
            child.due = parent.due  # the twin follows the parent ([relationships])
            related.columns[two_way_key] = child
        return Response(202, parent.to_model(flavor.legacy, self.profile))

    def update_relationship_column(
        self, flavor: Any, request: Request, db: str, table: str, key: str
    ) -> dict[str, Any]:
        params = Params.from_request(request)
        on_delete = params.optional("onDelete", None, p.whitelist("cascade", "restrict", "setNull"))
        new_key = params.optional("newKey", None, p.key_of(self.profile.uid_length))
        found = self._table(db, table)
        column = self._column(found, key)
        if column.status != "available":
            raise AppwriteError(400, "column_not_available")
        partner = self._partner(found, column)
        if on_delete is not None and column.relation is not None:
            column.relation["onDelete"] = on_delete
            if partner is not None and partner.relation is not None:
                partner.relation["onDelete"] = on_delete
        if new_key is not None and new_key != key:
            self._rename_column(found, column, new_key)
        column.updated = now_iso()
        return column.to_model(flavor.legacy, self.profile)

    def delete_column(self, flavor: Any, request: Request, db: str, table: str, key: str) -> Response:
        found = self._table(db, table)
        column = self._column(found, key)
        if column.array and any(column.key in i.columns for i in found.indexes.values()):
            raise AppwriteError(409, "column_index_dependency")
        due = self._due()
        partner = self._partner(found, column)
        for target in (column, partner):
            if target is None:
                continue
            if target.status == "available":  # processing/failed keep their status until removed
                target.status = "deleting"
            target.drop_due = due
        return Response(204, None)
