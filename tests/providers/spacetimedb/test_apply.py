"""SpacetimeDB end to end through the CLI against the emulator: create, no-op, automatic migrations,
client-breaking and manual ones, saved plans, ownership.

Every apply is checked by reading the host back over its own HTTP API (schema, SQL, database info),
not by baseform's re-plan alone.
"""

from __future__ import annotations

import json

from tests.providers.spacetimedb.chat import MANIFEST, chat
from tests.providers.spacetimedb.conftest import Spacetime


def _tables(schema: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    types = schema["typespace"]["types"]
    out = {}
    for t in schema["tables"]:
        columns = [e["name"]["some"] for e in types[t["product_type_ref"]]["Product"]["elements"]]
        indexes = sorted(i["name"]["some"] for i in t["indexes"])
        out[t["name"]] = {"columns": columns, "access": next(iter(t["table_access"])), "indexes": indexes}
    return out


def test_create_then_no_op(spacetime: Spacetime) -> None:
    spacetime.module(chat(), "chat.wasm")
    plan = spacetime.plan(MANIFEST, "--detailed-exitcode")
    assert plan.code == 2, plan.text
    assert "spacetimedb.databases.quickstart-chat will be created" in plan.out
    assert spacetime.http().get("/v1/database/quickstart-chat").status_code == 404  # plan changed nothing

    result = spacetime.apply(MANIFEST)
    assert result.code == 0, result.text
    assert "Converged" in result.out
    info = spacetime.http().get("/v1/database/quickstart-chat").json()
    assert info["owner_identity"]["__identity__"] == "0x" + spacetime.identity
    assert set(_tables(spacetime.schema("quickstart-chat"))) == {"user", "message"}

    again = spacetime.plan(MANIFEST, "--detailed-exitcode")
    assert again.code == 0, again.text
    assert "No changes" in again.out


def test_automatic_migration_shows_the_hosts_plan_and_keeps_data(spacetime: Spacetime) -> None:
    spacetime.module(chat(), "chat.wasm")
    assert spacetime.apply(MANIFEST).code == 0
    spacetime.sql("quickstart-chat", "INSERT INTO message (sender, sent, text) VALUES (1, 10, 'hello')")

    spacetime.module(chat(room=True, sent_index=True, public_messages=True), "chat.wasm")
    plan = spacetime.plan(MANIFEST, "--detailed-exitcode")
    assert plan.code == 2, plan.text
    assert "spacetimedb.databases.quickstart-chat will be updated in place" in plan.out
    assert "▸ Created user table: room (public)" in plan.out
    assert "▸ Created index message_sent_idx_btree on [sent] of table message" in plan.out
    assert "▸ Changed access for table message (private → public)" in plan.out
    assert "breaks clients" not in plan.out

    result = spacetime.apply(MANIFEST)
    assert result.code == 0, result.text
    tables = _tables(spacetime.schema("quickstart-chat"))
    assert tables["room"]["columns"] == ["id", "title"]
    assert "message_sent_idx_btree" in tables["message"]["indexes"]
    assert tables["message"]["access"] == "Public"
    assert spacetime.sql("quickstart-chat", "SELECT * FROM message") == [[1, 10, "hello"]]


def test_client_breaking_change_needs_break_clients(spacetime: Spacetime) -> None:
    spacetime.module(chat(), "chat.wasm")
    assert spacetime.apply(MANIFEST).code == 0
    spacetime.sql("quickstart-chat", "INSERT INTO user (id, name, online) VALUES (0, 'ada', true)")
    before = spacetime.http().post("/v1/database/quickstart-chat/sql", content=b"SELECT program_hash FROM st_module")

    spacetime.module(chat(user_age=True), "chat.wasm")  # a column added with a default rewrites the table
    plan = spacetime.plan(MANIFEST)
    assert plan.code == 1
    assert "breaks clients" in plan.err and "breakClients: true" in plan.err
    assert "Created column in table user" in plan.err
    assert "baseform.yaml:4" in plan.err  # located at the database's entry
    refused = spacetime.apply(MANIFEST)
    assert refused.code == 1
    after = spacetime.http().post("/v1/database/quickstart-chat/sql", content=b"SELECT program_hash FROM st_module")
    assert after.json() == before.json()  # nothing was published

    allowed = MANIFEST + "      breakClients: true\n"
    plan = spacetime.plan(allowed)
    assert plan.code == 0, plan.text
    assert "+ age: U32 (default: U32(" in plan.out
    assert "breaks clients: every connected client is disconnected" in plan.out
    result = spacetime.apply(allowed)
    assert result.code == 0, result.text
    assert "disconnects all clients" in result.out
    assert spacetime.sql("quickstart-chat", "SELECT name, age FROM user") == [["ada", 18]]


def test_manual_migration_is_refused_unless_data_may_be_deleted(spacetime: Spacetime) -> None:
    spacetime.module(chat(), "chat.wasm")
    assert spacetime.apply(MANIFEST).code == 0
    spacetime.sql("quickstart-chat", "INSERT INTO user (id, name, online) VALUES (0, 'ada', true), (0, 'bob', false)")

    spacetime.module(chat(drop_online=True), "chat.wasm")
    plan = spacetime.plan(MANIFEST)
    assert plan.code == 1
    assert "needs a manual migration" in plan.err
    assert "Removing a column online from table user requires a manual migration" in plan.err
    assert "deleteData" in plan.err
    assert "baseform.yaml:4" in plan.err

    clearing = MANIFEST + "      deleteData: always\n"
    plan = spacetime.plan(clearing)
    assert plan.code == 0, plan.text
    assert "must be replaced" in plan.out
    assert "Removing a column online from table user requires a manual migration" in plan.out
    assert "every row of every table is deleted" in plan.out
    refused = spacetime.apply(clearing)
    assert refused.code == 1
    assert "--allow-destroy" in refused.text
    assert len(spacetime.sql("quickstart-chat", "SELECT * FROM user")) == 2  # still there

    result = spacetime.apply(clearing, "--allow-destroy")
    assert result.code == 0, result.text
    assert spacetime.sql("quickstart-chat", "SELECT * FROM user") == []  # the data is gone
    assert _tables(spacetime.schema("quickstart-chat"))["user"]["columns"] == ["id", "name"]


def test_on_conflict_keeps_data_when_the_host_can_migrate(spacetime: Spacetime) -> None:
    manifest = MANIFEST + "      deleteData: onConflict\n"
    spacetime.module(chat(), "chat.wasm")
    assert spacetime.apply(manifest).code == 0
    spacetime.sql("quickstart-chat", "INSERT INTO message (sender, sent, text) VALUES (1, 2, 'kept')")
    spacetime.module(chat(room=True), "chat.wasm")
    result = spacetime.apply(manifest)
    assert result.code == 0, result.text
    assert "updated in place" in result.out
    assert spacetime.sql("quickstart-chat", "SELECT text FROM message") == [["kept"]]


def test_saved_plan_is_refused_when_the_live_module_changed(spacetime: Spacetime) -> None:
    spacetime.module(chat(), "chat.wasm")
    assert spacetime.apply(MANIFEST).code == 0
    spacetime.module(chat(room=True), "chat.wasm")
    plan_file = str(spacetime.tmp / "plan.json")
    assert spacetime.cli("plan", spacetime.manifest(MANIFEST), "--out", plan_file).code == 0

    spacetime.publish_by_hand(chat(sent_index=True))  # meanwhile someone publishes another module

    result = spacetime.cli("apply", "--plan", plan_file)
    assert result.code == 1
    assert "is stale" in result.err and "the live object changed since the plan" in result.err
    tables = _tables(spacetime.schema("quickstart-chat"))
    assert "room" not in tables and "message_sent_idx_btree" in tables["message"]["indexes"]


def test_saved_plan_is_refused_when_the_artifact_changed(spacetime: Spacetime) -> None:
    spacetime.module(chat(), "chat.wasm")
    plan_file = str(spacetime.tmp / "plan.json")
    assert spacetime.cli("plan", spacetime.manifest(MANIFEST), "--out", plan_file).code == 0
    saved = json.loads((spacetime.tmp / "plan.json").read_text())
    publish = saved["operations"][0]["request"]
    assert publish["content"]["file"].endswith("chat.wasm") and publish["content"]["digest"].startswith("sha256:")
    assert "typespace" not in json.dumps(saved)  # the plan holds the artifact's digest, never its bytes

    spacetime.module(chat(room=True), "chat.wasm")  # rebuilt after review
    result = spacetime.cli("apply", "--plan", plan_file)
    assert result.code == 1
    assert "the manifest changed since the plan was made" in result.err
    assert spacetime.http().get("/v1/database/quickstart-chat").status_code == 404

    spacetime.module(chat(), "chat.wasm")  # the reviewed bytes again: the saved plan applies
    result = spacetime.cli("apply", "--plan", plan_file)
    assert result.code == 0, result.text
    assert set(_tables(spacetime.schema("quickstart-chat"))) == {"user", "message"}


def test_only_the_owner_may_publish(spacetime: Spacetime) -> None:
    spacetime.module(chat(), "chat.wasm")
    assert spacetime.apply(MANIFEST).code == 0
    stranger, stranger_token = spacetime.new_identity()
    env = {**spacetime.env, "SPACETIMEDB_TOKEN": stranger_token}

    same = spacetime.cli("plan", spacetime.manifest(MANIFEST), "--detailed-exitcode", env=env)
    assert same.code == 0, same.text  # nothing to publish: reading needs no ownership

    spacetime.module(chat(room=True), "chat.wasm")
    plan = spacetime.cli("plan", spacetime.manifest(MANIFEST), env=env)
    assert plan.code == 1
    assert f"the token's identity {stranger[:16]}" in plan.err
    assert "does not own database 'quickstart-chat'" in plan.err
    assert "SPACETIMEDB_TOKEN" in plan.err
    assert "room" not in _tables(spacetime.schema("quickstart-chat"))


def test_a_js_bundle_is_published_as_a_js_module(spacetime: Spacetime) -> None:
    spacetime.module(chat(), "chat.mjs")
    result = spacetime.apply(MANIFEST.replace("chat.wasm", "chat.mjs"))
    assert result.code == 0, result.text
    assert spacetime.http().get("/v1/database/quickstart-chat").json()["host_type"] == {"Js": []}
