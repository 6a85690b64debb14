"""SATS (SpacetimeDB's type system) as the emulator needs it: algebraic types in their JSON form, the
type formatting and memory layout the migration rules use, BSATN values of column defaults, hashes.

Types are kept exactly as the JSON of ``GET /v1/database/:name/schema?version=9`` writes them:
``{"U32": []}``, ``{"Ref": 0}``, ``{"Array": <type>}``, ``{"Product": {"elements": [...]}}``,
``{"Sum": {"variants": [...]}}`` with ``{"name": {"some": "x"} | {"none": []}, "algebraic_type": ...}``.

Sources (clockworklabs/SpacetimeDB@v2.8.3): crates/sats/src/algebraic_type/fmt.rs (formatting),
crates/sats/src/layout.rs (sizes and alignments), crates/sats/src/hash.rs (Keccak-256 module hashes,
u256 serialised as a ``0x`` quantity by ethnum's serde), crates/lib/src/identity.rs.
"""

from __future__ import annotations

import struct
from typing import Any

from Crypto.Hash import keccak

JsonType = dict[str, Any]

PRIMITIVES = ("Bool", "I8", "U8", "I16", "U16", "I32", "U32", "I64", "U64", "I128", "U128", "I256", "U256",
              "F32", "F64", "String")
_SIZES = {"Bool": 1, "I8": 1, "U8": 1, "I16": 2, "U16": 2, "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8,
          "F64": 8, "I128": 16, "U128": 16, "I256": 32, "U256": 32}
# layout.rs VAR_LEN_REF_LAYOUT: strings and arrays are stored out of line behind a 4-byte reference
_VAR_LEN = (4, 2)


class TypeError_(ValueError):
    """A type that is not well formed (the emulator answers it like an invalid module)."""


def kind(ty: Any) -> str:
    """The variant name of a type (``"U32"``, ``"Ref"``, ``"Product"``...)."""
    if not isinstance(ty, dict) or len(ty) != 1:
        raise TypeError_(f"not an AlgebraicType: {ty!r}")
    (name,) = ty
    if name not in (*PRIMITIVES, "Ref", "Array", "Product", "Sum"):
        raise TypeError_(f"unknown AlgebraicType variant {name!r}")
    return str(name)


def option_value(value: Any) -> Any:
    """``{"some": x}`` -> x, ``{"none": []}`` -> None (SATS-JSON options)."""
    if isinstance(value, dict) and set(value) == {"some"}:
        return value["some"]
    if isinstance(value, dict) and set(value) == {"none"}:
        return None
    raise TypeError_(f"not an option: {value!r}")


def option(value: Any) -> dict[str, Any]:
    return {"none": []} if value is None else {"some": value}


def members(ty: JsonType) -> list[dict[str, Any]]:
    """The elements of a product or the variants of a sum."""
    k = kind(ty)
    key = "elements" if k == "Product" else "variants"
    items = ty[k].get(key) if isinstance(ty[k], dict) else None
    if not isinstance(items, list):
        raise TypeError_(f"{k} without {key}")
    return items


def member_name(member: dict[str, Any]) -> str | None:
    name = option_value(member.get("name"))
    return None if name is None else str(name)


def resolve(ty: JsonType, typespace: list[JsonType], seen: frozenset[int] = frozenset()) -> JsonType:
    """``ty`` with every ``Ref`` replaced by the type it points at (``WithTypespace::resolve_refs``)."""
    k = kind(ty)
    if k == "Ref":
        ref = ty["Ref"]
        if not isinstance(ref, int) or not 0 <= ref < len(typespace):
            raise TypeError_(f"type reference {ref!r} is not in the typespace")
        if ref in seen:
            raise TypeError_(f"type reference {ref} is recursive")
        return resolve(typespace[ref], typespace, seen | {ref})
    if k == "Array":
        return {"Array": resolve(ty["Array"], typespace, seen)}
    if k in ("Product", "Sum"):
        key = "elements" if k == "Product" else "variants"
        return {k: {key: [{"name": m.get("name", {"none": []}),
                           "algebraic_type": resolve(m["algebraic_type"], typespace, seen)} for m in members(ty)]}}
    return ty


def fmt(ty: JsonType) -> str:
    """``fmt_algebraic_type``: ``U32``, ``Array<String>``, ``(a: U8, b: String)``, ``(A: U8 | B: ())``."""
    k = kind(ty)
    if k == "Ref":
        return str(ty["Ref"])
    if k == "Array":
        return f"Array<{fmt(ty['Array'])}>"
    if k == "Product":
        parts = [f"{member_name(e) if member_name(e) is not None else i}: {fmt(e['algebraic_type'])}"
                 for i, e in enumerate(members(ty))]
        return "(" + ", ".join(parts) + ")"
    if k == "Sum":
        variants = members(ty)
        if not variants:
            return "(|)"
        parts = [(f"{member_name(v)}: " if member_name(v) is not None else "") + fmt(v["algebraic_type"])
                 for v in variants]
        return "(" + " | ".join(parts) + ")"
    return k


def _align_to(offset: int, align: int) -> int:
    return offset if align == 0 else (offset + align - 1) // align * align


def layout(ty: JsonType) -> tuple[int, int]:
    """(size, align) of a resolved type as the table store lays it out (layout.rs)."""
    k = kind(ty)
    if k in _SIZES:
        return _SIZES[k], _SIZES[k]
    if k in ("String", "Array"):
        return _VAR_LEN
    if k == "Product":
        offset, max_align = 0, 1
        for e in members(ty):
            size, align = layout(e["algebraic_type"])
            offset = _align_to(offset, align) + size
            max_align = max(max_align, align)
        return _align_to(offset, max_align), max_align
    if k == "Sum":
        max_size, max_align = 0, 0
        for v in members(ty):
            size, align = layout(v["algebraic_type"])
            max_size, max_align = max(max_size, size), max(max_align, align)
        align = max(max_align, 1)  # the tag fits inside the alignment
        return align + _align_to(max_size, max_align), align
    raise TypeError_(f"layout of an unresolved {k}")


def is_schedule_at(ty: JsonType) -> bool:
    """``ScheduleAt``: the sum ``(Interval: (__time_duration_micros__: I64) | Time: (...: I64))``."""
    if kind(ty) != "Sum":
        return False
    names = [member_name(v) for v in members(ty)]
    return names == ["Interval", "Time"]


# -- BSATN values (column defaults) -----------------------------------------------------------

_INT_FORMATS = {"I8": "<b", "U8": "<B", "I16": "<h", "U16": "<H", "I32": "<i", "U32": "<I", "I64": "<q",
                "U64": "<Q", "F32": "<f", "F64": "<d"}


def decode_default(ty: JsonType, data: bytes) -> Any:
    """A BSATN-encoded default value of a primitive or string column, as a Python value.

    Raises TypeError_ for other column types: the emulator models defaults of those only.
    """
    k = kind(ty)
    if k == "Bool":
        if data not in (b"\x00", b"\x01"):
            raise TypeError_("a Bool default must be one byte 0 or 1")
        return data == b"\x01"
    if k in _INT_FORMATS:
        fmt_ = _INT_FORMATS[k]
        if len(data) != struct.calcsize(fmt_):
            raise TypeError_(f"a {k} default must be {struct.calcsize(fmt_)} bytes")
        return struct.unpack(fmt_, data)[0]
    if k in ("I128", "U128", "I256", "U256"):
        if len(data) != _SIZES[k]:
            raise TypeError_(f"a {k} default must be {_SIZES[k]} bytes")
        return int.from_bytes(data, "little", signed=k.startswith("I"))
    if k == "String":
        if len(data) < 4 or int.from_bytes(data[:4], "little") != len(data) - 4:
            raise TypeError_("a String default must be a u32 length and that many UTF-8 bytes")
        return data[4:].decode()
    raise TypeError_(f"the emulator models defaults of primitive and String columns only, not {fmt(ty)}")


def debug_value(ty: JsonType, value: Any) -> str:
    """Rust's pretty ``{:#?}`` of an ``AlgebraicValue`` holding ``value`` (e.g. ``U32(\\n    5,\\n)``)."""
    k = kind(ty)
    if k == "String":
        inner = '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif k == "Bool":
        inner = "true" if value else "false"
    elif k in ("F32", "F64"):
        inner = repr(float(value))
    else:
        inner = str(value)
    return f"{k}(\n    {inner},\n)"


# -- hashes and 256-bit quantities -------------------------------------------------------------

def keccak256(data: bytes) -> bytes:
    """``hash_bytes``: Keccak-256 (the pre-standard padding, not SHA3-256)."""
    return keccak.new(data=data, digest_bits=256).digest()


def u256_quantity(value: int) -> str:
    """A u256 as ethnum's serde writes it: ``0x`` and lowercase hex without leading zeros."""
    return hex(value)


def hash_quantity(digest: bytes) -> str:
    """A ``Hash`` in SATS/serde JSON: its 32 bytes read as a little-endian u256, as a quantity."""
    return u256_quantity(int.from_bytes(digest, "little"))


def parse_quantity(text: str) -> int:
    """A u256 from a query string: ``0x`` hex or decimal (ethnum's default deserialisation)."""
    text = text.strip()
    if text.lower().startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)
