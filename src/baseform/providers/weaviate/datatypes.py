"""Property data types: the vocabulary per server version and how a ``dataType`` list is classified.

Source: weaviate/weaviate ``entities/schema/data_types.go``. A single lower-case name must
be a known type; anything else is a list of referenced class names (a cross-reference).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from baseform.providers.weaviate.names import CLASS_NAME, class_name

__all__ = ["DEPRECATED", "NESTED", "NOT_NESTABLE", "PRIMITIVE", "RANGEABLE", "TEXT", "Classified", "classify",
           "INTRODUCED", "reference_targets"]

TEXT = frozenset({"text", "text[]"})
DEPRECATED = frozenset({"string", "string[]"})
NESTED = frozenset({"object", "object[]"})
RANGEABLE = frozenset({"int", "number", "date"})
PRIMITIVE = frozenset({"text", "text[]", "int", "int[]", "number", "number[]", "boolean", "boolean[]", "date",
                       "date[]", "uuid", "uuid[]", "geoCoordinates", "phoneNumber", "blob", "blobHash"})
NOT_NESTABLE = frozenset({"geoCoordinates", "phoneNumber"}) | DEPRECATED
INTRODUCED: dict[str, tuple[int, int, int]] = {"blobHash": (1, 37, 0)}
"""Types newer than the oldest supported server, with the first version that has them."""

Kind = Literal["primitive", "deprecated", "nested", "reference", "invalid"]


@dataclass(frozen=True, slots=True)
class Classified:
    """What a ``dataType`` list is: ``kind``, the type name (or the targets), and a problem if invalid."""

    kind: Kind
    names: tuple[str, ...]
    problem: str | None = None

    @property
    def single(self) -> str:
        return self.names[0] if self.names else ""


def classify(data_type: Sequence[str]) -> Classified:
    """Classify a ``dataType`` list. Pure; ``problem`` says why it is invalid."""
    names = tuple(data_type)
    if not names:
        return Classified("invalid", names, "dataType must name at least one type")
    if len(names) == 1:
        dt = names[0]
        if dt in PRIMITIVE:
            return Classified("primitive", names)
        if dt in DEPRECATED:
            return Classified("deprecated", names)
        if dt in NESTED:
            return Classified("nested", names)
        if dt[:1].islower() or not dt:
            return Classified("invalid", names, f"unknown data type {dt!r}")
    bad = [n for n in names if not CLASS_NAME.match(class_name(n)) or n[:1].islower()]
    if bad:
        return Classified("invalid", names, f"{bad[0]!r} is neither a data type nor a valid class name "
                                            "(a cross-reference names capitalised classes)")
    return Classified("reference", names)


def reference_targets(data_type: Sequence[str]) -> tuple[str, ...]:
    """The classes a cross-reference ``dataType`` points to (empty for other types)."""
    c = classify(data_type)
    return c.names if c.kind == "reference" else ()
