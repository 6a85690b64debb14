"""The SQL a Supabase plan sends, as plain data: statements, their phase, and the script call. Pure.

An apply is one :class:`SqlScript` run as a single transaction (all or nothing), optionally preceded
and followed by scripts that Postgres cannot run inside a transaction block (adding an enum value
that the same plan then uses; ``CREATE INDEX CONCURRENTLY``); those run one statement at a time
and are marked as such in the plan. Statements are ordered by :class:`Phase`, so that, e.g., a
policy is dropped before the column it reads and a table exists before its foreign keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from baseform.engine.address import Address
from baseform.engine.operation import Call
from baseform.errors import SourceSpan
from baseform.types import JSONObject

__all__ = ["Expectation", "Phase", "SqlScript", "Statement"]


class Phase(IntEnum):
    """The order of statements inside one script; within a phase, plan (address) order."""

    RENAME = 0
    DROP_POLICY = 1
    DROP_INDEX = 2
    DROP_CONSTRAINT = 3
    DROP_COLUMN = 4
    DROP_TABLE = 5
    DROP_TYPE = 6
    DROP_SCHEMA = 7
    CREATE_SCHEMA = 8
    TYPE = 9
    CREATE_TABLE = 10
    COLUMN = 11
    ADD_CONSTRAINT = 12
    ADD_FOREIGN_KEY = 13
    CREATE_INDEX = 14
    TABLE_SECURITY = 15
    POLICY = 16
    BUCKET = 17


@dataclass(frozen=True, slots=True)
class Statement:
    """One SQL statement, the resource it realises and where that resource is declared."""

    sql: str
    address: Address
    phase: Phase
    source: SourceSpan | None = None


@dataclass(frozen=True, slots=True)
class Expectation:
    """The digest a live object had when the plan read it (``None``: it did not exist)."""

    address: Address
    digest: str | None


@dataclass(frozen=True, slots=True)
class SqlScript(Call):
    """Statements run in order by the Supabase session.

    ``transaction``: one transaction, with ``lock_timeout``/``statement_timeout``, a
    transaction-scoped advisory lock (two applies never interleave) and, before any statement,
    ``expected`` re-checked against the catalogs read inside that transaction (a stale plan is
    refused there, with nothing sent). Otherwise each statement commits on its own.
    """

    statements: tuple[Statement, ...]
    transaction: bool = True
    expected: tuple[Expectation, ...] = ()
    lock_timeout_s: float = 10.0
    statement_timeout_s: float = 300.0

    def summary(self) -> str:
        count = f"{len(self.statements)} SQL statement{'s' if len(self.statements) != 1 else ''}"
        return f"{count} in one transaction" if self.transaction else f"{count} outside a transaction"

    def as_json(self) -> JSONObject:
        return {"transaction": self.transaction, "sql": [s.sql for s in self.statements]}
