"""The SpacetimeDB host emulator: identities, databases and their owners, publish, pre_publish, schema.

Routes, checks and answers follow crates/client-api/src/routes/{database,identity}.rs and
crates/client-api/src/auth.rs of the emulated release (see FIDELITY.md for each rule and its source);
a module is a RawModuleDefV9 JSON document (:mod:`.module`) because nothing here can run WASM.
Errors are plain text, as axum answers a ``(StatusCode, String)``; a few are JSON, as on the server.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ..server import Emulator, HttpError, Request, Response
from .auth import AuthRejection, Caller, Tokens
from .migrate import ManualMigration, Plan, ponder
from .module import Module, ModuleError, parse_module
from .plan_text import render_plan
from .sats import hash_quantity, keccak256, parse_quantity, u256_quantity
from .sql import Data, SqlError, execute
from .versions import DEFAULT_VERSION, MAJOR_VERSION_FIELD, MIN_VERSION, parse_version

_IDENTITY = re.compile(r"^[0-9a-fA-F]{64}$")
_DB = r"/v1/database/(?P<noi>[^/]+)"


def _text(status: int, message: str) -> HttpError:
    """An axum ``(StatusCode, String)`` answer: the message as a plain-text body."""
    return HttpError(status, message.encode(), {"Content-Type": "text/plain; charset=utf-8"})


def database_name_error(name: str) -> str | None:
    """``parse_database_name`` (crates/client-api-messages/src/name.rs): why ``name`` is not a name."""
    if _IDENTITY.match(name):
        return "database names cannot be identities"
    if not name:
        return "database names cannot be empty"
    if name[0] == "-":
        return "invalid hyphen in database name"
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        return "invalid hyphen in database name" if re.fullmatch(r"[a-z0-9-]+", name) else \
            "invalid characters in database name"
    return None


@dataclass
class Database:
    identity: str
    owner: str
    host_type: str
    initial_program: bytes
    program_hash: bytes
    module: Module
    data: Data = field(default_factory=Data)


@dataclass(frozen=True)
class Target:
    """A ``NameOrIdentity`` path segment."""

    name: str | None
    identity: str | None


class SpacetimeEmulator(Emulator):
    """In-memory SpacetimeDB standalone host of release ``version`` (1.9.0 or newer)."""

    name = "spacetimedb"

    def __init__(self, version: str = DEFAULT_VERSION) -> None:
        super().__init__()
        self.version_text = version
        self.version = parse_version(version)
        if self.version < MIN_VERSION:
            raise ValueError(f"emulated releases start at {'.'.join(map(str, MIN_VERSION))}, got {version}")
        self.tokens = Tokens()
        self.databases: dict[str, Database] = {}
        self.names: dict[str, str] = {}  # DNS: name -> database identity (kept when a database is deleted)
        self.tlds: dict[str, str] = {}  # top-level domain -> owner identity
        r = self.route
        r("POST", r"/v1/identity", self.create_identity)
        r("GET", r"/v1/identity/(?P<identity>[^/]+)/verify", self.verify_identity)
        r("GET", r"/v1/identity/(?P<identity>[^/]+)/databases", self.identity_databases)
        r("POST", r"/v1/database", self.publish)
        r("PUT", _DB, self.publish)
        r("GET", _DB, self.db_info)
        r("DELETE", _DB, self.delete_database)
        r("GET", _DB + "/names", self.get_names)
        r("GET", _DB + "/identity", self.get_identity)
        r("GET", _DB + "/schema", self.schema)
        r("POST", _DB + "/pre_publish", self.pre_publish)
        r("POST", _DB + "/sql", self.sql)

    # -- base-class hooks ----------------------------------------------------------------------
    def reset(self) -> None:
        super().reset()
        self.databases.clear()
        self.names.clear()
        self.tlds.clear()

    def respond(self, request: Request) -> Response:
        # bodies are module bytes or SQL text, never parsed as JSON by the router
        with self.lock:
            return self.dispatch(request)

    def dispatch(self, request: Request) -> Response:
        response = self._route(request)
        if response.raw is None and isinstance(response.body, bytes):
            response.raw, response.body = response.body, None
        return response

    def _route(self, request: Request) -> Response:
        if not request.path.startswith("/v1/database"):
            return super().dispatch(request)
        # anon_auth_middleware: every database route authenticates (or mints an anonymous identity)
        # and echoes the caller's identity and token in the answer's headers
        try:
            caller = self.tokens.caller(request.headers.get("authorization"), request.arg("token"))
        except AuthRejection as e:
            return Response(e.status, raw=e.message.encode(), headers={"Content-Type": "text/plain; charset=utf-8"})
        request.headers["x-emulator-caller"] = json.dumps([caller.identity, caller.token, caller.minted])
        response = super().dispatch(request)
        response.headers.update({"spacetime-identity": caller.identity, "spacetime-identity-token": caller.token})
        return response

    def not_found(self, request: Request) -> Response:
        return Response(404, raw=b"", headers={})

    def method_not_allowed(self, request: Request) -> Response:
        return Response(405, raw=b"", headers={})

    def server_error_body(self) -> Any:
        return "Internal server error (injected fault)"

    # -- helpers -------------------------------------------------------------------------------
    @staticmethod
    def _caller(request: Request) -> Caller:
        identity, token, minted = json.loads(request.headers["x-emulator-caller"])
        return Caller(identity, token, minted)

    @staticmethod
    def _target(noi: str) -> Target:
        noi = unquote(noi)
        if _IDENTITY.match(noi):
            return Target(None, noi.lower())
        error = database_name_error(noi)
        if error:
            raise _text(400, f"Invalid URL: {error}")
        return Target(noi, None)

    def _try_resolve(self, target: Target) -> str | None:
        return target.identity if target.identity else self.names.get(target.name or "")

    def _resolve(self, target: Target) -> str:
        identity = self._try_resolve(target)
        if identity is None:
            raise _text(404, f"`{target.name}` not found")
        return identity

    def _database(self, noi: str) -> Database:
        """``find_database_or_404``."""
        identity = self._resolve(self._target(noi))
        database = self.databases.get(identity)
        if database is None:
            raise _text(404, "No such database.")
        return database

    @staticmethod
    def _authorize(caller: Caller, database: Database, action: str) -> None:
        """StandaloneEnv::authorize_action: only the owner may act on an existing database."""
        if caller.identity != database.owner:
            raise _text(403, f"{caller.identity} is not authorized to perform action on database "
                             f"{database.identity}: {action}")

    @staticmethod
    def _query_value(request: Request, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = request.arg(name)
        if value is None:
            return default
        if value not in allowed:
            quoted = " or ".join(f"`{a}`" for a in allowed)
            raise _text(400, f"Failed to deserialize query string: unknown variant `{value}`, expected {quoted}")
        return value

    def _module(self, request: Request) -> Module:
        """The published program: a RawModuleDefV9 document (``check_module_validity``)."""
        try:
            document = json.loads(request.raw_body)
        except ValueError:
            raise _text(500, "emulator limitation: the module is not a RawModuleDefV9 JSON document (WASM and JS "
                             "modules cannot run here)") from None
        try:
            return parse_module(document)
        except ModuleError as e:
            raise _text(500, "Error: invalid module: " + "; ".join(e.errors)) from None

    # -- identities ----------------------------------------------------------------------------
    def create_identity(self, request: Request) -> Any:
        minted = self.tokens.mint()
        return {"identity": minted.identity, "token": minted.token}

    def verify_identity(self, request: Request, identity: str) -> Response:
        authorization = request.headers.get("authorization")
        if authorization is None:
            raise _text(401, "Authorization required")
        try:
            caller = self.tokens.caller(authorization, None)
        except AuthRejection as e:
            raise _text(e.status, e.message) from None
        return Response(204 if caller.identity == identity.lower() else 400, raw=b"")

    def identity_databases(self, request: Request, identity: str) -> Any:
        owned = [d.identity for d in self.databases.values() if d.owner == identity.lower()]
        return {"identities": owned}

    # -- databases -----------------------------------------------------------------------------
    def db_info(self, request: Request, noi: str) -> Any:
        database = self._database(noi)
        return {"database_identity": {"__identity__": "0x" + database.identity},
                "owner_identity": {"__identity__": "0x" + database.owner},
                "host_type": {database.host_type: []},
                "initial_program": hash_quantity(database.initial_program)}

    def get_identity(self, request: Request, noi: str) -> Response:
        return Response(200, raw=self._resolve(self._target(noi)).encode(),
                        headers={"Content-Type": "text/plain; charset=utf-8"})

    def get_names(self, request: Request, noi: str) -> Any:
        database = self._database(noi)
        return {"names": sorted(n for n, i in self.names.items() if i == database.identity)}

    def schema(self, request: Request, noi: str) -> Any:
        database = self._database(noi)
        version = request.arg("version")
        if version is None:
            raise _text(400, "Failed to deserialize query string: missing field `version`")
        if version == "10":
            raise _text(400, "emulator limitation: only version=9 (RawModuleDefV9) is served")
        if version != "9":
            raise _text(400, f"Failed to deserialize query string: unknown variant `{version}`, expected `9` or `10`")
        return database.module.raw

    def delete_database(self, request: Request, noi: str) -> Response:
        target = self._target(noi)
        identity = self._resolve(target)
        database = self.databases.get(identity)
        if database is None:
            return Response(200, raw=b"")
        self._authorize(self._caller(request), database, "delete database")
        del self.databases[identity]
        return Response(200, raw=b"")

    def sql(self, request: Request, noi: str) -> Any:
        database = self._database(noi)
        caller = self._caller(request)
        try:
            return execute(request.raw_body.decode(), database.module, database.data,
                           owner=caller.identity == database.owner,
                           program_hash=hash_quantity(database.program_hash))
        except SqlError as e:
            raise _text(400, str(e)) from None

    # -- publishing ----------------------------------------------------------------------------
    def publish(self, request: Request, noi: str | None = None) -> Any:
        caller = self._caller(request)
        target = self._target(noi) if noi is not None else None
        clear = self._query_value(request, "clear", ("true", "false"), "false") == "true"
        policy = self._query_value(request, "policy", ("Compatible", "BreakClients"), "Compatible")
        host_type = self._query_value(request, "host_type", ("Wasm", "Js"), "Wasm")
        token = request.arg("token")
        try:
            expected_token = parse_quantity(token) if token is not None else None
        except ValueError:
            raise _text(400, f"Failed to deserialize query string: invalid hash {token!r}") from None
        if clear:
            if target is None:
                raise _text(400, "Clear database requires database name or identity")
            identity = self._try_resolve(target)
            if identity is not None and identity in self.databases:
                return self._reset(request, caller, target, self.databases[identity], host_type)
        identity, name = self._identity_and_name(caller, target)
        existing = self.databases.get(identity)
        if existing is not None:
            self._authorize(caller, existing, "update database")
        if policy == "BreakClients" and expected_token is None:
            raise _text(400, "Migration policy is set to `BreakClients`, but no migration token was provided.")
        module = self._module(request)
        program_hash = keccak256(request.raw_body)
        if existing is None:
            self.databases[identity] = Database(identity, caller.identity, host_type, program_hash, program_hash,
                                                module)
        elif existing.program_hash != program_hash:
            self._update(existing, module, program_hash, host_type, policy, expected_token)
        return {"Success": {"domain": name, "database_identity": identity,
                            "op": "updated" if existing is not None else "created"}}

    def _identity_and_name(self, caller: Caller, target: Target | None) -> tuple[str, str | None]:
        """``get_or_create_identity_and_name``: a new name gets a fresh identity and its DNS record."""
        if target is None:
            return self.tokens.mint().identity, None
        identity = self._try_resolve(target)
        if identity is not None:
            return identity, target.name
        assert target.name is not None
        owner = self.tlds.get(target.name)
        if owner is not None and owner != caller.identity:
            raise HttpError(401, {"PermissionDenied": {"name": target.name}})
        identity = self.tokens.mint().identity
        self.tlds[target.name] = caller.identity
        self.names[target.name] = identity
        return identity, target.name

    def _token(self, database: Database, new_hash: bytes) -> int:
        """``MigrationToken::hash``: Keccak-256 of the three hex strings, as a u256."""
        text = database.identity + database.program_hash.hex() + new_hash.hex()
        return int.from_bytes(keccak256(text.encode()), "little")

    def _update(self, database: Database, module: Module, program_hash: bytes, host_type: str, policy: str,
                expected_token: int | None) -> None:
        try:
            plan = ponder(database.module, module, self.version)
        except ManualMigration as e:
            raise _text(400, f"Database update rejected: {e.reason}") from None
        if policy == "Compatible" and plan.breaks_clients:
            raise _text(400, "Failed to create or update the database: Migration plan contains a client-breaking "
                             "change which is disallowed under current policy")
        if policy == "BreakClients" and expected_token != self._token(database, program_hash):
            raise _text(400, "Failed to create or update the database: Token provided is invalid or does not match "
                             "expected hash")
        rows = _migrated_rows(plan, database.data)
        database.module, database.program_hash, database.host_type = module, program_hash, host_type
        database.data.rows = rows

    def _reset(self, request: Request, caller: Caller, target: Target, database: Database, host_type: str) -> Any:
        """``reset``: the owner replaces the program and every row is gone (``publish ... clear=true``)."""
        self._authorize(caller, database, "reset database")
        module = self._module(request)
        program_hash = keccak256(request.raw_body)
        database.module, database.host_type = module, host_type
        database.initial_program = database.program_hash = program_hash
        database.data = Data()
        return {"Success": {"domain": target.name, "database_identity": database.identity, "op": "updated"}}

    def pre_publish(self, request: Request, noi: str) -> Any:
        database = self._database(noi)
        self._authorize(self._caller(request), database, "update database")
        style = self._query_value(request, "style", ("AnsiColor", "NoColor"), "AnsiColor")
        self._query_value(request, "host_type", ("Wasm", "Js"), "Wasm")
        module = self._module(request)
        extra = {"major_version_upgrade": False} if self.version >= MAJOR_VERSION_FIELD else {}
        try:
            plan = ponder(database.module, module, self.version)
        except ManualMigration as e:
            return {"ManualMigrate": {"reason": e.reason, **extra}}
        token = self._token(database, keccak256(request.raw_body))
        return {"AutoMigrate": {"migrate_plan": render_plan(plan, ansi=style == "AnsiColor"),
                                "break_clients": plan.breaks_clients, "token": u256_quantity(token), **extra}}


def _migrated_rows(plan: Plan, data: Data) -> dict[str, list[list[Any]]]:
    """The rows after running ``plan``'s steps (crates/engine/src/update.rs); raises the server's
    error for a step that fails on the data, before anything changed."""
    rows = {name: [list(r) for r in table_rows] for name, table_rows in data.rows.items()}
    for s in plan.steps:
        if s.kind == "RemoveTable":
            if rows.get(s.key):
                raise _text(400, f"Failed to create or update the database: Cannot remove table `{s.key}`: table "
                                 "contains data. Clear the table's rows (e.g. via a reducer) before removing it "
                                 "from your schema.")
            rows.pop(s.key, None)
        elif s.kind == "AddColumns":
            old, new = plan.old.tables[s.key], plan.new.tables[s.key]
            defaults = [c.default for c in new.columns[len(old.columns):]]
            rows[s.key] = [r + defaults for r in rows.get(s.key, [])]
        elif s.kind == "AddConstraint":
            table = next(t for t in plan.new.tables.values() if s.key in t.constraints)
            columns = sorted(table.constraints[s.key].columns)
            keys = [tuple(r[c] for c in columns) for r in rows.get(table.name, [])]
            if len(keys) != len(set(keys)):
                raise _text(400, f"Failed to create or update the database: adding unique constraint {s.key} "
                                 f"failed: table {table.name} has duplicate values in "
                                 f"[{', '.join(table.column_names(tuple(columns)))}]")
    return rows
