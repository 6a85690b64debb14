"""How declared parts are matched to live ones: built-in auth indexes by definition, relations by the
name of their target collection (which plans show, and which follows a target that is recreated)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.pocketbase_fixture import PocketBaseServer
from tests.providers.pocketbase.conftest import Baseform
from tests.providers.pocketbase.test_apply import applied, collection, field

Manifest = Callable[..., Path]

USERS = """
        collections:
          - name: users
            type: auth
            listRule: "id = @request.auth.id"
            viewRule: "id = @request.auth.id"
            createRule: ""
            updateRule: "id = @request.auth.id"
            deleteRule: "id = @request.auth.id"
            fields:
              - {name: name, type: text, max: 255}
              - {name: avatar, type: file, maxSelect: 1,
                 mimeTypes: [image/jpeg, image/png, image/svg+xml, image/gif, image/webp]}
              - {name: created, type: autodate, onCreate: true}
              - {name: updated, type: autodate, onCreate: true, onUpdate: true}
            indexes: [INDEXES]
"""


def test_a_built_in_auth_index_declared_under_another_name_is_the_live_one(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    before = collection(pocketbase, "users")["indexes"]
    # the names PocketBase 0.22 used; the same definitions the server has under its own names
    same = manifest(USERS.replace("INDEXES", '"CREATE UNIQUE INDEX __pb_users_auth__tokenKey_idx ON users (tokenKey)", '
                                             "\"CREATE UNIQUE INDEX __pb_users_auth__email_idx ON users (email) "
                                             "WHERE email != ''\""))
    assert baseform("plan", same, "--detailed-exitcode").code == 0

    # another definition of the email index changes the live one in place (it cannot be dropped)
    changed = manifest(USERS.replace("INDEXES", '"CREATE UNIQUE INDEX idx_mail ON users (email)"'))
    plan = baseform("plan", changed)
    assert "~ pocketbase.collections.users.indexes.idx_email__pb_users_auth_" in plan.out
    assert "where = \"email != ''\" -> \"\"" in plan.out and "0 to destroy" in plan.out
    applied(baseform, changed)
    indexes = collection(pocketbase, "users")["indexes"]
    assert "CREATE UNIQUE INDEX `idx_email__pb_users_auth_` ON `users` (`email`)" in indexes
    assert len(indexes) == 2 and next(i for i in before if "tokenKey" in i) in indexes  # untouched


def test_relations_are_planned_by_target_name_and_follow_a_recreated_target(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest) -> None:
    path = manifest("""
        collections:
          - name: tags
          - name: labels
          - name: posts
            fields: [{name: tag, type: relation, collection: tags, maxSelect: 1}]
    """)
    plan = baseform("plan", path)
    assert '+ collection = "tags"' in plan.out and "pbc_" not in plan.out
    applied(baseform, path)

    retarget = manifest("""
        collections:
          - name: tags
          - name: labels
          - name: posts
            fields: [{name: tag, type: relation, collection: labels, maxSelect: 1}]
    """)
    plan = baseform("plan", retarget)
    assert "pocketbase.collections.posts.fields.tag must be replaced" in plan.out
    assert 'collection = "tags" -> "labels"' in plan.out and "pbc_" not in plan.out
    applied(baseform, retarget, "--allow-destroy")
    assert field(pocketbase, "posts", "tag")["collectionId"] == collection(pocketbase, "labels")["id"]

    # labels becomes an auth collection: a new collection (new id), so the relation is recreated too
    recreated = manifest("""
        collections:
          - name: tags
          - name: labels
            type: auth
          - name: posts
            fields: [{name: tag, type: relation, collection: labels, maxSelect: 1}]
    """)
    plan = baseform("plan", recreated)
    assert "pocketbase.collections.posts.fields.tag must be replaced" in plan.out
    assert "collections.labels is recreated, and this fields refers to it" in plan.out
    old_id = collection(pocketbase, "labels")["id"]
    applied(baseform, recreated, "--allow-destroy")
    labels = collection(pocketbase, "labels")
    assert labels["type"] == "auth" and labels["id"] != old_id
    assert field(pocketbase, "posts", "tag")["collectionId"] == labels["id"]
