"""The automatic-migration planner: ``ponder_auto_migrate`` of crates/schema/src/auto_migrate.rs.

Given the running module and a new one, either a list of steps (sorted as the server sorts them:
by step kind in the enum's declaration order, then by name) or the list of reasons the change needs
a manual migration, in the order the server collects them. Rules that changed between releases are
gated by :mod:`.versions`; FIDELITY.md lists each rule with its source.
"""

from __future__ import annotations

from dataclasses import dataclass

from .module import Module, Table
from .sats import JsonType, fmt, kind, layout, member_name, members
from .versions import ADD_CONSTRAINT, CHANGE_PRIMARY_KEY, REMOVE_TABLE, Version

# AutoMigrateStep's declaration order (the derived Ord the plan is sorted by); the variants the
# emulator never produces (views, event tables, accessor renames of v10 modules) are left out.
STEP_ORDER = ("RemoveIndex", "RemoveConstraint", "RemoveSequence", "RemoveSchedule", "RemoveRowLevelSecurity",
              "RemoveTable", "ChangeColumns", "AddColumns", "AddTable", "AddIndex", "AddConstraint", "AddSequence",
              "AddSchedule", "AddRowLevelSecurity", "ChangeAccess", "ChangePrimaryKey", "DisconnectAllUsers")


@dataclass(frozen=True, order=True)
class Step:
    """One ``AutoMigrateStep``; ``key`` is the table, index, constraint, sequence, schedule or RLS SQL."""

    rank: int
    key: str

    @property
    def kind(self) -> str:
        return STEP_ORDER[self.rank]


def step(kind_: str, key: str = "") -> Step:
    return Step(STEP_ORDER.index(kind_), key)


@dataclass
class Plan:
    old: Module
    new: Module
    steps: list[Step]

    @property
    def breaks_clients(self) -> bool:
        """``MigratePlan::breaks_client``: the plan disconnects all users."""
        return any(s.kind == "DisconnectAllUsers" for s in self.steps)


class ManualMigration(Exception):  # noqa: N818 - the server's name for the outcome
    """The change cannot be migrated automatically; ``errors`` are the AutoMigrateError texts."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors

    @property
    def reason(self) -> str:
        """``ErrorStream``'s Display (crates/data-structures/src/error_stream.rs)."""
        return "Errors occurred:\n" + "".join(f"{e}\n\n" for e in self.errors)


def ponder(old: Module, new: Module, version: Version) -> Plan:
    """The automatic migration from ``old`` to ``new``; raises ManualMigration when there is none."""
    planner = _Planner(old, new, version)
    planner.run()
    if planner.errors:
        raise ManualMigration(planner.errors)
    return Plan(old, new, sorted(planner.steps))


class _Planner:
    def __init__(self, old: Module, new: Module, version: Version) -> None:
        self.old, self.new, self.version = old, new, version
        self.steps: list[Step] = []
        self.errors: list[str] = []

    def disconnect(self) -> None:
        if not any(s.kind == "DisconnectAllUsers" for s in self.steps):
            self.steps.append(step("DisconnectAllUsers"))

    def run(self) -> None:
        removed = [n for n in self.old.tables if n not in self.new.tables]
        added = [n for n in self.new.tables if n not in self.old.tables]
        for name, old_table in self.old.tables.items():
            if name in removed:
                if self.version >= REMOVE_TABLE:
                    self.steps.append(step("RemoveTable", name))
                    self.disconnect()
                else:
                    self.errors.append(f"Removing the table {name} requires a manual migration")
            else:
                self.table(old_table, self.new.tables[name])
        self.steps.extend(step("AddTable", n) for n in added)
        self.indexes(set(added), set(removed))
        self.sequences(set(added), set(removed))
        self.constraints(set(added), set(removed))
        self.row_level_security()

    # -- tables and columns ----------------------------------------------------------------------
    def table(self, old: Table, new: Table) -> None:
        name = old.name
        if old.table_type != new.table_type:
            self.errors.append(f"Changing the table type of table {name} from {old.table_type} to {new.table_type} "
                               "requires a manual migration")
        if old.table_access != new.table_access:
            self.steps.append(step("ChangeAccess", name))
        if old.primary_key != new.primary_key and self.version >= CHANGE_PRIMARY_KEY:
            self.steps.append(step("ChangePrimaryKey", name))
        if old.schedule != new.schedule:
            if old.schedule is not None:
                self.steps.append(step("RemoveSchedule", old.schedule.name))
            if new.schedule is not None:
                self.steps.append(step("AddSchedule", new.schedule.name))
        new_cols = {c.name: c for c in new.columns}
        old_cols = {c.name for c in old.columns}
        row_type_changed = columns_added = False
        for old_col in old.columns:
            new_col = new_cols.get(old_col.name)
            if new_col is None:
                self.errors.append(f"Removing a column {old_col.name} from table {name} requires a manual migration")
                continue
            changed, errors = upgradable(False, name, old_col.name, old_col.resolved, new_col.resolved)
            self.errors.extend(errors)
            if old_col.col_id != new_col.col_id:
                self.errors.append(f"Reordering table {name} requires a manual migration")
            row_type_changed |= changed
        for new_col in new.columns:
            if new_col.name in old_cols:
                continue
            if new_col.has_default:
                columns_added = True
            else:
                self.errors.append(f"Adding a column {new_col.name} to table {name} requires a default value "
                                   "annotation")
        if columns_added:
            # the table is rewritten, which disconnects everyone (and makes ChangeColumns moot)
            self.disconnect()
            self.steps.append(step("AddColumns", name))
        elif row_type_changed:
            self.steps.append(step("ChangeColumns", name))

    # -- sub-objects -----------------------------------------------------------------------------
    def indexes(self, added: set[str], removed: set[str]) -> None:
        old = {i.name: (t.name, i) for t in self.old.tables.values() for i in t.indexes.values()}
        new = {i.name: (t.name, i) for t in self.new.tables.values() for i in t.indexes.values()}
        for name, (table, _) in old.items():
            if name not in new and table not in removed:
                self.steps.append(step("RemoveIndex", name))
        for name, (table, _) in new.items():
            if name not in old and table not in added:
                self.steps.append(step("AddIndex", name))
        for name, (_, old_index) in old.items():
            if name not in new:
                continue
            new_index = new[name][1]
            if old_index.accessor_name != new_index.accessor_name:
                self.errors.append(f"Changing the accessor name on index {name} from {_debug(old_index.accessor_name)}"
                                   f" to {_debug(new_index.accessor_name)} requires a manual migration")
            elif (old_index.algorithm, old_index.columns) != (new_index.algorithm, new_index.columns):
                self.steps += [step("RemoveIndex", name), step("AddIndex", name)]

    def sequences(self, added: set[str], removed: set[str]) -> None:
        old = {s.name: (t.name, s) for t in self.old.tables.values() for s in t.sequences.values()}
        new = {s.name: (t.name, s) for t in self.new.tables.values() for s in t.sequences.values()}
        for name, (table, _) in old.items():
            if name not in new and table not in removed:
                self.steps.append(step("RemoveSequence", name))
        for name, (table, seq) in new.items():
            if name in old:
                if old[name][1] != seq:
                    self.steps += [step("RemoveSequence", name), step("AddSequence", name)]
            elif table not in added:
                self.steps.append(step("AddSequence", name))

    def constraints(self, added: set[str], removed: set[str]) -> None:
        old = {c.name: (t.name, c) for t in self.old.tables.values() for c in t.constraints.values()}
        new = {c.name: (t.name, c) for t in self.new.tables.values() for c in t.constraints.values()}
        for name, (table, _) in new.items():
            if name not in old and table not in added:
                if self.version >= ADD_CONSTRAINT:
                    self.steps.append(step("AddConstraint", name))
                else:
                    self.errors.append(f"Adding a unique constraint {name} requires a manual migration")
        for name, (table, _) in old.items():
            if name not in new and table not in removed:
                self.steps.append(step("RemoveConstraint", name))
        for name, (_, constraint) in new.items():
            if name in old and old[name][1] != constraint:
                self.errors.append(f"Changing a unique constraint {name} requires a manual migration")

    def row_level_security(self) -> None:
        # all policies are removed and re-added; a changed set disconnects everyone to flush caches
        self.steps += [step("RemoveRowLevelSecurity", sql) for sql in self.old.row_level_security]
        self.steps += [step("AddRowLevelSecurity", sql) for sql in self.new.row_level_security]
        if set(self.old.row_level_security) != set(self.new.row_level_security):
            self.disconnect()


def _debug(value: str | None) -> str:
    """Rust's ``{:?}`` of an ``Option<Identifier>``."""
    return "None" if value is None else f'Some("{value}")'


def upgradable(within: bool, table: str, column: str, old: JsonType, new: JsonType) -> tuple[bool, list[str]]:
    """``ensure_old_ty_upgradable_to_new``: (whether the row type changed, the errors found)."""
    where = "a type within" if within else "the type of"
    head = f"Changing {where} column {column} in table {table} from {fmt(old)} to {fmt(new)}"
    k_old, k_new = kind(old), kind(new)
    errors: list[str] = []
    changed = False
    if k_old == k_new == "Sum":
        old_vars, new_vars = members(old), members(new)
        if len(old_vars) < len(new_vars):
            changed = True
        elif len(old_vars) > len(new_vars):
            errors.append(f"{head}, with fewer variants, requires a manual migration")
        for o, n in zip(old_vars, new_vars, strict=False):
            c, e = upgradable(True, table, column, o["algebraic_type"], n["algebraic_type"])
            changed |= c
            errors.extend(e)
            if member_name(o) != member_name(n):
                errors.append(f"{head}, with a renamed variant, requires a manual migration")
        (old_size, old_align), (new_size, new_align) = layout(old), layout(new)
        if old_size != new_size:
            errors.append(f"{head}, requires a manual migration, due to size mismatch")
        if old_align != new_align:
            errors.append(f"{head}, requires a manual migration, due to alignment mismatch")
        return changed, errors
    if k_old == k_new == "Product":
        old_elems, new_elems = members(old), members(new)
        if len(old_elems) != len(new_elems):
            errors.append(f"{head}, with fewer fields, requires a manual migration")
        for o, n in zip(old_elems, new_elems, strict=False):
            c, e = upgradable(True, table, column, o["algebraic_type"], n["algebraic_type"])
            changed |= c
            errors.extend(e)
            if member_name(o) != member_name(n):
                errors.append(f"{head}, with a renamed field, requires a manual migration")
        return changed, errors
    if k_old == k_new == "Array":
        return upgradable(True, table, column, old["Array"], new["Array"])
    if old == new:
        return False, []
    return False, [f"{head} requires a manual migration"]
