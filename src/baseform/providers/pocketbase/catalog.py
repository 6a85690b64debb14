"""Which collections and fields exist: what rules and view queries are checked against. Pure.

Built from the declared resources alone at validate time (``complete=False``: a collection the
manifest does not declare may still be on the server, so nothing about it is judged) and from the
declared resources plus the live server at plan time (``complete=True``). A declared collection's
fields are its declared fields plus the system fields PocketBase gives its type; a view's fields
come from its query and are unknown (``fields=None``), so nothing about them is judged either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from baseform.engine.resource import DesiredResource, LiveState
from baseform.providers.pocketbase.collections import system_collections
from baseform.providers.pocketbase.fields import SYSTEM_FIELD_TYPES

__all__ = ["Catalog", "CollectionShape", "FieldShape", "catalog_of"]

@dataclass(frozen=True, slots=True)
class FieldShape:
    """What a rule or query can do with a field: its type, a relation's target, multiple values."""

    type: str
    target: str | None = None
    multiple: bool = False


@dataclass(frozen=True, slots=True)
class CollectionShape:
    name: str
    type: str
    fields: Mapping[str, FieldShape] | None
    """Field name -> shape (names are case-sensitive, as on the server); None when unknown (views)."""
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Catalog:
    collections: Sequence[CollectionShape] = ()
    complete: bool = False
    """True when a collection not listed does not exist (plan time)."""
    _index: dict[str, CollectionShape] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for shape in self.collections:
            if shape.id:
                self._index.setdefault(shape.id, shape)
            self._index.setdefault(shape.name.lower(), shape)

    def find(self, name_or_id: str) -> CollectionShape | None:
        """The collection with this id or (case-insensitive) name, as the server looks it up."""
        return self._index.get(name_or_id) or self._index.get(name_or_id.lower())


def _shape(kind: str, raw: Mapping[str, Any], target: str | None) -> FieldShape:
    max_select = raw.get("maxSelect")
    return FieldShape(kind, target, isinstance(max_select, (int, float)) and max_select > 1)


def _declared(desired: Sequence[DesiredResource]) -> list[CollectionShape]:
    fields: dict[str, dict[str, FieldShape]] = {}
    for d in desired:
        if d.address.kind == "fields" and d.address.parent is not None:
            target = d.value.get("collection")
            fields.setdefault(d.address.parent.name, {})[d.address.name] = _shape(
                str(d.value.get("type")), d.value, str(target) if target is not None else None)
    out = []
    for d in desired:
        if d.address.kind == "collections":
            kind = str(d.value.get("type"))
            known = None if kind == "view" else {**{n: FieldShape(t) for n, t in SYSTEM_FIELD_TYPES[kind].items()},
                                                **fields.get(d.address.name, {})}
            out.append(CollectionShape(d.address.name, kind, known))
    return out


def _live(raws: Iterable[Mapping[str, Any]]) -> list[CollectionShape]:
    out = []
    for raw in raws:
        kind = str(raw.get("type"))
        known = None
        if kind != "view":
            known = {str(f.get("name")): _shape(str(f.get("type")), f, f.get("collectionId"))
                     for f in raw.get("fields") or [] if isinstance(f, dict)}
        out.append(CollectionShape(str(raw.get("name")), kind, known, str(raw.get("id"))))
    return out


def catalog_of(desired: Sequence[DesiredResource], live: LiveState | None = None,
               planned_ids: Mapping[str, str] | None = None) -> Catalog:
    """The collections after the apply: the declared ones (with ``planned_ids``), then, when
    ``live`` is given, the live ones the manifest does not declare (nor rename away)."""
    declared = _declared(desired)
    if planned_ids:
        declared = [CollectionShape(c.name, c.type, c.fields, planned_ids.get(c.name)) for c in declared]
    if live is None:
        return Catalog(tuple(declared))
    gone = {c.name.lower() for c in declared} | {d.renamed_from.lower() for d in desired
                                                   if d.address.kind == "collections" and d.renamed_from}
    raws = [r.raw for a, r in live.resources.items() if a.kind == "collections" and a.name.lower() not in gone]
    raws += list(system_collections(live).values())
    return Catalog(tuple(declared + _live(r for r in raws if isinstance(r, dict))), complete=True)
