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


@pytest.mark.xfail(strict=True, reason="engine/diff.py: DeepDiff's threshold_to_diff_deeper (0.33 by default) "
                   "reports two column shapes with few keys in common as one change at the root, which no "
                   "replace_on rule matches, so the type change is planned as an update; the fix is "
                   "threshold_to_diff_deeper=0 in diff_fields (reported to the lead). Workaround in "
                   "appwrite_schemas._column(like=...).")
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
