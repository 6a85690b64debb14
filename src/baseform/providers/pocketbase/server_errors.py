"""PocketBase error bodies as messages, and those messages pointed at the manifest lines. Pure.

0.23+ answers ``{"data": {...}, "message": str, "status": int}``; field errors sit under
``data.<key>`` (``data.fields.<position>.<option>``). An import flattens the errors of the collection
that failed into one string: ``Data validations failed for collection "posts" (pbc_1):\\n{json}.``

Two steps, both stateless. :func:`parse_error` (the session's error parser) turns a body into the
server's message followed by one detail line per field error, ``    <dotted path>: <text>``, where
an import failure's errors get the path ``collections.<name>.<path inside the collection>``; that
text reads well on its own. :func:`explain` then rewrites the detail lines of a failed import with
:class:`BodyOrigins` (derived from the import body and the manifest sources the operation carries)
into lines like ``blog.yaml:12 pocketbase.collections.posts.fields.title: values: cannot be blank``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from baseform.engine.address import Address
from baseform.errors import SourceSpan
from baseform.providers.pocketbase.collections import collection_address
from baseform.providers.pocketbase.indexes import parse_index
from baseform.providers.pocketbase.references import VIEW_QUERY
from baseform.types import JSON

__all__ = ["BodyOrigins", "CollectionOrigin", "body_origins", "explain", "parse_error"]

_IMPORT_FAILURE = re.compile(r'Data validations failed for collection "([^"]+)" \(([^)]*)\):\s*(\{[\s\S]*\})\.?\s*$')
_RAW_COLLECTION = re.compile(r'collection "([^"]+)"')
_DETAIL = "    "
# a detail line as parse_error writes it: paths are dotted keys of \w characters (option names,
# positions, collection names), so the first ": " after one always ends the path
_DETAIL_LINE = re.compile(r"^ {4}([\w.]+): (.*)$")

Origin = tuple[str, SourceSpan | None]
"""(address, manifest source) of one part of a request body."""


@dataclass(frozen=True, slots=True)
class CollectionOrigin:
    """Where one collection entry of a request body was declared.

    ``fields``/``indexes`` map the position the *server* reports (its own list, which has the
    ``id`` field prepended when the body did not send it) to (address, source); ``keys`` locates
    the collection's own keys written on lines of their own (its rules, its view query).
    """

    address: str
    source: SourceSpan | None
    fields: Mapping[int, Origin] = field(default_factory=dict)
    indexes: Mapping[int, Origin] = field(default_factory=dict)
    keys: Mapping[str, SourceSpan] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BodyOrigins:
    """Collection name (lower case) or id -> origin, for the collections of one import body."""

    collections: Mapping[str, CollectionOrigin] = field(default_factory=dict)

    def find(self, name_or_id: str) -> CollectionOrigin | None:
        return self.collections.get(name_or_id) or self.collections.get(name_or_id.lower())


def body_origins(collections: Sequence[JSON], sources: Mapping[Address, SourceSpan],
                 parts: Mapping[Address, Mapping[str, SourceSpan]] | None = None) -> BodyOrigins:
    """Where each part of an import body's ``collections`` came from.

    Addresses follow from the body itself (a collection's name, its fields' names, its indexes'
    names); ``sources`` holds the manifest positions and ``parts`` those of collection keys (rules,
    view queries). A part the manifest does not declare (a system field, a field kept for
    ``--target``) points at its collection's declaration.
    """
    out: dict[str, CollectionOrigin] = {}
    for entry in collections:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        address = collection_address(entry["name"])
        source = sources.get(address)

        def origin(child: Address, parent: Address = address, parent_source: SourceSpan | None = source) -> Origin:
            return str(child), sources.get(child) or parent_source

        fields = [f for f in entry.get("fields") or [] if isinstance(f, dict)]
        shift = 0 if any(f.get("name") == "id" for f in fields) else 1  # the server prepends the id field
        field_origins = {pos + shift: origin(address.child("fields", str(f.get("name"))))
                         for pos, f in enumerate(fields)}
        index_origins: dict[int, Origin] = {}
        for pos, text in enumerate(entry.get("indexes") or []):
            index = parse_index(str(text))
            index_origins[pos] = origin(address.child("indexes", index.name)) if index else (str(address), source)
        collection = CollectionOrigin(str(address), source, field_origins, index_origins,
                                      (parts or {}).get(address, {}))
        out[str(entry["name"]).lower()] = collection
        if entry.get("id"):
            out[str(entry["id"])] = collection
    return BodyOrigins(out)


def _flatten(value: JSON, prefix: str = "") -> list[tuple[str, str]]:
    """``{"fields": {"1": {"values": {"code":..,"message": m}}}}`` -> [("fields.1.values", m)]."""
    if isinstance(value, dict):
        if isinstance(value.get("message"), str) and ("code" in value or len(value) <= 2):
            return [(prefix, value["message"])]
        out: list[tuple[str, str]] = []
        for key, item in value.items():
            out.extend(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return [(prefix, str(value))]


def _details(path: str, text: str) -> list[tuple[str, str]]:
    """One server error as (path, text) pairs; an import failure is unpacked per collection."""
    failure = _IMPORT_FAILURE.search(text)
    if failure is None:
        return [(path, text)]
    name, _, payload = failure.groups()
    try:
        nested: JSON = json.loads(payload)
    except ValueError:
        return [(f"collections.{name}", payload)]
    return [(f"collections.{name}" + (f".{sub}" if sub else ""), message) for sub, message in _flatten(nested)]


def parse_error(status: int, body: JSON) -> tuple[str, str | None]:
    """The session's error parser: the server's message, then a detail line per field error."""
    if not isinstance(body, dict):
        return f"HTTP {status}", None
    message = str(body.get("message") or f"HTTP {status}")
    data = body.get("data")
    lines = []
    for path, text in _flatten(data) if isinstance(data, dict) else []:
        for sub, detail in _details(path, text):
            # one line per detail, so explain() can find them again
            lines.append(f"{_DETAIL}{sub}: {' '.join(detail.strip().splitlines())}")
    return "\n".join([message, *lines]), None


def _where(origin: CollectionOrigin, path: str) -> tuple[str, str]:
    """(location text, remaining path) for an error at ``path`` inside one collection."""
    parts = path.split(".") if path else []
    table = {"fields": origin.fields, "indexes": origin.indexes}.get(parts[0]) if parts else None
    if table is not None and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) in table:
        address, source = table[int(parts[1])]
        rest = ".".join(parts[2:])
    else:
        # a rule's error at the rule's line; a failure with no path (a view that cannot be
        # created) at the view's query
        key = parts[0] if parts else VIEW_QUERY
        address, source, rest = origin.address, origin.keys.get(key, origin.source), path
    return (f"{source} {address}" if source else address), rest


def _explain_line(path: str, text: str, origins: BodyOrigins) -> str | None:
    """A detail line that names the manifest, or None when nothing in ``origins`` matches."""
    head, _, rest = path.partition(".")
    if head == "collections" and rest:
        name, _, sub = rest.partition(".")
        origin = origins.find(name)
        if origin is not None:
            where, sub = _where(origin, sub)
            return f"{where}: {sub + ': ' if sub else ''}{text}"
    mentioned = _RAW_COLLECTION.search(text)
    origin = origins.find(mentioned.group(1)) if mentioned else None
    if origin is not None:
        return f"{_where(origin, '')[0]}: {text}"
    return None


def explain(message: str, origins: BodyOrigins) -> str:
    """``message`` (from :func:`parse_error`) with each detail line about a part of the body
    rewritten as ``<file:line> <address>: <option>: <text>``; other lines are kept."""
    out = []
    for line in message.split("\n"):
        match = _DETAIL_LINE.match(line)
        explained = _explain_line(match.group(1), match.group(2), origins) if match else None
        out.append(_DETAIL + explained if explained is not None else line)
    return "\n".join(out)
