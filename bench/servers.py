"""The servers the benchmarks run against, each started fresh and stopped by its PID.

Emulators (Appwrite, Weaviate) run as subprocesses (``python -m tests.emulators.<name>``), so their
work is not counted in the client's time or memory; their injected latency applies on the server
side. The real PocketBase is started through :mod:`baseform.providers.pocketbase.process` on a free
loopback port with a temporary data dir; it cannot inject latency, so the client adds it
(:mod:`bench.latency`). Server CPU time is read from ``/proc/<pid>/stat`` to show whether the server
was the bottleneck.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from baseform.providers.pocketbase import process

__all__ = ["APPWRITE_KEY", "APPWRITE_PROJECT", "Server", "start_server"]

_ROOT = Path(__file__).resolve().parent.parent
APPWRITE_PROJECT = "test"
APPWRITE_KEY = "secret-key"  # the emulator's default key: a test double, not a secret


@dataclass
class Server:
    """A running server. ``env`` holds its connection settings (the backends' own variable names).

    ``client_latency_ms`` is the latency the client must add itself (servers that cannot inject it);
    ``readiness_s`` how long the server's asynchronous jobs (column/index builds) take.
    """

    backend: str
    url: str
    pid: int
    env: dict[str, str] = field(repr=False)
    client_latency_ms: float = 0.0
    readiness_s: float = 0.0
    control: bool = False  # has the emulators' /__emulator routes

    def cpu_s(self) -> float:
        """User + system CPU seconds the server process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stats(self) -> dict[str, Any]:
        """The emulator's request counters ({} for servers without them)."""
        if not self.control:
            return {}
        with httpx.Client(trust_env=False, timeout=10) as client:
            body: dict[str, Any] = client.get(self.url + "/__emulator/stats").json()
            return body

    def reset(self) -> None:
        """Empty the emulator again (its counters too)."""
        with httpx.Client(trust_env=False, timeout=10) as client:
            client.post(self.url + "/__emulator/reset").raise_for_status()


def _emulator(backend: str, args: list[str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", f"tests.emulators.{backend}", "--port", "0", *args]
    return subprocess.Popen(command, cwd=_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()  # SIGTERM to this one PID
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    if proc.stdout is not None:
        proc.stdout.close()


@contextmanager
def _run_emulator(backend: str, args: list[str], env: dict[str, str], **kw: Any) -> Iterator[Server]:
    proc = _emulator(backend, args)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "<name> emulator listening on http://127.0.0.1:PORT"
        if "listening on " not in line:
            raise RuntimeError(f"the {backend} emulator did not start (exit code {proc.poll()})")
        url = line.rsplit("listening on ", 1)[1].strip()
        yield Server(backend, url, proc.pid, {k: v.replace("{url}", url) for k, v in env.items()},
                     control=True, **kw)
    finally:
        _stop(proc)


@contextmanager
def _run_pocketbase(latency_ms: float) -> Iterator[Server]:
    with tempfile.TemporaryDirectory(prefix="baseform-bench-pb-") as tmp:
        data_dir = Path(tmp) / "pb_data"
        email, password = "bench@example.com", secrets.token_urlsafe(18)
        process.upsert_superuser(data_dir, email, password)
        port = process.free_port()
        url = f"http://127.0.0.1:{port}"
        proc = process.start(data_dir, port)
        try:
            process.wait_healthy(url, 30, process=proc, log_path=data_dir / process.LOG_NAME)
            env = {"POCKETBASE_URL": url, "POCKETBASE_EMAIL": email, "POCKETBASE_PASSWORD": password}
            yield Server("pocketbase", url, proc.pid, env, client_latency_ms=latency_ms)
        finally:
            process.stop(proc.pid)
            proc.poll()


@contextmanager
def start_server(backend: str, *, latency_ms: float, readiness_s: float,
                 version: str | None = None) -> Iterator[Server]:
    """A fresh, empty server for ``backend`` with ``latency_ms`` per request (an emulator: of ``version``,
    else its default)."""
    latency = ["--latency-ms", str(latency_ms)]
    if version is not None and backend != "appwrite":
        raise ValueError(f"the {backend} server of the bench has one version only")
    if backend == "appwrite":
        env = {"APPWRITE_ENDPOINT": "{url}/v1", "APPWRITE_PROJECT_ID": APPWRITE_PROJECT,
               "APPWRITE_API_KEY": APPWRITE_KEY}
        args = [*latency, "--column-delay-s", str(readiness_s), *(["--version", version] if version else [])]
        with _run_emulator(backend, args, env, readiness_s=readiness_s) as server:
            yield server
    elif backend == "weaviate":
        with _run_emulator(backend, latency, {"WEAVIATE_URL": "{url}"}) as server:
            yield server
    elif backend == "pocketbase":
        with _run_pocketbase(latency_ms) as server:
            yield server
    else:
        raise ValueError(f"unknown backend {backend!r}")
