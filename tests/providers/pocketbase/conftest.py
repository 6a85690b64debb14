"""Fixtures for the PocketBase provider tests: the real server, and a way to run the CLI against it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.clirun import CliResult, run_cli
from tests.pocketbase_fixture import (  # noqa: F401  (the fixtures register by being imported)
    PocketBaseServer,
    pocketbase_fixture,
    pocketbase_server_fixture,
    start_pocketbase,
)

Baseform = Callable[..., CliResult]


def connection_env(server: PocketBaseServer) -> dict[str, str]:
    """The environment that points baseform at ``server``."""
    return {"POCKETBASE_URL": server.url, "POCKETBASE_EMAIL": server.email, "POCKETBASE_PASSWORD": server.password}


@pytest.fixture
def manifest(tmp_path: Path) -> Callable[[str], Path]:
    """Write a manifest (dedented YAML under ``pocketbase:``) to a file and return its path."""

    def write(body: str, name: str = "baseform.yaml") -> Path:
        path = tmp_path / name
        path.write_text("version: 1\npocketbase:\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), "  ")
                        + "\n")
        return path

    return write


@pytest.fixture
def baseform(pocketbase: PocketBaseServer) -> Baseform:
    """``baseform ARGS`` against the freshly reset test server."""

    def run(*argv: str | Path) -> CliResult:
        return run_cli([str(a) for a in argv], env=connection_env(pocketbase))

    return run


@pytest.fixture(scope="session")
def server_b_once(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PocketBaseServer]:
    with start_pocketbase(tmp_path_factory.mktemp("pocketbase-b") / "pb_data") as server:
        yield server


@pytest.fixture
def server_b(server_b_once: PocketBaseServer) -> PocketBaseServer:
    """A second, empty PocketBase (fresh-install collections only), shared by the session."""
    server_b_once.reset()
    return server_b_once
