"""The local floor: what a command costs before the network, as whole processes a user starts.

* start-up: ``baseform --help``;
* load and validate: ``baseform validate`` of :data:`FLOOR_TABLES` Appwrite tables, next to the bare
  parse of the same file with PyYAML's C loader (``yaml.load(f, CSafeLoader)`` in a fresh
  interpreter: the least any Python tool reading that YAML pays);
* a no-op ``baseform plan`` of the same manifest against a local Appwrite emulator without latency,
  after an apply, so what remains is baseform's own work plus a few local round trips.

Each command runs :data:`RUNS` times, in rounds that run each command once (so that the machine's
load weighs on all alike); the fastest run counts (on a shared machine the others measure the
neighbours), and its CPU time is shown beside it.
"""

from __future__ import annotations

import compileall
import os
import statistics
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.manifests import appwrite
from bench.process import Measured, run_measured
from bench.servers import start_server

__all__ = ["FLOOR_TABLES", "RUNS", "Floor", "Timing", "measure_floor"]

FLOOR_TABLES = 300
RUNS = 9
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


def _timing(label: str, measured: Sequence[Measured]) -> Timing:
    failed = next((m for m in measured if m.returncode not in (0, 2)), None)  # 2 would be "changes"
    if failed is not None:
        tail = " | ".join((failed.stdout + failed.stderr).strip().splitlines()[-3:])
        return Timing(label, error=f"exited {failed.returncode}: {tail[-300:]}")
    best = min(measured, key=lambda m: m.wall_s)
    return Timing(label, best.wall_s, best.cpu_s, statistics.median(m.wall_s for m in measured))


def _rounds(commands: Mapping[str, Sequence[str]], env: dict[str, str], runs: int = RUNS) -> dict[str, Timing]:
    """Each command ``runs`` times, in rounds that run every command once: a change in the machine's
    load over the minutes this takes then weighs on all the commands alike, not on the last ones."""
    measured: dict[str, list[Measured]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, command in commands.items():
            measured[label].append(run_measured(command, cwd=_ROOT, env=env, timeout_s=600))
    return {label: _timing(label, found) for label, found in measured.items()}


def _baseform(*args: str) -> list[str]:
    return [sys.executable, "-m", "baseform", *args]


def measure_floor(*, progress: Callable[[str], None]) -> Floor:
    """Start-up, validate and a no-op plan as processes (see the module docstring)."""
    env = {**os.environ, "NO_COLOR": "1"}
    # an installed package has its modules compiled (pip compiles them as it installs); a checkout on a
    # machine that sets PYTHONDONTWRITEBYTECODE would compile them anew in every process
    compileall.compile_dir(_ROOT / "src" / "baseform", quiet=1)
    help_ = _rounds({"baseform --help": _baseform("--help")}, env)["baseform --help"]
    progress(f"floor: baseform --help {help_.wall_s:.3f} s (CPU {help_.cpu_s:.3f} s)")
    with tempfile.TemporaryDirectory(prefix="baseform-bench-floor-") as tmp:
        manifest = Path(tmp) / "appwrite-300.yaml"
        manifest.write_text(appwrite.generate(FLOOR_TABLES))
        with start_server("appwrite", latency_ms=0.0, readiness_s=0.0) as server:
            server_env = {**env, **server.env}
            applied = run_measured(_baseform("apply", "--auto-approve", str(manifest)), cwd=_ROOT, env=server_env,
                                   timeout_s=1800)
            commands = {"C-YAML parse": [sys.executable, "-c", _PARSE, str(manifest)],
                        "baseform validate": _baseform("validate", str(manifest))}
            if applied.returncode == 0:
                commands["baseform plan (no-op)"] = _baseform("plan", str(manifest))
            timings = _rounds(commands, server_env)
    noop = timings.get("baseform plan (no-op)") or Timing(
        "baseform plan (no-op)", error=f"the apply before it exited {applied.returncode}: " + applied.stdout[-300:])
    parse, validate = timings["C-YAML parse"], timings["baseform validate"]
    progress(f"floor: parse {parse.wall_s:.3f} s, validate {validate.wall_s:.3f} s, no-op plan {noop.wall_s:.3f} s")
    return Floor(help_, parse, validate, noop)
