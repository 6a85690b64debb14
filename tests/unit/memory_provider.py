"""A tiny in-memory provider used only by the engine's own tests.

Its "server" is an :class:`httpx.MockTransport` over a dict, so the whole pipeline (session,
retries, executor, readiness waits) runs for real without a network. Kinds: top-level ``things``
with child ``parts``. ``size`` of a thing is replace-only, ``secret`` is sensitive and write-only
(never returned by the server), and a thing may reference another through ``link``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

import httpx
from pydantic import Field, SecretStr

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.graph import link_each
from baseform.engine.operation import Operation, Request, WaitFor
from baseform.engine.resource import DesiredResource, KindRules, LiveResource, LiveState
from baseform.errors import Diagnostic
from baseform.http import Session
from baseform.manifest.models import ProviderConfig, Resource, Section
from baseform.providers.base import Locator, Provider


class PartSpec(Resource):
    name: str
    weight: int = 1


class ThingSpec(Resource):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    color: str = "grey"
    size: int = Field(1, ge=1, le=100)
    secret: SecretStr | None = None
    link: str | None = None
    parts: list[PartSpec] = []


class MemorySection(Section):
    things: list[ThingSpec] = []


class MemoryConfig(ProviderConfig):
    env: ClassVar[dict[str, str]] = {"url": "MEMORY_URL", "token": "MEMORY_TOKEN"}
    url: str | None = None
    token: SecretStr | None = None


class MemoryServer:
    """The in-memory backend behind a MockTransport; counts requests; can fail on demand."""

    def __init__(self, version: str = "1.0") -> None:
        self.version = version
        self.things: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.fail_on: set[tuple[str, str]] = set()
        self.pending: dict[str, int] = {}  # thing name -> polls left until "available"

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        method = request.method
        self.requests.append((method, path))
        if (method, path) in self.fail_on:
            return httpx.Response(400, json={"message": f"refused {method} {path}"})
        body = json.loads(request.content) if request.content else None
        parts = path.strip("/").split("/")
        if parts == ["version"]:
            return httpx.Response(200, json={"version": self.version})
        if parts == ["things"] and method == "GET":
            return httpx.Response(200, json={"items": [self._public(t) for t in self.things.values()]})
        if parts == ["things"] and method == "POST":
            if body["name"] in self.things:
                return httpx.Response(409, json={"message": "thing already exists"})
            self.things[body["name"]] = {**body, "parts": {}, "status": "processing"}
            self.pending[body["name"]] = 1
            return httpx.Response(201, json=self._public(self.things[body["name"]]))
        name = parts[1] if len(parts) > 1 else ""
        thing = self.things.get(name)
        if thing is None:
            return httpx.Response(404, json={"message": "thing not found"})
        if len(parts) == 2:
            if method == "GET":
                if self.pending.get(name, 0) > 0:
                    self.pending[name] -= 1
                else:
                    thing["status"] = "available"
                return httpx.Response(200, json=self._public(thing))
            if method == "PATCH":
                thing.update(body)
                return httpx.Response(200, json=self._public(thing))
            if method == "DELETE":
                del self.things[name]
                return httpx.Response(204)
        if len(parts) == 3 and parts[2] == "parts" and method == "POST":
            thing["parts"][body["name"]] = body
            return httpx.Response(201, json=body)
        if len(parts) == 4:
            part = thing["parts"].get(parts[3])
            if part is None:
                return httpx.Response(404, json={"message": "part not found"})
            if method == "PATCH":
                part.update(body)
                if "name" in body and body["name"] != parts[3]:
                    thing["parts"][body["name"]] = thing["parts"].pop(parts[3])
                return httpx.Response(200, json=part)
            if method == "DELETE":
                del thing["parts"][parts[3]]
                return httpx.Response(204)
        return httpx.Response(405, json={"message": "no such route"})

    @staticmethod
    def _public(thing: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in thing.items() if k != "secret"}
        out["parts"] = list(thing["parts"].values())
        return out


THINGS = KindRules("things", replace_on=frozenset({"size"}), defaults={"color": "grey", "link": None},
                   sensitive=frozenset({"secret"}), ignore=frozenset({"secret"}), renamable=False,
                   rename_unsupported="things keep their name for life", data_loss="everything stored in it")
PARTS = KindRules("parts", defaults={"weight": 1}, renamable=True, narrowing={"weight": "max"})


class MemoryProvider(Provider):
    name = "memory"
    config_model = MemoryConfig
    section_model = MemorySection
    kinds = (THINGS, PARTS)
    top_level = ("things",)

    def check(self, section: Section, locate: Locator) -> list[Diagnostic]:
        assert isinstance(section, MemorySection)
        names = {t.name for t in section.things}
        return [Diagnostic(f"link to undeclared thing {t.link!r}", locate(("memory", "things", i, "link")),
                           hint="declare it or remove the link")
                for i, t in enumerate(section.things) if t.link and t.link not in names]

    def desired(self, section: Section, locate: Locator) -> list[DesiredResource]:
        assert isinstance(section, MemorySection)
        out = []
        for i, t in enumerate(section.things):
            addr = Address("memory", (("things", t.name),))
            value: dict[str, Any] = {"name": t.name, "color": t.color, "size": t.size, "link": t.link}
            if t.secret is not None:
                value["secret"] = t.secret.get_secret_value()
            deps = frozenset({Address("memory", (("things", t.link),))}) if t.link else frozenset()
            out.append(DesiredResource(addr, value, locate(("memory", "things", i)), deps, t.protect,
                                       t.renamedFrom))
            for j, p in enumerate(t.parts):
                out.append(DesiredResource(addr.child("parts", p.name), {"name": p.name, "weight": p.weight},
                                           locate(("memory", "things", i, "parts", j)), frozenset(), p.protect,
                                           p.renamedFrom))
        return out

    async def connect(self, transport: httpx.AsyncBaseTransport | None = None) -> Session:
        url = self.config.require("url", self.name)
        token = self.config.require("token", self.name)
        return Session(url, headers={"Authorization": f"Bearer {token}"}, transport=transport)

    async def read(self, session: Session, desired: Sequence[DesiredResource]) -> LiveState:
        version = (await session.request("GET", "/version"))["version"]
        items = (await session.request("GET", "/things"))["items"]
        resources: dict[Address, LiveResource] = {}
        for t in items:
            addr = Address("memory", (("things", t["name"]),))
            value = {k: t.get(k) for k in ("name", "color", "size", "link")}
            resources[addr] = LiveResource(addr, value, t)
            for p in t["parts"]:
                resources[addr.child("parts", p["name"])] = LiveResource(addr.child("parts", p["name"]), dict(p), p)
        return LiveState(self.name, session.base_url, version, resources)

    def live_dependencies(self, live: LiveState) -> dict[Address, frozenset[Address]]:
        return {a: frozenset({Address("memory", (("things", r.value["link"]),))})
                for a, r in live.resources.items() if a.kind == "things" and r.value.get("link")}

    def operations(self, changes: Sequence[Change], desired: Sequence[DesiredResource],
                   live: LiveState) -> list[Operation]:
        return link_each(changes, desired, self.live_dependencies(live), self._operations_for)

    def _operations_for(self, change: Change) -> list[Operation]:
        a = change.address
        thing = a.path[0][1]
        ops: list[Operation] = []
        if change.action in (Action.DELETE, Action.REPLACE):
            if a.kind == "parts" and a.parent and change.reason and "with" in change.reason:
                pass  # goes with its thing
            else:
                name = change.renamed_from.name if change.renamed_from else a.name
                path = f"/things/{thing}" if a.kind == "things" else f"/things/{thing}/parts/{name}"
                ops.append(Operation(f"{a}:delete", self.name, Action.DELETE, (a,), f"delete {a}",
                                     Request("DELETE", path)))
        if change.action in (Action.CREATE, Action.REPLACE):
            assert change.after is not None
            if a.kind == "things":
                ops.append(Operation(f"{a}:create", self.name, Action.CREATE, (a,), f"create {a}",
                                     Request("POST", "/things", dict(change.after)),
                                     verify=Request("GET", f"/things/{thing}"),
                                     wait=WaitFor(Request("GET", f"/things/{thing}")),
                                     sensitive=frozenset({"secret"})))
            else:
                ops.append(Operation(f"{a}:create", self.name, Action.CREATE, (a,), f"create {a}",
                                     Request("POST", f"/things/{thing}/parts", dict(change.after))))
        if change.action is Action.UPDATE:
            assert change.after is not None
            old = change.renamed_from.name if change.renamed_from else a.name
            path = f"/things/{thing}" if a.kind == "things" else f"/things/{thing}/parts/{old}"
            ops.append(Operation(f"{a}:update", self.name, Action.UPDATE, (a,), f"update {a}",
                                 Request("PATCH", path, dict(change.after)), sensitive=frozenset({"secret"})))
        return ops

    def export(self, live: LiveState) -> dict[str, Any]:
        things = []
        for address, resource in sorted(live.resources.items()):
            if address.kind == "things":
                parts = [dict(r.value) for a, r in sorted(live.resources.items()) if a.parent == address]
                things.append({**{k: v for k, v in resource.value.items() if v is not None}, "parts": parts})
        return {"things": things}
