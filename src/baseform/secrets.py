"""Keep secrets out of every output: a process-wide registry of secret values and a redactor.

Every secret baseform learns (API keys, passwords, tokens it receives, values of fields a model
marks sensitive) is registered here; :func:`redact` replaces each occurrence in any text before it
is printed, logged, saved or raised to the user. It also masks credentials written into URLs,
known or not: the userinfo of ``https://user:pass@host`` and the values of secret-looking query
parameters (``?key=``, ``&access_token=``...). Path-based masking of plan values happens in the
renderer; this is the second, value-based line of defence.
"""

from __future__ import annotations

import logging
import re
import threading

__all__ = ["MASK", "RedactingFilter", "clear", "redact", "redact_url", "register"]

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


# scheme://USERINFO@ : everything between the scheme and the last "@" before the host part
_USERINFO = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.\-]*://)([^\s/?#@'\"<>]*(?:@[^\s/?#@'\"<>]*)*)@")
# ?name=value / &name=value where the name looks like it carries a credential
_SECRET_QUERY = re.compile(
    r"([?&][A-Za-z0-9_.\-]*(?:key|token|secret|passw(?:or)?d|pwd|signature|sig|auth|credential|session|"
    r"jwt|code)[A-Za-z0-9_.\-]*=)([^&#\s'\"<>]+)", re.IGNORECASE)


def _looks_like_a_token(text: str) -> bool:
    """Whether a URL's user name may itself be the credential (``https://ghp_x1y2...@host``): long, or
    letters and digits mixed; a plain role name (``postgres``, ``admin``) is not."""
    return len(text) >= 16 or (len(text) >= 8 and any(c.isdigit() for c in text) and any(c.isalpha() for c in text))


def _masked_userinfo(match: re.Match[str]) -> str:
    user, colon, password = match.group(2).partition(":")
    if _looks_like_a_token(user):
        return match.group(1) + MASK + "@"
    if not colon or not password or password == MASK or set(password) == {"*"}:
        return match.group(0)  # a user name alone, or a password that is masked already
    return f"{match.group(1)}{user}:{MASK}@"


def redact_url(text: str) -> str:
    """``text`` with the credentials of every URL in it masked: the password of its userinfo (all of
    the userinfo when the user name looks like a token) and secret-looking query values."""
    if "://" in text:
        text = _USERINFO.sub(_masked_userinfo, text)
    if "=" in text:
        text = _SECRET_QUERY.sub(lambda m: m.group(1) + MASK, text)
    return text


def redact(text: str) -> str:
    """``text`` with every registered secret and every URL credential replaced by ``(sensitive)``."""
    with _lock:
        values = sorted(_values, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    return redact_url(text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts secrets from every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        return True
