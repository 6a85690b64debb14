"""Fixtures for the Supabase provider tests: a fresh Supabase-shaped database per test (Postgres 18 and
15), a manifest writer, and the CLI pointed at the database."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.clirun import CliResult, run_cli
from tests.supabase import Database
from tests.supabase.fixtures import supabase_db, supabase_server  # noqa: F401  (registered by import)

Baseform = Callable[..., CliResult]
Manifest = Callable[..., Path]


@pytest.fixture
def manifest(tmp_path: Path) -> Manifest:
    """Write a manifest (dedented YAML under ``supabase:``) and return its path."""

    def write(body: str, name: str = "baseform.yaml") -> Path:
        path = tmp_path / name
        path.write_text("version: 1\nsupabase:\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), "  ") + "\n")
        return path

    return write


@pytest.fixture
def baseform(supabase_db: Database) -> Baseform:  # noqa: F811
    """``baseform(*argv)`` against the test database (SUPABASE_DB_URL set, nothing else)."""

    def run(*argv: str | Path) -> CliResult:
        return run_cli([str(a) for a in argv], env={"SUPABASE_DB_URL": supabase_db.url})

    return run
