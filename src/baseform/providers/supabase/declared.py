"""From the ``supabase`` section to desired resources, and every check that needs no server. Pure.

SQL fragments are parsed offline with Postgres's own parser (pglast, libpg_query), so a syntax error
in a ``using`` expression, an unknown type or a reference to a table the manifest's schema does not
have is reported at its line by ``validate``, before anything is sent. The server normalises (and
checks again) what parses, when planning.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import parser
from pglast.parser import ParseError

from baseform.engine.address import Address
from baseform.engine.resource import DesiredResource
from baseform.errors import Diagnostic
from baseform.manifest.models import did_you_mean
from baseform.providers.base import Locator
from baseform.providers.supabase.buckets import desired_bucket
from baseform.providers.supabase.columns import desired_column, parse_reference
from baseform.providers.supabase.enums import desired_enum
from baseform.providers.supabase.indexes import desired_index
from baseform.providers.supabase.models import ColumnSpec, SupabaseSection, TableSpec
from baseform.providers.supabase.names import (
    PROVIDER,
    bucket_address,
    enum_address,
    foreign_policy_address,
    is_managed_schema,
    schema_address,
    table_address,
)
from baseform.providers.supabase.policies import desired_policy
from baseform.providers.supabase.tables import desired_table

__all__ = ["check_section", "desired_resources"]

Path = tuple[str | int, ...]

# built-in type names as the parser reports them, plus the extension types a Supabase project offers
_BUILTIN_TYPES = frozenset("""
int2 int4 int8 smallint integer int bigint float4 float8 real numeric decimal money text varchar bpchar char
character bool boolean bytea date time timetz timestamp timestamptz interval uuid json jsonb jsonpath xml inet cidr
macaddr macaddr8 bit varbit tsvector tsquery point line lseg box path polygon circle oid regclass regtype regproc
regprocedure regrole regnamespace name int4range int8range numrange tsrange tstzrange daterange int4multirange
int8multirange nummultirange tsmultirange tstzmultirange datemultirange pg_lsn pg_snapshot txid_snapshot record
citext vector halfvec sparsevec geometry geography hstore ltree lquery ltxtquery cube earth seg isbn issn ean13
""".split())
_ALIASES = {"string": "text", "str": "text", "strng": "text", "datetime": "timestamptz", "int64": "bigint",
            "int32": "integer", "long": "bigint", "double": "double precision", "blob": "bytea", "varchar2": "varchar"}
_SERIALS = frozenset({"serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"})
_KNOWN_FOREIGN_TABLES = frozenset({("auth", "users"), ("storage", "buckets"), ("storage", "objects")})


def desired_resources(section: SupabaseSection, locate: Locator) -> list[DesiredResource]:
    """Every declared schema, enum, table, column, index, policy, bucket and foreign policy."""
    out: list[DesiredResource] = []
    for i, schema in enumerate(section.schemas):
        where: Path = (PROVIDER, "schemas", i)
        s_addr = schema_address(schema.name)
        out.append(DesiredResource(s_addr, {}, locate(where), protect=schema.protect))
        for j, enum in enumerate(schema.enums):
            out.append(DesiredResource(enum_address(schema.name, enum.name), desired_enum(enum),
                                       locate((*where, "enums", j)), protect=enum.protect,
                                       renamed_from=enum.renamedFrom))
        for j, table in enumerate(schema.tables):
            out.extend(_table(schema.name, table, (*where, "tables", j), locate, section))
    for i, bucket in enumerate(section.buckets):
        out.append(DesiredResource(bucket_address(bucket.id), desired_bucket(bucket), locate((PROVIDER, "buckets", i)),
                                   protect=bucket.protect))
    for i, policy in enumerate(section.policies):
        out.append(DesiredResource(foreign_policy_address(policy.table, policy.name), desired_policy(policy),
                                   locate((PROVIDER, "policies", i)), protect=policy.protect,
                                   renamed_from=f"{policy.table}.{policy.renamedFrom}" if policy.renamedFrom else None))
    return out


def _table(schema: str, table: TableSpec, where: Path, locate: Locator,
           section: SupabaseSection) -> Iterator[DesiredResource]:
    address = table_address(schema, table.name)
    yield DesiredResource(address, desired_table(table), locate(where), protect=table.protect,
                          renamed_from=table.renamedFrom)
    declared = {(s.name, t.name) for s in section.schemas for t in s.tables}
    enums = {(s.name, e.name) for s in section.schemas for e in s.enums}
    for k, column in enumerate(table.columns):
        deps: set[Address] = set()
        ref = parse_reference(column.references) if column.references else None
        if ref is not None and (ref[0], ref[1]) in declared and (ref[0], ref[1]) != (schema, table.name):
            deps.add(table_address(ref[0], ref[1]))
        deps.update(enum_address(s, e) for s, e in enums if _names_type(column.type, s, e))
        yield DesiredResource(address.child("columns", column.name), desired_column(column),
                              locate((*where, "columns", k)), frozenset(deps), column.protect, column.renamedFrom)
    for k, index in enumerate(table.indexes):
        yield DesiredResource(address.child("indexes", index.name), desired_index(index),
                              locate((*where, "indexes", k)), protect=index.protect, renamed_from=index.renamedFrom)
    for k, policy in enumerate(table.policies):
        yield DesiredResource(address.child("policies", policy.name), desired_policy(policy),
                              locate((*where, "policies", k)), protect=policy.protect,
                              renamed_from=policy.renamedFrom)


def _type_names(text: str) -> list[str] | None:
    """The type's name parts as the parser reads them, or None when it does not parse as a type."""
    try:
        statements = parser.parse_sql(f"select null::{text}")
    except ParseError:
        return None
    if len(statements) != 1:
        return None
    target: Any = getattr(statements[0].stmt, "targetList", None)
    type_name = target[0].val.typeName if target and len(target) == 1 else None
    if type_name is None:
        return None
    return [str(n.sval) for n in type_name.names]


def _names_type(text: str, schema: str, name: str) -> bool:
    names = _type_names(text)
    return names is not None and (names == [schema, name] or (names == [name] and schema == "public"))


def _expression_problem(text: str) -> str | None:
    """Why ``text`` is not one SQL expression (None when it is)."""
    prefix = "select ("
    try:
        statements = parser.parse_sql(f"{prefix}{text}\n)")
    except ParseError as e:
        position = e.args[1] - len(prefix) if len(e.args) > 1 and isinstance(e.args[1], int) else -1
        if 0 <= position < len(text.rstrip()):
            return f"SQL syntax error at character {position + 1}: near {text[position:position + 20]!r}"
        return "SQL syntax error: the expression ends too early"
    if len(statements) != 1:
        return "it holds more than one SQL expression (a ';' or an unbalanced parenthesis?)"
    return None


def check_section(section: SupabaseSection, locate: Locator) -> list[Diagnostic]:
    """All problems of the section that need no server, at once."""
    problems: list[Diagnostic] = []
    declared_schemas = {s.name for s in section.schemas}
    declared_tables = {(s.name, t.name): t for s in section.schemas for t in s.tables}
    enums = {(s.name, e.name) for s in section.schemas for e in s.enums}
    for i, schema in enumerate(section.schemas):
        where: Path = (PROVIDER, "schemas", i)
        if is_managed_schema(schema.name):
            problems.append(Diagnostic(f"schema {schema.name!r} is managed by Supabase (or Postgres); baseform "
                                       "never changes it", locate((*where, "name")), str(schema_address(schema.name)),
                                       "declare policies on its tables under the top-level `policies` key"))
        for j, enum in enumerate(schema.enums):
            if len(set(enum.values)) != len(enum.values):
                problems.append(Diagnostic("enum values must be unique", locate((*where, "enums", j, "values")),
                                           str(enum_address(schema.name, enum.name))))
        for j, table in enumerate(schema.tables):
            t_where = (*where, "tables", j)
            address = table_address(schema.name, table.name)
            for message, path, hint in _table_problems(schema.name, table, declared_schemas, declared_tables, enums):
                problems.append(Diagnostic(message, locate((*t_where, *path)), str(_child(address, table, path)),
                                           hint))
    for i, policy in enumerate(section.policies):
        p_where: Path = (PROVIDER, "policies", i)
        if policy.table.partition(".")[0] in declared_schemas:
            problems.append(Diagnostic(f"{policy.table} is in a schema this manifest manages: declare the policy "
                                       "under that table's `policies`", locate((*p_where, "table")),
                                       str(foreign_policy_address(policy.table, policy.name))))
        for message, path in _policy_problems(policy.command, policy.using, policy.with_check):
            problems.append(Diagnostic(message, locate((*p_where, *path)),
                                       str(foreign_policy_address(policy.table, policy.name))))
    return problems


def _child(address: Address, table: TableSpec, path: Path) -> Address:
    """The address of the column, index or policy a problem's path points into (else the table's)."""
    if len(path) >= 2 and path[0] in ("columns", "indexes", "policies") and isinstance(path[1], int):
        items = getattr(table, str(path[0]))
        return address.child(str(path[0]), items[path[1]].name)
    return address


def _policy_problems(command: str, using: str | None, with_check: str | None) -> Iterator[tuple[str, Path]]:
    if command == "insert" and using is not None:
        yield "an insert policy has no `using` (only `with_check`): Postgres refuses it", ("using",)
    if command in ("select", "delete") and with_check is not None:
        yield f"a {command} policy has no `with_check` (only `using`): Postgres refuses it", ("with_check",)
    for key, text in (("using", using), ("with_check", with_check)):
        problem = _expression_problem(text) if text is not None else None
        if problem:
            yield f"{key}: {problem}", (key,)


def _column_problems(schema: str, column: ColumnSpec, declared_schemas: set[str],
                     declared_tables: dict[tuple[str, str], TableSpec],
                     enums: set[tuple[str, str]]) -> Iterator[tuple[str, Path, str | None]]:
    names = _type_names(column.type)
    if names is None:
        yield f"type {column.type!r} is not a Postgres type (SQL syntax)", ("type",), None
    else:
        base = names[-1].lower()
        if base in _SERIALS:
            yield (f"type {column.type!r} is a shorthand for a sequence default, which cannot be compared later",
                   ("type",), "use the integer type with `identity: by default` (or `always`)")
        elif len(names) == 1 and names[0] not in _BUILTIN_TYPES and not any(e == names[0] for _, e in enums):
            known = sorted(_BUILTIN_TYPES | {e for _, e in enums})
            alias = _ALIASES.get(names[0].lower())
            yield (f"unknown type {column.type!r}" + (f" (did you mean {alias!r}?)" if alias else
                                                      did_you_mean(names[0], known)),
                   ("type",), "declare it as an enum of a schema here, or write a type defined elsewhere with its "
                              "schema (extensions.citext)")
        elif len(names) == 2 and names[0] in declared_schemas and (names[0], names[1]) not in enums:
            yield f"unknown type {column.type!r}: schema {names[0]!r} declares no such enum", ("type",), None
    if column.identity is not None and column.default is not None:
        yield "a column cannot both be an identity and have a default", ("default",), None
    if column.on_delete is not None and column.references is None:
        yield "on_delete needs references", ("on_delete",), None
    for key in ("default", "check"):
        text = getattr(column, key)
        problem = _expression_problem(text) if text is not None else None
        if problem:
            yield f"{key}: {problem}", (key,), None
    if column.references is not None:
        ref = parse_reference(column.references)
        if ref is None:
            yield "references must be schema.table(column), e.g. auth.users(id)", ("references",), None
        elif ref[0] in declared_schemas:
            target = declared_tables.get((ref[0], ref[1]))
            if target is None:
                yield (f"references {ref[0]}.{ref[1]}, which schema {ref[0]!r} here does not declare",
                       ("references",), "declare the table, or fix the name")
            elif ref[2] not in {c.name for c in target.columns}:
                yield f"references column {ref[2]!r}, which {ref[0]}.{ref[1]} does not declare", ("references",), None
        elif is_managed_schema(ref[0]) and ref[0] in ("auth", "storage") and (ref[0], ref[1]) not in \
                _KNOWN_FOREIGN_TABLES:
            yield f"references {ref[0]}.{ref[1]}, which is not a table of a Supabase project", ("references",), None


def _table_problems(schema: str, table: TableSpec, declared_schemas: set[str],
                    declared_tables: dict[tuple[str, str], TableSpec],
                    enums: set[tuple[str, str]]) -> Iterator[tuple[str, Path, str | None]]:
    columns = {c.name for c in table.columns}
    for k, column in enumerate(table.columns):
        for message, path, hint in _column_problems(schema, column, declared_schemas, declared_tables, enums):
            yield message, ("columns", k, *path), hint
    for k, index in enumerate(table.indexes):
        for c in index.columns:
            if c not in columns:
                yield (f"index {index.name!r}: column {c!r} is not declared in this table"
                       + did_you_mean(c, sorted(columns)),
                       ("indexes", k, "columns"), None)
        problem = _expression_problem(index.where) if index.where is not None else None
        if problem:
            yield f"where: {problem}", ("indexes", k, "where"), None
    for k, policy in enumerate(table.policies):
        for message, path in _policy_problems(policy.command, policy.using, policy.with_check):
            yield message, ("policies", k, *path), None
