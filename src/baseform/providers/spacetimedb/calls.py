"""The calls an apply makes: publish (``PUT /v1/database/:name``) and delete. Pure.

The query parameters are those ``spacetime publish`` sends (crates/cli/src/subcommands/publish.rs):
``host_type``; after an automatic ``pre_publish``, ``policy=BreakClients`` with its ``token`` (the host
then applies exactly the planned migration and refuses once the live module is another one);
``clear=true`` to delete all data first. The module's bytes are read from the file when the call is
sent and must still have the digest the plan was made from.

A call that deletes data (``clear=true``, a prune) carries no token the host could check, so it is
sent only if the live module hash read just before it is still the one the plan read.
"""

from __future__ import annotations

from dataclasses import dataclass

from baseform.engine.change import Action, Change
from baseform.engine.operation import Content, Operation, Request
from baseform.providers.spacetimedb.artifact import Artifact, host_type_of
from baseform.providers.spacetimedb.databases import PROVIDER, database_path
from baseform.providers.spacetimedb.migration import Migration

__all__ = ["PROGRAM_HASH_SQL", "DatabaseOperation", "database_operation", "program_hash_read"]

PROGRAM_HASH_SQL = b"SELECT program_hash FROM st_module"
"""The live module hash: the public system table ``st_module`` (crates/datastore/src/system_tables.rs)."""


def program_hash_read(name: str) -> Request:
    return Request("POST", database_path(name) + "/sql", content=Content("text/plain", PROGRAM_HASH_SQL))


@dataclass(frozen=True, slots=True)
class DatabaseOperation(Operation):
    """A publish or delete; ``planned_hash`` is the live module hash the plan read (for the precondition)."""

    planned_hash: str | None = None


def database_operation(change: Change, artifact: Artifact | None, migration: Migration | None) -> Operation:
    """The one call that realises ``change`` of a database."""
    name = change.address.name
    path = database_path(name)
    planned = (change.before or {}).get("program_hash")
    if change.action is Action.DELETE:
        return DatabaseOperation(f"delete:{name}", PROVIDER, Action.DELETE, (change.address,),
                                 f"delete database {name}", Request("DELETE", path),
                                 precondition=program_hash_read(name), planned_hash=planned)
    after = change.after or {}
    assert artifact is not None, "a publish needs its artifact (loaded with the manifest)"
    module = str(after.get("module"))
    params: list[tuple[str, str]] = [("host_type", host_type_of(module, after.get("hostType")))]
    if change.action is Action.REPLACE:
        params.append(("clear", "true"))
        description = f"publish {module} to {name}, deleting all its data"
    elif change.action is Action.UPDATE:
        if migration is not None and migration.token is not None:
            params += [("policy", "BreakClients"), ("token", migration.token)]
        breaks = migration is not None and migration.breaks_clients
        description = f"publish {module} to {name}" + (" (disconnects all clients)" if breaks else "")
    else:
        description = f"publish {module} as new database {name}"
    content = Content(file=str(artifact.path), digest=artifact.digest)
    replacing = change.action is Action.REPLACE
    return DatabaseOperation(f"publish:{name}", PROVIDER, change.action, (change.address,), description,
                             Request("PUT", path, params=tuple(params), content=content),
                             precondition=program_hash_read(name) if replacing else None,
                             planned_hash=planned if replacing else None)
