"""PocketBase error bodies as messages that name the manifest line they are about.

0.23+ answers ``{"data": {...}, "message": str, "status": int}``; field errors sit under
``data.<key>`` (``data.fields.<position>.<option>``). An import flattens the errors of the collection
that failed into one string: ``Data validations failed for collection "posts" (pbc_1):\\n{json}.``
:class:`ErrorTranslator` turns both into lines like
``blog.yaml:12 pocketbase.collections.posts.fields.title: values: cannot be blank`` using
:class:`BodyOrigins`, which records where each part of a request body came from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from baseform.errors import SourceSpan
from baseform.types import JSON

__all__ = ["BodyOrigins", "CollectionOrigin", "ErrorTranslator"]

_IMPORT_FAILURE = re.compile(r'Data validations failed for collection "([^"]+)" \(([^)]*)\):\s*(\{[\s\S]*\})\.?\s*$')
_RAW_COLLECTION = re.compile(r'collection "([^"]+)"')


@dataclass(frozen=True, slots=True)
class CollectionOrigin:
    """Where one collection entry of a request body was declared.

    ``fields``/``indexes`` map the position the *server* reports (its own list, which has the
    ``id`` field prepended when the body did not send it) to (address, source).
    """

    address: str
    source: SourceSpan | None
    fields: Mapping[int, tuple[str, SourceSpan | None]] = field(default_factory=dict)
    indexes: Mapping[int, tuple[str, SourceSpan | None]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BodyOrigins:
    """Collection name (lower case) or id -> origin, for the bodies of one plan."""

    collections: Mapping[str, CollectionOrigin] = field(default_factory=dict)

    def find(self, name_or_id: str) -> CollectionOrigin | None:
        return self.collections.get(name_or_id) or self.collections.get(name_or_id.lower())


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


def _where(origin: CollectionOrigin | None, path: str) -> tuple[str, str]:
    """(location text, remaining path) for an error at ``path`` inside one collection."""
    if origin is None:
        return "", path
    parts = path.split(".")
    table = {"fields": origin.fields, "indexes": origin.indexes}.get(parts[0])
    if table is not None and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) in table:
        address, source = table[int(parts[1])]
        rest = ".".join(parts[2:])
    else:
        address, source, rest = origin.address, origin.source, path
    where = f"{source} {address}" if source else address
    return where, rest


class ErrorTranslator:
    """The Session error parser for PocketBase; ``origins`` is set when operations are built."""

    def __init__(self) -> None:
        self.origins = BodyOrigins()

    def __call__(self, status: int, body: JSON) -> tuple[str, str | None]:
        if not isinstance(body, dict):
            return f"HTTP {status}", None
        message = str(body.get("message") or f"HTTP {status}")
        details = _flatten(body.get("data") or {})
        lines: list[str] = []
        for path, text in details:
            lines.extend(self._explain(path, text))
        return (message + ("\n" + "\n".join(f"    {line}" for line in lines) if lines else "")), None

    def _explain(self, path: str, text: str) -> list[str]:
        failure = _IMPORT_FAILURE.search(text)
        if failure:
            name, collection_id, payload = failure.groups()
            origin = self.origins.find(name) or self.origins.find(collection_id)
            try:
                nested = json.loads(payload)
            except ValueError:
                nested = None
            if nested is None:
                where, _ = _where(origin, "")
                return [f"{where or name}: {payload.strip()}"]
            out = []
            for sub, message in _flatten(nested):
                where, rest = _where(origin, sub)
                out.append(f"{where or 'collection ' + name}: {rest + ': ' if rest else ''}{message}")
            return out
        raw = _RAW_COLLECTION.search(text)
        if raw:
            origin = self.origins.find(raw.group(1))
            if origin is not None:
                where, _ = _where(origin, "")
                return [f"{where}: {text.strip()}"]
        return [f"{path}: {text.strip()}" if path else text.strip()]
