"""A command in a child process, measured: its own wall time, CPU time and peak memory.

The child is waited for with ``os.wait4``, so the CPU time (user + system) and max RSS are the
child's alone, whatever else the bench has running.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Measured", "run_measured"]


@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str
    wall_s: float
    cpu_s: float
    peak_mb: float


def run_measured(command: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout_s: float) -> Measured:
    """Run ``command`` to its end (killed after ``timeout_s``) and measure it."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(command), cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL, stdout=out,
                                stderr=err, text=True)
        deadline = t0 + timeout_s
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(proc.returncode, out.read(), err.read(), wall, usage.ru_utime + usage.ru_stime,
                        usage.ru_maxrss / 1024)
