"""Fixtures for the Appwrite provider tests: one emulator per session, reset for every test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.clirun import CliResult, run_cli
from tests.emulators.appwrite import DEFAULT_VERSION, AppwriteEmulator
from tests.emulators.server import RunningEmulator, serve

PROJECT = "test"
KEY = "secret-key"


@dataclass
class Appwrite:
    """A reset emulator plus helpers to write manifests and run the CLI against it."""

    server: RunningEmulator
    tmp: Path

    @property
    def emulator(self) -> AppwriteEmulator:
        assert isinstance(self.server.emulator, AppwriteEmulator)
        return self.server.emulator

    @property
    def env(self) -> dict[str, str]:
        return {"APPWRITE_ENDPOINT": f"{self.server.url}/v1", "APPWRITE_PROJECT_ID": PROJECT,
                "APPWRITE_API_KEY": KEY}

    def manifest(self, section: dict[str, Any] | str, name: str = "baseform.yaml") -> str:
        """Write a manifest whose ``appwrite:`` section is ``section`` (a dict, or YAML text)."""
        text = section if isinstance(section, str) else yaml.safe_dump(
            {"version": 1, "appwrite": section}, sort_keys=False)
        path = self.tmp / name
        path.write_text(text)
        return str(path)

    def cli(self, *argv: str) -> CliResult:
        return run_cli(list(argv), env=self.env)

    def apply(self, section: dict[str, Any] | str, *flags: str) -> CliResult:
        """Apply ``section`` (destroy allowed); the CLI itself fails unless a second plan is empty."""
        result = self.cli("apply", self.manifest(section), "--auto-approve", "--allow-destroy", *flags)
        assert result.code == 0, result.text
        assert "Converged" in result.out, result.text
        return result

    def plan(self, section: dict[str, Any] | str) -> dict[str, Any]:
        """The JSON plan of ``section``."""
        result = self.cli("plan", self.manifest(section), "--format", "json")
        assert result.code == 0, result.text
        data: dict[str, Any] = json.loads(result.out)
        return data

    def changes(self, section: dict[str, Any] | str) -> dict[str, dict[str, Any]]:
        """address -> change, for the changes that do something."""
        return {c["address"]: c for c in self.plan(section)["changes"] if c["action"] != "no-op"}

    def requests(self) -> int:
        return int(self.emulator.stats["requests"])

    def get(self, path: str) -> Any:
        """A GET of the API (``/tablesdb/...``) over HTTP, with the project's key: the server's own answer."""
        response = httpx.get(f"{self.server.url}/v1{path}", headers={"X-Appwrite-Project": PROJECT,
                                                                     "X-Appwrite-Key": KEY}, timeout=10)
        response.raise_for_status()
        return response.json()

    def table(self, db: str, table: str) -> dict[str, Any]:
        """The table as the server reports it over HTTP (columns and indexes included)."""
        result: dict[str, Any] = self.get(f"/tablesdb/{db}/tables/{table}")
        return result

    def sent(self, method: str, path_part: str = "") -> list[tuple[str, Any]]:
        """(path, body) of the API requests the server received with ``method`` and ``path_part`` in the path."""
        return [(path, body) for m, path, body in self.emulator.journal if m == method and path_part in path]


def start(version: str = DEFAULT_VERSION, engine: str = "mariadb") -> RunningEmulator:
    return serve(AppwriteEmulator(project=PROJECT, api_key=KEY, version=version, engine=engine,
                                  column_delay_s=0.02))


@pytest.fixture(scope="session")
def appwrite_server() -> Iterator[RunningEmulator]:
    running = start()
    yield running
    running.stop()


@pytest.fixture()
def appwrite(appwrite_server: RunningEmulator, tmp_path: Path) -> Appwrite:
    with appwrite_server.emulator.lock:
        appwrite_server.emulator.reset()
        appwrite_server.emulator.set_faults()
    return Appwrite(appwrite_server, tmp_path)


@pytest.fixture()
def old_appwrite(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Appwrite]:
    """An emulator of the version given by ``@pytest.mark.parametrize("old_appwrite", [...], indirect=True)``."""
    running = start(request.param)
    yield Appwrite(running, tmp_path)
    running.stop()


@pytest.fixture()
def appwrite_at(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Appwrite]:
    """An emulator of the (version, engine) given by ``@pytest.mark.parametrize("appwrite_at", [...],
    indirect=True)`` (a version string alone means MariaDB)."""
    version, engine = request.param if isinstance(request.param, tuple) else (request.param, "mariadb")
    running = start(version, engine)
    yield Appwrite(running, tmp_path)
    running.stop()
