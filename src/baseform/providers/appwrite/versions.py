"""Server versions and what each one can do.

Read from the server's source at its release tags (the rows of the emulator's
``tests/emulators/appwrite/FIDELITY.md`` name the files): 1.8.0 brought TablesDB, 1.9.0 the text
column types and create-table with inline columns, 1.9.5 ``bigint``. Only the server's main branch
(2.0) takes the text types inline, and only the 2.5 API of Appwrite Cloud (the official SDKs 25-27)
has ``description``, bucket ``stripMetadata``, ``trigram`` indexes and the moved relationship route;
no self-hosted release whose source could be read has them.
"""

from __future__ import annotations

import re

__all__ = ["BIGINT", "BUCKET_TRANSFORMATIONS", "CLOUD_API", "ENCRYPT", "INLINE_CREATE", "INLINE_TEXT_TYPES",
           "STRING_DEPRECATED", "TABLESDB", "Version", "at_least", "inline_types", "parse_version", "show"]

Version = tuple[int, int, int]

TABLESDB: Version = (1, 8, 0)
BUCKET_TRANSFORMATIONS: Version = (1, 8, 1)
INLINE_CREATE: Version = (1, 9, 0)
"""Create table with ``columns``/``indexes`` in the same request."""
ENCRYPT: Version = (1, 9, 0)
STRING_DEPRECATED: Version = (1, 9, 0)
"""``string`` columns: varchar and the text types replace them."""
BIGINT: Version = (1, 9, 5)
INLINE_TEXT_TYPES: Version = (2, 0, 0)
"""varchar, text, mediumtext and longtext inline (the server's main branch, commit 7130cb4)."""
CLOUD_API: Version = (2, 5, 0)
"""The API of Appwrite Cloud that the SDKs 25-27 speak (``X-Appwrite-Response-Format: 2.5.0``)."""

_CORE_INLINE = frozenset({"string", "email", "url", "ip", "enum", "integer", "float", "boolean", "datetime",
                          "point", "line", "polygon"})


def parse_version(text: str | None) -> Version:
    """``"1.9.6"`` -> ``(1, 9, 6)``; suffixes (``-rc.1``) ignored; unknown -> (0, 0, 0)."""
    numbers = [int(n) for n in re.findall(r"\d+", (text or "").split("-")[0])[:3]]
    padded = numbers + [0] * (3 - len(numbers))
    return padded[0], padded[1], padded[2]


def at_least(version: Version, feature: Version) -> bool:
    return version >= feature


def show(version: Version) -> str:
    return ".".join(map(str, version))


def inline_types(version: Version) -> frozenset[str]:
    """The manifest column types a create-table request of this server takes inline.

    1.9.x takes only the core types (an email/url/ip/enum column as a ``string`` with a ``format``),
    ``bigint`` from 1.9.5; the text types only from 2.0. Relationships never go inline.
    """
    if not at_least(version, INLINE_CREATE):
        return frozenset()
    out = set(_CORE_INLINE)
    if at_least(version, BIGINT):
        out.add("bigint")
    if at_least(version, INLINE_TEXT_TYPES):
        out |= {"varchar", "text", "mediumtext", "longtext"}
    return frozenset(out)
