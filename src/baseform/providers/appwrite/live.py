"""Reading an Appwrite project's live state with the fewest requests.

One version call, one paged list of databases, one paged list of tables per database (a table
carries its columns and indexes), one paged list of buckets and one of teams, in pages of 100.
Two round trips in all for a project whose lists fit in a page: the version and the top-level
lists go together, then the table lists of every database together. A longer list costs one more
round, not one per page (see :func:`list_all`).

The version comes from ``GET /v1/health/version``; where that route is not served (the SDKs dropped
it, and Appwrite Cloud may not answer it) the error's own body names the version, as every Appwrite
error body does. The storage engine is the configured one, else what the answers show
(:func:`~baseform.providers.appwrite.engines.detect`); it goes in the state's ``context``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from baseform.engine.address import Address
from baseform.engine.resource import DesiredResource, LiveResource, LiveState
from baseform.errors import ApiError, PlanError, ProviderError
from baseform.http import Session
from baseform.providers.appwrite import buckets, columns, databases, engines, indexes, tables, teams
from baseform.providers.appwrite.calls import PROVIDER
from baseform.providers.appwrite.versions import TABLESDB, at_least, parse_version
from baseform.types import JSON, JSONObject

__all__ = ["PAGE_SIZE", "TOTAL_CAP", "list_all", "read_state", "server_version"]

PAGE_SIZE = 100
TOTAL_CAP = 5000  # the server counts at most this many items (APP_LIMIT_COUNT)
# database types the TablesDB routes serve (documentsdb/vectorsdb answer 404 there)
_TABLE_DATABASES = ("tablesdb", "legacy")
# table fields that change with its columns: kept out of the table's own digest
_TABLE_CHILD_FIELDS = ("columns", "attributes", "indexes", "bytesUsed", "bytesMax")


def _params(queries: list[JSONObject], total: bool) -> list[tuple[str, str]]:
    params = [(f"queries[{i}]", json.dumps(q, separators=(",", ":"))) for i, q in enumerate(queries)]
    params.append(("total", "true" if total else "false"))  # false skips the server's count (1.9.0+)
    return params


async def _page(session: Session, path: str, items: str, queries: list[JSONObject], *,
                total: bool = False) -> tuple[list[JSONObject], int]:
    body = await session.request("GET", path, params=_params(queries, total), operation=f"list {path}")
    return body[items], int(body.get("total") or 0)


async def list_all(session: Session, path: str, items: str, *, cursor_field: str = "$id") -> list[JSONObject]:
    """Every item of a list endpoint.

    The first page asks for the total, and the pages it says remain are read together (by offset).
    Where the total cannot be trusted (the server caps it at 5000; 0 means it did not count), a full
    last page is followed by ``cursorAfter`` until a short page. Items seen twice (the list shifted
    between reads) are kept once.
    """
    limit: JSONObject = {"method": "limit", "values": [PAGE_SIZE]}
    first, total = await _page(session, path, items, [limit], total=True)
    pages = [first]
    if len(first) == PAGE_SIZE and total > PAGE_SIZE:
        pages += [p for p, _ in await asyncio.gather(*(
            _page(session, path, items, [limit, {"method": "offset", "values": [offset]}])
            for offset in range(PAGE_SIZE, total, PAGE_SIZE)))]
    seen = sum(map(len, pages))
    exact = 0 < total < TOTAL_CAP
    while len(pages[-1]) == PAGE_SIZE and not (exact and seen >= total):
        cursor = {"method": "cursorAfter", "values": [str(pages[-1][-1][cursor_field])]}
        pages.append((await _page(session, path, items, [limit, cursor]))[0])
        seen += len(pages[-1])
    out: dict[str, JSONObject] = {}
    for page in pages:
        for item in page:
            out.setdefault(str(item[cursor_field]), item)
    return list(out.values())


async def server_version(session: Session) -> str:
    """The server's version: ``/health/version``, else the ``version`` of the error it answered."""
    try:
        about = await session.request("GET", "/health/version", operation="read the server version")
    except ApiError as e:
        found = e.body.get("version") if isinstance(e.body, dict) else None
        if isinstance(found, str) and found:
            return found
        # a ProviderError caused by the server's answer, so the CLI can say what the URL answers like
        raise ProviderError(f"GET /v1/health/version answered {e.status} and the answer named no version; "
                            "is the endpoint an Appwrite API (.../v1)?",
                            operation="learn the Appwrite server's version") from e
    if not isinstance(about, dict) or not isinstance(about.get("version"), str):
        raise PlanError("cannot learn the Appwrite server's version: GET /v1/health/version answered no version",
                        address=PROVIDER)
    return str(about["version"])


async def read_state(session: Session, desired: Sequence[DesiredResource],
                     engine: str | None = None) -> LiveState:
    """The live project. Raises PlanError for a server without TablesDB (before 1.8.0).

    ``engine`` is the configured storage engine (None: learn it from the answers if they show it)."""
    # The version gates the TablesDB routes, but is read together with the lists: on a server
    # without TablesDB the version error is the one reported.
    answers = await asyncio.gather(
        server_version(session),
        list_all(session, "/tablesdb", "databases"), list_all(session, "/storage/buckets", "buckets"),
        list_all(session, "/teams", "teams"), return_exceptions=True)
    about = answers[0]
    if isinstance(about, BaseException):
        raise about
    version = str(about)
    if not at_least(parse_version(version), TABLESDB):
        raise PlanError(f"Appwrite {version} has no TablesDB API; baseform needs server 1.8.0 or later",
                        address=PROVIDER)
    lists: list[list[JSONObject]] = []
    for answer in answers[1:]:
        if isinstance(answer, BaseException):
            raise answer
        lists.append(answer)
    dbs, bucket_list, team_list = lists
    dbs = [d for d in dbs if d.get("type", "tablesdb") in _TABLE_DATABASES]
    root = Address(PROVIDER)
    # each database's answer becomes resources as soon as it arrives, while the server is still
    # writing the others' (on a large project both take a similar time)
    read = await asyncio.gather(*(_database(session, root, db) for db in dbs))
    resources: dict[Address, LiveResource] = {}
    for db_resources, _ in read:
        resources.update(db_resources)
    for bucket in bucket_list:
        _add(resources, root.child("buckets", bucket["$id"]), buckets.live_value(bucket), bucket)
    for team in team_list:
        _add(resources, root.child("teams", team["$id"]), teams.live_value(team), team)
    _follow_renames(resources, desired)
    shown = engines.detect(dbs, [t for _, table_list in read for t in table_list])
    return LiveState(PROVIDER, session.base_url, version, resources,
                     {"engine": engine, "engineShown": shown})


async def _database(session: Session, root: Address,
                    db: JSONObject) -> tuple[dict[Address, LiveResource], list[JSONObject]]:
    """One database with its tables, their columns and indexes (one paged list), and its table list."""
    table_list = await list_all(session, f"/tablesdb/{db['$id']}/tables", "tables")
    resources: dict[Address, LiveResource] = {}
    db_address = root.child("databases", db["$id"])
    _add(resources, db_address, databases.live_value(db), db)
    for table in table_list:
        t_address = db_address.child("tables", table["$id"])
        _add(resources, t_address, tables.live_value(table),
             {k: v for k, v in table.items() if k not in _TABLE_CHILD_FIELDS})
        # what baseform does not know (a newer server's column or index types) is implicit: never
        # planned for deletion, left out of exports
        for column in table.get("columns") or []:
            value = columns.live_value(column)
            # the diff shape names a type baseform does not know as the server does (columns.is_known)
            _add(resources, t_address.child("columns", column["key"]), value, column,
                 implicit=columns.is_counterpart(column) or value["type"] not in columns.TYPES)
        for index in table.get("indexes") or []:
            _add(resources, t_address.child("indexes", index["key"]), indexes.live_value(index), index,
                 implicit=not indexes.is_known(index))
    return resources, table_list


def _add(resources: dict[Address, LiveResource], address: Address, value: JSONObject, raw: JSON,
         implicit: bool = False) -> None:
    resources[address] = LiveResource(address, value, raw, implicit)


def _follow_renames(resources: dict[Address, LiveResource], desired: Sequence[DesiredResource]) -> None:
    """Rewrite live index values as the server will after the manifest's column renames.

    Renaming a column rewrites the indexes that use it (the emulator's FIDELITY.md [column-params]), so
    an index naming the old key is not a change. Applied only where the rename will happen: old key
    live, new key not.
    """
    renames: dict[Address, dict[str, str]] = {}
    for d in desired:
        if not d.renamed_from or d.address.kind != "columns" or d.address in resources:
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
