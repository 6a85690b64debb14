"""Servers for the command-line tests: the real PocketBase and emulators of their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulators.appwrite import AppwriteEmulator
from tests.emulators.server import RunningServer, serve
from tests.emulators.weaviate import WeaviateEmulator
from tests.pocketbase_fixture import (  # noqa: F401  (the fixtures register by being imported)
    PocketBaseServer,
    pocketbase_fixture,
    pocketbase_server_fixture,
)

APPWRITE_PROJECT = "cli"
APPWRITE_KEY = "key-Cli-5521"


@pytest.fixture(scope="module")
def appwrite_server() -> Iterator[RunningServer]:
    running = serve(AppwriteEmulator(project=APPWRITE_PROJECT, api_key=APPWRITE_KEY, version="1.9.6"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def weaviate_server() -> Iterator[RunningServer]:
    running = serve(WeaviateEmulator("1.32.0"))
    yield running
    running.stop()


def pocketbase_env(server: PocketBaseServer) -> dict[str, str]:
    return {"POCKETBASE_URL": server.url, "POCKETBASE_EMAIL": server.email, "POCKETBASE_PASSWORD": server.password}


def appwrite_env(server: RunningServer) -> dict[str, str]:
    return {"APPWRITE_ENDPOINT": f"{server.url}/v1", "APPWRITE_PROJECT_ID": APPWRITE_PROJECT,
            "APPWRITE_API_KEY": APPWRITE_KEY}
