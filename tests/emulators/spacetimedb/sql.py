"""A small part of ``POST /v1/database/:name/sql``: enough to put rows in and read them back.

Supported: ``SELECT * | col, ... FROM table`` and ``INSERT INTO table [(col, ...)] VALUES (...), ...``
with integer, float, string (``'it''s'``) and boolean literals, on user tables and the public system
table ``st_module`` (its ``program_hash``). The answer has the server's shape: a list of
``{"schema", "rows", "total_duration_micros", "stats"}`` (crates/client-api-messages/src/http.rs).
Anything else is refused with a 400 that says it is an emulator limitation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .module import Module, Table
from .sats import JsonType, kind, option

_INT_RANGES = {"I8": (-(2**7), 2**7), "U8": (0, 2**8), "I16": (-(2**15), 2**15), "U16": (0, 2**16),
               "I32": (-(2**31), 2**31), "U32": (0, 2**32), "I64": (-(2**63), 2**63), "U64": (0, 2**64),
               "I128": (-(2**127), 2**127), "U128": (0, 2**128), "I256": (-(2**255), 2**255), "U256": (0, 2**256)}
_SELECT = re.compile(r"^\s*select\s+(?P<cols>\*|[\w\s,]+?)\s+from\s+(?P<table>\w+)\s*;?\s*$", re.I | re.S)
_INSERT = re.compile(r"^\s*insert\s+into\s+(?P<table>\w+)\s*(\((?P<cols>[\w\s,]*)\))?\s*values\s*(?P<rows>.+?);?\s*$",
                     re.I | re.S)
_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<word>\w+)|(?P<punct>[(),]))")


class SqlError(ValueError):
    """A statement the emulator refuses (400, plain text)."""


@dataclass
class Data:
    """The rows of one database, per table name, in column order; and the sequences' next values."""

    rows: dict[str, list[list[Any]]] = field(default_factory=dict)
    next_value: dict[str, int] = field(default_factory=dict)


def _literals(text: str) -> list[list[Any]]:
    pos, tokens = 0, []
    while pos < len(text.rstrip()):
        m = _TOKEN.match(text, pos)
        if not m:
            raise SqlError(f"cannot read the VALUES list near {text[pos:pos + 20]!r}")
        pos = m.end()
        if m["str"] is not None:
            tokens.append(("v", m["str"][1:-1].replace("''", "'")))
        elif m["num"] is not None:
            tokens.append(("v", float(m["num"]) if "." in m["num"] else int(m["num"])))
        elif m["word"] is not None and m["word"].lower() in ("true", "false"):
            tokens.append(("v", m["word"].lower() == "true"))
        elif m["punct"] is not None:
            tokens.append(("p", m["punct"]))
        else:
            raise SqlError(f"unsupported literal {m['word']!r}")
    rows: list[list[Any]] = []
    i = 0
    while i < len(tokens):
        if tokens[i] != ("p", "("):
            raise SqlError("VALUES rows are written (value, ...), (value, ...)")
        row, i = [], i + 1
        while i < len(tokens) and tokens[i] != ("p", ")"):
            if tokens[i][0] != "v":
                raise SqlError("VALUES rows hold literals separated by commas")
            row.append(tokens[i][1])
            i += 1
            if i < len(tokens) and tokens[i] == ("p", ","):
                i += 1
        rows.append(row)
        i += 1
        if i < len(tokens) and tokens[i] == ("p", ","):
            i += 1
    return rows


def _check_value(table: Table, col: int, value: Any) -> Any:
    column = table.columns[col]
    k = kind(column.resolved)
    ok = ((k in _INT_RANGES and isinstance(value, int) and not isinstance(value, bool)
           and _INT_RANGES[k][0] <= value < _INT_RANGES[k][1])
          or (k in ("F32", "F64") and isinstance(value, (int, float)) and not isinstance(value, bool))
          or (k == "String" and isinstance(value, str)) or (k == "Bool" and isinstance(value, bool)))
    if not ok:
        raise SqlError(f"{value!r} is not a value of column {column.name} ({k}) in table {table.name}")
    return value


def _result(schema: list[tuple[str, JsonType]], rows: list[list[Any]], inserted: int = 0) -> dict[str, Any]:
    return {"schema": {"elements": [{"name": option(n), "algebraic_type": t} for n, t in schema]},
            "rows": rows, "total_duration_micros": 0,
            "stats": {"rows_inserted": inserted, "rows_deleted": 0, "rows_updated": 0}}


def execute(statement: str, module: Module, data: Data, *, owner: bool, program_hash: str) -> list[dict[str, Any]]:
    """Run one statement; ``owner`` says whether the caller owns the database."""
    if m := _SELECT.match(statement):
        name = m["table"]
        if name == "st_module":
            columns: list[tuple[str, JsonType]] = [("program_hash", {"U256": []})]
            if m["cols"].strip() not in ("*", "program_hash"):
                raise SqlError("emulator limitation: st_module answers program_hash only")
            return [_result(columns, [[program_hash]])]
        table = module.tables.get(name)
        if table is None:
            raise SqlError(f"no such table: `{name}`")
        if table.table_access == "Private" and not owner:
            raise SqlError(f"table `{name}` is private")
        wanted = [c.strip() for c in m["cols"].split(",")] if m["cols"].strip() != "*" else \
            [c.name for c in table.columns]
        index = {c.name: c.col_id for c in table.columns}
        missing = [c for c in wanted if c not in index]
        if missing:
            raise SqlError(f"no such column: `{missing[0]}` in table `{name}`")
        rows = [[row[index[c]] for c in wanted] for row in data.rows.get(name, [])]
        return [_result([(c, table.columns[index[c]].resolved) for c in wanted], rows)]
    if m := _INSERT.match(statement):
        if not owner:
            raise SqlError("only the database owner can run DML")
        table = module.tables.get(m["table"])
        if table is None:
            raise SqlError(f"no such table: `{m['table']}`")
        names = [c.strip() for c in m["cols"].split(",")] if m["cols"] else [c.name for c in table.columns]
        index = {c.name: c.col_id for c in table.columns}
        if sorted(names) != sorted(index):
            raise SqlError(f"INSERT INTO {table.name} must give every column: {', '.join(index)}")
        stored = data.rows.setdefault(table.name, [])
        added: list[list[Any]] = []
        for values in _literals(m["rows"]):
            if len(values) != len(names):
                raise SqlError("a VALUES row has the wrong number of values")
            row = [None] * len(table.columns)
            for n, v in zip(names, values, strict=True):
                row[index[n]] = _check_value(table, index[n], v)
            for seq in table.sequences.values():
                if row[seq.column] == 0:  # inserting 0 into an auto-increment column takes the next value
                    counter = data.next_value.get(seq.name, seq.start if seq.start is not None else 1)
                    row[seq.column] = counter
                    data.next_value[seq.name] = counter + seq.increment
            for c in table.constraints.values():
                key = [row[i] for i in sorted(c.columns)]
                if any([r[i] for i in sorted(c.columns)] == key for r in stored + added):
                    raise SqlError(f"duplicate value {key} violates unique constraint {c.name}")
            added.append(row)
        stored.extend(added)
        return [_result([], [], inserted=len(added))]
    raise SqlError("emulator limitation: only SELECT ... FROM t and INSERT INTO t ... VALUES ... are modelled")
