"""Server versions and the features that depend on them (reference §0, §1.1)."""

from __future__ import annotations

import re

__all__ = ["ENCRYPT", "INLINE_CREATE", "STRING_DEPRECATED", "TABLESDB", "Version", "at_least", "parse_version", "show"]

Version = tuple[int, int, int]

TABLESDB: Version = (1, 8, 0)
INLINE_CREATE: Version = (1, 9, 0)
"""Create table with ``columns``/``indexes`` in the same request."""
ENCRYPT: Version = (1, 9, 0)
STRING_DEPRECATED: Version = (1, 9, 0)
"""``string`` columns: varchar and the text types replace them."""


def parse_version(text: str | None) -> Version:
    """``"1.9.6"`` -> ``(1, 9, 6)``; suffixes (``-rc.1``) ignored; unknown -> (0, 0, 0)."""
    numbers = [int(n) for n in re.findall(r"\d+", (text or "").split("-")[0])[:3]]
    padded = numbers + [0] * (3 - len(numbers))
    return padded[0], padded[1], padded[2]


def at_least(version: Version, feature: Version) -> bool:
    return version >= feature


def show(version: Version) -> str:
    return ".".join(map(str, version))
