"""Servers for the command-line tests: the real PocketBase and the emulators of the reliability
tests (module-scoped, so a test's changes stay in its own module)."""

from __future__ import annotations

from tests.pocketbase_fixture import (  # noqa: F401  (the fixtures register by being imported)
    PocketBaseServer,
    pocketbase_fixture,
    pocketbase_server_fixture,
)
from tests.reliability.conftest import (  # noqa: F401  (the fixtures register by being imported)
    APPWRITE_KEY,
    appwrite_env,
    appwrite_server,
    weaviate_server,
)


def pocketbase_env(server: PocketBaseServer) -> dict[str, str]:
    return {"POCKETBASE_URL": server.url, "POCKETBASE_EMAIL": server.email, "POCKETBASE_PASSWORD": server.password}
