"""The migration plan as the server prints it into ``pre_publish``'s ``migrate_plan``.

A port of crates/schema/src/auto_migrate/{formatter,termcolor_formatter}.rs for the steps the
emulator produces: ``NoColor`` is plain text, ``AnsiColor`` (the server's default style) wraps the
same text in the escape sequences the termcolor crate writes.
"""

from __future__ import annotations

from collections.abc import Callable

from .migrate import Plan, Step
from .module import Module, Table
from .sats import debug_value, fmt

_FG = {"green": "32", "red": "31", "yellow": "33", "blue": "34", "cyan": "36", "magenta": "35"}
_ACTIONS = {"Created": "green", "Removed": "red", "Changed": "yellow"}


class _Writer:
    def __init__(self, ansi: bool) -> None:
        self.ansi = ansi
        self.parts: list[str] = []
        self.level = 0

    def raw(self, text: str) -> None:
        self.parts.append(text)

    def coloured(self, text: str, colour: str | None = None, bold: bool = False, background: bool = False) -> None:
        if not self.ansi:
            self.raw(text)
            return
        # termcolor: reset, then bold, then the colour; reset again after the text
        code = ("4" + _FG[colour][1]) if background and colour else (_FG[colour] if colour else None)
        self.raw("\x1b[0m" + ("\x1b[1m" if bold else "") + (f"\x1b[{code}m" if code else "") + text + "\x1b[0m")

    def indent_(self) -> None:
        self.raw("    " * self.level)

    def line(self, text: str = "") -> None:
        self.indent_()
        self.raw(text + "\n")

    def coloured_line(self, text: str, colour: str, bold: bool = True) -> None:
        self.indent_()
        self.coloured(text, colour, bold)
        self.raw("\n")

    def action(self, action: str) -> None:
        self.indent_()
        self.raw("▸ ")
        self.coloured(action, _ACTIONS[action], bold=True)

    def table_name(self, name: str) -> None:
        self.coloured(name, "cyan", bold=True)


_SUB_OBJECTS: dict[str, tuple[str, Callable[[Table, str], str]]] = {
    "Index": ("indexes", lambda t, k: f"index {k} on [{', '.join(t.column_names(t.indexes[k].columns))}]"),
    "Constraint": ("constraints", lambda t, k: f"unique constraint {k} on "
                                               f"[{', '.join(t.column_names(t.constraints[k].columns))}]"),
    "Sequence": ("sequences", lambda t, k: f"auto-increment constraint {k} on column "
                                           f"{t.column(t.sequences[k].column).name}"),
}
"""Steps on an index, constraint or sequence: the table attribute holding it and how the line names it."""


def render_plan(plan: Plan, *, ansi: bool) -> str:
    """``MigratePlan::pretty_print`` of an automatic plan."""
    w = _Writer(ansi)
    w.line("━" * 60)
    w.coloured_line("Database Migration Plan", "blue")
    w.line("━" * 60)
    w.line("")
    for s in plan.steps:
        _step(w, s, plan)
    return "".join(w.parts)


def _owner(module: Module, kind: str, name: str) -> Table:
    for table in module.tables.values():
        if name in getattr(table, kind):
            return table
    raise KeyError(name)


def _step(w: _Writer, s: Step, plan: Plan) -> None:
    k, key = s.kind, s.key
    if k == "AddTable":
        _add_table(w, plan.new.tables[key])
    elif k == "RemoveTable":
        w.action("Removed")
        w.raw(" table: ")
        w.table_name(key)
        w.raw("\n")
        w.line("")
    elif k[3:] in _SUB_OBJECTS or k[6:] in _SUB_OBJECTS:
        created = k.startswith("Add")
        attribute, describe = _SUB_OBJECTS[k[3:] if created else k[6:]]
        table = _owner(plan.new if created else plan.old, attribute, key)
        w.action("Created" if created else "Removed")
        w.raw(f" {describe(table, key)} of table ")
        w.table_name(table.name)
        w.raw("\n")
    elif k in ("AddSchedule", "RemoveSchedule"):
        module = plan.new if k == "AddSchedule" else plan.old
        table = next(t for t in module.tables.values() if t.schedule is not None and t.schedule.name == key)
        assert table.schedule is not None
        w.action("Created" if k == "AddSchedule" else "Removed")
        w.raw(" schedule for table ")
        w.table_name(table.name)
        w.raw(f" calling reducer {table.schedule.function_name}\n")
    elif k == "ChangeAccess":
        w.action("Changed")
        w.raw(" access for table ")
        w.table_name(key)
        w.raw(" (")
        public = plan.new.tables[key].table_access == "Public"
        w.coloured("private → public" if public else "public → private", "green")
        w.raw(")\n")
    elif k == "ChangePrimaryKey":
        old_pk, new_pk = plan.old.tables[key].primary_key, plan.new.tables[key].primary_key
        if old_pk is None and new_pk is None:
            return
        text = ("removed" if new_pk is None else f"added on column {new_pk}" if old_pk is None
                else f"changed to column {new_pk}")
        w.action("Changed")
        w.raw(" primary key on table ")
        w.table_name(key)
        w.raw(f" ({text})\n")
    elif k in ("AddRowLevelSecurity", "RemoveRowLevelSecurity"):
        # a policy present before and after is removed and re-added, but not printed
        if (key in plan.old.row_level_security) == (key in plan.new.row_level_security):
            return
        w.action("Created" if k == "AddRowLevelSecurity" else "Removed")
        w.raw(" row level security policy:\n")
        w.level += 1
        w.indent_()
        w.raw("`")
        w.coloured(key, "blue")
        w.raw("`\n")
        w.level -= 1
    elif k == "ChangeColumns":
        _change_columns(w, plan.old.tables[key], plan.new.tables[key])
    elif k == "AddColumns":
        _add_columns(w, plan.old.tables[key], plan.new.tables[key])
    elif k == "DisconnectAllUsers":
        w.indent_()
        w.coloured("!!! Warning: All clients will be disconnected due to breaking schema changes", "red",
                   bold=True, background=True)
        w.raw("\n")


def _add_table(w: _Writer, table: Table) -> None:
    w.action("Created")
    w.raw(f" {'system' if table.table_type == 'System' else 'user'} table: ")
    w.table_name(table.name)
    w.raw(" (")
    w.coloured(table.table_access.lower(), "green")
    w.raw(")\n")
    w.level += 1
    sections: list[tuple[str, list[str]]] = [
        ("Unique constraints:", [f"{c.name} on [{', '.join(table.column_names(c.columns))}]"
                                 for c in sorted(table.constraints.values(), key=lambda c: c.name)]),
        ("Indexes:", [f"{i.name} on [{', '.join(table.column_names(i.columns))}]"
                      for i in sorted(table.indexes.values(), key=lambda i: i.name)]),
        ("Auto-increment constraints:", [f"{s.name} on {table.column(s.column).name}"
                                         for s in sorted(table.sequences.values(), key=lambda s: s.name)]),
    ]
    if table.columns:
        w.coloured_line("Columns:", "blue")
        w.level += 1
        for col in table.columns:
            w.indent_()
            w.raw(f"• {col.name}: ")
            w.coloured(fmt(col.resolved), "magenta")
            w.raw("\n")
        w.level -= 1
    for title, bullets in sections:
        if bullets:
            w.coloured_line(title, "blue")
            w.level += 1
            for bullet in bullets:
                w.line(f"• {bullet}")
            w.level -= 1
    if table.schedule is not None:
        w.coloured_line("Schedule:", "blue")
        w.level += 1
        w.line(f"• Calls reducer: {table.schedule.function_name}")
        w.level -= 1
    w.level -= 1
    w.line("")


def _change_columns(w: _Writer, old: Table, new: Table) -> None:
    w.action("Changed")
    w.raw(" columns for table ")
    w.table_name(new.name)
    w.raw("\n")
    w.level += 1
    for new_col in new.columns:
        old_col = next((c for c in old.columns if c.col_id == new_col.col_id), None)
        if old_col is None:
            continue
        if old_col.name != new_col.name:
            w.line(f"~ Renamed: {old_col.name} → {new_col.name}")
        # the formatter compares the types as written (references unresolved)
        if old_col.ty != new_col.ty:
            w.indent_()
            w.raw(f"~ Modified: {new_col.name} (")
            w.coloured(fmt(old_col.resolved), "magenta")
            w.raw(" → ")
            w.coloured(fmt(new_col.resolved), "magenta")
            w.raw(")\n")
    w.level -= 1


def _add_columns(w: _Writer, old: Table, new: Table) -> None:
    added = [c for c in new.columns if not any(o.col_id == c.col_id for o in old.columns)]
    w.action("Created")
    w.raw(f" column{'s' if len(added) > 1 else ''} in table ")
    w.table_name(new.name)
    w.raw("\n")
    w.level += 1
    for col in added:
        w.indent_()
        w.raw(f"+ {col.name}: ")
        w.coloured(fmt(col.resolved), "magenta")
        default = f" (default: {debug_value(col.resolved, col.default)})" if col.has_default else ""
        w.raw(default + "\n")
    w.level -= 1
