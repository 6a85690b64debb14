"""Pure normalisation tables: index statements and date options compare as PocketBase means them."""

from __future__ import annotations

import pytest

from baseform.providers.pocketbase.fields import normalise_date
from baseform.providers.pocketbase.indexes import parse_index


@pytest.mark.parametrize(("a", "b"), [
    ("create unique index idx_a on t (a)", "CREATE UNIQUE INDEX `idx_a` ON `other` (`a`)"),
    ("CREATE INDEX idx_b ON t (a COLLATE nocase desc, b)",
     "CREATE INDEX `idx_b` ON `t` (\n  `a` COLLATE nocase DESC,\n  `b`\n)"),
    ("CREATE UNIQUE INDEX IF NOT EXISTS idx_e ON t (email) WHERE email != ''",
     "CREATE UNIQUE INDEX `idx_e` ON `t` (`email`)  WHERE  email != ''"),
])
def test_equivalent_index_statements_have_one_value(a: str, b: str) -> None:
    pa, pb = parse_index(a), parse_index(b)
    assert pa is not None and pb is not None
    assert (pa.name, pa.value) == (pb.name, pb.value)
    assert parse_index(pa.sql("t")) == pa  # what is sent reads back as the same index


@pytest.mark.parametrize(("a", "b"), [
    ("CREATE INDEX i ON t (a)", "CREATE UNIQUE INDEX i ON t (a)"),
    ("CREATE INDEX i ON t (a, b)", "CREATE INDEX i ON t (b, a)"),
    ("CREATE INDEX i ON t (a)", "CREATE INDEX i ON t (a DESC)"),
    ("CREATE INDEX i ON t (a)", "CREATE INDEX i ON t (a) WHERE a > 0"),
])
def test_different_indexes_differ(a: str, b: str) -> None:
    pa, pb = parse_index(a), parse_index(b)
    assert pa is not None and pb is not None and pa.value != pb.value


@pytest.mark.parametrize("text", ["CREATE INDEX nope", "CREATE TABLE t (a)", "index i on t (a)", ""])
def test_non_index_statements_are_rejected(text: str) -> None:
    assert parse_index(text) is None


@pytest.mark.parametrize(("given", "stored"), [
    ("2024-01-01", "2024-01-01 00:00:00.000Z"),
    ("2024-02-01T10:00:00Z", "2024-02-01 10:00:00.000Z"),
    ("2024-02-01 10:00:00.250Z", "2024-02-01 10:00:00.250Z"),
    ("", ""),
    ("not a date", "not a date"),
])
def test_dates_are_written_as_the_server_stores_them(given: str, stored: str) -> None:
    assert normalise_date(given) == stored
