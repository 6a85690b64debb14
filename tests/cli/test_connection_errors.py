"""A server that cannot be used fails fast and says what to check: the setting, whether a server
runs there, the credentials, or which backend the URL really answers like."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx

from baseform.providers.local import free_port
from tests.cli.conftest import APPWRITE_KEY, PocketBaseServer, appwrite_env, pocketbase_env
from tests.clirun import run_cli
from tests.emulators.server import RunningServer

PB = "version: 1\npocketbase:\n  collections:\n    - name: notes\n"
AW = "version: 1\nappwrite:\n  teams:\n    - {id: editors, name: Editors}\n"
WV = "version: 1\nweaviate:\n  classes:\n    - class: Note\n"


def _timed(argv: list[str], env: dict[str, str], **kw: object) -> tuple[float, str, int]:
    started = time.monotonic()
    result = run_cli(argv, env=env, **kw)  # type: ignore[arg-type]
    return time.monotonic() - started, result.err, result.code


def test_a_url_without_a_scheme_fails_at_once_naming_the_setting(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(PB)
    env = {"POCKETBASE_URL": "127.0.0.1:8090", "POCKETBASE_EMAIL": "a@b.c", "POCKETBASE_PASSWORD": "pw-123456"}
    elapsed, err, code = _timed(["plan", str(tmp_path / "m.yaml")], env)
    assert code == 1 and elapsed < 2
    assert "'127.0.0.1:8090' is not a usable URL: it must start with http:// or https:// and name a host " \
           "(e.g. http://127.0.0.1:8090)" in err
    assert "hint: check providers.pocketbase.url or POCKETBASE_URL" in err


def test_a_host_that_does_not_resolve_fails_at_once(tmp_path: Path) -> None:
    # the resolver's answer, without asking a real DNS server: the transport fails as httpx does
    def unresolvable(request: httpx.Request) -> httpx.Response:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as e:
            raise httpx.ConnectError("[Errno -2] Name or service not known", request=request) from e

    (tmp_path / "m.yaml").write_text(AW)
    env = {"APPWRITE_ENDPOINT": "https://appwrite.example.invalid/v1", "APPWRITE_PROJECT_ID": "p",
           "APPWRITE_API_KEY": "k-12345678"}
    elapsed, err, code = _timed(["plan", str(tmp_path / "m.yaml")], env,
                                transports={"appwrite": httpx.MockTransport(unresolvable)})
    assert code == 1 and elapsed < 2, err
    assert "the host name 'appwrite.example.invalid' does not resolve" in err
    assert "hint: check the host name in providers.appwrite.endpoint or APPWRITE_ENDPOINT" in err


def test_connection_refused_gets_a_short_budget_and_asks_whether_the_server_runs(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    (tmp_path / "m.yaml").write_text(WV)
    elapsed, err, code = _timed(["plan", str(tmp_path / "m.yaml")], {"WEAVIATE_URL": f"http://127.0.0.1:{port}"})
    assert code == 1
    assert 1 < elapsed < 8, elapsed  # a few quick retries (a server may be starting), not the 2-minute deadline
    assert "connection refused" in err
    assert f"hint: is the server at http://127.0.0.1:{port} running? (check providers.weaviate.url or " \
           "WEAVIATE_URL)" in err


def test_refused_credentials_name_the_setting_to_check(appwrite_server: RunningServer, tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(AW)
    env = {**appwrite_env(appwrite_server), "APPWRITE_API_KEY": "wrong-key-123"}
    result = run_cli(["plan", str(tmp_path / "m.yaml")], env=env)
    assert result.code == 1 and "-> 401" in result.err
    assert "hint: the server refused the credentials: check APPWRITE_API_KEY, APPWRITE_PROJECT_ID" in result.err
    assert "wrong-key-123" not in result.text and APPWRITE_KEY not in result.text


def test_a_url_of_another_backend_is_named(pocketbase: PocketBaseServer, appwrite_server: RunningServer,
                                           weaviate_server: RunningServer, tmp_path: Path) -> None:
    (tmp_path / "aw.yaml").write_text(AW)
    pointed_at_pocketbase = {**appwrite_env(appwrite_server), "APPWRITE_ENDPOINT": pocketbase.url}
    result = run_cli(["plan", str(tmp_path / "aw.yaml")], env=pointed_at_pocketbase)
    assert result.code == 1
    assert "hint: this URL answers like PocketBase, not Appwrite: check providers.appwrite.endpoint or " \
           "APPWRITE_ENDPOINT" in result.err, result.err

    (tmp_path / "pb.yaml").write_text(PB)
    pointed_at_weaviate = {**pocketbase_env(pocketbase), "POCKETBASE_URL": weaviate_server.url}
    result = run_cli(["plan", str(tmp_path / "pb.yaml")], env=pointed_at_weaviate)
    assert result.code == 1
    assert "this URL answers like Weaviate, not PocketBase: check providers.pocketbase.url or POCKETBASE_URL" \
        in result.err, result.err

    (tmp_path / "wv.yaml").write_text(WV)
    pointed_at_appwrite = {"WEAVIATE_URL": appwrite_server.url}
    result = run_cli(["plan", str(tmp_path / "wv.yaml")], env=pointed_at_appwrite)
    assert result.code == 1
    assert "this URL answers like Appwrite, not Weaviate" in result.err, result.err
