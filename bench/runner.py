"""Run the four scenarios for each backend and size, each in a child process, against a fresh server.

Scenarios, in this order on one server: plan on an empty server, apply from empty, plan after the
apply (a no-op), apply a change to 10% of the tables/collections/classes. Each child is
``python -m bench.scenario`` (its own process, so its peak memory is its own); the runner adds what
only it can see: the server's CPU time and, for emulators, the requests the server counted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.manifests import GENERATORS, SIZES, Generator, appwrite
from bench.servers import Server, start_server

__all__ = ["SCENARIOS", "VARIANTS", "VARIANT_TABLES", "Result", "Scenario", "Variant", "run_all", "run_variants"]

_ROOT = Path(__file__).resolve().parent.parent
CHANGED = 0.1


@dataclass(frozen=True)
class Scenario:
    name: str
    changed: bool  # runs the manifest with the 10% change
    apply: bool


SCENARIOS = (
    Scenario("plan on empty", changed=False, apply=False),
    Scenario("apply from empty", changed=False, apply=True),
    Scenario("plan after apply (no-op)", changed=False, apply=False),
    Scenario("apply a 10% change", changed=True, apply=True),
)


@dataclass
class Result:
    """One scenario's measurements: ``child`` is the JSON :mod:`bench.scenario` printed."""

    backend: str
    size: str
    items: int
    scenario: Scenario
    child: dict[str, Any]
    server_cpu_s: float
    server_requests: int | None  # counted by the emulator; None for servers that do not count
    latency_ms: float
    parallelism: int

    def phase(self, name: str) -> float:
        return float(self.child["phases"].get(name, 0.0))

    def requests(self, name: str | None = None) -> int:
        counts = self.child["requests"]
        return int(sum(counts.values()) if name is None else counts.get(name, 0))

    def bound_s(self, name: str) -> float:
        bound = self.child["bounds"].get(name)
        return float(bound["seconds"]) if bound else 0.0

    @property
    def error(self) -> str | None:
        return self.child.get("error")


def _child(server: Server, manifest: Path, scenario: Scenario, *, latency_ms: float,
           parallelism: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.scenario", "--backend", server.backend, "--manifest", str(manifest),
               "--latency-ms", str(latency_ms), "--parallelism", str(parallelism),
               "--readiness-s", str(server.readiness_s), "--client-latency-ms", str(server.client_latency_ms)]
    if scenario.apply:
        command.append("--apply")
    t0 = time.perf_counter()
    done = subprocess.run(command, cwd=_ROOT, env={**os.environ, **server.env}, capture_output=True, text=True,
                          timeout=1800, check=False)
    process_s = time.perf_counter() - t0
    if done.returncode != 0 or not done.stdout.strip():
        tail = done.stderr.strip().splitlines()[-5:]
        return {"phases": {}, "requests": {}, "bounds": {}, "peak_rss_mb": 0.0, "cpu_s": 0.0,
                "process_s": process_s, "error": f"scenario process exited {done.returncode}: " + " | ".join(tail)}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = process_s  # the whole process: interpreter start and imports too
    return result


def _one_size(backend: str, size: str, *, latency_ms: float, readiness_s: float, parallelism: int,
              progress: Callable[[Result], None], scenarios: Sequence[Scenario] = SCENARIOS,
              items: int | None = None, version: str | None = None,
              generator: Generator | None = None) -> Iterator[Result]:
    items = SIZES[backend][size] if items is None else items
    generate = generator or GENERATORS[backend]
    with tempfile.TemporaryDirectory(prefix="baseform-bench-") as tmp, \
            start_server(backend, latency_ms=latency_ms, readiness_s=readiness_s, version=version) as server:
        manifests = {}
        for changed in (False, True):
            path = Path(tmp) / f"{backend}-{size}{'-changed' if changed else ''}.yaml"
            path.write_text(generate(items, CHANGED if changed else 0.0))
            manifests[changed] = path
        for scenario in scenarios:
            cpu, stats = server.cpu_s(), server.stats()
            child = _child(server, manifests[scenario.changed], scenario, latency_ms=latency_ms,
                           parallelism=parallelism)
            counted = server.stats().get("requests", 0) - stats.get("requests", 0) if server.control else None
            result = Result(backend, size, items, scenario, child, server.cpu_s() - cpu, counted, latency_ms,
                            parallelism)
            progress(result)
            yield result
            if result.error and scenario.apply:
                return  # later scenarios assume this apply succeeded


@dataclass(frozen=True)
class Variant:
    """An Appwrite server version whose create path differs, at ``items`` tables."""

    version: str
    path: str  # what that version does with a new table's columns
    generator: Generator = appwrite.generate


VARIANT_TABLES = 60
VARIANTS = (
    Variant("1.8.1", "column by column: no inline create (1.8; text columns as `string`)", appwrite.generate_legacy),
    Variant("1.9.6", "released 1.9.x: inline create of the core types only; text types, email, url, ip and "
                     "enum columns one by one"),
    Variant("2.0.0", "HEAD: every scalar column inline"),
)
"""The Appwrite create paths, at :data:`VARIANT_TABLES` tables (20 columns each)."""


def run_variants(*, latency_ms: float, readiness_s: float, parallelism: int,
                 progress: Callable[[Result], None]) -> list[Result]:
    """Apply from empty and the no-op plan on each :data:`VARIANTS` version (size label ``@VERSION``)."""
    results: list[Result] = []
    for variant in VARIANTS:
        results += _one_size("appwrite", f"@{variant.version}", latency_ms=latency_ms, readiness_s=readiness_s,
                             parallelism=parallelism, progress=progress, scenarios=SCENARIOS[1:3],
                             items=VARIANT_TABLES, version=variant.version, generator=variant.generator)
    return results


def run_all(backends: Sequence[str], sizes: Sequence[str], *, latency_ms: float, readiness_s: float,
            parallelism: int, progress: Callable[[Result], None], latency_check: bool) -> list[Result]:
    """Every scenario for every backend and size, in that order; ``progress`` sees each result.

    With ``latency_check`` (and a latency to compare with), the largest size of each backend then
    plans and applies once more with no injected latency: what is left is the client's and the
    server's own work, which shows whether the server (an emulator) could be the bottleneck.
    """
    results: list[Result] = []
    for backend in backends:
        for size in sizes:
            results += _one_size(backend, size, latency_ms=latency_ms, readiness_s=readiness_s,
                                 parallelism=parallelism, progress=progress)
        if latency_check and latency_ms > 0 and sizes:
            largest = max(sizes, key=SIZES[backend].__getitem__)
            results += _one_size(backend, largest, latency_ms=0.0, readiness_s=readiness_s, parallelism=parallelism,
                                 progress=progress, scenarios=SCENARIOS[:3])
    return results
