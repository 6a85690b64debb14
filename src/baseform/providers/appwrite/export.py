"""Live state -> a minimal ``appwrite:`` section (defaults left out, stable order). Pure.

Everything is sorted by id or key. Columns and indexes are sorted too, although the server lists
them in creation order: that order depends on how an apply scheduled its calls (columns that
cannot travel inline with their table are created by parallel calls; servers before 1.9 create
every column on its own), so a server rebuilt from an export would list them differently and
re-exporting would not give the same file. Counterpart columns of two-way relationships are left
out: their relationship creates them.
"""

from __future__ import annotations

from baseform.engine.address import Address
from baseform.engine.resource import LiveResource, LiveState
from baseform.providers.appwrite import buckets, columns, databases, indexes, tables, teams
from baseform.types import JSONObject

__all__ = ["export_section"]


def _children(live: LiveState, parent: Address, kind: str) -> list[LiveResource]:
    return sorted((r for a, r in live.resources.items() if a.parent == parent and a.kind == kind and not r.implicit),
                  key=lambda r: r.address.name)


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
    """The ``appwrite`` section describing ``live`` (empty lists left out)."""
    section: JSONObject = {}
    team_list = [teams.export_entry(r.address, r.value) for r in _top(live, "teams")]
    db_list = []
    for db in _top(live, "databases"):
        entry = databases.export_entry(db.address, db.value)
        table_list = _children(live, db.address, "tables")
        if table_list:
            entry["tables"] = [_table(live, t) for t in table_list]
        db_list.append(entry)
    bucket_list = [buckets.export_entry(r.address, r.value) for r in _top(live, "buckets")]
    for key, items in (("teams", team_list), ("databases", db_list), ("buckets", bucket_list)):
        if items:
            section[key] = items
    return section
