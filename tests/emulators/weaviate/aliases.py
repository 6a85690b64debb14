"""Collection aliases (``/v1/aliases``, Weaviate 1.32+): another name for a class.

From ``usecases/schema/alias.go``, ``adapters/handlers/rest/handlers_aliases.go``,
``cluster/schema/schema.go`` (``createAlias``, ``replaceAlias``) and ``cluster/raft_alias_apply_endpoints.go``
at the release tags; FIDELITY.md rows A1-A4. The error handling changed in 1.33 (typed errors)
and 1.38 (validation errors wrapped as ``validation: ...``, an alias named like a class answered 500).
"""

from __future__ import annotations

from typing import Any

from ..server import HttpError, Request, Response
from .defaults import JsonDict
from .schema import CLASS_NAME_RE, Context, upper_first

ALIAS_OP = "updating schema: TYPE_CREATE_ALIAS: "
REPLACE_OP = "updating schema: TYPE_REPLACE_ALIAS: "


def _error(status: int, message: str) -> HttpError:
    return HttpError(status, {"error": [{"message": message}]})


class AliasRoutes:
    """Alias routes for :class:`~.app.WeaviateEmulator` (mixed in; uses its ``ctx``)."""

    ctx: Context

    def alias_routes(self) -> list[tuple[str, str, Any]]:
        return [
            ("GET", r"/v1/aliases", self.list_aliases),
            ("POST", r"/v1/aliases", self.create_alias),
            ("GET", r"/v1/aliases/(?P<alias>[^/]+)", self.get_alias),
            ("PUT", r"/v1/aliases/(?P<alias>[^/]+)", self.update_alias),
            ("DELETE", r"/v1/aliases/(?P<alias>[^/]+)", self.delete_alias),
        ]

    def list_aliases(self, request: Request) -> JsonDict:
        wanted = request.arg("class")
        if wanted is not None and upper_first(wanted) not in self.ctx.classes:
            return {"aliases": []}
        return {"aliases": [{"alias": a, "class": c} for a, c in sorted(self.ctx.aliases.items())
                            if wanted is None or c == upper_first(wanted)]}

    def get_alias(self, request: Request, alias: str) -> Response | JsonDict:
        name = upper_first(alias)
        if name not in self.ctx.aliases:
            return Response(404, None)
        return {"alias": name, "class": self.ctx.aliases[name]}

    def create_alias(self, request: Request) -> JsonDict:
        body = request.body if isinstance(request.body, dict) else {}
        v = self.ctx.version
        alias, target = upper_first(str(body.get("alias") or "")), upper_first(str(body.get("class") or ""))
        validation = "validation: " if v >= (1, 38, 0) else ""
        if v >= (1, 33, 0):
            if not CLASS_NAME_RE.match(alias):
                raise _error(422, f"{validation}'{alias}' is not a valid alias name")
            if v >= (1, 38, 0) and not CLASS_NAME_RE.match(target):
                raise _error(422, f"{validation}'{target}' is not a valid class name")
        if target not in self.ctx.classes:
            if v >= (1, 38, 0):
                raise _error(422, f'validation: target class "{target}" does not exist')
            raise _error(422, "class does not exist: bad request")
        if any(a.lower() == alias.lower() for a in self.ctx.aliases):
            text = f"create alias: {alias}, alias already exists" if v >= (1, 33, 0) else \
                f"create alias: alias {alias} already exists"
            raise _error(422, f"{validation}{ALIAS_OP}{text}")
        if alias in self.ctx.classes:
            # not a typed error: the 1.38+ handler answers 500
            raise _error(500 if v >= (1, 38, 0) else 422, f"{ALIAS_OP}create alias: class {alias} already exists")
        self.ctx.aliases[alias] = target
        return {"alias": alias, "class": target}

    def update_alias(self, request: Request, alias: str) -> Response | JsonDict:
        body = request.body if isinstance(request.body, dict) else {}
        name, target = upper_first(alias), upper_first(str(body.get("class") or ""))
        if name not in self.ctx.aliases:
            return Response(404, None)
        if target not in self.ctx.classes:
            if self.ctx.version >= (1, 38, 0):
                raise _error(422, f'validation: target class "{target}" does not exist')
            raise _error(422, "class does not exist: bad request")
        self.ctx.aliases[name] = target
        return {"alias": name, "class": target}

    def delete_alias(self, request: Request, alias: str) -> Response:
        name = upper_first(alias)
        if name not in self.ctx.aliases:
            return Response(404, None)
        del self.ctx.aliases[name]
        return Response(204, None)
