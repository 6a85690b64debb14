"""Export (owned databases with their live schema as ``expect``), unmanaged databases and ``prune``."""

from __future__ import annotations

import yaml

from tests.providers.spacetimedb.chat import MANIFEST, chat
from tests.providers.spacetimedb.conftest import Spacetime


def test_export_writes_the_live_schema_as_expect_and_plans_clean(spacetime: Spacetime) -> None:
    spacetime.module(chat(room=True, public_messages=True), "chat.wasm")
    assert spacetime.apply(MANIFEST).code == 0
    out = str(spacetime.tmp / "exported.yaml")
    result = spacetime.cli("export", "--provider", "spacetimedb", "--out", out)
    assert result.code == 0, result.text
    text = (spacetime.tmp / "exported.yaml").read_text()
    assert spacetime.token not in text
    document = yaml.safe_load(text)
    assert document["providers"]["spacetimedb"] == {"host": '{{ env.SPACETIMEDB_HOST | default("") }}',
                                                    "token": '{{ env.SPACETIMEDB_TOKEN | default("") }}'}
    (database,) = document["spacetimedb"]["databases"]
    assert database["name"] == "quickstart-chat" and "module" not in database
    tables = {t["name"]: t for t in database["expect"]["tables"]}
    assert tables["user"] == {"name": "user", "access": "public", "primaryKey": ["id"],
                              "columns": ["id", "name", "online"]}
    assert tables["message"]["access"] == "public" and tables["room"]["columns"] == ["id", "title"]

    again = spacetime.cli("plan", out, "--detailed-exitcode")
    assert again.code == 0, again.text


def test_undeclared_databases_are_unmanaged_unless_pruned(spacetime: Spacetime) -> None:
    spacetime.module(chat(), "chat.wasm")
    assert spacetime.apply(MANIFEST).code == 0
    other = MANIFEST.replace("quickstart-chat", "scratch")
    assert spacetime.apply(other).code == 0

    plan = spacetime.plan(MANIFEST, "--detailed-exitcode")
    assert plan.code == 0, plan.text
    assert "Unmanaged" in plan.out and "spacetimedb.databases.scratch" in plan.out

    pruning = MANIFEST.replace("spacetimedb:\n", "spacetimedb:\n  prune: true\n")
    refused = spacetime.apply(pruning)
    assert refused.code == 1 and "--allow-destroy" in refused.text
    assert spacetime.http().get("/v1/database/scratch").status_code == 200
    result = spacetime.apply(pruning, "--allow-destroy")
    assert result.code == 0, result.text
    assert spacetime.http().get("/v1/database/scratch").status_code == 404
    assert spacetime.http().get("/v1/database/quickstart-chat").status_code == 200
