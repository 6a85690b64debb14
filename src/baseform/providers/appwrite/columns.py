"""Columns: the type table, the diff shape of a column (from the manifest and from the server), the
create/update request bodies, and the export form.

One table, :data:`TYPES`, says everything type-dependent: the server's stored ``type``/``format``, the
create route, the inline create name, which keys apply, fixed sizes and the first server version.
The diff shape uses the manifest/route type name (``float``, ``line``, ``email``) so a change reads
``type varchar -> text``; the server's ``double``/``linestring``/``string``+``email`` are mapped to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.operation import Operation
from baseform.engine.resource import KindRules, LiveState
from baseform.providers.appwrite import calls
from baseform.providers.appwrite.models import ColumnSpec
from baseform.providers.appwrite.versions import CLOUD_API, Version, at_least, inline_types
from baseform.types import JSONObject

__all__ = ["COLUMNS", "FLOAT_MAX", "INT32_MAX", "INT_MAX", "INT_MIN", "STRING_TYPES", "TYPES", "ColumnTypeInfo",
           "can_inline", "create_body", "desired_value", "export_entry", "inline_body", "integer_width",
           "is_counterpart", "is_known", "live_value", "operations", "relationship_path", "type_of_live",
           "update_body"]

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
INT32_MAX = 2**31 - 1
FLOAT_MAX = 1.7976931348623157e308  # PHP_FLOAT_MAX: what the server stores for an omitted float bound


@dataclass(frozen=True, slots=True)
class ColumnTypeInfo:
    """What one manifest column type means to the server.

    ``inline`` is the type name in create-table ``columns`` (None: never inline; the formatted strings
    go as ``string`` with their ``format`` and ``fixed_size``, which every inline version takes);
    ``fixed_size`` the size the server gives a type that takes none; ``sized`` types require ``size``.
    """

    name: str
    stored: str
    format: str = ""
    inline: str | None = None
    fixed_size: int | None = None
    sized: bool = False
    encryptable: bool = False
    numeric: bool = False
    spatial: bool = False
    since: Version = (1, 8, 0)

    @property
    def bounds(self) -> tuple[float, float]:
        """The stored ``min``/``max`` when the manifest leaves them out."""
        return (-FLOAT_MAX, FLOAT_MAX) if self.name == "float" else (INT_MIN, INT_MAX)


def _t(name: str, stored: str | None = None, **kw: object) -> ColumnTypeInfo:
    inline = kw.pop("inline", name)
    return ColumnTypeInfo(name, stored or name, inline=inline, **kw)  # type: ignore[arg-type]


TYPES: dict[str, ColumnTypeInfo] = {t.name: t for t in (
    _t("varchar", sized=True, encryptable=True, since=(1, 9, 0)),
    _t("text", fixed_size=65535, encryptable=True, since=(1, 9, 0)),
    _t("mediumtext", fixed_size=16777215, encryptable=True, since=(1, 9, 0)),
    _t("longtext", fixed_size=2147483647, encryptable=True, since=(1, 9, 0)),
    _t("string", sized=True, encryptable=True),
    _t("email", "string", format="email", fixed_size=254, inline="string"),
    _t("url", "string", format="url", fixed_size=2000, inline="string"),
    _t("ip", "string", format="ip", fixed_size=39, inline="string"),
    _t("enum", "string", format="enum", fixed_size=255, inline="string"),
    _t("integer", format="intRange", numeric=True),
    _t("bigint", format="bigintRange", numeric=True, since=(1, 9, 5)),
    _t("float", "double", format="floatRange", numeric=True, inline="double"),
    _t("boolean"),
    _t("datetime", format="datetime"),
    _t("point", spatial=True),
    _t("line", "linestring", spatial=True, inline="linestring"),
    _t("polygon", spatial=True),
    _t("relationship", inline=None),
)}

STRING_TYPES = frozenset(n for n, t in TYPES.items() if t.stored in ("string", "varchar", "text", "mediumtext",
                                                                      "longtext"))
RELATIONSHIP_KEYS = ("relatedTable", "relationType", "twoWay", "twoWayKey", "onDelete")

def _server_defaults(info: ColumnTypeInfo) -> JSONObject:
    """What the server stores for the settings a column of this type leaves out."""
    if info.name == "relationship":
        return {"twoWay": False, "onDelete": "restrict"}
    defaults: JSONObject = {"required": False, "array": False, "default": None}
    if info.encryptable:
        defaults["encrypt"] = False
    if info.numeric:
        defaults["min"], defaults["max"] = info.bounds
    return defaults


COLUMNS = KindRules(
    "columns",
    replace_on=frozenset({"type", "array", "encrypt", *RELATIONSHIP_KEYS} - {"onDelete"}),
    renamable=True,
    rename_field="key",
    data_loss="its value in every row",
    narrowing={"size": "max", "max": "max", "min": "min", "elements": "values"},
    type_key="type",
    type_defaults={name: _server_defaults(info) for name, info in TYPES.items()},
)


# (stored type, format of a string) -> manifest type: the first of TYPES that stores as it (looked up
# twice for each of thousands of live columns)
_BY_STORED: dict[tuple[str, str], str] = {}
for _info in TYPES.values():
    _BY_STORED.setdefault((_info.stored, _info.format if _info.stored == "string" else ""), _info.name)


def type_of_live(raw: JSONObject) -> str:
    """The manifest type of a server column (``string`` + format ``email`` -> ``email``); a type or
    string format baseform does not know is named as the server does (``vector``, ``string/phone``)."""
    stored, fmt = raw.get("type"), raw.get("format") or ""
    shown = fmt if stored == "string" else ""
    found = _BY_STORED.get((stored, shown)) if isinstance(stored, str) and isinstance(shown, str) else None
    if found is not None:
        return found
    return f"{stored}/{fmt}" if stored == "string" else str(stored)


def is_known(raw: JSONObject) -> bool:
    """Whether baseform knows the column's type (a newer server may have others)."""
    return type_of_live(raw) in TYPES


def _bound(value: object, floating: bool) -> object:
    # a pulled config may write PHP_FLOAT_MAX as its 309-digit integer literal; PHP reads both as one float
    return float(value) if floating and isinstance(value, int | float) and not isinstance(value, bool) else value


def _value(key: str, type_name: str, fields: JSONObject) -> JSONObject:
    """The diff shape: exactly the keys that apply to the type, in one order."""
    info = TYPES.get(type_name)
    value: JSONObject = {"key": key, "type": type_name}
    if type_name == "relationship":
        value.update({k: fields.get(k) for k in RELATIONSHIP_KEYS})
        return value
    value.update(required=bool(fields.get("required")), array=bool(fields.get("array")),
                 default=fields.get("default"))
    if info is None:
        return value
    if info.sized:
        value["size"] = fields.get("size")
    if info.encryptable:
        value["encrypt"] = bool(fields.get("encrypt"))
    if info.numeric:
        low, high = info.bounds
        value["min"] = low if fields.get("min") is None else _bound(fields["min"], type_name == "float")
        value["max"] = high if fields.get("max") is None else _bound(fields["max"], type_name == "float")
    if type_name == "enum":
        value["elements"] = sorted(fields.get("elements") or [])
    return value


def desired_value(spec: ColumnSpec, table_id: str) -> JSONObject:
    """The manifest column in the diff shape (server defaults filled in; ``description`` only when
    declared: left out means keep). Pure."""
    # the model's own field values (plain JSON values: no nested models), read in place: without
    # model_dump's cost, and without a copy (_value reads only the keys that apply)
    fields: JSONObject = vars(spec)
    if spec.type == "relationship":
        fields = {**fields, "twoWayKey": spec.twoWayKey or table_id}  # the server's default
    value = _value(spec.key, spec.type, fields)
    if spec.description is not None:
        value["description"] = spec.description
    return value


def live_value(raw: JSONObject) -> JSONObject:
    """A server column (from a table's ``columns``) in the diff shape. Pure."""
    value = _value(str(raw["key"]), type_of_live(raw), raw)
    if isinstance(raw.get("description"), str):
        value["description"] = raw["description"]
    return value


def is_counterpart(raw: JSONObject) -> bool:
    """The column a two-way relationship created on the related table (managed with its parent)."""
    return raw.get("type") == "relationship" and raw.get("side") == "child"


def _type_fields(value: JSONObject) -> JSONObject:
    """Type-specific fields of a value as the create endpoints take them (size, bounds...)."""
    return {k: value[k] for k in ("size", "min", "max", "elements", "encrypt") if k in value}


def create_body(value: JSONObject) -> JSONObject:
    """Body of ``POST .../columns/{type}`` for a column value."""
    if value["type"] == "relationship":
        body: JSONObject = {"relatedTableId": value["relatedTable"], "type": value["relationType"],
                            "twoWay": value["twoWay"], "key": value["key"], "twoWayKey": value["twoWayKey"],
                            "onDelete": value["onDelete"]}
    else:
        body = {"key": value["key"], "required": value["required"]}
        if value["default"] is not None:
            body["default"] = value["default"]
        if not TYPES[value["type"]].spatial:
            body["array"] = value["array"]
        body.update(_type_fields(value))
    if value.get("description"):
        body["description"] = value["description"]
    return body


def integer_width(value: JSONObject) -> int:
    """Bytes the server gives an integer column: 8 when ``max`` is above 2^31-1 (an omitted max is
    2^63-1), else 4, as the integer endpoint decides (emulator FIDELITY.md [integer-width])."""
    return 8 if int(value["max"]) > INT32_MAX else 4


def inline_body(value: JSONObject) -> JSONObject:
    """A create-table ``columns`` entry (server >= 1.9.0); None-valued keys are left out.

    An email/url/ip/enum column goes as a ``string`` with its ``format`` and fixed size (1.9.x has no
    shorthand types inline); an integer carries the ``size`` the integer endpoint would pick, as an
    inline integer is otherwise a 4-byte INT whatever its ``max`` ([inline-integer-size])."""
    info = TYPES[value["type"]]
    body: JSONObject = {"type": info.inline, **create_body(value)}
    body.pop("encrypt", None)  # no inline encrypt: such columns are created one by one
    if info.stored == "string" and info.format:
        body.update(format=info.format, size=info.fixed_size)
    if value["type"] == "integer":
        body["size"] = integer_width(value)
    return body


def can_inline(value: JSONObject, version: Version) -> bool:
    """Whether this server's create-table takes the column inline (emulator FIDELITY.md [inline-types])."""
    info = TYPES.get(value["type"])
    # inline objects have no encrypt or description (Collections/Create.php builds the column without them)
    return (info is not None and info.inline is not None and value["type"] in inline_types(version)
            and not value.get("encrypt") and not value.get("description"))


def update_body(value: JSONObject, old_key: str) -> JSONObject:
    """Body of the PATCH update. ``required`` and ``default`` are always sent (the server requires
    both); ``newKey`` only for a rename."""
    if value["type"] == "relationship":
        body: JSONObject = {"onDelete": value["onDelete"]}
    else:
        body = {"required": value["required"], "default": value["default"]}
        body.update({k: value[k] for k in ("size", "min", "max", "elements") if k in value})
    if value["key"] != old_key:
        body["newKey"] = value["key"]
    if "description" in value:
        body["description"] = value["description"]
    return body


def export_entry(value: JSONObject, table_id: str) -> JSONObject:
    """The manifest form of a live column value: defaults left out, keys in manifest order. Pure."""
    out: JSONObject = {"key": value["key"], "type": value["type"]}
    info = TYPES.get(value["type"])
    if value["type"] == "relationship":
        out["relatedTable"] = value["relatedTable"]
        out["relationType"] = value["relationType"]
        if value.get("twoWay"):
            out["twoWay"] = True
        if value.get("twoWayKey") and value["twoWayKey"] != table_id:
            out["twoWayKey"] = value["twoWayKey"]
        if value.get("onDelete") not in (None, "restrict"):
            out["onDelete"] = value["onDelete"]
        if value.get("description"):
            out["description"] = value["description"]
        return out
    if value.get("required"):
        out["required"] = True
    if value.get("default") is not None:
        out["default"] = value["default"]
    if value.get("array"):
        out["array"] = True
    if "size" in value:
        out["size"] = value["size"]
    if info is not None and info.numeric:
        low, high = info.bounds
        if value["min"] != low:
            out["min"] = value["min"]
        if value["max"] != high:
            out["max"] = value["max"]
    if "elements" in value:
        out["elements"] = value["elements"]
    if value.get("encrypt"):
        out["encrypt"] = True
    if value.get("description"):
        out["description"] = value["description"]
    return out


def _route(address: Address, type_name: str) -> str:
    return f"{calls.collection_path(address)}/{type_name}"


def relationship_path(address: Address, key: str, version: Version) -> str:
    """The relationship update route: ``{key}/relationship`` on every self-hosted version read,
    ``relationship/{key}`` on the Cloud API (emulator FIDELITY.md [relationship-route])."""
    if at_least(version, CLOUD_API):
        return f"{calls.collection_path(address)}/relationship/{key}"
    return calls.object_path(address, key) + "/relationship"


def operations(change: Change, live: LiveState, version: Version) -> list[Operation]:
    """Calls of one column change. Deletes wait until the key is gone (it stays ``deleting`` for a
    while and a recreate would meet 409); creates wait until ``available``; updates are
    synchronous PATCHes on the route of the live type (the server does not check it matches)."""
    a = change.address
    old = change.renamed_from or a
    ops: list[Operation] = []
    if change.action in (Action.DELETE, Action.REPLACE):
        ops.append(calls.delete(a, calls.object_path(a, old.name), wait_gone=True))
        counterpart = _counterpart(old, live)
        if counterpart is not None:
            ops.append(calls.wait_gone(a, calls.object_path(counterpart), f"two-way counterpart {counterpart}"))
    if change.action in (Action.CREATE, Action.REPLACE):
        assert change.after is not None
        ops.append(calls.create(a, _route(a, change.after["type"]), create_body(change.after), change.after,
                                wait=calls.wait_available(a)))
    if change.action is Action.UPDATE:
        assert change.after is not None and change.before is not None
        body = update_body(change.after, old.name)
        note = f"rename {old.name} -> {a.name}" if old != a else ""
        if change.before["type"] == "relationship":
            path = relationship_path(a, old.name, version)
        else:
            path = f"{_route(a, change.before['type'])}/{old.name}"
        ops.append(calls.update(a, "PATCH", path, body, note))
    return ops


def _counterpart(address: Address, live: LiveState) -> Address | None:
    """The live counterpart column of a two-way relationship at ``address`` (deleted with it)."""
    found = live.resources.get(address)
    raw = found.raw if found is not None else None
    if not isinstance(raw, dict) or raw.get("type") != "relationship" or not raw.get("twoWay"):
        return None
    table = address.parent
    assert table is not None and table.parent is not None
    other = table.parent.child("tables", str(raw.get("relatedTable"))).child("columns", str(raw.get("twoWayKey")))
    return other if other in live.resources else None
