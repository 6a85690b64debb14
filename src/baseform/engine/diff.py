"""Compare desired resources with live state and decide one Change per resource. Pure.

This is the only module that calls DeepDiff, and :func:`decide_action` is the only place an Action
is chosen (after Terraform's ``getAction``): providers say *which fields* force replacement, the core
picks the action.

Scope rules (design §2): inside a declared resource its children are authoritative (an undeclared
live child is deleted); top-level live resources that are not declared are *unmanaged* and left
alone unless the provider section sets ``prune``. Children of a deleted or replaced resource follow
their parent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from deepdiff import DeepDiff
from deepdiff.path import parse_path

from baseform.engine.address import Address
from baseform.engine.change import ABSENT, Action, Change, FieldDiff
from baseform.engine.normalize import normalize
from baseform.engine.resource import DesiredResource, KindRules, LiveResource, LiveState
from baseform.errors import PlanError
from baseform.types import JSON, JSONObject

__all__ = ["DiffResult", "ReplaceReasons", "decide_action", "default_replace_reasons", "diff_fields",
           "diff_state"]

ReplaceReasons = Callable[[Address, JSONObject, JSONObject, Sequence[FieldDiff]], list[str]]
"""(address, before, after, diffs) -> reasons the change cannot be made in place ([] = it can)."""


@dataclass(frozen=True, slots=True)
class DiffResult:
    changes: tuple[Change, ...]
    unmanaged: tuple[Address, ...]


def decide_action(before: JSONObject | None, after: JSONObject | None, diffs: Sequence[FieldDiff],
                  *, renamed: bool = False) -> Action:
    """The single place an Action is chosen from the values and the per-field diffs."""
    if before is None:
        return Action.CREATE
    if after is None:
        return Action.DELETE
    if any(d.forces_replacement for d in diffs):
        return Action.REPLACE
    return Action.UPDATE if diffs or renamed else Action.NOOP


def _lookup(value: JSON, path: Sequence[str | int]) -> JSON:
    for part in path:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return ABSENT
    return value


def diff_fields(before: JSONObject, after: JSONObject) -> list[FieldDiff]:
    """Per-field differences, dotted paths; a changed list is reported whole at its own path."""
    dd = DeepDiff(before, after, ignore_numeric_type_changes=True, verbose_level=2)
    paths: dict[tuple[str | int, ...], None] = {}
    for text in dd.affected_paths:
        parts: list[str | int] = parse_path(text)  # type: ignore[no-untyped-call]
        cut: list[str | int] = []
        for part in parts:
            if isinstance(part, int):
                break
            cut.append(part)
        paths[tuple(cut)] = None
    out = []
    for path in sorted(paths, key=lambda p: [str(x) for x in p]):
        out.append(FieldDiff(".".join(str(p) for p in path), _lookup(before, path), _lookup(after, path)))
    return out


def _fmt(value: JSON) -> str:
    if value is ABSENT:
        return "(unset)"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def default_replace_reasons(rules: Mapping[str, KindRules]) -> ReplaceReasons:
    """Reasons from each kind's ``replace_on`` fields: ``type varchar -> text cannot change in place``."""

    def reasons(address: Address, before: JSONObject, after: JSONObject,
                diffs: Sequence[FieldDiff]) -> list[str]:
        replace_on = rules[address.kind].replace_on if address.kind in rules else frozenset()
        return [f"{d.path} {_fmt(d.before)} -> {_fmt(d.after)} cannot change in place"
                for d in diffs if d.path.split(".")[0] in replace_on]

    return reasons


def _project(live: JSONObject, desired: JSONObject) -> JSONObject:
    return {k: v for k, v in live.items() if k in desired}


def _rules_for(rules: Mapping[str, KindRules], address: Address) -> KindRules:
    try:
        return rules[address.kind]
    except KeyError:
        raise PlanError(f"no rules declared for kind {address.kind!r}", address=str(address)) from None


def _apply_renames(desired: Mapping[Address, DesiredResource], live: Mapping[Address, LiveResource],
                   rules: Mapping[str, KindRules]) -> tuple[dict[Address, LiveResource], dict[Address, Address]]:
    """Re-key live resources by the names the manifest gives them after ``renamedFrom`` hints.

    Returns the re-keyed live map and, for each renamed resource, new address -> original address.
    Parents are processed before children so a child's old address is looked up under its
    parent's new name.
    """
    current = dict(live)
    origin: dict[Address, Address] = {}
    for d in sorted((d for d in desired.values() if d.renamed_from), key=lambda d: d.address.depth):
        assert d.renamed_from is not None
        base = d.address.parent
        old = (base.child(d.address.kind, d.renamed_from) if base
               else Address(d.address.provider, ((d.address.kind, d.renamed_from),)))
        if d.address in current or old not in current or old in desired:
            continue  # already renamed, nothing to rename, or the old name is still declared
        if not _rules_for(rules, d.address).renamable:
            continue  # reported by validation; never silently rename what cannot be renamed
        moved = {}
        for addr, res in current.items():
            if addr.is_within(old):
                new_addr = addr.rebase(old, d.address)
                moved[new_addr] = res
                origin[new_addr] = origin.get(addr, addr)
            else:
                moved[addr] = res
        current = moved
    return current, origin


def diff_state(desired: Iterable[DesiredResource], live: LiveState, rules: Mapping[str, KindRules], *,
               prune: bool, replace_reasons: ReplaceReasons | None = None) -> DiffResult:
    """Compute every resource's Change for one provider (no-ops included), sorted by address."""
    reasons_of = replace_reasons or default_replace_reasons(rules)
    want = {d.address: d for d in desired}
    have, origin = _apply_renames(want, live.resources, rules)

    top_live = {a for a in have if a.depth == 1}
    undeclared_top = sorted(a for a in top_live if a not in want)
    unmanaged: list[Address] = []
    pruned: set[Address] = set()
    for a in undeclared_top:
        if prune and not have[a].implicit:
            pruned.add(a)
        else:
            unmanaged.append(a)

    def in_scope(a: Address) -> bool:
        root = Address(a.provider, a.path[:1])
        return root in want or root in pruned

    addresses = sorted({*want, *(a for a in have if in_scope(a))}, key=lambda a: (a.depth, str(a)))
    forced: dict[Address, str] = {}
    while True:
        decided: dict[Address, Change] = {}
        for address in addresses:
            change = _decide(address, want.get(address), have.get(address), origin.get(address), decided,
                             rules, reasons_of, forced.get(address))
            if change is not None:
                decided[address] = change
        more = _parents_to_replace(decided, rules, forced)
        if not more:
            break
        forced.update(more)
    ordered = sorted(decided.values(), key=lambda c: str(c.address))
    return DiffResult(tuple(ordered), tuple(unmanaged))


def _parents_to_replace(decided: Mapping[Address, Change], rules: Mapping[str, KindRules],
                        forced: Mapping[Address, str]) -> dict[Address, str]:
    """Parents that must be replaced because a child of a ``replaces_parent`` kind cannot change in place."""
    more: dict[Address, str] = {}
    for change in decided.values():
        parent = change.address.parent
        if parent is None or parent in forced or parent in more:
            continue
        if not _rules_for(rules, change.address).replaces_parent:
            continue
        parent_change = decided.get(parent)
        if parent_change is None or parent_change.action not in (Action.UPDATE, Action.NOOP):
            continue
        if change.action is Action.REPLACE:
            more[parent] = f"{change.address.kind} {change.address.name}: {change.reason}"
        elif change.action is Action.DELETE:
            more[parent] = f"{change.address.kind} {change.address.name} cannot be removed in place"
    return more


def _decide(address: Address, want: DesiredResource | None, have: LiveResource | None,
            origin: Address | None, decided: Mapping[Address, Change], rules: Mapping[str, KindRules],
            reasons_of: ReplaceReasons, forced_reason: str | None = None) -> Change | None:
    kind_rules = _rules_for(rules, address)
    after = normalize(kind_rules, want.value) if want else None
    before_full = normalize(kind_rules, have.value) if have else None
    parent = decided.get(address.parent) if address.parent else None

    def make(action: Action, before: JSONObject | None, diffs: Sequence[FieldDiff] = (),
             reason: str | None = None) -> Change:
        return Change(address, action, before, after if action is not Action.DELETE else None,
                      tuple(diffs), reason, source=want.source if want else None,
                      live_digest=have.digest if have else None, renamed_from=origin,
                      protect=bool(want and want.protect), sensitive=kind_rules.sensitive)

    if have is not None and have.implicit and want is None:
        return None
    if parent is not None and parent.action in (Action.DELETE, Action.REPLACE):
        if parent.action is Action.DELETE or after is None:
            return make(Action.DELETE, before_full, reason=f"deleted with {parent.address}") if have else None
        if before_full is None:
            return make(Action.CREATE, None)
        return make(Action.REPLACE, before_full, reason=f"recreated with {parent.address}")
    if before_full is None:
        return make(Action.CREATE, None)
    if after is None:
        return make(Action.DELETE, before_full, reason="not declared in the manifest")

    compared = {k: v for k, v in after.items() if k not in kind_rules.ignore}
    before = _project(before_full, compared) if kind_rules.compare_declared_only else {
        k: v for k, v in before_full.items() if k not in kind_rules.ignore}
    diffs = [] if before == compared else diff_fields(before, compared)
    reasons = reasons_of(address, before, after, diffs)
    if forced_reason is not None:
        reasons = [*reasons, forced_reason]
    if reasons:
        forced = {r.split(" ", 1)[0] for r in reasons}
        diffs = [FieldDiff(d.path, d.before, d.after, d.path in forced or d.path.split(".")[0] in forced)
                 for d in diffs]
        if not any(d.forces_replacement for d in diffs):
            # a conditional rule without a single field to blame still forces replacement
            diffs = [FieldDiff(d.path, d.before, d.after, True) for d in diffs] or [
                FieldDiff("(resource)", None, None, True)]
    action = decide_action(before, after, diffs, renamed=origin is not None)
    reason = "; ".join(reasons) if reasons else (
        f"renamed from {origin.name}" if origin is not None and action is Action.UPDATE else None)
    return make(action, before, diffs, reason)
