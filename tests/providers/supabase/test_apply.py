"""Plan and apply against a real Supabase-shaped Postgres (18 and 15), each result read back through
the catalogs with SQL of its own, never only through baseform's re-plan."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from tests.providers.supabase.conftest import Baseform, Manifest
from tests.supabase import Database

EXAMPLE = Path(__file__).parents[3] / "examples" / "supabase" / "baseform.yaml"


def test_design_manifest_applies_and_converges(baseform: Baseform, supabase_db: Database) -> None:
    result = baseform("apply", "--auto-approve", EXAMPLE)
    assert result.code == 0, result.text
    assert "Converged" in result.out
    db = supabase_db
    columns = db.sql("""select a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity
                        from pg_attribute a where a.attrelid = 'public.posts'::regclass and a.attnum > 0
                        order by a.attnum""")
    assert columns == [("id", "bigint", True, "a"), ("title", "text", True, ""),
                       ("slug", "character varying(80)", False, ""), ("status", "post_status", True, ""),
                       ("author_id", "uuid", False, ""), ("created_at", "timestamp with time zone", True, "")]
    constraints = dict(db.sql("select conname, pg_get_constraintdef(oid) from pg_constraint "
                              "where conrelid = 'public.posts'::regclass"))
    assert constraints["posts_pkey"] == "PRIMARY KEY (id)"
    assert constraints["posts_slug_key"] == "UNIQUE (slug)"
    assert constraints["posts_author_id_fkey"] == "FOREIGN KEY (author_id) REFERENCES auth.users(id) ON DELETE CASCADE"
    assert db.sql("select relrowsecurity, relforcerowsecurity from pg_class where oid = 'public.posts'::regclass") \
        == [(True, False)]
    assert db.sql("select enum_range(null::post_status)::text") == [("{draft,published}",)]
    assert db.sql("select indexdef from pg_indexes where indexname = 'posts_status_idx'") == [
        ("CREATE INDEX posts_status_idx ON public.posts USING btree (status) WHERE (status = "
         "'published'::post_status)",)]
    policies = db.sql("select policyname, cmd, roles::text, permissive from pg_policies where tablename = 'posts' "
                      "order by 1")
    assert policies == [("authors write", "ALL", "{authenticated}", "PERMISSIVE"),
                        ("read published", "SELECT", "{anon,authenticated}", "PERMISSIVE")]
    grants = db.sql("select grantee, string_agg(privilege_type, ',' order by privilege_type) "
                    "from information_schema.role_table_grants where table_name = 'posts' and grantee in "
                    "('anon', 'authenticated') group by 1 order by 1")
    assert grants == [("anon", "SELECT"), ("authenticated", "DELETE,INSERT,SELECT,UPDATE")]
    assert db.sql("select id, public, file_size_limit, allowed_mime_types::text from storage.buckets") == [
        ("avatars", False, 5242880, "{image/jpeg,image/png}")]
    assert db.sql("select policyname from pg_policies where schemaname = 'storage'") == [("avatar owners read",)]
    again = baseform("plan", "--detailed-exitcode", EXAMPLE)
    assert again.code == 0, again.text
    assert "No changes" in again.out


def test_policies_behave_as_declared(baseform: Baseform, supabase_db: Database) -> None:
    assert baseform("apply", "--auto-approve", EXAMPLE).code == 0
    author, other = str(uuid.uuid4()), str(uuid.uuid4())
    db = supabase_db
    db.sql("insert into auth.users (id, email) values (%s, 'a@x.io'), (%s, 'b@x.io')", (author, other))
    db.sql("insert into public.posts (title, slug, status, author_id) values "
           "('draft one', 'draft-one', 'draft', %s), ('public one', 'public-one', 'published', %s)", (author, author))
    titles = "select title from public.posts order by title"
    assert db.as_user(None, titles, role="anon") == [("public one",)]
    assert db.as_user(json.dumps({"sub": other, "role": "authenticated"}), titles) == [("public one",)]
    assert db.as_user(json.dumps({"sub": author, "role": "authenticated"}), titles) == [("draft one",), ("public one",)]
    # the write policy's with_check: another user cannot insert a post in the author's name
    insert = f"insert into public.posts (title, slug, author_id) values ('x', 'xyz', '{author}') returning title"
    assert db.as_user(json.dumps({"sub": author}), insert) == [("x",)]
    try:
        db.as_user(json.dumps({"sub": other}), insert)
    except Exception as e:  # psycopg's InsufficientPrivilege
        assert "row-level security" in str(e)
    else:
        raise AssertionError("the with_check of 'authors write' let another user insert")


def test_rename_keeps_the_row(baseform: Baseform, manifest: Manifest, supabase_db: Database) -> None:
    first = manifest("""
        schemas:
          - name: public
            tables:
              - name: notes
                columns:
                  - {name: id, type: bigint, identity: by default, primary_key: true}
                  - {name: body_old, type: text}
    """)
    assert baseform("apply", "--auto-approve", first).code == 0
    supabase_db.sql("insert into public.notes (body_old) values ('keep me')")
    second = manifest("""
        schemas:
          - name: public
            tables:
              - name: memos
                renamedFrom: notes
                columns:
                  - {name: id, type: bigint, identity: by default, primary_key: true}
                  - {name: body, type: text, renamedFrom: body_old}
    """)
    plan = baseform("plan", second)
    assert "renamed from notes" in plan.out and "renamed from body_old" in plan.out, plan.text
    assert "destroy" not in plan.out.split("Plan:")[1].split("0 to destroy")[0]
    result = baseform("apply", "--auto-approve", second)
    assert result.code == 0, result.text
    assert supabase_db.sql("select id, body from public.memos") == [(1, "keep me")]
    assert supabase_db.sql("select to_regclass('public.notes')") == [(None,)]


def test_drop_needs_allow_destroy(baseform: Baseform, manifest: Manifest, supabase_db: Database) -> None:
    body = """
        schemas:
          - name: public
            tables:
              - name: items
                columns:
                  - {name: id, type: bigint, primary_key: true}
    """
    assert baseform("apply", "--auto-approve", manifest(body + "              - {name: extra, type: text}\n")).code == 0
    supabase_db.sql("insert into public.items values (1, 'data')")
    smaller = manifest(body)
    refused = baseform("apply", "--auto-approve", smaller)
    assert refused.code == 1
    assert "columns.extra would be deleted" in refused.err and "--allow-destroy" in refused.err
    assert supabase_db.sql("select extra from public.items") == [("data",)]
    assert baseform("apply", "--auto-approve", "--allow-destroy", smaller).code == 0
    assert supabase_db.sql("select count(*) from information_schema.columns where table_name = 'items'") == [(1,)]


def test_type_change_that_may_lose_data_needs_allow_destroy(baseform: Baseform, manifest: Manifest,
                                                            supabase_db: Database) -> None:
    def table(column_type: str) -> Path:
        return manifest(f"""
            schemas:
              - name: public
                tables:
                  - name: t
                    columns:
                      - {{name: v, type: "{column_type}"}}
        """)

    assert baseform("apply", "--auto-approve", table("varchar(10)")).code == 0
    supabase_db.sql("insert into public.t values ('12')")
    widened = baseform("apply", "--auto-approve", table("text"))
    assert widened.code == 0, widened.text  # widening needs no --allow-destroy
    refused = baseform("apply", "--auto-approve", table("integer"))
    assert refused.code == 1 and "--allow-destroy" in refused.err
    assert baseform("apply", "--auto-approve", "--allow-destroy", table("integer")).code == 0
    assert supabase_db.sql("select v, pg_typeof(v)::text from public.t") == [(12, "integer")]


def test_undeclared_table_is_listed_not_dropped(baseform: Baseform, manifest: Manifest,
                                                supabase_db: Database) -> None:
    supabase_db.sql("create table public.legacy (id int); insert into public.legacy values (1)", admin=False)
    path = manifest("""
        schemas:
          - name: public
            tables:
              - name: fresh
                columns: [{name: id, type: int}]
    """)
    plan = baseform("plan", path)
    assert "Unmanaged" in plan.out and "supabase.schemas.public.tables.legacy" in plan.out
    assert baseform("apply", "--auto-approve", path).code == 0
    assert supabase_db.sql("select id from public.legacy") == [(1,)]


def test_not_null_over_nulls_is_found_at_plan_time(baseform: Baseform, manifest: Manifest,
                                                   supabase_db: Database) -> None:
    supabase_db.sql("create table public.people (id int primary key, email text)", admin=False)
    supabase_db.sql("insert into public.people values (1, null), (2, 'x@y.z'), (3, 'x@y.z')")
    path = manifest("""
        schemas:
          - name: public
            tables:
              - name: people
                columns:
                  - {name: id, type: int, primary_key: true}
                  - {name: email, type: text, nullable: false, unique: true}
    """)
    result = baseform("apply", "--auto-approve", path)
    assert result.code == 1
    assert f"{path}:9" in result.err
    assert "NOT NULL cannot be set: 1 row(s) hold NULL" in result.err
    assert "UNIQUE cannot be added: 1 value(s) appear more than once" in result.err
    assert supabase_db.sql("select is_nullable from information_schema.columns where table_name = 'people' "
                           "and column_name = 'email'") == [("YES",)]


def test_server_found_sql_problems_are_located(baseform: Baseform, manifest: Manifest,
                                               supabase_db: Database) -> None:
    path = manifest("""
        schemas:
          - name: public
            tables:
              - name: t
                columns:
                  - {name: a, type: int}
                policies:
                  - {name: p, command: select, using: "no_such_column = 1"}
    """)
    result = baseform("apply", "--auto-approve", path)
    assert result.code == 1
    assert f"{path}:10" in result.err and "no_such_column" in result.err
    assert supabase_db.sql("select to_regclass('public.t')") == [(None,)]


def test_enum_values_added_in_place_and_removed_by_replacement(baseform: Baseform, manifest: Manifest,
                                                               supabase_db: Database) -> None:
    def with_values(values: str, default: str = "'a'") -> Path:
        return manifest(f"""
            schemas:
              - name: public
                enums:
                  - {{name: mood, values: [{values}]}}
                tables:
                  - name: t
                    columns:
                      - {{name: m, type: mood, default: "{default}"}}
        """)

    assert baseform("apply", "--auto-approve", with_values("a, b")).code == 0
    supabase_db.sql("insert into public.t values ('b')")
    added = baseform("apply", "--auto-approve", with_values("a, c, b", "'c'"))
    assert added.code == 0, added.text
    assert supabase_db.sql("select enum_range(null::mood)::text") == [("{a,c,b}",)]
    refused = baseform("apply", "--auto-approve", with_values("a, b"))
    assert refused.code == 1 and "--allow-destroy" in refused.err
    removed = baseform("apply", "--auto-approve", "--allow-destroy", with_values("a, b"))
    assert removed.code == 0, removed.text
    assert supabase_db.sql("select enum_range(null::mood)::text") == [("{a,b}",)]
    assert supabase_db.sql("select m::text from public.t") == [("b",)]


def test_policy_changes_in_place_and_concurrent_index_outside_the_transaction(
        baseform: Baseform, manifest: Manifest, supabase_db: Database) -> None:
    def version(using: str, concurrently: bool) -> Path:
        return manifest(f"""
            schemas:
              - name: public
                tables:
                  - name: docs
                    rls: true
                    columns:
                      - {{name: id, type: int, primary_key: true}}
                      - {{name: owner, type: uuid}}
                    indexes:
                      - {{name: docs_owner_idx, columns: [owner], concurrently: {str(concurrently).lower()}}}
                    policies:
                      - {{name: mine, command: select, to: [authenticated], using: "{using}"}}
        """)

    first = baseform("apply", "--auto-approve", version("owner = (select auth.uid())", False))
    assert first.code == 0, first.text
    oid = supabase_db.sql("select oid from pg_policy where polname = 'mine'")
    plan = baseform("plan", "--format", "json", version("owner is not null", False))
    operations = __import__("json").loads(plan.out)["operations"]
    assert [s for s in operations[0]["request"]["sql"] if "policy" in s] == [
        "alter policy mine on public.docs using ((owner IS NOT NULL))"]
    assert baseform("apply", "--auto-approve", version("owner is not null", False)).code == 0
    assert supabase_db.sql("select oid, qual from pg_policies join pg_policy on polname = policyname "
                           "where policyname = 'mine'") == [(oid[0][0], "(owner IS NOT NULL)")]
    # an index built concurrently: recreated after the transaction, in its own marked operation
    supabase_db.sql("drop index public.docs_owner_idx", admin=False)
    concurrent = version("owner is not null", True)
    plan = __import__("json").loads(baseform("plan", "--format", "json", concurrent).out)
    assert [op["request"]["transaction"] for op in plan["operations"]] == [False]
    assert plan["operations"][0]["request"]["sql"] == [
        "create index concurrently docs_owner_idx on public.docs using btree (owner)"]
    assert "outside" in plan["operations"][0]["description"]
    result = baseform("apply", "--auto-approve", concurrent)
    assert result.code == 0, result.text
    assert supabase_db.sql("select indisvalid from pg_index where indexrelid = 'public.docs_owner_idx'::regclass") \
        == [(True,)]
