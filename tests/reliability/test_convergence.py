"""Property: for random manifests A and B, applying A, inserting data, then applying B leaves exactly B
(plan is empty; nothing else is on the server) and keeps the data of everything A and B declare alike.

Runs against the real PocketBase and the Appwrite and Weaviate emulators (see convergence.py).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from hypothesis import given, note, settings

from tests.emulators.server import RunningServer
from tests.pocketbase_fixture import PocketBaseServer
from tests.reliability import appwrite_schemas, pocketbase_schemas, weaviate_schemas
from tests.reliability.conftest import appwrite_env, appwrite_headers, weaviate_env
from tests.reliability.convergence import PROPERTY_SETTINGS, Section, run_convergence


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("convergence")


def pocketbase_env(server: PocketBaseServer) -> dict[str, str]:
    return {"POCKETBASE_URL": server.url, "POCKETBASE_EMAIL": server.email, "POCKETBASE_PASSWORD": server.password}


@settings(PROPERTY_SETTINGS, max_examples=20)
@given(pair=pocketbase_schemas.pairs())
def test_pocketbase_converges_and_keeps_data(pocketbase_server: PocketBaseServer, workdir: Path,
                                             pair: tuple[Section, Section]) -> None:
    pocketbase_server.reset()
    a, b = pair
    run_convergence(pocketbase_schemas.PocketBaseSchemas(pocketbase_server.http), a, b,
                    pocketbase_env(pocketbase_server), workdir, note=note)


@settings(PROPERTY_SETTINGS, max_examples=16)
@given(pair=appwrite_schemas.pairs())
def test_appwrite_converges_and_keeps_data(appwrite_server: RunningServer, workdir: Path,
                                           pair: tuple[Section, Section]) -> None:
    appwrite_server.backend.reset()
    a, b = pair
    env = appwrite_env(appwrite_server)
    with httpx.Client(base_url=env["APPWRITE_ENDPOINT"], headers=appwrite_headers()) as client:
        run_convergence(appwrite_schemas.AppwriteSchemas(client), a, b, env, workdir, note=note)


@settings(PROPERTY_SETTINGS, max_examples=40)
@given(pair=weaviate_schemas.pairs())
def test_weaviate_converges_and_keeps_data(weaviate_server: RunningServer, workdir: Path,
                                           pair: tuple[Section, Section]) -> None:
    weaviate_server.backend.reset()
    a, b = pair
    env = weaviate_env(weaviate_server)
    with httpx.Client(base_url=env["WEAVIATE_URL"]) as client:
        run_convergence(weaviate_schemas.WeaviateSchemas(client), a, b, env, workdir, note=note)
