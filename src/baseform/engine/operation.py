"""Operations: the calls a plan will make, as plain data.

What ``plan`` shows is exactly what ``apply`` runs: providers turn Changes into Operations (pure),
the renderer prints them and the executor (:mod:`baseform.engine.apply`) runs them. What an
operation sends is a :class:`Call`: an HTTP :class:`Request` for the HTTP backends, or another
payload (a SQL transaction) that its provider's session knows how to perform
(:class:`~baseform.engine.session.Session`); the core never looks inside a call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from baseform.engine.address import Address
from baseform.engine.change import Action
from baseform.types import JSON, JSONObject

__all__ = ["Call", "Operation", "Request", "WaitFor"]


@dataclass(frozen=True, slots=True)
class Call:
    """What one step sends to a server. Subclasses are frozen dataclasses of plain data; the
    provider's session performs them, the renderer shows them through these two methods."""

    def summary(self) -> str:
        """One line for ``plan --show-calls`` (``POST /api/collections``)."""
        raise NotImplementedError

    def as_json(self) -> JSONObject:
        """The call in the plan file (values unmasked; the renderer masks sensitive keys)."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Request(Call):
    """One HTTP call relative to the provider's base URL. ``params`` may repeat keys (list values)."""

    method: str
    path: str
    body: JSON = None
    params: tuple[tuple[str, str], ...] = ()

    def summary(self) -> str:
        return f"{self.method} {self.path}"

    def as_json(self) -> JSONObject:
        return {"method": self.method, "path": self.path, "body": self.body, "params": [list(p) for p in self.params]}


@dataclass(frozen=True, slots=True)
class WaitFor:
    """Poll ``request`` until ``field`` is in ``ready`` (or, with ``gone``, until it answers 404).

    A value in ``failed`` stops the apply at once with the server's ``error_field`` text.
    """

    request: Call
    field: str = "status"
    ready: frozenset[str] = frozenset({"available"})
    failed: frozenset[str] = frozenset({"failed", "stuck"})
    error_field: str | None = "error"
    gone: bool = False
    timeout_s: float = 300.0


@dataclass(frozen=True, slots=True)
class Operation:
    """One step of an apply.

    Attributes:
        id: unique within a plan; other operations name it in ``depends_on``.
        provider: the provider (manifest section) whose session runs it.
        action: what it does to ``addresses`` (a batch call may realise many changes).
        request: the call (its provider's session performs it); ``None`` for a pure wait step.
        verify: for creates, a read of the object. When the create meets "already exists" (e.g. a
            retry after the first attempt committed but the answer was lost), the executor reads it
            and continues only if the provider finds it matches ``request.body``.
        wait: readiness to await after the call.
        sensitive: body keys (at any depth) whose values are masked when the plan is shown/saved.
        atomic: the server applies the call all-or-nothing (one transaction), so a failure of it
            changed nothing.
        precondition: a read made just before the call; the call is sent only if the provider
            finds the answer unchanged since the plan (:meth:`Provider.precondition_holds`), for a
            call whose body was built from what the plan read (a lost update otherwise).
    """

    id: str
    provider: str
    action: Action
    addresses: tuple[Address, ...]
    description: str
    request: Call | None
    depends_on: tuple[str, ...] = ()
    verify: Call | None = None
    wait: WaitFor | None = None
    sensitive: frozenset[str] = field(default_factory=frozenset)
    atomic: bool = False
    precondition: Call | None = None
