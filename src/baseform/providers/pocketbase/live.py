"""Reading a PocketBase server's collections into a LiveState (reads only, never writes).

Collections are listed through ``GET /api/collections`` (a database query) rather than fetched one
by one: the single-collection endpoint is served from an in-memory cache that can be stale after a
failed import. System collections and system fields are never diffed: system collections are kept
in ``LiveState.context`` (relations may point at them; an import that deletes every collection
sends one back), system fields are left out.

A relation field's value names its target collection as it will be named after the plan: a
collection the manifest renames (``renamedFrom``) is given its new name, so the rename does not
read as a change of every relation pointing at it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from baseform.engine.address import Address
from baseform.engine.resource import DesiredResource, LiveResource, LiveState
from baseform.http import Session
from baseform.providers.pocketbase.collections import (
    PROVIDER,
    SYSTEM_COLLECTIONS,
    collection_address,
    live_collection,
)
from baseform.providers.pocketbase.fields import live_field
from baseform.providers.pocketbase.indexes import builtin_column, parse_index

__all__ = ["list_collections", "pending_renames", "read_state", "state_from"]

_PAGE = 1000  # the server's maximum page size


async def list_collections(session: Session) -> list[dict[str, Any]]:
    """Every collection on the server, system ones included, in the server's order."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = await session.request("GET", "/api/collections", operation="read the collections",
                                     params={"page": str(page), "perPage": str(_PAGE), "skipTotal": "1"})
        batch = body.get("items", []) if isinstance(body, dict) else []
        items.extend(batch)
        if len(batch) < _PAGE:
            return items
        page += 1


def state_from(collections: list[dict[str, Any]], endpoint: str,
               renames: Mapping[str, str] | None = None) -> LiveState:
    """The LiveState of these collections (pure); ``renames`` maps a live collection name to the
    name it gets in the plan."""
    names = {str(raw.get("id")): (renames or {}).get(str(raw["name"]), str(raw["name"])) for raw in collections}
    resources: dict[Address, LiveResource] = {}
    systems: dict[str, Any] = {}
    for raw in collections:
        if raw.get("system"):
            systems[str(raw["name"])] = raw
            continue
        address = collection_address(str(raw["name"]))
        resources[address] = LiveResource(address, live_collection(raw), raw)
        if raw.get("type") == "view":
            continue  # generated from the query, ids regenerated on every save: never compared
        for f in raw.get("fields", []):
            if not f.get("system"):
                child = address.child("fields", str(f["name"]))
                resources[child] = LiveResource(child, live_field(f, names), f)
        for text in raw.get("indexes", []):
            index = parse_index(text)
            if index is not None:
                child = address.child("indexes", index.name)
                resources[child] = LiveResource(child, index.value, text,
                                                implicit=builtin_column(index, str(raw["type"])) is not None)
    return LiveState(PROVIDER, endpoint, None, resources, {SYSTEM_COLLECTIONS: systems})


def pending_renames(collections: list[dict[str, Any]], desired: Sequence[DesiredResource]) -> dict[str, str]:
    """Live collection name -> declared new name, for each ``renamedFrom`` not applied yet (the old
    name is on the server, the new one is not)."""
    live = {str(raw.get("name")) for raw in collections}
    return {d.renamed_from: d.address.name for d in desired
            if d.address.kind == "collections" and d.renamed_from in live and d.address.name not in live}


async def read_state(session: Session, desired: Sequence[DesiredResource] = ()) -> LiveState:
    """Read the server's live state with as few requests as possible (one per 1000 collections)."""
    collections = await list_collections(session)
    return state_from(collections, session.base_url, pending_renames(collections, desired))
