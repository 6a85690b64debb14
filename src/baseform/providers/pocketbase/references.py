"""What declared rules and view queries refer to: checked before sending, and views in dependency order.

Run twice with the same code: at validate time against the manifest alone (only what it declares is
judged) and at plan time against the manifest and the live server (everything is). Each problem is
a Diagnostic at the line of the rule or query it is about. Pure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from graphlib import CycleError

from baseform.engine.resource import DesiredResource
from baseform.errors import Diagnostic
from baseform.providers.pocketbase.catalog import Catalog
from baseform.providers.pocketbase.rules import RULE_OPTIONS, rule_problems
from baseform.providers.pocketbase.view_queries import read_view_query, view_problems

__all__ = ["VIEW_QUERY", "reference_problems", "view_order"]

VIEW_QUERY = "viewQuery"


def _where_in(text: str, offset: int, what: str) -> str:
    """`` (line N of the rule)`` for a text of several lines, else nothing."""
    if "\n" not in text:
        return ""
    return f" (line {text.count(chr(10), 0, offset) + 1} of the {what})"


def _collections(desired: Sequence[DesiredResource]) -> list[DesiredResource]:
    return [d for d in desired if d.address.kind == "collections"]


def reference_problems(desired: Sequence[DesiredResource], catalog: Catalog) -> list[Diagnostic]:
    """Every problem of the declared rules and view queries against ``catalog``, and every cycle of
    views reading each other (one import cannot create them)."""
    problems: list[Diagnostic] = []
    for d in _collections(desired):
        shape = catalog.find(d.address.name)
        if shape is None:
            continue
        for key in (*RULE_OPTIONS, VIEW_QUERY):
            text = d.value.get(key)
            if not isinstance(text, str) or not text:
                continue
            what = "query" if key == VIEW_QUERY else "rule"
            found = view_problems(text, catalog) if key == VIEW_QUERY else rule_problems(text, shape, catalog)
            problems.extend(Diagnostic(f"{key}: {message}{_where_in(text, offset, what)}", d.parts.get(key, d.source),
                                       str(d.address)) for offset, message in found)
    problems.extend(_cycles(desired))
    return problems


def _cycles(desired: Sequence[DesiredResource]) -> Iterator[Diagnostic]:
    views = {d.address.name: d for d in _collections(desired) if d.value.get("type") == "view"}
    try:
        view_order(list(views), {n: str(d.value.get(VIEW_QUERY) or "") for n, d in views.items()})
    except CycleError as e:
        cycle: list[str] = e.args[1]
        first = views[cycle[0]]
        yield Diagnostic(f"{VIEW_QUERY}: views that read each other cannot be created ({' -> '.join(cycle)}); "
                         "PocketBase creates a view only after the views it reads",
                         first.parts.get(VIEW_QUERY, first.source), str(first.address),
                         "make one of them read the underlying collections instead")


def view_order(names: Sequence[str], queries: Mapping[str, str]) -> list[str]:
    """``names`` (views) reordered so that each comes after the views among them its query reads;
    otherwise in the given order. Raises graphlib.CycleError (args: message, the cycle's names
    with the first repeated at the end) when views read each other or one reads itself."""
    lowered = {n.lower(): n for n in names}
    graph = {n: [lowered[t] for t in read_view_query(queries.get(n, "")).collections if t in lowered]
             for n in names}
    out: list[str] = []
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> None:
        if name in done:
            return
        if name in path:
            raise CycleError("views read each other", [*path[path.index(name):], name])
        path.append(name)
        for dep in graph[name]:
            visit(dep)
        path.pop()
        done.add(name)
        out.append(name)

    for n in names:
        visit(n)
    return out
