"""The HTTP edge every provider uses: an async session with auth headers, retries and error wrapping.

Retries (design §4, issue "reliability"): 429, 408, 5xx, timeouts and connection errors are retried
with exponential backoff and full jitter, honouring ``Retry-After`` and ``X-RateLimit-Reset``, within a
total deadline. A call whose work takes long may set its own timeout (``Request.timeout_s``). A resent
write may meet its own earlier attempt (the answer was lost, not the write): the executor's
verify-on-conflict decides whether that still means done. Other 4xx answers are final. What cannot
get better by waiting fails at once: a URL that is not ``http(s)://host...`` and a host name that
does not resolve; a refused connection (no server listening, or one still starting) gets a short
budget of its own. Every failure becomes an :class:`ApiError` or :class:`TransportError` naming the
method, URL and status (with ``TransportError.reason`` saying what kind of failure it was), with
secrets redacted.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import json
import random
import re
import socket
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from baseform import secrets
from baseform.engine.operation import Call, Request
from baseform.errors import ApiError, TransportError
from baseform.types import JSON

__all__ = ["ErrorParser", "RetryPolicy", "Session", "TextErrorParser", "default_error_parser"]

ErrorParser = Callable[[int, JSON], tuple[str, str | None]]
"""(status, decoded body) -> (server message, error kind/type or None)."""

TextErrorParser = Callable[[int, str], str]
"""(status, body text) -> server message, for servers whose error answers are plain text."""


def default_error_parser(status: int, body: JSON) -> tuple[str, str | None]:
    if isinstance(body, dict):
        message = body.get("message") or body.get("error")
        if isinstance(message, list) and message and isinstance(message[0], dict):
            message = message[0].get("message")
        kind = body.get("type") if isinstance(body.get("type"), str) else None
        if message:
            return str(message), kind
    return f"HTTP {status}", None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff settings. ``deadline_s`` bounds the total time spent on one request, retries included;
    ``refused_deadline_s`` bounds it while every attempt so far was refused (nothing listening)."""

    max_attempts: int = 8
    base_delay_s: float = 0.2
    max_delay_s: float = 10.0
    deadline_s: float = 120.0
    refused_deadline_s: float = 3.0
    retry_statuses: frozenset[int] = frozenset({408, 425, 429, 500, 502, 503, 504})

    def delay(self, attempt: int, response: httpx.Response | None, rng: random.Random) -> float:
        """Seconds to wait before attempt ``attempt + 1``: the server's hint, else full jitter."""
        hinted = _server_hint(response) if response is not None else None
        if hinted is not None:
            return min(hinted, self.max_delay_s) + rng.uniform(0, self.base_delay_s)
        cap = min(self.max_delay_s, self.base_delay_s * (2 ** attempt))
        return rng.uniform(cap / 2, cap)


def _server_hint(response: httpx.Response) -> float | None:
    retry_after = response.headers.get("retry-after")
    if retry_after:
        if retry_after.strip().isdigit():
            return float(retry_after)
        try:
            when = email.utils.parsedate_to_datetime(retry_after)
            return max(0.0, when.timestamp() - time.time())
        except (TypeError, ValueError):
            pass
    reset = response.headers.get("x-ratelimit-reset")
    if reset and re.fullmatch(r"\d+(\.\d+)?", reset.strip()):
        value = float(reset)
        # epoch seconds (Appwrite) or seconds to wait (some proxies)
        return max(0.0, value - time.time()) if value > 1e9 else value
    return None


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The TLS settings every session shares: building them loads the CA bundle (about 25 ms), once."""
    return httpx.create_ssl_context()


def _verify(base_url: str) -> ssl.SSLContext | bool:
    """The TLS settings of a session: a plain-HTTP base URL (a local server) never uses TLS (requests
    are paths under it and redirects are not followed), so it skips loading the CA bundle."""
    return _tls_context() if base_url.lower().startswith("https:") else False


class Session:
    """An authenticated connection to one backend. Use as ``async with``; not shared across loops."""

    def __init__(self, base_url: str, *, headers: Mapping[str, str] | None = None,
                 error_parser: ErrorParser = default_error_parser, timeout_s: float = 30.0,
                 retry: RetryPolicy | None = None, transport: httpx.AsyncBaseTransport | None = None,
                 limits: int = 16, text_error_parser: TextErrorParser | None = None) -> None:
        for value in (headers or {}).values():
            secrets.register(value)
        self.base_url = _checked_url(base_url.rstrip("/"))
        self.error_parser = error_parser
        self.text_error_parser = text_error_parser
        self.retry = retry or RetryPolicy()
        self.requests = 0
        self._rng = random.Random()
        self._client = httpx.AsyncClient(
            base_url=self.base_url, headers=dict(headers or {}), timeout=timeout_s, transport=transport,
            limits=httpx.Limits(max_connections=limits, max_keepalive_connections=limits),
            follow_redirects=False, verify=_verify(self.base_url) if transport is None else True)

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def set_header(self, name: str, value: str) -> None:
        """Set a header for later requests (e.g. a token obtained by logging in); it is a secret."""
        secrets.register(value)
        self._client.headers[name] = value

    def url(self, path: str) -> str:
        return self.base_url + path

    async def perform(self, call: Call, *, operation: str) -> JSON:
        """Send a :class:`Request` (the session protocol of :mod:`baseform.engine.session`)."""
        if not isinstance(call, Request):
            raise TypeError(f"an HTTP session cannot perform {type(call).__name__}")
        content = call.content
        return await self.request(call.method, call.path, json_body=call.body, params=call.params or None,
                                  operation=operation, content=content.read(operation) if content else None,
                                  content_type=content.media_type if content else None, timeout_s=call.timeout_s)

    async def request(self, method: str, path: str, *, json_body: JSON = None,
                      params: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
                      operation: str | None = None, retry: bool = True, content: bytes | None = None,
                      content_type: str | None = None, timeout_s: float | None = None) -> JSON:
        """Send a request and return the decoded JSON body (None for an empty body).

        ``content`` is a raw body (sent with ``content_type``) instead of ``json_body``. ``timeout_s``
        replaces the session's timeout for each attempt; the total deadline then allows at least two
        such attempts. Raises ApiError for an error status (after retries for retryable ones) and
        TransportError when no usable answer arrived before the deadline.
        """
        url = self.url(path)
        longest = self.retry.deadline_s if timeout_s is None else max(self.retry.deadline_s, 2 * timeout_s)
        started = time.monotonic()
        attempt = 0
        refused = True  # every attempt so far was refused
        reason = "connection"
        while True:
            attempt += 1
            self.requests += 1
            response: httpx.Response | None = None
            failure: str | None = None
            try:
                kwargs: dict[str, object] = {"params": params}
                if timeout_s is not None:
                    kwargs["timeout"] = timeout_s
                if content is not None:
                    kwargs["content"] = content
                    kwargs["headers"] = {"Content-Type": content_type or "application/octet-stream"}
                elif json_body is not None:
                    kwargs["content"] = json.dumps(json_body).encode()
                    kwargs["headers"] = {"Content-Type": "application/json"}
                response = await self._client.request(method, path, **kwargs)  # type: ignore[arg-type]
            except httpx.TimeoutException:
                failure, reason = "timed out waiting for the server", "timeout"
                refused = False  # something is there, only slow: the full deadline applies
            except httpx.TransportError as e:
                reason = _failure_reason(e)
                if reason == "dns":
                    raise TransportError(method=method, url=url, operation=operation, reason=reason,
                                         message=f"the host name {urlsplit(url).hostname!r} does not resolve "
                                                 "(no DNS entry)") from None
                failure = "connection refused" if reason == "refused" else \
                    f"connection failed ({type(e).__name__}: {e})"
                refused = refused and reason == "refused"
            if response is not None and (response.status_code not in self.retry.retry_statuses):
                return self._decode(method, url, response, operation)
            elapsed = time.monotonic() - started
            delay = self.retry.delay(attempt, response, self._rng)
            deadline = self.retry.refused_deadline_s if response is None and refused else longest
            if not retry or attempt >= self.retry.max_attempts or elapsed + delay > deadline:
                if response is not None:
                    return self._decode(method, url, response, operation)
                raise TransportError(method=method, url=url, operation=operation, reason=reason,
                                     message=f"{failure}; gave up after {attempt} attempt"
                                             f"{'s' if attempt != 1 else ''} in {elapsed:.1f} s")
            await asyncio.sleep(delay)

    def _decode(self, method: str, url: str, response: httpx.Response, operation: str | None) -> JSON:
        status = response.status_code
        text = response.text
        body: JSON = None
        if text.strip():
            try:
                body = json.loads(text)
            except ValueError:
                if status < 300:
                    raise TransportError(method=method, url=url, operation=operation, reason="answer", message=(
                        f"the server answered {status} with a body that is not JSON: "
                        f"{_snippet(text)}")) from None
                kind_of_body = response.headers.get("content-type", "?")
                message = (self.text_error_parser(status, text) if self.text_error_parser
                           else f"non-JSON error response ({kind_of_body}): {_snippet(text)}")
                raise ApiError(method=method, url=url, status=status, operation=operation,
                               message=secrets.redact(message)) from None
        if status >= 300:
            # 3xx included: a redirect means a wrong endpoint (e.g. http -> https), never success
            message, kind = self.error_parser(status, body)
            raise ApiError(method=method, url=url, status=status, kind=kind, operation=operation,
                           message=secrets.redact(message), body=body)
        return body


def _checked_url(url: str) -> str:
    """URL itself when it is ``http(s)://host...``; otherwise a TransportError saying what is wrong."""
    parts = urlsplit(url)
    problem = None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        problem = "it must start with http:// or https:// and name a host"
        if "://" not in url:
            problem += f" (e.g. http://{url})"
    elif not parts.hostname:
        problem = "it names no host"
    if problem:
        raise TransportError(method="connect", url=url, reason="url", message=f"{url!r} is not a usable URL: {problem}")
    if parts.password:
        secrets.register(parts.password)
    return url


def _failure_reason(error: httpx.TransportError) -> str:
    """What kind of connection failure ERROR is: ``dns``, ``refused`` or ``connection``."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return "dns"
        if isinstance(seen, ConnectionRefusedError):
            return "refused"
        seen = seen.__cause__ or seen.__context__
    text = str(error)
    if any(m in text for m in ("Name or service not known", "nodename nor servname", "No address associated",
                               "Temporary failure in name resolution", "getaddrinfo failed")):
        return "dns"
    if "Connection refused" in text or "Errno 111" in text or "Errno 61" in text:
        return "refused"
    return "connection"


def _snippet(text: str, limit: int = 200) -> str:
    """A short, single-line, tag-free excerpt of a body for error messages."""
    plain = re.sub(r"<[^>]+>", " ", text)
    plain = re.sub(r"\s+", " ", plain).strip()
    return secrets.redact(plain[:limit] + ("..." if len(plain) > limit else ""))
