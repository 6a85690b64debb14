"""Pure round trips: server object -> diff shape -> export -> manifest -> diff shape is the identity."""

from __future__ import annotations

from typing import Any

import pytest

from baseform.providers.appwrite import columns, indexes
from baseform.providers.appwrite.models import ColumnSpec, IndexSpec
from tests.emulators.appwrite.model import Column, Index
from tests.emulators.appwrite.profile import Profile

SERVER = Profile()

RELATION = {"relatedTable": "other", "relationType": "oneToMany", "twoWay": True, "twoWayKey": "back",
            "onDelete": "cascade", "side": "parent"}

SERVER_COLUMNS = [
    Column("a", "varchar", True, size=20),
    Column("b", "varchar", False, default="x", size=300, encrypt=True),
    Column("c", "text", False, array=True),
    Column("d", "string", False, size=20000),
    Column("e", "email", False, default="a@b.co"),
    Column("f", "enum", False, elements=["z", "a"], default="a"),
    Column("g", "integer", False, min=-(2**63), max=2**63 - 1),
    Column("h", "float", False, min=-1.7976931348623157e308, max=2.5, default=1.0),
    Column("i", "bigint", False, min=0, max=2**63 - 1),
    Column("j", "line", False),
    Column("k", "polygon", True),
    Column("l", "relationship", False, relation=RELATION),
    Column("m", "relationship", False,
           relation=RELATION | {"twoWay": False, "twoWayKey": "t", "onDelete": "restrict"}),
]


@pytest.mark.parametrize("column", SERVER_COLUMNS, ids=lambda c: c.kind)
def test_column_round_trip(column: Column) -> None:
    raw = column.to_model(legacy=False, profile=SERVER)
    value = columns.live_value(raw)
    entry = columns.export_entry(value, "t")
    assert columns.desired_value(ColumnSpec.model_validate(entry), "t") == value


def test_export_leaves_server_defaults_out() -> None:
    entry = columns.export_entry(columns.live_value(SERVER_COLUMNS[6].to_model(False, SERVER)), "t")
    assert entry == {"key": "g", "type": "integer"}
    one_way = columns.export_entry(columns.live_value(SERVER_COLUMNS[12].to_model(False, SERVER)), "t")
    assert one_way == {"key": "m", "type": "relationship", "relatedTable": "other", "relationType": "oneToMany"}


@pytest.mark.parametrize(("spec", "value"), [
    ({"key": "k", "type": "key", "columns": ["a", "b"]},
     {"type": "key", "columns": ["a", "b"], "orders": ["ASC", "ASC"], "lengths": [None, None]}),
    ({"key": "k", "type": "unique", "columns": ["a", "b"], "orders": ["DESC"], "lengths": [10]},
     {"type": "unique", "columns": ["a", "b"], "orders": ["DESC", "ASC"], "lengths": [10, None]}),
    ({"key": "k", "type": "fulltext", "columns": ["a"]},
     {"type": "fulltext", "columns": ["a"], "orders": ["ASC"], "lengths": [None]}),
    # what the official SDKs and the console send: lower case, and a fulltext index with orders
    ({"key": "k", "type": "fulltext", "columns": ["a"], "orders": ["asc"]},
     {"type": "fulltext", "columns": ["a"], "orders": ["ASC"], "lengths": [None]}),
    ({"key": "k", "type": "key", "columns": ["a", "b"], "orders": ["desc", None], "lengths": [0, 5]},
     {"type": "key", "columns": ["a", "b"], "orders": ["DESC", "ASC"], "lengths": [None, 5]}),
])
def test_index_normal_form_matches_what_the_server_returns(spec: dict[str, Any], value: dict[str, Any]) -> None:
    # a new index: lengths left out mean none (the live index's, when there is one)
    desired = indexes.with_live(indexes.desired_value(IndexSpec.model_validate(spec)), None)
    assert desired == value
    # what the server stores from our create body: orders as sent, lengths padded with null
    # ([index-orders-case], [index-lengths-zero] of the emulator's FIDELITY.md)
    body = indexes.create_body("k", desired)
    lengths = body.get("lengths", [])
    stored = Index("1", "k", body["type"], body["columns"], lengths + [None] * (len(body["columns"]) - len(lengths)),
                   body.get("orders", []))
    assert indexes.live_value(stored.to_model(legacy=False, profile=SERVER)) == desired


def test_an_index_made_elsewhere_without_orders_is_ascending() -> None:
    made_elsewhere = {"type": "key", "columns": ["a", "b"], "orders": [], "lengths": [None, None]}
    declared = IndexSpec.model_validate({"key": "k", "type": "key", "columns": ["a", "b"]})
    live = indexes.live_value(made_elsewhere)
    assert live == indexes.with_live(indexes.desired_value(declared), live)
