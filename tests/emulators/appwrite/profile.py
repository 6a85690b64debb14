"""Which Appwrite server the emulator is: a version and a storage engine, and the rules that follow.

Every property here is one row (or part of one) of ``FIDELITY.md`` beside this file, named in its
docstring as ``[row-id]``; the row says which release tags have the rule and which source file it was
read from. Versions are the released self-hosted tags whose source was read (``RELEASES``) plus two
profiles that are not a readable release: :data:`HEAD` (the server's main branch of 2026-08-21, which
the 2.0 line was cut from) and :data:`CLOUD` (the 2.5 API of Appwrite Cloud, known only from the
official SDKs 25-27). The default is the newest released tag, :data:`DEFAULT_VERSION`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

__all__ = ["CLOUD", "DEFAULT_VERSION", "ENGINES", "HEAD", "RELEASES", "VERSIONS", "Profile", "parse_version"]

Version = tuple[int, int, int]

RELEASES = ("1.8.0", "1.8.1", "1.9.0", "1.9.5", "1.9.6")
HEAD = "2.0.0"
CLOUD = "2.5.0"
VERSIONS = (*RELEASES, HEAD, CLOUD)
DEFAULT_VERSION = "1.9.6"
ENGINES = ("mariadb", "mysql", "postgresql", "mongodb")


@functools.cache  # asked for every column of every answer
def parse_version(version: str) -> Version:
    """``"1.9.6"`` -> ``(1, 9, 6)``; missing parts count as 0, suffixes such as ``-rc.1`` are ignored."""
    numbers = [int(n) for n in re.findall(r"\d+", version.split("-")[0])[:3]] + [0, 0, 0]
    return numbers[0], numbers[1], numbers[2]


@dataclass(frozen=True)
class Profile:
    """One emulated server. ``engine`` is the database the project's tables live in."""

    version: str = DEFAULT_VERSION
    engine: str = "mariadb"

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"unknown engine {self.engine!r}; one of {', '.join(ENGINES)}")
        if self.engine in ("mongodb", "postgresql") and not self.since("1.9.0"):
            # [engines] the MongoDB and PostgreSQL adapters arrived with 1.9.0
            raise ValueError(f"Appwrite {self.version} runs on MariaDB or MySQL only")

    @property
    def number(self) -> Version:
        return parse_version(self.version)

    def since(self, version: str) -> bool:
        return self.number >= parse_version(version)

    # -- versions ----------------------------------------------------------------------------
    @property
    def inline_types(self) -> frozenset[str]:
        """[inline-types] The column types create-table accepts inline (none before 1.9.0)."""
        if not self.since("1.9.0"):
            return frozenset()
        core = {"string", "integer", "double", "boolean", "datetime", "point", "linestring", "polygon"}
        if self.since("1.9.5"):
            core.add("bigint")
        if self.since(HEAD):
            core |= {"varchar", "text", "mediumtext", "longtext", "email", "url", "ip", "enum"}
        return frozenset(core)

    @property
    def inline_schema_in_response(self) -> bool:
        """[create-table-response] The 201 of create-table lists the inline columns and indexes."""
        return self.since(HEAD)

    @property
    def bytes_info(self) -> bool:
        """[row-bytes] Tables report ``bytesMax``/``bytesUsed``."""
        return self.since("1.9.0")

    @property
    def database_status(self) -> bool:
        """[database-status] Databases report ``status``."""
        return self.since(HEAD)

    @property
    def bucket_transformations(self) -> bool:
        """[bucket-transformations] Buckets have ``transformations`` (and report ``totalSize``)."""
        return self.since("1.8.1")

    @property
    def table_name_optional(self) -> bool:
        """[table-update] ``name`` may be left out of a table update."""
        return self.since("1.9.0")

    @property
    def cloud_api(self) -> bool:
        """[cloud-api] ``description`` (databases, tables, columns, indexes, buckets), bucket
        ``stripMetadata``, index type ``trigram`` and the moved relationship update route."""
        return self.since(CLOUD)

    # -- engines -----------------------------------------------------------------------------
    @property
    def sql(self) -> bool:
        return self.engine != "mongodb"

    @property
    def row_limit(self) -> int:
        """[row-width] Row width budget in bytes (0: none, MongoDB)."""
        return 65535 if self.sql else 0

    @property
    def column_limit(self) -> int:
        """[column-count] User columns per table (0: none, MongoDB): 1017 less 7 internal."""
        return 1010 if self.sql else 0

    @property
    def index_length(self) -> int:
        """[index-length] The index length budget."""
        return 768 if self.sql else 1024

    @property
    def uid_length(self) -> int:
        """[uid-length] Longest id/key (from 1.9.0 the adapter decides; MongoDB allows 255)."""
        return 255 if self.engine == "mongodb" and self.since("1.9.0") else 36

    @property
    def spatial(self) -> bool:
        """[spatial-engine] Spatial columns (point, line, polygon) exist."""
        return self.sql

    @property
    def spatial_index_null(self) -> bool:
        """[spatial-index-null] A spatial index may cover a column that is not required."""
        return self.engine == "postgresql"

    @property
    def spatial_index_order(self) -> bool:
        """[spatial-index-order] A spatial index may carry orders."""
        return self.engine == "mariadb"

    @property
    def multiple_fulltext(self) -> bool:
        """[fulltext-one] More than one fulltext index per table."""
        return self.sql

    @property
    def identical_indexes(self) -> bool:
        """[identical-indexes] Two key/unique indexes over the same columns and orders."""
        return self.sql

    @property
    def reserved_index_keys(self) -> tuple[str, ...]:
        """[index-reserved-keys] Index keys the adapter keeps for its own indexes (case-insensitive)."""
        return ("primary", "_created_at", "_updated_at", "_tenant_id") if self.engine in ("mariadb", "mysql") else ()

    @property
    def trigram(self) -> bool:
        """[trigram] Index type ``trigram`` (PostgreSQL, on the Cloud API)."""
        return self.cloud_api and self.engine == "postgresql"
