"""What the plan says will happen to one resource: Action, FieldDiff and Change.

Modelled on Terraform's ``plans.Change``: ``before`` is None for a create, ``after`` is None for a
delete. ``reason`` explains the action to a person and is never read by apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from baseform.engine.address import Address
from baseform.errors import SourceSpan
from baseform.types import JSON, JSONObject

__all__ = ["ABSENT", "Action", "Change", "FieldDiff"]


class Action(StrEnum):
    NOOP = "no-op"
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]

    @property
    def destructive(self) -> bool:
        return self in (Action.REPLACE, Action.DELETE)


_SYMBOLS = {Action.NOOP: " ", Action.CREATE: "+", Action.UPDATE: "~", Action.REPLACE: "-/+",
            Action.DELETE: "-"}


class _Absent:
    """Marks a key that is missing on one side of a diff (distinct from an explicit null)."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


@dataclass(frozen=True, slots=True)
class FieldDiff:
    """One changed field. ``path`` is dotted (``options.maxSize``); lists are reported whole."""

    path: str
    before: JSON
    after: JSON
    forces_replacement: bool = False


class Change(NamedTuple):
    """The planned change of one resource.

    ``before``/``after`` are the normalised live and desired values (only keys the manifest can
    express). ``live_digest`` is the digest of the raw live object the change was computed from, so
    a saved plan can be refused when the object changed since. ``sensitive`` lists the top-level
    keys whose values are masked in every output. ``data_loss`` and ``warnings`` come from the
    kind's rules (:class:`~baseform.engine.resource.KindRules`) and only explain the change.
    ``details`` are lines a provider adds to explain the change beyond its field diff (e.g. the
    server's own migration plan); display only.

    A named tuple rather than a frozen dataclass: a plan makes one per resource, no-ops included
    (thousands), and a tuple is made in a sixth of the time. A new value is ``change._replace(...)``.
    """

    address: Address
    action: Action
    before: JSONObject | None
    after: JSONObject | None
    diff: tuple[FieldDiff, ...] = ()
    reason: str | None = None
    source: SourceSpan | None = None
    live_digest: str | None = None
    renamed_from: Address | None = None
    protect: bool = False
    sensitive: frozenset[str] = frozenset()
    data_loss: str | None = None
    """For a delete or replace of a resource that holds data: what is lost (``all its records``)."""
    warnings: tuple[str, ...] = ()
    """What this change may do to existing data although nothing is deleted (a narrowed limit)."""
    defaulted: frozenset[str] = frozenset()
    """Keys of ``after`` that only repeat the server's default (left out when a create is shown)."""
    details: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return self.address.kind

    @property
    def destructive(self) -> bool:
        return self.action.destructive
