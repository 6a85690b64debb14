"""Random Weaviate manifests for the convergence property, and their data.

Names come from small pools so that B overlaps A: classes kept, changed, dropped and added;
properties of several types (text with its tokenization, numbers, dates, arrays) and
cross-references (also cycles and self-references) kept, changed, dropped and added; mutable
settings (description, ``ef``, BM25) and an immutable one (``distance``). Weaviate cannot change or
delete a property, so a class keeps its objects exactly when B only adds properties and changes
mutable settings; otherwise it is dropped and recreated empty. Every class gets one object with a
value in every property but references.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import httpx
from hypothesis import strategies as st

from tests.reliability.convergence import Container, Expected, Section

__all__ = ["WeaviateSchemas", "pairs"]

CLASSES = ("Article", "Author", "Note")
PROPERTIES = ("title", "body", "views", "score", "done", "published", "tags", "link", "extra")
TYPES = ("text", "int", "number", "boolean", "date", "text[]", "int[]", "ref")
PRIMITIVES = frozenset(TYPES) - {"ref"}


def value(kind: str, name: str) -> Any:
    """The seeded value of property ``name`` of type ``kind``, different per name (a moved value is noticed)."""
    n = PROPERTIES.index(name) if name in PROPERTIES else len(PROPERTIES)
    return {"text": f"{name}-text", "int": 10 + n, "number": n + 0.5, "boolean": True,
            "date": f"2024-05-{n + 1:02d}T07:08:09Z", "text[]": [name, "x"], "int[]": [n, 1]}[kind]


def object_id(class_name: str) -> str:
    """The seeded object's id in ``class_name`` (distinct per class)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"baseform-test/{class_name}"))


@st.composite
def _property(draw: st.DrawFn, name: str, classes: list[str]) -> dict[str, Any]:
    kind = draw(st.sampled_from(TYPES))
    if kind == "ref":
        return {"name": name, "dataType": [draw(st.sampled_from(classes))]}
    out: dict[str, Any] = {"name": name, "dataType": [kind]}
    if kind == "text":
        out["tokenization"] = draw(st.sampled_from(["word", "field"]))
    if kind in ("int", "number") and draw(st.booleans()):
        out["indexRangeFilters"] = True
    return out


@st.composite
def _class(draw: st.DrawFn, name: str, properties: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"class": name}
    description = draw(st.sampled_from([None, "First", "Second"]))
    if description:
        out["description"] = description
    out["vectorIndexConfig"] = {"distance": draw(st.sampled_from(["cosine", "cosine", "dot"])),
                                "ef": draw(st.sampled_from([64, 128]))}
    b = draw(st.sampled_from([None, 0.7, 0.8]))
    if b is not None:
        out["invertedIndexConfig"] = {"bm25": {"b": b}}
    out["properties"] = properties
    return out


@st.composite
def _properties(draw: st.DrawFn, classes: list[str]) -> list[dict[str, Any]]:
    names = draw(st.lists(st.sampled_from(PROPERTIES), min_size=1, max_size=4, unique=True))
    return [draw(_property(n, classes)) for n in names]


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Section, Section]:
    """(A, B): two ``weaviate`` sections over overlapping names."""
    a_names = draw(st.lists(st.sampled_from(CLASSES), min_size=1, max_size=3, unique=True))
    a_classes = [draw(_class(n, draw(_properties(a_names)))) for n in a_names]
    kept = [c for c in a_classes if draw(st.integers(0, 4)) > 0]
    added = [n for n in draw(st.lists(st.sampled_from(CLASSES), max_size=1)) if n not in a_names]
    b_names = [c["class"] for c in kept] + added
    b_classes = []
    for c in kept:
        props = []
        for p in c["properties"]:
            gone = p["dataType"][0] in CLASSES and p["dataType"][0] not in b_names
            # mostly kept as is: a change or a removal recreates the whole class
            fate = draw(st.sampled_from(["same"] * 6 + ["change", "drop"]))
            if fate == "same" and not gone:
                props.append(p)
            elif fate == "change":
                props.append(draw(_property(p["name"], b_names)))
        used = {p["name"] for p in c["properties"]}
        for n in draw(st.lists(st.sampled_from([n for n in PROPERTIES if n not in used] or ["extra"]),
                               max_size=2, unique=True)):
            if n not in used:
                props.append(draw(_property(n, b_names)))
        b_classes.append(draw(_class(c["class"], props or [draw(_property("extra", b_names))])))
    for n in added:
        b_classes.append(draw(_class(n, draw(_properties(b_names)))))
    return ({"prune": draw(st.booleans()), "classes": a_classes},
            {"prune": draw(st.booleans()), "classes": b_classes})


def _keeps_objects(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether B can change class ``a`` in place: only properties added, only mutable settings changed."""
    b_props = {p["name"]: p for p in b["properties"]}
    return (a["vectorIndexConfig"]["distance"] == b["vectorIndexConfig"]["distance"]
            and all(b_props.get(p["name"]) == p for p in a["properties"]))


class WeaviateSchemas:
    """The property's Weaviate side, reading and writing through ``http`` (a client for the server root)."""

    provider = "weaviate"

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def _ok(self, response: httpx.Response) -> Any:
        assert not response.is_error, f"{response.request.method} {response.request.url}: {response.text}"
        return response.json() if response.content else None

    def seed(self, section: Section) -> None:
        for c in section["classes"]:
            values = {p["name"]: value(p["dataType"][0], p["name"]) for p in c["properties"]
                      if p["dataType"][0] in PRIMITIVES}
            self._ok(self.http.post("/v1/objects", json={"class": c["class"], "id": object_id(c["class"]),
                                                         "properties": values}))

    def read(self) -> dict[str, Container]:
        out = {}
        for c in self._ok(self.http.get("/v1/schema"))["classes"]:
            names = frozenset(p["name"] for p in c.get("properties") or [])
            objects = self._ok(self.http.get("/v1/objects", params={"class": c["class"], "limit": 100}))["objects"]
            out[c["class"]] = Container(names, {o["id"]: {k: o["properties"].get(k) for k in names}
                                                for o in objects})
        return out

    def expect(self, a: Section, b: Section, before: Mapping[str, Container]) -> dict[str, Expected]:
        a_classes = {c["class"]: c for c in a["classes"]}
        declared = {c["class"] for c in b["classes"]}
        out = {name: Expected.untouched(c) for name, c in before.items()
               if not b["prune"] and name not in declared}
        for c in b["classes"]:
            names = frozenset(p["name"] for p in c["properties"])
            old = a_classes.get(c["class"])
            if old is None or not _keeps_objects(old, c):
                out[c["class"]] = Expected(names)
                continue
            common = {p["name"] for p in old["properties"]}
            out[c["class"]] = Expected(names, {oid: {k: v for k, v in values.items() if k in common}
                                               for oid, values in before[c["class"]].rows.items()})
        return out
