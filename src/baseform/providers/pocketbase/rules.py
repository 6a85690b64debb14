"""API rules checked before anything is sent: syntax, and that the fields they name exist. Pure.

The server checks a rule on save by building it with a record field resolver (PocketBase 0.23+
``core/record_field_resolver*.go``, ``tools/search/filter.go``) and an empty request, so:

* ``@request.auth.*`` always resolves (there is no authenticated record at that time);
* ``@request.body.X`` resolves X against the collection's fields only for the ``:each``/``:length``
  modifiers (which need a select, file or relation field); anything else under ``@request.*`` is a
  static value that accepts only the ``:isset`` and ``:lower`` modifiers;
* ``@collection.NAME[:alias].path`` needs the collection NAME (by name or id) and resolves the path
  in it;
* any other identifier is a field path from the rule's own collection: every step but the last is a
  relation field (or a back-relation ``other_via_field``), a json/geoPoint field ends the check (the
  rest is a JSON path), and the last step is a field with an optional modifier;
* ``null``, ``true``, ``false`` and the date macros (``@now``...) are values.

Only what is certain is reported: a collection the catalog does not know (at validate time, one
the manifest does not declare) and a view's fields (they come from its query) are let through.
"""

from __future__ import annotations

import re

from baseform.manifest.models import did_you_mean
from baseform.providers.pocketbase.catalog import Catalog, CollectionShape
from baseform.providers.pocketbase.filters import FilterSyntaxError, parse_filter

__all__ = ["RULE_OPTIONS", "rule_problems"]

RULE_OPTIONS = ("listRule", "viewRule", "createRule", "updateRule", "deleteRule", "authRule", "manageRule")
"""The collection keys whose value the server checks as a filter expression."""

_W = "[0-9A-Za-z_]"  # Go's \w is ASCII only
_ALLOWED = tuple(re.compile(p) for p in (
    rf"^{_W}+[{_W[1:-1]}.:]*$",
    r"^@request\.context$",
    r"^@request\.method$",
    rf"^@request\.auth\.[{_W[1:-1]}.:]*{_W}$",
    rf"^@request\.body\.[{_W[1:-1]}.:]*{_W}$",
    rf"^@request\.query\.[{_W[1:-1]}.:]*{_W}$",
    rf"^@request\.headers\.[{_W[1:-1]}.:]*{_W}$",
    rf"^@collection\.{_W}+(:{_W}+)?\.[{_W[1:-1]}.:]*{_W}$",
))
_MACROS = frozenset({"@now", "@yesterday", "@tomorrow", "@second", "@minute", "@hour", "@day", "@month",
                     "@weekday", "@year", "@todayStart", "@todayEnd", "@monthStart", "@monthEnd", "@yearStart",
                     "@yearEnd"})
_VALUES = frozenset({"null", "true", "false"})
_MODIFIERS = frozenset({"isset", "each", "length", "lower", "changed"})
_MULTI_VALUE = frozenset({"select", "file", "relation"})
_JSON_PATH = frozenset({"json", "geoPoint"})
_VIA = re.compile(rf"^({_W}+)_via_({_W}+)$")
_MAX_NESTED = 6


class _Unresolved(Exception):
    """The server would refuse this identifier; the message says why."""


def _split_modifier(prop: str) -> tuple[str, str]:
    parts = prop.split(":")
    if len(parts) != 2:
        return prop, ""
    if parts[1] not in _MODIFIERS:
        raise _Unresolved(f"unknown modifier {parts[1]!r} in {prop!r} (modifiers: isset, each, length, lower, "
                          "changed)")
    return parts[0], parts[1]


def _unknown_field(name: str, collection: CollectionShape) -> _Unresolved:
    fields = sorted(collection.fields or ())
    hint = did_you_mean(name, fields)
    return _Unresolved(f"{collection.name!r} has no field {name!r}{hint}")


def _walk(props: list[str], collection: CollectionShape | None, catalog: Catalog) -> None:
    """Resolve a field path from ``collection`` the way the server's runner does."""
    for i, prop in enumerate(props):
        if collection is None or collection.fields is None:
            return  # unknown collection or a view: its fields are not known here
        if i == len(props) - 1:
            name, _ = _split_modifier(prop)
            if name not in collection.fields:
                raise _unknown_field(name, collection)
            return
        field = collection.fields.get(prop)
        if field is not None and field.type in _JSON_PATH:
            return  # the rest is a path inside the JSON value
        if i >= _MAX_NESTED:
            raise _Unresolved(f"more than {_MAX_NESTED} nested relations at {prop!r}")
        if field is None:
            collection = _back_relation(prop, collection, catalog)
            continue
        if field.type != "relation":
            raise _Unresolved(f"{prop!r} of {collection.name!r} is a {field.type} field, not a relation, so "
                              f"{'.'.join(props[i:])!r} cannot follow it")
        if not field.multiple and i == len(props) - 2 and props[i + 1] == "id":
            return
        collection = catalog.find(field.target) if field.target else None


def _back_relation(prop: str, collection: CollectionShape, catalog: Catalog) -> CollectionShape | None:
    via = _VIA.match(prop)
    if via is None:
        raise _unknown_field(prop, collection)
    back = catalog.find(via.group(1))
    if back is None:
        if catalog.complete:
            raise _Unresolved(f"back-relation {prop!r}: there is no collection {via.group(1)!r}")
        return None
    if back.fields is None:
        return None
    field = back.fields.get(via.group(2))
    if field is None:
        raise _Unresolved(f"back-relation {prop!r}: {back.name!r} has no field {via.group(2)!r}")
    if field.type != "relation":
        raise _Unresolved(f"back-relation {prop!r}: {back.name}.{via.group(2)} is a {field.type} field, "
                          "not a relation")
    target = catalog.find(field.target) if field.target else None
    if target is not None and target is not collection:
        raise _Unresolved(f"back-relation {prop!r}: {back.name}.{via.group(2)} relates to {target.name!r}, "
                          f"not to {collection.name!r}")
    return back


def _request(name: str, props: list[str], collection: CollectionShape) -> None:
    if name.startswith("@request.auth."):
        return  # resolved against no authenticated record when the rule is saved
    if name.startswith("@request.body.") and len(props) > 2:
        field_name, modifier = _split_modifier(props[2])
        if collection.fields is None:
            return
        field = collection.fields.get(field_name)
        if field is not None and (field.type == "relation" and len(props) > 3):
            return
        if field is not None and len(props) == 3 and modifier in ("each", "length", "lower", "changed"):
            if modifier in ("each", "length") and field.type not in _MULTI_VALUE:
                raise _Unresolved(f":{modifier} needs a select, file or relation field; {field_name!r} of "
                                  f"{collection.name!r} is a {field.type} field")
            return
    last, modifier = _split_modifier(props[-1])
    if modifier not in ("", "isset", "lower"):
        raise _Unresolved(f"{name!r}: the :{modifier} modifier needs a field of {collection.name!r} (request "
                          "values accept only :isset and :lower)")


def _resolve(name: str, collection: CollectionShape, catalog: Catalog) -> None:
    if name in _MACROS or name.lower() in _VALUES:
        return
    if not any(p.match(name) for p in _ALLOWED):
        hint = " (it is @request.body since PocketBase 0.23)" if name.startswith("@request.data.") else ""
        raise _Unresolved(f"{name!r} cannot be resolved{hint}")
    props = name.split(".")
    if props[0] == "@collection":
        target = props[1].split(":", 1)[0]
        found = catalog.find(target)
        if found is None:
            if catalog.complete:
                raise _Unresolved(f"@collection.{target}: there is no collection {target!r}")
            return
        _walk(props[2:], found, catalog)
    elif props[0] == "@request":
        _request(name, props, collection)
    else:
        _walk(props, collection, catalog)


def rule_problems(rule: str, collection: CollectionShape, catalog: Catalog) -> list[tuple[int, str]]:
    """What the server would refuse in ``rule`` of ``collection``: (offset in the rule, message) pairs.

    Empty for a rule the server accepts, and for anything this check cannot be sure of.
    """
    if rule == "":
        return []
    try:
        identifiers = parse_filter(rule)
    except FilterSyntaxError as e:
        return [(e.offset, f"syntax: {e}")]
    problems: list[tuple[int, str]] = []
    seen: set[str] = set()
    for identifier in identifiers:
        if identifier.name in seen:
            continue
        seen.add(identifier.name)
        try:
            _resolve(identifier.name, collection, catalog)
        except _Unresolved as e:
            problems.append((identifier.offset, str(e)))
    return problems
