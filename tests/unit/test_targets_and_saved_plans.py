"""--target applies exactly the targets and what they need; saved plans work from anywhere, say when
they were applied already, and can be read with ``baseform show``."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit.conftest import Cli
from tests.unit.memory_provider import MemoryServer

Write = Callable[[str, str], Path]

BASE = """version: 1
memory:
  things:
    - name: a
      color: red
      parts:
        - {name: p1, weight: 2}
"""
CHANGED = """version: 1
memory:
  things:
    - name: a
      color: blue
      parts:
        - {name: p1, weight: 2}
        - {name: p2, weight: 1}
    - name: c
      parts:
        - {name: q}
    - name: b
      link: d
    - name: d
"""


@pytest.fixture
def applied(cli: Cli, write: Write) -> Path:
    path = write("m.yaml", BASE)
    assert cli("apply", str(path), "--auto-approve").code == 0
    path.write_text(CHANGED)
    return path


def test_a_target_child_does_not_bring_its_parents_update(cli: Cli, applied: Path, server: MemoryServer) -> None:
    result = cli("apply", str(applied), "--auto-approve", "--target", "memory.things.a.parts.p2")
    assert result.code == 0, result.text
    assert "Warning: targeting in effect: only memory.things.a.parts.p2" in result.out
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in result.out
    assert set(server.things["a"]["parts"]) == {"p1", "p2"}
    assert server.things["a"]["color"] == "red"  # the parent's own change was not targeted
    assert "Converged for the targets" in result.out and "5 change(s) outside the targets remain" in result.out
    full = cli("plan", str(applied), "--detailed-exitcode")
    assert full.code == 2 and "~ color = \"red\" -> \"blue\"" in full.out


def test_a_target_brings_the_creation_of_what_it_needs(cli: Cli, applied: Path, server: MemoryServer) -> None:
    plan = cli("plan", str(applied), "--target", "memory.things.c.parts.q", "--target", "memory.things.b")
    assert plan.code == 0, plan.text
    planned = [line.split()[1] for line in plan.out.splitlines() if line.startswith("  # ")]
    # c must exist for its part, and b links to d; a's update and part p2 stay out
    assert sorted(planned) == ["memory.things.b", "memory.things.c", "memory.things.c.parts.q", "memory.things.d"]
    assert "2 other change(s) are left out" in plan.out
    result = cli("apply", str(applied), "--auto-approve", "--target", "memory.things.c.parts.q",
                 "--target", "memory.things.b")
    assert result.code == 0, result.text
    assert set(server.things) == {"a", "b", "c", "d"} and set(server.things["c"]["parts"]) == {"q"}
    assert server.things["a"]["color"] == "red"


def test_apply_of_a_saved_plan_with_a_target_applies_that_part(cli: Cli, applied: Path, server: MemoryServer,
                                                               tmp_path: Path) -> None:
    plan_file = str(tmp_path / "plan.json")
    assert cli("plan", str(applied), "--out", plan_file).code == 0
    result = cli("apply", "--plan", plan_file, "--target", "memory.things.a.parts.p2")
    assert result.code == 0, result.text
    assert "stale" not in result.text
    assert set(server.things["a"]["parts"]) == {"p1", "p2"} and server.things["a"]["color"] == "red"
    # a saved plan made for one target cannot be applied for another
    narrow = str(tmp_path / "narrow.json")
    assert cli("plan", str(applied), "--out", narrow, "--target", "memory.things.c").code == 0
    outside = cli("apply", "--plan", narrow, "--target", "memory.things.b")
    assert outside.code == 1, outside.text
    assert "--target selects memory.things.b, which the saved plan does not change" in outside.err
    assert "b" not in server.things


def test_a_saved_plan_applies_from_another_directory_and_after_the_checkout_moved(
        cli: Cli, write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: MemoryServer) -> None:
    project = tmp_path / "checkout"
    write("checkout/baseform.yaml", BASE)
    write("checkout/vars.yaml", "x: 1\n")
    monkeypatch.chdir(project)
    assert cli("plan", "--out", "plan.json", "--var-file", "vars.yaml").code == 0
    saved = json.loads((project / "plan.json").read_text())
    assert saved["manifest"]["paths"] == [str(project / "baseform.yaml")]
    assert saved["manifest"]["relative_paths"] == ["baseform.yaml"]
    # the checkout moves (CI: another runner directory); apply from elsewhere still finds the manifest
    moved = tmp_path / "elsewhere" / "checkout"
    moved.parent.mkdir()
    shutil.move(str(project), str(moved))
    monkeypatch.chdir(tmp_path)
    result = cli("apply", "--plan", str(moved / "plan.json"))
    assert result.code == 0, result.text
    assert set(server.things) == {"a"}


def test_format_version_is_checked_before_anything_else(cli: Cli, tmp_path: Path) -> None:
    plan_file = tmp_path / "old.json"
    plan_file.write_text(json.dumps({"format_version": "0.3", "manifest": {"paths": ["/nowhere/x.yaml"]},
                                     "changes": []}))
    result = cli("apply", "--plan", str(plan_file))
    assert result.code == 1
    assert "plan format 0.3" in result.err and "this baseform reads 1.0" in result.err
    assert "not found" not in result.err and "nowhere" not in result.err
    plan_file.write_text("[1, 2]")
    assert "is not a JSON object" in cli("apply", "--plan", str(plan_file)).err


def test_a_plan_applied_already_says_so_in_one_line(cli: Cli, write: Write, tmp_path: Path) -> None:
    path = write("m.yaml", CHANGED)
    plan_file = str(tmp_path / "plan.json")
    assert cli("plan", str(path), "--out", plan_file).code == 0
    assert cli("apply", "--plan", plan_file).code == 0
    again = cli("apply", "--plan", plan_file)
    assert again.code == 0, again.text
    assert again.out == f"The plan in {plan_file} was applied already: the servers match it. Nothing to do.\n"
    assert again.err == ""


def test_stale_reasons_are_listed_in_address_order(cli: Cli, write: Write, tmp_path: Path,
                                                   server: MemoryServer) -> None:
    path = write("m.yaml", CHANGED)
    plan_file = str(tmp_path / "plan.json")
    assert cli("plan", str(path), "--out", plan_file).code == 0
    for name in ("d", "c", "b"):
        server.things[name] = {"name": name, "color": "x", "size": 1, "link": None, "parts": {},
                               "status": "available"}
    stale = cli("apply", "--plan", plan_file)
    assert stale.code == 1
    named = [line.split(": ")[1] for line in stale.err.splitlines() if "is stale: memory." in line]
    assert named == sorted(named) and len(named) >= 3


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_show_renders_a_saved_plan(cli: Cli, applied: Path, tmp_path: Path, fmt: str) -> None:
    plan_file = str(tmp_path / "plan.json")
    assert cli("plan", str(applied), "--out", plan_file).code == 0
    shown = cli("show", plan_file, "--format", fmt)
    assert shown.code == 0, shown.text
    if fmt == "json":
        assert json.loads(shown.out) == json.loads(Path(plan_file).read_text())
        return
    planned = cli("plan", str(applied), "--format", fmt)
    # the saved plan reads like the plan it was saved from (the plan itself, not the live read)
    assert shown.out == planned.out
    assert "memory.things.a.parts.p2" in shown.out and "(sensitive)" not in shown.out


def test_show_of_something_that_is_not_a_plan_says_so(cli: Cli, tmp_path: Path) -> None:
    missing = cli("show", str(tmp_path / "nope.json"))
    assert missing.code == 1 and "cannot read the plan file" in missing.err
    (tmp_path / "x.json").write_text("{not json")
    assert "is not a plan file (invalid JSON" in cli("show", str(tmp_path / "x.json")).err
