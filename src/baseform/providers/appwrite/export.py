"""Live state -> a minimal ``appwrite:`` section (defaults left out, stable order). Pure.

Top-level resources and tables are sorted by id; columns and indexes keep the server's order
(creation order). Counterpart columns of two-way relationships are left out: their relationship
creates them.
"""

from __future__ import annotations

from baseform.engine.address import Address
from baseform.engine.resource import LiveResource, LiveState
from baseform.providers.appwrite import buckets, columns, databases, indexes, tables, teams
from baseform.types import JSONObject

__all__ = ["export_section"]


def _children(live: LiveState, parent: Address, kind: str) -> list[LiveResource]:
    return [r for a, r in live.resources.items() if a.parent == parent and a.kind == kind and not r.implicit]


def _top(live: LiveState, kind: str) -> list[LiveResource]:
    return sorted((r for a, r in live.resources.items() if a.depth == 1 and a.kind == kind),
                  key=lambda r: r.address.name)


def _table(live: LiveState, res: LiveResource) -> JSONObject:
    out = tables.export_entry(res.address, res.value)
    cols = [columns.export_entry(r.value, res.address.name) for r in _children(live, res.address, "columns")]
    idxs = [indexes.export_entry(r.address, r.value) for r in _children(live, res.address, "indexes")]
    if cols:
        out["columns"] = cols
    if idxs:
        out["indexes"] = idxs
    return out


def export_section(live: LiveState) -> JSONObject:
    section: JSONObject = {}
    team_list = [teams.export_entry(r.address, r.value) for r in _top(live, "teams")]
    db_list = []
    for db in _top(live, "databases"):
        entry = databases.export_entry(db.address, db.value)
        table_list = sorted(_children(live, db.address, "tables"), key=lambda r: r.address.name)
        if table_list:
            entry["tables"] = [_table(live, t) for t in table_list]
        db_list.append(entry)
    bucket_list = [buckets.export_entry(r.address, r.value) for r in _top(live, "buckets")]
    for key, items in (("teams", team_list), ("databases", db_list), ("buckets", bucket_list)):
        if items:
            section[key] = items
    return section
