"""Real PocketBase servers for tests: one per session reset between tests, or a dedicated one.

Owns the test-side lifecycle of the ``pocketbase`` binary (started through
:mod:`baseform.providers.pocketbase.process`, on a free loopback port, with a temporary data dir and
the superuser ``admin@example.com`` with a random password, always stopped by its PID).

Fixtures, for any conftest or test module to import (their Python names differ from the fixture
names, so test parameters do not shadow the imports)::

    from tests.pocketbase_fixture import pocketbase_fixture, pocketbase_server_fixture  # noqa: F401

or, in the root ``tests/conftest.py`` only, ``pytest_plugins = ["tests.pocketbase_fixture"]``.

* ``pocketbase_server`` (session): the one shared server, as it is;
* ``pocketbase`` (function): the same server after :meth:`PocketBaseServer.reset`, i.e. as fresh as a
  new install as far as collections go.

Tests that need a server of their own (to stop it, or to run in parallel with others) call
:func:`start_pocketbase` and use the result as a context manager.
"""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import pytest

from baseform.providers.pocketbase import process

SUPERUSER_EMAIL = "admin@example.com"
USERS_ID = "_pb_users_auth_"


def _ok(response: httpx.Response) -> httpx.Response:
    if response.is_error:
        raise RuntimeError(
            f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text}"
        )
    return response


@dataclass
class PocketBaseServer:
    """A running PocketBase test server. ``stop()`` (or leaving the ``with`` block) ends it by PID.

    ``http`` is a client for ``url`` logged in as the superuser, shared by everyone using this
    server (do not close it; a new ``httpx.Client`` costs about 30 ms, mostly TLS setup).
    """

    url: str
    email: str
    password: str = field(repr=False)
    pid: int
    data_dir: Path
    http: httpx.Client = field(repr=False)
    _process: subprocess.Popen[bytes] = field(repr=False)
    _initial_users: dict[str, Any] = field(default_factory=dict, repr=False)

    def login(self) -> str:
        """Authenticate as the superuser, send that token from ``http`` from now on, return it."""
        self.http.headers.pop("Authorization", None)
        reply = _ok(self.http.post("/api/collections/_superusers/auth-with-password",
                                   json={"identity": self.email, "password": self.password}))
        token = str(reply.json()["token"])
        self.http.headers["Authorization"] = token
        return token

    def reset(self) -> None:
        """Bring the collections back to those of a new install, without restarting the binary.

        One ``PUT /api/collections/import`` with the ``users`` collection as captured at start and
        ``deleteMissing`` deletes every other non-system collection in one transaction (the server
        skips relation-reference checks there, so no delete ordering is needed), drops fields added
        to ``users`` and restores its rules, options and indexes (re-creating it, with fresh token
        secrets, if a test deleted it); a truncate then removes its records. About 10 ms.
        System collections and app settings are not touched.
        """
        body = {"collections": [self._initial_users], "deleteMissing": True}
        _ok(self.http.put("/api/collections/import", json=body))
        _ok(self.http.delete(f"/api/collections/{USERS_ID}/truncate"))

    def stop(self) -> None:
        """Stop this server by its PID (its data dir stays for post-mortem reading)."""
        self.http.close()
        process.stop(self.pid)
        # Lets the Popen object see that its child was reaped, so it does not warn when collected.
        self._process.poll()

    def __enter__(self) -> PocketBaseServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


def start_pocketbase(data_dir: Path, *, timeout: float = 60.0) -> PocketBaseServer:
    """Start a dedicated, fresh PocketBase with data in DATA_DIR on a free loopback port and wait
    until it is healthy (``timeout`` and the client's timeout are generous: a loaded machine is slow).
    The caller stops it (``with start_pocketbase(dir) as pb: ...``)."""
    password = secrets.token_urlsafe(18)
    process.upsert_superuser(data_dir, SUPERUSER_EMAIL, password)
    port = process.free_port()
    url = f"http://127.0.0.1:{port}"
    proc = process.start(data_dir, port)
    server = PocketBaseServer(url=url, email=SUPERUSER_EMAIL, password=password, pid=proc.pid,
                              data_dir=data_dir, http=httpx.Client(base_url=url, trust_env=False, timeout=60),
                              _process=proc)
    try:
        process.wait_healthy(url, timeout, process=proc, log_path=data_dir / process.LOG_NAME)
        server.login()
        server._initial_users = _ok(server.http.get(f"/api/collections/{USERS_ID}")).json()
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session", name="pocketbase_server")
def pocketbase_server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PocketBaseServer]:
    """The one PocketBase shared by the session (per xdist worker), stopped by PID at the end."""
    with start_pocketbase(tmp_path_factory.mktemp("pocketbase") / "pb_data") as server:
        yield server


@pytest.fixture(name="pocketbase")
def pocketbase_fixture(pocketbase_server: PocketBaseServer) -> PocketBaseServer:
    """The shared PocketBase, reset to fresh-install collections before the test."""
    pocketbase_server.reset()
    return pocketbase_server
