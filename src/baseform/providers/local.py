"""Local development servers: the plug-in behind ``baseform local`` and the process helpers it uses.

A provider that can run its backend on this machine names a :class:`LocalServer` subclass in
``Provider.local_server``; ``baseform local up|down|status|logs|reset --backend NAME`` dispatches to
it, and :func:`local_connection` lets plan/apply/export fall back to its connection settings.

Where the state lives: a project's ``.baseform/`` directory, found by looking upward from the
working directory (:func:`find_state_root`), so commands run in any subdirectory of the project
find the server started at its top. Each backend keeps its own subdirectory::

    .baseform/.gitignore          ignores everything (the env files hold passwords)
    .baseform/<backend>/local.json   pid, port, user, data dir; present only while the server is up
    .baseform/<backend>/local.env    the connection variables (mode 0600; ``set -a; . FILE`` exports them)
    .baseform/<backend>/<data>       the data, kept by ``down`` and wiped by ``reset``

Processes are only ever stopped by the PID recorded when they were started, after checking that
the PID is still this state directory's server (never by name). Passwords never appear in
``local.json``, exceptions or logs; they live in the env file only.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from baseform.errors import LocalServerError

if TYPE_CHECKING:
    from baseform.providers.base import Provider

__all__ = [
    "STATE_DIR_NAME",
    "LocalServer",
    "LocalStatus",
    "LocalUp",
    "alive",
    "find_state_root",
    "free_port",
    "local_connection",
    "local_server_class",
    "log_tail",
    "port_is_free",
    "stop",
    "wait_until",
]

STATE_DIR_NAME = ".baseform"
_LOG_TAIL_LINES = 20


# -- process helpers --------------------------------------------------------------------------------


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def alive(pid: int) -> bool:
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
            if not alive(pid):
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


def log_tail(log_path: Path | None, lines: int = _LOG_TAIL_LINES) -> list[str]:
    """The last LINES lines of LOG_PATH ([] when there is none)."""
    if log_path is None or lines <= 0:
        return []
    try:
        with open(log_path, "rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - 256 * max(lines, 64)))
            return log.read().decode(errors="replace").splitlines()[-lines:]
    except OSError:
        return []


def _log_note(log_path: Path | None) -> str:
    tail = log_tail(log_path)
    return f"\n  last lines of {log_path}:\n" + "\n".join("    " + line for line in tail) if tail else ""


def wait_until(ready: Callable[[], bool], what: str, timeout: float, *,
               process: subprocess.Popen[bytes] | None = None, log_path: Path | None = None) -> None:
    """Poll READY until it returns true.

    Raises :class:`LocalServerError` if PROCESS (when given) exits first or TIMEOUT seconds pass;
    WHAT names the server in that message, which ends with the last lines of LOG_PATH.
    """
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise LocalServerError(f"{what} (pid {process.pid}) exited with code {process.returncode} before it "
                                   f"became healthy{_log_note(log_path)}")
        if ready():
            return
        if time.monotonic() >= deadline:
            raise LocalServerError(f"{what} was not healthy after {timeout:g} s{_log_note(log_path)}")
        time.sleep(0.05)


def _command_line_mentions(pid: int, path: Path) -> bool | None:
    """Whether the command line of PID names PATH (so a reused PID is not taken for our server);
    ``None`` where /proc does not exist and that cannot be known."""
    if not Path("/proc/self").exists():
        return None
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    wanted = os.fsencode(str(path))
    return any(a == wanted or a.endswith(b"=" + wanted) for a in args)


# -- where the state lives ----------------------------------------------------------------------------


def find_state_root(start: Path | None = None) -> Path | None:
    """The nearest ``.baseform`` directory in START (default: the working directory) or above it.

    The search stops at the top of a git repository (a directory holding ``.git``): a project's
    local servers belong to that project, not to a parent directory's.
    """
    here = (start or Path.cwd()).absolute()
    for directory in (here, *here.parents):
        candidate = directory / STATE_DIR_NAME
        if candidate.is_dir():
            return candidate
        if (directory / ".git").exists():
            return None
    return None


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
                raise LocalServerError(f"{path}:{number}: cannot read the value of {key.strip()}: {error}") from None
            values[key.strip()] = words[0] if words else ""
    return values


# -- the plug-in ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LocalStatus:
    """What ``baseform local status`` reports. Computing it changes nothing on disk.

    ``running``: the recorded PID is alive, is this state directory's server, and it answers.
    ``unresponsive``: it is alive and ours but does not answer (``down`` stops it). ``stale``: the
    state file names a dead or foreign process (``up`` and ``down`` remove it). Without /proc
    (macOS) a process counts as ours only when it answers.
    """

    running: bool
    state_dir: Path
    data_dir: Path
    url: str | None = None
    pid: int | None = None
    user: str | None = None
    port: int | None = None
    unresponsive: bool = False
    stale: bool = False


@dataclass(frozen=True, slots=True)
class LocalUp:
    """The outcome of :meth:`LocalServer.up`. ``password`` is never printed unless the user asks."""

    url: str
    user: str
    pid: int
    port: int
    already_running: bool
    password_generated: bool
    env_file: Path
    console: str | None = None
    password: str | None = field(default=None, repr=False)


class LocalServer(ABC):
    """One backend's local development server, with its state in STATE_DIR (``.baseform/<backend>``).

    The lifecycle (lock, state file, credentials, env file, start, health wait, stop by PID) is
    implemented here once; a backend supplies the hooks: :meth:`initialise` (data dir and login),
    :meth:`spawn` (start the process), :meth:`healthy`, :meth:`connection_env` and the class
    attributes. PORT is where ``up`` listens (``None``: ``default_port`` when free, else any free
    port). ENVIRON (default ``os.environ``) may supply the login (``user_var``/``password_var``).
    Concurrent ``up``/``down``/``reset`` calls on one state directory are serialised by a lock file.
    """

    backend: ClassVar[str]
    """The provider's name; also the state subdirectory (``.baseform/pocketbase``)."""
    title: ClassVar[str]
    """How people call the server (``PocketBase``)."""
    default_port: ClassVar[int]
    url_var: ClassVar[str]
    """The connection variable that says which server to use: while it is set (in the manifest or the
    environment), the local server's settings are not used."""
    user_var: ClassVar[str]
    password_var: ClassVar[str]
    default_user: ClassVar[str]
    data_name: ClassVar[str] = "data"
    log_name: ClassVar[str] = "server.log"
    install_hint: ClassVar[str] = ""

    def __init__(self, state_dir: Path, *, port: int | None = None, environ: Mapping[str, str] | None = None,
                 timeout: float = 15.0) -> None:
        self.state_dir = Path(state_dir).absolute()
        self.data_dir = self.state_dir / self.data_name
        self.state_file = self.state_dir / "local.json"
        self.env_file = self.state_dir / "local.env"
        self._port = port
        self._environ = os.environ if environ is None else environ
        self._timeout = timeout

    @classmethod
    def in_project(cls, root: Path | None = None, **kwargs: object) -> LocalServer:
        """The server of the project whose ``.baseform`` directory is ROOT (default: the nearest one
        upward from the working directory, else ``./.baseform``)."""
        root = root or find_state_root() or Path(STATE_DIR_NAME)
        return cls(root / cls.backend, **kwargs)  # type: ignore[arg-type]

    # -- backend hooks ------------------------------------------------------------------------------
    @property
    def log_file(self) -> Path:
        return self.state_dir / self.log_name

    def display_url(self, port: int) -> str:
        """The server's address as shown to people (no credentials)."""
        return f"http://127.0.0.1:{port}"

    def console_url(self, port: int) -> str | None:
        """A web console to point people at, if the server has one."""
        return None

    @abstractmethod
    def initialise(self, user: str, password: str) -> None:
        """Create the data directory if needed and make USER/PASSWORD a working admin login."""

    @abstractmethod
    def spawn(self, port: int) -> subprocess.Popen[bytes]:
        """Start the server on 127.0.0.1:PORT, detached from this process's session, logging to
        :attr:`log_file`; return the process (the caller waits for :meth:`healthy`)."""

    @abstractmethod
    def healthy(self, port: int) -> bool:
        """Whether the server on PORT answers (one quick probe, no retries)."""

    @abstractmethod
    def connection_env(self, port: int, user: str, password: str) -> dict[str, str]:
        """The connection variables written to the env file (the provider's own names)."""

    # -- lifecycle -----------------------------------------------------------------------------------
    def up(self) -> LocalUp:
        """Start the server unless it already runs; idempotent.

        Login: ``user_var``/``password_var`` from the environment, else those of an earlier ``up``
        (the env file), else ``default_user`` and a generated password.
        """
        self.state_dir.mkdir(parents=True, exist_ok=True)
        gitignore = self.state_dir.parent / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# written by `baseform local up`: holds passwords and local data\n*\n")
        with self._locked():
            return self._up()

    def _up(self) -> LocalUp:
        current = self._probe()
        if current.unresponsive:
            assert current.port is not None
            port = current.port
            try:
                wait_until(lambda: self.healthy(port), f"{self.title} at {current.url}", self._timeout,
                           log_path=self.log_file)
            except LocalServerError as error:
                raise LocalServerError(f"{error}\n  stop it with `baseform local down`") from None
            current = self._probe()
        stored = _parse_env_file(self.env_file)
        if current.running:
            assert current.url and current.user and current.pid and current.port
            return LocalUp(current.url, current.user, current.pid, current.port, already_running=True,
                           password_generated=False, env_file=self.env_file,
                           console=self.console_url(current.port), password=stored.get(self.password_var))
        self.state_file.unlink(missing_ok=True)  # stale
        if self._port is not None and not port_is_free(self._port):
            # Checked first because a server already on that port would answer our health check.
            raise LocalServerError(f"cannot start the local {self.title}: 127.0.0.1:{self._port} is in use")
        port = self._port or (self.default_port if port_is_free(self.default_port) else free_port())
        user = self._environ.get(self.user_var) or stored.get(self.user_var) or self.default_user
        password = self._environ.get(self.password_var) or stored.get(self.password_var)
        generated = password is None
        if password is None:
            password = secrets.token_urlsafe(24)
        self.initialise(user, password)
        try:
            process = self._start(port)
        except LocalServerError:
            if self._port is not None or port_is_free(port):
                raise
            port = free_port()  # another server took the usual port meanwhile: any free one will do
            process = self._start(port)
        self._write_env(self.connection_env(port, user, password))
        self._write_state({"pid": process.pid, "port": port, "user": user, "data_dir": str(self.data_dir)})
        return LocalUp(self.display_url(port), user, process.pid, port, already_running=False,
                       password_generated=generated, env_file=self.env_file, console=self.console_url(port),
                       password=password)

    def _start(self, port: int) -> subprocess.Popen[bytes]:
        """Spawn the server on PORT and wait until it answers; stopped again if it does not."""
        process = self.spawn(port)
        try:
            wait_until(lambda: self.healthy(port), f"{self.title} at {self.display_url(port)}", self._timeout,
                       process=process, log_path=self.log_file)
            time.sleep(0.05)
            if process.poll() is not None:  # what answered was another server on that port
                raise LocalServerError(f"{self.title} (pid {process.pid}) exited with code {process.returncode}: "
                                       f"127.0.0.1:{port} is taken{_log_note(self.log_file)}")
        except LocalServerError:
            stop(process.pid)
            process.poll()  # records the reaped exit, so the Popen does not warn when collected
            raise
        return process

    def status(self) -> LocalStatus:
        """Running only when the recorded PID is alive, is this state directory's server, and it
        answers on the recorded port. Reads only: nothing is written, locked or removed."""
        return self._probe()

    def down(self) -> LocalStatus:
        """Stop the server by its recorded PID and remove the state file; the data and the env file
        stay. Returns the status found before stopping (``running=False``: nothing was running)."""
        if not self.state_file.exists():
            return LocalStatus(running=False, state_dir=self.state_dir, data_dir=self.data_dir)
        with self._locked():
            return self._down()

    def _down(self) -> LocalStatus:
        found = self._probe()
        if found.running or found.unresponsive:
            assert found.pid is not None
            stop(found.pid)
        self.state_file.unlink(missing_ok=True)
        return found

    def reset(self) -> LocalUp:
        """Stop the server, delete its data, and start it again empty with the same login."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with self._locked():
            previous = self._down()
            if self._port is None and previous.port is not None and port_is_free(previous.port):
                self._port = previous.port
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.log_file.unlink(missing_ok=True)
            return self._up()

    def logs(self, lines: int) -> list[str]:
        """The last LINES lines the server wrote."""
        return log_tail(self.log_file, lines)

    def connection(self) -> dict[str, str]:
        """The connection variables of the server while it is up (``{}`` otherwise). Files only."""
        if not self.state_file.is_file():
            return {}
        return _parse_env_file(self.env_file)

    def password(self) -> str | None:
        """The admin password kept in the env file (for ``--show-password``)."""
        return _parse_env_file(self.env_file).get(self.password_var)

    # -- state --------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.state_dir / "local.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _probe(self) -> LocalStatus:
        base = LocalStatus(running=False, state_dir=self.state_dir, data_dir=self.data_dir)
        try:
            state = json.loads(self.state_file.read_text())
            pid, port, user = int(state["pid"]), int(state["port"]), str(state["user"])
        except FileNotFoundError:
            return base
        except (ValueError, KeyError, TypeError):
            return LocalStatus(running=False, state_dir=self.state_dir, data_dir=self.data_dir, stale=True)
        identity = _command_line_mentions(pid, self.data_dir) if alive(pid) else False
        answers = identity is not False and self.healthy(port)
        ours = identity is True or (identity is None and answers)
        return LocalStatus(running=ours and answers, state_dir=self.state_dir, data_dir=self.data_dir,
                           url=self.display_url(port), pid=pid, user=user, port=port,
                           unresponsive=ours and not answers, stale=not ours)

    def _write_state(self, state: dict[str, object]) -> None:
        tmp = self.state_file.with_name(self.state_file.name + ".tmp")
        tmp.write_text(json.dumps(state, indent=2) + "\n")
        tmp.replace(self.state_file)

    def _write_env(self, values: Mapping[str, str]) -> None:
        text = "".join(f"{k}={shlex.quote(v)}\n" for k, v in values.items())
        tmp = self.env_file.with_name(self.env_file.name + ".tmp")
        # Created 0600 (not chmod-ed after writing) so the password is never readable by others.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(text)
        tmp.replace(self.env_file)


def local_connection(server: type[LocalServer], settings: Mapping[str, str | None],
                     root: Path | None = None) -> dict[str, str]:
    """Connection variables to fill in from SERVER's running instance in the project.

    SETTINGS are the provider's connection variables as resolved from the manifest and the
    environment; when ``server.url_var`` has a value there, the user chose a server and ``{}`` is
    returned. Otherwise the variables of the local server (found upward from the working
    directory, or in ROOT) while it is up, else ``{}``. Reads files only.
    """
    if settings.get(server.url_var):
        return {}
    root = root or find_state_root()
    if root is None:
        return {}
    return server(root / server.backend).connection()


def local_server_class(provider: type[Provider]) -> type[LocalServer] | None:
    """The LocalServer class PROVIDER declares (imported now), or None."""
    if not provider.local_server:
        return None
    module, _, name = provider.local_server.partition(":")
    server: type[LocalServer] = getattr(import_module(module), name)
    return server
