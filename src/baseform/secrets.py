"""Keep secrets out of every output: a process-wide registry of secret values and a redactor.

Every secret baseform learns (API keys, passwords, tokens it receives, values of fields a model
marks sensitive) is registered here; :func:`redact` replaces each occurrence in any text before it
is printed, logged or raised to the user. Path-based masking of plan values happens in the
renderer; this is the second, value-based line of defence.
"""

from __future__ import annotations

import logging
import threading

__all__ = ["MASK", "RedactingFilter", "clear", "redact", "register"]

MASK = "(sensitive)"
_MIN_LEN = 6  # shorter values would mask ordinary words in every message
_lock = threading.Lock()
_values: set[str] = set()


def register(value: str | None) -> None:
    """Remember a secret so that :func:`redact` masks it from now on."""
    if value and len(value) >= _MIN_LEN:
        with _lock:
            _values.add(value)


def clear() -> None:
    """Forget every registered secret (tests)."""
    with _lock:
        _values.clear()


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``(sensitive)``; longest first."""
    with _lock:
        values = sorted(_values, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that redacts secrets from every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        return True
