"""The checked-in JSON Schema must match the models (run `baseform schema` after changing them)."""

from __future__ import annotations

import json
from pathlib import Path

from baseform.manifest.schema import SCHEMA_FILE, manifest_schema
from baseform.providers import default_registry
from tests.clirun import run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_checked_in_schema_is_up_to_date() -> None:
    checked_in = json.loads((ROOT / "schemas" / SCHEMA_FILE).read_text())
    assert checked_in == manifest_schema(default_registry()), "schemas/ is stale: run `baseform schema`"


def test_schema_command_writes_the_file(tmp_path: Path) -> None:
    result = run_cli(["schema", "--out", str(tmp_path)])
    assert result.code == 0
    schema = json.loads((tmp_path / SCHEMA_FILE).read_text())
    assert schema["title"] == "baseform manifest" and "version" in schema["properties"]


def test_every_example_declares_the_schema_for_editors() -> None:
    for path in sorted((ROOT / "examples").rglob("*.yaml")):
        if "envs" in path.parts or "vars" in path.stem:
            continue
        assert "# yaml-language-server: $schema=" in path.read_text().splitlines()[0], path
