"""Appwrite: N tables spread over 5 databases, 20 columns and 2 indexes each, 20 buckets, 10 teams.

Each table has 19 scalar columns of the common types and one one-way ``manyToOne`` relationship to
the next table of its database (relationships cannot be created inline, so every apply from empty
also exercises the column readiness wait). A changed table gets a new name, a new ``varchar`` column
and a key index on it (column, wait, index, wait: the longest chain of a change).
"""

from __future__ import annotations

from bench.manifests.changes import is_changed

__all__ = ["DATABASES", "generate", "generate_legacy"]

DATABASES = 5
BUCKETS = 20
TEAMS = 10

_SCALARS = (
    "{key: %s, type: varchar, size: 255, required: true}",
    "{key: %s, type: varchar, size: 64}",
    "{key: %s, type: text}",
    "{key: %s, type: integer, min: 0, max: 1000000}",
    "{key: %s, type: float, min: 0, max: 5}",
    "{key: %s, type: boolean, default: false}",
    "{key: %s, type: datetime}",
    "{key: %s, type: email}",
    "{key: %s, type: url}",
    "{key: %s, type: enum, elements: [draft, review, published], default: draft}",
)


def _legacy(column: str) -> str:
    """The column as a 1.8 server takes it: ``varchar``/``text`` did not exist yet, ``string`` did."""
    return column.replace("type: varchar", "type: string").replace("type: text}", "type: string, size: 65535}")


def _table(db_tables: list[int], position: int, changed: bool, legacy: bool) -> list[str]:
    t = db_tables[position]
    target = db_tables[(position + 1) % len(db_tables)]
    name = f"Table {t}" + (" v2" if changed else "")
    lines = [f"        - id: t{t:04d}", f"          name: {name}",
             "          permissions: {read: [any], write: ['team:team00']}", "          columns:"]
    for c in range(19):
        column = _SCALARS[c % len(_SCALARS)] % f"c{c:02d}"
        lines.append("            - " + (_legacy(column) if legacy else column))
    lines.append(f"            - {{key: parent, type: relationship, relatedTable: t{target:04d}, "
                 "relationType: manyToOne, onDelete: setNull}")
    if changed:
        lines.append("            - " + ((_legacy if legacy else str)("{key: extra, type: varchar, size: 64}")))
    lines += ["          indexes:",
              "            - {key: by_c00, type: key, columns: [c00], orders: [ASC]}",
              "            - {key: by_c03, type: key, columns: [c03, c06]}"]
    if changed:
        lines.append("            - {key: by_extra, type: key, columns: [extra]}")
    return lines


def generate(tables: int, changed: float = 0.0, *, legacy: bool = False) -> str:
    """The manifest text for ``tables`` tables; ``changed`` as in :mod:`bench.manifests`; ``legacy``: the
    text columns as ``string`` (for servers before 1.9)."""
    lines = ["version: 1", "providers:", "  appwrite: {}", "appwrite:", "  teams:"]
    lines += [f"    - {{id: team{t:02d}, name: Team {t}}}" for t in range(TEAMS)]
    lines.append("  buckets:")
    lines += [f"    - {{id: bucket{b:02d}, name: Bucket {b}, maximumFileSize: 5000000, "
              f"allowedFileExtensions: [png, jpg], permissions: ['read(\"any\")']}}" for b in range(BUCKETS)]
    lines.append("  databases:")
    for d in range(DATABASES):
        db_tables = list(range(d, tables, DATABASES))
        lines += [f"    - id: db{d}", f"      name: Database {d}", "      tables:" if db_tables else "      tables: []"]
        for position, t in enumerate(db_tables):
            lines += _table(db_tables, position, is_changed(t, changed), legacy)
    return "\n".join(lines) + "\n"


def generate_legacy(tables: int, changed: float = 0.0) -> str:
    """:func:`generate` for a 1.8 server (``string`` columns where 1.9 has ``varchar``/``text``)."""
    return generate(tables, changed, legacy=True)
