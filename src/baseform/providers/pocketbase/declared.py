"""From the ``pocketbase`` section to desired resources, and the checks pydantic cannot make. Pure.

Collections are ``pocketbase.collections.<name>``; their fields ``...fields.<name>`` and indexes
``...indexes.<index name>`` are resources of their own, so the plan shows each field and index
that changes. Everything here runs at validate time: no network.
"""

from __future__ import annotations

from collections.abc import Iterator

from baseform.engine.resource import DesiredResource
from baseform.errors import Diagnostic
from baseform.providers.base import Locator
from baseform.providers.pocketbase.catalog import catalog_of
from baseform.providers.pocketbase.collections import PROVIDER, RULE_KEYS, collection_address, desired_collection
from baseform.providers.pocketbase.fields import (
    SYSTEM_FIELD_NAMES,
    SYSTEM_FIELD_TYPES,
    desired_field,
    field_id,
    is_field_name,
)
from baseform.providers.pocketbase.indexes import parse_index
from baseform.providers.pocketbase.models import AUTH_OPTION_KEYS, CollectionSpec, PocketBaseSection
from baseform.providers.pocketbase.references import VIEW_QUERY, reference_problems
from baseform.providers.pocketbase.rules import RULE_OPTIONS

__all__ = ["check_section", "desired_resources"]

_AUTH_RESERVED = frozenset({"passwordconfirm", "oldpassword"})


def desired_resources(section: PocketBaseSection, locate: Locator) -> list[DesiredResource]:
    """Every declared collection, field and index, values in the diff shape."""
    declared = {c.name for c in section.collections}
    out: list[DesiredResource] = []
    for i, spec in enumerate(section.collections):
        address = collection_address(spec.name)
        where = (PROVIDER, "collections", i)
        value = desired_collection(spec)
        parts = {key: span for key in (*RULE_OPTIONS, VIEW_QUERY)
                 if isinstance(value.get(key), str) and (span := locate((*where, key))) is not None}
        out.append(DesiredResource(address, value, locate(where), protect=spec.protect,
                                   renamed_from=spec.renamedFrom, parts=parts))
        for j, f in enumerate(spec.fields):
            target = getattr(f, "collection", None)
            deps = frozenset({collection_address(target)}) if target in declared and target != spec.name \
                else frozenset()
            out.append(DesiredResource(address.child("fields", f.name), desired_field(f),
                                       locate((*where, "fields", j)), deps, f.protect, f.renamedFrom))
        for k, text in enumerate(spec.indexes):
            index = parse_index(text)
            if index is not None:
                out.append(DesiredResource(address.child("indexes", index.name), index.value,
                                           locate((*where, "indexes", k))))
    return out


def check_section(section: PocketBaseSection, locate: Locator) -> list[Diagnostic]:
    """All semantic problems of the section at once."""
    problems: list[Diagnostic] = []
    seen: dict[str, str] = {}
    for i, spec in enumerate(section.collections):
        where = (PROVIDER, "collections", i)
        key = spec.name.lower()
        if key in seen and seen[key] != spec.name:
            problems.append(Diagnostic(f"collection names are case-insensitive in PocketBase: {spec.name!r} "
                                       f"clashes with {seen[key]!r}", locate((*where, "name")),
                                       str(collection_address(spec.name))))
        seen.setdefault(key, spec.name)
        problems.extend(Diagnostic(message, locate((*where, *path)), _address_of(spec, path), hint)
                        for path, message, hint in _collection_problems(spec))
    desired = desired_resources(section, locate)
    problems.extend(reference_problems(desired, catalog_of(desired)))
    return problems


Problem = tuple[tuple[str | int, ...], str, str | None]
"""(data path inside the collection, message, hint)"""


def _address_of(spec: CollectionSpec, path: tuple[str | int, ...]) -> str:
    """The address a problem is about: the field's when the path is inside one."""
    address = collection_address(spec.name)
    if len(path) > 1 and path[0] == "fields" and isinstance(path[1], int):
        return str(address.child("fields", spec.fields[path[1]].name))
    return str(address)


def _collection_problems(spec: CollectionSpec) -> Iterator[Problem]:
    if spec.name.startswith("_"):
        yield ("name",), "names starting with '_' belong to PocketBase's system collections, which " \
            "baseform never manages", "choose a name without the leading underscore"
    set_keys = spec.model_fields_set
    if spec.type == "view":
        if not spec.viewQuery:
            yield ("type",), "a view collection needs a viewQuery", "add viewQuery: SELECT id, ... FROM ..."
        if spec.fields:
            yield ("fields",), "a view collection's fields come from its viewQuery; they cannot be declared", \
                "remove fields"
        if spec.indexes:
            yield ("indexes",), "view collections cannot have indexes", "remove indexes"
        for rule in RULE_KEYS[2:]:
            if getattr(spec, rule) is not None:
                yield (rule,), f"{rule} must be null on a view collection (views are read-only)", None
    elif spec.viewQuery is not None:
        yield ("viewQuery",), f"viewQuery is only for view collections (this one is {spec.type!r})", \
            "set type: view or remove viewQuery"
    if spec.manageRule == "":
        yield ("manageRule",), "manageRule cannot be \"\" (PocketBase refuses a blank manage rule)", \
            "use null (superusers only) or a rule"
    if spec.type != "auth":
        for key in AUTH_OPTION_KEYS:
            if key in set_keys:
                yield (key,), f"{key} is an auth collection option (this collection is {spec.type!r})", None
    yield from _field_problems(spec)
    yield from _index_problems(spec)


def _field_problems(spec: CollectionSpec) -> Iterator[Problem]:
    system = SYSTEM_FIELD_NAMES[spec.type]
    system_ids = {field_id(kind, name, ()): name for name, kind in SYSTEM_FIELD_TYPES[spec.type].items()}
    names: dict[str, str] = {}
    ids: dict[str, str] = {}
    for j, f in enumerate(spec.fields):
        at = ("fields", j)
        lowered = f.name.lower()
        if f.id is not None:
            if f.id in system_ids:
                yield (*at, "id"), f"field id {f.id!r} is the id of the system field {system_ids[f.id]!r}", \
                    "give the field its own id, or none"
            elif f.id in ids:
                yield (*at, "id"), f"field id {f.id!r} is also the id of {ids[f.id]!r}", "give each field its own id"
            ids.setdefault(f.id, f.name)
        if f.name in system:
            yield (*at, "name"), f"{f.name!r} is a system field of {spec.type} collections; PocketBase " \
                "manages it and baseform never changes it", "remove it from fields"
        elif spec.type == "auth" and lowered in _AUTH_RESERVED:
            yield (*at, "name"), f"{f.name!r} is reserved in auth collections", None
        elif not is_field_name(f.name):
            yield (*at, "name"), f"{f.name!r} is not a valid field name (null/true/false/_rowid_ and names " \
                "containing '_via_' are reserved)", None
        if lowered in names:
            yield (*at, "name"), f"duplicate field name {f.name!r} (names are case-insensitive; first: " \
                f"{names[lowered]!r})", None
        names.setdefault(lowered, f.name)
        if f.type == "autodate" and not (f.onCreate or f.onUpdate):
            yield at, "an autodate field needs onCreate or onUpdate (or both)", "add onCreate: true"
        if f.type == "number" and f.min is not None and f.max is not None and f.max < f.min:
            yield (*at, "max"), f"max ({f.max}) is less than min ({f.min})", None
        if f.type in ("text", "password") and f.max and f.max < f.min:
            yield (*at, "max"), f"max ({f.max}) is less than min ({f.min})", None
        if f.type == "relation" and f.maxSelect and f.minSelect > f.maxSelect:
            yield (*at, "minSelect"), f"minSelect ({f.minSelect}) is more than maxSelect ({f.maxSelect})", None


def _index_problems(spec: CollectionSpec) -> Iterator[Problem]:
    names: set[str] = set()
    for k, text in enumerate(spec.indexes):
        index = parse_index(text)
        if index is None:
            yield ("indexes", k), f"not a CREATE INDEX statement: {text!r}", \
                f"write e.g. CREATE UNIQUE INDEX idx_{spec.name}_x ON {spec.name} (x)"
            continue
        if index.name.lower() in names:
            yield ("indexes", k), f"duplicate index name {index.name!r}", None
        names.add(index.name.lower())
