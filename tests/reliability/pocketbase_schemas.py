"""Random PocketBase manifests for the convergence property, and their data.

Names come from small pools so that B overlaps A in every way that matters: collections kept,
changed, renamed (``renamedFrom``), dropped and added; fields kept, changed (including their type),
renamed, dropped and added; relations (also to the collection itself), indexes (unique too), rules.
Every collection gets one record with a value in every field. Some fields of A carry an explicit
``id``; a field of B that keeps it may be renamed by that id alone (no ``renamedFrom``), as an
export of a field renamed in the dashboard has it. PocketBase keeps a field's data when the field
keeps its id: same name, ``renamedFrom`` or field id, same type and relation target; the property
checks the stronger, simpler promise that a field declared identically in A and B keeps its values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import httpx
from hypothesis import strategies as st

from tests.reliability.convergence import Container, Expected, Section

__all__ = ["PocketBaseSchemas", "pairs"]

COLLECTIONS = ("posts", "tags", "notes", "items", "links")
FIELDS = ("title", "body", "total", "flag", "mail", "site", "day", "kind", "meta", "ref", "extra", "other")
TYPES = ("text", "editor", "number", "bool", "email", "url", "date", "select", "json", "relation")
INDEXABLE = frozenset({"text", "number", "bool", "email", "url", "date", "select"})
RULES = (None, "", "@request.auth.id != ''")


def value(kind: str, name: str) -> Any:
    """The seeded value of field ``name`` of type ``kind``: valid under every option the strategies
    draw (lengths, ranges, select values), and different per field name, so a value that moved to
    another field is noticed."""
    n = FIELDS.index(name) if name in FIELDS else len(FIELDS)
    return {"text": f"{name}-text", "editor": f"<p>{name}</p>", "number": 10 + n, "bool": True,
            "email": f"{name}@example.com", "url": f"https://example.com/{name}",
            "date": f"2024-05-{n + 1:02d} 07:08:09.000Z", "select": "ab"[n % 2], "json": {"k": name}}[kind]


SYSTEM_FIELDS = frozenset({"id"})


def record_id(collection: str) -> str:
    """The seeded record's id in ``collection`` (15 characters of [a-z0-9], distinct per collection)."""
    return hashlib.sha1(collection.encode()).hexdigest()[:15]


@st.composite
def _field(draw: st.DrawFn, name: str, targets: list[str]) -> dict[str, Any]:
    kind = draw(st.sampled_from([t for t in TYPES if t != "relation" or targets]))
    out: dict[str, Any] = {"name": name, "type": kind}
    if kind == "relation":
        out.update(collection=draw(st.sampled_from(targets)), maxSelect=1,
                   cascadeDelete=draw(st.booleans()))
        return out  # never required: relations are filled in after every record exists
    if draw(st.integers(0, 3)) == 0:
        out["required"] = True
    if draw(st.integers(0, 5)) == 0:
        out["hidden"] = True
    if kind == "text":
        out["max"] = draw(st.sampled_from([0, 50, 200]))
    elif kind == "number":
        out.update(min=draw(st.sampled_from([None, 0])), onlyInt=draw(st.booleans()))
    elif kind == "select":
        out.update(values=draw(st.sampled_from([["a", "b"], ["a", "b", "c"]])), maxSelect=1)
    elif kind == "json":
        out["maxSize"] = draw(st.sampled_from([0, 2000]))
    return {k: v for k, v in out.items() if v is not None}


@st.composite
def _collection(draw: st.DrawFn, name: str, targets: list[str], fields: list[dict[str, Any]]) -> dict[str, Any]:
    """A collection with ``fields`` plus indexes and rules drawn here."""
    out: dict[str, Any] = {"name": name, "listRule": draw(st.sampled_from(RULES)), "fields": fields}
    indexable = [f["name"] for f in fields if f["type"] in INDEXABLE]
    chosen = draw(st.lists(st.sampled_from(indexable), unique=True, max_size=2)) if indexable else []
    out["indexes"] = [f"CREATE {'UNIQUE ' if draw(st.booleans()) else ''}INDEX idx_{name}_{f} ON {name} ({f})"
                      for f in chosen]
    return out


def _same(field: dict[str, Any], new_name: str, targets: Mapping[str, str]) -> dict[str, Any] | None:
    """``field`` under ``new_name`` with its relation target renamed per ``targets`` (None: target gone)."""
    out = {**field, "name": new_name}
    if field["type"] == "relation":
        if field["collection"] not in targets:
            return None
        out["collection"] = targets[field["collection"]]
    return out


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Section, Section]:
    """(A, B): two ``pocketbase`` sections over overlapping names."""
    a_names = draw(st.lists(st.sampled_from(COLLECTIONS), min_size=1, max_size=3, unique=True))
    a_cols = []
    for name in a_names:
        names = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=5, unique=True))
        fields = [draw(_field(n, a_names)) for n in names]
        for f in fields:
            if draw(st.integers(0, 2)) == 0:
                f["id"] = f"f_{f['name']}"  # an explicit id (as exports of older servers have)
        a_cols.append(draw(_collection(name, a_names, fields)))

    # collection fates first: B's names of kept collections are needed for relation targets
    renamed: dict[str, str] = {}  # A name -> B name, for every collection that stays
    taken = set(a_names)
    for name in a_names:
        fate = draw(st.sampled_from(["keep", "keep", "rename", "drop"]))
        free = [n for n in COLLECTIONS if n not in taken]
        if fate == "rename" and free:
            renamed[name] = draw(st.sampled_from(free))
            taken.add(renamed[name])
        elif fate != "drop":
            renamed[name] = name
    added = draw(st.lists(st.sampled_from([n for n in COLLECTIONS if n not in taken] or ["unused"]),
                          max_size=1, unique=True))
    added = [n for n in added if n != "unused"]
    b_names = [renamed[n] for n in a_names if n in renamed] + added
    if not b_names:
        b_names = added = [draw(st.sampled_from([n for n in COLLECTIONS if n not in a_names]))]

    b_cols = []
    for col in a_cols:
        if col["name"] not in renamed:
            continue
        new_name = renamed[col["name"]]
        fields: list[dict[str, Any]] = []
        fates = [draw(st.sampled_from(["same", "same", "same", "change", "rename", "rename", "drop"]))
                 for _ in col["fields"]]
        # a rename takes a name that was never live, or the name of a field renamed away after it in
        # this list: chains of renames, applied together by one import, but never a cycle (a swap is
        # refused by the planner) and never the name of a field that stays or is dropped (refused too)
        used = {f["name"] for f in col["fields"]}
        later_renamed = [[g["name"] for g, fate in list(zip(col["fields"], fates, strict=True))[i + 1:]
                          if fate == "rename"] for i in range(len(col["fields"]))]
        taken: set[str] = set()
        for i, (f, fate) in enumerate(zip(col["fields"], fates, strict=True)):
            if fate == "same":
                kept = _same(f, f["name"], renamed)
                fields.append(kept if kept is not None else draw(_field(f["name"], b_names)))
            elif fate == "change":
                fields.append(draw(_field(f["name"], b_names)))
            elif fate == "rename":
                chain = [n for n in later_renamed[i] if n not in taken]
                free = [n for n in FIELDS if n not in used | taken]
                if chain and (not free or draw(st.booleans())):
                    free = chain
                if not free:
                    continue
                to = draw(st.sampled_from(free))
                taken.add(to)
                moved = _same(f, to, renamed) if draw(st.booleans()) else None
                if moved is not None and "id" in moved and draw(st.booleans()):
                    fields.append(moved)  # renamed by its id alone
                else:
                    fields.append({**(moved or draw(_field(to, b_names))), "renamedFrom": f["name"]})
        used |= taken
        for n in draw(st.lists(st.sampled_from([n for n in FIELDS if n not in used] or ["unused"]),
                               max_size=2, unique=True)):
            if n != "unused":
                fields.append(draw(_field(n, b_names)))
        if not fields:
            fields.append(draw(_field("extra2" if "extra" in used else "extra", b_names)))
        out = draw(_collection(new_name, b_names, fields))
        if new_name != col["name"]:
            out["renamedFrom"] = col["name"]
        b_cols.append(out)
    for name in added:
        names = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4, unique=True))
        b_cols.append(draw(_collection(name, b_names, [draw(_field(n, b_names)) for n in names])))

    a: Section = {"prune": draw(st.booleans()), "collections": a_cols}
    b: Section = {"prune": draw(st.booleans()), "collections": b_cols}
    return a, b


def _definition(field: Mapping[str, Any], origin_of: Mapping[str, str]) -> dict[str, Any]:
    """What identifies a field's definition across A and B: everything but its name, with relation
    targets given by their A names."""
    out = {k: v for k, v in field.items() if k not in ("name", "renamedFrom", "id")}
    if "collection" in out:
        out["collection"] = origin_of.get(out["collection"], "new:" + out["collection"])
    return out


class PocketBaseSchemas:
    """The property's PocketBase side, reading and writing through ``http`` (a superuser client)."""

    provider = "pocketbase"

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def _ok(self, response: httpx.Response) -> Any:
        assert not response.is_error, f"{response.request.method} {response.request.url}: {response.text}"
        return response.json() if response.content else None

    def seed(self, section: Section) -> None:
        collections = section["collections"]
        for col in collections:
            body: dict[str, Any] = {"id": record_id(col["name"])}
            body.update({f["name"]: value(f["type"], f["name"]) for f in col["fields"] if f["type"] != "relation"})
            self._ok(self.http.post(f"/api/collections/{col['name']}/records", json=body))
        for col in collections:
            links = {f["name"]: record_id(f["collection"]) for f in col["fields"] if f["type"] == "relation"}
            if links:
                self._ok(self.http.patch(f"/api/collections/{col['name']}/records/{record_id(col['name'])}",
                                         json=links))

    def read(self) -> dict[str, Container]:
        out = {}
        listing = self._ok(self.http.get("/api/collections", params={"perPage": 500}))
        for col in listing["items"]:
            if col["system"]:
                continue
            fields = frozenset(f["name"] for f in col["fields"] if not f.get("system"))
            records = self._ok(self.http.get(f"/api/collections/{col['name']}/records",
                                             params={"perPage": 500}))["items"]
            out[col["name"]] = Container(fields, {r["id"]: {k: r.get(k) for k in fields} for r in records})
        return out

    def expect(self, a: Section, b: Section, before: Mapping[str, Container]) -> dict[str, Expected]:
        a_by_name = {c["name"]: c for c in a["collections"]}
        origin_of = {}  # B name -> A name, for collections that stay
        for col in b["collections"]:
            origin = col.get("renamedFrom", col["name"])
            if origin in a_by_name:
                origin_of[col["name"]] = origin
        a_origin_of = {n: n for n in a_by_name}
        out: dict[str, Expected] = {}
        if not b["prune"]:
            for name, container in before.items():
                if name not in origin_of.values() and name not in {c["name"] for c in b["collections"]}:
                    out[name] = Expected.untouched(container)
        for col in b["collections"]:
            fields = frozenset(f["name"] for f in col["fields"])
            origin = origin_of.get(col["name"])
            if origin is None:
                out[col["name"]] = Expected(fields)
                continue
            a_fields = {f["name"]: f for f in a_by_name[origin]["fields"]}
            a_ids = {f["id"]: f for f in a_by_name[origin]["fields"] if "id" in f}
            rows = before[origin].rows
            kept: dict[str, str] = {}  # B field -> A field whose values it keeps
            for f in col["fields"]:
                old = a_ids.get(f.get("id", "")) or a_fields.get(f.get("renamedFrom", f["name"]))
                if old is not None and _definition(old, a_origin_of) == _definition(f, origin_of):
                    kept[f["name"]] = old["name"]
            out[col["name"]] = Expected(fields, {rid: {new: values[old] for new, old in kept.items()}
                                                 for rid, values in rows.items()})
        return out
