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
                  *, renamed: bool = False, must_replace: bool = False) -> Action:
    """The single place an Action is chosen from the values and the per-field diffs.

    ``must_replace`` is set when a rule that blames no field of the resource itself (a child or a
    dependency that is recreated) rules out an in-place change.
    """
    if before is None:
        return Action.CREATE
    if after is None:
        return Action.DELETE
    if must_replace or any(d.forces_replacement for d in diffs):
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
    # imported here: deepdiff pulls in numpy (~0.4 s), which only a plan with changes needs
    from deepdiff import DeepDiff
    from deepdiff.path import parse_path

    # threshold 0: two shapes with few keys in common are still compared key by key (DeepDiff would
    # report them as one change at the root, which no replace rule can blame)
    dd = DeepDiff(before, after, ignore_numeric_type_changes=True, verbose_level=2, threshold_to_diff_deeper=0)
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
    # most live objects have exactly the keys declared: then the live value itself is the projection
    return live if live.keys() <= desired.keys() else {k: v for k, v in live.items() if k in desired}


def _rules_for(rules: Mapping[str, KindRules], address: Address) -> KindRules:
    try:
        return rules[address.kind]
    except KeyError:
        raise PlanError(f"no rules declared for kind {address.kind!r}", address=str(address)) from None


def _old_address(d: DesiredResource) -> Address:
    assert d.renamed_from is not None
    base = d.address.parent
    return (base.child(d.address.kind, d.renamed_from) if base
            else Address(d.address.provider, ((d.address.kind, d.renamed_from),)))


def _rename_error(d: DesiredResource, message: str, hint: str) -> PlanError:
    return PlanError(f"renamedFrom {d.renamed_from!r}: {message} ({hint})", address=str(d.address), source=d.source)


def _pending_renames(level: Sequence[DesiredResource], desired: Mapping[Address, DesiredResource],
                     current: Mapping[Address, LiveResource],
                     rules: Mapping[str, KindRules]) -> dict[Address, DesiredResource]:
    """The renames of one depth that still have to happen: old live address -> its declaration.

    A hint whose old name is still declared for itself keeps that resource. Renames may form a
    chain (``b`` from ``a``, ``a`` from ``c``) when the kind's backend applies them together
    (``rename_chains``); a chain is pending while its first name (``c``) is live, and applied
    once it is gone, since after the apply every other name of the chain is live again. A plain
    rename is pending while its old name is live. Anything ambiguous (both names live outside a
    chain, a swap, two renames from one name) is an error rather than a guess: a wrong guess
    moves data between fields.
    """
    candidates: dict[Address, DesiredResource] = {}
    for d in level:
        old = _old_address(d)
        holder = desired.get(old)
        if (holder is not None and not holder.renamed_from) or not _rules_for(rules, d.address).renamable:
            continue  # the old name is kept; or not renamable (reported by validation, never guessed)
        if old in candidates:
            raise _rename_error(d, f"{candidates[old].address} is renamed from it too",
                                "rename a resource into one name only")
        candidates[old] = d
    old_of = {d.address: old for old, d in candidates.items()}
    pending: dict[Address, DesiredResource] = {}
    for old, d in candidates.items():
        source, seen = old, {old}
        while source in old_of:
            source = old_of[source]
            if source in seen:
                raise _rename_error(d, "the renames form a cycle (a swap), which cannot be told apart from one "
                                       "already applied", "rename through a temporary name in two applies")
            seen.add(source)
        if old not in current or source not in current:
            continue  # nothing to rename, or applied already
        chained = d.address in candidates or old in old_of
        if chained and not _rules_for(rules, d.address).rename_chains:
            raise _rename_error(d, "it is part of a chain of renames, which this backend cannot apply together",
                                "apply the renames one at a time")
        if d.address in current and d.address not in candidates:
            raise _rename_error(d, f"both {old.name!r} and {d.address.name!r} exist on the server",
                                f"remove renamedFrom if the rename was applied already, or remove or rename "
                                f"{d.address.name!r} first")
        pending[old] = d
    return pending


def _apply_renames(desired: Mapping[Address, DesiredResource], live: Mapping[Address, LiveResource],
                   rules: Mapping[str, KindRules]) -> tuple[dict[Address, LiveResource], dict[Address, Address]]:
    """Re-key live resources by the names the manifest gives them after ``renamedFrom`` hints.

    Returns the re-keyed live map and, for each renamed resource, new address -> original address.
    The renames of one depth are applied together (so chains and swaps work), parents before
    children so a child's old address is looked up under its parent's new name.
    """
    current = dict(live)
    origin: dict[Address, Address] = {}
    levels: dict[int, list[DesiredResource]] = {}
    for d in desired.values():
        if d.renamed_from:
            levels.setdefault(d.address.depth, []).append(d)
    for depth in sorted(levels):
        pending = _pending_renames(levels[depth], desired, current, rules)
        if not pending:
            continue
        moved: dict[Address, LiveResource] = {}
        moved_origin: dict[Address, Address] = {}
        for addr, res in current.items():
            target = pending.get(Address(addr.provider, addr.path[:depth])) if addr.depth >= depth else None
            new_addr = addr.rebase(_old_address(target), target.address) if target is not None else addr
            moved[new_addr] = res
            if new_addr != addr or addr in origin:
                moved_origin[new_addr] = origin.get(addr, addr)
        current, origin = moved, moved_origin
    return current, origin


@dataclass(frozen=True, slots=True)
class _Forced:
    """Why a resource must be replaced although its own fields could change in place."""

    reasons: tuple[str, ...]
    diffs: tuple[FieldDiff, ...] = ()


def diff_state(desired: Iterable[DesiredResource], live: LiveState, rules: Mapping[str, KindRules], *,
               prune: bool, replace_reasons: ReplaceReasons | None = None,
               live_dependencies: Mapping[Address, frozenset[Address]] | None = None) -> DiffResult:
    """Compute every resource's Change for one provider (no-ops included), sorted by address.

    ``live_dependencies`` (live address -> the live resources it refers to) lets kinds with
    ``replaced_with_dependencies`` follow a dependency that is recreated.
    """
    reasons_of = replace_reasons or default_replace_reasons(rules)
    want = {d.address: d for d in desired}
    have, origin = _apply_renames(want, live.resources, rules)

    alone = frozenset(kind for kind, kind_rules in rules.items() if kind_rules.managed_alone)

    def scope_root(a: Address) -> bool:
        """Top-level, or of a kind managed alone: left alone when undeclared unless pruned."""
        return a.depth == 1 or a.kind in alone

    text: dict[Address, str] = {}

    def order(a: Address) -> tuple[int, str]:
        """Parents first, then by address (each address is written out once: sorting thousands of
        resources several times would otherwise mostly build their strings)."""
        found = text.get(a)
        if found is None:
            found = text[a] = str(a)
        return a.depth, found

    unmanaged: list[Address] = []
    pruned: set[Address] = set()

    def in_scope(a: Address) -> bool:
        prefixes = (Address(a.provider, a.path[:d]) for d in range(1, a.depth + 1))
        return all(p in want or p in pruned for p in prefixes if scope_root(p))

    # parents first, so a root inside an undeclared (and unpruned) root is not listed itself
    for a in sorted((a for a in have if scope_root(a) and a not in want), key=order):
        if a.parent is not None and not in_scope(a.parent):
            continue
        if prune and not have[a].implicit:
            pruned.add(a)
        else:
            unmanaged.append(a)
    unmanaged.sort()

    scoped: dict[Address, bool] = {}

    def settled_in_scope(a: Address) -> bool:
        """:func:`in_scope` once ``pruned`` is complete, remembered per address (siblings share parents)."""
        found = scoped.get(a)
        if found is None:
            parent = a.parent
            found = scoped[a] = ((not scope_root(a) or a in want or a in pruned)
                                 and (parent is None or settled_in_scope(parent)))
        return found

    # a declared address is in the plan anyway: only the undeclared live ones need their scope worked out
    addresses = sorted({*want, *(a for a in have if a not in want and settled_in_scope(a))}, key=order)
    dependencies = _renamed_dependencies(live_dependencies or {}, origin)
    forced: dict[Address, _Forced] = {}
    while True:  # each round may force more replacements; it ends because `forced` only grows
        decided: dict[Address, Change] = {}
        for address in addresses:
            change = _decide(address, want.get(address), have.get(address), origin.get(address), decided,
                             rules, reasons_of, forced.get(address))
            if change is not None:
                decided[address] = change
        more = _forced_replacements(decided, rules, forced, dependencies)
        if not more:
            break
        forced.update(more)
    ordered = sorted(decided.values(), key=lambda c: order(c.address)[1])
    return DiffResult(tuple(ordered), tuple(unmanaged))


def _renamed_dependencies(dependencies: Mapping[Address, frozenset[Address]],
                          origin: Mapping[Address, Address]) -> dict[Address, frozenset[Address]]:
    """Live dependencies re-keyed by the addresses the manifest gives them after renames."""
    renamed = {old: new for new, old in origin.items()}
    return {renamed.get(a, a): frozenset(renamed.get(d, d) for d in deps) for a, deps in dependencies.items()}


def _forced_replacements(decided: Mapping[Address, Change], rules: Mapping[str, KindRules],
                         forced: Mapping[Address, _Forced],
                         dependencies: Mapping[Address, frozenset[Address]]) -> dict[Address, _Forced]:
    """Resources that could change in place on their own but must be replaced: the parent of a
    ``replaces_parent`` child that cannot change in place, and a ``replaced_with_dependencies``
    resource whose dependency is replaced."""
    reasons: dict[Address, list[str]] = {}
    diffs: dict[Address, list[FieldDiff]] = {}

    def force(address: Address, reason: str, blamed: Iterable[FieldDiff] = ()) -> None:
        target = decided.get(address)
        if address in forced or target is None or target.action not in (Action.UPDATE, Action.NOOP):
            return
        reasons.setdefault(address, []).append(reason)
        diffs.setdefault(address, []).extend(blamed)

    for change in decided.values():
        address, kind = change.address, _rules_for(rules, change.address)
        if kind.replaces_parent and address.parent is not None:
            name = f"{address.kind}.{address.name}"
            if change.action is Action.REPLACE:
                blamed = [d for d in change.diff if d.forces_replacement] or list(change.diff)
                force(address.parent, f"{name}: {change.reason}",
                      [FieldDiff(f"{name}.{d.path}", d.before, d.after, True) for d in blamed])
            elif change.action is Action.DELETE:
                force(address.parent, f"{name} is not declared, and {kind.delete_unsupported}",
                      [FieldDiff(name, change.before, ABSENT, True)])
        if kind.replaced_with_dependencies:
            # the replaced ones first, then in address order (writing out every dependency is not free)
            replaced = [dep for dep in dependencies.get(address, ())
                        if (dep_change := decided.get(dep)) is not None and dep_change.action is Action.REPLACE]
            for dep in sorted(replaced, key=str):
                force(address, f"{dep.kind}.{dep.name} is recreated, and this {address.kind} refers to it")
    return {a: _Forced(tuple(r), tuple(diffs[a])) for a, r in reasons.items()}


def _decide(address: Address, want: DesiredResource | None, have: LiveResource | None,
            origin: Address | None, decided: Mapping[Address, Change], rules: Mapping[str, KindRules],
            reasons_of: ReplaceReasons, forced: _Forced | None = None) -> Change | None:
    # run once per resource of a plan (thousands, mostly no-ops): attributes are read once, and the
    # Change is made with positional fields (a named tuple's keywords cost more)
    kind_rules = rules.get(address.kind) or _rules_for(rules, address)
    if have is not None and have.implicit and want is None:
        return None
    after = normalize(kind_rules, want.value) if want is not None else None
    before_full = normalize(kind_rules, have.value) if have is not None else None
    parent_address = address.parent
    parent = decided.get(parent_address) if parent_address is not None else None
    source = want.source if want is not None else None
    protect = want.protect if want is not None else False

    def make(action: Action, before: JSONObject | None, diffs: Sequence[FieldDiff] = (),
             reason: str | None = None) -> Change:
        # a no-op is never applied, so no saved plan checks its live object: its digest is not needed
        digest = have.digest if have is not None and action is not Action.NOOP else None
        return Change(address, action, before, after if action is not Action.DELETE else None, tuple(diffs),
                      reason, source, digest, origin, protect, kind_rules.sensitive)

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

    ignore = kind_rules.ignore
    compared = {k: v for k, v in after.items() if k not in ignore} if ignore else after
    before = _project(before_full, compared) if kind_rules.compare_declared_only else {
        k: v for k, v in before_full.items() if k not in ignore}
    diffs = [] if before == compared else diff_fields(before, compared)
    reasons = reasons_of(address, before, after, diffs)
    if reasons:
        # a reason starts with the dotted path of the field it blames
        blamed = {r.split(" ", 1)[0] for r in reasons}
        diffs = [FieldDiff(d.path, d.before, d.after, d.path in blamed or d.path.split(".")[0] in blamed)
                 for d in diffs]
        if not any(d.forces_replacement for d in diffs):
            # a conditional rule without a single field to blame still forces replacement
            diffs = [FieldDiff(d.path, d.before, d.after, True) for d in diffs]
    if forced is not None:
        reasons = [*reasons, *forced.reasons]
        diffs = [*diffs, *forced.diffs]
    action = decide_action(before, after, diffs, renamed=origin is not None, must_replace=bool(reasons))
    reason = "; ".join(reasons) if reasons else (
        f"renamed from {origin.name}" if origin is not None and action is Action.UPDATE else None)
    return make(action, before, diffs, reason)
