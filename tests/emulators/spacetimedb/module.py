"""Modules: a ``RawModuleDefV9`` JSON document validated into the definition the migration rules compare.

No WASM or JS can run here, so a module *is* its ``RawModuleDefV9`` in the JSON shape that
``GET /v1/database/:name/schema?version=9`` returns (crates/lib/src/db/raw_def/v9.rs). Validation
follows crates/schema/src/def/validate/v9.rs for what the migration rules depend on: generated names
of indexes, constraints, sequences and schedules; a single-column primary key backed by a unique
constraint; every unique constraint backed by an index on the same columns; valid type references and
column ids; names unique across the module; column defaults from ``misc_exports``. Views and
procedures are not modelled: a module declaring them is refused with a message saying so.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from .sats import JsonType, TypeError_, decode_default, is_schedule_at, kind, member_name, members, option, resolve
from .sats import option_value as opt

TOP_KEYS = ("typespace", "tables", "reducers", "types", "misc_exports", "row_level_security")
TABLE_KEYS = ("name", "product_type_ref", "primary_key", "indexes", "constraints", "sequences", "schedule",
              "table_type", "table_access")


class ModuleError(ValueError):
    """The document is not a valid module; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Column:
    name: str
    col_id: int
    ty: JsonType  # as written (may hold refs)
    resolved: JsonType
    default: Any = None  # decoded value, None when the column has no default
    has_default: bool = False


@dataclass(frozen=True)
class Index:
    name: str
    accessor_name: str | None
    algorithm: str  # BTree | Hash | Direct
    columns: tuple[int, ...]


@dataclass(frozen=True)
class Constraint:
    name: str
    columns: frozenset[int]


@dataclass(frozen=True)
class Sequence:
    name: str
    column: int
    start: int | None
    min_value: int | None
    max_value: int | None
    increment: int


@dataclass(frozen=True)
class Schedule:
    name: str
    function_name: str
    at_column: int


@dataclass
class Table:
    name: str
    columns: list[Column]
    primary_key: int | None
    indexes: dict[str, Index]
    constraints: dict[str, Constraint]
    sequences: dict[str, Sequence]
    schedule: Schedule | None
    table_type: str  # User | System
    table_access: str  # Public | Private

    def column(self, col_id: int) -> Column:
        return self.columns[col_id]

    def column_names(self, ids: tuple[int, ...] | frozenset[int]) -> list[str]:
        return [self.columns[i].name for i in sorted(ids)] if isinstance(ids, frozenset) else \
            [self.columns[i].name for i in ids]


@dataclass
class Module:
    """A validated module. ``raw`` is the canonical document ``GET …/schema?version=9`` returns."""

    raw: dict[str, Any]
    tables: dict[str, Table] = field(default_factory=dict)
    reducers: list[str] = field(default_factory=list)
    row_level_security: list[str] = field(default_factory=list)

    def user_tables(self) -> list[Table]:
        return [t for t in self.tables.values() if t.table_type == "User"]


def _variant(value: Any, allowed: tuple[str, ...], what: str) -> str:
    if isinstance(value, dict) and len(value) == 1:
        (name,) = value
        if name in allowed and value[name] == []:
            return str(name)
    choices = ", ".join(json.dumps({a: []}) for a in allowed)
    raise ModuleError([f"{what} must be one of {choices}, got {value!r}"])


def _col_list(value: Any, what: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(isinstance(c, int) and not isinstance(c, bool) for c in value):
        raise ModuleError([f"{what} must be a list of column ids"])
    return tuple(value)


def _algorithm(value: Any) -> tuple[str, tuple[int, ...]]:
    if isinstance(value, dict) and len(value) == 1:
        (name,) = value
        body = value[name]
        if name in ("BTree", "Hash") and isinstance(body, dict) and set(body) == {"columns"}:
            return name, _col_list(body["columns"], f"{name} index columns")
        if name == "Direct" and isinstance(body, dict) and set(body) == {"column"} and isinstance(body["column"], int):
            return name, (body["column"],)
    raise ModuleError([f'an index algorithm must be {{"BTree": {{"columns": [..]}}}}, {{"Hash": ...}} or '
                       f'{{"Direct": {{"column": n}}}}, got {value!r}'])


def parse_module(document: Any) -> Module:
    """Validate a RawModuleDefV9 document. Raises ModuleError listing every problem."""
    if not isinstance(document, dict) or set(document) != set(TOP_KEYS):
        keys = sorted(document) if isinstance(document, dict) else type(document).__name__
        raise ModuleError([f"a RawModuleDefV9 document has exactly the keys {', '.join(TOP_KEYS)}; got {keys}"])
    raw = copy.deepcopy(document)
    errors: list[str] = []
    try:
        typespace = raw["typespace"]["types"]
        if not isinstance(typespace, list):
            raise TypeError_("typespace.types must be a list")
        for ty in typespace:
            resolve(ty, typespace)
    except (TypeError_, KeyError, TypeError) as e:
        raise ModuleError([f"typespace: {e}"]) from None
    for export in raw["misc_exports"]:
        if not (isinstance(export, dict) and list(export) == ["ColumnDefaultValue"]):
            what = next(iter(export)) if isinstance(export, dict) and export else export
            raise ModuleError([f"misc export {what!r}: the emulator models tables, reducers, column defaults and "
                               "row-level security only (no views or procedures)"])
    module = Module(raw)
    names: dict[str, str] = {}

    def claim(name: str, owner: str) -> None:
        # validate.rs DuplicateName: tables, indexes, constraints, sequences and schedules share one namespace
        if name in names:
            errors.append(f"name {name!r} is used twice ({names[name]} and {owner})")
        names[name] = owner

    for i, table in enumerate(raw["tables"]):
        try:
            parsed = _parse_table(table, typespace, i)
        except ModuleError as e:
            errors.extend(e.errors)
            continue
        if parsed.name in module.tables:
            errors.append(f"table {parsed.name!r} is declared twice")
            continue
        claim(parsed.name, f"table {parsed.name}")
        for sub in (*parsed.indexes, *parsed.constraints, *parsed.sequences):
            claim(sub, f"table {parsed.name}")
        if parsed.schedule is not None:
            claim(parsed.schedule.name, f"table {parsed.name}")
        module.tables[parsed.name] = parsed
    for reducer in raw["reducers"]:
        name = reducer.get("name") if isinstance(reducer, dict) else None
        if not isinstance(name, str):
            errors.append(f"a reducer needs a name: {reducer!r}")
        else:
            module.reducers.append(name)
    for t in module.tables.values():
        if t.schedule is not None and t.schedule.function_name not in module.reducers:
            errors.append(f"table {t.name}: the scheduled reducer {t.schedule.function_name!r} does not exist")
    for export in raw["misc_exports"]:
        errors.extend(_apply_default(module, export["ColumnDefaultValue"]))
    for rls in raw["row_level_security"]:
        if not (isinstance(rls, dict) and set(rls) == {"sql"} and isinstance(rls["sql"], str)):
            errors.append(f'a row-level security entry is {{"sql": "..."}}, got {rls!r}')
        else:
            module.row_level_security.append(rls["sql"])
    if errors:
        raise ModuleError(errors)
    return module


def _parse_table(table: Any, typespace: list[JsonType], position: int) -> Table:
    if not isinstance(table, dict) or set(table) != set(TABLE_KEYS):
        raise ModuleError([f"tables[{position}] must have exactly the keys {', '.join(TABLE_KEYS)}"])
    name = table["name"]
    ref = table["product_type_ref"]
    if not isinstance(name, str) or not name:
        raise ModuleError([f"tables[{position}]: name must be a non-empty string"])
    if not isinstance(ref, int) or not 0 <= ref < len(typespace) or kind(typespace[ref]) != "Product":
        raise ModuleError([f"table {name}: product_type_ref {ref!r} is not a product type in the typespace"])
    errors: list[str] = []
    columns: list[Column] = []
    for col_id, element in enumerate(members(typespace[ref])):
        col_name = member_name(element)
        if col_name is None:
            errors.append(f"table {name}: column {col_id} has no name")
            col_name = str(col_id)
        columns.append(Column(col_name, col_id, element["algebraic_type"],
                              resolve(element["algebraic_type"], typespace)))

    def check_col(col: int, what: str) -> bool:
        if not 0 <= col < len(columns):
            errors.append(f"table {name}: {what} names column {col}, which does not exist")
            return False
        return True

    def generated(ids: tuple[int, ...] | list[int]) -> str:
        return "_".join(columns[c].name if 0 <= c < len(columns) else str(c) for c in ids)

    indexes: dict[str, Index] = {}
    for index in table["indexes"]:
        algorithm, cols = _algorithm(index.get("algorithm"))
        label = {"BTree": "btree", "Hash": "hash", "Direct": "direct"}[algorithm]
        index_name = opt(index.get("name")) or f"{name}_{generated(cols)}_idx_{label}"
        if index_name in indexes:
            errors.append(f"table {name}: index {index_name} is declared twice")
        elif all(check_col(c, f"index {index_name}") for c in cols):
            indexes[index_name] = Index(index_name, opt(index.get("accessor_name")), algorithm, cols)
    constraints: dict[str, Constraint] = {}
    for constraint in table["constraints"]:
        data = constraint.get("data")
        if not (isinstance(data, dict) and list(data) == ["Unique"] and isinstance(data["Unique"], dict)):
            raise ModuleError([f'table {name}: a constraint\'s data is {{"Unique": {{"columns": [..]}}}}'])
        cols = _col_list(data["Unique"].get("columns"), f"table {name}: unique constraint columns")
        c_name = opt(constraint.get("name")) or f"{name}_{generated(cols)}_key"
        if c_name in constraints:
            errors.append(f"table {name}: constraint {c_name} is declared twice")
        elif all(check_col(c, f"constraint {c_name}") for c in cols):
            constraints[c_name] = Constraint(c_name, frozenset(cols))
    for c in constraints.values():
        if not any(frozenset(i.columns) == c.columns for i in indexes.values()):
            errors.append(f"table {name}: unique constraint {c.name} has no index on the same columns")
    primary = _col_list(table["primary_key"], f"table {name}: primary_key")
    primary_key: int | None = None
    if len(primary) > 1:
        errors.append(f"table {name}: a primary key has one column")
    elif primary and check_col(primary[0], "the primary key"):
        primary_key = primary[0]
        if not any(c.columns == frozenset(primary) for c in constraints.values()):
            errors.append(f"table {name}: the primary key column {columns[primary_key].name} needs a unique "
                          "constraint")
    sequences: dict[str, Sequence] = {}
    for seq in table["sequences"]:
        col = seq.get("column")
        if not isinstance(col, int) or not check_col(col, "a sequence"):
            continue
        s_name = opt(seq.get("name")) or f"{name}_{columns[col].name}_seq"
        if s_name in sequences:
            errors.append(f"table {name}: sequence {s_name} is declared twice")
        sequences[s_name] = Sequence(s_name, col, opt(seq.get("start")), opt(seq.get("min_value")),
                                     opt(seq.get("max_value")), int(seq.get("increment", 1)))
    schedule: Schedule | None = None
    raw_schedule = opt(table["schedule"])
    if raw_schedule is not None:
        at = raw_schedule.get("scheduled_at_column")
        if isinstance(at, int) and check_col(at, "the schedule"):
            if not is_schedule_at(columns[at].resolved):
                errors.append(f"table {name}: the scheduled_at column must have type ScheduleAt")
            schedule = Schedule(opt(raw_schedule.get("name")) or f"{name}_sched",
                                str(raw_schedule.get("reducer_name")), at)
    table_type = _variant(table["table_type"], ("User", "System"), f"table {name}: table_type")
    access = _variant(table["table_access"], ("Public", "Private"), f"table {name}: table_access")
    if errors:
        raise ModuleError(errors)
    # the server returns the names it generated (ModuleDef -> RawModuleDefV9 keeps every name)
    for index, parsed in zip(table["indexes"], indexes.values(), strict=False):
        index["name"] = option(parsed.name)
    for constraint, parsed_c in zip(table["constraints"], constraints.values(), strict=False):
        constraint["name"] = option(parsed_c.name)
    for seq, parsed_s in zip(table["sequences"], sequences.values(), strict=False):
        seq["name"] = option(parsed_s.name)
    if schedule is not None:
        table["schedule"] = option({**raw_schedule, "name": option(schedule.name)})
    return Table(name, columns, primary_key, indexes, constraints, sequences, schedule, table_type, access)


def _apply_default(module: Module, default: Any) -> list[str]:
    if not isinstance(default, dict) or set(default) != {"table", "col_id", "value"}:
        return [f'a ColumnDefaultValue is {{"table", "col_id", "value"}}, got {default!r}']
    table = module.tables.get(default["table"])
    col_id = default["col_id"]
    if table is None:
        return [f"column default for table {default['table']!r}, which does not exist"]
    if not isinstance(col_id, int) or not 0 <= col_id < len(table.columns):
        return [f"column default for table {table.name}: column {col_id!r} does not exist"]
    column = table.columns[col_id]
    try:
        value = decode_default(column.resolved, bytes.fromhex(str(default["value"])))
    except (TypeError_, ValueError) as e:
        return [f"column default for {table.name}.{column.name} is malformed: {e}"]
    table.columns[col_id] = Column(column.name, col_id, column.ty, column.resolved, value, True)
    return []
