"""The Appwrite CLI's project config (appwrite.config.json / appwrite.json) as a manifest, against the
emulator.

The files under ``native/`` have the shape ``appwrite pull`` writes (the CLI's key order and values:
server column types and formats, int64 and float bounds, ``side`` on relationships, index
``status``, lower-case orders from older consoles), plus the legacy databases/collections form and
a config split with ``includes``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.providers.appwrite.conftest import PROJECT, Appwrite

NATIVE = Path(__file__).parent / "native"
CONFIG = NATIVE / "appwrite.config.json"
CLOUD = '"endpoint": "https://fra.cloud.appwrite.io/v1"'


def _line(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _pointed_at(appwrite: Appwrite, source: Path, *, project: str) -> Path:
    """A copy of ``source`` naming the emulator as its endpoint and project (same lines)."""
    text = source.read_text().replace(f'"projectId": "{project}"', f'"projectId": "{PROJECT}"')
    if CLOUD in text:
        text = text.replace(CLOUD, f'"endpoint": "{appwrite.server.url}/v1"')
    else:
        text = text.replace("{\n", f'{{\n    "endpoint": "{appwrite.server.url}/v1",\n', 1)
    path = appwrite.tmp / source.name
    path.write_text(text)
    return path


def test_the_config_validates_and_warns_about_what_is_not_managed(appwrite: Appwrite) -> None:
    result = appwrite.cli("validate", str(CONFIG))
    assert result.code == 0, result.text
    assert result.out == "Valid: 19 resource(s) in 1 file(s).\n"
    settings, functions = _line(CONFIG, '"settings"'), _line(CONFIG, '"functions"')
    assert f"{CONFIG}:{settings}:17: warning: 'settings' is not managed by baseform" in result.err
    assert f"{CONFIG}:{functions}:18: warning: 'functions' is not managed" in result.err


def test_the_config_applies_to_an_empty_server_and_then_plans_no_changes(appwrite: Appwrite) -> None:
    path = _pointed_at(appwrite, CONFIG, project="6a0bd3c70007637f5038")
    result = appwrite.cli("apply", str(path), "--auto-approve")
    assert result.code == 0 and "Converged" in result.out, result.text
    plan = appwrite.cli("plan", str(path), "--detailed-exitcode")
    assert plan.code == 0, plan.text
    # each warning is shown once, with the plan, and without a second "warning:" tag
    assert plan.text.count("'settings' is not managed by baseform") == 1, plan.text
    assert "Warning: " in plan.out and ": warning: " not in plan.text
    articles = appwrite.table("blog", "articles")
    columns = {c["key"]: c for c in articles["columns"]}
    assert (columns["status"]["format"], columns["status"]["elements"]) == ("enum", ["draft", "published"])
    assert columns["rating"]["type"] == "double" and columns["author"]["twoWayKey"] == "articles"
    assert {i["key"]: i["orders"] for i in articles["indexes"]}["by_status"] == ["ASC", "DESC"]
    counterpart = {c["key"]: c for c in appwrite.table("blog", "authors")["columns"]}["articles"]
    assert counterpart["side"] == "child"
    assert appwrite.get("/storage/buckets/covers")["compression"] == "gzip"
    assert appwrite.get("/teams/editors")["name"] == "Editors"


def test_a_manifest_including_the_config_keeps_its_own_connection(appwrite: Appwrite) -> None:
    shutil.copy(CONFIG, appwrite.tmp / "appwrite.config.json")
    manifest = appwrite.manifest(
        "version: 1\nproviders:\n  appwrite:\n    endpoint: '{{ env.APPWRITE_ENDPOINT }}'\n"
        "    project: '{{ env.APPWRITE_PROJECT_ID }}'\ninclude: [appwrite.config.json]\n")
    result = appwrite.cli("plan", manifest, "--format", "json")
    assert result.code == 0, result.text
    plan: dict[str, Any] = json.loads(result.out)
    assert plan["providers"]["appwrite"]["endpoint"] == f"{appwrite.server.url}/v1"
    creates = {c["address"] for c in plan["changes"] if c["action"] == "create"}
    assert "appwrite.databases.blog.tables.articles.columns.author" in creates
    assert "appwrite.databases.blog.tables.authors.columns.articles" not in creates


def test_the_legacy_databases_and_collections_form_applies_and_converges(appwrite: Appwrite) -> None:
    path = _pointed_at(appwrite, NATIVE / "appwrite.json", project="legacy-shop")
    result = appwrite.cli("apply", str(path), "--auto-approve")
    assert result.code == 0 and "Converged" in result.out, result.text
    # the legacy type is flagged at its line in the config
    string_type = _line(path, '"key": "name"') - 1  # the line opening the column's object
    assert f"Warning: {path}:{string_type}:17:" in result.out, result.out
    assert appwrite.cli("plan", str(path), "--detailed-exitcode").code == 0
    products = appwrite.table("shop", "products")
    assert products["rowSecurity"] is True
    columns = {c["key"]: c for c in products["columns"]}
    assert columns["homepage"]["format"] == "url" and columns["price"]["type"] == "double"
    assert [i["key"] for i in products["indexes"]] == ["by_sku"]


def test_includes_are_read_relative_to_the_config(appwrite: Appwrite, tmp_path: Path) -> None:
    split = tmp_path / "split"
    shutil.copytree(NATIVE / "split", split)
    config = split / "appwrite.config.json"
    result = appwrite.cli("validate", str(config))
    assert result.code == 0, result.text
    assert result.out == "Valid: 5 resource(s) in 2 file(s).\n"
    functions = _line(config, '"functions": ')
    assert f"{config}:{functions}:22: warning: 'functions' is not managed by baseform; the " \
           "included file is not read" in result.err
    tables = split / "schema" / "tables.json"
    tables.write_text(tables.read_text().replace('"type": "varchar",\n                "required": false',
                                                 '"type": "varchr",\n                "required": false'))
    result = appwrite.cli("validate", str(config))
    assert result.code == 1
    assert f"{tables}:{_line(tables, 'varchr')}:25: type: Input should be" in result.err, result.err
    assert "(got 'varchr') (did you mean 'varchar'?)" in result.err
    tables.unlink()
    result = appwrite.cli("validate", str(config))
    include = _line(config, "schema/tables.json")
    assert result.code == 1 and f"{config}:{include}:19: included file not found" in result.err, result.err


def test_conversion_errors_name_the_line_in_the_config(appwrite: Appwrite) -> None:
    data = json.loads(CONFIG.read_text())
    data["tables"][1]["columns"][0]["type"] = "strnig"
    data["tables"][0]["databaseId"] = "library"
    path = appwrite.tmp / "appwrite.config.json"
    path.write_text(json.dumps(data, indent=4))
    result = appwrite.cli("plan", str(path))
    assert result.code == 1
    assert f"{path}:{_line(path, 'strnig')}:29: type: Input should be" in result.err, result.err
    assert "(got 'strnig') (did you mean 'string'?)" in result.err
    library = _line(path, '"library"')
    assert f"{path}:{library}:27: table 'authors' belongs to database 'library', which the " \
           "file does not list under tablesDB" in result.err, result.err
    assert appwrite.requests() == 0


def test_previous_key_renames_the_live_column_in_place(appwrite: Appwrite) -> None:
    appwrite.apply({"teams": [{"id": "sales", "name": "Sales"}], "databases": [{"id": "crm", "name": "CRM", "tables": [
        {"id": "contacts", "name": "Contacts", "permissions": ['read("team:sales")', 'write("team:sales")'],
         "columns": [{"key": "fullName", "type": "varchar", "size": 120, "required": True},
                     {"key": "telephone", "type": "varchar", "size": 32}]}]}]})
    shutil.copytree(NATIVE / "split", appwrite.tmp / "split")
    plan = appwrite.plan("providers:\n  appwrite: {endpoint: '{{ env.APPWRITE_ENDPOINT }}', "
                         "project: '{{ env.APPWRITE_PROJECT_ID }}'}\ninclude: [split/appwrite.config.json]\n")
    (change,) = [c for c in plan["changes"] if c["action"] != "no-op"]
    assert (change["address"], change["action"]) == ("appwrite.databases.crm.tables.contacts.columns.phone", "update")
    assert change["renamed_from"] == "appwrite.databases.crm.tables.contacts.columns.telephone"
