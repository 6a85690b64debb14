"""Plans that read well: what a person sees for creates, edits, renames, destroys and long plans."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from baseform.engine.address import Address
from baseform.engine.change import ABSENT, Action, Change, FieldDiff
from baseform.engine.markdown import render_markdown
from baseform.engine.plan import Plan, ProviderPlan, annotate
from baseform.engine.render import render_text
from baseform.engine.resource import KindRules
from tests.unit.conftest import Cli
from tests.unit.memory_provider import MemoryServer

Write = Callable[[str, str], Path]
A = Address.parse

BASE = """version: 1
memory:
  things:
    - name: a
      color: red
      parts:
        - {name: p1, weight: 5}
        - {name: p2}
"""


def _block(text: str, address: str) -> list[str]:
    """The lines of one change's block in a text plan."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  # {address} "))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def test_a_create_shows_what_was_declared_not_the_server_defaults(cli: Cli, write: Write) -> None:
    plan = cli("plan", str(write("m.yaml", BASE)))
    # color and weight were written; link (null) and the part weight 1 are the server's defaults
    assert _block(plan.out, "memory.things.a") == [
        "  # memory.things.a will be created", "  + memory.things.a",
        '      + name  = "a"', '      + color = "red"', "      + size  = 1"]
    assert _block(plan.out, "memory.things.a.parts.p2") == [
        "  # memory.things.a.parts.p2 will be created", "  + memory.things.a.parts.p2", '      + name = "p2"']


def test_a_rename_is_shown_once_as_a_rename(cli: Cli, write: Write) -> None:
    path = write("m.yaml", BASE)
    assert cli("apply", str(path), "--auto-approve").code == 0
    path.write_text(BASE.replace("{name: p2}", "{name: p3, renamedFrom: p2}"))
    plan = cli("plan", str(path))
    assert _block(plan.out, "memory.things.a.parts.p3") == [
        "  # memory.things.a.parts.p3 will be renamed from p2", "  ~ memory.things.a.parts.p3"]
    assert plan.out.count("p2") == 1
    path.write_text(BASE.replace("{name: p2}", "{name: p3, renamedFrom: p2, weight: 2}"))
    both = _block(cli("plan", str(path)).out, "memory.things.a.parts.p3")
    assert both[0] == "  # memory.things.a.parts.p3 will be renamed from p2 and updated in place"
    assert both[2:] == ["      ~ weight = 1 -> 2"]


def test_every_destroy_of_something_that_holds_data_says_what_is_lost(cli: Cli, write: Write,
                                                                      server: MemoryServer) -> None:
    path = write("m.yaml", BASE + "    - name: b\n")
    assert cli("apply", str(path), "--auto-approve").code == 0
    path.write_text(BASE.replace("color: red", "color: red\n      size: 2").replace("prune", "x")
                    .replace("memory:\n", "memory:\n  prune: true\n"))
    plan = cli("plan", str(path))
    assert "! data loss: everything stored in it" in "\n".join(_block(plan.out, "memory.things.b"))
    assert "! data loss: everything stored in it" in "\n".join(_block(plan.out, "memory.things.a"))
    # the parts go with their replaced thing: its note covers them, parts hold no data of their own
    assert "data loss" not in "\n".join(_block(plan.out, "memory.things.a.parts.p1"))
    markdown = cli("plan", str(path), "--format", "markdown").out
    assert "`memory.things.b`: not declared in the manifest Data loss: everything stored in it." in markdown


def test_a_narrowing_change_is_warned_about(cli: Cli, write: Write) -> None:
    path = write("m.yaml", BASE)
    assert cli("apply", str(path), "--auto-approve").code == 0
    path.write_text(BASE.replace("weight: 5", "weight: 3"))
    plan = cli("plan", str(path))
    assert "! warning: weight narrows to 3 (from 5): existing data beyond the new limit may no longer validate" \
        in plan.out
    wider = cli("plan", str(write("m.yaml", BASE.replace("weight: 5", "weight: 9"))))
    assert "warning" not in wider.out


def _rules() -> dict[str, KindRules]:
    return {"fields": KindRules("fields", narrowing={"values": "values", "max": "limit"}, data_loss="its values"),
            "indexes": KindRules("indexes")}


def test_narrowing_rules_are_data_and_indexes_lose_nothing() -> None:
    field, index = A("pb.collections.posts.fields.status"), A("pb.collections.posts.indexes.by_status")
    changes = annotate([
        Change(field, Action.UPDATE, {"values": ["a", "b", "c"], "max": 0}, {"values": ["a", "d"], "max": 50},
               (FieldDiff("max", 0, 50), FieldDiff("values", ["a", "b", "c"], ["a", "d"]))),
        Change(index, Action.DELETE, {"columns": ["status"]}, None),
    ], _rules())
    assert changes[0].warnings == (
        "max narrows to 50 (there was no limit): existing data beyond the new limit may no longer validate",
        'values loses "b", "c": existing data holding them may no longer validate')
    assert changes[1].data_loss is None
    text = render_text(Plan("d", (ProviderPlan("pb", "http://x", None, tuple(changes), ()),)))
    # an edited list reads item by item, not as two JSON blobs
    assert "      ~ values:\n          - \"b\"\n          - \"c\"\n          + \"d\"" in text


def test_lists_of_named_objects_are_compared_by_name() -> None:
    before = {"properties": [{"name": "title", "tokenization": "word"}, {"name": "old", "dataType": ["text"]}]}
    after = {"properties": [{"name": "title", "tokenization": "field"}, {"name": "new", "dataType": ["int"]}]}
    change = Change(A("wv.classes.A"), Action.UPDATE, before, after,
                    (FieldDiff("properties", before["properties"], after["properties"]),))
    text = render_text(Plan("d", (ProviderPlan("wv", "http://x", None, (change,), ()),)))
    assert '~ properties:\n          ~ ["title"].tokenization = "word" -> "field"\n' \
           '          + {"name": "new", "dataType": ["int"]}\n          - name "old"' in text


def test_plan_and_apply_count_the_same_changes_and_say_what_goes_inline(cli: Cli, write: Write) -> None:
    path = str(write("m.yaml", BASE))
    plan = cli("plan", path)
    assert "Plan: 3 to add, 0 to change, 0 to destroy." in plan.out
    applied = cli("apply", path, "--auto-approve")
    assert "Apply complete: 3 added, 0 changed, 0 destroyed (3 API calls)." in applied.out, applied.out


def test_progress_lines_count_and_time_the_calls(cli: Cli, write: Write) -> None:
    applied = cli("apply", str(write("m.yaml", BASE)), "--auto-approve", "--parallelism", "1")
    progress = [line for line in applied.out.splitlines() if re.match(r"  \[\d+/\d+\] ", line)]
    assert [line.split("]")[0].strip() for line in progress] == ["[1/3", "[2/3", "[3/3"]
    assert all(re.search(r": done \[\d+\.\ds, \d+\.\ds elapsed\]", line) for line in progress), progress


def test_inline_children_are_counted_in_plan_and_apply_summaries() -> None:
    from baseform.engine.operation import Operation, Request
    from baseform.engine.outcome import ApplyResult, OperationResult, Outcome
    from baseform.engine.render import render_apply_result

    parent, child = A("pb.collections.posts"), A("pb.collections.posts.fields.title")
    changes = (Change(parent, Action.CREATE, None, {"name": "posts"}),
               Change(child, Action.CREATE, None, {"name": "title"}))
    op = Operation("import", "pb", Action.CREATE, (parent, child), "import", Request("PUT", "/import"))
    plan = Plan("d", (ProviderPlan("pb", "http://x", None, changes, (op,)),))
    assert "Plan: 2 to add, 0 to change, 0 to destroy.\n1 API call makes these changes; 1 of them goes inline " \
           "with their parent's call." in render_text(plan)
    assert render_apply_result(ApplyResult([OperationResult(op, Outcome.DONE)]), plan) == \
        "Apply complete: 2 added, 0 changed, 0 destroyed (1 API call; 1 inline with their parent's call).\n"


def _big_plan(changes: int, destroys: int) -> Plan:
    out = []
    for i in range(changes):
        before = {"name": f"c{i}", "options": {"max": 10, "text": "x" * 200}}
        out.append(Change(A(f"pb.collections.c{i:05d}"), Action.UPDATE, before, {**before, "options": {"max": 20}},
                          (FieldDiff("options.max", 10, 20), FieldDiff("options.text", "x" * 200, ABSENT))))
    for i in range(destroys):
        out.append(Change(A(f"pb.collections.gone{i:04d}"), Action.DELETE, {"name": f"gone{i}"}, None,
                          reason="not declared in the manifest", data_loss="all its records"))
    return Plan("d", (ProviderPlan("pb", "http://x", None, tuple(out), ()),))


def test_a_long_markdown_plan_fits_a_github_comment_with_every_destroy_shown() -> None:
    plan = _big_plan(3000, 40)
    text = render_markdown(plan)
    assert len(text) <= 65_536
    assert text.startswith("### baseform plan: 0 to add, 3000 to change, 40 to destroy.")
    for i in range(40):
        assert f"`pb.collections.gone{i:04d}`: not declared in the manifest Data loss: all its records." in text
    assert "Cut to fit a GitHub comment" in text and "baseform show plan.json" in text
    small = render_markdown(_big_plan(3, 1))
    assert "Cut to fit" not in small and "<details><summary>Full plan</summary>" in small
