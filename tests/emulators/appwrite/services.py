"""Storage buckets and Teams (FIDELITY.md [bucket-put-defaults], [teams], [bucket-transformations], [cloud-api])."""

from __future__ import annotations

from typing import Any

from tests.emulators.server import Request, Response

from . import params as p
from .errors import AppwriteError
from .model import Bucket, Team, now_iso
from .params import Params
from .profile import Profile
from .routes import Routes

__all__ = ["ServicesApi", "STORAGE_LIMIT"]

STORAGE_LIMIT = 30_000_000  # _APP_STORAGE_LIMIT default on self-hosted (30 MB)


class ServicesApi(Routes):
    """Handlers for ``/v1/storage/buckets`` and ``/v1/teams``; mixed into the emulator."""

    buckets: dict[str, Bucket]
    teams: dict[str, Team]
    profile: Profile

    def register_services(self) -> None:
        bucket = r"/v1/storage/buckets/(?P<bucket>[^/]+)"
        self.register("GET", "/v1/storage/buckets", self.list_buckets)
        self.register("POST", "/v1/storage/buckets", self.create_bucket)
        self.register("GET", bucket, self.get_bucket)
        self.register("PUT", bucket, self.update_bucket)
        self.register("DELETE", bucket, self.delete_bucket)
        team = r"/v1/teams/(?P<team>[^/]+)"
        self.register("GET", "/v1/teams", self.list_teams)
        self.register("POST", "/v1/teams", self.create_team)
        self.register("GET", team, self.get_team)
        self.register("PUT", team, self.update_team)
        self.register("DELETE", team, self.delete_team)
        self.register("GET", f"{team}/prefs", self.get_team_prefs)
        self.register("PUT", f"{team}/prefs", self.update_team_prefs)

    # -- buckets ---------------------------------------------------------------------------
    def _bucket_settings(self, params: Params, current: dict[str, Any] | None) -> dict[str, Any]:
        """Create and update share one parameter set; every omitted field takes its create default.

        Only ``permissions`` is nullable: on update null/omitted keeps the ``current`` one
        ([bucket-put-defaults]: PUT resets every other omitted field). ``transformations`` is a
        parameter from 1.8.1 ([bucket-transformations]; utopia ignores unknown parameters before),
        ``description`` and ``stripMetadata`` on the Cloud API ([cloud-api]; the SDK documents that an
        update without ``stripMetadata`` keeps it; ``description`` is kept the same way).
        """
        keep_permissions = current["permissions"] if current else None
        settings = {
            "name": params.required("name", p.text(128)),
            "permissions": params.optional(
                "permissions", keep_permissions if keep_permissions is not None else [], p.permission_list
            ),
            "fileSecurity": params.optional("fileSecurity", False, p.boolean),
            "enabled": params.optional("enabled", True, p.boolean),
            "maximumFileSize": params.optional("maximumFileSize", STORAGE_LIMIT, p.integer(1, STORAGE_LIMIT)),
            "allowedFileExtensions": params.optional("allowedFileExtensions", [], p.array(p.text(64))),
            "compression": params.optional("compression", "none", p.whitelist("none", "gzip", "zstd")),
            "encryption": params.optional("encryption", True, p.boolean),
            "antivirus": params.optional("antivirus", True, p.boolean),
            "transformations": params.optional("transformations", True, p.boolean)
            if self.profile.bucket_transformations else True,
        }
        if self.profile.cloud_api:
            settings["description"] = params.optional(
                "description", current["description"] if current else "", p.text(2048, 0))
            settings["stripMetadata"] = params.optional(
                "stripMetadata", current["stripMetadata"] if current else False, p.boolean)
        return settings

    def _bucket(self, bucket: str) -> Bucket:
        p.key("bucketId", bucket)
        found = self.buckets.get(bucket)
        if found is None:
            raise AppwriteError(404, "storage_bucket_not_found")
        return found

    def list_buckets(self, request: Request) -> dict[str, Any]:
        params = Params.from_request(request)
        query = p.parse_queries(
            params,
            [
                "enabled",
                "name",
                "fileSecurity",
                "maximumFileSize",
                "encryption",
                "antivirus",
                "transformations",
            ],
        )
        items = [b.to_model(self.profile) for b in self.buckets.values()]
        total, page = p.paginate(items, query, "$id", params, ("$id", "name"))
        return {"total": total, "buckets": page}

    def create_bucket(self, request: Request) -> Response:
        params = Params.from_request(request)
        bucket_id = params.required("bucketId", p.custom_id)
        settings = self._bucket_settings(params, None)
        if bucket_id in self.buckets:
            raise AppwriteError(409, "storage_bucket_already_exists")
        self.buckets[bucket_id] = Bucket(bucket_id, settings)
        return Response(201, self.buckets[bucket_id].to_model(self.profile))

    def get_bucket(self, request: Request, bucket: str) -> dict[str, Any]:
        return self._bucket(bucket).to_model(self.profile)

    def update_bucket(self, request: Request, bucket: str) -> dict[str, Any]:
        params = Params.from_request(request)
        found = self._bucket(bucket)
        found.settings = self._bucket_settings(params, found.settings)
        found.updated = now_iso()
        return found.to_model(self.profile)

    def delete_bucket(self, request: Request, bucket: str) -> Response:
        self._bucket(bucket)
        del self.buckets[bucket]
        return Response(204, None)

    # -- teams -----------------------------------------------------------------------------
    def _team(self, team: str) -> Team:
        p.key("teamId", team)
        found = self.teams.get(team)
        if found is None:
            raise AppwriteError(404, "team_not_found")
        return found

    def list_teams(self, request: Request) -> dict[str, Any]:
        params = Params.from_request(request)
        query = p.parse_queries(params, ["name", "total", "billingPlan"])
        items = [t.to_model() for t in self.teams.values()]
        total, page = p.paginate(items, query, "$id", params, ("$id", "name"))
        return {"total": total, "teams": page}

    def create_team(self, request: Request) -> Response:
        params = Params.from_request(request)
        team_id = params.required("teamId", p.custom_id)
        name = params.required("name", p.text(128))
        # With an API key ``roles`` is validated but no membership is created ([teams]).
        params.optional("roles", ["owner"], p.array(p.text(81)))
        if team_id in self.teams:
            raise AppwriteError(409, "team_already_exists")
        self.teams[team_id] = Team(team_id, name)
        return Response(201, self.teams[team_id].to_model())

    def get_team(self, request: Request, team: str) -> dict[str, Any]:
        return self._team(team).to_model()

    def update_team(self, request: Request, team: str) -> dict[str, Any]:
        params = Params.from_request(request)
        name = params.required("name", p.text(128))
        found = self._team(team)
        found.name = name
        found.updated = now_iso()
        return found.to_model()

    def delete_team(self, request: Request, team: str) -> Response:
        self._team(team)
        del self.teams[team]
        return Response(204, None)

    def get_team_prefs(self, request: Request, team: str) -> dict[str, Any]:
        return dict(self._team(team).prefs)

    def update_team_prefs(self, request: Request, team: str) -> dict[str, Any]:
        params = Params.from_request(request)
        prefs = params.required("prefs", p.json_object)
        found = self._team(team)
        found.prefs = dict(prefs)  # full replace
        return dict(found.prefs)
