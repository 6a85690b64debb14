"""Export round trip against two Appwrite emulators: a rich project on server A is exported, the file
plans as no changes on A, rebuilds the same project on an empty server B, and B exports the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from baseform.secrets import MASK
from tests.emulators.server import RunningEmulator
from tests.providers.appwrite.conftest import KEY, PROJECT, Appwrite, start

PROVIDERS = """\
version: 1
providers:
  appwrite: {endpoint: "{{ env.APPWRITE_ENDPOINT }}", project: "{{ env.APPWRITE_PROJECT_ID }}",
             apiKey: "{{ env.APPWRITE_API_KEY }}"}
"""

# Every column type and option, every index type with orders and prefix lengths, relationships of
# every kind (two-way, a cycle between two tables, a self-reference), table and bucket permissions
# in both spellings, disabled databases/tables/buckets, every bucket setting, and teams.
RICH = PROVIDERS + """\
appwrite:
  teams:
    - {id: editors, name: Editors}
    - {id: admins, name: Admin team}
  databases:
    - id: blog
      name: Blog
      tables:
        - id: articles
          name: Articles
          rowSecurity: true
          permissions: ['read("any")', 'create("users")', 'update("team:editors")', 'delete("team:admins")']
          columns:
            - {key: title, type: varchar, size: 100, default: untitled}
            - {key: summary, type: text}
            - {key: body, type: mediumtext, required: true}
            - {key: raw, type: longtext}
            - {key: legacy, type: string, size: 40}
            - {key: views, type: integer, min: 0, max: 100, default: 5}
            - {key: big, type: bigint}
            - {key: rating, type: float, min: -1.5, max: 1.5}
            - {key: pinned, type: boolean, default: false}
            - {key: published, type: datetime, default: "2024-01-01T00:00:00.000+00:00"}
            - {key: contact, type: email, default: a@b.co}
            - {key: link, type: url}
            - {key: origins, type: ip, array: true}
            - {key: status, type: enum, elements: [draft, published], default: draft}
            - {key: place, type: point, default: [1, 2]}
            - {key: route, type: line}
            - {key: area, type: polygon, required: true}
            - {key: token, type: varchar, size: 200, encrypt: true}
            - {key: tags, type: varchar, size: 32, array: true}
            - {key: author, type: relationship, relatedTable: authors, relationType: manyToOne, twoWay: true,
               twoWayKey: articles, onDelete: setNull}
            - {key: related, type: relationship, relatedTable: articles, relationType: manyToMany}
          indexes:
            - {key: by_title, type: key, columns: [title, views], orders: [DESC, ASC]}
            - {key: uniq_legacy, type: unique, columns: [legacy]}
            - {key: search, type: fulltext, columns: [summary]}
            - {key: geo, type: spatial, columns: [area]}   # MariaDB indexes only required spatial columns
            - {key: prefix, type: key, columns: [title], lengths: [10]}
        - id: authors
          name: Authors
          permissions: {read: [any], write: ["team:editors"]}
          columns:
            - {key: name, type: varchar, size: 60, required: true}
            - {key: best, type: relationship, relatedTable: articles, relationType: oneToOne, onDelete: cascade}
            - {key: mentor, type: relationship, relatedTable: authors, relationType: manyToOne}
    - id: shop
      name: Shop
      enabled: false
      tables:
        - {id: orders, name: Orders, enabled: false}
  buckets:
    - {id: files, name: Files, maximumFileSize: 1234, compression: gzip, fileSecurity: true, enabled: false,
       allowedFileExtensions: [png, jpg], encryption: false, antivirus: false, transformations: false,
       permissions: ['read("any")', 'write("team:editors")']}
    - {id: plain, name: Plain}
"""

# What a server before 1.9 has (no varchar/text types, no inline columns: every column is its own call)
LEGACY = PROVIDERS + """\
appwrite:
  databases:
    - id: crm
      name: CRM
      tables:
        - id: people
          name: People
          columns:
            - {key: name, type: string, size: 80, required: true}
            - {key: age, type: integer, min: 0}
            - {key: score, type: float}
            - {key: active, type: boolean, default: true}
            - {key: seen, type: datetime}
            - {key: mail, type: email}
            - {key: kind, type: enum, elements: [lead, client]}
            - {key: company, type: relationship, relatedTable: companies, relationType: manyToOne, twoWay: true}
          indexes:
            - {key: by_name, type: key, columns: [name]}
            - {key: by_age, type: key, columns: [age], orders: [DESC]}
        - id: companies
          name: Companies
          columns:
            - {key: name, type: string, size: 80}
"""


@pytest.fixture(scope="module")
def server_b_once() -> Iterator[RunningEmulator]:
    running = start()
    yield running
    running.stop()


@pytest.fixture
def server_b(server_b_once: RunningEmulator, tmp_path: Path) -> Appwrite:
    """A second, empty Appwrite 1.9 emulator."""
    with server_b_once.emulator.lock:
        server_b_once.emulator.reset()
    return Appwrite(server_b_once, tmp_path)


def cli(server: Appwrite, *argv: str | Path) -> str:
    result = server.cli(*(str(a) for a in argv))
    assert result.code == 0, result.text
    return result.out


def export(server: Appwrite, path: Path, out: Path) -> str:
    """``baseform export --provider appwrite PATH --out OUT`` against ``server``; the file's text."""
    cli(server, "export", "--provider", "appwrite", path, "--out", out)
    return out.read_text()


def no_changes(server: Appwrite, path: Path) -> None:
    result = server.cli("plan", str(path), "--detailed-exitcode")
    assert result.code == 0, result.text


def round_trip(a: Appwrite, b: Appwrite, manifest: str, tmp_path: Path) -> str:
    """Apply ``manifest`` to A, export A, rebuild B from the export, export B; returns the export.

    Checks on the way: the export plans as no changes on A, re-exporting A gives the same bytes,
    B's export is byte-identical to A's, and B then matches the hand-written manifest as well.
    """
    source = tmp_path / "source.yaml"
    source.write_text(manifest)
    cli(a, "apply", source, "--auto-approve")
    file1 = export(a, source, tmp_path / "file1.yaml")
    no_changes(a, tmp_path / "file1.yaml")
    assert export(a, source, tmp_path / "again.yaml") == file1
    cli(b, "apply", tmp_path / "file1.yaml", "--auto-approve")
    assert export(b, tmp_path / "file1.yaml", tmp_path / "file2.yaml") == file1
    no_changes(b, source)
    return file1


def test_export_round_trips_through_an_empty_server(appwrite: Appwrite, server_b: Appwrite, tmp_path: Path) -> None:
    file1 = round_trip(appwrite, server_b, RICH, tmp_path)
    document = yaml.safe_load(file1)
    # the API key is a reference, never the value; the file names no server
    for value in (KEY, appwrite.server.url, MASK):
        assert value not in file1
    assert document["providers"] == {"appwrite": {"endpoint": '{{ env.APPWRITE_ENDPOINT | default("") }}',
                                                  "project": '{{ env.APPWRITE_PROJECT_ID | default("") }}',
                                                  "apiKey": '{{ env.APPWRITE_API_KEY | default("") }}'}}
    section: dict[str, Any] = document["appwrite"]
    assert [t["id"] for t in section["teams"]] == ["admins", "editors"]
    blog = section["databases"][0]
    articles, authors = blog["tables"]
    keys = [c["key"] for c in articles["columns"]]
    assert keys == sorted(keys) and len(keys) == 21
    # the counterpart the two-way relationship made on authors is not exported: the relationship makes it
    assert [c["key"] for c in authors["columns"]] == ["best", "mentor", "name"]
    assert authors["permissions"] == ['read("any")', 'write("team:editors")']
    assert {"key": "summary", "type": "text"} in articles["columns"]  # defaults left out
    assert section["databases"][1] == {"id": "shop", "name": "Shop", "enabled": False,
                                       "tables": [{"id": "orders", "name": "Orders", "enabled": False}]}
    assert section["buckets"][1] == {"id": "plain", "name": "Plain"}


@pytest.mark.parametrize("old_appwrite", ["1.8.1"], indirect=True)
def test_a_server_that_creates_every_column_on_its_own_round_trips_too(old_appwrite: Appwrite, tmp_path: Path) -> None:
    other = start("1.8.1")
    try:
        round_trip(old_appwrite, Appwrite(other, tmp_path), LEGACY, tmp_path)
    finally:
        other.stop()


def test_resources_made_in_the_console_export_without_server_defaults(appwrite: Appwrite, tmp_path: Path) -> None:
    headers = {"X-Appwrite-Project": PROJECT, "X-Appwrite-Key": KEY}
    with httpx.Client(base_url=f"{appwrite.server.url}/v1", headers=headers, trust_env=False) as http:
        def post(path: str, body: dict[str, Any]) -> None:
            made = http.post(path, json=body)
            assert made.status_code in (201, 202), made.text

        post("/tablesdb", {"databaseId": "hand", "name": "Hand"})
        post("/tablesdb/hand/tables", {"tableId": "things", "name": "Things"})
        post("/tablesdb/hand/tables", {"tableId": "others", "name": "Others"})
        columns = "/tablesdb/hand/tables/things/columns"
        for kind, options in [("varchar", {"size": 50}), ("text", {}), ("integer", {}), ("bigint", {}), ("float", {}),
                              ("boolean", {}), ("datetime", {}), ("email", {}), ("url", {}), ("ip", {}),
                              ("enum", {"elements": ["a", "b"]}), ("point", {}), ("line", {}), ("polygon", {})]:
            post(f"{columns}/{kind}", {"key": f"c_{kind}", "required": False, **options})
        post(f"{columns}/relationship", {"relatedTableId": "others", "type": "oneToMany", "twoWay": True,
                                         "key": "others"})
        post("/storage/buckets", {"bucketId": "uploads", "name": "Uploads"})
        post("/teams", {"teamId": "crew", "name": "Crew"})
    providers = tmp_path / "providers.yaml"
    providers.write_text(PROVIDERS)
    exported = yaml.safe_load(export(appwrite, providers, tmp_path / "exported.yaml"))["appwrite"]
    assert exported["teams"] == [{"id": "crew", "name": "Crew"}]
    assert exported["buckets"] == [{"id": "uploads", "name": "Uploads"}]
    things = exported["databases"][0]["tables"][1]
    assert things["columns"] == [
        {"key": "c_bigint", "type": "bigint"}, {"key": "c_boolean", "type": "boolean"},
        {"key": "c_datetime", "type": "datetime"}, {"key": "c_email", "type": "email"},
        {"key": "c_enum", "type": "enum", "elements": ["a", "b"]}, {"key": "c_float", "type": "float"},
        {"key": "c_integer", "type": "integer"}, {"key": "c_ip", "type": "ip"}, {"key": "c_line", "type": "line"},
        {"key": "c_point", "type": "point"}, {"key": "c_polygon", "type": "polygon"}, {"key": "c_text", "type": "text"},
        {"key": "c_url", "type": "url"}, {"key": "c_varchar", "type": "varchar", "size": 50},
        {"key": "others", "type": "relationship", "relatedTable": "others", "relationType": "oneToMany",
         "twoWay": True}]
    assert exported["databases"][0] == {"id": "hand", "name": "Hand", "tables": [{"id": "others", "name": "Others"},
                                                                                 things]}
    no_changes(appwrite, tmp_path / "exported.yaml")
