"""Ctrl-C during ``baseform apply``, in a real subprocess (``python -m baseform``).

At the confirmation prompt (a real pseudo-terminal, against the real PocketBase): Ctrl-C cancels at
once and nothing is applied, whatever is typed after it; without a terminal, apply refuses to ask.

While applying (against an Appwrite emulator that holds team creates after the first two until the
test releases them, so that the apply is still running when the signal arrives, however fast or slow
the machine): the first SIGINT behaves like a failed operation: nothing new starts, calls in flight
finish (and are reported done), the report lists what was done and what was skipped, exit 1. A second
SIGINT aborts at once, even while calls hang. Either way, a rerun converges.
"""

from __future__ import annotations

import os
import pty
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
import yaml

from tests.clirun import process_env, run_cli, run_process
from tests.emulators.appwrite import AppwriteEmulator
from tests.emulators.server import Request, Response, RunningServer, serve
from tests.pocketbase_fixture import PocketBaseServer
from tests.reliability.conftest import APPWRITE_KEY, APPWRITE_PROJECT, appwrite_env

TEAMS = 16


class TeamGate(AppwriteEmulator):
    """An Appwrite emulator that answers the first ``passes`` team creates and holds the later ones
    (before they are handled) until ``release`` is set."""

    def __init__(self, passes: int = 2) -> None:
        super().__init__(project=APPWRITE_PROJECT, api_key=APPWRITE_KEY)
        self.passes = passes
        self.creates = 0
        self.release = threading.Event()

    def respond(self, request: Request) -> Response:
        if request.method == "POST" and request.path == "/v1/teams":
            with self.lock:
                self.creates += 1
                held = self.creates > self.passes
            if held:
                self.release.wait(timeout=120)
        return super().respond(request)


@pytest.fixture()
def appwrite() -> Iterator[RunningServer]:
    """An emulator of this test's own: requests left hanging by a test must not reach another's."""
    gate = TeamGate()
    running = serve(gate)
    yield running
    gate.release.set()
    running.stop()


def _gate(server: RunningServer) -> TeamGate:
    assert isinstance(server.backend, TeamGate)
    return server.backend


@pytest.fixture()
def manifest(tmp_path: Path) -> str:
    path = tmp_path / "baseform.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "appwrite": {
        "teams": [{"id": f"team{i:02d}", "name": f"Team {i}"} for i in range(TEAMS)]}}))
    return str(path)


class Apply:
    """``python -m baseform apply MANIFEST --auto-approve --parallelism 2`` with its output read as it comes."""

    def __init__(self, manifest: str, server: RunningServer) -> None:
        env = process_env(appwrite_env(server))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "baseform", "apply", manifest, "--auto-approve", "--parallelism", "2"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.streams = {"out": _Lines(self.process.stdout), "err": _Lines(self.process.stderr)}

    def wait_for(self, text: str, stream: str = "out", timeout_s: float = 60.0) -> None:
        """Read ``stream`` until a line contains ``text`` (fails the test on a timeout or an early exit)."""
        self.streams[stream].wait_for(text, timeout_s)

    def interrupt(self) -> None:
        os.kill(self.process.pid, signal.SIGINT)

    def finish(self, timeout_s: float = 60.0) -> tuple[int, str, str]:
        """Wait for the exit; return (exit code, all stdout, all stderr)."""
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()  # this test's own child, by its handle
            self.process.wait()
            pytest.fail("apply did not exit after SIGINT")
        return self.process.returncode, self.streams["out"].rest(), self.streams["err"].rest()


class _Lines:
    """The lines of a child's output stream, read by a thread of their own as they come."""

    def __init__(self, stream: IO[str] | None) -> None:
        assert stream is not None
        self.stream = stream
        self.queue: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.stream:
            self.queue.put(line)
        self.queue.put(None)

    def wait_for(self, text: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                line = self.queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no line with {text!r} in {timeout_s:.0f} s:\n{''.join(self.seen)}")
            if line is None:
                pytest.fail(f"apply ended before printing {text!r}:\n{''.join(self.seen)}")
            self.seen.append(line)
            if text in line:
                return

    def rest(self) -> str:
        """Everything the stream printed (call after the child exited)."""
        while (line := self.queue.get(timeout=30)) is not None:
            self.seen.append(line)
        self.stream.close()
        return "".join(self.seen)


def _converges(manifest: str, server: RunningServer) -> None:
    server.backend.clear_faults()
    result = run_cli(["apply", manifest, "--auto-approve"], env=appwrite_env(server))
    assert result.code == 0 and "Converged" in result.out, result.text
    assert run_cli(["plan", manifest, "--detailed-exitcode"], env=appwrite_env(server)).code == 0
    emulator = server.backend
    assert isinstance(emulator, AppwriteEmulator)
    assert sorted(emulator.teams) == [f"team{i:02d}" for i in range(TEAMS)]


def test_sigint_finishes_calls_in_flight_reports_and_a_rerun_converges(appwrite: RunningServer,
                                                                        manifest: str) -> None:
    run = Apply(manifest, appwrite)
    run.wait_for(": done [")  # the next creates are held at the server, in flight
    run.interrupt()
    run.wait_for("Interrupt: no new operations will start", stream="err")
    _gate(appwrite).release.set()  # the calls in flight get their answers
    code, out, err = run.finish()

    assert code == 1, out + err
    assert "Traceback" not in out + err
    assert "Interrupt: no new operations will start" in err
    summary = next(line for line in out.splitlines() if line.startswith("Apply interrupted:"))
    done = out.count(": done [")
    skipped = out.count("  skipped: create appwrite.teams.")
    assert summary == f"Apply interrupted: {done} done, 0 failed, {skipped} skipped.", out
    assert done >= 1 and skipped >= 1 and done + skipped == TEAMS, out
    # calls in flight finished: what the server has is exactly what the report says was done
    emulator = appwrite.backend
    assert isinstance(emulator, AppwriteEmulator)
    assert len(emulator.teams) == done
    _converges(manifest, appwrite)


def test_second_sigint_aborts_at_once_even_while_calls_hang(appwrite: RunningServer, manifest: str) -> None:
    run = Apply(manifest, appwrite)
    run.wait_for(": done [")  # the next creates hang at the server until the test releases them
    run.interrupt()
    run.wait_for("Interrupt: no new operations will start", stream="err")
    assert run.process.poll() is None, "the first SIGINT must wait for the calls in flight"
    run.interrupt()
    code, out, err = run.finish()  # the held calls are never answered before the exit: it did not wait
    _gate(appwrite).release.set()

    assert code == 1
    assert "Aborted." in err
    assert "Traceback" not in out + err
    _converges(manifest, appwrite)


# -- at the confirmation prompt ----------------------------------------------------------------------

PROMPT = b"Only 'yes' or 'y' is accepted:"


class Terminal:
    """``python -m baseform ARGV`` on a pseudo-terminal of its own, as a person runs it: what it prints
    is read from the terminal, keys are typed into it (Ctrl-C becomes SIGINT in the terminal driver).
    Reads wait generously (a loaded machine starts Python slowly) and end as soon as the text is there."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become baseform (never returns)
            os.execve(sys.executable, [sys.executable, "-m", "baseform", *argv], process_env(env))
        self.seen = b""

    def read_until(self, text: bytes, timeout_s: float = 120) -> None:
        deadline = time.monotonic() + timeout_s
        while text not in self.seen:
            if time.monotonic() > deadline or not self._read(deadline - time.monotonic()):
                pytest.fail(f"never saw {text!r}; the terminal shows:\n{self.seen.decode(errors='replace')}")

    def _read(self, timeout_s: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout_s))
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            return False
        self.seen += chunk
        return bool(chunk)

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def finish(self, timeout_s: float = 120) -> int:
        """Read until the child closes the terminal, then return its exit code."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self._read(deadline - time.monotonic()):
            pass
        if time.monotonic() >= deadline:
            os.kill(self.pid, signal.SIGKILL)  # this test's own child, by its PID
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


@pytest.fixture()
def pocketbase(pocketbase_server: PocketBaseServer) -> PocketBaseServer:
    pocketbase_server.reset()
    return pocketbase_server


def _pb_manifest(tmp_path: Path) -> str:
    path = tmp_path / "baseform.yaml"
    path.write_text("version: 1\npocketbase:\n  collections:\n    - name: notes\n"
                    "      fields: [{name: body, type: text}]\n")
    return str(path)


def _pb_env(server: PocketBaseServer) -> dict[str, str]:
    return {"POCKETBASE_URL": server.url, "POCKETBASE_EMAIL": server.email, "POCKETBASE_PASSWORD": server.password}


def _notes_exists(server: PocketBaseServer) -> bool:
    return server.http.get("/api/collections/notes").status_code == 200


def test_ctrl_c_at_the_prompt_cancels_at_once_and_a_y_typed_after_it_applies_nothing(
        pocketbase: PocketBaseServer, tmp_path: Path) -> None:
    terminal = Terminal(["apply", _pb_manifest(tmp_path)], _pb_env(pocketbase))
    terminal.read_until(PROMPT)
    assert b"pocketbase.collections.notes will be created" in terminal.seen
    terminal.type(b"\x03")  # Ctrl-C
    terminal.read_until(b"nothing was changed")
    terminal.type(b"y\n")
    code = terminal.finish()
    assert code in (1, 130), terminal.seen
    assert b"Traceback" not in terminal.seen and b"Calls in flight" not in terminal.seen
    assert not _notes_exists(pocketbase)  # read back from the server: nothing was applied


def test_y_at_the_prompt_applies(pocketbase: PocketBaseServer, tmp_path: Path) -> None:
    terminal = Terminal(["apply", _pb_manifest(tmp_path)], _pb_env(pocketbase))
    terminal.read_until(PROMPT)
    terminal.type(b"y\n")
    terminal.read_until(b"Converged")
    assert terminal.finish() == 0, terminal.seen
    assert _notes_exists(pocketbase)


def test_apply_without_a_terminal_and_without_auto_approve_says_stdin_is_not_a_terminal(
        pocketbase: PocketBaseServer, tmp_path: Path) -> None:
    result = run_process(["apply", _pb_manifest(tmp_path)], env=_pb_env(pocketbase))
    assert result.code == 1
    assert "stdin is not a terminal" in result.err and "--auto-approve" in result.err
    assert not _notes_exists(pocketbase)
