"""The ``supabase`` manifest section and ``providers.supabase`` block as pydantic models.

Keys follow Postgres/Supabase spelling (snake_case, SQL words) so a definition reads like the SQL it
becomes; the baseform keys (``protect``, ``renamedFrom``) stay camelCase. SQL fragments (types,
defaults, checks, policy expressions, index predicates) are written as SQL text and normalised by
the server when planning.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, SecretStr, field_validator

from baseform.manifest.models import Model, ProviderConfig, Resource, Section

__all__ = [
    "BucketSpec",
    "ColumnSpec",
    "EnumSpec",
    "GrantSpec",
    "IndexSpec",
    "PolicySpec",
    "RlsSpec",
    "SchemaSpec",
    "SupabaseConfig",
    "SupabaseSection",
    "TablePolicySpec",
    "TableSpec",
]

Identifier = Annotated[str, Field(min_length=1, max_length=63, pattern=r"^[^\x00\"]+$",
                                  description="A Postgres name (at most 63 bytes).")]
Sql = Annotated[str, Field(min_length=1, description="SQL text, normalised by the server when planning.")]
Command = Literal["select", "insert", "update", "delete", "all"]
OnDelete = Literal["cascade", "set null", "set default", "restrict", "no action"]
Privilege = Literal["select", "insert", "update", "delete", "truncate", "references", "trigger", "all"]


class SupabaseConfig(ProviderConfig):
    """Connection to the project's Postgres (``postgresql://user:password@host:port/db``).

    In CI use the session pooler's URL (IPv4; port 5432 on ``*.pooler.supabase.com``); the direct
    ``db.<ref>.supabase.co`` host is IPv6 only. The password inside the URL is a secret.
    """

    env: ClassVar[dict[str, str]] = {"db_url": "SUPABASE_DB_URL"}
    db_url: SecretStr | None = Field(None, description="postgresql:// URL of the database (with its password)")


class ColumnSpec(Resource):
    name: Identifier
    type: Sql = Field(description="A Postgres type: text, bigint, varchar(80), timestamptz, uuid, an enum...")
    nullable: bool = True
    default: Sql | None = Field(None, description="SQL expression, e.g. now() or 'draft' (quoted literal).")
    identity: Literal["always", "by default"] | None = None
    primary_key: bool = False
    unique: bool = False
    check: Sql | None = Field(None, description="CHECK expression over this column, e.g. length(slug) > 2")
    references: str | None = Field(None, pattern=r"^\s*[^()\s]+\s*\(\s*[^()\s]+\s*\)\s*$",
                                   description="Foreign key target: schema.table(column), e.g. auth.users(id)")
    on_delete: OnDelete | None = None


class IndexSpec(Resource):
    name: Identifier
    columns: list[Identifier] = Field(min_length=1)
    unique: bool = False
    method: Literal["btree", "hash", "gin", "gist", "brin", "spgist"] = "btree"
    where: Sql | None = None
    concurrently: bool = Field(False, description="CREATE INDEX CONCURRENTLY, outside the apply transaction "
                                                  "(no write lock on a large table).")


class _PolicyBody(Resource):
    name: Identifier
    command: Command = "all"
    as_: Literal["permissive", "restrictive"] = Field("permissive", alias="as")
    to: list[Identifier] = Field(["public"], description="Roles: anon, authenticated, service_role...")
    using: Sql | None = None
    with_check: Sql | None = None

    @field_validator("to")
    @classmethod
    def _roles_present(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("list at least one role (public means everyone)")
        return value


class TablePolicySpec(_PolicyBody):
    """A row-level security policy of a table baseform manages."""


class PolicySpec(_PolicyBody):
    """A policy on a table baseform does not own (e.g. ``storage.objects``)."""

    table: str = Field(pattern=r"^[^.\s]+\.[^.\s]+$", description="schema.table, e.g. storage.objects")


class GrantSpec(Model):
    to: Identifier
    privileges: list[Privilege] = Field(min_length=1)


class RlsSpec(Model):
    enabled: bool = True
    forced: bool = False


class TableSpec(Resource):
    name: Identifier
    rls: bool | RlsSpec | None = Field(None, description="true = ENABLE ROW LEVEL SECURITY; left out: left as "
                                                         "the server has it")
    columns: list[ColumnSpec] = []
    indexes: list[IndexSpec] = []
    policies: list[TablePolicySpec] = []
    grants: list[GrantSpec] | None = Field(None, description="Privileges of the Supabase roles on this table; "
                                                            "left out: left as the server has them")


class EnumSpec(Resource):
    name: Identifier
    values: list[Annotated[str, Field(min_length=1, max_length=63)]] = Field(min_length=1)


class SchemaSpec(Resource):
    name: Identifier
    enums: list[EnumSpec] = []
    tables: list[TableSpec] = []


class BucketSpec(Resource):
    id: Annotated[str, Field(min_length=1, max_length=100)]
    name: str | None = Field(None, description="Defaults to the id.")
    public: bool = False
    file_size_limit: int | None = Field(None, ge=0, description="Bytes; null = the project's global limit")
    allowed_mime_types: list[str] | None = None


class SupabaseSection(Section):
    prune: bool = Field(False, description="Drop undeclared tables, enums and buckets of the declared schemas "
                                           "(and undeclared schemas).")
    schemas: list[SchemaSpec] = []
    buckets: list[BucketSpec] = []
    policies: list[PolicySpec] = Field([], description="Policies on tables baseform does not own, e.g. "
                                                       "storage.objects.")
