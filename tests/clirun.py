"""Run the baseform CLI and capture what it prints (shared by all test suites): in-process
(:func:`run_cli`, fast, with injectable transports) or as a real ``python -m baseform`` process
(:func:`run_process`), as users and CI run it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

import baseform
from baseform.cli import main
from baseform.providers.base import Provider


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def run_cli(argv: Sequence[str], *, env: Mapping[str, str] | None = None, stdin: str | None = None,
            registry: Sequence[type[Provider]] | None = None,
            transports: Mapping[str, httpx.AsyncBaseTransport] | None = None) -> CliResult:
    """``baseform ARGV`` with ``env`` as the whole environment (nothing leaks in from the test run)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), registry=registry, transports=transports, environ=dict(env or {}),
                stdin=io.StringIO(stdin) if stdin is not None else None, stdout=out, stderr=err)
    return CliResult(code, out.getvalue(), err.getvalue())


# -- baseform as a separate process, as users run it ---------------------------------------------------

PACKAGE_ROOT = str(Path(baseform.__file__).resolve().parents[1])
"""The directory holding the ``baseform`` package this test run imports (installed or not)."""


def process_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a ``python -m baseform`` child: ENV, plus PATH and the package under test."""
    return {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": PACKAGE_ROOT, "NO_COLOR": "1", **(env or {})}


def start_process(argv: Sequence[str], *, env: Mapping[str, str] | None = None,
                  cwd: str | Path | None = None) -> subprocess.Popen[str]:
    """Start ``python -m baseform ARGV`` (stdin closed, output captured)."""
    return subprocess.Popen([sys.executable, "-m", "baseform", *argv], env=process_env(env), cwd=cwd,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_process(process: subprocess.Popen[str], timeout_s: float = 120) -> CliResult:
    """Wait for a process from :func:`start_process` and collect what it printed."""
    try:
        out, err = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()  # the test's own child, by its handle
        out, err = process.communicate()
        raise AssertionError(f"baseform {process.args} did not finish in {timeout_s} s:\n{out}{err}") from None
    return CliResult(process.returncode, out, err)


def run_process(argv: Sequence[str], *, env: Mapping[str, str] | None = None,
                cwd: str | Path | None = None, timeout_s: float = 120) -> CliResult:
    """``python -m baseform ARGV`` in a process of its own, to completion."""
    return finish_process(start_process(argv, env=env, cwd=cwd), timeout_s)
