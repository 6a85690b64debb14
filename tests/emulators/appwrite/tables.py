"""TablesDB (``/v1/tablesdb``) and the legacy Databases API (``/v1/databases``) over one store:
routes, databases, tables (with the inline schema of create-table), indexes and a few rows.

Both APIs drive the same metadata ([legacy-api]); a :class:`Flavor` holds the naming differences
(``tableId``/``collectionId``, ``columns``/``attributes``, error types ``column_*``/``attribute_*``).
Rules that depend on the server's version or engine read :class:`~.profile.Profile` and are rows of
``FIDELITY.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.emulators.server import Request, Response

from . import params as p
from .columns import ColumnsApi
from .errors import AppwriteError, argument_invalid
from .indexes import INTERNAL_INDEX_COLUMNS, IndexSpec, index_problem, inline_index_problem
from .inline import inline_column, inline_column_problem
from .model import KINDS, Column, Database, Index, Table, now_iso
from .params import Params
from .profile import CLOUD, Profile, parse_version
from .routes import Routes

__all__ = ["DatabasesApi", "Flavor"]

USER_INDEX_LIMIT = 58  # 64 minus 6 internal indexes
# Minimum server version of each column route kind ([column-routes]); other kinds exist since 1.8.0.
KIND_SINCE: dict[str, str] = {"varchar": "1.9.0", "text": "1.9.0", "mediumtext": "1.9.0", "longtext": "1.9.0",
                              "bigint": "1.9.5"}


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


class DatabasesApi(ColumnsApi, Routes):
    """Handlers for databases, tables, columns, indexes and (minimal) rows; mixed into the emulator."""

    databases: dict[str, Database]
    column_delay_s: float
    profile: Profile

    def next_sequence(self) -> int:
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
            # [relationship-route]: TablesDB registers ``{key}/relationship`` on every version read; the
            # Cloud API (SDK 25+) calls ``relationship/{key}``. The legacy API has ``relationship/{key}``
            # plus the other as an alias.
            cloud = parse_version(CLOUD)
            relationship = bind(self.update_relationship_column)
            self.register("PATCH", f"{cols}/{ident.format('key')}/relationship", relationship, since,
                          None if flavor.legacy else cloud)
            self.register("PATCH", f"{cols}/relationship/{ident.format('key')}", relationship,
                          since if flavor.legacy else cloud)
            for kind in KINDS:
                kind_since = max(since, parse_version(KIND_SINCE.get(kind, "0.0.0")))
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
        p.key_of(self.profile.uid_length)("databaseId", db)
        found = self.databases.get(db)
        if found is None:
            raise AppwriteError(404, "database_not_found")
        return found

    def _table(self, db: str, table: str) -> Table:
        database = self._database(db)
        p.key_of(self.profile.uid_length)("tableId", table)
        found = database.tables.get(table)
        if found is None:
            raise AppwriteError(404, "table_not_found")
        return found

    def _description(self, params: Params, current: str | None) -> str:
        """[cloud-api] ``description``: a parameter of the Cloud API only (ignored before, like any
        unknown parameter); an update without it keeps ``current``."""
        if not self.profile.cloud_api:
            return ""
        return str(params.optional("description", current if current is not None else "", p.text(2048, 0)))

    # -- databases -------------------------------------------------------------------------
    def list_databases(self, flavor: Flavor, request: Request) -> dict[str, Any]:
        params = Params.from_request(request)
        query = p.parse_queries(params, ["name"])
        items = [d.to_model(self.profile) for d in self.databases.values()]
        total, page = p.paginate(items, query, "$id", params, ("$id", "name"))
        return {"total": total, "databases": page}

    def create_database(self, flavor: Flavor, request: Request) -> Response:
        params = Params.from_request(request)
        database_id = params.required("databaseId", p.custom_id)
        name = params.required("name", p.text(128))
        enabled = params.optional("enabled", True, p.boolean)
        description = self._description(params, None)
        if database_id in self.databases:
            raise AppwriteError(409, "database_already_exists")
        database = Database(
            database_id, self.next_sequence(), name, enabled, "legacy" if flavor.legacy else "tablesdb",
            description=description,
        )
        self.databases[database_id] = database
        return Response(201, database.to_model(self.profile))

    def get_database(self, flavor: Flavor, request: Request, db: str) -> dict[str, Any]:
        return self._database(db).to_model(self.profile)

    def update_database(self, flavor: Flavor, request: Request, db: str) -> dict[str, Any]:
        params = Params.from_request(request)
        name = params.optional("name", None, p.text(128))
        enabled = params.optional("enabled", True, p.boolean)  # PUT: an omitted flag resets to true
        database = self._database(db)
        database.description = self._description(params, database.description)
        database.name = name if name is not None else database.name
        database.enabled = enabled
        database.updated = now_iso()
        return database.to_model(self.profile)

    def delete_database(self, flavor: Flavor, request: Request, db: str) -> Response:
        self._database(db)
        del self.databases[db]
        return Response(204, None)

    # -- tables ----------------------------------------------------------------------------
    def list_tables(self, flavor: Flavor, request: Request, db: str) -> dict[str, Any]:
        database = self._database(db)
        params = Params.from_request(request)
        query = p.parse_queries(params, ["name", "enabled", flavor.name("rowSecurity")])
        items = [t.to_model(flavor.legacy, self.profile) for t in database.tables.values()]
        total, page = p.paginate(items, query, "$id", params, ("$id", "name"))
        return {"total": total, flavor.name("tables"): page}

    def create_table(self, flavor: Flavor, request: Request, db: str) -> Response:
        params = Params.from_request(request)
        table_id = params.required(flavor.name("tableId"), p.custom_id)
        name = params.required("name", p.text(128))
        permissions = params.optional("permissions", [], p.permission_list)
        row_security = params.optional(flavor.name("rowSecurity"), False, p.boolean)
        enabled = params.optional("enabled", True, p.boolean)
        description = self._description(params, None)
        inline = self.profile.since("1.9.0")
        # Servers before 1.9.0 have no inline params, and utopia ignores unknown params: the table is
        # created without them (appwrite/appwrite#11150).
        columns = params.optional(flavor.name("columns"), [], p.array(p.json_object)) if inline else []
        indexes = params.optional("indexes", [], p.array(p.json_object)) if inline else []
        database = self._database(db)
        if table_id in database.tables:
            raise AppwriteError(409, "table_already_exists")
        table = Table(table_id, self.next_sequence(), database.id, name, permissions, row_security, enabled,
                      description=description)
        # Inline columns and indexes are created synchronously and born available; any failure rejects
        # the whole request (the server deletes the table document again).
        self._inline_schema(flavor, database, table, columns, indexes)
        database.tables[table_id] = table
        # [create-table-response]: before 2.0 the answer is the table as it was before its schema
        schema = self.profile.inline_schema_in_response or not (columns or indexes)
        return Response(201, table.to_model(flavor.legacy, self.profile, schema=schema))

    def _inline_schema(self, flavor: Flavor, database: Database, table: Table, columns: list[dict[str, Any]],
                       indexes: list[dict[str, Any]]) -> None:
        """Collections/Create.php: Appwrite's attribute validator, the columns, Appwrite's index
        validator, the index documents, the adapter's index validator, then the adapter's limits."""
        problem = inline_column_problem(self.profile, columns)
        if problem:
            raise argument_invalid(flavor.name("columns"), problem)
        for raw in columns:
            column = inline_column(self.profile, raw)
            table.columns[column.key] = column
        if len(indexes) > USER_INDEX_LIMIT:
            # Appwrite's inline validator is built with the adapter's index limit
            raise AppwriteError(400, "general_argument_invalid", f"Maximum of {USER_INDEX_LIMIT} indexes allowed")
        for position, raw in enumerate(indexes):
            problem = inline_index_problem(position, raw)
            if problem:
                raise AppwriteError(400, "general_argument_invalid", problem)
        built: list[Index] = []
        for raw in indexes:
            lengths = list(raw.get("lengths") or [])
            orders = list(raw.get("orders") or [])
            for i, name in enumerate(raw["attributes"]):
                while len(lengths) <= i:
                    lengths.append(None)
                if not lengths[i]:
                    lengths[i] = None  # PHP empty(): 0 is stored as null
                column = table.columns.get(name)
                if column is not None and column.array:
                    raise AppwriteError(400, "index_invalid",
                                        "Creating indexes on array attributes is not currently supported.")
            key = str(raw["key"])
            built.append(Index(f"{database.sequence}_{table.sequence}_{key}", key, str(raw["type"]),
                               list(raw["attributes"]), lengths, orders, status="available",
                               description=str(raw.get("description") or "") if self.profile.cloud_api else ""))
        for index in built:
            problem = index_problem(self.profile, table.columns, [],
                                    IndexSpec(index.key, index.type, index.columns, index.lengths, index.orders))
            if problem:
                raise AppwriteError(400, "column_index_invalid", problem)
        if not self.profile.multiple_fulltext and (
                sum(i.type == "fulltext" for i in built) > 1 or _identical_pair(built)):
            # [fulltext-one] [identical-indexes]: the validators compare inline indexes with the table's
            # (none yet), not with each other; MongoDB itself refuses the second text index or the twin,
            # an error Appwrite does not map (500, its message hidden), and the table is rolled back
            raise AppwriteError(500, "general_unknown", "Server Error")
        # utopia Database::createCollection: the adapter's limits (strictly greater, unlike a later
        # column create) answer as the table limit
        too_wide = bool(self.profile.row_limit) and table.bytes_used() > self.profile.row_limit
        too_many = bool(self.profile.column_limit) and len(table.columns) > self.profile.column_limit
        if too_wide or too_many or len(built) > USER_INDEX_LIMIT:
            raise AppwriteError(400, "table_limit_exceeded")
        for index in built:
            table.indexes[index.key] = index

    def get_table(self, flavor: Flavor, request: Request, db: str, table: str) -> dict[str, Any]:
        return self._table(db, table).to_model(flavor.legacy, self.profile)

    def update_table(self, flavor: Flavor, request: Request, db: str, table: str) -> dict[str, Any]:
        params = Params.from_request(request)
        # [table-update]: in 1.8.x ``name`` was required; since 1.9.0 it is optional (null keeps it)
        name = (
            params.optional("name", None, p.text(128))
            if self.profile.table_name_optional
            else params.required("name", p.text(128))
        )
        permissions = params.optional("permissions", None, p.permission_list)
        # PUT semantics: omitted rowSecurity resets to false and omitted enabled to true ([table-crud]).
        row_security = params.optional(flavor.name("rowSecurity"), False, p.boolean)
        enabled = params.optional("enabled", True, p.boolean)
        params.optional("purge", False, p.boolean)
        found = self._table(db, table)
        found.description = self._description(params, found.description)
        found.name = name if name is not None else found.name
        found.permissions = permissions if permissions is not None else found.permissions
        found.row_security = row_security
        found.enabled = enabled
        found.updated = now_iso()
        return found.to_model(flavor.legacy, self.profile)

    def delete_table(self, flavor: Flavor, request: Request, db: str, table: str) -> Response:
        self._table(db, table)
        del self.databases[db].tables[table]
        return Response(204, None)

    # -- indexes ---------------------------------------------------------------------------
    def list_indexes(self, flavor: Flavor, request: Request, db: str, table: str) -> dict[str, Any]:
        found = self._table(db, table)
        params = Params.from_request(request)
        query = p.parse_queries(params, ["key", "type", "status", "attributes", "error"])
        items = [i.to_model(flavor.legacy, self.profile) for i in found.indexes.values()]
        total, page = p.paginate(items, query, "key", params)
        return {"total": total, "indexes": page}

    def get_index(self, flavor: Flavor, request: Request, db: str, table: str, key: str) -> dict[str, Any]:
        index = self._table(db, table).indexes.get(key)
        if index is None:
            raise AppwriteError(404, "column_index_not_found")
        return index.to_model(flavor.legacy, self.profile)

    def create_index(self, flavor: Flavor, request: Request, db: str, table: str) -> Response:
        """Indexes/Create.php: the parameters, the limit, each column (unknown, relationship, not
        available, array), the adapter's validator, then the key's uniqueness."""
        params = Params.from_request(request)
        key = params.required("key", p.key_of(self.profile.uid_length))
        types = ("key", "fulltext", "unique", "spatial") + (("trigram",) if self.profile.cloud_api else ())
        type_ = params.required("type", p.whitelist(*types))
        columns = params.required(flavor.name("columns"), p.array(_index_column))
        # [index-orders-case]: ASC/DESC compared without case, stored as sent
        orders = params.optional("orders", [], p.array(p.whitelist_any_case("ASC", "DESC")))
        lengths = list(params.optional("lengths", [], p.array(p.nullable(p.integer()))))
        description = self._description(params, None)
        found = self._table(db, table)
        if len(found.indexes) >= USER_INDEX_LIMIT:
            raise AppwriteError(400, "column_index_limit_exceeded")
        for position, name in enumerate(columns):
            if name not in INTERNAL_INDEX_COLUMNS:
                self._index_target(found, name)
            while len(lengths) <= position:
                lengths.append(None)
            if not lengths[position]:
                lengths[position] = None  # [index-lengths-zero]: PHP empty() turns 0 into null
        problem = index_problem(self.profile, found.columns, list(found.indexes.values()),
                                IndexSpec(key, type_, list(columns), lengths, list(orders)))
        if problem:
            raise AppwriteError(400, "column_index_invalid", problem)
        if key in found.indexes:
            raise AppwriteError(409, "column_index_already_exists")
        index = Index(f"{self.databases[db].sequence}_{found.sequence}_{key}", key, type_, list(columns), lengths,
                      list(orders), description=description)
        index.due = self._due()
        found.indexes[index.key] = index
        return Response(202, index.to_model(flavor.legacy, self.profile))

    @staticmethod
    def _index_target(table: Table, name: str) -> Column:
        column = table.columns.get(name)
        if column is None:
            raise AppwriteError(400, "column_unknown", f"Unknown column: {name}. Verify the column name or create "
                                                       "the column.")
        if column.kind == "relationship":
            raise AppwriteError(400, "column_type_invalid", f"Cannot create an index for a relationship column: {name}")
        if column.status != "available":
            raise AppwriteError(400, "column_not_available")
        if column.array:
            raise AppwriteError(400, "index_invalid",
                                "Creating indexes on array attributes is not currently supported.")
        return column

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


def _identical_pair(indexes: list[Index]) -> bool:
    """Two key/unique indexes over the same columns and orders (compared as sets, as utopia does)."""
    seen: set[tuple[frozenset[str], frozenset[str]]] = set()
    for index in indexes:
        if index.type in ("key", "unique"):
            signature = (frozenset(index.columns), frozenset(map(str, index.orders)))
            if signature in seen:
                return True
            seen.add(signature)
    return False


def _index_column(name: str, value: Any) -> str:
    if value in INTERNAL_INDEX_COLUMNS:
        return str(value)
    return p.key(name, value)


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
            ok = (isinstance(item, int) and not isinstance(item, bool)
                      and (column.min is None or column.min <= item) and (column.max is None or item <= column.max))
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
