"""Run the peers against fresh servers and measure them as baseform is measured.

Each peer command is a child process of its own (:func:`bench.process.run_measured`), so its CPU
time and peak memory are its own (Node for the Appwrite CLI, Python for the scripts). Requests are
what the emulator counted (the scripts count their own calls against the real PocketBase, which has
no counter).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.manifests import GENERATORS, SIZES
from bench.peers import appwrite_cli
from bench.process import Measured, run_measured
from bench.servers import APPWRITE_KEY, APPWRITE_PROJECT, Server, start_server

__all__ = ["PeerResult", "run_peers"]

_ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class PeerResult:
    """One peer scenario. ``deletes`` counts DELETE requests the server saw (a no-op deletes nothing)."""

    backend: str
    size: str
    items: int
    peer: str
    scenario: str
    wall_s: float = 0.0
    requests: int = 0
    cpu_s: float = 0.0
    peak_mb: float = 0.0
    server_cpu_s: float = 0.0
    deletes: int = 0
    error: str | None = None
    notes: list[str] = field(default_factory=list)


class _Probe:
    """Server CPU and counters around a group of commands, summed into one :class:`PeerResult`."""

    def __init__(self, server: Server, result: PeerResult) -> None:
        self.server, self.result = server, result
        self.cpu, self.stats = server.cpu_s(), server.stats()

    def add(self, run: Measured, what: str) -> Measured:
        r = self.result
        r.wall_s += run.wall_s
        r.cpu_s += run.cpu_s
        r.peak_mb = max(r.peak_mb, run.peak_mb)
        if run.returncode != 0 and r.error is None:
            tail = " | ".join((run.stdout + run.stderr).strip().splitlines()[-3:])
            r.error = f"{what} exited {run.returncode}: {tail[-400:]}"
        return run

    def close(self) -> PeerResult:
        r = self.result
        r.server_cpu_s = self.server.cpu_s() - self.cpu
        after = self.server.stats()
        if after:
            r.requests += after.get("requests", 0) - self.stats.get("requests", 0)
            r.deletes = sum(v - self.stats.get(k, 0) for k, v in after.items() if k.startswith("DELETE "))
        return r


def _script_calls(run: Measured, result: PeerResult) -> None:
    """Take the calls and error a script printed as its last line."""
    lines = run.stdout.strip().splitlines()
    if not lines:
        return
    printed = json.loads(lines[-1])
    if printed.get("error") and result.error is None:
        result.error = printed["error"]
    if not result.requests:
        result.requests = int(printed.get("calls", 0))


Progress = Callable[[PeerResult], None]


def _appwrite_cli(size: str, manifest: dict[str, Any], *, latency_ms: float, readiness_s: float,
                  version: str | None) -> Iterator[PeerResult]:
    items = SIZES["appwrite"][size]
    peer = f"appwrite-cli {appwrite_cli.VERSION}"
    try:
        binary = str(appwrite_cli.install())
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        yield PeerResult("appwrite", size, items, peer, "apply from empty", error=f"cannot install the CLI: {e}")
        return
    with start_server("appwrite", latency_ms=latency_ms, readiness_s=readiness_s, version=version) as server, \
            tempfile.TemporaryDirectory(prefix="baseform-bench-cli-") as tmp:
        workdir, endpoint = Path(tmp), server.url + "/v1"
        written = appwrite_cli.cli_config(manifest, project=APPWRITE_PROJECT, endpoint=endpoint)
        env = {**os.environ, "HOME": str(workdir), "NO_COLOR": "1", "CI": "true"}

        def push(scenario: str, config: Mapping[str, Any] | None) -> PeerResult:
            if config is not None:
                (workdir / "appwrite.config.json").write_text(json.dumps(config, indent=2))
            probe = _Probe(server, PeerResult("appwrite", size, items, peer, scenario))
            for command in appwrite_cli.PUSHES:
                probe.add(run_measured([binary, *command, "--all", "--force"], cwd=workdir, env=env, timeout_s=7200),
                          " ".join(command))
            return probe.close()

        (workdir / "appwrite.config.json").write_text(json.dumps(written, indent=2))
        setup = run_measured([binary, *appwrite_cli.client_command(endpoint, APPWRITE_PROJECT, APPWRITE_KEY)],
                     cwd=workdir, env=env, timeout_s=60)
        if setup.returncode != 0:
            yield PeerResult("appwrite", size, items, peer, "apply from empty",
                             error=f"appwrite client exited {setup.returncode}: {setup.stdout[-300:]}")
            return
        yield push("apply from empty", None)
        pulled = run_measured([binary, "pull", "tables", "--all"], cwd=workdir, env=env, timeout_s=600)
        if pulled.returncode != 0:
            yield PeerResult("appwrite", size, items, peer, "rerun (no-op)",
                             error=f"appwrite pull tables exited {pulled.returncode}: {pulled.stdout[-300:]}")
            return
        yield push("rerun (no-op)", None)
        rerun = push("rerun, config as written", written)
        rerun.notes.append(appwrite_cli.RECREATED_NOTE)
        yield rerun


def _weaviate_script(size: str, manifest_path: Path, *, latency_ms: float) -> Iterator[PeerResult]:
    items = SIZES["weaviate"][size]
    with start_server("weaviate", latency_ms=latency_ms, readiness_s=0.0) as server:
        for threads in (1, 8):
            server.reset()
            peer = "weaviate-client script" + (f", {threads} threads" if threads > 1 else ", sequential")
            probe = _Probe(server, PeerResult("weaviate", size, items, peer, "apply from empty"))
            run = probe.add(run_measured([sys.executable, "-m", "bench.peers.weaviate_script", "--url", server.url,
                                  "--manifest", str(manifest_path), "--threads", str(threads)],
                                 cwd=_ROOT, env=os.environ, timeout_s=3600), "script")
            result = probe.close()
            _script_calls(run, result)
            yield result


def _pocketbase_import(size: str, manifest_path: Path, *, latency_ms: float) -> Iterator[PeerResult]:
    items = SIZES["pocketbase"][size]
    with start_server("pocketbase", latency_ms=latency_ms, readiness_s=0.0) as server:
        probe = _Probe(server, PeerResult("pocketbase", size, items, "one collections/import", "apply from empty"))
        run = probe.add(run_measured([sys.executable, "-m", "bench.peers.pocketbase_import", "--url", server.url,
                              "--manifest", str(manifest_path), "--latency-ms", str(server.client_latency_ms)],
                             cwd=_ROOT, env={**os.environ, **server.env}, timeout_s=3600), "import")
        result = probe.close()
        _script_calls(run, result)
        yield result


@contextmanager
def _manifest(backend: str, size: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="baseform-bench-peer-") as tmp:
        path = Path(tmp) / f"{backend}-{size}.yaml"
        path.write_text(GENERATORS[backend](SIZES[backend][size], 0.0))
        yield path


def run_peers(backend: str, size: str, *, latency_ms: float, readiness_s: float, progress: Progress,
              appwrite_version: str | None = None) -> list[PeerResult]:
    """The peer of ``backend`` at ``size`` on fresh servers; ``progress`` sees each result."""
    out: list[PeerResult] = []
    with _manifest(backend, size) as path:
        if backend == "appwrite":
            results = _appwrite_cli(size, yaml.load(path.read_text(), Loader=yaml.CSafeLoader),
                                    latency_ms=latency_ms, readiness_s=readiness_s, version=appwrite_version)
        elif backend == "weaviate":
            results = _weaviate_script(size, path, latency_ms=latency_ms)
        else:
            results = _pocketbase_import(size, path, latency_ms=latency_ms)
        for result in results:
            progress(result)
            out.append(result)
    return out
