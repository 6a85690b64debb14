"""Reading a SpacetimeDB host: each database's owner, live module hash and schema, and the host's
migration plan for every artifact that differs from the live module. Reads only: ``pre_publish``
is a dry run.

Per database: ``GET /v1/database/:name`` (404: it does not exist), ``GET …/schema?version=9``, the
live module hash from the public system table ``st_module`` (``POST …/sql``; ``initial_program`` of the
first call is not updated by later publishes), and, when the artifact differs, ``POST …/pre_publish``
with the artifact's bytes. Databases the token's identity owns but the manifest does not declare
are listed through ``GET /v1/identity/:identity/databases``.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from baseform.engine.address import Address
from baseform.engine.operation import bytes_digest
from baseform.engine.resource import DesiredResource, LiveResource, LiveState
from baseform.errors import ApiError, PlanError
from baseform.http import Session
from baseform.providers.spacetimedb.artifact import Artifact, host_type_of
from baseform.providers.spacetimedb.calls import program_hash_read
from baseform.providers.spacetimedb.databases import database_address, database_path
from baseform.providers.spacetimedb.migration import parse_pre_publish
from baseform.providers.spacetimedb.schema import project_expect, schema_tables
from baseform.types import JSON, JSONObject

__all__ = ["identity_hex", "program_hash_hex", "program_hash_of", "read_live", "token_identity"]

def token_identity(token: str) -> str | None:
    """The identity a SpacetimeDB token names (its ``hex_identity`` claim); None if it is no JWT.

    Only read to word errors and list owned databases; the host checks the token itself.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    identity = claims.get("hex_identity") if isinstance(claims, dict) else None
    return identity.lower() if isinstance(identity, str) else None


def identity_hex(value: JSON) -> str | None:
    """An identity as the host writes it (``{"__identity__": "0x…"}`` or a hex string) as 64 hex digits."""
    if isinstance(value, dict):
        value = value.get("__identity__")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:064x}"
    if isinstance(value, str):
        text = value.lower().removeprefix("0x")
        return text.rjust(64, "0") if all(c in "0123456789abcdef" for c in text) else None
    return None


def program_hash_of(answer: JSON) -> str | None:
    """The live module hash in the answer to :func:`~.calls.program_hash_read`."""
    value = None
    if isinstance(answer, list) and answer and isinstance(answer[0], dict) and (answer[0].get("rows") or []):
        first = answer[0]["rows"][0]
        value = first[0] if isinstance(first, list) and first else None
    return program_hash_hex(value)


def program_hash_hex(value: JSON) -> str | None:
    """``st_module.program_hash`` (a u256 quantity of the hash's little-endian bytes) as ``Hash::to_hex``."""
    if isinstance(value, str):
        try:
            number = int(value, 16) if value.lower().startswith("0x") else int(value)
        except ValueError:
            return None
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        return None
    return number.to_bytes(32, "little").hex()


@dataclass(frozen=True, slots=True)
class _Database:
    address: Address
    name: str
    info: JSONObject
    schema: JSON
    program_hash: str | None


async def _absent_on_404(call: Any) -> Any:
    try:
        return await call
    except ApiError as e:
        if e.status == 404:
            return None
        raise


async def _read_database(session: Session, address: Address, name: str) -> _Database | None:
    path = database_path(name)
    info = await _absent_on_404(session.request("GET", path, operation=f"read database {name}"))
    if not isinstance(info, dict):
        return None
    schema, rows = await asyncio.gather(
        session.request("GET", path + "/schema", params={"version": "9"}, operation=f"read the schema of {name}"),
        session.perform(program_hash_read(name), operation=f"read the live module hash of {name}"))
    return _Database(address, name, info, schema, program_hash_of(rows))


async def read_live(provider: str, session: Session, desired: Sequence[DesiredResource],
                    artifacts: Mapping[Address, Artifact], me: str | None) -> LiveState:
    """The live state behind ``session`` (``me``: the token's identity, when it can be read)."""
    declared = {d.address: d for d in desired if d.address.kind == "databases"}
    found = await asyncio.gather(*(_read_database(session, a, a.name) for a in declared))
    databases = {db.address: db for db in found if db is not None}
    if me is not None:
        owned = await session.request("GET", f"/v1/identity/{me}/databases",
                                      operation="list the databases the token's identity owns")
        known = {identity_hex(db.info.get("database_identity")) for db in databases.values()}
        others = [i for i in (owned or {}).get("identities") or [] if identity_hex(i) not in known]
        for extra in await asyncio.gather(*(_read_undeclared(session, str(i)) for i in others)):
            if extra is not None and extra.address not in declared:
                databases[extra.address] = extra
    migrations: dict[str, JSON] = {}
    planned = [(a, declared[a], artifacts[a]) for a, db in databases.items()
               if a in declared and a in artifacts and db.program_hash != artifacts[a].module_hash]
    answers = await asyncio.gather(*(_pre_publish(session, databases[a], d, art, me) for a, d, art in planned))
    for (address, _, _), migration in zip(planned, answers, strict=True):
        migrations[str(address)] = migration
    resources: dict[Address, LiveResource] = {}
    for address, db in databases.items():
        wanted = declared[address].value.get("expect") if address in declared else None
        value: JSONObject = {"expect": project_expect(schema_tables(db.schema), wanted)}
        if db.program_hash is not None:
            value["program_hash"] = db.program_hash
        raw = {"database": db.info, "program_hash": db.program_hash, "schema": db.schema}
        resources[address] = LiveResource(address, value, raw)
    return LiveState(provider, session.base_url, None, resources, context={"migrations": migrations})


async def _read_undeclared(session: Session, identity: str) -> _Database | None:
    names = await _absent_on_404(session.request("GET", database_path(identity) + "/names",
                                                 operation=f"read the names of database {identity}"))
    listed = (names or {}).get("names") or [] if isinstance(names, dict) else []
    name = str(listed[0]) if listed else identity
    return await _read_database(session, database_address(name), name)


async def _pre_publish(session: Session, db: _Database, declared: DesiredResource, artifact: Artifact,
                       me: str | None) -> JSON:
    owner = identity_hex(db.info.get("owner_identity"))
    if me is not None and owner is not None and owner != me:
        raise _not_owner(declared, db.name, me, owner)
    host_type = host_type_of(str(declared.value.get("module", "")), declared.value.get("hostType"))
    data = artifact.path.read_bytes()
    if bytes_digest(data) != artifact.digest:
        raise PlanError(f"{artifact.path} changed while the plan was being made; plan again",
                        address=str(declared.address), source=declared.source)
    try:
        answer = await session.request(
            "POST", database_path(db.name) + "/pre_publish", params={"style": "NoColor", "host_type": host_type},
            content=data, operation=f"ask the host how it would migrate {db.name}")
    except ApiError as e:
        if e.status == 403:
            raise _not_owner(declared, db.name, me, owner) from None
        raise
    try:
        return parse_pre_publish(answer).to_json()
    except ValueError as e:
        raise PlanError(f"{e}; baseform needs SpacetimeDB 1.9 or newer", address=str(declared.address),
                        source=declared.source) from None


def _not_owner(declared: DesiredResource, name: str, me: str | None, owner: str | None) -> PlanError:
    who = f"the token's identity {me[:16]}…" if me else "the token's identity"
    return PlanError(f"{who} does not own database {name!r}" + (f" (its owner is {owner[:16]}…)" if owner else "")
                     + ": only the owner may publish to it. Set SPACETIMEDB_TOKEN (or providers.spacetimedb.token) "
                     "to the owner's token", address=str(declared.address), source=declared.source)
