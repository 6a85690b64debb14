"""The SpacetimeDB round trip against a real host (opt-in): ``SPACETIMEDB_HOST``, ``SPACETIMEDB_TOKEN``
(an owner's token) and ``SPACETIMEDB_MODULE`` (a built module: a .wasm from ``spacetime build`` or a
JS bundle). Publishes it to a fresh database name, checks that a second plan is empty, exports and
plans the export, then deletes the database with a direct API call, whatever happened.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live.test_live_roundtrip import round_trip, settings

pytestmark = pytest.mark.live


@pytest.fixture()
def spacetime_env() -> dict[str, str]:
    return settings("SpacetimeDB", ("SPACETIMEDB_HOST", "SPACETIMEDB_TOKEN", "SPACETIMEDB_MODULE"))


@pytest.fixture()
def database(spacetime_env: dict[str, str]) -> Iterator[str]:
    name = f"baseform-live-{secrets.token_hex(4)}"
    yield name
    httpx.delete(f"{spacetime_env['SPACETIMEDB_HOST'].rstrip('/')}/v1/database/{name}",
                 headers={"Authorization": f"Bearer {spacetime_env['SPACETIMEDB_TOKEN']}"}, timeout=60)


def test_spacetimedb(spacetime_env: dict[str, str], database: str, tmp_path: Path) -> None:
    module = Path(spacetime_env["SPACETIMEDB_MODULE"]).resolve()
    path = tmp_path / "baseform.yaml"
    path.write_text(f"spacetimedb:\n  databases:\n    - name: {database}\n      module: {module}\n")
    section = round_trip("spacetimedb", spacetime_env, [str(path)], tmp_path, ("SPACETIMEDB_TOKEN",))
    ours = [d for d in section["databases"] if d["name"] == database]
    assert len(ours) == 1 and ours[0]["expect"]["tables"], section
