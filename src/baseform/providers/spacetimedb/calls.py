"""The calls an apply makes: publish (``PUT /v1/database/:name``) and delete. Pure.

The query parameters are those ``spacetime publish`` sends (crates/cli/src/subcommands/publish.rs):
``host_type``; after an automatic ``pre_publish``, ``policy=BreakClients`` with its ``token`` (the host
then applies exactly the planned migration and refuses once the live module is another one);
``clear=true`` to delete all data first. The module's bytes are read from the file when the call is
sent and must still have the digest the plan was made from.
"""

from __future__ import annotations

from baseform.engine.change import Action, Change
from baseform.engine.operation import Content, Operation, Request
from baseform.providers.spacetimedb.artifact import Artifact, host_type_of
from baseform.providers.spacetimedb.databases import PROVIDER, database_path
from baseform.providers.spacetimedb.migration import Migration

__all__ = ["database_operation"]


def database_operation(change: Change, artifact: Artifact | None, migration: Migration | None) -> Operation:
    """The one call that realises ``change`` of a database."""
    name = change.address.name
    path = database_path(name)
    if change.action is Action.DELETE:
        return Operation(f"delete:{name}", PROVIDER, Action.DELETE, (change.address,), f"delete database {name}",
                         Request("DELETE", path))
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
    return Operation(f"publish:{name}", PROVIDER, change.action, (change.address,), description,
                     Request("PUT", path, params=tuple(params), content=content))
