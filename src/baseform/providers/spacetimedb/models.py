"""The ``spacetimedb`` manifest section and the ``providers.spacetimedb`` connection block.

A SpacetimeDB database *is* its published module: the module's code declares the tables, so the
manifest names the built artifact to publish (``module``) and says what a publish may do to the
live database (``breakClients``, ``deleteData``). ``expect`` is an optional contract on the live
schema (tables, their access, primary key and columns), reviewed in pull requests and checked on
every plan.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, SecretStr

from baseform.manifest.models import Model, ProviderConfig, Resource, Section

__all__ = ["DatabaseSpec", "ExpectSpec", "SpacetimeConfig", "SpacetimeSection", "TableExpectation"]


class SpacetimeConfig(ProviderConfig):
    """``providers.spacetimedb``: the host and a token of the databases' owner."""

    env: ClassVar[dict[str, str]] = {"host": "SPACETIMEDB_HOST", "token": "SPACETIMEDB_TOKEN"}
    host: str | None = Field(None, description="URL of the SpacetimeDB host, e.g. http://127.0.0.1:3000 or "
                                                "https://maincloud.spacetimedb.com.")
    token: SecretStr | None = Field(None, description="A SpacetimeDB token (`spacetime login show --token`) of "
                                                      "the identity that owns the databases. A secret.")


class TableExpectation(Model):
    """One table the live schema must have; keys left out are not checked."""

    name: str = Field(description="The table's name as the module declares it.")
    access: Literal["public", "private"] | None = Field(None, description="Whether clients may read the table.")
    primaryKey: list[str] | None = Field(None, description="The primary key's column ([] for none).")
    columns: list[str] | None = Field(None, description="Every column, in the module's order.")


class ExpectSpec(Model):
    """A contract on the live schema (``GET /v1/database/:name/schema``): its user tables, all of them."""

    tables: list[TableExpectation] = Field(default_factory=list)


class DatabaseSpec(Resource):
    """One database, addressed ``spacetimedb.databases.<name>``."""

    name: str = Field(description="The database name (lowercase letters, digits and single hyphens), or the "
                                  "64-digit identity of a database published without a name.")
    module: str | None = Field(None, description="The built module to publish: a .wasm file or a JS bundle, "
                                                 "relative to this manifest. Left out, the database is only "
                                                 "checked against `expect`, never published.")
    hostType: Literal["wasm", "js"] | None = Field(None, description="The module's kind; by default js for "
                                                                     ".js/.mjs/.cjs files, wasm otherwise.")
    breakClients: bool = Field(False, description="Allow a publish that disconnects every client (the host's "
                                                  "plan says it breaks clients).")
    deleteData: Literal["never", "onConflict", "always"] = Field(
        "never", description="never: a change the host cannot migrate automatically is a plan error. onConflict: "
                             "such a change deletes all data and publishes anew. always: every publish deletes all "
                             "data first. Deleting needs --allow-destroy.")
    expect: ExpectSpec | None = Field(None, description="The live schema this database must have.")


class SpacetimeSection(Section):
    """``spacetimedb``: databases on one host."""

    databases: list[DatabaseSpec] = Field(default_factory=list)
