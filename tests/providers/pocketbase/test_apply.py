"""Plan and apply against a real PocketBase: what a user sees on the server and in the plan.

Every apply here must converge (the CLI re-plans and fails otherwise), and a separate
``plan --detailed-exitcode`` must report no changes afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.clirun import CliResult
from tests.pocketbase_fixture import PocketBaseServer
from tests.providers.pocketbase.conftest import Baseform

Manifest = Callable[..., Path]


def applied(baseform: Baseform, path: Path, *flags: str) -> CliResult:
    """Apply ``path`` and check it converged and a second plan is empty."""
    result = baseform("apply", path, "--auto-approve", *flags)
    assert result.code == 0, result.text
    assert "Converged" in result.out
    again = baseform("plan", path, "--detailed-exitcode")
    assert again.code == 0, again.text
    return result


def collection(server: PocketBaseServer, name: str) -> dict[str, Any]:
    # the list endpoint reads the database (the single-collection one is served from a cache)
    items = server.http.get("/api/collections", params={"perPage": 1000}).json()["items"]
    return next(c for c in items if c["name"] == name)


def field(server: PocketBaseServer, coll: str, name: str) -> dict[str, Any]:
    return next(f for f in collection(server, coll)["fields"] if f["name"] == name)


def names(server: PocketBaseServer) -> set[str]:
    return {c["name"] for c in server.http.get("/api/collections", params={"perPage": 1000}).json()["items"]
            if not c["system"]}


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


EXAMPLE = Path(__file__).parents[3] / "examples" / "pocketbase"


def test_example_applies_from_empty_in_one_call_and_then_plans_no_changes(
        baseform: Baseform, pocketbase: PocketBaseServer) -> None:
    result = applied(baseform, EXAMPLE)
    assert "(1 API call" in result.out
    assert names(pocketbase) == {"users", "tags", "posts", "comments", "posts_per_author"}
    posts = collection(pocketbase, "posts")
    assert field(pocketbase, "posts", "author")["collectionId"] == "_pb_users_auth_"
    assert field(pocketbase, "comments", "post")["collectionId"] == posts["id"]
    assert field(pocketbase, "posts", "tags")["collectionId"] == collection(pocketbase, "tags")["id"]
    assert [f["name"] for f in posts["fields"]][:3] == ["id", "title", "slug"]  # manifest order kept


def test_add_alter_and_remove_fields(baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    applied(baseform, manifest("""
        collections:
          - name: notes
            fields:
              - {name: title, type: text, max: 100}
              - {name: draft, type: bool}
              - {name: score, type: number}
    """))
    pocketbase.http.post("/api/collections/notes/records", json={"title": "keep me", "draft": True, "score": 3})
    path = manifest("""
        collections:
          - name: notes
            fields:
              - {name: title, type: text, max: 300, required: true}
              - {name: score, type: number, min: 0, onlyInt: true}
              - {name: due, type: date, min: "2024-01-01"}
    """)
    plan = baseform("plan", path)
    assert "~ pocketbase.collections.notes.fields.title" in plan.out
    assert "- pocketbase.collections.notes.fields.draft" in plan.out
    assert "+ pocketbase.collections.notes.fields.due" in plan.out

    refused = baseform("apply", path, "--auto-approve")
    assert refused.code == 1
    assert "pocketbase.collections.notes.fields.draft would be deleted" in refused.err
    assert field(pocketbase, "notes", "title")["max"] == 100  # nothing was applied

    applied(baseform, path, "--allow-destroy")
    notes = {f["name"]: f for f in collection(pocketbase, "notes")["fields"]}
    assert set(notes) == {"id", "title", "score", "due"}
    assert notes["title"]["max"] == 300 and notes["title"]["required"] is True
    assert notes["due"]["min"] == "2024-01-01 00:00:00.000Z"
    record = pocketbase.http.get("/api/collections/notes/records").json()["items"][0]
    assert record["title"] == "keep me" and record["score"] == 3


def test_field_rename_keeps_records_and_the_index_that_uses_it(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    applied(baseform, manifest("""
        collections:
          - name: articles
            fields:
              - {name: title, type: text}
            indexes: ["CREATE UNIQUE INDEX idx_articles_title ON articles (title)"]
    """))
    pocketbase.http.post("/api/collections/articles/records", json={"title": "first"})
    field_id = field(pocketbase, "articles", "title")["id"]
    path = manifest("""
        collections:
          - name: articles
            fields:
              - {name: headline, type: text, renamedFrom: title}
            indexes: ["CREATE UNIQUE INDEX idx_articles_title ON articles (headline)"]
    """)
    plan = baseform("plan", path)
    assert "renamed from title" in plan.out
    assert "0 to destroy" in plan.out

    applied(baseform, path)  # no --allow-destroy needed: nothing is deleted
    assert field(pocketbase, "articles", "headline")["id"] == field_id
    records = pocketbase.http.get("/api/collections/articles/records").json()["items"]
    assert [r["headline"] for r in records] == ["first"]
    duplicate = pocketbase.http.post("/api/collections/articles/records", json={"headline": "first"})
    assert duplicate.status_code == 400  # the unique index now guards the renamed column


def test_collection_rename_keeps_records_and_relations(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    applied(baseform, manifest("""
        collections:
          - name: authors
            fields: [{name: name, type: text}]
          - name: books
            fields: [{name: author, type: relation, collection: authors, maxSelect: 1}]
    """))
    author = pocketbase.http.post("/api/collections/authors/records", json={"name": "Le Guin"}).json()
    old_id = collection(pocketbase, "authors")["id"]
    applied(baseform, manifest("""
        collections:
          - name: writers
            renamedFrom: authors
            fields: [{name: name, type: text}]
          - name: books
            fields: [{name: author, type: relation, collection: writers, maxSelect: 1}]
    """))
    assert collection(pocketbase, "writers")["id"] == old_id
    assert "authors" not in names(pocketbase)
    assert pocketbase.http.get(f"/api/collections/writers/records/{author['id']}").json()["name"] == "Le Guin"


def test_relation_cycle_between_new_collections_in_one_import(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    result = applied(baseform, manifest("""
        collections:
          - name: people
            fields: [{name: bestFriendPet, type: relation, collection: pets, maxSelect: 1}]
          - name: pets
            fields: [{name: owner, type: relation, collection: people, maxSelect: 1, cascadeDelete: true}]
    """))
    assert "(1 API call" in result.out
    assert field(pocketbase, "people", "bestFriendPet")["collectionId"] == collection(pocketbase, "pets")["id"]
    assert field(pocketbase, "pets", "owner")["collectionId"] == collection(pocketbase, "people")["id"]


def test_view_collection_create_and_change_query(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    base = """
        collections:
          - name: orders
            fields: [{name: total, type: number}, {name: status, type: text}]
          - name: order_stats
            type: view
            listRule: ""
            viewQuery: "{query}"
    """
    applied(baseform, manifest(base.replace("{query}", "SELECT id, total FROM orders")))
    stats = collection(pocketbase, "order_stats")
    assert stats["type"] == "view" and stats["listRule"] == ""
    path = manifest(base.replace("{query}", "SELECT id, total, status FROM orders WHERE total > 0"))
    plan = baseform("plan", path)
    assert "~ pocketbase.collections.order_stats" in plan.out and "viewQuery" in plan.out
    applied(baseform, path)
    assert {f["name"] for f in collection(pocketbase, "order_stats")["fields"]} == {"id", "total", "status"}


def test_index_add_change_and_remove(baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    template = """
        collections:
          - name: products
            fields: [{name: sku, type: text}, {name: shop, type: text}]
            indexes: [INDEXES]
    """

    def with_indexes(text: str) -> Path:
        return manifest(template.replace("INDEXES", text))

    applied(baseform, with_indexes('"create unique index idx_sku on products (sku)"'))
    assert len(collection(pocketbase, "products")["indexes"]) == 1
    # the same index written differently is no change
    same = with_indexes('"CREATE UNIQUE INDEX `idx_sku` ON `products` (`sku`)"')
    assert baseform("plan", same, "--detailed-exitcode").code == 0

    changed = with_indexes('"CREATE UNIQUE INDEX idx_sku ON products (shop, sku)"')
    plan = baseform("plan", changed)
    assert "~ pocketbase.collections.products.indexes.idx_sku" in plan.out
    applied(baseform, changed)
    assert "(`shop`, `sku`)" in collection(pocketbase, "products")["indexes"][0]

    applied(baseform, with_indexes(""), "--allow-destroy")
    assert collection(pocketbase, "products")["indexes"] == []


def test_type_change_is_a_replace_that_explains_the_data_loss(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    applied(baseform, manifest("""
        collections:
          - name: metrics
            fields: [{name: value, type: text}]
    """))
    pocketbase.http.post("/api/collections/metrics/records", json={"value": "12"})
    path = manifest("""
        collections:
          - name: metrics
            fields: [{name: value, type: number}]
    """)
    plan = baseform("plan", path)
    assert "pocketbase.collections.metrics.fields.value must be replaced" in plan.out
    assert "type text -> number cannot change in place" in plan.out
    assert "drops the column with its data" in plan.out
    assert baseform("apply", path, "--auto-approve").code == 1
    applied(baseform, path, "--allow-destroy")
    assert field(pocketbase, "metrics", "value")["type"] == "number"


def test_server_rejection_names_the_manifest_lines_and_changes_nothing(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    # errors only the server can see: a thumb size format, and a field of a view (from its query)
    path = manifest("""
        collections:
          - name: good
            fields: [{name: title, type: text}]
          - name: stats
            type: view
            viewQuery: SELECT id, title FROM good
          - name: bad
            listRule: "@collection.stats.total > 0"
            fields:
              - {name: title, type: text}
              - {name: photo, type: file, thumbs: [big]}
    """)
    result = baseform("apply", path, "--auto-approve")
    assert result.code == 1
    assert f"{path}:{line_of(path, 'listRule:')}" in result.text  # the rule's line, not the collection's
    assert "listRule: Invalid rule" in result.text and "@collection.stats.total" in result.text
    assert f"{path}:{line_of(path, 'name: photo')}" in result.text
    assert "pocketbase.collections.bad.fields.photo: thumbs" in result.text
    assert "The failed call is atomic on the server: it changed nothing." in result.out
    assert names(pocketbase) == {"users"}  # the valid collections were not created either


def test_prune_deletes_undeclared_collections_only_with_allow_destroy(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    applied(baseform, manifest("collections: [{name: keep}, {name: stray}]"))
    lenient = manifest("collections: [{name: keep}]")
    plan = baseform("plan", lenient)
    assert "Unmanaged" in plan.out and "pocketbase.collections.stray" in plan.out
    assert baseform("plan", lenient, "--detailed-exitcode").code == 0

    pruning = manifest("prune: true\ncollections: [{name: keep}, {name: users, type: auth, "
                       "listRule: 'id = @request.auth.id', viewRule: 'id = @request.auth.id', createRule: '', "
                       "updateRule: 'id = @request.auth.id', deleteRule: 'id = @request.auth.id', fields: ["
                       "{name: name, type: text, max: 255}, {name: avatar, type: file, maxSelect: 1, mimeTypes: "
                       "[image/jpeg, image/png, image/svg+xml, image/gif, image/webp]}, "
                       "{name: created, type: autodate, onCreate: true}, "
                       "{name: updated, type: autodate, onCreate: true, onUpdate: true}]}]")
    refused = baseform("apply", pruning, "--auto-approve")
    assert refused.code == 1 and "stray would be deleted" in refused.err
    assert "stray" in names(pocketbase)
    applied(baseform, pruning, "--allow-destroy")
    assert names(pocketbase) == {"keep", "users"}


def test_auth_collection_options(baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    path = manifest("""
        collections:
          - name: members
            type: auth
            listRule: "id = @request.auth.id"
            manageRule: null
            passwordAuth: {identityFields: [email, username]}
            mfa: {enabled: true, duration: 900}
            otp: {enabled: true}
            authToken: {duration: 3600}
            fields:
              - {name: username, type: text, required: true, min: 3}
            indexes: ["CREATE UNIQUE INDEX idx_members_username ON members (username)"]
    """)
    applied(baseform, path)
    members = collection(pocketbase, "members")
    assert members["passwordAuth"] == {"enabled": True, "identityFields": ["email", "username"]}
    assert members["mfa"]["enabled"] is True and members["mfa"]["duration"] == 900
    assert members["otp"]["enabled"] is True and members["otp"]["length"] == 8  # undeclared keys: defaults
    assert members["authToken"]["duration"] == 3600
    assert len(members["indexes"]) == 3  # ours plus the server's own tokenKey and email indexes


def test_export_then_plan_has_no_changes(baseform: Baseform, pocketbase: PocketBaseServer, tmp_path: Path) -> None:
    applied(baseform, EXAMPLE)
    exported = baseform("export", "--provider", "pocketbase")
    assert exported.code == 0, exported.text
    path = tmp_path / "exported.yaml"
    path.write_text(exported.out)
    assert "text3208210256" not in exported.out and "system" not in exported.out
    assert baseform("plan", path, "--detailed-exitcode").code == 0


def test_target_applies_only_the_selected_collection(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    applied(baseform, manifest("collections: [{name: a, fields: [{name: x, type: text}]}, "
                               "{name: b, fields: [{name: y, type: text}]}]"))
    path = manifest("collections: [{name: a, fields: [{name: x, type: text, max: 5}]}, "
                    "{name: b, fields: [{name: y, type: text, max: 7}, {name: z, type: bool}]}]")
    result = baseform("apply", path, "--auto-approve", "--target", "pocketbase.collections.b")
    assert result.code == 0, result.text
    assert field(pocketbase, "a", "x")["max"] == 0
    assert field(pocketbase, "b", "y")["max"] == 7 and field(pocketbase, "b", "z")["type"] == "bool"
    applied(baseform, path)
    assert field(pocketbase, "a", "x")["max"] == 5


def test_deleting_a_collection_a_relation_still_uses_is_refused_at_plan_time(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    applied(baseform, manifest("collections: [{name: owners}, "
                               "{name: cars, fields: [{name: owner, type: relation, collection: owners}]}]"))
    # only the relation's holder is declared: the import would silently leave it dangling
    path = manifest("prune: true\ncollections: [{name: users, type: auth}, "
                    "{name: cars, fields: [{name: owner, type: relation, collection: owners}]}]")
    result = baseform("plan", path)
    assert result.code == 1
    assert "pocketbase.collections.owners would be deleted" in result.err
    assert "'owner' of collection 'cars' still refers to it" in result.err


def test_users_gets_a_field_and_an_auth_option_without_losing_its_system_parts(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    before = collection(pocketbase, "users")
    path = manifest("""
        collections:
          - name: users
            type: auth
            listRule: "id = @request.auth.id"
            viewRule: "id = @request.auth.id"
            createRule: ""
            updateRule: "id = @request.auth.id"
            deleteRule: "id = @request.auth.id"
            mfa: {duration: 1200}
            fields:
              - {name: name, type: text, max: 255}
              - {name: avatar, type: file, maxSelect: 1,
                 mimeTypes: [image/jpeg, image/png, image/svg+xml, image/gif, image/webp]}
              - {name: nickname, type: text}
              - {name: created, type: autodate, onCreate: true}
              - {name: updated, type: autodate, onCreate: true, onUpdate: true}
    """)
    plan = baseform("plan", path)
    assert "~ mfa" in plan.out and "1200" in plan.out
    assert "+ pocketbase.collections.users.fields.nickname" in plan.out
    assert "pocketbase.collections.users.indexes" not in plan.out  # the server's own indexes are not ours
    applied(baseform, path)
    after = collection(pocketbase, "users")
    assert after["mfa"] == {**before["mfa"], "duration": 1200}
    assert after["indexes"] == before["indexes"]
    system_before = [f for f in before["fields"] if f["system"]]
    assert [f for f in after["fields"] if f["system"]] == system_before
    assert after["otp"] == before["otp"]  # options the manifest does not mention are kept


def test_relation_to_a_system_collection_resolves_at_plan_time(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest, tmp_path: Path) -> None:
    path = manifest("""
        collections:
          - name: audit
            fields: [{name: actor, type: relation, collection: _superusers, maxSelect: 1}]
    """)
    applied(baseform, path)
    assert field(pocketbase, "audit", "actor")["collectionId"] == collection(pocketbase, "_superusers")["id"]
    exported = baseform("export", "--provider", "pocketbase")
    assert "collection: _superusers" in exported.out  # by name, as declared
    again = tmp_path / "exported.yaml"
    again.write_text(exported.out)
    assert baseform("plan", again, "--detailed-exitcode").code == 0


def test_deleting_every_collection_is_one_import_even_with_relation_cycles(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    applied(baseform, manifest("""
        collections:
          - name: people
            fields: [{name: pet, type: relation, collection: pets, maxSelect: 1}]
          - name: pets
            fields: [{name: owner, type: relation, collection: people, maxSelect: 1}]
          - name: audit
            fields: [{name: actor, type: relation, collection: _superusers, maxSelect: 1}]
    """))
    superusers = collection(pocketbase, "_superusers")
    # undeclared "users" goes too: nothing non-system is left, so the import body has no entry of ours
    path = manifest("prune: true\ncollections: []")
    plan = json.loads(baseform("plan", path, "--format", "json").out)
    [call] = plan["operations"]
    assert [c["name"] for c in call["request"]["body"]["collections"]] == ["_superusers"]
    result = applied(baseform, path, "--allow-destroy")
    assert "(1 API call" in result.out
    assert names(pocketbase) == set()
    after = collection(pocketbase, "_superusers")
    assert {k: v for k, v in after.items() if k != "updated"} == \
        {k: v for k, v in superusers.items() if k != "updated"}  # sent back as it was
    pocketbase.login()  # and the superuser can still log in
