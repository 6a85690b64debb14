"""plan/apply/exit codes/safety through the CLI, with the in-memory provider."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.unit.conftest import SECRET, TOKEN, Cli
from tests.unit.memory_provider import MemoryServer

Write = Callable[[str, str], Path]

BASE = """version: 1
memory:
  things:
    - name: a
      color: red
      size: 3
      secret: "{{ env.THING_SECRET }}"
      parts:
        - {name: p1, weight: 2}
    - name: b
      link: a
"""


def test_plan_apply_then_second_plan_is_empty(cli: Cli, write: Write, server: MemoryServer) -> None:
    path = str(write("m.yaml", BASE))
    plan = cli("plan", path, "--detailed-exitcode")
    assert plan.code == 2
    assert "Plan: 3 to add, 0 to change, 0 to destroy." in plan.out
    applied = cli("apply", path, "--auto-approve")
    assert applied.code == 0, applied.text
    assert "Converged: a new plan shows no changes" in applied.out
    assert set(server.things) == {"a", "b"} and server.things["a"]["secret"] == SECRET
    again = cli("plan", path, "--detailed-exitcode")
    assert again.code == 0 and "No changes." in again.out


def test_apply_asks_and_does_nothing_without_yes(cli: Cli, write: Write, server: MemoryServer) -> None:
    path = str(write("m.yaml", BASE))
    result = cli("apply", path, stdin="no\n")
    assert result.code == 1 and "Apply cancelled" in result.err
    assert server.things == {}
    result = cli("apply", path, stdin="yes\n")
    assert result.code == 0 and set(server.things) == {"a", "b"}


def test_replace_is_refused_without_allow_destroy(cli: Cli, write: Write, server: MemoryServer) -> None:
    path = write("m.yaml", BASE)
    assert cli("apply", str(path), "--auto-approve").code == 0
    path.write_text(BASE.replace("size: 3", "size: 4"))
    plan = cli("plan", str(path))
    assert "-/+ memory.things.a" in plan.out and "size = 3 -> 4  # forces replacement" in plan.out
    refused = cli("apply", str(path), "--auto-approve")
    assert refused.code == 1
    assert "memory.things.a would be replaced: size 3 -> 4 cannot change in place (pass --allow-destroy" \
        in refused.err
    assert server.things["a"]["size"] == 3
    allowed = cli("apply", str(path), "--auto-approve", "--allow-destroy")
    assert allowed.code == 0, allowed.text
    assert server.things["a"]["size"] == 4


def test_protected_resource_is_never_replaced(cli: Cli, write: Write, server: MemoryServer) -> None:
    path = write("m.yaml", BASE)
    assert cli("apply", str(path), "--auto-approve").code == 0
    path.write_text(BASE.replace("size: 3", "size: 4\n      protect: true"))
    plan = cli("plan", str(path))
    assert plan.code == 1 and "protected" in plan.err
    result = cli("apply", str(path), "--auto-approve", "--allow-destroy")
    assert result.code == 1 and "memory.things.a is protected (protect: true)" in result.err
    assert server.things["a"]["size"] == 3


def test_undeclared_child_deleted_only_with_allow_destroy(cli: Cli, write: Write, server: MemoryServer) -> None:
    path = write("m.yaml", BASE)
    assert cli("apply", str(path), "--auto-approve").code == 0
    path.write_text(BASE.replace("        - {name: p1, weight: 2}\n", "        []\n").replace("parts:\n        []",
                                                                                          "parts: []"))
    assert cli("apply", str(path), "--auto-approve").code == 1
    assert "p1" in server.things["a"]["parts"]
    assert cli("apply", str(path), "--auto-approve", "--allow-destroy").code == 0
    assert server.things["a"]["parts"] == {}


def test_unmanaged_top_level_is_listed_and_kept(cli: Cli, write: Write, server: MemoryServer) -> None:
    server.things["legacy"] = {"name": "legacy", "color": "grey", "size": 1, "link": None, "parts": {},
                               "status": "available"}
    path = str(write("m.yaml", BASE))
    result = cli("apply", path, "--auto-approve")
    assert result.code == 0
    assert "Unmanaged (live but not declared" in result.out and "memory.things.legacy" in result.out
    assert "legacy" in server.things


def test_prune_deletes_undeclared_with_allow_destroy(cli: Cli, write: Write, server: MemoryServer) -> None:
    server.things["legacy"] = {"name": "legacy", "color": "grey", "size": 1, "link": None, "parts": {},
                               "status": "available"}
    path = str(write("m.yaml", BASE.replace("memory:\n", "memory:\n  prune: true\n")))
    assert cli("apply", path, "--auto-approve").code == 1
    assert cli("apply", path, "--auto-approve", "--allow-destroy").code == 0
    assert "legacy" not in server.things


def test_target_limits_the_plan_to_it_and_its_dependencies(cli: Cli, write: Write, server: MemoryServer) -> None:
    path = str(write("m.yaml", BASE + "    - name: c\n"))
    result = cli("apply", path, "--auto-approve", "--target", "memory.things.b")
    assert result.code == 0, result.text
    assert set(server.things) == {"a", "b"}  # b links to a, so a comes along; c does not
    bad = cli("plan", path, "--target", "memory.things.nope")
    assert bad.code == 1 and "matches no declared or live resource" in bad.err


def test_saved_plan_applies_and_stale_plan_is_refused(cli: Cli, write: Write, server: MemoryServer,
                                                      tmp_path: Path) -> None:
    path = str(write("m.yaml", BASE))
    plan_file = str(tmp_path / "plan.json")
    assert cli("plan", path, "--out", plan_file).code == 0
    saved = json.loads(Path(plan_file).read_text())
    assert saved["format_version"] == "1.0" and saved["summary"]["create"] == 3
    # someone creates `b` by hand between plan and apply: the plan is stale
    server.things["b"] = {"name": "b", "color": "blue", "size": 1, "link": None, "parts": {}, "status": "available"}
    stale = cli("apply", "--plan", plan_file)
    assert stale.code == 1 and "memory.things.b: the live object changed since the plan" in stale.err
    assert "a" not in server.things
    del server.things["b"]
    applied = cli("apply", "--plan", plan_file)
    assert applied.code == 0, applied.text
    assert set(server.things) == {"a", "b"}


def test_saved_plan_refused_when_manifest_changed(cli: Cli, write: Write, tmp_path: Path) -> None:
    path = write("m.yaml", BASE)
    plan_file = str(tmp_path / "plan.json")
    assert cli("plan", str(path), "--out", plan_file).code == 0
    path.write_text(BASE.replace("color: red", "color: blue"))
    result = cli("apply", "--plan", plan_file)
    assert result.code == 1 and "the manifest changed since the plan was made" in result.err


def test_secrets_never_reach_any_output(cli: Cli, write: Write, tmp_path: Path, server: MemoryServer) -> None:
    path = write("m.yaml", BASE)
    plan_file = tmp_path / "plan.json"
    outputs = [cli("plan", str(path), "--out", str(plan_file)), cli("plan", str(path), "--format", "json"),
               cli("plan", str(path), "--format", "markdown"), cli("apply", str(path), "--auto-approve")]
    path.write_text(BASE.replace("color: red", "color: blue"))
    outputs.append(cli("plan", str(path)))
    server.fail_on.add(("PATCH", "/things/a"))
    outputs.append(cli("apply", str(path), "--auto-approve"))
    assert outputs[-1].code == 1
    texts = [o.text for o in outputs] + [plan_file.read_text()]
    for text in texts:
        assert SECRET not in text and TOKEN not in text
    assert server.things["a"]["secret"] == SECRET  # it was really sent


def test_failed_apply_reports_done_failed_skipped_and_rerun_converges(cli: Cli, write: Write,
                                                                      server: MemoryServer) -> None:
    path = str(write("m.yaml", BASE))
    server.fail_on.add(("POST", "/things/a/parts"))
    result = cli("apply", path, "--auto-approve", "--parallelism", "1")
    assert result.code == 1
    assert "Apply failed: 1 done, 1 failed, 1 skipped." in result.out
    assert "refused POST /things/a/parts" in result.out
    server.fail_on.clear()
    rerun = cli("apply", path, "--auto-approve")
    assert rerun.code == 0 and "Plan: 2 to add" in rerun.out


def test_plan_json_has_the_documented_shape(cli: Cli, write: Write, server: MemoryServer) -> None:
    path = write("m.yaml", BASE)
    assert cli("apply", str(path), "--auto-approve").code == 0
    path.write_text(BASE.replace("color: red", "color: blue"))
    data = json.loads(cli("plan", str(path), "--format", "json").out)
    assert set(data) >= {"format_version", "manifest_digest", "providers", "changes", "summary"}
    assert data["providers"]["memory"] == {"endpoint": "http://memory.test", "server_version": "1.0", "excluded": 0,
                                           "unmanaged": []}
    (change,) = data["changes"]
    assert change["address"] == "memory.things.a" and change["action"] == "update"
    assert change["diff"] == [{"path": "color", "before": "red", "after": "blue", "forces_replacement": False}]
    assert change["live_digest"].startswith("sha256:") and change["destructive"] is False


def _drop_first_response(server: MemoryServer, method: str, path: str) -> None:
    """The first matching request is committed by the server, but its answer is lost."""
    handle = server.handle
    dropped = []

    def lossy(request):  # type: ignore[no-untyped-def]
        response = handle(request)
        if (request.method, request.url.path) == (method, path) and not dropped:
            dropped.append(request)
            import httpx

            raise httpx.RemoteProtocolError("server disconnected without sending a response")
        return response

    server.handle = lossy  # type: ignore[method-assign]


def test_create_retried_after_lost_answer_verifies_and_continues(cli: Cli, write: Write,
                                                                 server: MemoryServer) -> None:
    _drop_first_response(server, "POST", "/things")
    path = str(write("m.yaml", "memory:\n  things:\n    - {name: a, color: red}\n"))
    result = cli("apply", path, "--auto-approve")
    assert result.code == 0, result.text
    assert "already existed and matches the manifest" in result.out
    assert [r for r in server.requests if r == ("POST", "/things")] == [("POST", "/things")] * 2


def test_create_meeting_a_different_existing_object_fails(cli: Cli, write: Write, server: MemoryServer) -> None:
    path = str(write("m.yaml", "memory:\n  things:\n    - {name: a, color: red}\n"))
    handle = server.handle

    def racing(request):  # type: ignore[no-untyped-def]
        # another apply creates `a` (blue) between our plan and our create
        if request.method == "POST" and "a" not in server.things:
            server.things["a"] = {"name": "a", "color": "blue", "size": 1, "link": None, "parts": {},
                                  "status": "available"}
        return handle(request)

    server.handle = racing  # type: ignore[method-assign]
    result = cli("apply", path, "--auto-approve")
    assert result.code == 1
    assert "it exists on the server with different settings; plan again" in result.out
    assert server.things["a"]["color"] == "blue"


def test_export_then_plan_shows_no_changes(cli: Cli, write: Write, tmp_path: Path) -> None:
    path = write("m.yaml", BASE)
    assert cli("apply", str(path), "--auto-approve").code == 0
    exported = tmp_path / "exported.yaml"
    result = cli("export", "--provider", "memory", "--out", str(exported))
    assert result.code == 0, result.text
    assert "{{ env.MEMORY_TOKEN" in exported.read_text() and TOKEN not in exported.read_text()
    again = cli("plan", str(exported), "--detailed-exitcode")
    assert again.code == 0, again.text
