"""TablesDB (``/v1/tablesdb``) and the legacy Databases API (``/v1/databases``) over one store.

Both APIs drive the same metadata (reference §2.10); a :class:`Flavor` holds the naming differences
(``tableId``/``collectionId``, ``columns``/``attributes``, error types ``column_*``/``attribute_*``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.emulators.server import Request, Response

from . import params as p
from .errors import AppwriteError, argument_invalid
from .model import (
    FLOAT_MAX,
    INT64_MAX,
    INT64_MIN,
    KINDS,
    NUMERIC_KINDS,
    ROW_MAX_BYTES,
    SPATIAL_KINDS,
    STRING_KINDS,
    Column,
    Database,
    Index,
    Table,
    now_iso,
)
from .params import Params

__all__ = ["DatabasesApi", "Flavor"]

VARCHAR_MAX = 16381  # floor of Postgres/MySQL/MariaDB varchar limits (reference §6.2)
STRING_MAX = 1_073_741_824
USER_COLUMN_LIMIT = 1010  # adapter limit 1017 minus 7 internal columns
USER_INDEX_LIMIT = 58  # 64 minus 6 internal indexes
INDEX_LENGTH_MAX = 768
ENCRYPT_MIN_SIZE = 150
INTERNAL_INDEX_COLUMNS = ("$id", "$createdAt", "$updatedAt")
RESERVED_KEYS = ("$id", "$createdAt", "$updatedAt", "$permissions", "$collection")
# Minimum server version of each column route kind (reference §0); other kinds exist since 1.8.0.
KIND_SINCE: dict[str, tuple[int, int, int]] = {
    "varchar": (1, 9, 0),
    "text": (1, 9, 0),
    "mediumtext": (1, 9, 0),
    "longtext": (1, 9, 0),
    "bigint": (1, 9, 5),
}
# Inline column types of create table (reference §2.3) -> route kind.
INLINE_TYPES: dict[str, str] = {
    "string": "string",
    "varchar": "varchar",
    "text": "text",
    "mediumtext": "mediumtext",
    "longtext": "longtext",
    "integer": "integer",
    "bigint": "bigint",
    "double": "float",
    "boolean": "boolean",
    "datetime": "datetime",
    "point": "point",
    "linestring": "line",
    "polygon": "polygon",
    "email": "email",
    "url": "url",
    "ip": "ip",
    "enum": "enum",
}


@dataclass(frozen=True)
class Flavor:
    """Naming of one API surface: TablesDB (``legacy=False``) or the legacy Databases API."""

    legacy: bool

    @property
    def base(self) -> str:
        return "/v1/databases" if self.legacy else "/v1/tablesdb"

    def name(self, tablesdb_name: str) -> str:
        """Translate a TablesDB parameter/field name to this API's name."""
        if not self.legacy:
            return tablesdb_name
        return {
            "tableId": "collectionId",
            "tables": "collections",
            "rowSecurity": "documentSecurity",
            "columns": "attributes",
            "rows": "documents",
            "rowId": "documentId",
            "$tableId": "$collectionId",
            "relatedTableId": "relatedCollectionId",
        }.get(tablesdb_name, tablesdb_name)


def _version_at_least(version: tuple[int, int, int], since: tuple[int, int, int]) -> bool:
    return version >= since


class DatabasesApi:
    """Handlers for databases, tables, columns, indexes and (minimal) rows; mixed into the emulator."""

    databases: dict[str, Database]
    column_delay_s: float
    version_tuple: tuple[int, int, int]

    def next_sequence(self) -> int:
        raise NotImplementedError

    def register(
        self, method: str, pattern: str, handler: Callable[..., Any], since: tuple[int, int, int] = (0, 0, 0)
    ) -> None:
        raise NotImplementedError

    # -- routes ----------------------------------------------------------------------------
    def register_databases(self) -> None:
        ident = r"(?P<{}>[^/]+)"
        for flavor in (Flavor(False), Flavor(True)):
            since = (1, 8, 0) if not flavor.legacy else (0, 0, 0)  # TablesDB arrived in 1.8.0
            base = flavor.base
            db = f"{base}/{ident.format('db')}"
            table = f"{db}/{flavor.name('tables')}/{ident.format('table')}"
            cols = f"{table}/{flavor.name('columns')}"

            def bind(fn: Callable[..., Any], flavor: Flavor = flavor) -> Callable[..., Any]:
                def handler(request: Request, **groups: str) -> Any:
                    try:
                        return fn(flavor, request, **groups)
                    except AppwriteError as e:
                        raise (e.for_legacy() if flavor.legacy else e) from None

                return handler

            self.register("GET", base, bind(self.list_databases), since)
            self.register("POST", base, bind(self.create_database), since)
            self.register("GET", db, bind(self.get_database), since)
            self.register("PUT", db, bind(self.update_database), since)
            self.register("DELETE", db, bind(self.delete_database), since)
            self.register("GET", f"{db}/{flavor.name('tables')}", bind(self.list_tables), since)
            self.register("POST", f"{db}/{flavor.name('tables')}", bind(self.create_table), since)
            self.register("GET", table, bind(self.get_table), since)
            self.register("PUT", table, bind(self.update_table), since)
            self.register("DELETE", table, bind(self.delete_table), since)
            self.register("GET", cols, bind(self.list_columns), since)
            # The relationship update route: TablesDB 1.9.6 registers only ``{key}/relationship``; the
            # legacy API has ``relationship/{key}`` plus that alias (reference §1.4).
            self.register(
                "PATCH",
                f"{cols}/{ident.format('key')}/relationship",
                bind(self.update_relationship_column),
                since,
            )
            if flavor.legacy:
                self.register(
                    "PATCH",
                    f"{cols}/relationship/{ident.format('key')}",
                    bind(self.update_relationship_column),
                    since,
                )
            for kind in KINDS:
                kind_since = max(
                    since, KIND_SINCE.get(kind, (1, 8, 0) if kind in SPATIAL_KINDS else (0, 0, 0))
                )
                create = self.create_relationship_column if kind == "relationship" else self.create_column
                self.register(
                    "POST",
                    f"{cols}/{kind}",
                    bind(lambda f, r, _kind=kind, _create=create, **g: _create(f, r, _kind, **g)),
                    kind_since,
                )
                if kind != "relationship":
                    self.register(
                        "PATCH",
                        f"{cols}/{kind}/{ident.format('key')}",
                        bind(lambda f, r, _kind=kind, **g: self.update_column(f, r, _kind, **g)),
                        kind_since,
                    )
            self.register("GET", f"{cols}/{ident.format('key')}", bind(self.get_column), since)
            self.register("DELETE", f"{cols}/{ident.format('key')}", bind(self.delete_column), since)
            self.register("GET", f"{table}/indexes", bind(self.list_indexes), since)
            self.register("POST", f"{table}/indexes", bind(self.create_index), since)
            self.register("GET", f"{table}/indexes/{ident.format('key')}", bind(self.get_index), since)
            self.register("DELETE", f"{table}/indexes/{ident.format('key')}", bind(self.delete_index), since)
            self.register("GET", f"{table}/{flavor.name('rows')}", bind(self.list_rows), since)
            self.register("POST", f"{table}/{flavor.name('rows')}", bind(self.create_row), since)

    # -- lookups ---------------------------------------------------------------------------
    def _database(self, db: str) -> Database:
        p.key("databaseId", db)
        found = self.databases.get(db)
        if found is None:
            raise AppwriteError(404, "database_not_found")
        return found

    def _table(self, db: str, table: str) -> Table:
        database = self._database(db)
        p.key("tableId", table)
        found = database.tables.get(table)
        if found is None:
            raise AppwriteError(404, "table_not_found")
        return found

    def _column(self, table: Table, key: str) -> Column:
        found = table.columns.get(key)
        if found is None:
            raise AppwriteError(404, "column_not_found")
        return found

    def _due(self) -> float:
        return time.monotonic() + self.column_delay_s

    # -- databases -------------------------------------------------------------------------
    def list_databases(self, flavor: Flavor, request: Request) -> dict[str, Any]:
        params = Params.from_request(request)
        query = p.parse_queries(params, ["name"])
        items = [d.to_model() for d in self.databases.values()]
        total, page = p.paginate(items, query, "$id", params, ("$id", "name"))
        return {"total": total, "databases": page}

    def create_database(self, flavor: Flavor, request: Request) -> Response:
        params = Params.from_request(request)
        database_id = params.required("databaseId", p.custom_id)
        name = params.required("name", p.text(128))
        enabled = params.optional("enabled", True, p.boolean)
        if database_id in self.databases:
            raise AppwriteError(409, "database_already_exists")
        database = Database(
            database_id, self.next_sequence(), name, enabled, "legacy" if flavor.legacy else "tablesdb"
        )
        self.databases[database_id] = database
        return Response(201, database.to_model())

    def get_database(self, flavor: Flavor, request: Request, db: str) -> dict[str, Any]:
        return self._database(db).to_model()

    def update_database(self, flavor: Flavor, request: Request, db: str) -> dict[str, Any]:
        params = Params.from_request(request)
        name = params.optional("name", None, p.text(128))
        enabled = params.optional("enabled", True, p.boolean)  # PUT: an omitted flag resets to true
        database = self._database(db)
        database.name = name if name is not None else database.name
        database.enabled = enabled
        database.updated = now_iso()
        return database.to_model()

    def delete_database(self, flavor: Flavor, request: Request, db: str) -> Response:
        self._database(db)
        del self.databases[db]
        return Response(204, None)

    # -- tables ----------------------------------------------------------------------------
    def list_tables(self, flavor: Flavor, request: Request, db: str) -> dict[str, Any]:
        database = self._database(db)
        params = Params.from_request(request)
        query = p.parse_queries(params, ["name", "enabled", flavor.name("rowSecurity")])
        items = [t.to_model(flavor.legacy) for t in database.tables.values()]
        total, page = p.paginate(items, query, "$id", params, ("$id", "name"))
        return {"total": total, flavor.name("tables"): page}

    def create_table(self, flavor: Flavor, request: Request, db: str) -> Response:
        params = Params.from_request(request)
        table_id = params.required(flavor.name("tableId"), p.custom_id)
        name = params.required("name", p.text(128))
        permissions = params.optional("permissions", [], p.permission_list)
        row_security = params.optional(flavor.name("rowSecurity"), False, p.boolean)
        enabled = params.optional("enabled", True, p.boolean)
        inline = _version_at_least(self.version_tuple, (1, 9, 0))
        # Servers before 1.9.0 have no inline params, and utopia ignores unknown params: the table is
        # created without them (appwrite/appwrite#11150).
        columns = params.optional(flavor.name("columns"), [], p.array(p.json_object)) if inline else []
        indexes = params.optional("indexes", [], p.array(p.json_object)) if inline else []
        database = self._database(db)
        if table_id in database.tables:
            raise AppwriteError(409, "table_already_exists")
        table = Table(table_id, self.next_sequence(), database.id, name, permissions, row_security, enabled)
        # Inline columns and indexes are created synchronously and born available; any failure rejects
        # the whole request (the server rolls the table back).
        for spec in columns:
            column = self._inline_column(flavor, table, spec)
            table.columns[column.key] = column
        for spec in indexes:
            index = self._build_index_spec(flavor, database, table, spec, inline=True)
            index.status = "available"
            table.indexes[index.key] = index
        database.tables[table_id] = table
        return Response(201, table.to_model(flavor.legacy))

    def get_table(self, flavor: Flavor, request: Request, db: str, table: str) -> dict[str, Any]:
        return self._table(db, table).to_model(flavor.legacy)

    def update_table(self, flavor: Flavor, request: Request, db: str, table: str) -> dict[str, Any]:
        params = Params.from_request(request)
        # In 1.8.x ``name`` was required; since 1.9.0 it is optional (null keeps the current name).
        name_required = not _version_at_least(self.version_tuple, (1, 9, 0))
        name = (
            params.required("name", p.text(128))
            if name_required
            else params.optional("name", None, p.text(128))
        )
        permissions = params.optional("permissions", None, p.permission_list)
        # PUT semantics: omitted rowSecurity resets to false and omitted enabled to true (reference §2.2).
        row_security = params.optional(flavor.name("rowSecurity"), False, p.boolean)
        enabled = params.optional("enabled", True, p.boolean)
        params.optional("purge", False, p.boolean)
        found = self._table(db, table)
        found.name = name if name is not None else found.name
        found.permissions = permissions if permissions is not None else found.permissions
        found.row_security = row_security
        found.enabled = enabled
        found.updated = now_iso()
        return found.to_model(flavor.legacy)

    def delete_table(self, flavor: Flavor, request: Request, db: str, table: str) -> Response:
        self._table(db, table)
        del self.databases[db].tables[table]
        return Response(204, None)

    # -- columns ---------------------------------------------------------------------------
    def list_columns(self, flavor: Flavor, request: Request, db: str, table: str) -> dict[str, Any]:
        found = self._table(db, table)
        params = Params.from_request(request)
        query = p.parse_queries(params, ["key", "type", "size", "required", "array", "status", "error"])
        items = [c.to_model(flavor.legacy) for c in found.columns.values()]
        total, page = p.paginate(items, query, "key", params)
        return {"total": total, flavor.name("columns"): page}

    def get_column(self, flavor: Flavor, request: Request, db: str, table: str, key: str) -> dict[str, Any]:
        return self._column(self._table(db, table), key).to_model(flavor.legacy)

    def _kind_params(self, params: Params, kind: str) -> dict[str, Any]:
        """Validate the type-specific create params of ``kind``; return Column field values."""
        out: dict[str, Any] = {}
        if kind in ("varchar", "string"):
            out["size"] = params.required(
                "size", p.integer(1, VARCHAR_MAX if kind == "varchar" else STRING_MAX)
            )
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
        return out

    def create_column(self, flavor: Flavor, request: Request, kind: str, db: str, table: str) -> Response:
        params = Params.from_request(request)
        key = params.required("key", p.key)
        required = params.required("required", p.boolean)
        fields = self._kind_params(params, kind)
        array = params.optional("array", False, p.boolean) if kind not in SPATIAL_KINDS else False
        found = self._table(db, table)
        column = Column(key, kind, required, array, **fields)
        _check_column_values(column)
        self._check_can_add(found, column)
        column.due = self._due()
        found.columns[key] = column
        return Response(202, column.to_model(flavor.legacy))

    def _check_can_add(self, table: Table, column: Column) -> None:
        if table.find_column(column.key) is not None:
            raise AppwriteError(409, "column_already_exists")
        if len(table.columns) >= USER_COLUMN_LIMIT:
            raise AppwriteError(400, "column_limit_exceeded", "Column limit exceeded")
        if table.bytes_used() + column.width() >= ROW_MAX_BYTES:
            raise AppwriteError(
                400,
                "column_limit_exceeded",
                "Row width limit reached. Cannot create new column. Current row width is "
                f"{table.bytes_used()} bytes but the maximum is {ROW_MAX_BYTES} bytes. "
                "Reduce the size of existing columns or remove some columns to free up space.",
            )

    def _inline_column(self, flavor: Flavor, table: Table, spec: dict[str, Any]) -> Column:
        """A column object of create-table ``columns`` (reference §2.3), created available."""

        def invalid(reason: str) -> AppwriteError:
            return argument_invalid(flavor.name("columns"), reason)

        key = spec.get("key")
        type_ = spec.get("type")
        if not isinstance(key, str) or not isinstance(type_, str):
            raise invalid("Each column must have a key and a type")
        if key in RESERVED_KEYS:
            raise invalid(f'Column key "{key}" is reserved')
        p.key(flavor.name("columns"), key)
        if type_ == "relationship":
            raise invalid(
                "Relationship columns cannot be created inline. Use the create relationship endpoint."
            )
        kind = INLINE_TYPES.get(type_)
        if kind is None or (kind == "bigint" and not _version_at_least(self.version_tuple, (1, 9, 5))):
            raise invalid(f'Unknown column type "{type_}"')
        if table.find_column(key) is not None:
            raise invalid(f'Duplicate column key "{key}"')
        data = dict(spec)
        if kind in ("email", "url", "ip", "enum", "text", "mediumtext", "longtext"):
            data.pop("size", None)  # fixed by the type
        if kind not in ("integer", "bigint", "float"):
            for name in ("min", "max", "signed"):
                data.pop(name, None)
        try:
            fields = self._kind_params(Params(data), kind)
            required = Params(data).optional("required", False, p.boolean)
            array = Params(data).optional("array", False, p.boolean) if kind not in SPATIAL_KINDS else False
            column = Column(key, kind, required, array, status="available", **fields)
            _check_column_values(column)
        except AppwriteError as e:
            raise invalid(f'Column "{key}": {e.body["message"]}') from None
        self._check_can_add(table, column)
        return column

    def update_column(
        self, flavor: Flavor, request: Request, kind: str, db: str, table: str, key: str
    ) -> dict[str, Any]:
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
        new_key = params.optional("newKey", None, p.key)
        size = (
            params.optional("size", None, p.integer(1, VARCHAR_MAX if kind == "varchar" else STRING_MAX))
            if kind in ("varchar", "string")
            else None
        )
        elements = params.required("elements", p.array(p.text(255, 0))) if kind == "enum" else None
        bound = p.integer() if kind in ("integer", "bigint") else p.number
        minimum = params.optional("min", None, bound) if kind in NUMERIC_KINDS else None
        maximum = params.optional("max", None, bound) if kind in NUMERIC_KINDS else None
        found = self._table(db, table)
        column = self._column(found, key)
        if column.status != "available":
            raise AppwriteError(400, "column_not_available")
        # 1.9.6 does not enforce that the route matches the column's type (misplaced parenthesis in
        # updateAttribute, reference §2.4): a mismatched route still updates the common fields, and we
        # apply its type-specific fields only to a column of that family.
        same_family = column.kind == kind or {column.kind, kind} <= {"varchar", "string"}
        candidate = Column(
            column.key,
            column.kind,
            required,
            column.array,
            default,
            column.size,
            column.min,
            column.max,
            column.elements,
            column.encrypt,
            column.relation,
            column.status,
        )
        if same_family:
            candidate.size = size if size is not None else column.size
            candidate.elements = elements if elements is not None else column.elements
            candidate.min = minimum if minimum is not None else column.min
            candidate.max = maximum if maximum is not None else column.max
        _check_column_values(candidate)
        if candidate.size != column.size and column.is_string:
            longest = max((len(str(r.get(key) or "")) for r in found.rows.values()), default=0)
            if candidate.size is not None and longest > candidate.size:
                raise AppwriteError(400, "column_invalid_resize")
            if found.bytes_used() - column.width() + candidate.width() >= ROW_MAX_BYTES:
                raise AppwriteError(
                    400, "column_limit_exceeded", "Row width limit reached. Cannot resize column."
                )
        if new_key is not None and new_key != key:
            self._rename_column(found, column, new_key)
        column.required, column.default = required, default
        column.size, column.elements, column.min, column.max = (
            candidate.size,
            candidate.elements,
            candidate.min,
            candidate.max,
        )
        column.updated = now_iso()
        return column.to_model(flavor.legacy)

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

    def create_relationship_column(
        self, flavor: Flavor, request: Request, kind: str, db: str, table: str
    ) -> Response:
        params = Params.from_request(request)
        related_id = params.required(flavor.name("relatedTableId"), p.key)
        relation_type = params.required(
            "type", p.whitelist("oneToOne", "oneToMany", "manyToOne", "manyToMany")
        )
        two_way = params.optional("twoWay", False, p.boolean)
        key = params.optional("key", None, p.key)
        two_way_key = params.optional("twoWayKey", None, p.key)
        on_delete = params.optional("onDelete", "restrict", p.whitelist("cascade", "restrict", "setNull"))
        found = self._table(db, table)
        database = self.databases[db]
        related = database.tables.get(related_id)
        if related is None:
            raise AppwriteError(404, "table_not_found")
        key = key or related_id
        two_way_key = two_way_key or found.id
        if relation_type == "manyToMany" and any(
            c.relation
            and c.relation["relationType"] == "manyToMany"
            and c.relation["relatedTable"] == related_id
            for c in found.columns.values()
        ):
            raise AppwriteError(
                409,
                "column_already_exists",
                'Creating more than one "manyToMany" relationship '
                "on the same table is currently not permitted.",
            )
        parent = Column(
            key,
            "relationship",
            False,
            relation={
                "relatedTable": related_id,
                "relationType": relation_type,
                "twoWay": two_way,
                "twoWayKey": two_way_key,
                "onDelete": on_delete,
                "side": "parent",
            },
        )
        self._check_can_add(found, parent)
        child: Column | None = None
        if two_way:
            child = Column(
                two_way_key,
                "relationship",
                False,
                relation={
                    "relatedTable": found.id,
                    "relationType": relation_type,
                    "twoWay": True,
                    "twoWayKey": key,
                    "onDelete": on_delete,
                    "side": "child",
                },
            )
            if related is found and two_way_key.lower() == key.lower():
                raise AppwriteError(409, "column_already_exists")
            self._check_can_add(related, child)
        parent.due = self._due()
        found.columns[key] = parent
        if child is not None:
            child.due = parent.due  # the twin follows the parent (reference §2.7)
            related.columns[two_way_key] = child
        return Response(202, parent.to_model(flavor.legacy))

    def update_relationship_column(
        self, flavor: Flavor, request: Request, db: str, table: str, key: str
    ) -> dict[str, Any]:
        params = Params.from_request(request)
        on_delete = params.optional("onDelete", None, p.whitelist("cascade", "restrict", "setNull"))
        new_key = params.optional("newKey", None, p.key)
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
        return column.to_model(flavor.legacy)

    def delete_column(self, flavor: Flavor, request: Request, db: str, table: str, key: str) -> Response:
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

    # -- indexes ---------------------------------------------------------------------------
    def list_indexes(self, flavor: Flavor, request: Request, db: str, table: str) -> dict[str, Any]:
        found = self._table(db, table)
        params = Params.from_request(request)
        query = p.parse_queries(params, ["key", "type", "status", "attributes", "error"])
        items = [i.to_model(flavor.legacy) for i in found.indexes.values()]
        total, page = p.paginate(items, query, "key", params)
        return {"total": total, "indexes": page}

    def get_index(self, flavor: Flavor, request: Request, db: str, table: str, key: str) -> dict[str, Any]:
        index = self._table(db, table).indexes.get(key)
        if index is None:
            raise AppwriteError(404, "column_index_not_found")
        return index.to_model(flavor.legacy)

    def create_index(self, flavor: Flavor, request: Request, db: str, table: str) -> Response:
        params = Params.from_request(request)
        found = self._table(db, table)
        index = self._build_index_spec(flavor, self.databases[db], found, params.data, inline=False)
        index.due = self._due()
        found.indexes[index.key] = index
        return Response(202, index.to_model(flavor.legacy))

    def _build_index_spec(
        self, flavor: Flavor, database: Database, table: Table, spec: dict[str, Any], inline: bool
    ) -> Index:
        """Validate an index (endpoint params, or an inline ``indexes`` object using ``attributes``)."""
        params = Params(spec)
        columns_name = "attributes" if inline or flavor.legacy else "columns"
        key = params.required("key", p.key)
        type_ = params.required("type", p.whitelist("key", "fulltext", "unique", "spatial"))
        columns = params.required(columns_name, p.array(_index_column))
        orders = params.optional("orders", [], p.array(p.whitelist("ASC", "DESC")))
        lengths = params.optional("lengths", [], p.array(p.nullable(p.integer(0))))
        if key in table.indexes:
            raise AppwriteError(409, "column_index_already_exists")
        if len(table.indexes) >= USER_INDEX_LIMIT:
            raise AppwriteError(400, "column_index_limit_exceeded")
        invalid_type = "column_index_invalid"
        targets: list[Column | None] = []
        for name in columns:
            if name in INTERNAL_INDEX_COLUMNS:
                targets.append(None)
                continue
            column = table.columns.get(name)
            if column is None:
                raise AppwriteError(
                    400,
                    invalid_type if inline else "column_unknown",
                    f"Unknown column: {name}. Verify the column name or create the column.",
                )
            if column.status != "available":
                raise AppwriteError(400, "column_not_available")
            if column.kind == "relationship":
                raise AppwriteError(
                    400, "column_type_invalid", f"Cannot create an index for a relationship column: {name}"
                )
            if column.array:
                raise AppwriteError(
                    400, "index_invalid", "Creating indexes on array attributes is not currently supported."
                )
            targets.append(column)
        if len(set(columns)) != len(columns):
            raise AppwriteError(400, "column_index_invalid", "Duplicate attributes provided")
        if len(lengths) > len(columns):
            raise AppwriteError(
                400,
                "column_index_invalid",
                "Invalid index lengths. Count of lengths must be equal "
                "or less than the number of attributes.",
            )
        spatial = [c is not None and c.kind in SPATIAL_KINDS for c in targets]
        if type_ == "spatial" and not all(spatial):
            raise AppwriteError(
                400, "column_index_invalid", "Spatial index can only be created on spatial attributes"
            )
        if type_ != "spatial" and any(spatial):
            raise AppwriteError(
                400, "column_index_invalid", "Spatial attributes can only be used in a spatial index"
            )
        if type_ == "fulltext" and not all(c is not None and c.is_string for c in targets):
            raise AppwriteError(
                400, "column_index_invalid", "Attribute used in a fulltext index must be of type string"
            )
        if type_ in ("key", "unique"):
            total = 0
            for position, column in enumerate(targets):
                given = lengths[position] if position < len(lengths) else None
                if column is not None and column.is_string:
                    if given is not None and column.size is not None and given > column.size:
                        raise AppwriteError(
                            400,
                            "column_index_invalid",
                            f"Index length {given} is larger than the size for {column.key}: {column.size}",
                        )
                    total += given if given is not None else (column.size or 0)
                else:
                    total += 2 if column is not None and column.kind == "float" else 1
            if total > INDEX_LENGTH_MAX:
                raise AppwriteError(
                    400,
                    "column_index_invalid",
                    f"Index length is longer than the maximum: {INDEX_LENGTH_MAX}",
                )
        padded = list(lengths) + [None] * (len(columns) - len(lengths))
        return Index(
            f"{database.sequence}_{table.sequence}_{key}", key, type_, list(columns), padded, list(orders)
        )

    def delete_index(self, flavor: Flavor, request: Request, db: str, table: str, key: str) -> Response:
        index = self._table(db, table).indexes.get(key)
        if index is None:
            raise AppwriteError(404, "column_index_not_found")
        if index.status == "available":
            index.status = "deleting"
        index.drop_due = self._due()
        return Response(204, None)

    # -- rows (minimal: enough to prove data survives schema changes) ---------------------
    def _row_model(self, flavor: Flavor, table: Table, row: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in row.items() if k.startswith("$")}
        out[flavor.name("$tableId")] = table.id
        for column in table.columns.values():
            if column.status == "available":
                out[column.key] = row.get(column.key)
        return out

    def create_row(self, flavor: Flavor, request: Request, db: str, table: str) -> Response:
        params = Params.from_request(request)
        row_id = params.required(flavor.name("rowId"), p.custom_id)
        data = params.required("data", p.json_object)
        permissions = params.optional("permissions", [], p.permission_list)
        found = self._table(db, table)
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name.startswith("$"):
                continue
            column = found.columns.get(name)
            if column is None or column.status != "available":
                raise AppwriteError(
                    400, "row_invalid_structure", f'Invalid document structure: Unknown attribute: "{name}"'
                )
            _check_row_value(column, value)
            values[name] = value
        for column in found.columns.values():
            if column.status != "available" or column.kind == "relationship" or column.key in values:
                continue
            if column.required:
                raise AppwriteError(
                    400,
                    "row_invalid_structure",
                    f'Invalid document structure: Missing required attribute "{column.key}"',
                )
            values[column.key] = column.default
        if row_id in found.rows:
            raise AppwriteError(409, "row_already_exists")
        stamp = now_iso()
        row = {
            "$id": row_id,
            "$sequence": str(self.next_sequence()),
            "$databaseId": db,
            "$createdAt": stamp,
            "$updatedAt": stamp,
            "$permissions": permissions,
            **values,
        }
        found.rows[row_id] = row
        return Response(201, self._row_model(flavor, found, row))

    def list_rows(self, flavor: Flavor, request: Request, db: str, table: str) -> dict[str, Any]:
        found = self._table(db, table)
        params = Params.from_request(request)
        query = p.parse_queries(params, [c.key for c in found.columns.values() if c.status == "available"])
        items = [self._row_model(flavor, found, r) for r in found.rows.values()]
        total, page = p.paginate(items, query, "$id", params)
        return {"total": total, flavor.name("rows"): page}


def _index_column(name: str, value: Any) -> str:
    if value in INTERNAL_INDEX_COLUMNS:
        return str(value)
    return p.key(name, value)


def _check_column_values(column: Column) -> None:
    """Controller checks shared by create and update (reference §2.4/§7.2)."""
    if column.default is not None and column.required:
        raise AppwriteError(400, "column_default_unsupported", "Cannot set default value for required column")
    if column.default is not None and column.array:
        raise AppwriteError(400, "column_default_unsupported", "Cannot set default value for array columns")
    if column.encrypt and column.kind in ("varchar", "string") and (column.size or 0) < ENCRYPT_MIN_SIZE:
        raise AppwriteError(
            400,
            "general_bad_request",
            f"Size too small for encrypted column. Minimum size is {ENCRYPT_MIN_SIZE}.",
        )
    if (
        column.kind in ("varchar", "string")
        and isinstance(column.default, str)
        and len(column.default) > (column.size or 0)
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
            raise AppwriteError(
                400, "column_value_invalid", "Minimum value must be lesser than maximum value"
            )
        if column.default is not None and not column.min <= column.default <= column.max:
            raise AppwriteError(
                400, "column_value_invalid", f"Default value must be between {column.min} and {column.max}"
            )


def _check_row_value(column: Column, value: Any) -> None:
    """A basic type check of one row value (the structure validator)."""
    if value is None:
        return
    items = value if column.array else [value]
    if column.array and not isinstance(value, list):
        items = [object()]
    for item in items:
        ok = True
        if column.is_string:
            ok = isinstance(item, str) and len(item) <= (column.size or 0)
            ok = ok and (column.kind != "enum" or item in (column.elements or []))
        elif column.kind in ("integer", "bigint"):
            ok = isinstance(item, int) and not isinstance(item, bool) and column.min <= item <= column.max  # type: ignore[operator]
        elif column.kind == "float":
            ok = isinstance(item, int | float) and not isinstance(item, bool)
        elif column.kind == "boolean":
            ok = isinstance(item, bool)
        elif column.kind == "datetime":
            ok = isinstance(item, str)
        if not ok:
            raise AppwriteError(
                400,
                "row_invalid_structure",
                f'Invalid document structure: Attribute "{column.key}" has invalid type.',
            )
