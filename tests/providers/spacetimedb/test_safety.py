"""Safety: the token stays secret, a bad manifest sends nothing, and an apply publishes only what its
plan reviewed even when the host or the artifact changes in between."""

from __future__ import annotations

import asyncio

from baseform.commands import apply_operations, compute_plan, connect
from baseform.engine.outcome import Outcome
from baseform.manifest.project import load_project
from baseform.providers import default_registry
from tests.providers.spacetimedb.chat import MANIFEST, chat
from tests.providers.spacetimedb.conftest import Spacetime


def test_the_token_is_never_printed_or_saved(spacetime: Spacetime) -> None:
    spacetime.module(chat(), "chat.wasm")
    manifest = spacetime.manifest(MANIFEST)
    plan_file = spacetime.tmp / "plan.json"
    outputs = [
        spacetime.cli("plan", manifest, "--out", str(plan_file), "--show-calls"),
        spacetime.cli("plan", manifest, "--format", "json"),
        spacetime.cli("plan", manifest, "--format", "markdown"),
        spacetime.cli("apply", "--plan", str(plan_file)),
        spacetime.cli("export", "--provider", "spacetimedb"),
    ]
    spacetime.module(chat(drop_online=True), "chat.wasm")
    outputs.append(spacetime.cli("apply", manifest, "--auto-approve"))  # an error quoting the host
    _, other_token = spacetime.new_identity()
    spacetime.module(chat(room=True), "chat.wasm")
    outputs.append(spacetime.cli("plan", manifest, env={**spacetime.env, "SPACETIMEDB_TOKEN": other_token}))
    outputs.append(spacetime.cli("plan", manifest, env={**spacetime.env, "SPACETIMEDB_TOKEN": "not-a-token-8412"}))
    assert [r.code for r in outputs] == [0, 0, 0, 0, 0, 1, 1, 1], [r.text for r in outputs]
    assert "Invalid token" in outputs[-1].err and "set SPACETIMEDB_TOKEN" in outputs[-1].err
    for secret in (spacetime.token, other_token, "not-a-token-8412"):
        for result in outputs:
            assert secret not in result.text
        assert secret not in plan_file.read_text()


def test_an_invalid_manifest_sends_nothing(spacetime: Spacetime) -> None:
    spacetime.module(chat(), "chat.wasm")
    bad = """
    spacetimedb:
      databases:
        - name: Quickstart_Chat
          module: chat.wasm
        - name: second
          module: missing.wasm
    """
    before = spacetime.server.emulator.stats["requests"]
    result = spacetime.cli("plan", spacetime.manifest(bad))
    assert result.code == 1
    assert "2 problems" in result.err  # every problem at once
    assert "baseform.yaml:4" in result.err and "lowercase letters, digits and hyphens" in result.err
    assert "baseform.yaml:7" in result.err and "missing.wasm" in result.err
    typo = bad.replace("missing.wasm", "chat.wasm") + "      deleteData: sometimes\n"
    typo_result = spacetime.cli("plan", spacetime.manifest(typo))
    assert typo_result.code == 1 and "baseform.yaml:8" in typo_result.err
    assert "'never', 'onConflict' or 'always'" in typo_result.err
    assert spacetime.server.emulator.stats["requests"] == before


def _plan_and_apply_after(spacetime: Spacetime, meanwhile: object, manifest: str = MANIFEST) -> tuple[str, str]:
    """Plan ``manifest``, run ``meanwhile`` (a callable), then apply the plan's operations."""
    project = load_project([spacetime.manifest(manifest)], registry=default_registry(), environ=spacetime.env)

    async def run() -> tuple[str, str]:
        async with connect(project) as conns:
            plan = await compute_plan(project, conns)
            meanwhile()  # type: ignore[operator]
            result = await apply_operations(plan, conns)
        (only,) = result.results
        return only.outcome.value, only.error or ""

    return asyncio.run(run())


def test_the_host_refuses_a_planned_publish_once_the_live_module_changed(spacetime: Spacetime) -> None:
    spacetime.module(chat(), "chat.wasm")
    assert spacetime.apply(MANIFEST).code == 0
    spacetime.module(chat(room=True), "chat.wasm")
    outcome, error = _plan_and_apply_after(spacetime, lambda: spacetime.publish_by_hand(chat(sent_index=True)))
    assert outcome == Outcome.FAILED.value
    assert "the live module changed after the host planned this migration" in error
    tables = [t["name"] for t in spacetime.schema("quickstart-chat")["tables"]]
    assert "room" not in tables  # the reviewed migration was not applied over the other module


def test_an_artifact_rebuilt_after_the_plan_is_not_sent(spacetime: Spacetime) -> None:
    spacetime.module(chat(), "chat.wasm")
    outcome, error = _plan_and_apply_after(spacetime, lambda: spacetime.module(chat(room=True), "chat.wasm"))
    assert outcome == Outcome.FAILED.value
    assert "chat.wasm changed since the plan was made; nothing was sent" in error
    assert spacetime.http().get("/v1/database/quickstart-chat").status_code == 404


def test_deleting_data_waits_for_the_live_module_the_plan_read(spacetime: Spacetime) -> None:
    clearing = MANIFEST + "      deleteData: always\n"
    spacetime.module(chat(), "chat.wasm")
    assert spacetime.apply(clearing).code == 0
    spacetime.sql("quickstart-chat", "INSERT INTO message (sender, sent, text) VALUES (1, 1, 'keep me')")
    spacetime.module(chat(room=True), "chat.wasm")
    outcome, error = _plan_and_apply_after(spacetime, lambda: spacetime.publish_by_hand(chat(sent_index=True)),
                                           clearing)
    assert outcome == Outcome.FAILED.value
    assert "the server changed since the plan read it" in error and "nothing was sent" in error
    assert spacetime.sql("quickstart-chat", "SELECT text FROM message") == [["keep me"]]
