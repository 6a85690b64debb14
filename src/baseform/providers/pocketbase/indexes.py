"""Collection indexes: parsing ``CREATE INDEX`` strings, their diff shape, and the SQL sent back.

PocketBase stores index strings verbatim (and rebuilds them only after a table rename), so both
sides are parsed the way the server's ``dbutils.ParseIndex`` does and compared as
``{unique, columns, where}``: quoting, keyword case, spacing and the table name do not matter.

Auth collections always have a single-column UNIQUE index on ``tokenKey`` and one on ``email``: the
server adds one when the collection has none (``idx_tokenKey_<id>``, ``idx_email_<id>``) and refuses
to drop it. Their names vary with the server's history (``__pb_users_auth__tokenKey_idx`` before
0.23, ``idx_tokenKey_<an old id>``), so they are recognised by definition, not by name: live ones
are implicit (never planned for deletion), the server's default definitions are not exported, and a
declared one is matched to the live one of the same column whatever its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from baseform.engine.resource import KindRules
from baseform.types import JSONObject

__all__ = ["INDEXES", "ParsedIndex", "builtin_column", "is_default_builtin", "parse_index"]

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
    where = _unquote_names(" ".join((match.group(6) or "").split()))
    return ParsedIndex(name, bool(match.group(1)), columns, where)


def _unquote_names(sql: str) -> str:
    """``sql`` without the backticks around names (outside string literals): PocketBase writes
    `` `email` != '' ``, people write ``email != ''``."""
    parts = re.split(r"('(?:[^']|'')*')", sql)
    return "".join(part if part.startswith("'") else part.replace("`", "") for part in parts)


_BUILTIN = {"tokenkey": "tokenKey", "email": "email"}


def builtin_column(index: ParsedIndex, collection_type: str) -> str | None:
    """``tokenKey`` or ``email`` when ``index`` is the single-column UNIQUE index an auth collection
    must have on that system field (as the server's ``FindSingleColumnUniqueIndex`` finds it)."""
    if collection_type != "auth" or not index.unique or len(index.columns) != 1:
        return None
    name = index.columns[0].split(" COLLATE ")[0].removesuffix(" ASC").removesuffix(" DESC")
    return _BUILTIN.get(name.lower())


def is_default_builtin(index: ParsedIndex, collection_type: str) -> bool:
    """Whether ``index`` is a built-in auth index with the definition the server gives it by itself."""
    column = builtin_column(index, collection_type)
    if column is None or index.columns[0].lower() != column.lower():
        return False
    where = re.sub(r"[\"\[\]\s]", "", index.where).lower()
    return where == ("" if column == "tokenKey" else "email!=''")
