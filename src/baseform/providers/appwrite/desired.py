"""The Appwrite section as desired resources: addresses, diff-shape values, sources and references.

Addresses: ``appwrite.databases.<db>[.tables.<t>[.columns.<key>|.indexes.<key>]]``,
``appwrite.buckets.<id>``, ``appwrite.teams.<id>``. A relationship column depends on its related
table; an index depends on the declared columns it names (so it is created after they are available).
"""

from __future__ import annotations

from baseform.engine.address import Address
from baseform.engine.resource import DesiredResource
from baseform.providers.appwrite import buckets, columns, databases, indexes, tables, teams
from baseform.providers.appwrite.calls import PROVIDER
from baseform.providers.appwrite.models import AppwriteSection, DatabaseSpec, TableSpec
from baseform.providers.base import Locator

__all__ = ["desired_resources"]


def desired_resources(section: AppwriteSection, locate: Locator) -> list[DesiredResource]:
    """Every declared resource in manifest order. Pure."""
    root = Address(PROVIDER)
    out: list[DesiredResource] = []
    for i, team in enumerate(section.teams):
        out.append(DesiredResource(root.child("teams", team.id), teams.desired_value(team),
                                   locate((PROVIDER, "teams", i)), protect=team.protect,
                                   renamed_from=team.renamedFrom))
    for i, db in enumerate(section.databases):
        out.extend(_database(root, i, db, locate))
    for i, bucket in enumerate(section.buckets):
        out.append(DesiredResource(root.child("buckets", bucket.id), buckets.desired_value(bucket),
                                   locate((PROVIDER, "buckets", i)), protect=bucket.protect,
                                   renamed_from=bucket.renamedFrom))
    return out


def _database(root: Address, i: int, db: DatabaseSpec, locate: Locator) -> list[DesiredResource]:
    address = root.child("databases", db.id)
    out = [DesiredResource(address, databases.desired_value(db), locate((PROVIDER, "databases", i)),
                           protect=db.protect, renamed_from=db.renamedFrom)]
    for j, table in enumerate(db.tables):
        out.extend(_table(address, (PROVIDER, "databases", i, "tables", j), table, locate))
    return out


def _table(db: Address, path: tuple[str | int, ...], table: TableSpec, locate: Locator) -> list[DesiredResource]:
    address = db.child("tables", table.id)
    out = [DesiredResource(address, tables.desired_value(table), locate(path), protect=table.protect,
                           renamed_from=table.renamedFrom)]
    for k, column in enumerate(table.columns):
        related = column.relatedTable if column.type == "relationship" else None
        depends = frozenset({db.child("tables", related)}) if related and related != table.id else frozenset()
        out.append(DesiredResource(address.child("columns", column.key), columns.desired_value(column, table.id),
                                   locate((*path, "columns", k)), depends, column.protect, column.renamedFrom))
    declared = {c.key for c in table.columns}
    for k, index in enumerate(table.indexes):
        depends = frozenset(address.child("columns", c) for c in index.columns or () if c in declared)
        out.append(DesiredResource(address.child("indexes", index.key), indexes.desired_value(index),
                                   locate((*path, "indexes", k)), depends, index.protect, index.renamedFrom))
    return out
