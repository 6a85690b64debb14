"""``baseform local up|status|down --backend supabase``: a Supabase-shaped Postgres without Docker that
plan/apply use while SUPABASE_DB_URL is unset; its data survives down/up; stopped by its PID."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from baseform.providers.local import alive, free_port
from tests.clirun import run_cli

MANIFEST = """version: 1
supabase:
  schemas:
    - name: public
      tables:
        - name: notes
          rls: true
          columns:
            - {name: id, type: bigint, identity: always, primary_key: true}
            - {name: body, type: text, nullable: false}
          policies:
            - {name: own, command: select, to: [authenticated], using: "(select auth.uid()) is not null"}
"""


@pytest.fixture
def project(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    # not pytest's tmp_path: as root, Postgres runs as `nobody`, which cannot traverse /tmp/pytest-of-root
    tmp_path = Path(tempfile.mkdtemp(prefix="baseform-local-"))
    tmp_path.chmod(0o755)
    (tmp_path / ".git").mkdir()
    (tmp_path / "baseform.yaml").write_text(MANIFEST)
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    monkeypatch.chdir(tmp_path)
    run_cli(["local", "down", "--backend", "supabase"], env={})
    shutil.rmtree(tmp_path, ignore_errors=True)


def _url(project: Path) -> str:
    for line in (project / ".baseform" / "supabase" / "local.env").read_text().splitlines():
        if line.startswith("SUPABASE_DB_URL="):
            return line.partition("=")[2].strip("'")
    raise AssertionError("no SUPABASE_DB_URL in local.env")


def test_local_supabase_up_apply_down_up(project: Path) -> None:
    port = free_port()
    up = run_cli(["local", "up", "--backend", "supabase", "--port", str(port)], env={})
    assert up.code == 0, up.text
    assert f"Supabase Postgres started at postgresql://postgres@127.0.0.1:{port}/postgres" in up.out
    url = _url(project)
    assert url.split("@")[0].split(":")[2] not in up.text  # the password is not printed
    status = run_cli(["local", "status", "--backend", "supabase"], env={})
    assert status.code == 0 and "is running" in status.out
    pid = json.loads((project / ".baseform" / "supabase" / "local.json").read_text())["pid"]

    applied = run_cli(["apply", "--auto-approve"], env={})  # no SUPABASE_DB_URL: the local server's
    assert applied.code == 0, applied.text
    with psycopg.connect(url) as conn:
        assert conn.execute("select current_user, (select count(*) from auth.users)").fetchone() == ("postgres", 0)
        conn.execute("insert into public.notes (body) values ('kept')")
        conn.commit()

    down = run_cli(["local", "down", "--backend", "supabase"], env={})
    assert down.code == 0 and f"pid {pid}" in down.out
    assert not alive(pid)
    assert run_cli(["local", "status", "--backend", "supabase"], env={}).code == 1

    # another port: the first may linger in TIME_WAIT, which the generic free-port check counts as used
    again = run_cli(["local", "up", "--backend", "supabase", "--port", str(free_port())], env={})
    assert again.code == 0, again.text
    with psycopg.connect(_url(project)) as conn:
        assert conn.execute("select body from public.notes").fetchall() == [("kept",)]
    plan = run_cli(["plan", "--detailed-exitcode"], env={})
    assert plan.code == 0, plan.text


def test_local_commands_without_backend_act_on_the_servers_the_project_started(project: Path) -> None:
    # the project has run PocketBase before (stopped now) and runs Supabase: a bare `local status` and
    # `local down` must find the Supabase server, not report PocketBase and leave Postgres running
    assert run_cli(["local", "up", "--port", str(free_port())], env={}).code == 0
    assert run_cli(["local", "down"], env={}).code == 0
    up = run_cli(["local", "up", "--backend", "supabase", "--port", str(free_port())], env={})
    assert up.code == 0, up.text
    pid = json.loads((project / ".baseform" / "supabase" / "local.json").read_text())["pid"]

    status = run_cli(["local", "status"], env={})
    assert status.code == 0 and "Supabase Postgres is running" in status.out, status.text
    assert "PocketBase" not in status.out
    logs = run_cli(["local", "logs"], env={})
    assert logs.code == 1 and "pocketbase, supabase" in logs.err and "--backend" in logs.err, logs.text

    down = run_cli(["local", "down"], env={})
    assert down.code == 0 and f"Stopped Supabase Postgres (pid {pid})" in down.out, down.text
    assert not alive(pid)
    after = run_cli(["local", "status"], env={})
    assert after.code == 1, after.text
    assert "PocketBase is not running; start it with `baseform local up`\n" in after.out
    assert "Supabase Postgres is not running; start it with `baseform local up --backend supabase`" in after.out
