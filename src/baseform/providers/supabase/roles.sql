-- A Postgres cluster shaped like a Supabase project, for `baseform local up --backend supabase` and
-- the test suite. Written for this project from documented facts (supabase/postgres init-scripts and
-- migrations, supabase/auth and supabase/storage tenant migrations); no Supabase file is copied.
-- This file: the cluster-wide roles, run once per cluster by the bootstrap superuser `supabase_admin`.

create role anon nologin inherit;
create role authenticated nologin inherit;
create role service_role nologin inherit bypassrls;
create role authenticator login noinherit;
grant anon, authenticated, service_role to authenticator;
create role supabase_auth_admin noinherit createrole login noreplication;
create role supabase_storage_admin noinherit createrole login noreplication;
create role dashboard_user nosuperuser createdb createrole replication;
-- the role users connect as: not a superuser since 2023 (migration 10000000000000_demote-postgres)
create role postgres login createdb createrole replication bypassrls;
grant anon, authenticated, service_role to postgres;
grant supabase_auth_admin, supabase_storage_admin to postgres;
grant authenticated, anon to supabase_storage_admin;
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
