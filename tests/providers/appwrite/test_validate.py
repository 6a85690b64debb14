"""Validate-time rejection of what the Appwrite server would refuse: file:line, all at once, no request."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.clirun import run_cli
from tests.providers.appwrite.conftest import Appwrite

BAD = """\
version: 1
appwrite:
  databases:
    - id: blog
      name: Blog
      tables:
        - id: articles
          name: Articles
          permissions: ['read("any")', 'write("role:member")', 'destroy("any")']
          columns:
            - {key: body, type: varchar, size: 20000}
            - {key: a_key_that_is_far_too_long_for_appwri, type: text}
            - {key: status, type: enum, elements: [draft], default: published}
            - {key: views, type: integer, required: true, default: 3}
            - {key: score, type: float, min: 10, max: 1}
            - {key: spot, type: point, array: true}
            - {key: title, type: varchar, size: 100, encrypt: true}
            - {key: summary, type: text, size: 300}
          indexes:
            - {key: by_missing, type: key, columns: [titel]}
            - {key: by_body, type: fulltext, columns: [views]}
  buckets:
    - {id: files, name: Files, permissions: {read: ["users/admins"]}}
"""


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_limit_violations_are_reported_with_file_and_line_before_any_request(appwrite: Appwrite) -> None:
    path = appwrite.manifest(BAD)
    for command in ("validate", "plan"):
        result = appwrite.cli(command, path)
        assert result.code == 1
        expected = {
            "varchar size must be 1..16,381 (got 20,000)": "key: body",
            "is 37 characters long; Appwrite allows at most 36": "a_key_that_is_far_too_long",
            "default 'published' is not one of the elements": "key: status",
            "a required column cannot have a default": "key: views",
            "min 10 is greater than max 1": "key: score",
            "point columns cannot be arrays": "key: spot",
            "an encrypted varchar column needs size >= 150": "key: title",
            "a text column has the fixed size 65535": "key: summary",
            "index column 'titel' is not a column of table 'articles' (did you mean 'title'?)": "by_missing",
            "a fulltext index takes only string columns": "by_body",
            "invalid role 'role:member'": "permissions: [",
            "unknown permission action 'destroy'": "permissions: [",
            "invalid role 'users/admins': the only dimensions of \"users\" are verified and unverified":
                "id: files",
        }
        for message, needle in expected.items():
            line = line_of(BAD, needle)
            assert re.search(rf"baseform\.yaml:{line}(:\d+)?: .*{re.escape(message)}", result.err), \
                (message, result.err)
    assert appwrite.requests() == 0


def test_a_new_legacy_string_column_is_a_plan_warning_and_an_existing_one_is_not(appwrite: Appwrite) -> None:
    section = {"databases": [{"id": "strdb", "name": "DB", "tables": [{
        "id": "t", "name": "T", "columns": [{"key": "old", "type": "string", "size": 50}]}]}]}
    path = appwrite.manifest(section)
    assert appwrite.cli("validate", path).code == 0
    plan = appwrite.cli("plan", path)
    assert plan.code == 0, plan.text
    line = line_of(Path(path).read_text(), "key: old")
    assert re.search(rf"Warning: .*baseform\.yaml:{line}(:\d+)?: appwrite\.databases\.strdb\.tables\.t\.columns\.old: "
                     r"type string is deprecated since Appwrite 1\.9", plan.out), plan.out
    appwrite.apply(section)
    assert "deprecated" not in appwrite.cli("plan", path).text


@pytest.mark.parametrize(("column", "message"), [
    ({"key": "n", "type": "varchar"}, "a varchar column needs size (1..16381)"),
    ({"key": "e", "type": "enum"}, "an enum column needs elements"),
    ({"key": "r", "type": "relationship"}, "a relationship column needs relatedTable"),
    ({"key": "r", "type": "relationship", "relatedTable": "t", "relationType": "oneToOne", "required": True},
     "required does not apply to relationship columns"),
    ({"key": "n", "type": "integer", "min": 1.5}, "min of a integer column must be a whole number"),
    ({"key": "n", "type": "boolean", "min": 1}, "min applies only to integer, bigint and float columns"),
    ({"key": "n", "type": "text", "elements": ["a"]}, "elements applies only to enum columns"),
    ({"key": "n", "type": "boolean", "encrypt": True}, "encrypt applies only to varchar"),
    ({"key": "n", "type": "email", "default": "nope"}, "default 'nope' is not an email address"),
    ({"key": "n", "type": "ip", "default": "300.1.1.1"}, "is not an IP address"),
    ({"key": "n", "type": "datetime", "default": "yesterday"}, "is not an ISO 8601 date-time"),
    ({"key": "n", "type": "line", "default": [[0, 0]]}, "is not a valid line"),
    ({"key": "n", "type": "varchar", "size": 5, "default": "too long"}, "is longer than the column size 5"),
    ({"key": "n", "type": "integer", "max": 10, "default": 11}, "is outside min..max"),
    ({"key": "n", "type": "varchar", "size": 10, "array": True, "default": "x"},
     "an array column cannot have a default"),
    ({"key": "_n", "type": "text"}, "must not start with '_'"),
    ({"key": "n", "type": "texts"}, "type: Input should be"),
    ({"key": "n", "type": "text", "sise": 3}, "unknown key 'sise' (did you mean 'size'?)"),
])
def test_column_rules(appwrite: Appwrite, column: dict[str, object], message: str) -> None:
    path = appwrite.manifest({"databases": [{"id": "db", "name": "DB", "tables": [
        {"id": "t", "name": "T", "columns": [column]}]}]})
    result = appwrite.cli("validate", path)
    assert result.code == 1
    assert message in result.err, result.err


def test_two_way_counterpart_declared_on_the_related_table_is_rejected(appwrite: Appwrite) -> None:
    path = appwrite.manifest({"databases": [{"id": "db", "name": "DB", "tables": [
        {"id": "a", "name": "A", "columns": [{"key": "b", "type": "relationship", "relatedTable": "b",
                                              "relationType": "oneToMany", "twoWay": True}]},
        {"id": "b", "name": "B", "columns": [{"key": "a", "type": "varchar", "size": 10}]}]}]})
    result = appwrite.cli("validate", path)
    assert result.code == 1
    assert "table 'b' already declares a column 'a': the two-way relationship creates that column" in result.err


def test_row_width_and_index_length_budget(appwrite: Appwrite) -> None:
    columns = [{"key": f"c{i}", "type": "varchar", "size": 4000} for i in range(5)]
    path = appwrite.manifest({"databases": [{"id": "db", "name": "DB", "tables": [
        {"id": "t", "name": "T", "columns": columns,
         "indexes": [{"key": "wide", "type": "key", "columns": ["c0"]},
                     {"key": "prefix", "type": "key", "columns": ["c1"], "lengths": [100]}]}]}]})
    result = appwrite.cli("validate", path)
    assert result.code == 1
    assert "the columns need about 81,077 bytes per row; a row must stay under 65,535" in result.err
    assert "index 'wide' is 4000 characters long; the limit is 768" in result.err
    assert "'prefix'" not in result.err


def test_connection_settings_come_from_the_environment_and_the_key_never_shows(appwrite: Appwrite) -> None:
    path = appwrite.manifest({"teams": [{"id": "t", "name": "T"}]})
    env = {**appwrite.env, "APPWRITE_API_KEY": "wrong-key-123"}
    result = run_cli(["plan", path], env=env)
    assert result.code == 1
    assert "401" in result.err and "general_unauthorized_scope" in result.err
    assert "wrong-key-123" not in result.text
    missing = run_cli(["plan", path], env={k: v for k, v in appwrite.env.items() if k != "APPWRITE_PROJECT_ID"})
    assert missing.code == 1
    assert "providers.appwrite.project is not set" in missing.err and "APPWRITE_PROJECT_ID" in missing.err


def test_the_example_manifest_applies_and_converges(appwrite: Appwrite) -> None:
    example = str(Path(__file__).parents[3] / "examples" / "appwrite")
    result = appwrite.cli("apply", example, "--auto-approve")
    assert result.code == 0, result.text
    assert "Converged" in result.out
