"""Table-driven tests of the pure diff: actions, reasons, scope rules, renames, cascades."""

from __future__ import annotations

from typing import Any

import pytest

from baseform.engine.address import Address
from baseform.engine.change import ABSENT, Action, FieldDiff
from baseform.engine.diff import decide_action, diff_fields, diff_state
from baseform.engine.resource import DesiredResource, KindRules, LiveResource, LiveState
from baseform.errors import PlanError

RULES = {
    "things": KindRules("things", replace_on=frozenset({"size"}), defaults={"color": "grey"},
                        sets=frozenset({"tags"})),
    "parts": KindRules("parts", defaults={"weight": 1}, renamable=True),
}


def A(text: str) -> Address:
    return Address.parse(text)


def want(addr: str, protect: bool = False, renamed_from: str | None = None, **value: Any) -> DesiredResource:
    return DesiredResource(A(addr), value, protect=protect, renamed_from=renamed_from)


def have(addr: str, implicit: bool = False, **value: Any) -> LiveResource:
    return LiveResource(A(addr), value, implicit=implicit)


def live(*resources: LiveResource) -> LiveState:
    return LiveState("m", "http://x", "1", {r.address: r for r in resources})


def actions(result: Any) -> dict[str, str]:
    return {str(c.address): c.action.value for c in result.changes}


@pytest.mark.parametrize("before,after,diffs,renamed,expected", [
    (None, {"a": 1}, [], False, Action.CREATE),
    ({"a": 1}, None, [], False, Action.DELETE),
    ({"a": 1}, {"a": 1}, [], False, Action.NOOP),
    ({"a": 1}, {"a": 1}, [], True, Action.UPDATE),
    ({"a": 1}, {"a": 2}, [FieldDiff("a", 1, 2)], False, Action.UPDATE),
    ({"a": 1}, {"a": 2}, [FieldDiff("a", 1, 2, forces_replacement=True)], False, Action.REPLACE),
])
def test_decide_action_table(before: Any, after: Any, diffs: list[FieldDiff], renamed: bool,
                             expected: Action) -> None:
    assert decide_action(before, after, diffs, renamed=renamed) is expected


def test_diff_fields_reports_nested_paths_and_whole_lists() -> None:
    d = diff_fields({"a": {"b": 1}, "l": [1, 2], "gone": 1}, {"a": {"b": 2}, "l": [1, 3], "new": True})
    assert [(x.path, x.before, x.after) for x in d] == [
        ("a.b", 1, 2), ("gone", 1, ABSENT), ("l", [1, 2], [1, 3]), ("new", ABSENT, True)]


def test_defaults_on_both_sides_make_no_change() -> None:
    result = diff_state([want("m.things.a", name="a")], live(have("m.things.a", name="a", color="grey")),
                        RULES, prune=False)
    assert actions(result) == {"m.things.a": "no-op"}


def test_sets_ignore_order_and_duplicates() -> None:
    result = diff_state([want("m.things.a", tags=["x", "y"])], live(have("m.things.a", tags=["y", "x", "x"])),
                        RULES, prune=False)
    assert actions(result) == {"m.things.a": "no-op"}


def test_server_managed_keys_not_in_manifest_are_not_compared() -> None:
    result = diff_state([want("m.things.a", name="a")],
                        live(have("m.things.a", name="a", createdAt="2024", color="grey")), RULES, prune=False)
    assert actions(result) == {"m.things.a": "no-op"}


def test_replace_only_field_forces_replace_with_reason() -> None:
    result = diff_state([want("m.things.a", size=2)], live(have("m.things.a", size=1)), RULES, prune=False)
    (change,) = result.changes
    assert change.action is Action.REPLACE and change.destructive
    assert change.reason == "size 1 -> 2 cannot change in place"
    assert change.diff[0].forces_replacement


def test_undeclared_child_is_deleted_but_undeclared_top_level_is_unmanaged() -> None:
    result = diff_state([want("m.things.a")],
                        live(have("m.things.a"), have("m.things.a.parts.p"), have("m.things.b"),
                             have("m.things.b.parts.q")), RULES, prune=False)
    assert actions(result) == {"m.things.a": "no-op", "m.things.a.parts.p": "delete"}
    assert [str(a) for a in result.unmanaged] == ["m.things.b"]


def test_prune_deletes_undeclared_top_level_and_its_children() -> None:
    result = diff_state([], live(have("m.things.b"), have("m.things.b.parts.q")), RULES, prune=True)
    assert actions(result) == {"m.things.b": "delete", "m.things.b.parts.q": "delete"}
    assert result.changes[1].reason == "deleted with m.things.b"


def test_implicit_live_children_are_never_deleted() -> None:
    result = diff_state([want("m.things.a")], live(have("m.things.a"), have("m.things.a.parts.sys", implicit=True)),
                        RULES, prune=False)
    assert actions(result) == {"m.things.a": "no-op"}


def test_children_of_replaced_parent_are_recreated() -> None:
    result = diff_state([want("m.things.a", size=2), want("m.things.a.parts.p"), want("m.things.a.parts.n")],
                        live(have("m.things.a", size=1), have("m.things.a.parts.p"), have("m.things.a.parts.o")),
                        RULES, prune=False)
    assert actions(result) == {"m.things.a": "replace", "m.things.a.parts.p": "replace",
                               "m.things.a.parts.n": "create", "m.things.a.parts.o": "delete"}


def test_rename_hint_matches_old_live_resource() -> None:
    result = diff_state([want("m.things.a.parts.new", renamed_from="old", name="new")],
                        live(have("m.things.a"), have("m.things.a.parts.old", name="old")), RULES, prune=False)
    change = next(c for c in result.changes if c.address.kind == "parts")
    assert change.action is Action.UPDATE
    assert str(change.renamed_from) == "m.things.a.parts.old"
    assert [(d.path, d.before, d.after) for d in change.diff] == [("name", "old", "new")]
    assert "m.things.a.parts.old" not in actions(result)


def test_rename_hint_is_ignored_once_applied() -> None:
    result = diff_state([want("m.things.a.parts.new", renamed_from="old")],
                        live(have("m.things.a"), have("m.things.a.parts.new")), RULES, prune=False)
    assert actions(result)["m.things.a.parts.new"] == "no-op"


def test_rename_on_non_renamable_kind_never_renames() -> None:
    result = diff_state([want("m.things.b", renamed_from="a")], live(have("m.things.a")), RULES, prune=True)
    assert actions(result) == {"m.things.b": "create", "m.things.a": "delete"}


def test_protect_is_carried_on_destructive_change() -> None:
    result = diff_state([want("m.things.a", protect=True, size=5)], live(have("m.things.a", size=1)), RULES,
                        prune=False)
    assert result.changes[0].protect and result.changes[0].destructive


def test_child_that_cannot_change_in_place_replaces_its_parent() -> None:
    rules = {"things": KindRules("things"),
             "parts": KindRules("parts", replace_on=frozenset({"type"}), replaces_parent=True)}
    result = diff_state([want("m.things.a", name="a"), want("m.things.a.parts.p", type="int"),
                         want("m.things.a.parts.q", type="text")],
                        live(have("m.things.a", name="a"), have("m.things.a.parts.p", type="text"),
                             have("m.things.a.parts.q", type="text"), have("m.things.a.parts.gone", type="x")),
                        rules, prune=False)
    assert actions(result) == {"m.things.a": "replace", "m.things.a.parts.p": "replace",
                               "m.things.a.parts.q": "replace", "m.things.a.parts.gone": "delete"}
    parent = result.changes[0]
    assert parent.destructive and parent.reason
    assert "parts.p: type text -> int cannot change in place" in parent.reason
    assert "parts.gone is not declared, and it cannot be removed in place" in parent.reason
    blamed = {d.path: (d.before, d.after) for d in parent.diff if d.forces_replacement}
    assert blamed == {"parts.p.type": ("text", "int"), "parts.gone": ({"type": "x"}, ABSENT)}


def test_child_that_can_change_in_place_leaves_its_parent_alone() -> None:
    rules = {"things": KindRules("things"), "parts": KindRules("parts", replaces_parent=True)}
    result = diff_state([want("m.things.a", name="a"), want("m.things.a.parts.p", size=2),
                         want("m.things.a.parts.new")],
                        live(have("m.things.a", name="a"), have("m.things.a.parts.p", size=1)), rules, prune=False)
    assert actions(result) == {"m.things.a": "no-op", "m.things.a.parts.p": "update",
                               "m.things.a.parts.new": "create"}


DEPENDENCY_RULES = {"things": KindRules("things"), "parts": KindRules("parts", replace_on=frozenset({"type"}),
                                                                      renamable=True),
                    "links": KindRules("links", replaced_with_dependencies=True)}


@pytest.mark.parametrize("renamed", [False, True])
def test_a_resource_follows_a_dependency_that_is_recreated(renamed: bool) -> None:
    part = "m.things.a.parts.new" if renamed else "m.things.a.parts.p"
    deps = {A("m.things.a.links.l"): frozenset({A("m.things.a.parts.p")})}
    result = diff_state([want("m.things.a"), want(part, type="int", renamed_from="p" if renamed else None),
                         want("m.things.a.links.l", to="p")],
                        live(have("m.things.a"), have("m.things.a.parts.p", type="text"),
                             have("m.things.a.links.l", to="p")),
                        DEPENDENCY_RULES, prune=False, live_dependencies=deps)
    assert actions(result)["m.things.a.links.l"] == "replace"
    link = next(c for c in result.changes if str(c.address) == "m.things.a.links.l")
    assert link.reason == f"parts.{part.rsplit('.', 1)[1]} is recreated, and this links refers to it"


def test_a_resource_stays_when_its_dependency_changes_in_place() -> None:
    deps = {A("m.things.a.links.l"): frozenset({A("m.things.a.parts.p")})}
    result = diff_state([want("m.things.a"), want("m.things.a.parts.p", type="text", size=2),
                         want("m.things.a.links.l", to="p")],
                        live(have("m.things.a"), have("m.things.a.parts.p", type="text", size=1),
                             have("m.things.a.links.l", to="p")),
                        DEPENDENCY_RULES, prune=False, live_dependencies=deps)
    assert actions(result) == {"m.things.a": "no-op", "m.things.a.parts.p": "update", "m.things.a.links.l": "no-op"}


CHAIN_RULES = {"things": KindRules("things"),
               "parts": KindRules("parts", replace_on=frozenset({"type"}), renamable=True, rename_chains=True)}


def _chain(rules: dict[str, KindRules], *live_parts: tuple[str, str]) -> Any:
    # b takes a's resource, x takes b's, a takes c's: every new name but x was live before
    return diff_state([want("m.things.t"), want("m.things.t.parts.b", renamed_from="a", type="num"),
                       want("m.things.t.parts.x", renamed_from="b", type="num"),
                       want("m.things.t.parts.a", renamed_from="c", type="text")],
                      live(have("m.things.t"), *(have(f"m.things.t.parts.{n}", type=t) for n, t in live_parts)),
                      rules, prune=False)


def test_a_chain_of_renames_moves_every_resource_to_its_new_name() -> None:
    result = _chain(CHAIN_RULES, ("a", "num"), ("b", "num"), ("c", "text"))
    assert actions(result) == {"m.things.t": "no-op", "m.things.t.parts.a": "update", "m.things.t.parts.b": "update",
                               "m.things.t.parts.x": "update"}
    moved = {str(c.address): str(c.renamed_from) for c in result.changes if c.renamed_from}
    assert moved == {"m.things.t.parts.b": "m.things.t.parts.a", "m.things.t.parts.x": "m.things.t.parts.b",
                     "m.things.t.parts.a": "m.things.t.parts.c"}


def test_an_applied_chain_of_renames_is_no_change() -> None:
    result = _chain(CHAIN_RULES, ("b", "num"), ("x", "num"), ("a", "text"))
    assert {c.action for c in result.changes} == {Action.NOOP}


def test_a_chain_of_renames_is_refused_where_the_backend_renames_one_at_a_time() -> None:
    rules = {**CHAIN_RULES, "parts": KindRules("parts", renamable=True)}
    with pytest.raises(PlanError, match="chain of renames"):
        _chain(rules, ("a", "num"), ("b", "num"), ("c", "text"))


@pytest.mark.parametrize(("declared", "message"), [
    ([want("m.things.t.parts.b", renamed_from="a")], "both 'a' and 'b' exist on the server"),
    ([want("m.things.t.parts.b", renamed_from="a"), want("m.things.t.parts.a", renamed_from="b")], "cycle"),
    ([want("m.things.t.parts.b", renamed_from="a"), want("m.things.t.parts.z", renamed_from="a")],
     "renamed from it too"),
])
def test_ambiguous_renames_are_errors_not_guesses(declared: list[DesiredResource], message: str) -> None:
    with pytest.raises(PlanError, match=message):
        diff_state([want("m.things.t"), *declared],
                   live(have("m.things.t"), have("m.things.t.parts.a"), have("m.things.t.parts.b")),
                   CHAIN_RULES, prune=False)


def test_shapes_with_few_keys_in_common_are_compared_key_by_key() -> None:
    result = diff_state([want("m.things.t"), want("m.things.t.parts.p", type="varchar", size=20)],
                        live(have("m.things.t"), have("m.things.t.parts.p", type="relationship", relatedTable="t",
                                                      relationType="oneToOne")),
                        {**CHAIN_RULES, "parts": KindRules("parts", replace_on=frozenset({"type"}),
                                                           compare_declared_only=False)}, prune=False)
    part = next(c for c in result.changes if c.kind == "parts")
    assert part.action is Action.REPLACE
    assert {d.path for d in part.diff} == {"type", "size", "relatedTable", "relationType"}
