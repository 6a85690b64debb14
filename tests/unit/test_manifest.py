"""Manifest loading and validation: positions, templates, merging, and all errors in one run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from baseform.errors import ManifestError
from baseform.manifest.loader import load_manifest
from baseform.manifest.project import load_project
from tests.unit.conftest import ENV, Cli
from tests.unit.memory_provider import MemoryProvider

Write = Callable[[str, str], Path]


def _errors(paths: list[str], **kw: object) -> list[str]:
    with pytest.raises(ManifestError) as e:
        load_project(paths, registry=[MemoryProvider], environ=ENV, **kw)  # type: ignore[arg-type]
    return [str(d) for d in e.value.diagnostics]


def test_positions_point_at_the_value(write: Write) -> None:
    path = write("m.yaml", "version: 1\nmemory:\n  things:\n    - name: a\n      size: 3\n")
    loaded = load_manifest([str(path)])
    span = loaded.locate(("memory", "things", 0, "size"))
    assert span is not None and (span.line, span.column) == (5, 13)


def test_five_mistakes_give_five_located_errors(write: Write, cli: Cli) -> None:
    path = write("bad.yaml", """version: 1
memory:
  things:
    - name: a
      colour: red
      size: "3"
    - name: B
      parts:
        - {name: p, weight: heavy}
    - size: 2
""")
    result = cli("validate", str(path))
    assert result.code == 1
    lines = [line for line in result.err.splitlines() if line.startswith("  " + str(path))]
    assert len(lines) == 5, result.err
    assert f"{path}:5:7: unknown key 'colour' (did you mean 'color'?)" in result.err, result.err
    assert f"{path}:6:13: size: Input should be a valid integer" in result.err
    assert f"{path}:7:13: name: String should match pattern" in result.err
    assert f"{path}:9:29: weight: Input should be a valid integer" in result.err
    assert f"{path}:10:7: missing required key 'name'" in result.err
    assert "5 problems in the manifest" in result.err
    assert "Traceback" not in result.text


def test_semantic_errors_are_all_reported_together(write: Write) -> None:
    path = write("m.yaml", "memory:\n  things:\n    - name: a\n      link: ghost\n    - name: a\n"
                           "      renamedFrom: z\n")
    errors = _errors([str(path)])
    assert any(":4:13: link to undeclared thing 'ghost'" in e for e in errors)
    assert any(":5:7: memory.things.a is declared twice (first at " in e for e in errors)
    assert any("renamedFrom is not supported for things: things keep their name for life" in e for e in errors)


def test_template_undefined_variable_names_file_and_line(write: Write) -> None:
    path = write("t.yaml", "version: 1\nmemory:\n  things:\n    - name: {{ vars.nme }}\n")
    (error,) = _errors([str(path)])
    assert error.startswith(f"{path}:4:16: template error: the variable vars.nme is not defined")
    assert "--var nme=VALUE" in error


def test_template_vars_from_files_and_flags(write: Write, tmp_path: Path) -> None:
    path = write("t.yaml", "memory:\n  things:\n    - name: {{ vars.name }}\n      size: {{ vars.size }}\n")
    var_file = write("vars.yaml", "name: fromfile\nsize: 7\n")
    project = load_project([str(path)], var_files=[str(var_file)], var_assignments=["name=fromflag"],
                           registry=[MemoryProvider], environ=ENV)
    (thing,) = project.units[0].desired
    assert thing.value["name"] == "fromflag" and thing.value["size"] == 7


def test_yaml_syntax_error_is_located(write: Write) -> None:
    path = write("s.yaml", "memory:\n  things:\n    - name: a\n     size: 1\n")
    (error,) = _errors([str(path)])
    assert error.startswith(f"{path}:4:") and "YAML syntax error" in error


def test_duplicate_yaml_key_is_an_error(write: Write) -> None:
    path = write("d.yaml", "memory:\n  things:\n    - name: a\n      name: b\n")
    errors = _errors([str(path)])
    assert any(f"{path}:4:7: duplicate key 'name' (first at line 3)" in e for e in errors)


def test_directory_files_merge_and_duplicates_name_both_places(write: Write, tmp_path: Path) -> None:
    write("dir/a.yaml", "version: 1\nmemory:\n  things:\n    - name: a\n")
    write("dir/b.yaml", "memory:\n  things:\n    - name: b\n    - name: a\n")
    errors = _errors([str(tmp_path / "dir")])
    assert len(errors) == 1
    assert f"{tmp_path / 'dir' / 'b.yaml'}:4:7: memory.things.a is declared twice (first at " \
           f"{tmp_path / 'dir' / 'a.yaml'}:4:7)" in errors[0]


def test_merged_directory_loads_all_resources(write: Write, tmp_path: Path) -> None:
    write("dir/a.yaml", "memory:\n  things:\n    - name: a\n")
    write("dir/b.yml", "memory:\n  things:\n    - name: b\n")
    project = load_project([str(tmp_path / "dir")], registry=[MemoryProvider], environ=ENV)
    assert sorted(str(d.address) for d in project.units[0].desired) == ["memory.things.a", "memory.things.b"]


def test_non_utf8_file_is_located(write: Write, tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"memory:\n  things:\n    - name: caf\xe9\n")
    (error,) = _errors([str(path)])
    assert error.startswith(f"{path}:3:16: not valid UTF-8 (byte 0xe9)")


def test_alias_bomb_is_refused(write: Write) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = write("bomb.yaml", "\n".join(lines) + "\n")
    (error,) = _errors([str(path)])
    assert "manifest too large" in error


def test_missing_manifest_says_what_to_pass(tmp_path: Path) -> None:
    (error,) = _errors([str(tmp_path / "nope.yaml")])
    assert "manifest not found" in error
