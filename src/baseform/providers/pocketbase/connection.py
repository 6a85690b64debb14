"""Connecting to PocketBase as a superuser, with ``baseform local``'s server as the fallback.

Settings come from the manifest's ``providers.pocketbase`` block, then ``POCKETBASE_URL``/
``POCKETBASE_EMAIL``/``POCKETBASE_PASSWORD``; when no URL is set anywhere, the connection of the
server started by ``baseform local up`` is filled in before the provider is made
(:func:`baseform.manifest.project.make_provider`), so ``baseform plan`` works right after it.
"""

from __future__ import annotations

import httpx

from baseform.errors import ApiError, PlanError, ProviderError
from baseform.http import Session
from baseform.providers.pocketbase.models import PocketBaseConfig
from baseform.providers.pocketbase.server_errors import parse_error

__all__ = ["AUTH_PATH", "open_session"]

AUTH_PATH = "/api/collections/_superusers/auth-with-password"
_FALLBACK_HINT = " (or start a local server with `baseform local up`)"


def _require(config: PocketBaseConfig, name: str) -> str:
    try:
        return config.require(name, "pocketbase")
    except PlanError as e:
        raise PlanError(str(e) + _FALLBACK_HINT) from None


async def open_session(config: PocketBaseConfig, transport: httpx.AsyncBaseTransport | None = None) -> Session:
    """A session logged in as the superuser (its token is sent as ``Authorization``)."""
    url, email, password = (_require(config, n) for n in ("url", "email", "password"))
    session = Session(url, error_parser=parse_error, transport=transport)
    try:
        body = await session.request("POST", AUTH_PATH, json_body={"identity": email, "password": password},
                                     operation=f"log in to PocketBase at {url} as superuser {email}")
    except ApiError as e:
        await session.aclose()
        hint = " (check the superuser email and password)" if e.status == 400 else ""
        raise ProviderError(f"{e.server_message}{hint}", operation=e.operation) from None
    except BaseException:
        await session.aclose()
        raise
    token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str):
        await session.aclose()
        raise ProviderError(f"{url} answered the superuser login without a token; is it PocketBase 0.23 or "
                            "newer?", operation="log in to PocketBase")
    session.set_header("Authorization", token)
    return session
