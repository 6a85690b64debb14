"""Plans: per-provider changes and operations, target selection, summary, and the plan file. Pure.

The plan file (``plan --out``) is the JSON rendering of a Plan plus where the manifest came from.
It never contains secrets: ``apply --plan FILE`` re-reads the manifest and the live objects, refuses
when either changed since the plan (manifest digest, per-change live digests), and then runs the
operations it recomputes, which are therefore exactly the saved ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.diff import diff_state
from baseform.engine.operation import Operation
from baseform.engine.resource import DesiredResource, KindRules, LiveState
from baseform.errors import PlanError, SourceSpan
from baseform.types import JSON, JSONObject

if TYPE_CHECKING:
    from baseform.providers.base import Provider

__all__ = ["FORMAT_VERSION", "Plan", "ProviderPlan", "annotate", "applied_already", "build_provider_plan",
           "check_targets",
           "format_problem", "select_targets", "stale_reasons"]

FORMAT_VERSION = "1.0"


@dataclass(frozen=True, slots=True)
class ProviderPlan:
    """The plan for one provider section. ``changes`` includes no-ops (they are not rendered)."""

    provider: str
    endpoint: str
    server_version: str | None
    changes: tuple[Change, ...]
    operations: tuple[Operation, ...]
    unmanaged: tuple[Address, ...] = ()
    warnings: tuple[str, ...] = ()
    excluded: int = 0
    """Changes left out by ``--target`` (they would happen without it)."""


@dataclass(frozen=True, slots=True)
class Plan:
    digest: str | Callable[[], str]
    """The manifest's digest, or the function that makes it: only plan files and the checks of a saved plan
    read it, and for a large manifest making it costs about as much as reading the server."""
    providers: tuple[ProviderPlan, ...]
    targets: tuple[Address, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def manifest_digest(self) -> str:
        """Digest of everything the plan depends on in the manifest (see :attr:`digest`)."""
        return self.digest if isinstance(self.digest, str) else self.digest()

    @property
    def changes(self) -> list[Change]:
        """Every change that does something, in provider then address order."""
        return [c for p in self.providers for c in p.changes if c.action is not Action.NOOP]

    @property
    def operations(self) -> list[Operation]:
        return [op for p in self.providers for op in p.operations]

    @property
    def sources(self) -> dict[Address, SourceSpan]:
        """Where each changed resource is declared in the manifest."""
        return {c.address: c.source for c in self.changes if c.source is not None}

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def excluded(self) -> int:
        """Changes left out by ``--target``."""
        return sum(p.excluded for p in self.providers)

    @property
    def destructive(self) -> list[Change]:
        return [c for c in self.changes if c.destructive]

    @property
    def protected(self) -> list[Change]:
        """Destructive changes of resources marked ``protect: true``: never applied."""
        return [c for c in self.destructive if c.protect]

    def summary(self) -> dict[str, int]:
        counts = {a.value: 0 for a in (Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE, Action.NOOP)}
        for p in self.providers:
            for c in p.changes:
                counts[c.action.value] += 1
        return counts


def select_targets(changes: Sequence[Change], desired: Sequence[DesiredResource],
                   targets: Sequence[Address]) -> list[Change]:
    """The changes within ``targets`` and what they need, nothing else.

    A change needs its parent and the resources it refers to (``depends_on``) only when they do not
    exist yet: their creation comes along, and a recreation with everything recreated with it. An
    update of a parent (a rename, a new setting) is not needed by its children and stays out.
    """
    if not targets:
        return list(changes)
    by_address = {c.address: c for c in changes}
    deps = {d.address: d.depends_on for d in desired}
    keep: set[Address] = set()
    todo = [c.address for c in changes if any(c.address.is_within(t) for t in targets)]
    while todo:
        a = todo.pop()
        if a in keep:
            continue
        keep.add(a)
        needed: list[Address] = list(deps.get(a, ()))
        if a.parent is not None:
            needed.append(a.parent)
        for r in needed:
            change = by_address.get(r)
            if change is None or change.action not in (Action.CREATE, Action.REPLACE):
                continue
            todo.append(r)
            if change.action is Action.REPLACE:
                todo.extend(c.address for c in changes if c.address.is_within(r))
    return [c for c in changes if c.address in keep]


def _number(value: JSON) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _narrowing(change: Change, rules: KindRules) -> list[str]:
    """What an in-place change takes away from existing data (the kind's ``narrowing`` fields)."""
    out: list[str] = []
    for d in change.diff:
        how = rules.narrowing.get(d.path) or rules.narrowing.get(d.path.split(".")[0])
        before, after = _number(d.before), _number(d.after)
        unlimited = how == "limit" and not before  # 0 or unset: no limit
        if how in ("max", "limit") and after is not None and (unlimited or (before is not None and after < before)):
            since = "there was no limit" if unlimited else f"from {d.before}"
            out.append(f"{d.path} narrows to {d.after} ({since}): existing data beyond the new limit may no "
                       "longer validate")
        elif how == "min" and before is not None and after is not None and after > before:
            out.append(f"{d.path} narrows from {d.before} to {d.after}: existing data below the new limit may no "
                       "longer validate")
        elif how == "values" and isinstance(d.before, list):
            kept = d.after if isinstance(d.after, list) else []
            removed = [v for v in d.before if v not in kept]
            if removed:
                shown = ", ".join(json.dumps(v, ensure_ascii=False) for v in removed)
                out.append(f"{d.path} loses {shown}: existing data holding {'them' if len(removed) > 1 else 'it'} "
                           "may no longer validate")
    return out


def annotate(changes: Sequence[Change], rules: Mapping[str, KindRules]) -> list[Change]:
    """CHANGES with what each does to data, from the kinds' rules: ``data_loss`` on a delete or
    replace of a kind that holds data (not on one that goes with its destroyed parent, whose note
    covers it) and ``warnings`` for in-place changes that narrow a limit. Pure."""
    destroyed = {c.address for c in changes if c.destructive}
    out = []
    for change in changes:
        kind = rules.get(change.kind)
        if kind is None or change.action is Action.NOOP:
            out.append(change)
            continue
        covered = any(a in destroyed for a in _ancestors(change.address))
        loss = kind.data_loss if change.destructive and not covered else None
        warnings = tuple(_narrowing(change, kind)) if change.action is Action.UPDATE else ()
        defaulted = _defaulted(change.after, kind) if change.action in (Action.CREATE, Action.REPLACE) else frozenset()
        out.append(change._replace(data_loss=loss, warnings=warnings, defaulted=defaulted)
                   if loss or warnings or defaulted else change)
    return out


def _defaulted(after: JSONObject | None, kind: KindRules) -> frozenset[str]:
    """Keys of AFTER whose value is what the server would fill in anyway (the kind's defaults)."""
    if after is None:
        return frozenset()
    by_type = kind.type_defaults.get(str(after.get(kind.type_key)), {}) if kind.type_key else {}
    missing = object()
    return frozenset(k for k, v in after.items() if k != kind.type_key
                     and by_type.get(k, kind.defaults.get(k, missing)) == v)


def _ancestors(address: Address) -> list[Address]:
    out = []
    parent = address.parent
    while parent is not None:
        out.append(parent)
        parent = parent.parent
    return out


def build_provider_plan(provider: Provider, desired: Sequence[DesiredResource], live: LiveState, *,
                        prune: bool, targets: Sequence[Address] = ()) -> ProviderPlan:
    """Diff, select targets and derive operations for one provider. Pure."""
    prepared = provider.prepare(desired, live)
    rules = provider.rules(live)
    result = diff_state(prepared, live, rules, prune=prune,
                        replace_reasons=lambda a, b, af, d: provider.replace_reasons(a, b, af, d, live),
                        live_dependencies=provider.live_dependencies(live))
    own_targets = [t for t in targets if t.provider == provider.name]
    changes = select_targets(result.changes, prepared, own_targets) if targets else list(result.changes)
    # a new Change only where the provider has details to add (copying thousands of changes is not free)
    changes = [c._replace(details=details) if c.action is not Action.NOOP and (details := provider.details(c, live))
               else c for c in changes]
    changes = annotate(changes, rules)
    excluded = sum(1 for c in result.changes if c.action is not Action.NOOP) - sum(
        1 for c in changes if c.action is not Action.NOOP)
    operations = provider.operations(changes, prepared, live)
    return ProviderPlan(provider.name, live.endpoint, live.server_version, tuple(changes), tuple(operations),
                        result.unmanaged, tuple(provider.plan_warnings(changes, live)), excluded)


def check_targets(targets: Iterable[Address], plans: Sequence[ProviderPlan],
                  desired: Mapping[str, Sequence[DesiredResource]]) -> None:
    """Raise PlanError for a target that names nothing declared or live."""
    known = {c.address for p in plans for c in p.changes}
    known |= {d.address for ds in desired.values() for d in ds}
    for t in targets:
        if not any(a.is_within(t) for a in known):
            raise PlanError(f"--target {t} matches no declared or live resource", address=str(t))


def format_problem(saved: Mapping[str, JSON]) -> str | None:
    """Why SAVED (a plan file's JSON) cannot be read by this version of baseform, or None."""
    version = saved.get("format_version")
    if version == FORMAT_VERSION:
        return None
    if not isinstance(version, str):
        return "it has no format_version: it is not a baseform plan file"
    return (f"it is in plan format {version}, and this baseform reads {FORMAT_VERSION}: make the plan again "
            f"with this version")


def stale_reasons(saved: Mapping[str, JSON], current: Plan) -> list[str]:
    """Why a saved plan (its JSON) no longer describes what applying would do ([] = still valid),
    in address order. Call :func:`format_problem` first."""
    reasons: list[str] = []
    if saved.get("manifest_digest") != current.manifest_digest:
        reasons.append("the manifest changed since the plan was made")
    changes = saved.get("changes")
    old = {str(c["address"]): c for c in changes if isinstance(c, dict)} if isinstance(changes, list) else {}
    new = {str(c.address): c for c in current.changes}
    for address in sorted(old.keys() | new.keys()):
        before, change = old.get(address), new.get(address)
        if before is None:
            reasons.append(f"{address}: not in the saved plan (it changed on the server since)")
        elif change is None:
            reasons.append(f"{address}: planned {before.get('action')}, but nothing needs doing now "
                           "(changed on the server since)")
        elif before.get("live_digest") != change.live_digest:
            reasons.append(f"{address}: the live object changed since the plan")
        elif before.get("action") != change.action.value:
            reasons.append(f"{address}: planned {before.get('action')}, now {change.action.value}")
    return reasons


def applied_already(saved: Mapping[str, JSON], current: Plan) -> bool:
    """Whether the servers already are what the saved plan would make them: the same manifest, the
    saved plan had changes, and planning now finds none."""
    changes = saved.get("changes")
    return (saved.get("manifest_digest") == current.manifest_digest and isinstance(changes, list)
            and bool(changes) and not current.has_changes)
