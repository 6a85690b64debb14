"""``spacetime.json`` (the spacetime CLI's project file) read as a manifest."""

from __future__ import annotations

import json

from tests.providers.spacetimedb.chat import chat
from tests.providers.spacetimedb.conftest import Spacetime


def _write(spacetime: Spacetime, config: object, name: str = "spacetime.json") -> str:
    path = spacetime.tmp / name
    path.write_text(json.dumps(config, indent=2))
    return str(path)


def test_spacetime_json_with_children_publishes_each_database(spacetime: Spacetime) -> None:
    spacetime.module(chat(), "chat.wasm")
    spacetime.module(chat(room=True), "rooms.wasm")
    config = _write(spacetime, {
        "server": spacetime.server.url, "bin-path": "chat.wasm", "generate": [{"language": "typescript"}],
        "children": [{"database": "region-1"}, {"database": "region-2", "bin-path": "rooms.wasm",
                                                "break-clients": True}]})
    env = {"SPACETIMEDB_TOKEN": spacetime.token}  # the host comes from the file's server
    result = spacetime.cli("apply", config, "--auto-approve", env=env)
    assert result.code == 0, result.text
    assert "spacetimedb.databases.region-1 will be created" in result.out
    region_2 = spacetime.schema("region-2")
    assert sorted(t["name"] for t in region_2["tables"]) == ["message", "room", "user"]
    assert sorted(t["name"] for t in spacetime.schema("region-1")["tables"]) == ["message", "user"]
    assert spacetime.cli("plan", config, "--detailed-exitcode", env=env).code == 0


def test_a_source_directory_is_not_a_module(spacetime: Spacetime) -> None:
    config = _write(spacetime, {"database": "quickstart-chat", "module-path": "./server", "server": "maincloud",
                                "build-options": "--debug", "lang": "rust"})
    result = spacetime.cli("validate", config)
    assert result.code == 1
    assert "spacetime.json:3" in result.err  # module-path is on the third line
    assert "set bin-path to the .wasm" in result.err
    assert "unknown spacetime.json key 'lang' (ignored)" in result.err


def test_a_missing_artifact_is_reported_where_it_is_named(spacetime: Spacetime) -> None:
    config = _write(spacetime, {"database": "quickstart-chat", "bin-path": "target/chat.wasm"})
    result = spacetime.cli("validate", config)
    assert result.code == 1
    assert "spacetime.json:3" in result.err and "cannot read" in result.err and "target/chat.wasm" in result.err
