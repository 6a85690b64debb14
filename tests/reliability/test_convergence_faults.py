"""The convergence property with faults switched on: 5xx answers, 429s with reset headers, connections
dropped before a request is handled and answers lost after a write committed.

Both applies run with faults on and are repeated until one succeeds (a failed apply must say what
it did and leave a state a rerun converges from); then faults go off and the end state must be
exactly B with the data kept, as without faults. The emulators inject the faults themselves; the real
PocketBase sits behind the fault proxy (tests/emulators/proxy.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from tests.emulators.proxy import start_proxy
from tests.emulators.server import RunningServer
from tests.pocketbase_fixture import PocketBaseServer
from tests.reliability import appwrite_schemas, pocketbase_schemas, weaviate_schemas
from tests.reliability.conftest import appwrite_env, appwrite_headers, weaviate_env
from tests.reliability.convergence import PROPERTY_SETTINGS, Section, fast_retries, run_convergence

ATTEMPTS = 12
REQUEST_ATTEMPTS = 3  # per request: with the rates below about 1 request in 50 gives up


def faults(seed: int) -> dict[str, Any]:
    """Moderate rates: most applies meet several faults, some fail part-way and are rerun."""
    return {"error_5xx_rate": 0.1, "rate_limit_rate": 0.05, "rate_limit_reset_s": 1.0,
            "drop_after_commit_rate": 0.1, "drop_before_rate": 0.05, "seed": seed}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("convergence-faults")


@pytest.fixture(scope="module")
def proxy(pocketbase_server: PocketBaseServer) -> Iterator[RunningServer]:
    with start_proxy(pocketbase_server.url) as running:
        yield running


@settings(PROPERTY_SETTINGS, max_examples=12)
@given(pair=pocketbase_schemas.pairs(), seed=st.integers(0, 2**16))
def test_pocketbase_converges_through_faults(pocketbase_server: PocketBaseServer, proxy: RunningServer,
                                             workdir: Path, pair: tuple[Section, Section], seed: int) -> None:
    pocketbase_server.reset()
    a, b = pair
    env = {"POCKETBASE_URL": proxy.url, "POCKETBASE_EMAIL": pocketbase_server.email,
           "POCKETBASE_PASSWORD": pocketbase_server.password}
    with fast_retries(REQUEST_ATTEMPTS):
        run_convergence(pocketbase_schemas.PocketBaseSchemas(pocketbase_server.http), a, b, env, workdir,
                        faults=proxy.backend, fault_settings=faults(seed), attempts=ATTEMPTS, note=note)


@settings(PROPERTY_SETTINGS, max_examples=12)
@given(pair=appwrite_schemas.pairs(), seed=st.integers(0, 2**16))
def test_appwrite_converges_through_faults(appwrite_server: RunningServer, workdir: Path,
                                           pair: tuple[Section, Section], seed: int) -> None:
    appwrite_server.backend.reset()
    a, b = pair
    env = appwrite_env(appwrite_server)
    with httpx.Client(base_url=env["APPWRITE_ENDPOINT"], headers=appwrite_headers()) as client, \
            fast_retries(REQUEST_ATTEMPTS):
        run_convergence(appwrite_schemas.AppwriteSchemas(client), a, b, env, workdir,
                        faults=appwrite_server.backend, fault_settings=faults(seed), attempts=ATTEMPTS, note=note)


@settings(PROPERTY_SETTINGS, max_examples=30)
@given(pair=weaviate_schemas.pairs(), seed=st.integers(0, 2**16))
def test_weaviate_converges_through_faults(weaviate_server: RunningServer, workdir: Path,
                                           pair: tuple[Section, Section], seed: int) -> None:
    weaviate_server.backend.reset()
    a, b = pair
    env = weaviate_env(weaviate_server)
    with httpx.Client(base_url=env["WEAVIATE_URL"]) as client, fast_retries(REQUEST_ATTEMPTS):
        run_convergence(weaviate_schemas.WeaviateSchemas(client), a, b, env, workdir,
                        faults=weaviate_server.backend, fault_settings=faults(seed), attempts=ATTEMPTS, note=note)
