"""The Weaviate REST emulator: routes, auth, tenants, shards and a small object store.

Every rule comes from weaviate/weaviate at the release tags and is listed, with its version range and
source file, in FIDELITY.md (in this directory). Schema rules live in :mod:`.schema`, :mod:`.vectors`
and :mod:`.update`, aliases in :mod:`.aliases`, index changes in :mod:`.indexes`. Autoschema disabled,
no gRPC; a cluster of ``nodes`` nodes is only a placement of shard replicas.
"""

from __future__ import annotations

import copy
import random
import re
import string
import time
import uuid
from typing import Any

from ..server import Emulator, HttpError, Request, Response
from .aliases import AliasRoutes
from .defaults import MIN_VERSION, JsonDict, parse_version
from .indexes import IndexRoutes, ReindexTask
from .schema import Context, EnumError, SchemaError, Settings, build_class, build_property, upper_first
from .update import node_names, update_class
from .vectors import default_quantization_allowed

TENANT_NAME_RE = re.compile(r"^[A-Za-z0-9\-_]{1,64}$")
# Input names since v1.26 are converted to the legacy names the server stores and returns.
NEW_TO_LEGACY_STATUS = {"ACTIVE": "HOT", "INACTIVE": "COLD", "OFFLOADED": "FROZEN"}
MAX_TENANTS_PER_UPDATE = 100
SHARD_STATUSES = ("READY", "READONLY")
OBJECT_KEYS = ("class", "id", "properties", "tenant", "vector", "vectors")
# List-objects paging: the server's defaults for QUERY_DEFAULTS_LIMIT and QUERY_MAXIMUM_RESULTS.
QUERY_DEFAULTS_LIMIT = 25
QUERY_MAXIMUM_RESULTS = 10000


def error(status: int, message: str) -> HttpError:
    """An ``ErrorResponse`` (``{"error": [{"message": ...}]}``), the body of application errors."""
    return HttpError(status, {"error": [{"message": message}]})


def framework_error(status: int, message: str) -> HttpError:
    """go-openapi's own error shape, used for auth, binding and routing failures."""
    return HttpError(status, {"code": status, "message": message})


class WeaviateEmulator(AliasRoutes, IndexRoutes, Emulator):
    """In-memory Weaviate speaking the REST schema API of ``version``.

    ``version`` selects the version-dependent defaults and rules (1.27 or newer, the oldest the
    official client accepts). ``api_key`` enables API-key auth (``Authorization: Bearer <key>``);
    without it, sending an Authorization header is itself rejected, as on a server with no auth
    scheme. ``modules`` are the enabled module names reported by ``/v1/meta`` and accepted as
    vectorizers (``text2vec-*`` etc.) or generative/reranker configs; ``offload-s3`` enables
    FROZEN/OFFLOADED tenants. ``default_quantization`` / ``default_vector_index`` are the server's
    ``DEFAULT_QUANTIZATION`` / ``DEFAULT_VECTOR_INDEX``, ``nodes`` the cluster size (replication
    factors above it are refused), ``hfresh`` / ``async_indexing`` / ``drop_vector_index`` the
    experimental index features; ``reindex_delay_s`` how long an index change (1.39+) takes.
    """

    name = "weaviate"

    def __init__(
        self, version: str = "1.32.0", api_key: str | None = None, modules: tuple[str, ...] = (), *,
        default_quantization: str = "", default_vector_index: str = "", nodes: int = 1, hfresh: bool = False,
        async_indexing: bool = False, drop_vector_index: bool = False, reindex_delay_s: float = 0.05,
    ) -> None:
        super().__init__()
        parsed = parse_version(version)
        if parsed < MIN_VERSION:
            raise ValueError(f"emulated versions start at {'.'.join(map(str, MIN_VERSION))}, got {version}")
        if not default_quantization_allowed(default_quantization, parsed):
            raise ValueError(f"Weaviate {version} does not start with DEFAULT_QUANTIZATION={default_quantization}")
        self.version = version
        self.api_key = api_key
        self.ctx = Context(Settings(parsed, frozenset(modules), default_quantization, default_vector_index, nodes,
                                    hfresh, async_indexing, drop_vector_index))
        self.reindex_delay_s = reindex_delay_s
        self.tasks: list[ReindexTask] = []
        self.tenants: dict[str, dict[str, str]] = {}
        self.objects: dict[str, dict[str, JsonDict]] = {}
        self.shards: dict[str, dict[str, str]] = {}
        self.replicas: dict[str, dict[str, list[str]]] = {}
        r = self.route
        r("GET", r"/v1/\.well-known/ready", lambda req: Response(200, None))
        r("GET", r"/v1/\.well-known/live", lambda req: Response(200, None))
        r("GET", r"/v1/meta", self.get_meta)
        r("GET", r"/v1/schema", self.list_classes)
        r("POST", r"/v1/schema", self.create_class)
        r("GET", r"/v1/schema/(?P<name>[^/]+)", self.get_class)
        r("PUT", r"/v1/schema/(?P<name>[^/]+)", self.put_class)
        r("DELETE", r"/v1/schema/(?P<name>[^/]+)", self.delete_class)
        r("POST", r"/v1/schema/(?P<name>[^/]+)/properties", self.add_property)
        r("GET", r"/v1/schema/(?P<name>[^/]+)/shards", self.get_shards)
        r("PUT", r"/v1/schema/(?P<name>[^/]+)/shards/(?P<shard>[^/]+)", self.put_shard)
        r("GET", r"/v1/schema/(?P<name>[^/]+)/tenants", self.get_tenants)
        r("POST", r"/v1/schema/(?P<name>[^/]+)/tenants", self.add_tenants)
        r("PUT", r"/v1/schema/(?P<name>[^/]+)/tenants", self.update_tenants)
        r("DELETE", r"/v1/schema/(?P<name>[^/]+)/tenants", self.delete_tenants)
        r("GET", r"/v1/schema/(?P<name>[^/]+)/tenants/(?P<tenant>[^/]+)", self.get_tenant)
        r("HEAD", r"/v1/schema/(?P<name>[^/]+)/tenants/(?P<tenant>[^/]+)", self.get_tenant)
        for method, pattern, handler in self.index_routes():
            r(method, pattern, handler)
        if parsed >= (1, 32, 0):
            for method, pattern, handler in self.alias_routes():
                r(method, pattern, handler)
        r("POST", r"/v1/objects", self.create_object)
        r("GET", r"/v1/objects", self.list_objects)
        r("GET", r"/v1/objects/(?P<name>[^/]+)/(?P<oid>[^/]+)", self.get_object)
        r("HEAD", r"/v1/objects/(?P<name>[^/]+)/(?P<oid>[^/]+)", self.head_object)
        r("DELETE", r"/v1/objects/(?P<name>[^/]+)/(?P<oid>[^/]+)", self.delete_object)
        r("POST", r"/v1/batch/objects", self.batch_objects)

    @property
    def classes(self) -> dict[str, JsonDict]:
        return self.ctx.classes

    # -- base-class hooks ----------------------------------------------------------------------
    def reset(self) -> None:
        super().reset()
        self.classes.clear()
        self.ctx.aliases.clear()
        self.tasks.clear()
        self.replicas.clear()
        self.tenants.clear()
        self.objects.clear()
        self.shards.clear()

    def dispatch(self, request: Request) -> Response:
        self.settle_tasks()
        # Readiness and liveness are answered by middleware before authentication.
        if not request.path.startswith("/v1/.well-known/"):
            try:
                self._authenticate(request)
            except HttpError as e:
                return Response(e.status, e.body, e.headers)
        return super().dispatch(request)

    def not_found(self, request: Request) -> Response:
        return Response(404, {"code": 404, "message": f"path {request.path} was not found"})

    def method_not_allowed(self, request: Request) -> Response:
        allowed = sorted({m for m, p, _ in self.routes if p.match(request.path)})
        return Response(
            405,
            {
                "code": 405,
                "message": f"method {request.method} is not allowed, but [{','.join(allowed)}] are",
            },
        )

    def invalid_json_response(self, request: Request) -> Response:
        return Response(
            400, {"code": 400, "message": 'parsing body body from "" failed, because invalid JSON'}
        )

    def server_error_body(self) -> Any:
        return {"error": [{"message": "internal server error (injected fault)"}]}

    def rate_limit_response(self) -> Response:
        base = super().rate_limit_response()
        return Response(429, {"error": [{"message": "too many requests (injected fault)"}]}, base.headers)

    def _authenticate(self, request: Request) -> None:
        header = request.headers.get("authorization")
        if self.api_key is None:
            if header is not None:
                raise framework_error(
                    401,
                    "no authentication scheme is configured (API Key or OIDC), but an "
                    "'Authorization' header was provided. Please configure an authentication "
                    "scheme or remove the header for anonymous access",
                )
            return
        if header is None:
            raise framework_error(
                401,
                "anonymous access not enabled. Please authenticate through one of the "
                "available methods: [API-keys]",
            )
        if header != f"Bearer {self.api_key}":
            raise framework_error(401, "invalid api key")

    # -- meta ----------------------------------------------------------------------------------
    def get_meta(self, request: Request) -> JsonDict:
        return {
            "hostname": "http://[::]:8080",
            "version": self.version,
            "modules": {m: {} for m in sorted(self.ctx.modules)},
            "grpcMaxMessageSize": 104858000,
        }

    # -- classes -------------------------------------------------------------------------------
    def _class(self, name: str) -> JsonDict | None:
        return self.classes.get(upper_first(name))

    def list_classes(self, request: Request) -> JsonDict:
        return {"classes": [copy.deepcopy(c) for c in self.classes.values()]}

    def create_class(self, request: Request) -> JsonDict:
        try:
            cls = build_class(request.body, self.ctx)
        except EnumError as e:
            raise framework_error(422, e.message) from None
        except SchemaError as e:
            raise error(422, e.message) from None
        self.classes[cls["class"]] = cls
        self.objects[cls["class"]] = {}
        self.replicas[cls["class"]] = {}
        if cls["multiTenancyConfig"]["enabled"]:
            self.tenants[cls["class"]] = {}
        else:
            self.shards[cls["class"]] = {
                _shard_name(cls["class"], i): "READY" for i in range(cls["shardingConfig"]["desiredCount"])
            }
            for i, shard in enumerate(self.shards[cls["class"]]):
                self.replicas[cls["class"]][shard] = self._placement(i, cls["replicationConfig"]["factor"])
        return copy.deepcopy(cls)

    def _placement(self, index: int, factor: int) -> list[str]:
        """The nodes holding the ``index``-th shard (round robin, as ``initPhysical`` spreads them)."""
        nodes = node_names(self.ctx.settings.nodes)
        return [nodes[(index + k) % len(nodes)] for k in range(factor)]

    def get_class(self, request: Request, name: str) -> Response | JsonDict:
        cls = self._class(name)
        if cls is None and self.ctx.version >= (1, 33, 0):
            # GET resolves an alias to its class (PUT and DELETE do not)
            cls = self.classes.get(self.ctx.aliases.get(upper_first(name), ""))
        if cls is None:
            return Response(404, None)
        return copy.deepcopy(cls)

    def put_class(self, request: Request, name: str) -> Response | JsonDict:
        stored = self._class(name)
        if stored is None:
            return Response(404, None)
        try:
            new, replicas = update_class(stored, request.body, self.ctx, self.replicas.get(stored["class"], {}))
        except EnumError as e:
            raise framework_error(422, e.message) from None
        except SchemaError as e:
            raise error(e.status, e.message) from None
        self.classes[stored["class"]] = new
        self.replicas[stored["class"]] = replicas
        return copy.deepcopy(new)

    def delete_class(self, request: Request, name: str) -> Response:
        # Deleting a missing class is a no-op that still answers 200.
        key = upper_first(name)
        for store in (self.classes, self.tenants, self.objects, self.shards, self.replicas):
            store.pop(key, None)
        return Response(200, None)

    def add_property(self, request: Request, name: str) -> JsonDict:
        cls = self._class(name)
        if cls is None:
            # Add-property answers 422, not 404, for a missing class (usecases/schema/property.go).
            raise error(422, f'class "{upper_first(name)}": not found')
        try:
            prop = build_property(request.body, cls, self.ctx)
        except EnumError as e:
            raise framework_error(422, e.message) from None
        except SchemaError as e:
            raise error(422, e.message) from None
        cls["properties"] = [*cls.get("properties", []), prop]
        return copy.deepcopy(prop)

    # -- shards --------------------------------------------------------------------------------
    def get_shards(self, request: Request, name: str) -> list[JsonDict]:
        cls = self._require_class(name, status=404)
        if cls["multiTenancyConfig"]["enabled"]:
            # Tenant shards; only active (HOT) tenants are loaded and listed as shards.
            wanted = request.arg("tenant")
            return [
                {"name": t, "status": "READY", "vectorQueueSize": 0}
                for t, s in self.tenants[cls["class"]].items()
                if s == "HOT" and wanted in (None, t)
            ]
        return [
            {"name": s, "status": st, "vectorQueueSize": 0} for s, st in self.shards[cls["class"]].items()
        ]

    def put_shard(self, request: Request, name: str, shard: str) -> JsonDict:
        cls = self._require_class(name, status=404)
        shards = self.shards.get(cls["class"], {})
        if shard not in shards:
            raise error(404, f'shard "{shard}" not found')
        status = (request.body or {}).get("status") if isinstance(request.body, dict) else None
        if status not in SHARD_STATUSES:
            # Only READY/READONLY are settable; message text not confirmed.
            raise error(422, f"invalid shard status: {status}")
        shards[shard] = status
        return {"status": status}

    # -- tenants -------------------------------------------------------------------------------
    def _require_class(self, name: str, status: int = 422) -> JsonDict:
        cls = self.classes.get(name) or self._class(name)
        if cls is None:
            if status == 404:
                raise HttpError(404, None)
            raise error(status, f'class "{name}": not found')
        return cls

    def _require_mt(self, name: str) -> JsonDict:
        cls = self._require_class(name)
        if not cls["multiTenancyConfig"]["enabled"]:
            raise error(422, f'multi-tenancy is not enabled for class "{name}"')
        return cls

    def _validate_tenants(self, body: Any, update: bool) -> list[JsonDict]:
        """``validateTenants`` + ``validateActivityStatuses`` (usecases/schema/tenant.go)."""
        if not isinstance(body, list) or not all(isinstance(t, dict) for t in body):
            raise framework_error(422, "body in body must be of type array")
        if update and len(body) > MAX_TENANTS_PER_UPDATE:
            raise error(
                422,
                "maximum number of tenants allowed to be updated simultaneously is 100. Please reduce "
                "the number of tenants in your request and try again",
            )
        seen: set[str] = set()
        for i, tenant in enumerate(body):
            tname = tenant.get("name") or ""
            if not TENANT_NAME_RE.match(str(tname)):
                # schema.ValidateTenantName (the text starts with a space)
                msg = (
                    "empty tenant name"
                    if tname == ""
                    else f" '{tname}' is not a valid tenant name. should only contain alphanumeric characters (a-z, "
                    "A-Z, 0-9), underscore (_), and hyphen (-), with a length between 1 and 64 characters"
                )
                raise error(422, f"tenant name at index {i}: {msg}")
            if tname in seen:
                raise error(422, f"tenant name {tname} existed multiple times")
            seen.add(tname)
        problems = []
        for tenant in body:
            status = NEW_TO_LEGACY_STATUS.get(
                tenant.get("activityStatus") or "", tenant.get("activityStatus") or ""
            )
            tenant["activityStatus"] = status
            if status in ("HOT", "COLD") or (status == "" and not update):
                continue
            if status == "FROZEN":
                if "offload-s3" not in self.ctx.modules:
                    raise error(422, "can't offload tenants, because offload-s3 module is not enabled")
                if update:
                    continue
            problems.append(f"invalid activity status '{status}' for tenant \"{tenant['name']}\"")
        if problems:
            raise error(422, ", ".join(problems))
        return body

    def get_tenants(self, request: Request, name: str) -> list[JsonDict]:
        cls = self._require_mt(name)
        return [{"name": t, "activityStatus": s} for t, s in self.tenants[cls["class"]].items()]

    def get_tenant(self, request: Request, name: str, tenant: str) -> Response | JsonDict:
        cls = self._require_mt(name)
        status = self.tenants[cls["class"]].get(tenant)
        if status is None:
            return Response(404, None)
        return {"name": tenant, "activityStatus": status}

    def add_tenants(self, request: Request, name: str) -> list[JsonDict]:
        tenants = self._validate_tenants(request.body, update=False)
        cls = self._require_mt(name)
        existing = self.tenants[cls["class"]]
        for tenant in tenants:
            # Existing tenants are skipped (cluster/schema/meta_class.go); empty status means HOT.
            existing.setdefault(tenant["name"], tenant["activityStatus"] or "HOT")
            # a tenant is a shard: placed on `factor` nodes
            placed = self.replicas.setdefault(cls["class"], {})
            placed.setdefault(tenant["name"], self._placement(len(placed), cls["replicationConfig"]["factor"]))
        # The handler echoes the request body, statuses already converted to the legacy names.
        return [{k: v for k, v in t.items() if k in ("name", "activityStatus") and v} for t in tenants]

    def update_tenants(self, request: Request, name: str) -> list[JsonDict]:
        tenants = self._validate_tenants(request.body, update=True)
        cls = self._require_mt(name)
        existing = self.tenants[cls["class"]]
        for tenant in tenants:
            if tenant["name"] not in existing:
                # Text from the pre-RAFT onUpdateTenants; the RAFT-era text was not confirmed.
                raise error(422, f"tenant '{tenant['name']}' not found")
        for tenant in tenants:
            # Offloading really passes through FREEZING; the emulator completes it at once.
            existing[tenant["name"]] = tenant["activityStatus"]
        return [{"name": t["name"], "activityStatus": existing[t["name"]]} for t in tenants]

    def delete_tenants(self, request: Request, name: str) -> Response:
        body = request.body
        if not isinstance(body, list) or not all(isinstance(t, str) for t in body):
            raise framework_error(422, "tenants in body must be of type array")
        for i, tenant in enumerate(body):
            if tenant == "":
                raise error(422, f"empty tenant name at index {i}")
        cls = self._require_mt(name)
        for tenant in body:
            self.tenants[cls["class"]].pop(tenant, None)
            self.replicas.get(cls["class"], {}).pop(tenant, None)
            for oid in [o for o, obj in self.objects[cls["class"]].items() if obj.get("tenant") == tenant]:
                del self.objects[cls["class"]][oid]
        return Response(200, None)

    # -- objects -------------------------------------------------------------------------------
    def _store_object(self, body: Any) -> JsonDict:
        """Validate and store one object (autoschema disabled); raise SchemaError with the reason.

        Property values are not type-checked. Message texts here were not confirmed against the
        server and are kept close to its wording.
        """
        if not isinstance(body, dict):
            raise SchemaError("invalid object: body must be an object")
        obj = {k: copy.deepcopy(body[k]) for k in OBJECT_KEYS if k in body}
        cls = self._class(str(obj.get("class") or ""))
        if cls is None:
            raise SchemaError(f'invalid object: class "{obj.get("class")}" not found in schema')
        obj["class"] = cls["class"]
        tenant = obj.get("tenant")
        if cls["multiTenancyConfig"]["enabled"]:
            if not tenant:
                raise SchemaError(
                    f"has multi-tenancy enabled, but request was without tenant for class {cls['class']}"
                )
            status = self.tenants[cls["class"]].get(tenant)
            if status is None:
                raise SchemaError(f'tenant not found: "{tenant}"')
            if status != "HOT":
                raise SchemaError(f'tenant not active: "{tenant}"')
        elif tenant:
            raise SchemaError(
                f"has multi-tenancy disabled, but request was with tenant for class {cls['class']}"
            )
        known = {p["name"] for p in cls.get("properties", [])}
        for prop in obj.get("properties") or {}:
            if prop not in known:
                raise SchemaError(
                    f"invalid object: no such prop with name '{prop}' found in class '{cls['class']}' "
                    "in the schema. Check your schema files for which properties in this class are "
                    "available"
                )
        oid = str(obj.get("id") or uuid.uuid4())
        try:
            oid = str(uuid.UUID(oid))
        except ValueError:
            raise SchemaError(f"invalid object: invalid UUID: {oid}") from None
        if oid in self.objects[cls["class"]]:
            raise SchemaError(f"id '{oid}' already exists")
        now = int(time.time() * 1000)
        obj.update(
            id=oid, properties=obj.get("properties") or {}, creationTimeUnix=now, lastUpdateTimeUnix=now
        )
        self.objects[cls["class"]][oid] = obj
        return copy.deepcopy(obj)

    def create_object(self, request: Request) -> JsonDict:
        try:
            return self._store_object(request.body)
        except SchemaError as e:
            raise error(422, e.message) from None

    def list_objects(self, request: Request) -> JsonDict:
        """One page (``offset``, ``limit``; default QUERY_DEFAULTS_LIMIT=25) in insertion order;
        ``totalResults`` counts the page, as the server's does."""
        wanted, tenant = request.arg("class"), request.arg("tenant")
        try:
            offset, limit = int(request.arg("offset") or 0), int(request.arg("limit") or QUERY_DEFAULTS_LIMIT)
        except ValueError:
            raise framework_error(422, "offset and limit in query must be of type int64") from None
        if offset + limit > QUERY_MAXIMUM_RESULTS:
            raise error(422, "query maximum results exceeded")  # text not confirmed against the server
        names = [upper_first(wanted)] if wanted else list(self.objects)
        found = [
            copy.deepcopy(o)
            for n in names
            for o in self.objects.get(n, {}).values()
            if o.get("tenant") == tenant
        ][offset : offset + limit]
        return {"objects": found, "totalResults": len(found)}

    def _find_object(self, request: Request, name: str, oid: str) -> JsonDict | None:
        obj = self.objects.get(upper_first(name), {}).get(oid)
        if obj is None or obj.get("tenant") != request.arg("tenant"):
            return None
        return obj

    def get_object(self, request: Request, name: str, oid: str) -> Response | JsonDict:
        obj = self._find_object(request, name, oid)
        return Response(404, None) if obj is None else copy.deepcopy(obj)

    def head_object(self, request: Request, name: str, oid: str) -> Response:
        return Response(404 if self._find_object(request, name, oid) is None else 204, None)

    def delete_object(self, request: Request, name: str, oid: str) -> Response:
        obj = self._find_object(request, name, oid)
        if obj is None:
            return Response(404, None)
        del self.objects[obj["class"]][oid]
        return Response(204, None)

    def batch_objects(self, request: Request) -> list[JsonDict]:
        body = request.body
        if not isinstance(body, dict) or not isinstance(body.get("objects"), list):
            raise framework_error(422, "objects in body must be of type array")
        results = []
        for raw in body["objects"]:
            try:
                results.append({**self._store_object(raw), "result": {}})
            except SchemaError as e:
                echo = raw if isinstance(raw, dict) else {}
                results.append({**echo, "result": {"errors": {"error": [{"message": e.message}]}}})
        return results


def _shard_name(class_name: str, index: int) -> str:
    """Physical shard names are random 12-character ids; seeded here so they are repeatable."""
    rng = random.Random(f"{class_name}/{index}")
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(12))
