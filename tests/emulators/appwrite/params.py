"""Request parameters and the server's validators (utopia-php/http + utopia-php/database rules).

A validator is ``check(name, value) -> value`` that returns the accepted (possibly converted) value or
raises 400 ``general_argument_invalid`` with the utopia message ``Invalid `name` param: ...``.
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from tests.emulators.server import Request

from .errors import AppwriteError, argument_invalid, not_optional

Check = Callable[[str, Any], Any]

_MISSING = object()
_KEY_RE = re.compile(r"^(?![._-])[A-Za-z0-9._-]{1,36}$")
_KEY_TEXT = (
    "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, "
    "and underscore. Can't start with a special char"
)
_INDEXED_ARRAY = re.compile(r"^(?P<name>[^\[]+)\[(?P<index>\d*)\]$")
ARRAY_LIMIT = 100  # APP_LIMIT_ARRAY_PARAMS_SIZE


class Params:
    """The parameters of one request: the JSON body, or for GET the query string.

    GET arrays arrive flattened as ``queries[0]=...&queries[1]=...`` (Python SDK) or ``queries[]=...``;
    they are reassembled in index order. Unknown parameters are ignored, as utopia-php/http does.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @classmethod
    def from_request(cls, request: Request) -> Params:
        if request.method != "GET":
            return cls(request.body if isinstance(request.body, dict) else {})
        data: dict[str, Any] = {}
        arrays: dict[str, list[tuple[int, str]]] = {}
        for raw_name, values in request.query.items():
            m = _INDEXED_ARRAY.match(raw_name)
            if m:
                index = int(m.group("index")) if m.group("index") else len(arrays.get(m.group("name"), []))
                arrays.setdefault(m.group("name"), []).extend((index, v) for v in values)
            else:
                data[raw_name] = values[-1]
        for name, items in arrays.items():
            data[name] = [v for _, v in sorted(items, key=lambda item: item[0])]
        return cls(data)

    def has(self, name: str) -> bool:
        return self.data.get(name, _MISSING) is not _MISSING

    def required(self, name: str, check: Check) -> Any:
        """A non-optional parameter: missing or null -> 'Param "x" is not optional.'."""
        value = self.data.get(name, _MISSING)
        if value is _MISSING or value is None:
            raise not_optional(name)
        return check(name, value)

    def required_nullable(self, name: str, check: Check) -> Any:
        """A non-optional parameter that may be null (e.g. ``default`` on column updates)."""
        value = self.data.get(name, _MISSING)
        if value is _MISSING:
            raise not_optional(name)
        return None if value is None else check(name, value)

    def optional(self, name: str, default: Any, check: Check) -> Any:
        """An optional parameter: missing or null -> ``default`` (which is not validated)."""
        value = self.data.get(name, _MISSING)
        if value is _MISSING or value is None:
            return default
        return check(name, value)


# -- scalar validators ------------------------------------------------------------------------
def text(max_length: int, min_length: int = 1) -> Check:
    def check(name: str, value: Any) -> str:
        if not isinstance(value, str) or not min_length <= len(value) <= max_length:
            raise argument_invalid(
                name,
                f"Value must be a valid string and at least {min_length} chars and "
                f"no longer than {max_length} chars",
            )
        return value

    return check


def boolean(name: str, value: Any) -> bool:
    # utopia's Boolean validator in loose mode also takes the strings that GET query strings carry
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false", "1", "0"):
        return value in ("true", "1")
    raise argument_invalid(name, "Value must be a valid boolean")


def integer(minimum: int = -(2**63), maximum: int = 2**63 - 1) -> Check:
    def check(name: str, value: Any) -> int:
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise argument_invalid(name, "Value must be a valid integer")
        if not minimum <= value <= maximum:
            raise argument_invalid(name, f"Value must be a valid range between {minimum:,} and {maximum:,}")
        return value

    return check


def number(name: str, value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise argument_invalid(name, "Value must be a valid float")
    return value


def whitelist(*allowed: str) -> Check:
    def check(name: str, value: Any) -> str:
        if value not in allowed:
            raise argument_invalid(name, f"Value must be one of ({', '.join(allowed)})")
        return str(value)

    return check


def any_value(name: str, value: Any) -> Any:
    return value


def json_object(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise argument_invalid(name, "Value must be a valid JSON")
    return value


def is_key(value: Any) -> bool:
    return isinstance(value, str) and bool(_KEY_RE.match(value))


def key(name: str, value: Any) -> str:
    """utopia Key / UID validator: <=36 chars of [A-Za-z0-9._-], not starting with a special char."""
    if not is_key(value):
        raise argument_invalid(name, _KEY_TEXT)
    return str(value)


def key_of(length: int) -> Check:
    """The Key validator with the adapter's own length ([uid-length]: 36 on SQL, 255 on MongoDB)."""
    if length == 36:
        return key
    pattern = re.compile(rf"^(?![._-])[A-Za-z0-9._-]{{1,{length}}}$")

    def check(name: str, value: Any) -> str:
        if not isinstance(value, str) or not pattern.match(value):
            raise argument_invalid(name, _KEY_TEXT.replace("36", str(length)))
        return value

    return check


def whitelist_any_case(*allowed: str) -> Check:
    """utopia WhiteList with ``strict: false``: compared case-insensitively, kept as sent."""
    lowered = {a.lower() for a in allowed}

    def check(name: str, value: Any) -> str:
        if not isinstance(value, str) or value.lower() not in lowered:
            raise argument_invalid(name, f"Value must be one of ({', '.join(allowed)})")
        return value

    return check


def custom_id(name: str, value: Any) -> str:
    """Appwrite CustomId: a Key, or the literal ``unique()`` for which the server makes a 20-hex id."""
    if value == "unique()":
        return f"{int(time.time() * 1000):013x}"[-13:] + secrets.token_hex(4)[:7]
    return key(name, value)


def email(name: str, value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise argument_invalid(name, "Value must be a valid email address")
    return value


def url(name: str, value: Any) -> str:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or not parts.scheme or not parts.netloc:
        raise argument_invalid(name, "Value must be a valid URL")
    return str(value)


def ip(name: str, value: Any) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise argument_invalid(name, "Value must be a valid IP address") from None
    return str(value)


def datetime_value(name: str, value: Any) -> str:
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise argument_invalid(
            name, "Value must be valid date between 0000-01-01 00:00:00 and 9999-12-31 23:59:59."
        ) from None
    if not isinstance(value, str):
        raise argument_invalid(name, "Value must be a valid string")
    return value


def array(item: Check, max_items: int = ARRAY_LIMIT) -> Check:
    """utopia ArrayList: a JSON list of at most ``max_items`` items, each passing ``item``."""

    def check(name: str, value: Any) -> list[Any]:
        if not isinstance(value, list) or len(value) > max_items:
            raise argument_invalid(name, f"Value must a valid array no longer than {max_items} items")
        return [item(name, v) for v in value]

    return check


def nullable(inner: Check) -> Check:
    def check(name: str, value: Any) -> Any:
        return None if value is None else inner(name, value)

    return check


# -- spatial defaults (utopia Spatial validator: [lon, lat] points) ---------------------------
def _point(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in value)
        and -180 <= value[0] <= 180
        and -90 <= value[1] <= 90
    )


def point(name: str, value: Any) -> list[Any]:
    if not _point(value):
        raise argument_invalid(name, "Value must be a valid point: [longitude, latitude]")
    return list(value)


def line(name: str, value: Any) -> list[Any]:
    if not isinstance(value, list) or len(value) < 2 or not all(_point(p) for p in value):
        raise argument_invalid(
            name, "Value must be a valid linestring: at least two [longitude, latitude] points"
        )
    return list(value)


def polygon(name: str, value: Any) -> list[Any]:
    # each ring is a closed line of at least four points (first point repeated at the end)
    if (
        not isinstance(value, list)
        or not value
        or not all(
            isinstance(r, list) and len(r) >= 4 and all(_point(p) for p in r) and r[0] == r[-1] for r in value
        )
    ):
        raise argument_invalid(name, "Value must be a valid polygon: closed rings of at least four points")
    return list(value)


# -- permissions (utopia Permissions / Roles validators, Permission::aggregate) ---------------
_ACTIONS = ("read", "create", "update", "delete", "write")
_VERIFICATION = ("verified", "unverified")
_LABEL_RE = re.compile(r"^[A-Za-z0-9]{1,36}$")
_TEAM_ROLE_RE = re.compile(r"^(?![._-])[A-Za-z0-9._-]{1,81}$")


def _role_error(permission: str, reason: str) -> AppwriteError:
    return argument_invalid("permissions", f'Role "{permission}" is not allowed. {reason}')


def _check_role(permission: str, role: str) -> None:
    name, _, rest = role.partition(":")
    identifier, slash, dimension = rest.partition("/") if rest else ("", "", "")
    if not rest and "/" in name:
        name, slash, dimension = name.partition("/")
    if name in ("any", "guests"):
        if rest or slash:
            raise _role_error(permission, f'Role "{name}" can not have an ID or dimension value.')
    elif name == "users":
        if rest:
            raise _role_error(permission, 'Role "users" can not have an ID value.')
        if slash and dimension not in _VERIFICATION:
            raise _role_error(permission, "Only verified and unverified dimensions are allowed.")
    elif name == "user":
        if not is_key(identifier):
            raise _role_error(permission, 'Role "user" must have a valid ID value.')
        if slash and dimension not in _VERIFICATION:
            raise _role_error(permission, "Only verified and unverified dimensions are allowed.")
    elif name == "team":
        if not is_key(identifier):
            raise _role_error(permission, 'Role "team" must have a valid ID value.')
        if slash and not _TEAM_ROLE_RE.match(dimension):
            raise _role_error(permission, "Dimension must be a valid team role.")
    elif name in ("member", "label"):
        valid = is_key(identifier) if name == "member" else bool(_LABEL_RE.match(identifier))
        if not valid:
            raise _role_error(permission, f'Role "{name}" must have a valid ID value.')
        if slash:
            raise _role_error(permission, f'Role "{name}" can not have a dimension value.')
    else:
        raise _role_error(permission, "Must be one of: any, guests, users, user, team, member, label.")


def permission_list(name: str, value: Any) -> list[str]:
    """Validate permission strings ``action("role")`` and aggregate them as the server stores them.

    ``write`` expands in place to create, update, delete; exact duplicates are dropped keeping the first
    occurrence ([permissions]).
    """
    if not isinstance(value, list) or len(value) > ARRAY_LIMIT:
        raise argument_invalid(name, f"Value must a valid array no longer than {ARRAY_LIMIT} items")
    out: list[str] = []
    for permission in value:
        if not isinstance(permission, str):
            raise argument_invalid(name, "Permission must be of type string.")
        if permission == "*":
            raise argument_invalid(name, 'Wildcard permission "*" has been replaced. Use "any" instead.')
        if "role:" in permission:
            raise argument_invalid(
                name,
                'Permissions using the "role:" prefix have been replaced. '
                'Use "users", "guests", or "any" instead.',
            )
        action, sep, rest = permission.partition('("')
        if not sep or not rest.endswith('")') or len(rest) < 3:
            raise argument_invalid(
                name, f'Permission "{permission}" is not allowed. Must be of the form action("role").'
            )
        if action not in _ACTIONS:
            raise argument_invalid(
                name, f'Action "{action}" is not allowed. Must be one of: {", ".join(_ACTIONS)}.'
            )
        role = rest[:-2]
        _check_role(permission, role)
        for expanded in ("create", "update", "delete") if action == "write" else (action,):
            canonical = f'{expanded}("{role}")'
            if canonical not in out:
                out.append(canonical)
    return out


# -- list queries -----------------------------------------------------------------------------
_FILTERS = {
    "equal",
    "notEqual",
    "lessThan",
    "lessThanEqual",
    "greaterThan",
    "greaterThanEqual",
    "isNull",
    "isNotNull",
    "startsWith",
    "endsWith",
    "contains",
    "search",
    "between",
}
_COMMON_ATTRIBUTES = ("$id", "$createdAt", "$updatedAt", "$sequence")
TOTAL_CAP = 5000  # APP_LIMIT_COUNT


@dataclass
class ListQuery:
    """Parsed ``queries[]`` of a metadata list: filters, one order, cursor, limit and offset."""

    filters: list[tuple[str, str, list[Any]]]
    order: tuple[str, bool] | None  # (attribute, descending)
    cursor: tuple[str, str] | None  # (direction "after"|"before", id)
    limit: int
    offset: int


def _query_invalid(reason: str) -> AppwriteError:
    return AppwriteError(400, "general_query_invalid", f"Invalid query: {reason}")


def parse_queries(params: Params, allowed: Sequence[str]) -> ListQuery:
    """Parse the JSON query strings the 1.9 SDKs send, e.g. ``{"method":"limit","values":[25]}``.

    ``allowed`` are the filterable attributes of this list ([pagination]); ``$id``, ``$createdAt``,
    ``$updatedAt`` and ``$sequence`` are always allowed. The default page size is 25.
    """
    raw = params.optional("queries", [], array(text(4096)))
    result = ListQuery([], None, None, 25, 0)
    attributes = set(allowed) | set(_COMMON_ATTRIBUTES)
    for item in raw:
        try:
            query = json.loads(item)
        except ValueError:
            raise _query_invalid(f"Invalid query: {item}") from None
        if not isinstance(query, dict) or not isinstance(query.get("method"), str):
            raise _query_invalid(f"Invalid query: {item}")
        method = query["method"]
        values = query.get("values", [])
        attribute = query.get("attribute", "")
        if not isinstance(values, list):
            raise _query_invalid("Values must be an array")
        if method == "limit":
            if (
                len(values) != 1
                or isinstance(values[0], bool)
                or not isinstance(values[0], int)
                or values[0] < 1
            ):
                raise _query_invalid(
                    "Invalid limit: Value must be a valid range between 1 and 9,223,372,036,854,775,807"
                )
            result.limit = values[0]
        elif method == "offset":
            if (
                len(values) != 1
                or isinstance(values[0], bool)
                or not isinstance(values[0], int)
                or values[0] < 0
            ):
                raise _query_invalid(
                    "Invalid offset: Value must be a valid range between 0 and 9,223,372,036,854,775,807"
                )
            result.offset = values[0]
        elif method in ("cursorAfter", "cursorBefore"):
            if len(values) != 1 or not isinstance(values[0], str):
                raise _query_invalid("Invalid cursor: Cursor must contain exactly one value")
            result.cursor = ("after" if method == "cursorAfter" else "before", values[0])
        elif method in ("orderAsc", "orderDesc"):
            if attribute and attribute not in attributes:
                raise _query_invalid(f"Invalid query: Attribute not found in schema: {attribute}")
            result.order = (attribute or "$sequence", method == "orderDesc")
        elif method in _FILTERS:
            if attribute not in attributes:
                raise _query_invalid(f"Invalid query: Attribute not found in schema: {attribute}")
            result.filters.append((method, attribute, values))
        else:
            raise _query_invalid(f"Invalid query method: {method}")
    return result


def _matches(method: str, actual: Any, values: list[Any]) -> bool:
    if method == "equal":
        return actual in values or (isinstance(actual, list) and any(v in actual for v in values))
    if method == "notEqual":
        return actual not in values
    if method == "isNull":
        return actual is None
    if method == "isNotNull":
        return actual is not None
    if actual is None or not values:
        return False
    v = values[0]
    try:
        if method == "lessThan":
            return bool(actual < v)
        if method == "lessThanEqual":
            return bool(actual <= v)
        if method == "greaterThan":
            return bool(actual > v)
        if method == "greaterThanEqual":
            return bool(actual >= v)
        if method == "between":
            return bool(values[0] <= actual <= values[1])
    except (TypeError, IndexError):
        return False
    text_value = str(actual)
    if method == "startsWith":
        return text_value.startswith(str(v))
    if method == "endsWith":
        return text_value.endswith(str(v))
    return any(str(x).lower() in text_value.lower() for x in values)  # contains / search


def paginate(
    items: list[dict[str, Any]],
    query: ListQuery,
    id_field: str,
    params: Params,
    search_fields: Sequence[str] = (),
) -> tuple[int, list[dict[str, Any]]]:
    """Apply search, filters, order, cursor, offset and limit to response models in storage order.

    Returns ``(total, page)``: ``total`` counts the filtered items (capped at 5000, 0 when ``total=false``).
    Search is approximated by word-prefix matching over ``search_fields`` (the server uses a MySQL
    fulltext index over ``$id`` and ``name``). An unknown cursor id is 400 ``general_cursor_not_found``.
    """
    search = params.optional("search", "", text(256, 0))
    want_total = params.optional("total", True, boolean)
    selected = items
    if search:
        terms = search.lower().split()

        def found(item: dict[str, Any]) -> bool:
            words = " ".join(str(item.get(f, "")) for f in search_fields).lower().replace("-", " ").split()
            return all(any(w.startswith(t) for w in words) for t in terms)

        selected = [i for i in selected if found(i)]
    for method, attribute, values in query.filters:
        selected = [i for i in selected if _matches(method, i.get(attribute), values)]
    if query.order and query.order[0] != "$sequence":
        attribute, descending = query.order
        selected = sorted(
            selected, key=lambda i: (i.get(attribute) is None, i.get(attribute)), reverse=descending
        )
    elif query.order and query.order[1]:
        selected = list(reversed(selected))
    total = min(len(selected), TOTAL_CAP) if want_total else 0
    page = selected
    if query.cursor:
        direction, cursor_id = query.cursor
        if not any(i.get(id_field) == cursor_id for i in items):
            raise AppwriteError(
                400,
                "general_cursor_not_found",
                f'Cursor not found: document "{cursor_id}" could not be found.',
            )
        positions = [n for n, i in enumerate(page) if i.get(id_field) == cursor_id]
        if positions:
            page = page[positions[0] + 1 :] if direction == "after" else page[: positions[0]]
        else:
            page = []
        if direction == "before":
            page = page[max(0, len(page) - query.offset - query.limit) : len(page) - query.offset]
            return total, page
    return total, page[query.offset : query.offset + query.limit]
