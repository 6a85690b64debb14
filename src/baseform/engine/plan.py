"""Plans: per-provider changes and operations, target selection, summary, and the plan file. Pure.

The plan file (``plan --out``) is the JSON rendering of a Plan plus where the manifest came from.
It never contains secrets: ``apply --plan FILE`` re-reads the manifest and the live objects, refuses
when either changed since the plan (manifest digest, per-change live digests), and then runs the
operations it recomputes, which are therefore exactly the saved ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.diff import diff_state
from baseform.engine.operation import Operation
from baseform.engine.resource import DesiredResource, LiveState
from baseform.errors import PlanError, SourceSpan
from baseform.types import JSON

if TYPE_CHECKING:
    from baseform.providers.base import Provider

__all__ = ["FORMAT_VERSION", "Plan", "ProviderPlan", "build_provider_plan", "check_targets", "select_targets",
           "stale_reasons"]

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


@dataclass(frozen=True, slots=True)
class Plan:
    manifest_digest: str
    providers: tuple[ProviderPlan, ...]
    targets: tuple[Address, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)

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
    """The changes within ``targets`` plus the changes they depend on (parents, references)."""
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
        related: list[Address] = list(deps.get(a, ()))
        if a.parent is not None:
            related.append(a.parent)
        todo.extend(r for r in related if r in by_address and r not in keep)
    return [c for c in changes if c.address in keep]


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
    changes = [c if c.action is Action.NOOP else replace(c, details=provider.details(c, live)) for c in changes]
    operations = provider.operations(changes, prepared, live)
    return ProviderPlan(provider.name, live.endpoint, live.server_version, tuple(changes), tuple(operations),
                        result.unmanaged, tuple(provider.plan_warnings(changes, live)))


def check_targets(targets: Iterable[Address], plans: Sequence[ProviderPlan],
                  desired: Mapping[str, Sequence[DesiredResource]]) -> None:
    """Raise PlanError for a target that names nothing declared or live."""
    known = {c.address for p in plans for c in p.changes}
    known |= {d.address for ds in desired.values() for d in ds}
    for t in targets:
        if not any(a.is_within(t) for a in known):
            raise PlanError(f"--target {t} matches no declared or live resource", address=str(t))


def stale_reasons(saved: Mapping[str, JSON], current: Plan) -> list[str]:
    """Why a saved plan (its JSON) no longer describes what applying would do ([] = still valid)."""
    reasons: list[str] = []
    if saved.get("format_version") != FORMAT_VERSION:
        reasons.append(f"plan format {saved.get('format_version')!r} is not {FORMAT_VERSION!r}; plan again")
        return reasons
    if saved.get("manifest_digest") != current.manifest_digest:
        reasons.append("the manifest changed since the plan was made")
    old = {c["address"]: c for c in saved.get("changes", [])}
    new = {str(c.address): c for c in current.changes}
    for address, change in new.items():
        before = old.get(address)
        if before is None:
            reasons.append(f"{address}: not in the saved plan (it changed on the server since)")
        elif before.get("live_digest") != change.live_digest:
            reasons.append(f"{address}: the live object changed since the plan")
        elif before.get("action") != change.action.value:
            reasons.append(f"{address}: planned {before.get('action')}, now {change.action.value}")
    for address in old.keys() - new.keys():
        reasons.append(f"{address}: planned {old[address].get('action')}, but nothing needs doing now "
                       "(changed on the server since)")
    return reasons
