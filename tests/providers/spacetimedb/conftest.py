"""A SpacetimeDB emulator for the provider tests, and helpers to run the CLI against it.

One emulator per session (reset before each test); each test gets its own owner identity (a token
from ``POST /v1/identity``, as ``spacetime login`` would give), a temporary project directory for
manifests and module artifacts, and a raw-HTTP client to read the host back on its own.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.clirun import CliResult, run_cli
from tests.emulators.server import RunningEmulator, serve
from tests.emulators.spacetimedb import SpacetimeEmulator
from tests.emulators.spacetimedb.modules import ModuleBuilder


@dataclass
class Spacetime:
    """One emulated host, an owner's token, and a project directory."""

    server: RunningEmulator
    tmp: Path
    token: str
    identity: str
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return {"SPACETIMEDB_HOST": self.server.url, "SPACETIMEDB_TOKEN": self.token}

    def http(self, token: str | None = None) -> httpx.Client:
        """A raw client (the host's own HTTP API) authenticated as ``token`` (default: the owner)."""
        token = token or self.token
        if token not in self.clients:
            self.clients[token] = httpx.Client(base_url=self.server.url, headers={"Authorization": f"Bearer {token}"},
                                               verify=False)
        return self.clients[token]

    def new_identity(self) -> tuple[str, str]:
        """Another identity: (identity, token)."""
        answer = self.http().post("/v1/identity").json()
        return answer["identity"], answer["token"]

    def module(self, builder: ModuleBuilder, name: str = "module.wasm") -> str:
        """Write a module artifact (a RawModuleDefV9 document for the emulator) into the project."""
        (self.tmp / name).write_bytes(builder.bytes())
        return name

    def manifest(self, text: str, name: str = "baseform.yaml") -> str:
        path = self.tmp / name
        path.write_text(textwrap.dedent(text))
        return str(path)

    def cli(self, *argv: str, env: dict[str, str] | None = None) -> CliResult:
        return run_cli(list(argv), env=env or self.env)

    def plan(self, text: str, *flags: str) -> CliResult:
        return self.cli("plan", self.manifest(text), *flags)

    def apply(self, text: str, *flags: str) -> CliResult:
        return self.cli("apply", self.manifest(text), "--auto-approve", *flags)

    def publish_by_hand(self, module: ModuleBuilder, database: str = "quickstart-chat") -> None:
        """What `spacetime publish` does: pre_publish, then publish with its token (as the owner)."""
        body = module.bytes()
        pre = self.http().post(f"/v1/database/{database}/pre_publish", content=body).json()
        answer = self.http().put(f"/v1/database/{database}", content=body,
                                 params={"policy": "BreakClients", "token": pre["AutoMigrate"]["token"]})
        assert answer.status_code == 200, answer.text

    def sql(self, database: str, statement: str) -> list[Any]:
        answer = self.http().post(f"/v1/database/{database}/sql", content=statement.encode())
        answer.raise_for_status()
        return list(answer.json()[0]["rows"])

    def schema(self, database: str) -> dict[str, Any]:
        answer = self.http().get(f"/v1/database/{database}/schema", params={"version": "9"})
        answer.raise_for_status()
        return dict(answer.json())


@pytest.fixture(scope="session")
def spacetime_server() -> Iterator[RunningEmulator]:
    running = serve(SpacetimeEmulator())
    yield running
    running.stop()


@pytest.fixture()
def spacetime(spacetime_server: RunningEmulator, tmp_path: Path) -> Iterator[Spacetime]:
    spacetime_server.emulator.reset()
    spacetime_server.emulator.clear_faults()
    answer = httpx.post(f"{spacetime_server.url}/v1/identity").json()
    host = Spacetime(spacetime_server, tmp_path, answer["token"], answer["identity"])
    yield host
    for client in host.clients.values():
        client.close()
