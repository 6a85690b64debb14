"""The one exception tree of baseform. Every user-facing error says where it happened.

* BaseformError                 anything baseform reports to the user (exit code 1)
  + ManifestError               a bad manifest; carries every Diagnostic found (file:line:column)
  + PlanError                   the manifest is valid but cannot be planned against this server
  + RefusedError                apply refused: destroy without --allow-destroy, protect, stale plan
  + ProviderError               talking to a backend failed
    - ApiError                  the server answered with an error status (method, url, status, message)
    - TransportError            no usable answer: connection refused/dropped, timeout, non-JSON body
    - ReadinessError            an async resource ended `failed`/`stuck` or never became ready
  + LocalServerError            the embedded local PocketBase could not be started or stopped

Messages never contain secrets: provider errors are redacted when built (URL credentials and
every registered secret), the CLI passes every message through :mod:`baseform.secrets` again
before printing, and providers mask credentials before building one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from baseform.secrets import redact
from baseform.types import JSON

__all__ = [
    "ApiError",
    "BaseformError",
    "Diagnostic",
    "LocalServerError",
    "ManifestError",
    "PlanError",
    "ProviderError",
    "ReadinessError",
    "RefusedError",
    "SourceSpan",
    "TransportError",
]


class SourceSpan(NamedTuple):
    """A place in a manifest file. ``rendered`` is true when the line is in the jinja2 output and
    may not match the template line (the file used block tags or multi-line values).

    A named tuple rather than a frozen dataclass: the loader makes two per value of a manifest
    (some 60,000 for a manifest of 300 tables), and a tuple is made in a third of the time."""

    file: str
    line: int
    column: int | None = None
    rendered: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")
        return where + (" (line of the rendered template)" if self.rendered else "")


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a manifest: where, what, and (optionally) how to fix it."""

    message: str
    source: SourceSpan | None = None
    address: str | None = None
    hint: str | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = str(self.source) if self.source else (self.address or "manifest")
        text = f"{where}: {'warning: ' if self.warning else ''}{self.message}"
        if self.address and self.source:
            text += f" [{self.address}]"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def sort_key(self) -> tuple[str, int, int, str]:
        s = self.source
        return (s.file, s.line, s.column or 0, self.message) if s else ("~", 0, 0, self.message)


class BaseformError(Exception):
    """Base of every error baseform reports. ``str(error)`` is the complete user-facing message."""


class ManifestError(BaseformError):
    """The manifest is invalid. Carries all diagnostics found, sorted by location."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        count = len(self.diagnostics)
        head = f"{count} problem{'s' if count != 1 else ''} in the manifest:"
        super().__init__("\n".join([head, *(f"  {d}" for d in self.diagnostics)]))


class PlanError(BaseformError):
    """A valid manifest that cannot be planned (e.g. a feature the server version lacks)."""

    def __init__(self, message: str, *, address: str | None = None, source: SourceSpan | None = None) -> None:
        self.address = address
        self.source = source
        where = ", ".join(str(x) for x in (source, address) if x)
        super().__init__(f"{where}: {message}" if where else message)


class RefusedError(BaseformError):
    """apply refused to run: the listed reasons say what and how to proceed."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("apply refused:\n" + "\n".join(f"  - {r}" for r in reasons))


class ProviderError(BaseformError):
    """Talking to a backend failed. ``operation`` says what baseform was doing; ``hints`` (added by
    whoever knows more, e.g. which setting names the URL) say what to check."""

    def __init__(self, message: str, *, operation: str | None = None) -> None:
        self.operation = operation
        self.hints: list[str] = []
        super().__init__(redact(f"{operation}: {message}" if operation else message))

    def __str__(self) -> str:
        return super().__str__() + "".join(f"\n  hint: {h}" for h in self.hints)


class ApiError(ProviderError):
    """The server answered with an error status."""

    def __init__(self, *, method: str, url: str, status: int, message: str, kind: str | None = None,
                 operation: str | None = None, body: JSON = None) -> None:
        self.method = method
        self.url = url
        self.status = status
        self.server_message = message
        self.kind = kind
        self.body = body  # the decoded error body, for providers that read fields of it; never shown
        detail = f"{method} {url} -> {status}" + (f" {kind}" if kind else "") + f": {message}"
        super().__init__(detail, operation=operation)


class TransportError(ProviderError):
    """No usable answer from the server (connection, timeout, or an unparseable body).

    ``reason`` tells what kind of failure it was, so callers can say what to check: ``"url"`` (not a
    usable URL, e.g. no scheme), ``"dns"`` (the host name does not resolve), ``"refused"`` (nothing
    listens there), ``"timeout"``, ``"answer"`` (an answer that is not what the API sends) or
    ``"connection"`` (anything else).
    """

    def __init__(self, *, method: str, url: str, message: str, operation: str | None = None,
                 reason: str = "connection") -> None:
        self.method = method
        self.url = url
        self.reason = reason
        super().__init__(f"{method} {url}: {message}", operation=operation)


class ReadinessError(ProviderError):
    """An asynchronous resource reached a failed state or did not become ready in time."""


class LocalServerError(BaseformError):
    """The embedded local PocketBase could not be managed."""
