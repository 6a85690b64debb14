"""Build RawModuleDefV9 JSON documents (the emulator's modules) the way ``RawModuleDefV9Builder`` does.

:class:`ModuleBuilder` mirrors the builder calls the server's own tests use
(crates/lib/src/db/raw_def/v9.rs: ``build_table_with_new_type``, ``with_unique_constraint``,
``with_index``, ``with_column_sequence``, ``with_auto_inc_primary_key``, ``with_schedule``,
``with_default_column_value``, ``with_access``, ``add_row_level_security``...), so fixtures ported from
crates/schema/src/auto_migrate.rs read like the originals. Names are left for the server to
generate, as the builder does.
"""

from __future__ import annotations

import json
import struct
from typing import Any

Type = dict[str, Any]

U8: Type = {"U8": []}
U16: Type = {"U16": []}
U32: Type = {"U32": []}
U64: Type = {"U64": []}
U128: Type = {"U128": []}
I32: Type = {"I32": []}
I64: Type = {"I64": []}
BOOL: Type = {"Bool": []}
STRING: Type = {"String": []}
IDENTITY: Type = {"Product": {"elements": [{"name": {"some": "__identity__"}, "algebraic_type": {"U256": []}}]}}
SCHEDULE_AT: Type = {"Sum": {"variants": [
    {"name": {"some": "Interval"}, "algebraic_type": {"Product": {"elements": [
        {"name": {"some": "__time_duration_micros__"}, "algebraic_type": I64}]}}},
    {"name": {"some": "Time"}, "algebraic_type": {"Product": {"elements": [
        {"name": {"some": "__timestamp_micros_since_unix_epoch__"}, "algebraic_type": I64}]}}},
]}}


def _members(items: list[tuple[str, Type]]) -> list[dict[str, Any]]:
    return [{"name": {"some": n}, "algebraic_type": t} for n, t in items]


def product(*fields: tuple[str, Type]) -> Type:
    return {"Product": {"elements": _members(list(fields))}}


def sum_(*variants: tuple[str, Type]) -> Type:
    return {"Sum": {"variants": _members(list(variants))}}


def array(elem: Type) -> Type:
    return {"Array": elem}


def btree(*columns: int) -> dict[str, Any]:
    return {"BTree": {"columns": list(columns)}}


def bsatn(ty: Type, value: Any) -> str:
    """The hex of a primitive value's BSATN encoding (how a column default is stored)."""
    (k,) = ty
    if k == "String":
        data = value.encode()
        return (struct.pack("<I", len(data)) + data).hex()
    formats = {"Bool": "<?", "U8": "<B", "U16": "<H", "U32": "<I", "U64": "<Q", "I32": "<i", "I64": "<q"}
    return struct.pack(formats[k], value).hex()


class TableBuilder:
    def __init__(self, module: ModuleBuilder, name: str, ref: int) -> None:
        self.module = module
        self.table: dict[str, Any] = {
            "name": name, "product_type_ref": ref, "primary_key": [], "indexes": [], "constraints": [],
            "sequences": [], "schedule": {"none": []}, "table_type": {"User": []}, "table_access": {"Public": []}}

    def with_access(self, access: str) -> TableBuilder:
        self.table["table_access"] = {access: []}
        return self

    def with_type(self, table_type: str) -> TableBuilder:
        self.table["table_type"] = {table_type: []}
        return self

    def with_unique_constraint(self, *columns: int) -> TableBuilder:
        self.table["constraints"].append({"name": {"none": []}, "data": {"Unique": {"columns": list(columns)}}})
        return self

    def with_index(self, algorithm: dict[str, Any], accessor: str | None = None) -> TableBuilder:
        self.table["indexes"].append({"name": {"none": []},
                                      "accessor_name": {"some": accessor} if accessor else {"none": []},
                                      "algorithm": algorithm})
        return self

    def with_column_sequence(self, column: int) -> TableBuilder:
        self.table["sequences"].append({"name": {"none": []}, "column": column, "start": {"none": []},
                                        "min_value": {"none": []}, "max_value": {"none": []}, "increment": 1})
        return self

    def with_primary_key(self, column: int) -> TableBuilder:
        self.table["primary_key"] = [column]
        return self

    def with_auto_inc_primary_key(self, column: int) -> TableBuilder:
        return self.with_primary_key(column).with_unique_constraint(column).with_column_sequence(column)

    def with_schedule(self, reducer: str, column: int) -> TableBuilder:
        self.table["schedule"] = {"some": {"name": {"none": []}, "reducer_name": reducer,
                                           "scheduled_at_column": column}}
        return self

    def with_default_column_value(self, column: int, ty: Type, value: Any) -> TableBuilder:
        self.module.doc["misc_exports"].append({"ColumnDefaultValue": {
            "table": self.table["name"], "col_id": column, "value": bsatn(ty, value)}})
        return self

    def finish(self) -> int:
        self.module.doc["tables"].append(self.table)
        return int(self.table["product_type_ref"])


class ModuleBuilder:
    def __init__(self) -> None:
        self.doc: dict[str, Any] = {"typespace": {"types": []}, "tables": [], "reducers": [], "types": [],
                                    "misc_exports": [], "row_level_security": []}

    def add_type(self, name: str, ty: Type) -> Type:
        """A named type in the typespace; returns a reference to it."""
        ref = len(self.doc["typespace"]["types"])
        self.doc["typespace"]["types"].append(ty)
        self.doc["types"].append({"name": {"scope": [], "name": name}, "ty": ref, "custom_ordering": True})
        return {"Ref": ref}

    def table(self, name: str, *columns: tuple[str, Type]) -> TableBuilder:
        """``build_table_with_new_type``: a table (public, user) whose row type is added to the typespace."""
        ref = self.add_type(name, product(*columns))["Ref"]
        return TableBuilder(self, name, ref)

    def reducer(self, name: str, *params: tuple[str, Type], lifecycle: str | None = None) -> ModuleBuilder:
        self.doc["reducers"].append({"name": name, "params": {"elements": _members(list(params))},
                                     "lifecycle": {"some": {lifecycle: []}} if lifecycle else {"none": []}})
        return self

    def rls(self, sql: str) -> ModuleBuilder:
        self.doc["row_level_security"].append({"sql": sql})
        return self

    def build(self) -> dict[str, Any]:
        return self.doc

    def bytes(self) -> bytes:
        return json.dumps(self.doc, indent=1).encode()


# -- fixtures ported from crates/schema/src/auto_migrate.rs (v2.8.3) tests -------------------------
# Views are not modelled by the emulator, so the source's `my_view` is left out of both modules.

def initial_module() -> ModuleBuilder:
    """``initial_module_def``."""
    b = ModuleBuilder()
    sum_ref = b.add_type("sum", sum_(("v1", U64)))
    b.table("Apples", ("id", U64), ("name", STRING), ("count", U16), ("sum", sum_ref)) \
        .with_column_sequence(0).with_unique_constraint(0).with_index(btree(0), "id_index") \
        .with_index(btree(0, 1), "id_name_index").finish()
    b.table("Bananas", ("id", U64), ("name", STRING), ("count", U16)).with_access("Public").finish()
    deliveries = b.table("Deliveries", ("scheduled_id", U64), ("scheduled_at", SCHEDULE_AT), ("sum", array(sum_ref))) \
        .with_auto_inc_primary_key(0).with_index(btree(0)).with_schedule("check_deliveries", 1).finish()
    b.reducer("check_deliveries", ("a", {"Ref": deliveries}))
    b.table("Inspections", ("scheduled_id", U64), ("scheduled_at", SCHEDULE_AT)) \
        .with_auto_inc_primary_key(0).with_index(btree(0)).finish()
    b.rls("SELECT * FROM Apples")
    return b


def updated_module() -> ModuleBuilder:
    """``updated_module_def``."""
    b = ModuleBuilder()
    # (the source's `add_type::<u32>()` adds nothing to the typespace: a primitive needs no reference)
    sum_ref = b.add_type("sum", sum_(("v1", U64), ("v2", BOOL)))
    b.table("Apples", ("id", U64), ("name", STRING), ("count", U16), ("sum", sum_ref)) \
        .with_index(btree(0), "id_index").with_index(btree(0, 2), "id_count_index").finish()
    b.table("Bananas", ("id", U64), ("name", STRING), ("count", U16), ("freshness", U32)) \
        .with_column_sequence(0).with_default_column_value(3, U32, 5).with_access("Private").finish()
    deliveries = b.table("Deliveries", ("scheduled_id", U64), ("scheduled_at", SCHEDULE_AT), ("sum", array(sum_ref))) \
        .with_auto_inc_primary_key(0).with_index(btree(0)).finish()
    b.reducer("check_deliveries", ("a", {"Ref": deliveries}))
    inspections = b.table("Inspections", ("scheduled_id", U64), ("scheduled_at", SCHEDULE_AT)) \
        .with_auto_inc_primary_key(0).with_index(btree(0)).with_schedule("perform_inspection", 1).finish()
    b.reducer("perform_inspection", ("a", {"Ref": inspections}))
    b.table("Oranges", ("id", U32)).with_index(btree(0), "id_index").with_column_sequence(0) \
        .with_unique_constraint(0).with_primary_key(0).finish()
    b.rls("SELECT * FROM Bananas")
    return b
