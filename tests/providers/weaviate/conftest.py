"""Weaviate emulators for the provider tests and helpers to run the CLI against them.

Servers are started once per session (one per emulated configuration) and reset before each test
that uses them, so every test starts from an empty schema.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.clirun import CliResult, run_cli
from tests.emulators.server import RunningEmulator, serve
from tests.emulators.weaviate import WeaviateEmulator, stop_all

API_KEY = "wv-test-key-91f3"


@dataclass
class Weaviate:
    """One emulated server plus a temporary directory for manifests."""

    server: RunningEmulator
    tmp: Path
    api_key: str | None = None

    @property
    def emulator(self) -> WeaviateEmulator:
        emulator = self.server.emulator
        assert isinstance(emulator, WeaviateEmulator)
        return emulator

    @property
    def env(self) -> dict[str, str]:
        env = {"WEAVIATE_URL": self.server.url}
        if self.api_key:
            env["WEAVIATE_API_KEY"] = self.api_key
        return env

    def manifest(self, text: str, name: str = "baseform.yaml") -> str:
        path = self.tmp / name
        path.write_text(textwrap.dedent(text))
        return str(path)

    def cli(self, *argv: str) -> CliResult:
        return run_cli(list(argv), env=self.env)

    def apply(self, text: str, *flags: str) -> CliResult:
        return self.cli("apply", self.manifest(text), "--auto-approve", *flags)

    def plan(self, text: str, *flags: str) -> CliResult:
        return self.cli("plan", self.manifest(text), *flags)

    def converged(self, text: str) -> bool:
        """True when a plan of ``text`` shows no changes (exit 0 with --detailed-exitcode)."""
        return self.plan(text, "--detailed-exitcode").code == 0

    def plan_json(self, text: str) -> dict[str, Any]:
        """The JSON plan of ``text`` (changes and the operations apply would run)."""
        result = self.plan(text, "--format", "json")
        assert result.code == 0, result.text
        plan: dict[str, Any] = json.loads(result.out)
        return plan

    def http(self) -> httpx.Client:
        """A raw HTTP client for the server (reads it back independently of baseform)."""
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        return httpx.Client(base_url=self.server.url, headers=headers, trust_env=False)

    def schema(self, name: str) -> dict[str, Any]:
        """``GET /v1/schema/{name}`` as the server answers it."""
        with self.http() as http:
            body: dict[str, Any] = http.get(f"/v1/schema/{name}").json()
        return body


@pytest.fixture(scope="session")
def weaviate_servers() -> Iterator[dict[str, RunningEmulator]]:
    running = {
        "1.32": serve(WeaviateEmulator("1.32.0")),
        "1.30": serve(WeaviateEmulator("1.30.0")),
        "1.36": serve(WeaviateEmulator("1.36.0", modules=("text2vec-openai", "generative-openai"))),
        "auth": serve(WeaviateEmulator("1.32.0", api_key=API_KEY)),
    }
    yield running
    stop_all(running.values())


def _fresh(servers: dict[Any, RunningEmulator], key: Any, tmp_path: Path, api_key: str | None = None) -> Weaviate:
    server = servers[key]
    server.emulator.reset()
    server.emulator.set_faults(latency_ms=0, error_5xx_rate=0, rate_limit_rate=0, drop_after_commit_rate=0,
                               drop_before_rate=0, hang_s=0)
    return Weaviate(server, tmp_path, api_key)


@pytest.fixture()
def weaviate(weaviate_servers: dict[str, RunningEmulator], tmp_path: Path) -> Weaviate:
    """An empty Weaviate 1.32 (no auth, no modules)."""
    return _fresh(weaviate_servers, "1.32", tmp_path)


@pytest.fixture()
def weaviate_130(weaviate_servers: dict[str, RunningEmulator], tmp_path: Path) -> Weaviate:
    """An empty Weaviate 1.30: adding named vectors is not possible yet."""
    return _fresh(weaviate_servers, "1.30", tmp_path)


@pytest.fixture()
def weaviate_136(weaviate_servers: dict[str, RunningEmulator], tmp_path: Path) -> Weaviate:
    """An empty Weaviate 1.36 with text2vec-openai and generative-openai enabled."""
    return _fresh(weaviate_servers, "1.36", tmp_path)


def assert_reported(err: str, path: str, expected: dict[int, str] | list[tuple[int, str]]) -> None:
    """Each (line, message) is one row of ``err`` located at ``path:line``."""
    rows = err.splitlines()
    for line, message in expected.items() if isinstance(expected, dict) else expected:
        assert any(f"{path}:{line}" in row and message in row for row in rows), (line, message, err)


WeaviateAt = Callable[..., Weaviate]
"""``weaviate_at(version, **settings)``: an empty emulated server of that release and configuration
(``modules``, ``nodes``, ``default_quantization``, ``default_vector_index``, ``hfresh``...)."""


@pytest.fixture(scope="session")
def weaviate_releases() -> Iterator[dict[tuple[Any, ...], RunningEmulator]]:
    started: dict[tuple[Any, ...], RunningEmulator] = {}
    yield started
    stop_all(started.values())


@pytest.fixture()
def weaviate_at(weaviate_releases: dict[tuple[Any, ...], RunningEmulator], tmp_path: Path) -> WeaviateAt:
    """The version matrix: each release/configuration is started once per session and reset per use."""

    def get(version: str, **settings: Any) -> Weaviate:
        key = (version, *sorted((k, str(v)) for k, v in settings.items()))
        if key not in weaviate_releases:
            modules = tuple(settings.pop("modules", ()))
            weaviate_releases[key] = serve(WeaviateEmulator(version, modules=modules, **settings))
        return _fresh(weaviate_releases, key, tmp_path)

    return get


@pytest.fixture()
def weaviate_auth(weaviate_servers: dict[str, RunningEmulator], tmp_path: Path) -> Weaviate:
    """An empty Weaviate 1.32 that requires the API key :data:`API_KEY`."""
    return _fresh(weaviate_servers, "auth", tmp_path, API_KEY)
