"""``baseform local``: one server per project, found from any subdirectory, and commands that say
what they did (a real PocketBase, started and stopped by the commands under test)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from baseform.providers.local import alive, free_port
from tests.clirun import run_cli

MANIFEST = """version: 1
pocketbase:
  collections:
    - name: notes
      fields:
        - {name: body, type: text}
"""


def _tree(root: Path) -> dict[str, float]:
    """Every path under ROOT with its modification time: a command that changes nothing keeps it equal."""
    return {str(p.relative_to(root)): p.stat().st_mtime for p in sorted(root.rglob("*"))}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A project directory (a git repository with a manifest and a subdirectory), as the working
    directory; any local server left running is stopped by the PID its state names."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "baseform.yaml").write_text(MANIFEST)
    (tmp_path / "schema" / "deep").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    monkeypatch.chdir(tmp_path)
    run_cli(["local", "down"], env={})


def _pid(project: Path) -> int:
    return int(json.loads((project / ".baseform" / "pocketbase" / "local.json").read_text())["pid"])


def test_status_of_a_project_without_a_server_fails_and_changes_nothing(project: Path) -> None:
    before = _tree(project)
    status = run_cli(["local", "status"], env={})
    assert status.code == 1 and "PocketBase is not running; start it with `baseform local up`" in status.out
    assert _tree(project) == before and not (project / ".baseform").exists()


def test_one_server_per_project_found_from_any_subdirectory(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    up = run_cli(["local", "up", "--port", str(port)], env={})
    assert up.code == 0, up.text
    assert f"PocketBase started at http://127.0.0.1:{port}" in up.out
    env_file = project / ".baseform" / "pocketbase" / "local.env"
    password = next(line.split("=", 1)[1] for line in env_file.read_text().splitlines()
                    if line.startswith("POCKETBASE_PASSWORD="))
    # the generated password is in the env file (readable by its owner only), not on the screen
    assert password not in up.text and "kept in .baseform/pocketbase/local.env" in up.out
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"
    pid = _pid(project)

    monkeypatch.chdir(project / "schema" / "deep")
    again = run_cli(["local", "up"], env={})
    assert again.code == 0 and f"PocketBase already running at http://127.0.0.1:{port} (pid {pid})" in again.out
    assert not (project / "schema" / "deep" / ".baseform").exists()
    status = run_cli(["local", "status", "--show-password"], env={})
    assert status.code == 0 and f"running at http://127.0.0.1:{port}" in status.out
    assert f"password:  {password}" in status.out

    # plan and apply from a subdirectory use the project's server, with no connection settings
    applied = run_cli(["apply", "../../baseform.yaml", "--auto-approve"], env={})
    assert applied.code == 0, applied.text
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False) as http:
        token = http.post("/api/collections/_superusers/auth-with-password",
                          json={"identity": "admin@baseform.local", "password": password}).json()["token"]
        http.headers["Authorization"] = token
        assert http.get("/api/collections/notes").status_code == 200
        record = http.post("/api/collections/notes/records", json={"body": "hello"})
        assert record.status_code == 200, record.text
    assert run_cli(["plan", "../../baseform.yaml", "--detailed-exitcode"], env={}).code == 0

    # the server's log
    logs = run_cli(["local", "logs", "--lines", "5"], env={})
    assert logs.code == 0 and 0 < len(logs.out.splitlines()) <= 5

    # reset asks first; without a terminal it refuses and deletes nothing
    refused = run_cli(["local", "reset"], env={})
    assert refused.code == 1 and "stdin is not a terminal" in refused.err
    assert _pid(project) == pid
    declined = run_cli(["local", "reset"], env={}, stdin="n\n")
    assert declined.code == 1 and "Reset cancelled: nothing was changed" in declined.err
    reset = run_cli(["local", "reset", "--auto-approve"], env={})
    assert reset.code == 0, reset.text
    assert not alive(pid) and _pid(project) != pid
    assert f"at http://127.0.0.1:{port}" in reset.out  # same port, same login
    again_plan = run_cli(["plan", "../../baseform.yaml", "--detailed-exitcode"], env={})
    assert again_plan.code == 2 and "pocketbase.collections.notes will be created" in again_plan.out

    last = _pid(project)
    down = run_cli(["local", "down"], env={})
    assert down.code == 0 and f"Stopped PocketBase (pid {last})" in down.out and not alive(last)
    stopped = run_cli(["local", "status"], env={})
    assert stopped.code == 1 and "not running" in stopped.out
    # without a server and without settings, the error says what to set
    missing = run_cli(["plan", "../../baseform.yaml"], env={})
    assert missing.code == 1 and "POCKETBASE_URL" in missing.err and "baseform local up" in missing.err


def test_up_on_a_port_in_use_and_an_unknown_backend_are_clear_errors(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = run_cli(["local", "up", "--port", str(port)], env={})
    assert busy.code == 1 and f"127.0.0.1:{port} is in use" in busy.err
    unknown = run_cli(["local", "up", "--backend", "weaviate"], env={})
    assert unknown.code == 1 and "cannot run that server locally; it can run: pocketbase" in unknown.err
    assert not (project / ".baseform" / "pocketbase" / "local.json").exists()
