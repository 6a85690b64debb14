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
    """A running PocketBase test server. ``stop()`` (or leaving the ``with`` block) ends it by PID."""

    url: str
    email: str
    password: str = field(repr=False)
    pid: int
    data_dir: Path
    _process: subprocess.Popen[bytes] = field(repr=False)
    _initial_users: dict[str, Any] = field(default_factory=dict, repr=False)
    _token: str | None = field(default=None, repr=False)

    def token(self) -> str:
        """A superuser auth token (cached until :meth:`reset` finds it rejected)."""
        if self._token is None:
            with httpx.Client(base_url=self.url, trust_env=False, timeout=10) as client:
                reply = _ok(client.post(
                    "/api/collections/_superusers/auth-with-password",
                    json={"identity": self.email, "password": self.password},
                ))
            self._token = str(reply.json()["token"])
        return self._token

    def client(self) -> httpx.Client:
        """An httpx client for ``url`` that sends the superuser token. The caller closes it."""
        return httpx.Client(base_url=self.url, trust_env=False, timeout=10,
                            headers={"Authorization": self.token()})

    def reset(self) -> None:
        """Bring the collections back to those of a new install, without restarting the binary.

        One ``PUT /api/collections/import`` with the ``users`` collection as captured at start and
        ``deleteMissing`` deletes every other non-system collection in one transaction (the server
        skips relation-reference checks there, so no delete ordering is needed), drops fields added
        to ``users`` and restores its rules, options and indexes (re-creating it, with fresh token
        secrets, if a test deleted it); a truncate then removes its records. About 15 ms.
        System collections and app settings are not touched.
        """
        body = {"collections": [self._initial_users], "deleteMissing": True}
        with self.client() as client:
            if client.put("/api/collections/import", json=body).status_code == 401:
                # A test rotated the superuser's token key (e.g. changed its password): log in again.
                self._token = None
                client.headers["Authorization"] = self.token()
            _ok(client.put("/api/collections/import", json=body))
            _ok(client.delete(f"/api/collections/{USERS_ID}/truncate"))

    def stop(self) -> None:
        """Stop this server by its PID (its data dir stays for post-mortem reading)."""
        process.stop(self.pid)
        # Lets the Popen object see that its child was reaped, so it does not warn when collected.
        self._process.poll()

    def __enter__(self) -> PocketBaseServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


def start_pocketbase(data_dir: Path, *, timeout: float = 15.0) -> PocketBaseServer:
    """Start a dedicated, fresh PocketBase with data in DATA_DIR on a free loopback port and wait
    until it is healthy. The caller stops it (``with start_pocketbase(dir) as pb: ...``)."""
    password = secrets.token_urlsafe(18)
    process.upsert_superuser(data_dir, SUPERUSER_EMAIL, password)
    port = process.free_port()
    proc = process.start(data_dir, port)
    server = PocketBaseServer(url=f"http://127.0.0.1:{port}", email=SUPERUSER_EMAIL, password=password,
                              pid=proc.pid, data_dir=data_dir, _process=proc)
    try:
        process.wait_healthy(server.url, timeout, process=proc, log_path=data_dir / process.LOG_NAME)
        with server.client() as client:
            server._initial_users = _ok(client.get(f"/api/collections/{USERS_ID}")).json()
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
