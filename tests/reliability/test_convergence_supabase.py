"""The convergence property (see convergence.py) against a real Supabase-shaped Postgres, 18 and 15:
apply A, insert a row per table, apply B; B plans as no changes, exactly B's tables and columns are
there (read with SQL), and every column B keeps from A (renames included) still holds its value."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, note, settings

from tests.reliability import supabase_schemas
from tests.reliability.convergence import PROPERTY_SETTINGS, Section, run_convergence
from tests.supabase import SupabasePostgres
from tests.supabase.fixtures import supabase_server  # noqa: F401  (registered by import)


@settings(PROPERTY_SETTINGS, max_examples=12)
@given(pair=supabase_schemas.pairs())
def test_supabase_converges_and_keeps_data(supabase_server: SupabasePostgres,  # noqa: F811
                                           tmp_path_factory: object, pair: tuple[Section, Section]) -> None:
    db = supabase_server.new_database()
    try:
        a, b = pair
        workdir = Path(supabase_server.root)
        run_convergence(supabase_schemas.SupabaseSchemas(db.admin_url), a, b, {"SUPABASE_DB_URL": db.url},
                        workdir, note=note)
    finally:
        supabase_server.drop_database(db)
