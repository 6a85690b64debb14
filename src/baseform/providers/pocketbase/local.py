"""``baseform local up|down|status``: the embedded local PocketBase, as the CLI shows it.

The server itself is managed by :class:`~baseform.providers.pocketbase.process.LocalServer`; this
module only turns its results into the lines a person reads. The superuser password is printed
once, by the ``up`` that generated it; afterwards it lives only in ``local.env``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from baseform.providers.pocketbase.process import LocalServer

__all__ = ["run_local_command"]


def run_local_command(action: str, root: Path, out: Callable[[str], None], environ: Mapping[str, str]) -> int:
    """Run ``up``, ``down`` or ``status`` for the local server under ``root``; returns the exit code.

    Raises LocalServerError when the server cannot be started or stopped.
    """
    server = LocalServer(root, environ=environ)
    if action == "up":
        result = server.up()
        state = "already running" if result.already_running else "started"
        out(f"PocketBase {state} at {result.url} (pid {result.pid})\n")
        out(f"  superuser: {result.email}\n")
        if result.password_generated and result.password is not None:
            out(f"  password:  {result.password}  (generated; shown only this once, kept in {result.env_file})\n")
        out(f"  dashboard: {result.url}/_/\n")
        out(f"baseform plan/apply use this server while POCKETBASE_URL is unset; for other tools: "
            f"set -a; . {result.env_file}; set +a\n")
        return 0
    if action == "status":
        status = server.status()
        if status.running:
            out(f"PocketBase is running at {status.url} (pid {status.pid}, superuser {status.email}, "
                f"data in {status.data_dir})\n")
            return 0
        if status.unresponsive:
            out(f"PocketBase (pid {status.pid}) is running but not answering at {status.url}; "
                "stop it with `baseform local down`\n")
            return 1
        out("PocketBase is not running" + (" (removed the state of a server that is gone)" if status.stale else "")
            + "; start it with `baseform local up`\n")
        return 0
    if action == "down":
        found = server.down()
        if found.running or found.unresponsive:
            out(f"Stopped PocketBase (pid {found.pid}); the data stays in {found.data_dir}\n")
        else:
            out("PocketBase was not running\n")
        return 0
    raise ValueError(f"unknown local action {action!r}")
