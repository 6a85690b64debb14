"""A Weaviate schema dump read as a ``weaviate`` section. Pure.

Accepted: the body of ``GET /v1/schema`` (``{"classes": [...]}``), one class as ``GET
/v1/schema/{class}`` returns it, or a list of classes. The manifest already takes classes in the
API's own spelling, server-filled defaults included (the diff normalises them), so the classes are
used as they are; only the property keys the server keeps for itself are dropped.
"""

from __future__ import annotations

from typing import Any

from baseform.manifest.native import Conversion, DataPath, NativeFormat

__all__ = ["WEAVIATE_SCHEMA"]

PROVIDER = "weaviate"
_SCHEMA_KEYS = frozenset({"classes", "name", "maintainer"})
"""Keys of the ``Schema`` object of the REST API (only ``classes`` matters)."""
_SERVER_MANAGED = frozenset({"bucketGeneration", "searchableBlockmax"})
"""Property keys a GET may show that the server manages itself (which bucket holds the inverted index,
and whether its searchable index was migrated to blockmax); they cannot be set."""


def _is_class(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("class"), str)


def _classes(data: Any) -> tuple[list[Any], DataPath] | None:
    """The class list and its path, for each accepted shape."""
    if isinstance(data, dict) and isinstance(data.get("classes"), list):
        return data["classes"], ("classes",)
    if _is_class(data):
        return [data], ()
    if isinstance(data, list) and data and all(_is_class(c) for c in data):
        return data, ()
    return None


def detect(data: Any) -> bool:
    return _classes(data) is not None


def _properties(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return [{k: (_properties(v) if k == "nestedProperties" else v) for k, v in p.items() if k not in _SERVER_MANAGED}
            if isinstance(p, dict) else p for p in value]


def convert(data: Any) -> Conversion:
    found = _classes(data)
    assert found is not None
    classes, path = found
    conversion = Conversion()
    if isinstance(data, dict) and path:
        for key in sorted(set(data) - _SCHEMA_KEYS):
            conversion.problem((key,), f"unknown key {key!r} in a Weaviate schema dump (GET /v1/schema has "
                                       f"{', '.join(sorted(_SCHEMA_KEYS))})", "remove the key, or keep only the "
                                       "classes list")
    converted = [{k: (_properties(v) if k == "properties" else v) for k, v in c.items()} if isinstance(c, dict)
                 else c for c in classes]
    conversion.document = {PROVIDER: {"classes": converted}}
    if path:
        conversion.origin((PROVIDER, "classes"), path)
    elif isinstance(data, dict):
        conversion.origin((PROVIDER, "classes", 0), ())
    else:
        conversion.origin((PROVIDER, "classes"), ())
    return conversion


WEAVIATE_SCHEMA = NativeFormat("Weaviate schema (GET /v1/schema, or one class or a list of classes)", detect,
                               convert)
