"""The Appwrite manifest: connection block, section, and one model per resource kind.

Keys follow Appwrite's own API spelling (``rowSecurity``, ``maximumFileSize``); ``$id`` and
``$permissions`` are written ``id`` and ``permissions``. The models only check shapes; limits and
cross-references (key lengths, sizes, relationship targets, index columns) are checked by
:mod:`baseform.providers.appwrite.checks` so that every problem is reported at once with its line.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr

from baseform.manifest.models import ProviderConfig, Resource, Section

__all__ = ["AppwriteConfig", "AppwriteSection", "BucketSpec", "ColumnSpec", "ColumnType", "DatabaseSpec",
           "IndexSpec", "Permissions", "TableSpec", "TeamSpec"]

ColumnType = Literal["varchar", "text", "mediumtext", "longtext", "string", "integer", "bigint", "float",
                     "boolean", "datetime", "email", "url", "ip", "enum", "relationship", "point", "line",
                     "polygon"]

Permissions = list[str] | dict[str, list[str]]
"""Native strings (``'read("any")'``) or the mapping form (``{read: [any], write: ["team:editors"]}``)."""

Default = bool | int | float | str | list[Any] | None
Order = Literal["ASC", "DESC", "asc", "desc"]
_DESCRIPTION = ("Free text shown in the console. Appwrite Cloud's API (2.5) only; left out = keep the live "
                "value.")


class AppwriteConfig(ProviderConfig):
    """``providers.appwrite``: where the project is. ``endpoint`` is the API root, ``.../v1``
    (``/v1`` is added when missing)."""

    env: ClassVar[dict[str, str]] = {"endpoint": "APPWRITE_ENDPOINT", "project": "APPWRITE_PROJECT_ID",
                                     "apiKey": "APPWRITE_API_KEY"}
    endpoint: str | None = Field(None, description="API endpoint, e.g. https://cloud.appwrite.io/v1.")
    project: str | None = Field(None, description="Project id.")
    apiKey: SecretStr | None = Field(None, description="API key with databases, tables, columns, indexes, "
                                                       "buckets and teams scopes.")
    engine: Literal["mariadb", "mysql", "postgresql", "mongodb"] | None = Field(
        None, description="The database the project's tables live in (limits differ). Left out: what the "
                          "server shows (MongoDB shows itself), else MariaDB's limits, the strictest.")


class ColumnSpec(Resource):
    """A column. Which keys apply depends on ``type`` (checked with a message naming the type)."""

    key: str
    type: ColumnType
    required: bool = False
    default: Default = Field(None, description="Default value; not allowed with required or array.")
    array: bool = False
    size: int | None = Field(None, description="Characters (varchar 1..16381, legacy string).")
    min: int | float | None = None
    max: int | float | None = None
    elements: list[str] | None = Field(None, description="Allowed values of an enum column.")
    encrypt: bool = Field(False, description="Encrypt at rest (varchar, text family, string); not "
                                             "changeable later.")
    relatedTable: str | None = None
    relationType: Literal["oneToOne", "oneToMany", "manyToOne", "manyToMany"] | None = None
    twoWay: bool = False
    twoWayKey: str | None = Field(None, description="Key of the counterpart column on the related table "
                                                    "(default: this table's id).")
    onDelete: Literal["cascade", "restrict", "setNull"] = "restrict"
    description: str | None = Field(None, description=_DESCRIPTION)


class IndexSpec(Resource):
    key: str
    type: Literal["key", "unique", "fulltext", "spatial", "trigram"]
    columns: list[str] | None = Field(None, description="Column keys. Left out (as `appwrite pull` writes "
                                                        "some indexes): the live index's, which must exist.")
    orders: list[Order | None] = Field(default_factory=list, description="Per column, any case; left out or "
                                                                         "null = ascending.")
    lengths: list[int | None] | None = Field(None, description="Prefix length per column (0 or null: whole "
                                                               "value). Left out: the live index's (`appwrite "
                                                               "pull` never writes them), none for a new one.")
    description: str | None = Field(None, description=_DESCRIPTION)


class TableSpec(Resource):
    id: str
    name: str
    description: str | None = Field(None, description=_DESCRIPTION)
    enabled: bool = True
    rowSecurity: bool = False
    permissions: Permissions = Field(default_factory=list)
    columns: list[ColumnSpec] = Field(default_factory=list)
    indexes: list[IndexSpec] = Field(default_factory=list)


class DatabaseSpec(Resource):
    id: str
    name: str
    description: str | None = Field(None, description=_DESCRIPTION)
    enabled: bool = True
    tables: list[TableSpec] = Field(default_factory=list)


class BucketSpec(Resource):
    id: str
    name: str
    description: str | None = Field(None, description=_DESCRIPTION)
    permissions: Permissions = Field(default_factory=list)
    fileSecurity: bool = False
    enabled: bool = True
    maximumFileSize: int | None = Field(None, description="Bytes; omitted = keep the live value (the "
                                                          "server's limit for a new bucket).")
    allowedFileExtensions: list[str] = Field(default_factory=list, description="Empty = all.")
    compression: Literal["none", "gzip", "zstd"] = "none"
    encryption: bool = True
    antivirus: bool = True
    transformations: bool = Field(True, description="Image transformations (Appwrite 1.8.1 and later).")
    stripMetadata: bool | None = Field(None, description="Remove location and device metadata from uploaded "
                                                         "images. Appwrite Cloud's API (2.5) only; left out = "
                                                         "keep the live value.")


class TeamSpec(Resource):
    id: str
    name: str


class AppwriteSection(Section):
    """The ``appwrite:`` section."""

    teams: list[TeamSpec] = Field(default_factory=list)
    databases: list[DatabaseSpec] = Field(default_factory=list)
    buckets: list[BucketSpec] = Field(default_factory=list)
