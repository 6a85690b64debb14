"""Operations: the calls a plan will make, as plain data.

What ``plan`` shows is exactly what ``apply`` runs: providers turn Changes into Operations (pure),
the renderer prints them and the executor (:mod:`baseform.engine.apply`) runs them. What an
operation sends is a :class:`Call`: an HTTP :class:`Request` for the HTTP backends, or another
payload (a SQL transaction) that its provider's session knows how to perform
(:class:`~baseform.engine.session.Session`); the core never looks inside a call.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from baseform.engine.address import Address
from baseform.engine.change import Action
from baseform.errors import ProviderError
from baseform.types import JSON, JSONObject

__all__ = ["Call", "Content", "Operation", "Request", "WaitFor", "bytes_digest", "file_digest"]


def bytes_digest(data: bytes) -> str:
    """The ``sha256:`` digest of some bytes (the form :attr:`Content.digest` holds)."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def file_digest(path: str | Path) -> str:
    """The ``sha256:`` digest of a local file's bytes (raises OSError when it cannot be read)."""
    return bytes_digest(Path(path).read_bytes())


@dataclass(frozen=True, slots=True)
class Content:
    """A request body that is not JSON: ``data`` as it is, or the bytes of the local file ``file``.

    A file is read only when the call is sent, so plans and plan files hold its path and ``digest``
    (:func:`file_digest`) but never its bytes; the call is refused, unsent, when the file no longer
    has that digest (it changed after the plan was made).
    """

    media_type: str = "application/octet-stream"
    data: bytes = b""
    file: str | None = None
    digest: str | None = None

    def read(self, operation: str) -> bytes:
        """The bytes to send; a file is read now and must still be the one the plan was made from."""
        if self.file is None:
            return self.data
        try:
            data = Path(self.file).read_bytes()
        except OSError as e:
            raise ProviderError(f"cannot read {self.file}: {e.strerror}; nothing was sent",
                                operation=operation) from None
        if self.digest is not None and bytes_digest(data) != self.digest:
            raise ProviderError(f"{self.file} changed since the plan was made; nothing was sent. Plan again "
                                "and review the new plan", operation=operation)
        return data

    def as_json(self) -> JSONObject:
        """A raw body is described, never included: the plan names the file it is read from and its digest."""
        return {"media_type": self.media_type, "file": self.file, "digest": self.digest,
                "size": len(self.data) if self.file is None else None}


@dataclass(frozen=True, slots=True)
class Call(ABC):
    """What one step sends to a server. Subclasses are frozen dataclasses of plain data; the
    provider's session performs them, the renderer shows them through these two methods."""

    @abstractmethod
    def summary(self) -> str:
        """One line for ``plan --show-calls`` (``POST /api/collections``)."""

    @abstractmethod
    def as_json(self) -> JSONObject:
        """The call in the plan file (values unmasked; the renderer masks sensitive keys)."""


@dataclass(frozen=True, slots=True)
class Request(Call):
    """One HTTP call relative to the provider's base URL. ``params`` may repeat keys (list values).

    ``body`` is sent as JSON; ``content`` (mutually exclusive with it) is sent as raw bytes.
    ``timeout_s`` is how long one attempt waits for the answer when the call's work may take longer
    than the session's default (e.g. one import of hundreds of collections); None means the default.
    It is how the call is sent, not what is sent, so plans do not show it.
    """

    method: str
    path: str
    body: JSON = None
    params: tuple[tuple[str, str], ...] = ()
    content: Content | None = None
    timeout_s: float | None = None

    def summary(self) -> str:
        return f"{self.method} {self.path}"

    def as_json(self) -> JSONObject:
        out: JSONObject = {"method": self.method, "path": self.path, "body": self.body,
                           "params": [list(p) for p in self.params]}
        if self.content is not None:
            out["content"] = self.content.as_json()
        return out


@dataclass(frozen=True, slots=True)
class WaitFor:
    """Poll ``request`` until ``field`` is in ``ready`` (or, with ``gone``, until it answers 404).

    ``field`` is a dotted path; a part ``key[name=value]`` picks the list element whose ``name`` is ``value``.

    A value in ``failed`` stops the apply at once with the server's ``error_field`` text.

    ``field`` and ``error_field`` are dotted paths where a part ``key[field=value]`` picks an element
    of a list, so a wait can read one child's status out of its container's answer
    (``columns[key=title].status`` of a table). Waits that read the same ``request`` share each read:
    a container's children become ready with one read per poll, not one per child.
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
