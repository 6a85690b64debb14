"""What the commands do, without printing: connect, read, plan, apply, export.

The CLI (:mod:`baseform.cli`) parses arguments, calls these and prints; tests call them directly
with injected transports. Reading live state and running operations are the only I/O here, and
both happen through providers and the executor.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace

import httpx

from baseform.engine.address import Address
from baseform.engine.apply import ApplyResult, Reporter, execute
from baseform.engine.plan import Plan, ProviderPlan, build_provider_plan, check_targets
from baseform.engine.resource import LiveState
from baseform.engine.session import Session
from baseform.manifest.project import Project
from baseform.providers.base import Provider

__all__ = ["Connections", "apply_operations", "compute_plan", "connect", "read_live"]

Transports = Mapping[str, httpx.AsyncBaseTransport]


@dataclass
class Connections:
    """Open sessions, one per provider section of the project."""

    providers: dict[str, Provider]
    sessions: dict[str, Session]

    @property
    def request_count(self) -> int:
        return sum(s.requests for s in self.sessions.values())


@asynccontextmanager
async def connect(project: Project, transports: Transports | None = None) -> AsyncIterator[Connections]:
    """Open an authenticated session for every provider the project uses; closed on exit."""
    transports = transports or {}
    async with AsyncExitStack() as stack:
        providers = {u.provider.name: u.provider for u in project.units}

        async def open_one(p: Provider) -> Session:
            session = await p.connect(transports.get(p.name))
            await stack.enter_async_context(session)
            return session

        sessions = await asyncio.gather(*(open_one(p) for p in providers.values()))
        yield Connections(providers, dict(zip(providers, sessions, strict=True)))


async def read_live(project: Project, connections: Connections) -> dict[str, LiveState]:
    """Read every provider's live state concurrently."""
    units = project.units
    states = await asyncio.gather(*(u.provider.read(connections.sessions[u.provider.name], u.desired)
                                    for u in units))
    return {u.provider.name: s for u, s in zip(units, states, strict=True)}


async def compute_plan(project: Project, connections: Connections,
                       targets: Sequence[Address] = ()) -> Plan:
    """Read live state and build the plan (the pure part runs after all reads)."""
    lives = await read_live(project, connections)
    plans: list[ProviderPlan] = []
    for unit in project.units:
        plans.append(build_provider_plan(unit.provider, unit.desired, lives[unit.provider.name],
                                         prune=unit.section.prune, targets=targets))
    if targets:
        check_targets(targets, plans, {u.provider.name: u.desired for u in project.units})
    # the plan labels them itself, so the diagnostics lose their own 'warning:' tag
    warnings = [str(replace(w, warning=False)) for w in project.warnings] + [w for p in plans for w in p.warnings]
    return Plan(project.digest, tuple(plans), tuple(targets), tuple(warnings))


async def apply_operations(plan: Plan, connections: Connections, *, parallelism: int = 8,
                           reporter: Reporter | None = None, stop: asyncio.Event | None = None) -> ApplyResult:
    """Run the plan's operations."""
    return await execute(plan.operations, connections.providers, connections.sessions,
                         parallelism=parallelism, reporter=reporter, stop=stop)
