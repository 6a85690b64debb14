"""The ``databases`` kind: addresses, the rules the core needs, names, and the desired value.

The value a plan compares is ``program_hash`` (the module's hash: equal means nothing to publish) and,
when declared, ``expect`` (the schema contract). The other keys are publish parameters, shown in a
plan but never compared.
"""

from __future__ import annotations

import re

from baseform.engine.address import Address
from baseform.engine.resource import KindRules
from baseform.providers.spacetimedb.models import DatabaseSpec, ExpectSpec
from baseform.types import JSONObject

__all__ = ["DATABASES", "PROVIDER", "database_address", "database_path", "desired_database", "expect_value",
           "is_identity", "name_problem"]

PROVIDER = "spacetimedb"

DATABASES = KindRules(
    "databases",
    ignore=frozenset({"module", "hostType", "breakClients", "deleteData"}),
    rename_unsupported="a database is published under its name; publish to the new name instead",
    data_loss="all its tables and their rows",
)

_IDENTITY = re.compile(r"^[0-9a-fA-F]{64}$")
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def database_address(name: str) -> Address:
    return Address(PROVIDER, (("databases", name),))


def database_path(name: str) -> str:
    return f"/v1/database/{name}"


def is_identity(name: str) -> bool:
    return bool(_IDENTITY.match(name))


def name_problem(name: str) -> str | None:
    """Why the host would refuse ``name`` (``parse_database_name``, crates/client-api-messages), or None."""
    if is_identity(name):
        return None
    if not name:
        return "a database name cannot be empty"
    if _NAME.match(name):
        return None
    if re.fullmatch(r"[a-z0-9-]+", name):
        return "a hyphen may not start or end a database name, nor follow another"
    return "a database name has only lowercase letters, digits and hyphens"


def expect_value(expect: ExpectSpec) -> JSONObject:
    """The contract in the diff shape: tables keyed by name, each with the keys declared."""
    tables: JSONObject = {}
    for table in expect.tables:
        tables[table.name] = {k: v for k, v in (("access", table.access), ("primaryKey", table.primaryKey),
                                                ("columns", table.columns)) if v is not None}
    return {"tables": tables}


def desired_database(spec: DatabaseSpec, program_hash: str | None) -> JSONObject:
    """The declared database in the diff shape (``program_hash`` when the artifact could be read)."""
    value: JSONObject = {}
    if spec.module is not None:
        value["module"] = spec.module
        if program_hash is not None:
            value["program_hash"] = program_hash
        if spec.hostType is not None:
            value["hostType"] = spec.hostType
        value["breakClients"] = spec.breakClients
        value["deleteData"] = spec.deleteData
    if spec.expect is not None:
        value["expect"] = expect_value(spec.expect)
    return value
