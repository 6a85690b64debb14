"""The hostile-input corpus: every bad manifest gives exit 1, a located message, no traceback, no
leaked secret, and zero HTTP requests.

Each file under ``bad_manifests/`` starts with ``# expect: <text in the message>`` and
``# line: <N>`` (the error names ``file:N``); ``# secret: <value>`` lines name values that must
not appear in the output. More cases are generated below (huge, deeply nested, alias bombs).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clirun import run_cli
from tests.emulators.server import Emulator, RunningEmulator, serve

CORPUS = Path(__file__).parent / "bad_manifests"


class Tripwire(Emulator):
    """Answers nothing useful; counts every request so tests can assert there were none."""

    name = "tripwire"


@pytest.fixture(scope="module")
def tripwire() -> Iterator[RunningEmulator]:
    running = serve(Tripwire())
    yield running
    running.stop()


def _env(url: str) -> dict[str, str]:
    return {"APPWRITE_ENDPOINT": url + "/v1", "APPWRITE_PROJECT_ID": "p", "APPWRITE_API_KEY": "key-Tripwire-42",
            "POCKETBASE_URL": url, "POCKETBASE_EMAIL": "a@b.c", "POCKETBASE_PASSWORD": "pw-Tripwire-42",
            "WEAVIATE_URL": url, "WEAVIATE_API_KEY": "wv-Tripwire-42",
            # a Postgres connection to the tripwire would fail with another message than the expected one
            "SUPABASE_DB_URL": url.replace("http://", "postgresql://postgres:sb-Tripwire-42@") + "/postgres"}


def _header(path: Path, key: str) -> list[str]:
    values = []
    for line in path.read_bytes().decode("utf-8", "replace").splitlines():
        m = re.match(rf"#\s*{key}:\s*(.*)$", line)
        if m:
            values.append(m.group(1).strip())
    return values


def _check(path: Path, expect: str, line: int | None, secrets: list[str], tripwire: RunningEmulator) -> None:
    before = tripwire.emulator.stats.get("requests", 0)
    for command in ("validate", "plan", "apply"):
        argv = [command, str(path)] + (["--auto-approve"] if command == "apply" else [])
        result = run_cli(argv, env=_env(tripwire.url))
        assert result.code == 1, f"{command}: {result.text}"
        assert expect in result.err, f"{command}: expected {expect!r} in:\n{result.err}"
        if line is not None:
            assert f"{path}:{line}" in result.err, f"{command}: expected {path}:{line} in:\n{result.err}"
        assert "Traceback" not in result.text
        for secret in [*secrets, "key-Tripwire-42", "pw-Tripwire-42", "wv-Tripwire-42", "sb-Tripwire-42"]:
            assert secret not in result.text
    assert tripwire.emulator.stats.get("requests", 0) == before, "a bad manifest caused HTTP requests"


CASES = sorted(CORPUS.glob("*.yaml"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bad_manifest_is_rejected_before_any_request(path: Path, tripwire: RunningEmulator) -> None:
    (expect,) = _header(path, "expect")
    lines = _header(path, "line")
    _check(path, expect, int(lines[0]) if lines else None, _header(path, "secret"), tripwire)


def test_huge_file_is_refused(tmp_path: Path, tripwire: RunningEmulator) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("version: 1\n# " + "x" * (6 * 1024 * 1024) + "\n")
    _check(path, "the limit is", 1, [], tripwire)


def test_deeply_nested_file_is_refused(tmp_path: Path, tripwire: RunningEmulator) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("version: 1\nx: " + "[" * 200 + "]" * 200 + "\n")
    _check(path, "nested deeper than", 2, [], tripwire)


def test_alias_bomb_is_refused_at_once(tmp_path: Path, tripwire: RunningEmulator) -> None:
    lines = ["version: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size < 1024
    _check(path, "an alias bomb?", 1, [], tripwire)
    # refused by counting, before anything is expanded: the loader never builds the expansion
    assert "into 1234567911" in run_cli(["validate", str(path)], env={}).err


def test_recursive_alias_is_refused(tmp_path: Path, tripwire: RunningEmulator) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("version: 1\nx: &a [1, *a]\n")
    _check(path, "recursive alias", 1, [], tripwire)


def test_aliases_that_repeat_a_value_a_few_times_are_fine(tmp_path: Path) -> None:
    fields = "".join(f"        - {{<<: *text, name: f{i}}}\n" for i in range(1, 200))
    path = tmp_path / "ok.yaml"
    path.write_text("version: 1\npocketbase:\n  collections:\n    - name: many\n      fields:\n"
                    "        - &text {name: f0, type: text, max: 10}\n" + fields)
    result = run_cli(["validate", str(path)], env={})
    assert result.code == 0 and "Valid: 201 resource(s)" in result.out, result.text


def test_missing_var_file_is_reported(tmp_path: Path, tripwire: RunningEmulator) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("version: 1\n")
    result = run_cli(["plan", str(path), "--var-file", str(tmp_path / "nope.yaml")], env=_env(tripwire.url))
    assert result.code == 1 and "cannot read file" in result.err and "Traceback" not in result.text


def test_malformed_var_assignment_is_reported(tmp_path: Path, tripwire: RunningEmulator) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("version: 1\n")
    result = run_cli(["validate", str(path), "--var", "novalue"], env=_env(tripwire.url))
    assert result.code == 1 and "--var 'novalue' is not KEY=VALUE" in result.err


# Native schema files (JSON cannot carry the header comments): name -> (files, the PATH argument,
# expected text, the file and line the error must name).
_PB_FIELD = ('[\n  {\n    "id": "pbc_1", "name": "posts", "type": "base", "system": false,\n'
             '    "fields": [\n      {"id": "t1", "name": "title", "type": "txt", "system": false}\n    ]\n  }\n]\n')
_AW_TABLE = ('{\n  "projectId": "p",\n  "tablesDB": [{"$id": "blog", "name": "Blog"}],\n  "tables": [\n'
             '    {"$id": "posts", "databaseId": "blog", "name": "Posts",\n     "columns": [\n'
             '       {"key": "title", "type": "varchr", "size": 10, "required": false}\n     ]}\n  ]\n}\n')
NATIVE_CASES: dict[str, tuple[dict[str, str], str, str, str, int]] = {
    "pb-unknown-field-type": ({"pb_schema.json": _PB_FIELD}, "pb_schema.json", "unknown type 'txt'",
                              "pb_schema.json", 5),
    "pb-0.22-export": ({"pb_schema.json": '[\n  {"name": "posts", "type": "base",\n   "schema": []}\n]\n'},
                       "pb_schema.json", "PocketBase 0.22 or older", "pb_schema.json", 3),
    "aw-unknown-column-type": ({"appwrite.json": _AW_TABLE}, "appwrite.json", "(did you mean 'varchar'?)",
                               "appwrite.json", 7),
    "aw-table-without-database": ({"appwrite.json": _AW_TABLE.replace('"databaseId": "blog"', '"databaseId": "x"')},
                                  "appwrite.json", "which the file does not list under tablesDB", "appwrite.json", 5),
    "aw-include-outside": ({"cfg/appwrite.json": '{\n  "projectId": "p",\n  "includes": {"tables": "../t.json"}\n}\n',
                            "t.json": "[]"}, "cfg/appwrite.json", "is outside the directory", "cfg/appwrite.json", 3),
    "wv-unknown-class-key": ({"schema.json": '{"classes": [\n  {"class": "A",\n   "vectoriser": "none"}\n]}\n'},
                             "schema.json", "unknown key 'vectoriser' (did you mean 'vectorizer'?)", "schema.json", 3),
    "json-syntax": ({"schema.json": '{"classes": [\n  {"class": "A"},\n]}\n'}, "schema.json", "JSON syntax error",
                    "schema.json", 3),
    "json-unknown-format": ({"data.json": '{"rows": []}'}, "data.json", "nor a native schema file", "data.json", 1),
    "include-missing": ({"baseform.yaml": "version: 1\ninclude:\n  - pb_schema.json\n"}, "baseform.yaml",
                        "included file not found", "baseform.yaml", 3),
}


@pytest.mark.parametrize("case", sorted(NATIVE_CASES))
def test_bad_native_file_is_rejected_before_any_request(case: str, tmp_path: Path,
                                                        tripwire: RunningEmulator) -> None:
    files, argument, expect, where, line = NATIVE_CASES[case]
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    _check(tmp_path / argument, expect, None, [], tripwire)
    result = run_cli(["validate", str(tmp_path / argument)], env=_env(tripwire.url))
    assert f"{tmp_path / where}:{line}:" in result.err, result.err
