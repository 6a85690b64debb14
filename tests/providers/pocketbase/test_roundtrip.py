"""Export round trip against real PocketBase servers: a rich project on server A is exported, the file
plans as no changes on A, rebuilds the same project on an empty server B, and B exports the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from baseform.secrets import MASK
from tests.clirun import run_cli
from tests.pocketbase_fixture import PocketBaseServer
from tests.providers.pocketbase.conftest import connection_env

# Every field type and most options, a relation cycle (people <-> pets), a self-relation, relations to
# users and _superusers, unique/multi-column/partial indexes, an auth collection with rules, token
# durations, MFA/OTP and custom email templates, a customised users collection, a view, and the
# connection settings (secrets included) as template references.
RICH = """\
version: 1
providers:
  pocketbase: {url: "{{ env.POCKETBASE_URL }}", email: "{{ env.POCKETBASE_EMAIL }}",
               password: "{{ env.POCKETBASE_PASSWORD }}"}
pocketbase:
  collections:
    - name: people
      listRule: ""
      viewRule: "@request.auth.id != ''"
      createRule: "@request.auth.id != ''"
      updateRule: "owner = @request.auth.id"
      deleteRule: "owner = @request.auth.id"
      fields:
        - {name: title, type: text, required: true, min: 2, max: 120, pattern: "^[A-Za-z ]+$", presentable: true,
           help: Shown in lists}
        - {name: code, type: text, autogeneratePattern: "[a-z0-9]{8}", hidden: true}
        - {name: bio, type: editor, maxSize: 20000, convertURLs: true}
        - {name: age, type: number, min: 0, max: 150, onlyInt: true}
        - {name: ratio, type: number, min: -1.5}
        - {name: active, type: bool, required: true}
        - {name: mail, type: email, onlyDomains: [example.com, example.org]}
        - {name: site, type: url, exceptDomains: [bad.example]}
        - {name: born, type: date, min: "1900-01-01", max: "2100-12-31 23:59:59.000Z"}
        - {name: kind, type: select, values: [a, b, c], maxSelect: 2}
        - {name: one, type: select, values: ["yes"], maxSelect: 1, required: true}
        - {name: photo, type: file, maxSelect: 3, maxSize: 1048576, mimeTypes: [image/png], thumbs: [100x100, "0x50"],
           protected: true}
        - {name: pet, type: relation, collection: pets, maxSelect: 1, cascadeDelete: true}
        - {name: friends, type: relation, collection: people, minSelect: 1, maxSelect: 5}
        - {name: owner, type: relation, collection: users, maxSelect: 1}
        - {name: admin, type: relation, collection: _superusers, maxSelect: 1}
        - {name: meta, type: json, maxSize: 4096}
        - {name: spot, type: geoPoint}
        - {name: pin, type: password, min: 4, max: 20, cost: 10, pattern: "^[0-9]+$"}
        - {name: created, type: autodate, onCreate: true}
        - {name: updated, type: autodate, onCreate: true, onUpdate: true}
      indexes:
        - CREATE UNIQUE INDEX idx_people_code ON people (code)
        - CREATE INDEX idx_people_age ON people (age DESC, title)
        - CREATE INDEX idx_people_active ON people (mail) WHERE active = true
    - name: pets
      fields:
        - {name: name, type: text}
        - {name: owner, type: relation, collection: people, maxSelect: 1}
    - name: members
      type: auth
      listRule: "id = @request.auth.id"
      viewRule: "id = @request.auth.id"
      createRule: ""
      authRule: "verified = true"
      manageRule: "@request.auth.collectionName = '_superusers'"
      passwordAuth: {identityFields: [email, handle]}
      mfa: {enabled: true, duration: 900}
      otp: {enabled: true, duration: 300, length: 6,
            emailTemplate: {subject: "Your code for {APP_NAME}", body: "<p>{OTP}</p>"}}
      authAlert: {enabled: false}
      authToken: {duration: 86400}
      fileToken: {duration: 600}
      oauth2: {mappedFields: {name: handle}}
      verificationTemplate: {subject: "Welcome to {APP_NAME}", body: "<p><a href='{APP_URL}/v/{TOKEN}'>Verify</a></p>"}
      fields:
        - {name: handle, type: text, required: true, max: 40}
        - {name: avatar, type: file, maxSelect: 1, maxSize: 5242880, mimeTypes: [image/jpeg]}
      indexes:
        - CREATE UNIQUE INDEX idx_members_handle ON members (handle)
    - name: users
      type: auth
      listRule: "id = @request.auth.id"
      viewRule: "id = @request.auth.id"
      fields:
        - {name: name, type: text, max: 100}
        - {name: created, type: autodate, onCreate: true}
    - name: people_stats
      type: view
      listRule: ""
      viewQuery: "SELECT id, age FROM people WHERE age > 18"
"""

SYSTEM_COLLECTIONS = {"_superusers", "_externalAuths", "_mfas", "_otps", "_authOrigins"}
SYSTEM_AUTH_FIELDS = {"id", "password", "tokenKey", "email", "emailVisibility", "verified"}


def cli(server: PocketBaseServer, *argv: str | Path) -> str:
    result = run_cli([str(a) for a in argv], env=connection_env(server))
    assert result.code == 0, result.text
    return result.out


def export(server: PocketBaseServer, path: Path, out: Path) -> str:
    """``baseform export --provider pocketbase PATH --out OUT`` against ``server``; the file's text."""
    cli(server, "export", "--provider", "pocketbase", path, "--out", out)
    return out.read_text()


def no_changes(server: PocketBaseServer, path: Path) -> None:
    result = run_cli(["plan", str(path), "--detailed-exitcode"], env=connection_env(server))
    assert result.code == 0, result.text


def collections(text: str) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in yaml.safe_load(text)["pocketbase"]["collections"]}


def test_export_round_trips_through_an_empty_server(pocketbase: PocketBaseServer, server_b: PocketBaseServer,
                                                     tmp_path: Path) -> None:
    rich = tmp_path / "rich.yaml"
    rich.write_text(RICH)
    cli(pocketbase, "apply", rich, "--auto-approve", "--allow-destroy")
    file1 = export(pocketbase, rich, tmp_path / "file1.yaml")

    # secrets are references, never values; the file names no server
    for value in (pocketbase.password, server_b.password, pocketbase.url, MASK):
        assert value not in file1
    assert yaml.safe_load(file1)["providers"] == {"pocketbase": {
        "url": '{{ env.POCKETBASE_URL | default("") }}', "email": '{{ env.POCKETBASE_EMAIL | default("") }}',
        "password": '{{ env.POCKETBASE_PASSWORD | default("") }}'}}
    # system collections, system fields and the server's own auth indexes are skipped
    exported = collections(file1)
    assert set(exported) == {"members", "people", "people_stats", "pets", "users"}
    for name in ("members", "users"):
        assert not SYSTEM_AUTH_FIELDS & {f["name"] for f in exported[name]["fields"]}
    assert "idx_tokenKey" not in file1 and "idx_email" not in file1
    assert list(exported) == sorted(exported)
    # customised templates are kept, the built-in ones are not
    assert exported["members"]["verificationTemplate"]["subject"] == "Welcome to {APP_NAME}"
    assert exported["members"]["otp"]["emailTemplate"]["body"] == "<p>{OTP}</p>"
    assert "resetPasswordTemplate" not in exported["members"] and "Template" not in str(exported["users"])

    no_changes(pocketbase, tmp_path / "file1.yaml")
    assert export(pocketbase, rich, tmp_path / "again.yaml") == file1

    # B's fresh users collection loses the fields A's lost
    cli(server_b, "apply", tmp_path / "file1.yaml", "--auto-approve", "--allow-destroy")
    file2 = export(server_b, tmp_path / "file1.yaml", tmp_path / "file2.yaml")
    assert file2 == file1
    # nothing was lost on the way: B now matches the hand-written manifest too
    no_changes(server_b, rich)


def test_collections_made_in_the_console_export_without_server_defaults(
        pocketbase: PocketBaseServer, tmp_path: Path) -> None:
    users_id = "_pb_users_auth_"
    for body in (
        {"name": "hand_base"},
        {"name": "hand_auth", "type": "auth"},
        {"name": "hand_fields", "listRule": "", "fields": [
            {"name": "t", "type": "text"}, {"name": "n", "type": "number"}, {"name": "b", "type": "bool"},
            {"name": "e", "type": "email"}, {"name": "u", "type": "url"}, {"name": "d", "type": "date"},
            {"name": "s", "type": "select", "values": ["a"]}, {"name": "f", "type": "file"},
            {"name": "r", "type": "relation", "collectionId": users_id}, {"name": "j", "type": "json"},
            {"name": "g", "type": "geoPoint"}, {"name": "p", "type": "password"}, {"name": "h", "type": "editor"},
            {"name": "c", "type": "autodate", "onCreate": True}]},
        {"name": "hand_view", "type": "view", "viewQuery": "SELECT id FROM hand_base"},
    ):
        made = pocketbase.http.post("/api/collections", json=body)
        assert made.status_code == 200, made.text
    providers = tmp_path / "providers.yaml"
    providers.write_text("version: 1\nproviders: {pocketbase: {}}\n")
    text = export(pocketbase, providers, tmp_path / "exported.yaml")
    exported = collections(text)
    assert exported["hand_base"] == {"name": "hand_base"}
    assert exported["hand_auth"] == {"name": "hand_auth", "type": "auth"}
    assert exported["hand_view"] == {"name": "hand_view", "type": "view", "viewQuery": "SELECT id FROM hand_base"}
    assert exported["hand_fields"] == {"name": "hand_fields", "listRule": "", "fields": [
        {"name": "t", "type": "text"}, {"name": "n", "type": "number"}, {"name": "b", "type": "bool"},
        {"name": "e", "type": "email"}, {"name": "u", "type": "url"}, {"name": "d", "type": "date"},
        {"name": "s", "type": "select", "values": ["a"]}, {"name": "f", "type": "file"},
        {"name": "r", "type": "relation", "collection": "users"}, {"name": "j", "type": "json"},
        {"name": "g", "type": "geoPoint"}, {"name": "p", "type": "password"}, {"name": "h", "type": "editor"},
        {"name": "c", "type": "autodate", "onCreate": True}]}
    no_changes(pocketbase, tmp_path / "exported.yaml")


def test_an_export_of_the_local_server_plans_against_it_with_no_connection_settings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # `baseform local` keeps its state in ./.baseform
    up = run_cli(["local", "up"], env={})
    try:
        assert up.code == 0, up.text
        exported = run_cli(["export", "--provider", "pocketbase", "--out", "baseform.yaml"], env={})
        assert exported.code == 0, exported.text
        # the file names the variables, which are unset here: the local server is used instead
        assert "{{ env.POCKETBASE_PASSWORD" in (tmp_path / "baseform.yaml").read_text()
        plan = run_cli(["plan", "--detailed-exitcode"], env={})
        assert plan.code == 0, plan.text
    finally:
        assert run_cli(["local", "down"], env={}).code == 0
    # with no local server either, the error names the variable to set
    missing = run_cli(["plan"], env={})
    assert missing.code == 1 and "template error" not in missing.err
    assert "environment variable POCKETBASE_URL" in missing.err and "Traceback" not in missing.text
