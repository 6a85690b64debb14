"""The SpacetimeDB provider: a database is its published module, the host's migration plan is the plan.

This module wires the pieces together: models, the databases kind, the artifact, reading the host
(:mod:`.live`), planning from the host's ``pre_publish`` answer (:mod:`.planning`), the publish calls,
export, and ``spacetime.json`` read as a native file.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from baseform.engine.address import Address
from baseform.engine.change import Change, FieldDiff
from baseform.engine.graph import link_each
from baseform.engine.operation import Operation
from baseform.engine.resource import DesiredResource, LiveState
from baseform.errors import ApiError, Diagnostic
from baseform.http import Session, default_error_parser
from baseform.manifest.models import ProviderConfig, Section
from baseform.providers.base import Locator, Provider
from baseform.providers.spacetimedb.artifact import Artifact, load_artifact, module_path
from baseform.providers.spacetimedb.calls import DatabaseOperation, database_operation
from baseform.providers.spacetimedb.databases import DATABASES, database_address, desired_database, name_problem
from baseform.providers.spacetimedb.export import export_section
from baseform.providers.spacetimedb.live import program_hash_of, read_live, token_identity
from baseform.providers.spacetimedb.models import DatabaseSpec, SpacetimeConfig, SpacetimeSection
from baseform.providers.spacetimedb.native import SPACETIME_JSON
from baseform.providers.spacetimedb.planning import check_plannable, migration_for, publish_details, replace_reasons
from baseform.types import JSON, JSONObject

__all__ = ["SpacetimeDBProvider"]


def _json_error(status: int, body: JSON) -> tuple[str, str | None]:
    denied = body.get("PermissionDenied") if isinstance(body, dict) else None
    if isinstance(denied, dict):
        return f"the name {denied.get('name')!r} is registered to another identity", "PermissionDenied"
    return default_error_parser(status, body)


def _text_error(status: int, text: str) -> str:
    # the host answers errors as plain text (axum's (StatusCode, String)); keep all of it
    message = text.strip()[:4000] or f"HTTP {status}"
    if status == 401:
        message += (" (the host does not accept the token: set SPACETIMEDB_TOKEN to one it issued, e.g. from "
                    "`spacetime login show --token`)")
    return message


class SpacetimeDBProvider(Provider):
    """``spacetimedb`` section: ``spacetimedb.databases.<name>``."""

    name = "spacetimedb"
    config_model = SpacetimeConfig
    section_model = SpacetimeSection
    kinds = (DATABASES,)
    top_level = ("databases",)
    native_formats = (SPACETIME_JSON,)

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        self.artifacts: dict[Address, Artifact] = {}
        """The artifacts of the declared databases, read and hashed when the manifest is loaded."""

    # -- validate time ------------------------------------------------------------------------
    def _artifact(self, spec: DatabaseSpec, index: int, locate: Locator) -> Diagnostic | None:
        """Read and hash a database's module once (the only file this provider reads); why not, if it cannot."""
        address = database_address(spec.name)
        if spec.module is None or address in self.artifacts:
            return None
        where = locate(("spacetimedb", "databases", index, "module"))
        file = module_path(spec.module, where)
        try:
            self.artifacts[address] = load_artifact(file)
        except OSError as e:
            return Diagnostic(f"module {spec.module!r}: cannot read {file}: {e.strerror}", where, str(address),
                              hint="build the module first (spacetime build), or fix the path (relative to this file)")
        return None

    def check(self, section: Section, locate: Locator) -> list[Diagnostic]:
        """Names the host would refuse, and modules that cannot be read."""
        assert isinstance(section, SpacetimeSection)
        problems = []
        for i, spec in enumerate(section.databases):
            problem = name_problem(spec.name)
            if problem:
                problems.append(Diagnostic(f"name {spec.name!r}: {problem}",
                                           locate(("spacetimedb", "databases", i, "name")),
                                           str(database_address(spec.name))))
            unreadable = self._artifact(spec, i, locate)
            if unreadable is not None:
                problems.append(unreadable)
        return problems

    def desired(self, section: Section, locate: Locator) -> list[DesiredResource]:
        assert isinstance(section, SpacetimeSection)
        out = []
        for i, spec in enumerate(section.databases):
            address = database_address(spec.name)
            self._artifact(spec, i, locate)
            artifact = self.artifacts.get(address)
            value = desired_database(spec, artifact.module_hash if artifact else None)
            out.append(DesiredResource(address, value, locate(("spacetimedb", "databases", i)), protect=spec.protect,
                                       renamed_from=spec.renamedFrom))
        return out

    # -- I/O ----------------------------------------------------------------------------------
    async def connect(self, transport: httpx.AsyncBaseTransport | None = None) -> Session:
        host = self.config.require("host", self.name).rstrip("/")
        token = self.config.require("token", self.name)
        return Session(host, headers={"Authorization": f"Bearer {token}"}, transport=transport,
                       error_parser=_json_error, text_error_parser=_text_error)

    async def read(self, session: Session, desired: Sequence[DesiredResource]) -> LiveState:
        me = token_identity(self.config.require("token", self.name))
        return await read_live(self.name, session, desired, self.artifacts, me)

    # -- plan time ----------------------------------------------------------------------------
    def prepare(self, desired: Sequence[DesiredResource], live: LiveState) -> list[DesiredResource]:
        check_plannable(desired, live)
        return list(desired)

    def replace_reasons(self, address: Address, before: JSONObject, after: JSONObject,
                        diffs: Sequence[FieldDiff], live: LiveState) -> list[str]:
        return replace_reasons(before, after, diffs, migration_for(live, address))

    def details(self, change: Change, live: LiveState) -> tuple[str, ...]:
        return publish_details(change, migration_for(live, change.address))

    def operations(self, changes: Sequence[Change], desired: Sequence[DesiredResource],
                   live: LiveState) -> list[Operation]:
        return link_each(changes, desired, self.live_dependencies(live), lambda change: [
            database_operation(change, self.artifacts.get(change.address), migration_for(live, change.address))])

    # -- apply time ---------------------------------------------------------------------------
    def precondition_holds(self, operation: Operation, answer: JSON) -> bool:
        # a call that deletes data goes out only while the live module is the one the plan read
        return isinstance(operation, DatabaseOperation) and program_hash_of(answer) == operation.planned_hash

    def explain_error(self, operation: Operation, error: ApiError) -> str:
        text = error.server_message
        if "does not match expected hash" in text:
            return (f"{operation.description}: the live module changed after the host planned this migration "
                    "(another publish); the host changed nothing. Plan again and review the new plan")
        if error.status == 403 and "not authorized" in text:
            return (f"{operation.description}: the token's identity does not own this database; only the owner "
                    "may publish to it or delete it. Set SPACETIMEDB_TOKEN to the owner's token")
        return str(error)

    # -- export -------------------------------------------------------------------------------
    def export(self, live: LiveState) -> JSONObject:
        return export_section(live)
