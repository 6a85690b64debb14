"""Rules and view queries checked before anything is sent, each problem at its rule's or query's line."""

from __future__ import annotations

from collections.abc import Callable
from graphlib import CycleError
from pathlib import Path

import pytest

from baseform.providers.pocketbase.filters import FilterSyntaxError, parse_filter
from baseform.providers.pocketbase.references import view_order
from baseform.providers.pocketbase.view_queries import read_view_query
from tests.clirun import run_cli
from tests.pocketbase_fixture import PocketBaseServer
from tests.providers.pocketbase.conftest import Baseform
from tests.providers.pocketbase.test_apply import applied, line_of, names

Manifest = Callable[..., Path]


def test_validate_reports_every_rule_and_query_problem_at_its_line(manifest: Manifest) -> None:
    path = manifest("""
        collections:
          - name: posts
            listRule: "titel != ''"
            viewRule: "author.nickname = @request.auth.id"
            updateRule: |
              @request.auth.id != '' &&
              // only the author
              author = @request.auth.id &&
              @request.body.title:each != ''
            deleteRule: "author = @request.auth.id &&"
            fields:
              - {name: title, type: text}
              - {name: author, type: relation, collection: authors, maxSelect: 1}
          - name: authors
            fields: [{name: name, type: text}]
          - name: post_titles
            type: view
            viewQuery: |
              SELECT p.id, p.headline
              FROM posts p
            listRule: "@collection.posts.titel = 'x'"
          - name: member_posts
            listRule: "author.nickname = 'x'"
            fields: [{name: author, type: relation, collection: users, maxSelect: 1}]
    """)
    result = run_cli(["validate", str(path)], env={})
    assert result.code == 1
    expected = {
        "listRule: 'titel'": "listRule: 'posts' has no field 'titel' (did you mean 'title'?)",
        "viewRule: \"author": "viewRule: 'authors' has no field 'nickname'",
        "updateRule: |": ":each needs a select, file or relation field; 'title' of 'posts' is a text field (line 4 "
                         "of the rule)",
        "deleteRule:": "deleteRule: syntax: invalid or incomplete filter expression",
        "viewQuery: |": "viewQuery: 'posts' has no column 'headline'",
        "listRule: \"@collection": "listRule: 'posts' has no field 'titel'",
    }
    for written, message in expected.items():
        line = line_of(path, written.replace("'titel'", "\"titel")) if written.startswith("listRule: 'titel'") \
            else line_of(path, written)
        assert any(f"{path}:{line}:" in row and message in row for row in result.err.splitlines()), \
            (written, message, result.err)
    assert "(line 1 of the query)" in result.err
    # users is not declared: its fields are not known before the server is read
    assert "member_posts" not in result.err
    assert "6 problems in the manifest" in result.err


def test_the_plan_checks_what_only_the_server_knows_and_sends_nothing(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    path = manifest("""
        collections:
          - name: member_posts
            listRule: "author.nickname = 'x' && @collection.ghosts.id != ''"
            fields: [{name: author, type: relation, collection: users, maxSelect: 1}]
          - name: member_stats
            type: view
            viewQuery: SELECT u.id, u.nickname FROM users u JOIN ghosts g ON g.id = u.id
    """)
    assert baseform("validate", path).code == 0  # nothing there is certain without the server
    result = baseform("plan", path)
    assert result.code == 1
    rule, query = line_of(path, "listRule:"), line_of(path, "viewQuery:")
    assert f"{path}:{rule}:" in result.err and "'users' has no field 'nickname'" in result.err
    assert "@collection.ghosts: there is no collection 'ghosts'" in result.err
    assert f"{path}:{query}:" in result.err and "there is no collection (table) 'ghosts'" in result.err
    assert "'users' has no column 'nickname'" in result.err
    assert baseform("apply", path, "--auto-approve").code == 1
    assert names(pocketbase) == {"users"}

    # the same rules are fine once users has the field
    fixed = manifest("""
        collections:
          - name: member_posts
            listRule: "author.nickname = 'x' && users_via_buddy.id != ''"
            fields: [{name: author, type: relation, collection: users, maxSelect: 1}]
          - name: users
            type: auth
            fields:
              - {name: nickname, type: text}
              - {name: buddy, type: relation, collection: member_posts, maxSelect: 1}
          - name: member_stats
            type: view
            viewQuery: SELECT u.id, u.nickname FROM users u
    """)
    applied(baseform, fixed, "--allow-destroy")
    assert {"member_posts", "member_stats"} <= names(pocketbase)


@pytest.mark.parametrize(("rule", "offset", "message"), [
    ("a = 1 &&", 8, "invalid or incomplete filter expression"),
    ("a = 1 b = 2", 6, "expected && or ||"),
    ("(a = 1", 0, "missing 1 closing bracket"),
    ("a = 'x", 4, "invalid quoted text"),
    ("a = 1 && (b = 2 || c)", 20, "invalid or incomplete filter expression"),
    ("a == 1", 2, "invalid sign operator '=='"),
])
def test_a_syntax_error_is_reported_where_the_server_parser_stops(rule: str, offset: int, message: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter(rule)
    assert caught.value.offset == offset and message in str(caught.value)


def test_identifiers_are_found_in_groups_functions_and_around_comments() -> None:
    rule = "(a.b ?= 'x' || geoDistance(p.lon, p.lat, 1, 2) < 5) // c = d\n&& @request.auth.id != e:each"
    assert [(i.name, i.offset) for i in parse_filter(rule)] == [
        ("a.b", 1), ("p.lon", 27), ("p.lat", 34), ("@request.auth.id", 64), ("e:each", 84)]


def test_a_view_query_reads_its_sources_not_its_strings_comments_or_own_names() -> None:
    read = read_view_query("""
        WITH recent AS (SELECT id FROM posts WHERE created > '2024 FROM nowhere')
        SELECT r.id, a."name", x.value
        FROM recent r, json_each(r.tags) x
        -- JOIN ghosts g
        LEFT JOIN authors AS a ON a.id = r.id
        WHERE a.id IN (SELECT author FROM main.books) AND a.id IS NOT DISTINCT FROM r.id
    """)
    assert [t for t, _ in read.tables] == ["posts", "recent", "authors", "books"]
    assert read.collections == {"posts", "authors", "books"}
    assert read.aliases["a"] == {"authors"} and read.aliases["r"] == {"recent"} and read.aliases["x"] == {""}
    assert ("a", "name") in {(q, c) for q, c, _ in read.columns}


def test_views_are_ordered_after_the_views_they_read() -> None:
    queries = {"c": "SELECT id FROM b JOIN a ON a.id = b.id", "a": "SELECT id FROM base", "b": "SELECT id FROM A"}
    assert view_order(["c", "a", "b"], queries) == ["a", "b", "c"]
    with pytest.raises(CycleError) as caught:
        view_order(["x", "self"], {"self": "WITH x AS (SELECT 1) SELECT s.id FROM x, self s", "x": "SELECT 1 AS id"})
    assert caught.value.args[1] == ["self", "self"]
    # a WITH name is not a view: a view may name its CTE after itself
    assert view_order(["stats"], {"stats": "WITH stats AS (SELECT id FROM posts) SELECT id FROM stats"}) == ["stats"]


def test_a_view_the_server_cannot_create_is_reported_at_its_query(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    # an unqualified column is not judged before sending: the server's answer is put at the query's line
    path = manifest("""
        collections:
          - name: posts
            fields: [{name: title, type: text}]
          - name: post_titles
            type: view
            viewQuery: SELECT id, headline FROM posts
    """)
    result = baseform("apply", path, "--auto-approve")
    assert result.code == 1
    assert f"{path}:{line_of(path, 'viewQuery:')}:" in result.text and "no such column: headline" in result.text
    assert names(pocketbase) == {"users"}
