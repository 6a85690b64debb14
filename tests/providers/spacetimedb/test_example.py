"""The SpacetimeDB example runs as its comments say, against the emulator."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.providers.spacetimedb.conftest import Spacetime

EXAMPLE = Path(__file__).parents[3] / "examples" / "spacetimedb"


def test_the_example_applies_and_meets_its_contract(spacetime: Spacetime) -> None:
    project = spacetime.tmp / "example"
    shutil.copytree(EXAMPLE, project)
    result = spacetime.cli("apply", str(project), "--auto-approve")
    assert result.code == 0, result.text
    assert "Converged" in result.out
    assert sorted(t["name"] for t in spacetime.schema("quickstart-chat")["tables"]) == ["message", "user"]


def test_the_example_spacetime_json_reads_as_the_same_database(spacetime: Spacetime) -> None:
    result = spacetime.cli("validate", str(EXAMPLE / "spacetime.json"))
    assert result.code == 0, result.text
    assert "Valid: 1 resource(s)" in result.out
