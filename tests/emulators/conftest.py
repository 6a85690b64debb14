"""Fixtures for the emulator conformance tests: an Appwrite emulator and official-SDK clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from appwrite.client import Client

from tests.emulators.appwrite import DEFAULT_VERSION, AppwriteEmulator
from tests.emulators.server import RunningEmulator, serve

APPWRITE_PROJECT = "test"
APPWRITE_KEY = "secret-key"


@pytest.fixture(scope="session")
def appwrite_server() -> Iterator[RunningEmulator]:
    """One Appwrite emulator of the default version (the newest release, MariaDB) for the session; tests use
    unique ids instead of resets."""
    running = serve(
        AppwriteEmulator(project=APPWRITE_PROJECT, api_key=APPWRITE_KEY, version=DEFAULT_VERSION, column_delay_s=0.05)
    )
    yield running
    running.stop()


def appwrite_client(url: str, key: str = APPWRITE_KEY, project: str = APPWRITE_PROJECT) -> Client:
    """An official-SDK client for an emulator at ``url`` (the SDK appends nothing: pass ``/v1``)."""
    return Client().set_endpoint(f"{url}/v1").set_project(project).set_key(key)


@pytest.fixture()
def appwrite(appwrite_server: RunningEmulator) -> Client:
    return appwrite_client(appwrite_server.url)
