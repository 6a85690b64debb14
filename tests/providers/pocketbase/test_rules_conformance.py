"""The rule check agrees with the real server: what it refuses, PocketBase refuses; what PocketBase
accepts, it accepts. Each rule is saved on the server (PATCH) and checked by baseform against the
same collections read back from it."""

from __future__ import annotations

from typing import Any

from baseform.providers.pocketbase.catalog import catalog_of
from baseform.providers.pocketbase.live import state_from
from baseform.providers.pocketbase.rules import rule_problems
from baseform.providers.pocketbase.view_queries import view_problems
from tests.pocketbase_fixture import PocketBaseServer

SCHEMA: list[dict[str, Any]] = [
    {"id": "pbc_authors01", "name": "authors", "type": "auth", "fields": [
        {"name": "name", "type": "text"},
        {"name": "tags", "type": "select", "values": ["a", "b"], "maxSelect": 2},
        {"name": "avatar", "type": "file", "maxSelect": 1},
        {"name": "meta", "type": "json"},
        {"name": "spot", "type": "geoPoint"},
        {"name": "created", "type": "autodate", "onCreate": True}]},
    {"id": "pbc_posts0001", "name": "posts", "type": "base", "fields": [
        {"name": "title", "type": "text"},
        {"name": "author", "type": "relation", "collectionId": "pbc_authors01", "maxSelect": 1},
        {"name": "editors", "type": "relation", "collectionId": "pbc_authors01", "maxSelect": 5},
        {"name": "status", "type": "select", "values": ["draft", "live"], "maxSelect": 1},
        {"name": "views", "type": "number"},
        {"name": "published", "type": "bool"},
        {"name": "data", "type": "json"},
        {"name": "secret", "type": "text", "hidden": True},
        {"name": "created", "type": "autodate", "onCreate": True}]},
    {"id": "pbc_comments1", "name": "comments", "type": "base", "fields": [
        {"name": "post", "type": "relation", "collectionId": "pbc_posts0001", "maxSelect": 1},
        {"name": "text", "type": "text"},
        {"name": "likes", "type": "relation", "collectionId": "pbc_authors01", "maxSelect": 9}]},
    {"id": "pbc_stats0001", "name": "stats", "type": "view", "viewQuery": "SELECT id, title FROM posts"},
]

# (collection, rule, refused by the server)
RULES: list[tuple[str, str, bool]] = [
    # fields, relations and system fields
    ("posts", "title = 'x'", False),
    ("posts", "secret = 'x' && id != ''", False),  # hidden fields may be used in rules
    ("authors", "email = 'a@b.c' && verified = true && emailVisibility = false && name != ''", False),
    ("comments", "post.title = 'x'", False),
    ("comments", "post.author.name = 'x'", False),
    ("comments", "post.editors.name ?= 'x'", False),
    ("comments", "post.id = 'x' && post.author.id = 'y'", False),
    ("comments", "likes.id ?= @request.auth.id", False),
    ("posts", "nosuch = 1", True),
    ("comments", "post.nosuch = 1", True),
    ("comments", "post.title.length = 1", True),  # title is not a relation
    ("posts", "Title = 'x'", True),  # field names are case-sensitive
    ("comments", "post.author.name.x = 1", True),
    ("comments", "created > @now", True),  # created/updated exist only where declared
    ("posts", "created > @now && @todayStart < created", False),
    # back-relations
    ("posts", "comments_via_post.text ?= 'x'", False),
    ("posts", "comments_via_post.likes.name ?= 'x'", False),
    ("authors", "posts_via_author.title ?= 'x' && posts_via_editors.views > 1", False),
    ("posts", "comments_via_nosuch.text ?= 'x'", True),
    ("posts", "nosuch_via_post.text ?= 'x'", True),
    ("posts", "comments_via_text.text ?= 'x'", True),  # text is not a relation
    ("posts", "comments_via_likes.text ?= 'x'", True),  # likes points at authors, not posts
    ("posts", "comments_via_post = 1", True),  # the last step must be a field
    # JSON paths and geo points
    ("posts", "data.a.b = 1 && data.list.0 = 'x'", False),
    ("authors", "meta.x.y = 1 && spot.lon > 1", False),
    ("authors", "geoDistance(spot.lon, spot.lat, 1.5, -2) < 5", False),
    ("authors", "geoDistance(spot.lon, nosuch, 1, 2) < 5", True),
    # modifiers
    ("posts", "editors:length > 1 && editors:each != '' && title:lower = 'x' && status:each = 'live'", False),
    ("posts", "title:isset = true", False),
    ("posts", "title:foo = 1", True),
    ("authors", "tags:each ?= 'a' && tags:length < 3", False),
    # @collection
    ("comments", "@collection.posts.title = text", False),
    ("comments", "@collection.posts:p.title = 'x' && @collection.posts:q.views > 1", False),
    ("comments", "@collection.pbc_posts0001.title = 'x'", False),  # by id
    ("comments", "@collection.POSTS.title = 'x'", False),  # names are case-insensitive
    ("comments", "@collection.posts.author.name = 'x'", False),
    ("comments", "@collection.nosuch.title = 'x'", True),
    ("comments", "@collection.posts.nosuch = 'x'", True),
    ("comments", "@collection.stats.title = 'x'", False),
    # @request
    ("posts", "@request.auth.id != '' && @request.auth.collectionName = 'authors'", False),
    ("posts", "@request.auth.anything.deeper:isset = true", False),
    ("posts", "@request.body.title:isset = true && @request.body.title:lower = 'x'", False),
    ("posts", "@request.body.editors:length > 1 && @request.body.editors:each != ''", False),
    ("posts", "@request.body.status:changed = false && @request.body.author.name = 'x'", False),
    ("posts", "@request.body.nosuch = 1 && @request.body.nosuch:isset = false", False),
    ("posts", "@request.query.page = 1 && @request.headers.x_token = 'y'", False),
    ("posts", "@request.method = 'GET' && @request.context = 'default'", False),
    ("posts", "@request.body.title:each = 'x'", True),  # a text field has no values to iterate
    ("posts", "@request.body.nosuch:each = 'x'", True),
    ("posts", "@request.query.x:length = 1", True),
    ("posts", "@request.data.title = 'x'", True),  # PocketBase 0.22's name
    ("posts", "@request.body = 1", True),
    # values, functions, syntax
    ("posts", "title = null && published = true && published != FALSE", False),
    ("posts", "strftime('%Y', created) = '2024'", False),
    ("posts", "(title = 'a' || (views > 1 && published = true)) && status != 'draft' // a comment", False),
    ("posts", "title = 'x'\n// a line comment\n&& views > 1", False),
    ("posts", "title = ", True),
    ("posts", "title = 'x' &&", True),
    ("posts", "(title = 'x'", True),
    ("posts", "title == 'x'", True),
    ("posts", "title = 'x' views > 1", True),
    ("posts", "#title = 1", True),
    ("posts", "()", True),
    ("posts", "title = \"unterminated", True),
]


def _catalog(server: PocketBaseServer) -> Any:
    items = server.http.get("/api/collections", params={"perPage": 1000}).json()["items"]
    return catalog_of([], state_from(items, server.url))


def test_the_rule_check_refuses_exactly_what_the_server_refuses(pocketbase: PocketBaseServer) -> None:
    created = pocketbase.http.put("/api/collections/import", json={"collections": SCHEMA, "deleteMissing": False})
    assert created.status_code == 204, created.text
    catalog = _catalog(pocketbase)
    disagreements = []
    for collection, rule, refused in RULES:
        answer = pocketbase.http.patch(f"/api/collections/{collection}", json={"listRule": rule})
        assert answer.status_code in (200, 400), answer.text
        found = catalog.find(collection)
        assert found is not None
        problems = rule_problems(rule, found, catalog)
        server_refused = answer.status_code == 400
        if server_refused != refused or bool(problems) != refused:
            disagreements.append(f"{collection}: {rule!r}: server {'refused' if server_refused else 'accepted'}, "
                                 f"table says {'refused' if refused else 'accepted'}, baseform: {problems}")
    assert not disagreements, "\n".join(disagreements)


# (view query, refused by the server, refused by baseform)
QUERIES: list[tuple[str, bool, bool]] = [
    ("SELECT id, title FROM posts", False, False),
    ("SELECT p.id, p.title, a.name FROM posts p JOIN authors a ON a.id = p.author", False, False),
    ("SELECT posts.id, posts.TITLE FROM posts", False, False),  # column names are case-insensitive
    ("SELECT p.id, j.value AS editor FROM posts p, json_each(p.editors) j", False, False),
    ("SELECT (ROW_NUMBER() OVER()) AS id, COUNT(*) AS total FROM posts", False, False),
    ("-- counts FROM nowhere\nSELECT id, 'from nowhere' AS note /* FROM nosuch */ FROM posts", False, False),
    ("SELECT id FROM posts WHERE author IN (SELECT id FROM authors)", False, False),
    ("SELECT p.id FROM posts AS p WHERE EXISTS (SELECT 1 FROM comments c WHERE c.post = p.id)", False, False),
    ("SELECT id, title FROM stats", False, False),  # a view reading a view
    ('SELECT "p"."id", `p`.`views` FROM "posts" AS "p"', False, False),
    ("SELECT p.rowid AS n, p.id FROM main.posts p", False, False),
    ("WITH posts AS (SELECT id, 1 AS n FROM comments) SELECT posts.id, posts.n FROM posts", False, False),
    ("WITH recent(rid) AS (SELECT id FROM posts) SELECT rid AS id FROM recent", False, False),
    ("SELECT id, email FROM _superusers", False, False),
    ("SELECT id FROM nosuch", True, True),
    ("SELECT p.id, p.nosuch FROM posts p", True, True),
    ("SELECT p.id FROM posts p JOIN nosuch n ON n.id = p.id", True, True),
    ("SELECT c.id FROM comments c WHERE c.created > 0", True, True),
    # refused by the server, but not certain enough to refuse before sending
    ("SELECT id, nosuch FROM posts", True, False),
    ("SELECT title FROM posts", True, False),  # a view needs an id column
    ("SELECT id FROM posts UNION SELECT id FROM comments", True, False),  # the server's own reading of the
    ("SELECT a.id FROM authors a WHERE a.email IS NOT DISTINCT FROM 'x'", True, False),  # columns fails
]


def test_the_view_query_check_refuses_only_what_the_server_refuses(pocketbase: PocketBaseServer) -> None:
    created = pocketbase.http.put("/api/collections/import", json={"collections": SCHEMA, "deleteMissing": False})
    assert created.status_code == 204, created.text
    catalog = _catalog(pocketbase)
    disagreements = []
    for n, (query, refused, checked) in enumerate(QUERIES):
        answer = pocketbase.http.post("/api/collections", json={"name": f"v{n}", "type": "view", "viewQuery": query})
        assert answer.status_code in (200, 400), answer.text
        problems = view_problems(query, catalog)
        if (answer.status_code == 400) != refused or bool(problems) != checked:
            disagreements.append(f"{query!r}: server answered {answer.status_code}, baseform: {problems}")
    assert not disagreements, "\n".join(disagreements)
