"""Reading an Appwrite project's live state with the fewest requests.

One version call, one paged list of databases, one paged list of tables per database (a table
carries its columns and indexes), one paged list of buckets and one of teams, all pages of
100 with cursor pagination; the lists of different databases and services run concurrently.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from baseform.engine.address import Address
from baseform.engine.resource import DesiredResource, LiveResource, LiveState
from baseform.errors import PlanError
from baseform.http import Session
from baseform.providers.appwrite import buckets, columns, databases, indexes, tables, teams
from baseform.providers.appwrite.calls import PROVIDER
from baseform.providers.appwrite.versions import TABLESDB, at_least, parse_version
from baseform.types import JSON, JSONObject

__all__ = ["PAGE_SIZE", "list_all", "read_state"]

PAGE_SIZE = 100
# database types the TablesDB routes serve (documentsdb/vectorsdb answer 404 there)
_TABLE_DATABASES = ("tablesdb", "legacy")
# table fields that change with its columns: kept out of the table's own digest
_TABLE_CHILD_FIELDS = ("columns", "attributes", "indexes", "bytesUsed", "bytesMax")


async def list_all(session: Session, path: str, items: str, *, count: bool = False,
                   cursor_field: str = "$id") -> list[JSONObject]:
    """Every item of a list endpoint, following ``cursorAfter`` until a short page."""
    out: list[JSONObject] = []
    cursor: str | None = None
    while True:
        queries: list[JSONObject] = [{"method": "limit", "values": [PAGE_SIZE]}]
        if cursor is not None:
            queries.append({"method": "cursorAfter", "values": [cursor]})
        params = [(f"queries[{i}]", json.dumps(q, separators=(",", ":"))) for i, q in enumerate(queries)]
        if not count:
            params.append(("total", "false"))  # skip the server's count (ignored before 1.9.0)
        page = (await session.request("GET", path, params=params, operation=f"list {path}"))[items]
        out.extend(page)
        if len(page) < PAGE_SIZE:
            return out
        cursor = str(page[-1][cursor_field])


async def read_state(session: Session, desired: Sequence[DesiredResource]) -> LiveState:
    """The live project. Raises PlanError for a server without TablesDB (before 1.8.0)."""
    version = str((await session.request("GET", "/health/version", operation="read the server version"))
                  ["version"])
    if not at_least(parse_version(version), TABLESDB):
        raise PlanError(f"Appwrite {version} has no TablesDB API; baseform needs server 1.8.0 or later",
                        address=PROVIDER)
    dbs, bucket_list, team_list = await asyncio.gather(
        list_all(session, "/tablesdb", "databases"), list_all(session, "/storage/buckets", "buckets"),
        list_all(session, "/teams", "teams"))
    dbs = [d for d in dbs if d.get("type", "tablesdb") in _TABLE_DATABASES]
    table_lists = await asyncio.gather(*(list_all(session, f"/tablesdb/{d['$id']}/tables", "tables")
                                         for d in dbs))
    resources: dict[Address, LiveResource] = {}

    def add(address: Address, value: JSONObject, raw: JSON, implicit: bool = False) -> None:
        resources[address] = LiveResource(address, value, raw, implicit)

    root = Address(PROVIDER)
    for db, table_list in zip(dbs, table_lists, strict=True):
        db_address = root.child("databases", db["$id"])
        add(db_address, databases.live_value(db), db)
        for table in table_list:
            t_address = db_address.child("tables", table["$id"])
            add(t_address, tables.live_value(table),
                {k: v for k, v in table.items() if k not in _TABLE_CHILD_FIELDS})
            for column in table.get("columns") or []:
                add(t_address.child("columns", column["key"]), columns.live_value(column), column,
                    implicit=columns.is_counterpart(column))
            for index in table.get("indexes") or []:
                add(t_address.child("indexes", index["key"]), indexes.live_value(index), index)
    for bucket in bucket_list:
        add(root.child("buckets", bucket["$id"]), buckets.live_value(bucket), bucket)
    for team in team_list:
        add(root.child("teams", team["$id"]), teams.live_value(team), team)
    _follow_renames(resources, desired)
    return LiveState(PROVIDER, session.base_url, version, resources)


def _follow_renames(resources: dict[Address, LiveResource], desired: Sequence[DesiredResource]) -> None:
    """Rewrite live index values as the server will after the manifest's column renames.

    Renaming a column rewrites the indexes that use it (reference §2.8), so an index naming the old
    key is not a change. Applied only where the rename will happen: old key live, new key not.
    """
    renames: dict[Address, dict[str, str]] = {}
    for d in desired:
        if d.address.kind != "columns" or not d.renamed_from or d.address in resources:
            continue
        table = d.address.parent
        assert table is not None
        if table.child("columns", d.renamed_from) in resources:
            renames.setdefault(table, {})[d.renamed_from] = d.address.name
    for address, res in list(resources.items()):
        mapping = renames.get(address.parent) if address.kind == "indexes" and address.parent else None
        if mapping:
            value = {**res.value, "columns": [mapping.get(c, c) for c in res.value["columns"]]}
            resources[address] = LiveResource(address, value, res.raw, res.implicit)
