"""The index rules of the server: utopia-php/database ``Validator/Index.php`` and Appwrite's inline
``Validator/Indexes.php``, for one :class:`~.profile.Profile`.

Each check names its ``FIDELITY.md`` row. The per-index endpoint first resolves every column itself
(unknown, relationship, not available, array: :func:`resolve_columns`), then runs
:func:`index_problem`; create-table runs :func:`inline_index_problem` on the raw objects first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .model import Column, Index
from .profile import Profile

__all__ = ["INTERNAL_INDEX_COLUMNS", "IndexSpec", "index_problem", "inline_index_problem"]

STRING_TYPES = frozenset({"string", "varchar", "text", "mediumtext", "longtext"})
SPATIAL_TYPES = frozenset({"point", "linestring", "polygon"})
INTERNAL_INDEX_COLUMNS = ("$id", "$createdAt", "$updatedAt")


@dataclass(frozen=True)
class _Attribute:
    """What the validator knows of a column (the internal ones included)."""

    key: str
    type: str
    size: int
    array: bool = False
    required: bool = False


# utopia Database::INTERNAL_ATTRIBUTES: $id is a string of 255, the timestamps datetimes
_INTERNAL = {"$id": _Attribute("$id", "string", 255, required=True),
             "$createdat": _Attribute("$createdAt", "datetime", 0),
             "$updatedat": _Attribute("$updatedAt", "datetime", 0)}


@dataclass(frozen=True)
class IndexSpec:
    """An index being created: ``lengths`` already padded by the endpoint, ``orders`` as sent."""

    key: str
    type: str
    columns: list[str]
    lengths: list[int | None]
    orders: list[Any]


def _attributes(columns: Mapping[str, Column]) -> dict[str, _Attribute]:
    out = dict(_INTERNAL)
    for c in columns.values():
        out[c.key.lower()] = _Attribute(c.key, c.type, c.size or 0, c.array, c.required)
    return out


def index_problem(profile: Profile, columns: Mapping[str, Column], existing: Sequence[Index],
                  index: IndexSpec) -> str | None:
    """Why the adapter's validator refuses ``index``, or None (checks in the validator's order)."""
    attrs = _attributes(columns)
    found = [attrs.get(name.lower()) for name in index.columns]
    for check in (_type_supported, _known, _not_empty, _no_duplicates, _one_fulltext, _fulltext_strings,
                  _lengths_allowed, _length_budget, _reserved_key, _spatial, _not_on_spatial, _identical,
                  _trigram):
        problem = check(profile, index, found, existing)
        if problem:
            return problem
    return None


def _type_supported(profile: Profile, index: IndexSpec, found: list[_Attribute | None],
                    existing: Sequence[Index]) -> str | None:
    # [spatial-engine] [spatial-index-order] [trigram]
    if index.type == "spatial" and not profile.spatial:
        return "Spatial indexes are not supported"
    if index.type == "spatial" and index.orders and not profile.spatial_index_order:
        return "Spatial indexes with explicit orders are not supported. Remove the orders to create this index."
    if index.type == "trigram" and not profile.trigram:
        return "Trigram indexes are not supported"
    return None


def _known(profile: Profile, index: IndexSpec, found: list[_Attribute | None],
           existing: Sequence[Index]) -> str | None:
    for name, attribute in zip(index.columns, found, strict=True):
        if attribute is None:
            return f'Invalid index attribute "{name}" not found'
    return None


def _not_empty(profile: Profile, index: IndexSpec, found: list[_Attribute | None],
               existing: Sequence[Index]) -> str | None:
    return None if index.columns else "No attributes provided for index"


def _no_duplicates(profile: Profile, index: IndexSpec, found: list[_Attribute | None],
                   existing: Sequence[Index]) -> str | None:
    lowered = [c.lower() for c in index.columns]
    return "Duplicate attributes provided" if len(set(lowered)) != len(lowered) else None


def _one_fulltext(profile: Profile, index: IndexSpec, found: list[_Attribute | None],
                  existing: Sequence[Index]) -> str | None:
    # [fulltext-one]
    if index.type == "fulltext" and not profile.multiple_fulltext and any(i.type == "fulltext" for i in existing):
        return "There is already a fulltext index in the collection"
    return None


def _fulltext_strings(profile: Profile, index: IndexSpec, found: list[_Attribute | None],
                      existing: Sequence[Index]) -> str | None:
    # [index-fulltext-strings]
    for attribute in found:
        if index.type == "fulltext" and attribute is not None and attribute.type not in STRING_TYPES:
            return (f'Attribute "{attribute.key}" cannot be part of a fulltext index, must be of type '
                    "string")
    return None


def _lengths_allowed(profile: Profile, index: IndexSpec, found: list[_Attribute | None],
                     existing: Sequence[Index]) -> str | None:
    # [index-length-types]: a length only on string columns (0 and null mean none)
    for position, attribute in enumerate(found):
        length = index.lengths[position] if position < len(index.lengths) else None
        if attribute is not None and not attribute.array and attribute.type not in STRING_TYPES and length:
            return f'Cannot set a length on "{attribute.type}" attributes'
    return None


def _length_budget(profile: Profile, index: IndexSpec, found: list[_Attribute | None],
                   existing: Sequence[Index]) -> str | None:
    # [index-length] [index-lengths-count]; fulltext (and spatial/trigram types) are not measured
    if index.type == "fulltext":
        return None
    if len(index.lengths) > len(index.columns):
        return "Invalid index lengths. Count of lengths must be equal or less than the number of attributes."
    total = 0
    for position, attribute in enumerate(found):
        assert attribute is not None
        given = index.lengths[position] if position < len(index.lengths) else None
        if attribute.type in STRING_TYPES:
            size = attribute.size
            length = given if given else size
        else:
            size = length = 2 if attribute.type == "double" else 1
        if length < 0:
            return f"Negative index length provided for {attribute.key}"
        if length > size:
            return f'Index length {length} is larger than the size for {attribute.key}: {size}"'
        total += length
    if total > profile.index_length:
        return f"Index length is longer than the maximum: {profile.index_length}"
    return None


def _reserved_key(profile: Profile, index: IndexSpec, found: list[_Attribute | None],
                  existing: Sequence[Index]) -> str | None:
    # [index-reserved-keys]
    if index.key.lower() in profile.reserved_index_keys:
        return "Index key name is reserved"
    return None


def _spatial(profile: Profile, index: IndexSpec, found: list[_Attribute | None],
             existing: Sequence[Index]) -> str | None:
    # [spatial-index-one] [spatial-index-null]
    if index.type != "spatial":
        return None
    if len(index.columns) != 1:
        return "Spatial index must have exactly one attribute"
    attribute = found[0]
    assert attribute is not None
    if attribute.type not in SPATIAL_TYPES:
        return ("Spatial index can only be created on spatial attributes (point, linestring, polygon). "
                f'Attribute "{attribute.key}" is of type "{attribute.type}"')
    if not attribute.required and not profile.spatial_index_null:
        return (f'Spatial indexes do not allow null values. Mark the attribute "{attribute.key}" as required or '
                "create the index on a column with no null values.")
    return None


def _not_on_spatial(profile: Profile, index: IndexSpec, found: list[_Attribute | None],
                    existing: Sequence[Index]) -> str | None:
    if index.type == "spatial":
        return None
    for attribute in found:
        if attribute is not None and attribute.type in SPATIAL_TYPES:
            return (f'Cannot create {index.type} index on spatial attribute "{attribute.key}". Spatial '
                    "attributes require spatial indexes.")
    return None


def _identical(profile: Profile, index: IndexSpec, found: list[_Attribute | None],
               existing: Sequence[Index]) -> str | None:
    # [identical-indexes]: same columns and orders (as sets), both key/unique
    if profile.identical_indexes or index.type not in ("key", "unique"):
        return None
    for other in existing:
        if (other.type in ("key", "unique") and set(other.columns) == set(index.columns)
                and set(map(str, other.orders)) == set(map(str, index.orders))):
            return "There is already an index with the same attributes and orders"
    return None


def _trigram(profile: Profile, index: IndexSpec, found: list[_Attribute | None],
             existing: Sequence[Index]) -> str | None:
    if index.type != "trigram":
        return None
    if any(a is not None and a.type not in STRING_TYPES for a in found):
        return "Trigram index can only be created on string type attributes"
    if index.orders or any(index.lengths):
        return "Trigram indexes do not support orders or lengths"
    return None


def inline_index_problem(position: int, raw: Any) -> str | None:
    """[inline-indexes] Appwrite's own check of one create-table ``indexes`` object (before the
    adapter's): required fields, upper-case orders, and ``orders``/``lengths`` as long as ``attributes``."""
    if not isinstance(raw, dict):
        return f"Index at position {position} must be an object"
    for field in ("key", "type"):
        if not isinstance(raw.get(field), str):
            return f"Index at position {position} is missing required field '{field}'"
    attributes = raw.get("attributes")
    if not isinstance(attributes, list):
        return f"Index at position {position} is missing required field 'attributes' (must be an array)"
    key = raw["key"]
    if raw["type"] not in ("key", "fulltext", "unique", "spatial"):
        return f"Invalid type for index '{key}': {raw['type']}"
    if not attributes:
        return f"Index '{key}' must have at least one attribute"
    count = len(attributes)
    orders = raw.get("orders")
    if orders is not None:
        if not isinstance(orders, list):
            return f"Index '{key}' orders must be an array"
        if len(orders) != count:
            return f"Index '{key}': orders array length ({len(orders)}) must match attributes array length ({count})"
        for order in orders:
            # PHP in_array with the upper-case constants: "asc" is refused here
            if order not in (None, "") and order not in ("ASC", "DESC"):
                return f"Invalid order '{order}' in index '{key}'. Must be 'ASC' or 'DESC'"
    lengths = raw.get("lengths")
    if lengths is not None:
        if not isinstance(lengths, list):
            return f"Index '{key}' lengths must be an array"
        if len(lengths) != count:
            return f"Index '{key}': lengths array length ({len(lengths)}) must match attributes array length ({count})"
        if any(n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0) for n in lengths):
            return f"Invalid length in index '{key}': must be a non-negative integer or null"
    return None
