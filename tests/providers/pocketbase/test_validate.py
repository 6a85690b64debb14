"""``baseform validate`` on PocketBase sections: every problem at once, each at its file:line. No server."""

from __future__ import annotations

from pathlib import Path

from tests.clirun import run_cli


def validate(tmp_path: Path, body: str) -> tuple[int, str, Path]:
    path = tmp_path / "baseform.yaml"
    path.write_text("version: 1\npocketbase:\n  collections:\n" + body)
    result = run_cli(["validate", str(path)], env={})
    return result.code, result.text, path


def test_all_semantic_problems_are_reported_together_with_their_lines(tmp_path: Path) -> None:
    code, text, path = validate(tmp_path, """\
    - name: members
      type: auth
      fields:
        - {name: email, type: email}
        - {name: Title, type: text}
        - {name: title, type: text}
        - {name: stamp, type: autodate}
    - name: stats
      type: view
      createRule: ""
      fields: [{name: n, type: number}]
    - name: posts
      viewQuery: SELECT 1
      mfa: {enabled: true}
      indexes: ["CREATE INDEX nope"]
    - name: _secret
""")
    assert code == 1
    expected = {
        7: "'email' is a system field of auth collections",
        9: "duplicate field name 'title'",
        10: "an autodate field needs onCreate or onUpdate",
        12: "a view collection needs a viewQuery",
        13: "createRule must be null on a view collection",
        14: "a view collection's fields come from its viewQuery",
        16: "viewQuery is only for view collections",
        17: "mfa is an auth collection option",
        18: "not a CREATE INDEX statement",
        19: "names starting with '_' belong to PocketBase's system collections",
    }
    for line, message in expected.items():
        assert any(f"{path}:{line}:" in row and message in row for row in text.splitlines()), (line, message, text)
    assert "[pocketbase.collections.members.fields.stamp]" in text  # field problems name the field


def test_unknown_field_type_and_option_are_explained(tmp_path: Path) -> None:
    code, text, path = validate(tmp_path, """\
    - name: posts
      fields:
        - {name: a, type: strng}
        - {name: b, type: text, maxLength: 3}
        - {name: c, type: select}
""")
    assert code == 1
    assert f"{path}:6:11: unknown type 'strng'; expected one of: text, editor" in text
    assert f"{path}:7:33: unknown key 'maxLength'" in text
    assert f"{path}:8:11: missing required key 'values'" in text


def test_relation_to_an_unknown_collection_fails_the_plan_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "baseform.yaml"
    path.write_text("version: 1\npocketbase:\n  collections:\n    - name: posts\n      fields:\n"
                    "        - {name: owner, type: relation, collection: ghosts}\n")
    from baseform.engine.resource import LiveState
    from baseform.errors import PlanError
    from baseform.manifest.project import load_project
    from baseform.providers.pocketbase import PocketBaseProvider

    project = load_project([str(path)], registry=[PocketBaseProvider], environ={})
    unit = project.units[0]
    try:
        unit.provider.prepare(unit.desired, LiveState("pocketbase", "http://x", None, {}))
    except PlanError as e:
        assert f"{path}:6" in str(e) and "'ghosts'" in str(e)
    else:
        raise AssertionError("a relation to an unknown collection was accepted")


def test_field_ids_manage_rule_and_null_list_options(tmp_path: Path) -> None:
    code, text, path = validate(tmp_path, """\
    - name: members
      type: auth
      manageRule: ""
      fields:
        - {name: handle, type: text, id: f_handle}
        - {name: nick, type: text, id: f_handle}
        - {name: mail2, type: email, id: email3885137012, exceptDomains: null, onlyDomains: null}
        - {name: photo, type: file, mimeTypes: null, thumbs: null}
""")
    assert code == 1
    expected = {
        6: 'manageRule cannot be ""',
        9: "field id 'f_handle' is also the id of 'handle'",
        10: "field id 'email3885137012' is the id of the system field 'email'",
    }
    for line, message in expected.items():
        assert any(f"{path}:{line}:" in row and message in row for row in text.splitlines()), (line, message, text)
    assert "3 problems" in text  # null list options are fine: the server stores them as []
