"""Create-table's inline ``columns``: Appwrite's ``Validator/Attributes.php`` and the attribute document
``Collections/Create.php`` builds from each object, per :class:`~.profile.Profile`.

[inline-types]: 1.9.0 takes the core types (``string`` with a ``format`` for email/url/ip/enum,
``integer``, ``double``, ``boolean``, ``datetime``, ``point``, ``linestring``, ``polygon``), 1.9.5 adds
``bigint``; only HEAD (2.0) takes ``varchar``, ``text``, ``mediumtext``, ``longtext`` and the shorthands
``email``/``url``/``ip``/``enum`` (``Attribute::resolve``). [inline-integer-size]: an inline integer
is as wide as the ``size`` sent (0 when left out: a 4-byte INT whatever its ``max``), and an inline
number without ``min``/``max`` keeps them null.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from .model import Column
from .profile import Profile

__all__ = ["inline_column", "inline_column_problem"]

STRING_MAX = 1_073_741_824  # APP_DATABASE_ATTRIBUTE_STRING_MAX_LENGTH
_RESERVED = ("$id", "$createdAt", "$updatedAt", "$permissions", "$collection")
_FORMATS = ("", "email", "enum", "ip", "url")
_FIXED = {"text": 65535, "mediumtext": 16777215, "longtext": 2147483647}  # Attribute::SIZES (HEAD)
_FORMAT_SIZES = {"email": 254, "enum": 255, "ip": 39, "url": 2000}  # Attribute::FORMAT_SIZES (HEAD)
_NUMERIC = ("integer", "bigint", "double")
_KEY_CHARS = re.compile(r"[A-Za-z0-9._-]+")
# stored (type, format) -> the emulator's column kind (the route type)
_KINDS = {("string", ""): "string", ("string", "email"): "email", ("string", "url"): "url",
          ("string", "ip"): "ip", ("string", "enum"): "enum", ("double", ""): "float",
          ("linestring", ""): "line"}


def _resolve(profile: Profile, raw: dict[str, Any]) -> tuple[str, str, int]:
    """(type, format, size) as stored. Before HEAD the object's own values; from HEAD a shorthand
    type becomes a string of that format and fixed sizes are filled in."""
    type_, fmt = raw.get("type", ""), raw.get("format") or ""
    size = raw.get("size", 0)
    size = size if isinstance(size, int) and not isinstance(size, bool) else 0
    if not profile.since("2.0.0"):
        return type_, fmt, size
    if type_ in _FORMAT_SIZES:
        fmt, type_ = type_, "string"
    if type_ in _FIXED:
        size = _FIXED[type_]
    elif size < 1:
        size = _FORMAT_SIZES.get(fmt, size)
    return type_, fmt, size


def _key_problem(profile: Profile, value: Any) -> bool:
    return not (isinstance(value, str) and _KEY_CHARS.fullmatch(value) and value[0] not in "._-"
                and len(value) <= 36)


def inline_column_problem(profile: Profile, columns: list[Any]) -> str | None:
    """Why Appwrite's inline validator refuses ``columns`` (the message it sends), or None."""
    if len(columns) > 100:
        return "Maximum of 100 attributes allowed"
    keys: list[str] = []
    for index, raw in enumerate(columns):
        if not isinstance(raw, dict):
            return f"Attribute at index {index} must be an object"
        for field in ("key", "type"):
            if raw.get(field) is None:
                return f"Attribute at index {index} is missing required field '{field}'"
        key = raw["key"]
        if _key_problem(profile, key):
            return (f"Invalid key for attribute at index {index}: Parameter must contain at most 36 chars. Valid "
                    "chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char")
        if key in keys:
            return f"Duplicate attribute key: {key}"
        keys.append(key)
        if key in _RESERVED:
            return f"Attribute key '{key}' is reserved and cannot be used"
        problem = _one_problem(profile, raw)
        if problem:
            return problem
    return None


def _one_problem(profile: Profile, raw: dict[str, Any]) -> str | None:  # noqa: C901 - one validator, in order
    key, given = raw["key"], raw["type"]
    if given not in profile.inline_types:
        return f"Invalid type for attribute '{key}': {given}"
    type_, fmt, size = _resolve(profile, raw)
    if type_ in ("point", "linestring", "polygon") and not profile.spatial:
        return "Spatial attributes are not supported by the current database"
    sized = ("string", "varchar") if profile.since("2.0.0") else ("string",)
    if profile.since("2.0.0") and "size" in raw and not isinstance(raw["size"], int):
        return f"Invalid size for attribute '{key}': must be an integer"
    if type_ in sized and not 1 <= size <= STRING_MAX:
        return (f"Invalid or missing size for string attribute '{key}'. Size must be between 1 and "
                f"{STRING_MAX}")
    if fmt:
        if type_ not in sized:
            return f"Format is only allowed for string type for attribute '{key}'"
        if fmt not in _FORMATS:
            return f"Invalid format for attribute '{key}': {fmt}"
    for flag in ("required", "array", "signed"):
        if raw.get(flag) is not None and not isinstance(raw[flag], bool):
            return f"Invalid '{flag}' value for attribute '{key}': must be a boolean"
    if raw.get("signed") is not None and type_ not in _NUMERIC:
        return f"Attribute '{key}': 'signed' can only be used with integer, bigint or float types"
    default = raw.get("default")
    if raw.get("required") is True and default is not None:
        return f"Attribute '{key}' cannot have a default value when required is true"
    if raw.get("array") is True and default is not None:
        return f"Attribute '{key}' cannot have a default value when array is true"
    low, high = raw.get("min"), raw.get("max")
    if low is not None or high is not None:
        if type_ not in _NUMERIC:
            return f"Attribute '{key}': min/max can only be used with integer, bigint or float types"
        if low is not None and high is not None and low > high:
            return f"Attribute '{key}': minimum value must be less than or equal to maximum value"
    if default is not None:
        problem = _default_problem(key, type_, fmt, size, default, low, high)
        if problem:
            return problem
    if fmt == "enum":
        elements = raw.get("elements")
        if not isinstance(elements, list) or not elements:
            return f"Attribute '{key}' with enum format must have 'elements' array"
        for i, element in enumerate(elements):
            if not isinstance(element, str) or not element:
                return f"Enum element at index {i} for attribute '{key}' must be a non-empty string"
            if len(element.encode()) > 255:
                return f"Enum element at index {i} for attribute '{key}' exceeds maximum length of 255 characters"
        if default is not None and default not in elements:
            return f"Default value for enum attribute '{key}' must be one of the provided elements"
    return None


def _default_problem(key: str, type_: str, fmt: str, size: int, default: Any, low: Any, high: Any) -> str | None:
    if type_ in ("string", "varchar", "text", "mediumtext", "longtext"):
        if not isinstance(default, str):
            return f"Default value for string attribute '{key}' must be a string"
        if size > 0 and len(default) > size:
            return f"Default value for attribute '{key}' exceeds maximum size of {size} characters"
        if fmt == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", default):
            return f"Default value for email attribute '{key}' must be a valid email address"
        if fmt == "ip":
            try:
                ipaddress.ip_address(default)
            except ValueError:
                return f"Default value for IP attribute '{key}' must be a valid IP address"
        if fmt == "url" and not (urlsplit(default).scheme and urlsplit(default).netloc):
            return f"Default value for URL attribute '{key}' must be a valid URL"
        return None
    if type_ in ("integer", "bigint"):
        if isinstance(default, bool) or not isinstance(default, int):
            return f"Default value for {type_} attribute '{key}' must be an integer"
    elif type_ == "double":
        if isinstance(default, bool) or not isinstance(default, int | float):
            return f"Default value for float attribute '{key}' must be a number"
    elif type_ == "boolean":
        return None if isinstance(default, bool) else f"Default value for boolean attribute '{key}' must be a boolean"
    elif type_ == "datetime":
        if not isinstance(default, str):
            return f"Default value for datetime attribute '{key}' must be a string in ISO 8601 format"
        try:
            datetime.fromisoformat(default.replace("Z", "+00:00"))
        except ValueError:
            return f"Default value for datetime attribute '{key}' must be in valid ISO 8601 format"
        return None
    else:
        return None
    if (low is not None or high is not None) and not (
            (low if low is not None else float("-inf")) <= default <= (high if high is not None else float("inf"))):
        what = "float" if type_ == "double" else type_
        return f"Default value for {what} attribute '{key}' must be between {low} and {high}"
    return None


def inline_column(profile: Profile, raw: dict[str, Any]) -> Column:
    """The column Create.php builds from a valid object, born ``available``."""
    type_, fmt, size = _resolve(profile, raw)
    kind = _KINDS.get((type_, fmt), type_)
    column = Column(raw["key"], kind, bool(raw.get("required", False)), bool(raw.get("array", False)),
                    raw.get("default"), status="available")
    if kind in ("string", "varchar", "integer"):
        column.size = size
    if kind in ("float", "integer", "bigint") and (raw.get("min") is not None or raw.get("max") is not None):
        floor, ceiling = (-1.7976931348623157e308, 1.7976931348623157e308) if kind == "float" else (-(2**63),
                                                                                                   2**63 - 1)
        column.min = raw["min"] if raw.get("min") is not None else floor
        column.max = raw["max"] if raw.get("max") is not None else ceiling
    if fmt == "enum":
        column.elements = list(raw.get("elements") or [])
    return column
