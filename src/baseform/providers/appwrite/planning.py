"""Plan-time rules of the Appwrite provider: server capabilities, replace reasons, and the operations
of a whole plan (inline table creation, children that go with their parent, dependency edges). Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.graph import link_operations
from baseform.engine.operation import Operation
from baseform.engine.resource import DesiredResource, LiveState
from baseform.errors import PlanError
from baseform.providers.appwrite import buckets, columns, databases, engines, indexes, tables, teams
from baseform.providers.appwrite.checks import SYSTEM_INDEX_COLUMNS, index_length
from baseform.providers.appwrite.columns import INT32_MAX, TYPES
from baseform.providers.appwrite.versions import (
    BUCKET_TRANSFORMATIONS,
    CLOUD_API,
    ENCRYPT,
    INLINE_CREATE,
    STRING_DEPRECATED,
    Version,
    at_least,
    parse_version,
    show,
)
from baseform.providers.base import subset_matches
from baseform.types import JSON, JSONObject

__all__ = ["LIVE_VALUES", "capability_problems", "children_match", "column_extra_reasons", "engine_of",
           "index_extra_reasons", "live_dependencies", "plan_operations", "plan_warnings",
           "raise_capability_problems", "with_live_defaults"]

INLINE_COLUMNS = 100  # APP_LIMIT_ARRAY_PARAMS_SIZE
INLINE_INDEXES = 58  # the adapter's index limit, which create-table's inline validator is built with
_FAILED = ("failed", "stuck")
_CLOUD_ONLY = "needs Appwrite Cloud's API (2.5); no self-hosted release read has it"

LIVE_VALUES: Mapping[str, Callable[[JSONObject], JSONObject]] = {
    "databases": databases.live_value, "tables": tables.live_value, "columns": columns.live_value,
    "indexes": indexes.live_value, "buckets": buckets.live_value, "teams": teams.live_value}
"""kind -> the function that turns a server object into the diff shape."""


def children_match(kind: str, expected: Mapping[str, JSONObject], listed: JSON) -> bool:
    """True when the columns or indexes (``kind``) a table's answer lists include each expected one
    (key -> diff-shape value) as declared: a table made by someone else with other columns is not the
    one a create meant, though its own settings may be."""
    found = {str(raw.get("key")): raw for raw in listed if isinstance(raw, dict)} if isinstance(listed, list) else {}
    return all(key in found and subset_matches(value, LIVE_VALUES[kind](found[key]))
               for key, value in expected.items())


def engine_of(live: LiveState) -> engines.Engine:
    """The project's storage engine: configured, else shown by the server's answers, else unknown."""
    return engines.rules(str(live.context.get("engine") or live.context.get("engineShown") or ""))


def _where(d: DesiredResource) -> str:
    return f"{d.source}: {d.address}" if d.source else str(d.address)


def _version_problems(d: DesiredResource, version: Version, server: str | None) -> list[str]:
    """What ``d`` asks of a newer server than this one."""
    problems: list[str] = []
    kind, value = d.address.kind, d.value
    if kind == "columns":
        info = TYPES.get(value["type"])
        if info is not None and not at_least(version, info.since):
            hint = " (use string, or upgrade the server)" if info.stored in ("varchar", "text", "mediumtext",
                                                                             "longtext") else ""
            problems.append(f"column type {info.name} needs Appwrite {show(info.since)} or later; this server is "
                            f"{server}{hint}")
        if value.get("encrypt") and not at_least(version, ENCRYPT):
            problems.append(f"encrypt needs Appwrite {show(ENCRYPT)} or later; this server is {server}")
    if "description" in d.value and not at_least(version, CLOUD_API):
        problems.append(f"description {_CLOUD_ONLY}; this server is {server} (remove it)")
    if kind == "buckets" and "stripMetadata" in value and not at_least(version, CLOUD_API):
        problems.append(f"stripMetadata {_CLOUD_ONLY}; this server is {server} (remove it)")
    if kind == "buckets" and value.get("transformations") is False and not at_least(version, BUCKET_TRANSFORMATIONS):
        problems.append(f"transformations needs Appwrite {show(BUCKET_TRANSFORMATIONS)} or later; this server is "
                        f"{server} (remove it)")
    if kind == "indexes" and value.get("type") == "trigram" and not at_least(version, CLOUD_API):
        problems.append(f"a trigram index {_CLOUD_ONLY}; this server is {server}")
    return problems


def _new_index_problem(d: DesiredResource, table_columns: Mapping[str, JSONObject], limit: int) -> str | None:
    """Why an index the server lacks cannot be created from what the manifest says: no columns, or no
    lengths (left to the live index) where the columns need them."""
    if "columns" not in d.value:
        return (f"index {d.address.name!r} declares no columns and the server has no such index, so it cannot be "
                "created: add its columns")
    if "lengths" in d.value or d.value["type"] not in ("key", "unique"):
        return None
    budget = 0
    for name in d.value["columns"]:
        column = table_columns.get(name, {})
        size = column.get("size") or (TYPES[column["type"]].fixed_size if column.get("type") in TYPES else None)
        budget += index_length(name, column.get("type"), size, None)
    if budget <= limit:
        return None
    return (f"index {d.address.name!r} is {budget} characters long and the server has no such index to take "
            f"prefix lengths from; the limit is {limit}: give lengths")


def _declared_columns(desired: Sequence[DesiredResource]) -> dict[Address, dict[str, JSONObject]]:
    """Table -> its declared columns by key (their desired values)."""
    out: dict[Address, dict[str, JSONObject]] = {}
    for d in desired:
        if d.address.kind == "columns" and d.address.parent is not None:
            out.setdefault(d.address.parent, {})[d.address.name] = d.value
    return out


def capability_problems(desired: Sequence[DesiredResource], live: LiveState) -> list[str]:
    """What the manifest asks for that this server cannot do (one line each, with where)."""
    version = parse_version(live.server_version)
    problems = [f"{_where(d)}: {p}" for d in desired for p in _version_problems(d, version, live.server_version)]
    declared: dict[Address, dict[str, JSONObject]] | None = None  # made for the first index the server lacks
    limit = engine_of(live).index_length
    for d in desired:
        found = live.resources.get(d.address)
        if d.address.kind == "indexes" and found is None and d.address.parent is not None:
            declared = _declared_columns(desired) if declared is None else declared
            problem = _new_index_problem(d, declared.get(d.address.parent, {}), limit)
            if problem:
                problems.append(f"{_where(d)}: {problem}")
        if found is not None and found.implicit and d.address.kind in ("columns", "indexes") and not (
                d.address.kind == "columns" and columns.is_counterpart(found.raw)):
            what = "column" if d.address.kind == "columns" else "index"
            problems.append(f"{_where(d)}: the server's {what} {d.address.name!r} has type {found.value['type']!r}, "
                            f"which this version of baseform does not know and will not change or replace: remove "
                            f"it from the manifest (it is left as it is)")
    configured, shown = live.context.get("engine"), live.context.get("engineShown")
    if configured and shown and engines.rules(str(configured)).name != shown:
        shows = "its tables report bytesMax 0, as only MongoDB's do" if shown == "mongodb" else \
            "a trigram index, which only PostgreSQL has" if shown == "postgresql" else "its databases say so"
        problems.append(f"providers.appwrite.engine is {configured}, but the server shows {shown} ({shows}): "
                        "correct the setting")
    elif shown and not configured:
        # validate assumed an unknown engine; now that the server shows it, its refusals are errors for
        # what is still to be made (what the server already has, it evidently took)
        problems += [str(f) for f in engines.engine_findings(desired, engines.rules(str(shown)))
                     if not f.warning and Address.parse(str(f.address)) not in live.resources]
    return problems


def plan_warnings(changes: Sequence[Change], live: LiveState) -> list[str]:
    """Warnings about this plan: a legacy ``string`` column created on a server that has its
    replacements (existing ones keep working and are left alone), and live columns or indexes of types
    baseform does not know (left alone: never deleted, not exported)."""
    out = []
    if at_least(parse_version(live.server_version), STRING_DEPRECATED):
        for c in changes:
            created = c.action in (Action.CREATE, Action.REPLACE)
            if c.kind == "columns" and created and (c.after or {}).get("type") == "string":
                where = f"{c.source}: " if c.source else ""
                out.append(f"{where}{c.address}: type string is deprecated since Appwrite {show(STRING_DEPRECATED)}; "
                           "declare new columns as varchar (size up to 16381) or text/mediumtext/longtext")
    unknown = [(address, res) for address, res in live.resources.items()
               if res.implicit and address.kind in ("columns", "indexes") and not columns.is_counterpart(res.raw)]
    for address, res in sorted(unknown, key=lambda item: str(item[0])):  # the few found, not every live object
        what = "column" if address.kind == "columns" else "index"
        out.append(f"{address}: the server's {what} type {res.value['type']!r} is not known to this version of "
                   "baseform: it is left as it is (plans never delete it, export leaves it out)")
    return out


def with_live_defaults(desired: Sequence[DesiredResource], live: LiveState) -> list[DesiredResource]:
    """Desired resources with what the manifest left to the server filled in from the live objects:
    a bucket's size limit, ``stripMetadata`` and ``description``; an index's ``columns`` and ``lengths``
    (``appwrite pull`` leaves them out); any other ``description``."""
    out = []
    for d in desired:
        found = live.resources.get(d.address)
        have = found.value if found is not None else None
        if d.address.kind == "buckets":
            value = buckets.with_live(d.value, have)
        elif d.address.kind == "indexes":
            value = indexes.with_live(d.value, have)
        elif have is not None and "description" in have and "description" not in d.value:
            value = {**d.value, "description": have["description"]}
        else:
            value = d.value
        if value is not d.value:
            d = DesiredResource(d.address, value, d.source, d.depends_on, d.protect, d.renamed_from)
        out.append(d)
    return out


def _status_reason(address: Address, live: LiveState) -> list[str]:
    found = live.resources.get(address)
    raw = found.raw if found is not None else None
    if isinstance(raw, dict) and raw.get("status") in _FAILED:
        detail = f": {raw['error']}" if raw.get("error") else ""
        return [f"status {raw['status']} on the server{detail}; it is recreated"]
    return []


def column_extra_reasons(address: Address, before: JSONObject, after: JSONObject, live: LiveState) -> list[str]:
    """Conditional replace reasons of a column beyond its ``replace_on`` fields."""
    reasons = _status_reason(address, live)
    if before.get("type") == after.get("type") == "integer":
        old, new = before.get("max"), after.get("max")
        if isinstance(old, int) and isinstance(new, int) and old <= INT32_MAX < new:
            reasons.append(f"max {old} -> {new} needs 8-byte storage; an integer column's width is fixed "
                           "when it is created")
    return reasons


def index_extra_reasons(address: Address, live: LiveState) -> list[str]:
    """An index that failed on the server is recreated (one whose column is recreated follows it by
    the ``replaced_with_dependencies`` rule)."""
    return _status_reason(address, live)


def live_dependencies(live: LiveState) -> dict[Address, frozenset[Address]]:
    """Index -> its columns; relationship column -> its related table."""
    out: dict[Address, frozenset[Address]] = {}
    for address, res in live.resources.items():
        table = address.parent
        if table is None:
            continue
        if address.kind == "indexes":
            out[address] = frozenset(table.child("columns", c) for c in res.value["columns"]
                                     if c not in SYSTEM_INDEX_COLUMNS)
        elif address.kind == "columns" and res.value["type"] == "relationship" and table.parent is not None:
            out[address] = frozenset({table.parent.child("tables", str(res.value["relatedTable"]))})
    return out


def _gone_with_parent(address: Address, by_address: Mapping[Address, Change]) -> bool:
    parent = address.parent
    while parent is not None:
        change = by_address.get(parent)
        if change is not None and change.action is Action.DELETE:
            return True
        parent = parent.parent
    return False


@dataclass
class _Inline:
    """What a new table's create carries of its children: the create-table entries, the diff-shape
    values they realise (kind -> key -> value), and the children's addresses (no call of their own)."""

    columns: list[JSONObject] = field(default_factory=list)
    indexes: list[JSONObject] = field(default_factory=list)
    values: dict[str, dict[str, JSONObject]] = field(default_factory=lambda: {"columns": {}, "indexes": {}})
    covered: set[Address] = field(default_factory=set)


def _inline_children(children: Sequence[DesiredResource], by_address: Mapping[Address, Change],
                     version: Version) -> _Inline:
    """What the create of a new table makes inline of its children (their changes in ``by_address``).

    Only the column types this server takes inline go there (:func:`columns.can_inline`); the others
    (relationships, encrypted columns, the text types before 2.0) are their own calls, made in
    parallel once the table exists. An index goes inline only when all its columns do (or are system
    columns).
    """
    inline = _Inline()
    for d in children:
        change = by_address.get(d.address)
        if (d.address.kind == "columns" and change is not None and change.after is not None
                and change.action is Action.CREATE and columns.can_inline(change.after, version)
                and len(inline.columns) < INLINE_COLUMNS):
            inline.columns.append(columns.inline_body(change.after))
            inline.values["columns"][d.address.name] = change.after
            inline.covered.add(d.address)
    for d in children:
        change = by_address.get(d.address)
        if (d.address.kind == "indexes" and change is not None and change.after is not None
                and change.action is Action.CREATE and len(inline.indexes) < INLINE_INDEXES
                and indexes.can_inline(change.after)
                and all(c in inline.values["columns"] or c in SYSTEM_INDEX_COLUMNS for c in change.after["columns"])):
            inline.indexes.append(indexes.inline_body(d.address.name, change.after))
            inline.values["indexes"][d.address.name] = change.after
            inline.covered.add(d.address)
    return inline


def plan_operations(changes: Sequence[Change], desired: Sequence[DesiredResource], live: LiveState) -> list[Operation]:
    """The operations of a whole plan with dependencies wired.

    New tables are created with their columns and indexes in the same request when the server
    supports it (>= 1.9.0, with the column types that version takes inline); relationships and what
    cannot go inline follow as their own calls. Children of a deleted database or table go with it
    (no call of their own).
    """
    active = [c for c in changes if c.action is not Action.NOOP]
    if not active:
        return []  # nothing to call: no need to group the manifest's children or read live dependencies
    by_address = {c.address: c for c in active}
    version = parse_version(live.server_version)
    inline = at_least(version, INLINE_CREATE)
    children: dict[Address, list[DesiredResource]] = {}  # in manifest order, grouped once (not per table)
    for d in desired:
        if d.address.parent is not None:
            children.setdefault(d.address.parent, []).append(d)
    ops: dict[Address, list[Operation]] = {}
    covered = {c.address for c in active if c.action is Action.DELETE and _gone_with_parent(c.address, by_address)}
    for change in active:
        a = change.address
        if a in covered:
            continue
        if a.kind == "tables" and change.action is Action.CREATE and inline:
            made = _inline_children(children.get(a, []), by_address, version)
            covered |= made.covered
            ops[a] = tables.operations(change, made.columns, made.indexes, made.values)
        elif a.kind == "tables":
            ops[a] = tables.operations(change)
        elif a.kind == "columns":
            ops[a] = columns.operations(change, live, version)
        else:
            ops[a] = {"databases": databases.operations, "indexes": indexes.operations,
                      "buckets": buckets.operations, "teams": teams.operations}[a.kind](change)
    kept = {a: o for a, o in ops.items() if a not in covered and o}
    return link_operations(active, kept, {d.address: d.depends_on for d in desired}, live_dependencies(live))


def raise_capability_problems(desired: Sequence[DesiredResource], live: LiveState) -> None:
    problems = capability_problems(desired, live)
    if problems:
        raise PlanError("this Appwrite server cannot do what the manifest asks:\n  " + "\n  ".join(problems),
                        address="appwrite")
