from __future__ import annotations

import pytest

from baseform.engine.address import Address

ROUND_TRIP = [
    "pocketbase.collections.posts",
    "pocketbase.collections.posts.fields.title",
    "appwrite.databases.blog.tables.articles.columns.title",
    'appwrite.buckets["img.v2"]',
    'appwrite.databases["a.b"].tables.t-1',
    "weaviate.classes.Article.properties.writtenBy",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_address_parse_format_round_trip(text: str) -> None:
    assert str(Address.parse(text)) == text


def test_address_structure() -> None:
    a = Address.parse("appwrite.databases.blog.tables.articles.columns.title")
    assert a.kind == "columns" and a.name == "title" and a.depth == 3
    assert str(a.parent) == "appwrite.databases.blog.tables.articles"
    assert a.is_within(Address.parse("appwrite.databases.blog"))
    assert not a.is_within(Address.parse("appwrite.databases.blo"))


def test_address_quoted_name_with_dot_parses() -> None:
    a = Address.parse('appwrite.buckets["img.v2"]')
    assert a.path == (("buckets", "img.v2"),)


@pytest.mark.parametrize("bad", ["", "Appwrite.x.y", "appwrite.databases", "appwrite..x", "appwrite.a.b.c"])
def test_address_invalid_is_rejected_with_example(bad: str) -> None:
    with pytest.raises(ValueError):
        Address.parse(bad)


def test_rebase_moves_descendants_of_renamed_parent() -> None:
    old = Address.parse("pocketbase.collections.old")
    new = Address.parse("pocketbase.collections.new")
    child = Address.parse("pocketbase.collections.old.fields.title")
    assert str(child.rebase(old, new)) == "pocketbase.collections.new.fields.title"
