"""Run the baseform CLI in-process and capture what it prints (shared by all test suites)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx

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
