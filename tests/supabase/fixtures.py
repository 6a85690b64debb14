"""pytest fixtures for the Supabase-shaped Postgres; import them into a conftest::

    from tests.supabase.fixtures import supabase_db, supabase_server  # noqa: F401

* ``supabase_server`` (session, parametrised ``18``/``15``): one running cluster per flavour; the
  ``15`` case is skipped, saying why, only when Debian's binaries are not installed;
* ``supabase_db`` (function): a fresh database of that cluster, dropped afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.supabase import FLAVOURS, Database, SupabasePostgres, bin_dir, start_supabase


@pytest.fixture(scope="session", params=FLAVOURS, ids=[f"pg{f}" for f in FLAVOURS])
def supabase_server(request: pytest.FixtureRequest) -> Iterator[SupabasePostgres]:
    flavour: str = request.param
    if bin_dir(flavour) is None:
        pytest.skip(f"Postgres {flavour} binaries are not installed (.ci/run installs postgresql-{flavour})")
    server = start_supabase(flavour)
    yield server
    server.stop()


@pytest.fixture
def supabase_db(supabase_server: SupabasePostgres) -> Iterator[Database]:
    db = supabase_server.new_database()
    yield db
    supabase_server.drop_database(db)
