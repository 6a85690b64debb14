"""The Appwrite emulator: auth, version gating, routing and Appwrite-shaped errors.

Which server it is (version, storage engine) is a :class:`~.profile.Profile`; every rule that depends
on it is listed in ``FIDELITY.md`` beside this file.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from tests.emulators.jobs import JobClock
from tests.emulators.server import Emulator, HttpError, Request, Response

from .errors import AppwriteError
from .model import Bucket, Database, Team
from .profile import DEFAULT_VERSION, Profile, parse_version
from .services import ServicesApi
from .tables import DatabasesApi

__all__ = ["AppwriteEmulator", "parse_version"]


class AppwriteEmulator(DatabasesApi, ServicesApi, Emulator):
    """An in-memory Appwrite server for one project, reachable with one API key.

    ``version`` and ``engine`` choose the server (:class:`~.profile.Profile`, rows of FIDELITY.md);
    the version is reported by ``GET /v1/health/version`` and in every error body.
    ``column_delay_s`` is how long column/index jobs stay ``processing``/``deleting`` before the
    emulated worker completes them, on the clock ``jobs`` (tests hold it to keep a job pending).
    ``health_version=False`` serves no ``/v1/health/version`` (a server or gateway without it).
    Every API request is kept in ``journal`` as (method, path, body).
    """

    name = "appwrite"

    def __init__(
        self,
        project: str = "test",
        api_key: str = "secret-key",
        version: str = DEFAULT_VERSION,
        column_delay_s: float = 0.05,
        engine: str = "mariadb",
        health_version: bool = True,
    ) -> None:
        super().__init__()
        self.project = project
        self.api_key = api_key
        self.profile = Profile(version, engine)
        self.version = version
        self.version_tuple = parse_version(version)
        self.jobs = JobClock(column_delay_s)
        self._jobs_done_at = -math.inf  # the last time every table's due jobs were completed
        self.journal: list[tuple[str, str, Any]] = []
        self.databases: dict[str, Database] = {}
        self.buckets: dict[str, Bucket] = {}
        self.teams: dict[str, Team] = {}
        self._sequence = 0
        if health_version:
            # [health-version]: served by every version read, without a key
            self.route("GET", "/v1/health/version", lambda request: {"version": self.version})
        self.register_databases()
        self.register_services()

    def reset(self) -> None:
        super().reset()
        self.journal.clear()
        self.databases.clear()
        self.buckets.clear()
        self.teams.clear()

    def next_sequence(self) -> int:
        self._sequence += 1
        return self._sequence

    def register(
        self,
        method: str,
        pattern: str,
        handler: Callable[..., Any],
        since: tuple[int, int, int] = (0, 0, 0),
        until: tuple[int, int, int] | None = None,
    ) -> None:
        """Register an API-key route that exists from server version ``since`` on (and before ``until``)."""

        def guarded(request: Request, **groups: str) -> Any:
            if self.version_tuple < since or (until is not None and self.version_tuple >= until):
                raise AppwriteError(404, "general_route_not_found")
            self._authorize(request)
            return handler(request, **groups)

        self.route(method, pattern, guarded)

    def _authorize(self, request: Request) -> None:
        project = request.headers.get("x-appwrite-project")
        if not project:
            raise AppwriteError(400, "project_unknown")
        if project != self.project:
            raise AppwriteError(404, "project_not_found")
        if request.headers.get("x-appwrite-key") != self.api_key:
            # An unknown or missing key leaves the request as a guest, which lacks every scope.
            raise AppwriteError(
                401, "general_unauthorized_scope", f"User (role: guests) missing scope ({_scope(request)})"
            )

    # -- hooks of the shared server ----------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        now = self.jobs.now()
        # a read of a large project would otherwise look at every column of every table per request
        if not self.jobs.all_due_before(self._jobs_done_at):
            for database in self.databases.values():
                for table in database.tables.values():
                    table.tick(now)
            self._jobs_done_at = now
        self.journal.append((request.method, request.path, request.body))
        response = super().dispatch(request)
        if response.status == 204:
            # utopia's noContent() keeps its default text/html type; the SDKs decode JSON only when the
            # Content-Type says so, and an empty body labelled JSON breaks them
            response.headers["Content-Type"] = "text/html; charset=UTF-8"
        if isinstance(response.body, dict) and "type" in response.body and response.status >= 400:
            response.body.setdefault("version", self.version)
        sdk_format = request.headers.get("x-appwrite-response-format")
        if sdk_format and parse_version(sdk_format) > self.version_tuple:
            response.headers["X-Appwrite-Warning"] = (
                f"The current SDK is built for Appwrite {sdk_format}. However, the current Appwrite server "
                f"version is {self.version}. Please downgrade your SDK to match the Appwrite version: "
                "https://appwrite.io/docs/sdks"
            )
        return response

    def _error(self, error: HttpError) -> Response:
        body = dict(error.body)
        body.setdefault("version", self.version)
        return Response(error.status, body, error.headers)

    def not_found(self, request: Request) -> Response:
        return self._error(AppwriteError(404, "general_route_not_found"))

    def method_not_allowed(self, request: Request) -> Response:
        # utopia-php/http matches method and path together: a known path with another method is 404
        return self.not_found(request)

    def rate_limit_response(self) -> Response:
        base = super().rate_limit_response()
        return self._error(AppwriteError(429, "general_rate_limit_exceeded", headers=base.headers))

    def server_error_body(self) -> Any:
        # the shared server sends injected faults as HTTP 503, so the body says 503 too
        return {
            "message": "An internal server error occurred.",
            "code": 503,
            "type": "general_server_error",
            "version": self.version,
        }

    def invalid_json_response(self, request: Request) -> Response:
        return self._error(AppwriteError(400, "general_argument_invalid", "Invalid JSON body"))


def _scope(request: Request) -> str:
    """The scope a route needs, for the 401 message ([auth-errors])."""
    parts = request.path.split("/")
    service = parts[2] if len(parts) > 2 else ""
    resource = {
        "tablesdb": "databases",
        "databases": "databases",
        "storage": "buckets",
        "teams": "teams",
    }.get(service, service)
    if resource == "databases":
        names = ("tables", "collections", "columns", "attributes", "indexes", "rows", "documents")
        deepest = [n for n in parts if n in names]
        if deepest:
            resource = {
                "collections": "collections",
                "attributes": "attributes",
                "documents": "documents",
            }.get(deepest[-1], deepest[-1])
    return f"{resource}.{'read' if request.method == 'GET' else 'write'}"
