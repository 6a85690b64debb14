"""``expect``, the schema contract: drift a console-free host can still have (someone published another
module by hand), a wrong contract, and databases that are only checked, never published."""

from __future__ import annotations

from tests.providers.spacetimedb.chat import MANIFEST, chat
from tests.providers.spacetimedb.conftest import Spacetime

EXPECT = MANIFEST + """\
      expect:
        tables:
          - {name: user, access: public, primaryKey: [id], columns: [id, name, online]}
          - {name: message, access: private, columns: [sender, sent, text]}
"""


def test_drift_from_a_hand_published_module_is_shown_against_expect(spacetime: Spacetime) -> None:
    # the team lets baseform revert drift even when that disconnects clients (removing a table does)
    manifest = EXPECT.replace("      module: chat.wasm\n", "      module: chat.wasm\n      breakClients: true\n")
    spacetime.module(chat(), "chat.wasm")
    assert spacetime.apply(manifest).code == 0
    assert spacetime.plan(manifest, "--detailed-exitcode").code == 0

    spacetime.publish_by_hand(chat(public_messages=True, room=True))
    plan = spacetime.plan(manifest, "--detailed-exitcode")
    assert plan.code == 2, plan.text
    assert '~ expect.tables.message.access = "public" -> "private"' in plan.out
    assert "expect.tables.room" in plan.out and "-> (unset)" in plan.out
    assert "▸ Removed table: room" in plan.out and "program_hash" in plan.out
    # publishing the manifest's module takes the host back to the contract (the room table is empty)
    result = spacetime.apply(manifest)
    assert result.code == 0, result.text
    schema = spacetime.schema("quickstart-chat")
    assert sorted(t["name"] for t in schema["tables"]) == ["message", "user"]


def test_a_contract_the_published_module_does_not_meet_is_an_error(spacetime: Spacetime) -> None:
    spacetime.module(chat(), "chat.wasm")
    wrong = EXPECT.replace("columns: [id, name, online]", "columns: [id, name, online, age]")
    result = spacetime.apply(wrong)
    assert result.code == 1  # published, but the converged plan finds the contract broken
    assert "does not match expect" in result.err
    assert 'user.columns: live ["id", "name", "online"], expected ["id", "name", "online", "age"]' in result.err
    assert spacetime.http().get("/v1/database/quickstart-chat").status_code == 200
    assert spacetime.plan(EXPECT, "--detailed-exitcode").code == 0


def test_a_database_without_module_is_only_checked(spacetime: Spacetime) -> None:
    spacetime.module(chat(), "chat.wasm")
    watch_only = EXPECT.replace("      module: chat.wasm\n", "")
    missing = spacetime.plan(watch_only)
    assert missing.code == 1
    assert "does not exist and declares no module" in missing.err

    assert spacetime.apply(MANIFEST).code == 0
    assert spacetime.plan(watch_only, "--detailed-exitcode").code == 0
    spacetime.publish_by_hand(chat(sent_index=True, public_messages=True))
    drift = spacetime.plan(watch_only, "--detailed-exitcode")
    assert drift.code == 1
    assert "does not match expect (drift)" in drift.err
    assert 'message.access: live "public", expected "private"' in drift.err
