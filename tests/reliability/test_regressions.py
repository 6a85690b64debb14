"""Small, explicit cases that the property tests (test_convergence*.py) found, kept as plain tests so a
regression shows up by name. A case marked ``xfail(strict=True)`` is a known bug not fixed yet: when
it is fixed the test "unexpectedly passes" and fails, so the marker (and the workaround it names in a
strategy) must go.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.clirun import run_cli
from tests.emulators.server import RunningServer
from tests.pocketbase_fixture import PocketBaseServer
from tests.reliability.conftest import appwrite_env


@pytest.fixture()
def appwrite(appwrite_server: RunningServer) -> Iterator[RunningServer]:
    appwrite_server.backend.reset()
    appwrite_server.backend.clear_faults()
    yield appwrite_server


def _appwrite_manifest(path: Path, columns: list[dict[str, Any]]) -> str:
    table = {"id": "t", "name": "T", "columns": columns}
    path.write_text(yaml.safe_dump({"version": 1, "appwrite": {"databases": [
        {"id": "db", "name": "DB", "tables": [table]}]}}))
    return str(path)


def test_appwrite_relationship_column_becoming_varchar_is_replaced(appwrite: RunningServer, tmp_path: Path) -> None:
    env = appwrite_env(appwrite)
    before = _appwrite_manifest(tmp_path / "a.yaml", [
        {"key": "name", "type": "text"},
        {"key": "extra", "type": "relationship", "relatedTable": "t", "relationType": "oneToOne"}])
    assert run_cli(["apply", before, "--auto-approve"], env=env).code == 0
    after = _appwrite_manifest(tmp_path / "b.yaml", [
        {"key": "name", "type": "text"}, {"key": "extra", "type": "varchar", "size": 20}])
    plan = run_cli(["plan", after], env=env)
    assert "columns.extra must be replaced" in plan.out, plan.text
    result = run_cli(["apply", after, "--auto-approve", "--allow-destroy"], env=env)
    assert result.code == 0, result.text
    assert run_cli(["plan", after, "--detailed-exitcode"], env=env).code == 0


def test_pocketbase_renames_into_names_that_are_freed_keep_the_data(pocketbase_server: PocketBaseServer,
                                                                    tmp_path: Path) -> None:
    pocketbase_server.reset()
    env = {"POCKETBASE_URL": pocketbase_server.url, "POCKETBASE_EMAIL": pocketbase_server.email,
           "POCKETBASE_PASSWORD": pocketbase_server.password}

    def manifest(name: str, fields: list[dict[str, Any]]) -> str:
        path = tmp_path / name
        path.write_text(yaml.safe_dump({"version": 1, "pocketbase": {"collections": [
            {"name": "items", "fields": fields}]}}))
        return str(path)

    before = manifest("a.yaml", [{"name": "a", "type": "number"}, {"name": "b", "type": "number"},
                                 {"name": "c", "type": "text"}])
    assert run_cli(["apply", before, "--auto-approve"], env=env).code == 0
    pocketbase_server.http.post("/api/collections/items/records", json={"a": 1, "b": 2, "c": "three"})
    # a -> b -> (b's old name is taken by a) and c -> a: a chain of renames into freed names
    after = manifest("b.yaml", [{"name": "b", "type": "number", "renamedFrom": "a"},
                                {"name": "x", "type": "number", "renamedFrom": "b"},
                                {"name": "a", "type": "text", "renamedFrom": "c"}])
    plan = run_cli(["plan", after], env=env)
    if plan.code == 1:  # refusing the hints with a clear error is acceptable too
        assert "renamedFrom" in plan.err and "Traceback" not in plan.text
        return
    assert "destroy" not in plan.out.split("Plan:")[-1].split("\n")[0].replace("0 to destroy", ""), plan.out
    result = run_cli(["apply", after, "--auto-approve"], env=env)
    assert result.code == 0, result.text
    record = pocketbase_server.http.get("/api/collections/items/records").json()["items"][0]
    assert (record["b"], record["x"], record["a"]) == (1, 2, "three")
