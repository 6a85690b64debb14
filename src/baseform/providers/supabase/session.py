"""The Supabase session: one psycopg (async) connection to the project's Postgres.

It performs :class:`~baseform.providers.supabase.script.SqlScript` calls for the executor (the
session protocol of :mod:`baseform.engine.session`) and runs the provider's catalog queries.
Errors become :class:`~baseform.errors.ProviderError` naming the statement's resource and manifest
line, the server's message, detail and hint; the password in the URL never appears in any of them
(it is registered as a secret and every message is redacted).

Applying a transactional script: ``BEGIN``; ``lock_timeout``/``statement_timeout``; a
transaction-scoped advisory lock (a second apply waits for the first to commit); the catalogs are
read again and compared with what the plan read (``SqlScript.expected``), so a plan made stale by a
concurrent apply or a console edit is refused with nothing changed; then the statements; ``COMMIT``.
A failure anywhere, a dropped connection included, rolls everything back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg
from psycopg.rows import tuple_row

from baseform import secrets
from baseform.engine.operation import Call
from baseform.errors import PlanError, ProviderError
from baseform.providers.supabase.script import SqlScript, Statement
from baseform.types import JSON

__all__ = ["ADVISORY_LOCK", "SEARCH_PATH", "SupabaseSession", "masked_url", "open_session"]

SEARCH_PATH = "public, extensions"
"""Used by every read, normalisation and apply, so the server prints names the same way each time."""
ADVISORY_LOCK = 0x62617365666F726D  # "baseform"
_CONNECT_ATTEMPTS = 4

StateReader = Callable[["SupabaseSession"], Awaitable[dict[str, str | None]]]
"""Reads the live digests (address -> digest) inside the current transaction."""


def masked_url(url: str) -> str:
    """The URL without its password (``postgresql://postgres:***@host:5432/postgres``)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _describe(error: psycopg.Error) -> str:
    diag = error.diag
    text = diag.message_primary or str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if diag.sqlstate:
        text += f" (SQLSTATE {diag.sqlstate})"
    if diag.message_detail:
        text += f"; {diag.message_detail}"
    if diag.message_hint:
        text += f"; hint: {diag.message_hint}"
    return secrets.redact(text)


class SupabaseSession:
    """An open connection. ``requests`` counts the SQL statements sent (queries included)."""

    def __init__(self, conn: psycopg.AsyncConnection[Any], url: str, state_reader: StateReader | None = None) -> None:
        self.conn = conn
        self.endpoint = masked_url(url)
        self.requests = 0
        self.state_reader = state_reader

    async def __aenter__(self) -> SupabaseSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.conn.close()

    async def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one statement and return its rows ([] when it returns none)."""
        self.requests += 1
        async with self.conn.cursor(row_factory=tuple_row) as cur:
            await cur.execute(sql.encode(), params)  # bytes: SQL text is trusted, params are bound
            return list(await cur.fetchall()) if cur.description is not None else []

    @asynccontextmanager
    async def read_only(self) -> AsyncIterator[None]:
        """One read-only transaction (a consistent snapshot for every catalog query)."""
        try:
            async with self.conn.transaction():
                await self.query("set transaction read only")
                await self.query(f"set local search_path = {SEARCH_PATH}")
                yield
        except psycopg.Error as e:
            raise ProviderError(_describe(e), operation=f"read the database at {self.endpoint}") from None

    @asynccontextmanager
    async def rolled_back(self) -> AsyncIterator[None]:
        """A transaction that is always rolled back (to let the server normalise declared SQL)."""
        try:
            async with self.conn.transaction(force_rollback=True):
                await self.query("set local lock_timeout = '2s'")
                await self.query(f"set local search_path = {SEARCH_PATH}")
                yield
        except psycopg.Error as e:
            raise ProviderError(_describe(e), operation=f"check the declared SQL on {self.endpoint}") from None

    async def perform(self, call: Call, *, operation: str) -> JSON:
        if not isinstance(call, SqlScript):
            raise TypeError(f"a Supabase session cannot perform {type(call).__name__}")
        if call.transaction:
            await self._transaction(call, operation)
        else:
            for statement in call.statements:
                await self._statement(statement, operation)
        return None

    async def _transaction(self, script: SqlScript, operation: str) -> None:
        current: Statement | None = None
        try:
            async with self.conn.transaction():
                await self.query(f"set local lock_timeout = '{int(script.lock_timeout_s * 1000)}ms'")
                await self.query(f"set local statement_timeout = '{int(script.statement_timeout_s * 1000)}ms'")
                await self.query(f"set local search_path = {SEARCH_PATH}")
                await self.query("select pg_advisory_xact_lock(%s)", (ADVISORY_LOCK,))
                await self._check_expected(script)
                for statement in script.statements:
                    current = statement
                    await self.query(statement.sql)
        except psycopg.Error as e:
            raise self._error(e, current, operation) from None

    async def _statement(self, statement: Statement, operation: str) -> None:
        try:
            await self.query(statement.sql)  # the connection is in autocommit mode: it commits on its own
        except psycopg.Error as e:
            raise self._error(e, statement, operation) from None

    async def _check_expected(self, script: SqlScript) -> None:
        if not script.expected or self.state_reader is None:
            return
        live = await self.state_reader(self)
        changed = [str(e.address) for e in script.expected if live.get(str(e.address)) != e.digest]
        if changed:
            raise ProviderError("the server changed since the plan read it (another apply or a console edit): "
                                + ", ".join(changed) + "; nothing was changed. Plan again and review the new plan")

    def _error(self, error: psycopg.Error, statement: Statement | None, operation: str) -> ProviderError:
        lost = isinstance(error, psycopg.OperationalError) and self.conn.closed
        message = _describe(error)
        if statement is not None:
            where = ", ".join(str(x) for x in (statement.source, statement.address) if x)
            message = f"{where}: {message}\n    statement: {secrets.redact(statement.sql)}"
        if lost:
            message += ("\n    the connection was lost: Postgres rolled the transaction back unless the COMMIT had "
                        "reached it; plan again to see what the server has")
        return ProviderError(message, operation=operation)


def _connect_error(url: str, error: psycopg.Error) -> PlanError:
    return PlanError(f"cannot connect to {masked_url(url)}: {_describe(error)}", address="supabase")


async def open_session(url: str, state_reader: StateReader | None = None) -> SupabaseSession:
    """Connect (retrying a refused or dropped connection a few times, e.g. a pooler restarting)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
        raise PlanError(f"providers.supabase.db_url must be a postgresql:// URL, got {masked_url(url)!r}",
                        address="supabase")
    if parts.password:
        secrets.register(unquote(parts.password))
        secrets.register(parts.password)
    delay = 0.2
    for attempt in range(1, _CONNECT_ATTEMPTS + 1):
        try:
            # autocommit: every transaction is an explicit `async with conn.transaction()` block
            # no server-side prepared statements: poolers in transaction mode cannot keep them
            conn = await psycopg.AsyncConnection.connect(url, connect_timeout=15, application_name="baseform",
                                                         autocommit=True, prepare_threshold=None)
            return SupabaseSession(conn, url, state_reader)
        except psycopg.OperationalError as e:
            text = str(e)
            final = attempt == _CONNECT_ATTEMPTS or "password authentication failed" in text or "does not exist" in text
            if final:
                raise _connect_error(url, e) from None
            await asyncio.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")
