"""The local floor: what a command costs before the network, as whole processes a user starts.

* start-up: ``baseform --help``;
* load and validate: ``baseform validate`` of :data:`FLOOR_TABLES` Appwrite tables, next to the bare
  parse of the same file with PyYAML's C loader (``yaml.load(f, CSafeLoader)`` in a fresh
  interpreter: the least any Python tool reading that YAML pays);
* a no-op ``baseform plan`` of the same manifest against a local Appwrite emulator without latency,
  after an apply, so what remains is baseform's own work plus a few local round trips.

Each command runs :data:`RUNS` times; the fastest run counts (on a shared machine the others measure
the neighbours), and its CPU time is shown beside it.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.manifests import appwrite
from bench.process import Measured, run_measured
from bench.servers import start_server

__all__ = ["FLOOR_TABLES", "RUNS", "Floor", "Timing", "measure_floor"]

FLOOR_TABLES = 300
RUNS = 5
_ROOT = Path(__file__).resolve().parent.parent
_PARSE = "import sys, yaml\nwith open(sys.argv[1]) as f:\n    yaml.load(f, Loader=yaml.CSafeLoader)"


@dataclass
class Timing:
    """The fastest of several runs of one command (wall and CPU seconds), and its exit code."""

    label: str
    wall_s: float = 0.0
    cpu_s: float = 0.0
    median_s: float = 0.0
    error: str | None = None


@dataclass
class Floor:
    help: Timing
    parse: Timing
    validate: Timing
    noop_plan: Timing
    resources: int = 0
    notes: list[str] = field(default_factory=list)


def _best(label: str, command: Sequence[str], env: dict[str, str], runs: int = RUNS) -> Timing:
    measured: list[Measured] = []
    for _ in range(runs):
        m = run_measured(command, cwd=_ROOT, env=env, timeout_s=600)
        if m.returncode not in (0, 2):  # plan --detailed-exitcode is not used; 2 would be "changes"
            tail = " | ".join((m.stdout + m.stderr).strip().splitlines()[-3:])
            return Timing(label, error=f"exited {m.returncode}: {tail[-300:]}")
        measured.append(m)
    best = min(measured, key=lambda m: m.wall_s)
    return Timing(label, best.wall_s, best.cpu_s, statistics.median(m.wall_s for m in measured))


def _baseform(*args: str) -> list[str]:
    return [sys.executable, "-m", "baseform", *args]


def measure_floor(*, progress: Callable[[str], None]) -> Floor:
    """Start-up, validate and a no-op plan as processes (see the module docstring)."""
    env = {**os.environ, "NO_COLOR": "1"}
    help_ = _best("baseform --help", _baseform("--help"), env)
    progress(f"floor: baseform --help {help_.wall_s:.3f} s (CPU {help_.cpu_s:.3f} s)")
    with tempfile.TemporaryDirectory(prefix="baseform-bench-floor-") as tmp:
        manifest = Path(tmp) / "appwrite-300.yaml"
        manifest.write_text(appwrite.generate(FLOOR_TABLES))
        parse = _best("C-YAML parse", [sys.executable, "-c", _PARSE, str(manifest)], env)
        validate = _best("baseform validate", _baseform("validate", str(manifest)), env)
        progress(f"floor: parse {parse.wall_s:.3f} s, validate {validate.wall_s:.3f} s")
        with start_server("appwrite", latency_ms=0.0, readiness_s=0.0) as server:
            server_env = {**env, **server.env}
            applied = run_measured(_baseform("apply", "--auto-approve", str(manifest)), cwd=_ROOT, env=server_env,
                                   timeout_s=1800)
            if applied.returncode != 0:
                noop = Timing("baseform plan (no-op)", error=f"the apply before it exited {applied.returncode}: "
                                                              + applied.stdout[-300:])
            else:
                noop = _best("baseform plan (no-op)", _baseform("plan", str(manifest)), server_env)
        progress(f"floor: no-op plan {noop.wall_s:.3f} s")
    return Floor(help_, parse, validate, noop)
