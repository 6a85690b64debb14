"""Fixtures for the engine's own tests: the in-memory provider and a CLI bound to it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.clirun import CliResult, run_cli
from tests.unit.memory_provider import MemoryProvider, MemoryServer

SECRET = "s3cr3t-Zebra-4711"
TOKEN = "tok-Quokka-9081"
ENV = {"MEMORY_URL": "http://memory.test", "MEMORY_TOKEN": TOKEN, "THING_SECRET": SECRET}


@pytest.fixture
def server() -> MemoryServer:
    return MemoryServer()


Cli = Callable[..., CliResult]


@pytest.fixture
def cli(server: MemoryServer) -> Cli:
    """``cli("plan", path, ...)`` runs baseform against the in-memory server."""

    def run(*argv: str, env: dict[str, str] | None = None, stdin: str | None = None) -> CliResult:
        return run_cli(argv, env={**ENV, **(env or {})}, stdin=stdin, registry=[MemoryProvider],
                       transports={"memory": server.transport()})

    return run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    def write_file(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return write_file
