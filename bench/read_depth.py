"""How many dependent round trips reading each backend's live state needs at least (its API's depth).

Requests that need nothing from each other are one round (an ideal client sends them together);
list pages after the first can be fetched together once the first page gives the total (offset
pagination), so a long list costs two rounds, not one per page. Pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from types import MappingProxyType

from baseform.engine.resource import LiveState

__all__ = ["READ_ROUNDS"]


def _appwrite(live: LiveState) -> int:
    # round 1: version, databases, buckets and teams lists; round 2: each database's tables;
    # round 3: further pages of a database with more than one page (100) of tables
    per_db = Counter(a.parent for a in live.resources if a.kind == "tables")
    if not any(a.kind == "databases" for a in live.resources):
        return 1
    return 2 + (1 if per_db and max(per_db.values()) > 100 else 0)


def _pocketbase(live: LiveState) -> int:
    # the collections list, 1000 a page (the superuser login before it belongs to connecting)
    collections = sum(1 for a in live.resources if a.kind == "collections")
    return 1 + (1 if collections > 1000 else 0)


def _weaviate(live: LiveState) -> int:
    # meta and schema need nothing from each other; tenant lists of declared classes neither
    return 1


READ_ROUNDS: MappingProxyType[str, Callable[[LiveState], int]] = MappingProxyType(
    {"appwrite": _appwrite, "pocketbase": _pocketbase, "weaviate": _weaviate})
"""backend -> the minimum number of dependent request rounds to read ``live``."""
