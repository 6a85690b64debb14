"""Collection indexes: parsing ``CREATE INDEX`` strings, their diff shape, and the SQL sent back.

PocketBase stores index strings verbatim (and rebuilds them only after a table rename), so both
sides are parsed the way the server's ``dbutils.ParseIndex`` does and compared as
``{unique, columns, where}``: quoting, keyword case, spacing and the table name do not matter.
Auth collections get two indexes from the server itself (``idx_tokenKey_<id>``, ``idx_email_<id>``);
those are implicit and never planned for deletion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from baseform.engine.resource import KindRules
from baseform.types import JSONObject

__all__ = ["INDEXES", "ParsedIndex", "is_auto_index", "parse_index"]

INDEXES = KindRules(
    "indexes",
    renamable=False,
    rename_unsupported="an index is identified by its name; write the new CREATE INDEX statement instead",
    compare_declared_only=False,
)

# the same shapes as PocketBase's tools/dbutils/index.go
_INDEX = re.compile(r"^\s*create\s+(unique\s+)?\s*index\s*(if\s+not\s+exists\s+)?(\S*)\s+on\s+(\S*)\s*\(([\s\S]*)\)"
                    r"(?:\s*where\s+([\s\S]*))?\s*;?\s*$", re.IGNORECASE)
_COLUMN = re.compile(r"^([\s\S]+?)(?:\s+collate\s+(\w+))?(?:\s+(asc|desc))?$", re.IGNORECASE)
_QUOTES = "`\"'[]"


@dataclass(frozen=True, slots=True)
class ParsedIndex:
    """One index: its name and its comparable parts. ``columns`` are canonical column terms."""

    name: str
    unique: bool
    columns: tuple[str, ...]
    where: str

    @property
    def value(self) -> JSONObject:
        """The diff value."""
        return {"unique": self.unique, "columns": list(self.columns), "where": self.where}

    def sql(self, table: str) -> str:
        """The canonical statement for ``table`` (the form PocketBase itself writes)."""
        columns = ", ".join(_quote_column(c) for c in self.columns)
        where = f" WHERE {self.where}" if self.where else ""
        return f"CREATE {'UNIQUE ' if self.unique else ''}INDEX `{self.name}` ON `{table}` ({columns}){where}"


def _split_columns(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _canonical_column(term: str) -> str:
    match = _COLUMN.match(term.strip())
    if match is None:
        return term.strip()
    name, collate, order = match.groups()
    name = name.strip()
    if "(" not in name and " " not in name:
        name = name.strip(_QUOTES)
    return name + (f" COLLATE {collate}" if collate else "") + (f" {order.upper()}" if order else "")


def _quote_column(term: str) -> str:
    name, _, rest = term.partition(" ")
    if "(" in term or (rest and not re.match(r"(COLLATE|ASC|DESC)\b", rest)):
        return term  # an expression: sent as written
    return f"`{name}`" + (f" {rest}" if rest else "")


def parse_index(text: str) -> ParsedIndex | None:
    """Parse a ``CREATE [UNIQUE] INDEX`` statement; None when it is not one."""
    match = _INDEX.match(text)
    if match is None or not match.group(3) or not match.group(5).strip():
        return None
    name = match.group(3).split(".")[-1].strip(_QUOTES)
    columns = tuple(_canonical_column(c) for c in _split_columns(match.group(5)))
    where = " ".join((match.group(6) or "").split())
    return ParsedIndex(name, bool(match.group(1)), columns, where)


def is_auto_index(name: str, collection_id: str) -> bool:
    """Whether ``name`` is one of the indexes PocketBase adds to every auth collection."""
    return name in (f"idx_tokenKey_{collection_id}", f"idx_email_{collection_id}")
