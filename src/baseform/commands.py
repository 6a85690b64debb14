"""What the commands do, without printing: connect, read, plan, apply.

The CLI (:mod:`baseform.cli`) parses arguments, calls these and prints; tests call them directly
with injected transports. Reading live state and running operations are the only I/O here, and
both happen through providers and the executor. When talking to a server fails, the error gets
hints saying what to check: the setting that holds the URL, whether a server runs there, the
credentials, or which other backend the URL answers like (each provider's ``fingerprint``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from baseform import collector
from baseform.engine.address import Address
from baseform.engine.apply import ApplyResult, Reporter, execute
from baseform.engine.plan import Plan, ProviderPlan, build_provider_plan, check_targets
from baseform.engine.resource import LiveState
from baseform.engine.session import Session
from baseform.errors import ApiError, ProviderError, TransportError
from baseform.manifest.project import Project
from baseform.providers.base import Provider
from baseform.providers.fingerprint import Fingerprint

__all__ = ["Connections", "apply_operations", "compute_plan", "connect", "plan_from_live", "read_live"]

Transports = Mapping[str, httpx.AsyncBaseTransport]
T = TypeVar("T")


@dataclass
class Connections:
    """Open sessions, one per provider section of the project."""

    providers: dict[str, Provider]
    sessions: dict[str, Session]
    known: Sequence[type[Provider]] = ()  # the registry: iterated (so imported) only to explain an error
    transports: Transports | None = None

    @property
    def request_count(self) -> int:
        return sum(s.requests for s in self.sessions.values())


@asynccontextmanager
async def connect(project: Project, transports: Transports | None = None,
                  known: Sequence[type[Provider]] = ()) -> AsyncIterator[Connections]:
    """Open an authenticated session for every provider the project uses; closed on exit.

    KNOWN (the registry) supplies the fingerprints that name another backend a wrong URL answers like.
    """
    transports = transports or {}
    async with AsyncExitStack() as stack:
        providers = {u.provider.name: u.provider for u in project.units}

        async def open_one(p: Provider) -> Session:
            session = await explained(p, p.connect(transports.get(p.name)), known, transports)
            await stack.enter_async_context(session)
            return session

        sessions = await asyncio.gather(*(open_one(p) for p in providers.values()))
        yield Connections(providers, dict(zip(providers, sessions, strict=True)), known, transports)


async def read_live(project: Project, connections: Connections) -> dict[str, LiveState]:
    """Read every provider's live state concurrently."""
    units = project.units
    states = await asyncio.gather(*(
        explained(u.provider, u.provider.read(connections.sessions[u.provider.name], u.desired),
                  connections.known, connections.transports or {})
        for u in units))
    return {u.provider.name: s for u, s in zip(units, states, strict=True)}


def plan_from_live(project: Project, lives: Mapping[str, LiveState], targets: Sequence[Address] = ()) -> Plan:
    """Build the plan from live state already read. Pure."""
    plans: list[ProviderPlan] = []
    with collector.paused():
        for unit in project.units:
            plans.append(build_provider_plan(unit.provider, unit.desired, lives[unit.provider.name],
                                             prune=unit.section.prune, targets=targets))
    if targets:
        check_targets(targets, plans, {u.provider.name: u.desired for u in project.units})
    # the plan labels them itself, so the diagnostics lose their own 'warning:' tag
    warnings = [str(replace(w, warning=False)) for w in project.warnings] + [w for p in plans for w in p.warnings]
    # the project makes its digest once, when a plan file or a saved plan's check first asks for it
    return Plan(lambda: project.digest, tuple(plans), tuple(targets), tuple(warnings))


async def compute_plan(project: Project, connections: Connections,
                       targets: Sequence[Address] = ()) -> Plan:
    """Read live state and build the plan (the pure part runs after all reads)."""
    with collector.paused():  # the answers become large structures too
        lives = collector.keep(await read_live(project, connections))
        return collector.keep(plan_from_live(project, lives, targets))


async def apply_operations(plan: Plan, connections: Connections, *, parallelism: int = 8,
                           reporter: Reporter | None = None, stop: asyncio.Event | None = None) -> ApplyResult:
    """Run the plan's operations."""
    return await execute(plan.operations, connections.providers, connections.sessions,
                         parallelism=parallelism, reporter=reporter, stop=stop)


# -- what to check when a server cannot be used ------------------------------------------------------


async def explained(provider: Provider, work: Awaitable[T], known: Sequence[type[Provider]],
                    transports: Transports) -> T:
    """Await WORK (connecting to or reading PROVIDER's server); a ProviderError it raises gets hints."""
    try:
        return await work
    except ProviderError as error:
        error.hints.extend(await _hints(provider, error, known, transports.get(provider.name)))
        raise


def _setting_names(provider: Provider, field: str) -> str:
    """``providers.NAME.KEY or VAR``: where the user sets the connection setting FIELD."""
    model = type(provider.config)
    key = model.model_fields[field].alias or field if field in model.model_fields else field
    var = model.env.get(field)
    return f"providers.{provider.name}.{key}" + (f" or {var}" if var else "")


def _credential_names(provider: Provider) -> list[str]:
    """The settings a server may refuse: secrets first, then the others but the URL."""
    model = type(provider.config)
    url_field = provider.fingerprint.url_field if provider.fingerprint else None
    fields = [f for f in model.env if f != url_field]
    fields.sort(key=lambda f: "SecretStr" not in str(model.model_fields[f].annotation))
    return [model.env[f] for f in fields]


def _underlying(error: ProviderError) -> ProviderError:
    """The server's own error when a provider re-raised it with a message of its own."""
    inner = error.__cause__ or error.__context__
    return inner if isinstance(inner, (ApiError, TransportError)) else error


async def _hints(provider: Provider, error: ProviderError, known: Sequence[type[Provider]],
                 transport: httpx.AsyncBaseTransport | None) -> list[str]:
    error = _underlying(error)
    fingerprint = provider.fingerprint
    url = provider.config.setting(fingerprint.url_field) if fingerprint else None
    where = _setting_names(provider, fingerprint.url_field) if fingerprint else f"providers.{provider.name}"
    if isinstance(error, TransportError):
        if error.reason == "url":
            return [f"check {where}"]
        if error.reason == "dns":
            return [f"check the host name in {where}"]
        if error.reason in ("refused", "timeout", "connection"):
            origin = _origin(url) if url else _origin(error.url)
            verb = "running" if error.reason == "refused" else "reachable from here"
            return [f"is the server at {origin} {verb}? (check {where})"]
    if isinstance(error, ApiError) and error.status in (401, 403):
        names = _credential_names(provider)
        return [f"the server refused the credentials: check {', '.join(names)}"] if names else []
    wrong_place = isinstance(error, TransportError) or (isinstance(error, ApiError) and error.status in (404, 405))
    if not wrong_place or not url or fingerprint is None:
        return []
    others = [c.fingerprint for c in known if c.fingerprint is not None and c.name != provider.name]
    for other in others:
        if await _answers_like(url, other, transport):
            return [f"this URL answers like {other.title}, not {fingerprint.title}: check {where}"]
    if not await _answers_like(url, fingerprint, transport):
        return [f"the server at {_origin(url)} does not answer like {fingerprint.title}: check {where}"]
    return []


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else url


async def _answers_like(url: str, fingerprint: Fingerprint, transport: httpx.AsyncBaseTransport | None) -> bool:
    """Whether the server at URL's origin answers FINGERPRINT's request like that backend (one quick try)."""
    try:
        async with httpx.AsyncClient(timeout=2.0, transport=transport, trust_env=False,
                                     follow_redirects=False) as client:
            response = await client.get(_origin(url) + fingerprint.path)
            body = response.json()
    except (httpx.HTTPError, ValueError):
        return False
    return fingerprint.matches(response.status_code, body)
