"""View queries read without a database: the collections they name, and names that cannot exist. Pure.

PocketBase creates a view collection's SQL view when it saves it, so a query naming a table that does
not exist, or a column a collection does not have, fails only then (``no such table``/``no such
column``), and inside one import a view that reads another view must come after it. This module
tokenizes the SQLite query (comments, strings and quoted names skipped properly) and finds:

* the tables of every ``FROM``/``JOIN`` source list (subqueries, table-valued functions such as
  ``json_each(...)`` and the query's own ``WITH`` names excluded), and the aliases they get;
* qualified column references ``alias.column``.

It never parses SQL fully, so it reports only what is certain: a table that is neither a known
collection nor an internal table, and ``alias.column`` where the alias stands for exactly one known
collection (not a view) that has no such column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from baseform.manifest.models import did_you_mean
from baseform.providers.pocketbase.catalog import Catalog

__all__ = ["ViewQuery", "read_view_query", "view_problems"]

_KEYWORDS = frozenset("""
    abort action add after all alter always analyze and as asc attach autoincrement before begin between by
    cascade case cast check collate column commit conflict constraint create cross current current_date
    current_time current_timestamp database default deferrable deferred delete desc detach distinct do drop
    each else end escape except exclude exclusive exists explain fail filter first following for foreign from
    full generated glob group groups having if ignore immediate in index indexed initially inner insert instead
    intersect into is isnull join key last left like limit match materialized natural no not nothing notnull
    null nulls of offset on or order others outer over partition plan pragma preceding primary query raise
    range recursive references regexp reindex release rename replace restrict returning right rollback row
    rows savepoint select set table temp temporary then ties to transaction trigger unbounded union unique
    update using vacuum values view virtual when where window with without
""".split())
"""SQLite's keywords: a word after a table that is one of these is not its alias."""

_PSEUDO_COLUMNS = frozenset({"rowid", "oid", "_rowid_"})


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # word, quoted, punct, other
    text: str
    offset: int

    @property
    def name(self) -> str:
        return self.text.lower()

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.name in words

    @property
    def is_name(self) -> bool:
        return self.kind == "quoted" or (self.kind == "word" and self.name not in _KEYWORDS)


_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_$\u0080-\U0010ffff]*")
_NUMBER = re.compile(r"(?:\d[\dA-Za-z_]*(?:\.[\dA-Za-z_]*)?|\.\d[\dA-Za-z_]*)(?:[eE][+-]?\d+)?")
_CLOSERS = {'"': '"', "`": "`", "[": "]"}


def _tokens(query: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if (space := _SPACE.match(query, i)) is not None:
            i = space.end()
        elif query.startswith("--", i):
            end = query.find("\n", i)
            i = n if end < 0 else end + 1
        elif query.startswith("/*", i):
            end = query.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif ch == "'":
            j = i + 1
            while j < n and (query[j] != "'" or query.startswith("''", j)):
                j += 2 if query.startswith("''", j) else 1
            out.append(_Token("other", query[i:j + 1], i))
            i = j + 1
        elif ch in _CLOSERS:
            close = _CLOSERS[ch]
            j = query.find(close, i + 1)
            j = n if j < 0 else j
            out.append(_Token("quoted", query[i + 1:j], i))
            i = j + 1
        elif (number := _NUMBER.match(query, i)) is not None and (ch.isdigit() or ch == "."):
            out.append(_Token("other", number.group(), i))
            i = number.end()
        elif (word := _WORD.match(query, i)) is not None:
            out.append(_Token("word", word.group(), i))
            i = word.end()
        else:
            out.append(_Token("punct", ch, i))
            i += 1
    return out


@dataclass(frozen=True, slots=True)
class ViewQuery:
    """What a query names: ``tables`` (name, offset) of its sources, ``columns`` (qualifier, column,
    offset) of its qualified references, ``aliases`` (lower-case name -> the lower-case tables it may
    stand for, "" for a subquery or function) and its own ``WITH`` names (lower case)."""

    tables: tuple[tuple[str, int], ...]
    columns: tuple[tuple[str, str, int], ...]
    aliases: dict[str, frozenset[str]]
    own_names: frozenset[str]

    @property
    def collections(self) -> frozenset[str]:
        """Lower-case names of the tables it reads that are not its own ``WITH`` names."""
        return frozenset(t.lower() for t, _ in self.tables if t.lower() not in self.own_names)


def _skip_group(tokens: list[_Token], i: int) -> int:
    """The index after the parenthesised group starting at ``tokens[i]`` (``(``)."""
    depth = 0
    while i < len(tokens):
        t = tokens[i]
        if t.kind == "punct" and t.text == "(":
            depth += 1
        elif t.kind == "punct" and t.text == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _punct(tokens: list[_Token], i: int, text: str) -> bool:
    return 0 <= i < len(tokens) and tokens[i].kind == "punct" and tokens[i].text == text


class _Reader:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.tables: list[tuple[str, int]] = []
        self.aliases: dict[str, set[str]] = {}

    def bind(self, name: str, table: str) -> None:
        self.aliases.setdefault(name.lower(), set()).add(table.lower())

    def alias(self, i: int, table: str) -> int:
        """Reads an optional ``[AS] alias`` at ``i``; returns the index after it."""
        tokens = self.tokens
        if i < len(tokens) and tokens[i].is_word("as") and i + 1 < len(tokens):
            self.bind(tokens[i + 1].text, table)
            return i + 2
        if i < len(tokens) and tokens[i].is_name:
            self.bind(tokens[i].text, table)
            return i + 1
        return i

    def sources(self, i: int, many: bool) -> None:
        """Reads the source list after FROM (``many``) or the one source after JOIN, at ``i``."""
        tokens = self.tokens
        while i < len(tokens):
            t = tokens[i]
            if _punct(tokens, i, "("):
                i = self.alias(_skip_group(tokens, i), "")  # a subquery: its own FROMs are read anyway
            elif t.is_name or t.kind == "quoted":
                if _punct(tokens, i + 1, ".") and i + 2 < len(tokens) and tokens[i + 2].kind in ("word", "quoted"):
                    i += 2  # schema.table
                    t = tokens[i]
                if _punct(tokens, i + 1, "("):
                    i = self.alias(_skip_group(tokens, i + 1), "")  # json_each(...), pragma_table_info(...)
                else:
                    self.tables.append((t.text, t.offset))
                    self.bind(t.text, t.text)
                    i = self.alias(i + 1, t.text)
            else:
                return
            if not (many and _punct(tokens, i, ",")):
                return
            i += 1


def read_view_query(query: str) -> ViewQuery:
    """The tables, aliases and qualified columns ``query`` names (never raises)."""
    tokens = _tokens(query)
    reader = _Reader(tokens)
    own: set[str] = set()
    for i, t in enumerate(tokens):
        if t.is_word("from"):
            # "a IS [NOT] DISTINCT FROM b" compares values; it is not a source list
            if i >= 2 and tokens[i - 1].is_word("distinct") and tokens[i - 2].is_word("is", "not"):
                continue
            reader.sources(i + 1, many=True)
        elif t.is_word("join"):
            reader.sources(i + 1, many=False)
        elif t.kind in ("word", "quoted") and i + 2 < len(tokens):
            # "name [(columns)] AS [NOT] [MATERIALIZED] (": a WITH name (or a WINDOW name)
            j = _skip_group(tokens, i + 1) if _punct(tokens, i + 1, "(") else i + 1
            if j < len(tokens) and tokens[j].is_word("as"):
                k = j + 1
                while k < len(tokens) and tokens[k].is_word("not", "materialized"):
                    k += 1
                if _punct(tokens, k, "("):
                    own.add(t.name)
    columns = []
    for i in range(len(tokens) - 2):
        a, b = tokens[i], tokens[i + 2]
        # "a.b" alone: not part of "schema.table.column", not a call
        lone = not _punct(tokens, i - 1, ".") and not _punct(tokens, i + 3, ".") and not _punct(tokens, i + 3, "(")
        if a.kind in ("word", "quoted") and _punct(tokens, i + 1, ".") and b.kind in ("word", "quoted") and lone:
            columns.append((a.text, b.text, b.offset))
    return ViewQuery(tuple(reader.tables), tuple(columns),
                     {k: frozenset(v) for k, v in reader.aliases.items()}, frozenset(own))


_INTERNAL = re.compile(r"^(_|sqlite_|pragma_)", re.IGNORECASE)


def view_problems(query: str, catalog: Catalog) -> list[tuple[int, str]]:
    """What the server would refuse in a view query: (offset, message) pairs; empty when unsure."""
    read = read_view_query(query)
    problems: list[tuple[int, str]] = []
    for table, offset in read.tables:
        if table.lower() in read.own_names or _INTERNAL.match(table) or not catalog.complete:
            continue
        if catalog.find(table) is None:
            names = [c.name for c in catalog.collections]
            problems.append((offset, f"there is no collection (table) {table!r}{did_you_mean(table, names)}"))
    for qualifier, column, offset in read.columns:
        tables = read.aliases.get(qualifier.lower())
        if tables is None or len(tables) != 1 or column == "*" or column.lower() in _PSEUDO_COLUMNS:
            continue
        [table] = tables
        found = catalog.find(table) if table and table not in read.own_names else None
        if found is None or found.fields is None:
            continue
        if column.lower() not in {f.lower() for f in found.fields}:
            problems.append((offset, f"{found.name!r} has no column {column!r}"
                                     f"{did_you_mean(column, sorted(found.fields))} (in {qualifier}.{column}; "
                                     "a view's query is not rewritten when a field is renamed)"))
    return problems
