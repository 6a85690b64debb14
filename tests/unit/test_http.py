"""The HTTP edge: retries, backoff hints, error wrapping, and no secret in any error."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from baseform.engine.operation import Request
from baseform.errors import ApiError, TransportError
from baseform.http import RetryPolicy, Session

FAST = RetryPolicy(max_attempts=5, base_delay_s=0.001, max_delay_s=0.01, deadline_s=2.0)


def _session(handler: httpx.MockTransport, **kw: object) -> Session:
    return Session("http://backend.test", headers={"X-Key": "key-Sekrit-123"}, transport=handler,
                   retry=kw.pop("retry", FAST), **kw)  # type: ignore[arg-type]


def _run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


def test_retries_5xx_and_429_then_succeeds() -> None:
    answers = iter([httpx.Response(503, json={"message": "busy"}),
                    httpx.Response(429, json={"message": "slow down"}, headers={"Retry-After": "0"}),
                    httpx.Response(200, json={"ok": True})])
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return next(answers)

    async def go() -> object:
        async with _session(httpx.MockTransport(handler)) as s:
            return await s.request("GET", "/x")

    assert _run(go()) == {"ok": True}
    assert len(seen) == 3


def test_client_error_is_not_retried_and_names_call_and_message() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(400, json={"message": "Invalid size", "type": "column_invalid"})

    async def go() -> None:
        async with _session(httpx.MockTransport(handler)) as s:
            await s.request("POST", "/columns", json_body={"size": -1}, operation="create column title")

    with pytest.raises(ApiError) as e:
        _run(go())
    assert calls == 1
    assert str(e.value) == ("create column title: POST http://backend.test/columns -> 400 column_invalid: "
                            "Invalid size")


def test_connection_errors_give_up_at_the_deadline_with_a_clear_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    async def go() -> None:
        async with _session(httpx.MockTransport(handler)) as s:
            await s.request("GET", "/health", operation="read version")

    with pytest.raises(TransportError) as e:
        _run(go())
    assert "read version: GET http://backend.test/health: connection failed" in str(e.value)
    assert "gave up after 5 attempts" in str(e.value)


@pytest.mark.parametrize("response,expected", [
    (httpx.Response(502, text="<html><body><h1>502 Bad Gateway</h1></body></html>",
                    headers={"content-type": "text/html"}), "non-JSON error response (text/html): 502 Bad Gateway"),
    (httpx.Response(200, text="{not json"), "a body that is not JSON: {not json"),
    (httpx.Response(302, headers={"location": "https://elsewhere"}), "-> 302"),
])
def test_surprising_answers_become_clear_errors(response: httpx.Response, expected: str) -> None:
    async def go() -> None:
        async with _session(httpx.MockTransport(lambda r: response),
                            retry=RetryPolicy(max_attempts=1)) as s:
            await s.request("GET", "/x")

    with pytest.raises((ApiError, TransportError)) as e:
        _run(go())
    assert expected in str(e.value)


def test_secret_echoed_by_the_server_is_redacted() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"message": f"bad key {request.headers['x-key']}"})

    async def go() -> None:
        async with _session(httpx.MockTransport(handler)) as s:
            await s.request("GET", "/x")

    with pytest.raises(ApiError) as e:
        _run(go())
    assert "key-Sekrit-123" not in str(e.value) and "(sensitive)" in str(e.value)


def test_rate_limit_reset_header_sets_the_delay() -> None:
    import random
    import time

    policy = RetryPolicy(max_delay_s=30, base_delay_s=0.0)
    response = httpx.Response(429, headers={"X-RateLimit-Reset": str(int(time.time()) + 5)})
    assert 3.5 <= policy.delay(1, response, random.Random(0)) <= 5.5


def test_timeout_is_a_transport_error_naming_the_operation() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out")

    async def go() -> None:
        async with _session(httpx.MockTransport(handler), retry=RetryPolicy(max_attempts=2, base_delay_s=0.001)) as s:
            await s.request("GET", "/slow", operation="list tables")

    with pytest.raises(TransportError) as e:
        _run(go())
    assert "list tables: GET http://backend.test/slow: timed out waiting for the server" in str(e.value)


class Scripted:
    """A transport that answers with ``answers`` in turn (an exception is raised, as a lost answer is)
    and records each attempt's read timeout."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = iter(answers)
        self.timeouts: list[object] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.timeouts.append(request.extensions["timeout"]["read"])
        answer = next(self.answers)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_a_timed_out_attempt_is_retried_within_the_full_deadline() -> None:
    """A timeout means a server is there but slow: it gets the full deadline, not the short budget of a
    refused connection (which ran out before the first retry of a call slower than it)."""
    server = Scripted(httpx.ReadTimeout("timed out"), httpx.Response(200, json={"ok": True}))

    async def go() -> object:
        retry = RetryPolicy(max_attempts=3, base_delay_s=0.001, refused_deadline_s=0.0)
        async with _session(httpx.MockTransport(server.handle), retry=retry) as s:
            return await s.request("PUT", "/import")

    assert _run(go()) == {"ok": True}


def test_a_call_with_a_timeout_of_its_own_waits_that_long_and_may_be_sent_twice() -> None:
    server = Scripted(httpx.ReadTimeout("timed out"), httpx.Response(200, json={"ok": True}),
                      httpx.Response(200, json={"ok": True}))

    async def go() -> object:
        # a deadline already spent: only the call's own timeout lets a second attempt go out
        retry = RetryPolicy(max_attempts=3, base_delay_s=0.001, deadline_s=0.0)
        async with _session(httpx.MockTransport(server.handle), retry=retry) as s:
            answer = await s.perform(Request("PUT", "/import", {"big": True}, timeout_s=90.0), operation="import")
            await s.request("GET", "/other")
            return answer

    assert _run(go()) == {"ok": True}
    assert server.timeouts == [90.0, 90.0, 30.0]  # the session's default for calls without one
