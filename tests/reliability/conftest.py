"""Servers for the reliability tests: the real PocketBase (shared per worker) and emulators of our own,
so that faults switched on here never reach another test's server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulators.appwrite import AppwriteEmulator
from tests.emulators.server import RunningServer, serve
from tests.emulators.weaviate import WeaviateEmulator
from tests.pocketbase_fixture import pocketbase_server_fixture  # noqa: F401  (registers the fixture)

APPWRITE_PROJECT = "reliability"
APPWRITE_KEY = "key-Reliability-7731"


def appwrite_env(server: RunningServer) -> dict[str, str]:
    return {"APPWRITE_ENDPOINT": f"{server.url}/v1", "APPWRITE_PROJECT_ID": APPWRITE_PROJECT,
            "APPWRITE_API_KEY": APPWRITE_KEY}


def appwrite_headers() -> dict[str, str]:
    """Headers of raw API-key requests to the emulator (data seeding and read-back)."""
    return {"X-Appwrite-Project": APPWRITE_PROJECT, "X-Appwrite-Key": APPWRITE_KEY}


def weaviate_env(server: RunningServer) -> dict[str, str]:
    return {"WEAVIATE_URL": server.url}


@pytest.fixture(scope="module")
def appwrite_server() -> Iterator[RunningServer]:
    running = serve(AppwriteEmulator(project=APPWRITE_PROJECT, api_key=APPWRITE_KEY, version="1.9.6",
                                     column_delay_s=0.02))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def weaviate_server() -> Iterator[RunningServer]:
    running = serve(WeaviateEmulator("1.32.0"))
    yield running
    running.stop()
