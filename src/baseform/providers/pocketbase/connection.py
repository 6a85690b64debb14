"""Connecting to PocketBase as a superuser, with ``baseform local``'s server as the fallback.

Settings come from the manifest's ``providers.pocketbase`` block, then ``POCKETBASE_URL``/
``POCKETBASE_EMAIL``/``POCKETBASE_PASSWORD``; when no URL is set anywhere, the connection of the
server started by ``baseform local up`` (``.baseform/local.env``) is used, so ``baseform plan``
works right after ``baseform local up``.
"""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from baseform.errors import ApiError, PlanError, ProviderError
from baseform.http import Session
from baseform.providers.pocketbase import process
from baseform.providers.pocketbase.models import PocketBaseConfig
from baseform.providers.pocketbase.server_errors import parse_error

__all__ = ["AUTH_PATH", "open_session", "with_local_fallback"]

AUTH_PATH = "/api/collections/_superusers/auth-with-password"
_FALLBACK_HINT = " (or start a local server with `baseform local up`)"


def with_local_fallback(config: PocketBaseConfig) -> PocketBaseConfig:
    """``config`` completed from the running local server's settings when it names no URL."""
    if config.url:
        return config
    local = process.read_local_env()
    if not local:
        return config
    updates: dict[str, object] = {}
    if local.get(process.ENV_URL):
        updates["url"] = local[process.ENV_URL]
    if not config.email and local.get(process.ENV_EMAIL):
        updates["email"] = local[process.ENV_EMAIL]
    if (config.password is None or not config.password.get_secret_value()) and local.get(process.ENV_PASSWORD):
        updates["password"] = SecretStr(local[process.ENV_PASSWORD])
    completed = config.model_copy(update=updates)
    completed.register_secrets()
    return completed


def _require(config: PocketBaseConfig, name: str) -> str:
    try:
        return config.require(name, "pocketbase")
    except PlanError as e:
        raise PlanError(str(e) + _FALLBACK_HINT) from None


async def open_session(config: PocketBaseConfig, transport: httpx.AsyncBaseTransport | None = None) -> Session:
    """A session logged in as the superuser (its token is sent as ``Authorization``)."""
    config = with_local_fallback(config)
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
