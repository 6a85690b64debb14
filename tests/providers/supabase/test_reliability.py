"""Supabase reliability: live state in a fixed number of queries, stale plans refused inside the apply
transaction, a dropped connection leaving nothing half-applied, buckets that hold objects, secrets,
and export round trips."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import psycopg
import yaml

from baseform.commands import apply_operations, compute_plan, connect
from baseform.manifest.project import load_project
from baseform.providers import default_registry
from baseform.providers.supabase import SupabaseProvider
from baseform.providers.supabase.models import SupabaseConfig
from tests.providers.supabase.conftest import Baseform, Manifest
from tests.supabase import Database

TABLE = """
schemas:
  - name: public
    tables:
      - name: t
        columns:
          - {name: id, type: int, primary_key: true}
          - {name: a, type: text}
"""


def _read_count(db: Database) -> int:
    provider = SupabaseProvider(SupabaseConfig.model_validate({"db_url": db.url}))

    async def run() -> int:
        async with await provider.connect() as session:
            before = session.requests
            await provider.read(session, [])
            return int(session.requests - before)

    return asyncio.run(run())


def test_live_state_is_read_in_a_fixed_number_of_queries(supabase_db: Database) -> None:
    supabase_db.sql("create table public.t0 (id int primary key, v text unique)")
    few = _read_count(supabase_db)
    statements = []
    for i in range(1, 200):
        statements.append(f"create table public.t{i} (id int primary key, v text unique check (length(v) > 1), "
                          f"r int references public.t0(id)); create index t{i}_v on public.t{i} (v) where v <> ''; "
                          f"alter table public.t{i} enable row level security; "
                          f"create policy p{i} on public.t{i} for select using (true)")
    supabase_db.sql("; ".join(statements))
    many = _read_count(supabase_db)
    assert many == few, f"2 tables took {few} queries, 200 took {many}"
    assert many <= 15


def _project(path: Path, db: Database):  # type: ignore[no-untyped-def]
    return load_project([str(path)], registry=default_registry(), environ={"SUPABASE_DB_URL": db.url})


def test_a_plan_made_stale_is_refused_inside_the_transaction(manifest: Manifest, supabase_db: Database) -> None:
    supabase_db.sql("create table public.t (id int primary key)", admin=False)
    project = _project(manifest(TABLE), supabase_db)

    async def run() -> str:
        async with connect(project) as conns:
            plan = await compute_plan(project, conns)
            # another apply (or a console edit) lands between the plan and this apply
            supabase_db.sql("alter table public.t add column a integer")
            result = await apply_operations(plan, conns)
            assert not result.ok
            return str(result.results[0].error)

    error = asyncio.run(run())
    assert "the server changed since the plan read it" in error and "tables.t.columns.a" in error
    assert supabase_db.sql("select format_type(atttypid, atttypmod) from pg_attribute where attrelid = "
                           "'public.t'::regclass and attname = 'a'") == [("integer",)]


def test_a_connection_dropped_mid_apply_leaves_nothing_half_applied(baseform: Baseform, manifest: Manifest,
                                                                    supabase_db: Database) -> None:
    supabase_db.sql("create table public.blocker (id int)", admin=False)
    path = manifest(TABLE + """
      - name: blocker
        columns: [{name: id, type: int}, {name: added, type: text}]
""")
    # hold a lock on `blocker`: the apply creates `t` first, then waits on `blocker` inside its transaction
    holder = psycopg.connect(supabase_db.admin_url)
    holder.execute("lock table public.blocker in access exclusive mode")
    killed = threading.Event()

    def kill_the_apply() -> None:
        deadline = time.monotonic() + 60  # generous for a loaded machine: it ends as soon as the kill is done
        while time.monotonic() < deadline and not killed.is_set():
            rows = supabase_db.sql("select pid from pg_stat_activity where application_name = 'baseform' and "
                                   "wait_event_type = 'Lock'")
            for (pid,) in rows:
                supabase_db.sql("select pg_terminate_backend(%s)", (pid,))
                killed.set()
            time.sleep(0.05)

    killer = threading.Thread(target=kill_the_apply)
    killer.start()
    try:
        result = baseform("apply", "--auto-approve", path)
    finally:
        killer.join()
        holder.close()
    assert killed.is_set(), result.text
    assert result.code == 1
    assert "connection" in result.out.lower()
    assert supabase_db.sql("select to_regclass('public.t')") == [(None,)]
    assert supabase_db.sql("select count(*) from information_schema.columns where table_name = 'blocker'") == [(1,)]
    again = baseform("apply", "--auto-approve", path)
    assert again.code == 0, again.text


def test_two_applies_do_not_interleave(manifest: Manifest, supabase_db: Database) -> None:
    project = _project(manifest(TABLE), supabase_db)

    async def run() -> list[bool]:
        async with connect(project) as one, connect(project) as two:
            plans = [await compute_plan(project, one), await compute_plan(project, two)]
            results = await asyncio.gather(apply_operations(plans[0], one), apply_operations(plans[1], two))
            return [r.ok for r in results]

    outcomes = asyncio.run(run())
    assert sorted(outcomes) == [False, True]  # the second waits for the lock, then finds its plan stale
    assert supabase_db.sql("select count(*) from information_schema.columns where table_name = 't'") == [(2,)]


def test_a_bucket_holding_objects_is_never_deleted(baseform: Baseform, manifest: Manifest,
                                                   supabase_db: Database) -> None:
    supabase_db.sql("insert into storage.buckets (id, name) values ('docs', 'docs'), ('empty', 'empty')")
    supabase_db.sql("insert into storage.objects (bucket_id, name) values ('docs', 'a.txt')")
    path = manifest("prune: true\nbuckets: []\n")
    result = baseform("apply", "--auto-approve", "--allow-destroy", path)
    assert result.code == 1
    assert "supabase.buckets.docs" in result.err and "still holds objects" in result.err
    assert supabase_db.sql("select id from storage.buckets order by id") == [("docs",), ("empty",)]
    supabase_db.sql("set storage.allow_delete_query = 'true'; delete from storage.objects")
    assert baseform("apply", "--auto-approve", "--allow-destroy", path).code == 0
    assert supabase_db.sql("select count(*) from storage.buckets") == [(0,)]


def test_the_password_never_appears_in_output(baseform: Baseform, manifest: Manifest, supabase_db: Database) -> None:
    password = supabase_db.url.split(":")[2].split("@")[0]
    path = manifest(TABLE + "      - name: u\n        columns: [{name: r, type: int, references: public.t(id)}]\n")
    outputs = [baseform("plan", path), baseform("apply", "--auto-approve", path), baseform("plan", "--format", "json",
                                                                                         path)]
    wrong = manifest(TABLE.replace("{name: a, type: text}", "{name: a, type: text, nullable: false}"))
    supabase_db.sql("insert into public.t values (1, null)")
    outputs.append(baseform("apply", "--auto-approve", wrong))
    bad_url = supabase_db.url.replace(password, password + "x")
    from tests.clirun import run_cli

    outputs.append(run_cli(["plan", str(path)], env={"SUPABASE_DB_URL": bad_url}))
    assert outputs[-1].code == 1 and "password authentication failed" in outputs[-1].err
    for result in outputs:
        assert password not in result.text
    assert "postgres:***@" in outputs[0].out


def test_export_is_stable_and_plans_as_no_changes(baseform: Baseform, supabase_db: Database, tmp_path: Path) -> None:
    example = Path(__file__).parents[3] / "examples" / "supabase" / "baseform.yaml"
    assert baseform("apply", "--auto-approve", example).code == 0
    supabase_db.sql("create schema app; create type app.kind as enum ('x', 'y'); "
                    "create table app.things (id uuid primary key default gen_random_uuid(), k app.kind, "
                    "n numeric(10,2) check (n >= 0)); alter table app.things enable row level security; "
                    "alter table app.things force row level security; revoke all on app.things from anon",
                    admin=False)
    first = baseform("export", "--provider", "supabase")
    second = baseform("export", "--provider", "supabase")
    assert first.code == 0, first.text
    assert first.out == second.out
    exported = tmp_path / "exported.yaml"
    exported.write_text(first.out)
    document = yaml.safe_load(first.out)
    assert [s["name"] for s in document["supabase"]["schemas"]] == ["app", "public"]
    plan = baseform("plan", "--detailed-exitcode", exported)
    assert plan.code == 0, plan.text
