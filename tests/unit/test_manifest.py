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


# -- every problem at once -------------------------------------------------------------------------


def test_a_misspelt_parent_key_does_not_hide_the_problems_inside_it(write: Write) -> None:
    path = write("m.yaml", "version: 1\nmemory:\n  thigns:\n    - name: a\n      colour: red\n"
                           "      parts:\n        - {name: p, weight: heavy}\n")
    errors = _errors([str(path)])
    assert f"{path}:3:3: unknown key 'thigns' (did you mean 'things'?)" in errors
    assert f"{path}:5:7: unknown key 'colour' (did you mean 'color'?)" in errors
    assert any(e.startswith(f"{path}:7:29: weight: Input should be a valid integer") for e in errors), errors
    assert len(errors) == 3, errors
    # the semantic checks see the section as meant too
    path.write_text("version: 1\nmemory:\n  thigns:\n    - name: b\n      link: ghost\n")
    errors = _errors([str(path)])
    assert errors[0] == f"{path}:3:3: unknown key 'thigns' (did you mean 'things'?)"
    assert errors[1].startswith(f"{path}:5:13: link to undeclared thing 'ghost'"), errors


def test_a_misspelt_section_is_read_as_meant(write: Write) -> None:
    path = write("m.yaml", "version: 1\nmemroy:\n  things:\n    - {name: a, size: huge}\n")
    errors = _errors([str(path)])
    assert errors[0] == f"{path}:2:1: unknown key 'memroy' (did you mean 'memory'?)"
    assert errors[1].startswith(f"{path}:4:23: size: Input should be a valid integer")


def test_every_undefined_variable_is_listed_with_line_column_and_what_to_do(write: Write) -> None:
    path = write("t.yaml", "version: 1\nmemory:\n  things:\n    - name: {{ vars.first }}\n"
                           "      color: \"{{ env.THING_COLOUR }}\"\n    - name: b{{ vars.second }}\n"
                           "      color: \"{{ env.OTHER | default('grey') }}\"\n")
    errors = _errors([str(path)])
    assert errors == [
        f"{path}:4:16: template error: the variable vars.first is not defined\n    hint: pass --var first=VALUE "
        "or define it in a --var-file, or write {{ vars.first | default('...') }}",
        f"{path}:5:18: template error: the environment variable THING_COLOUR is not set\n    hint: set it "
        "(export THING_COLOUR=...), or write {{ env.THING_COLOUR | default('...') }} for a value to use without it",
        f"{path}:6:17: template error: the variable vars.second is not defined\n    hint: pass --var second=VALUE "
        "or define it in a --var-file, or write {{ vars.second | default('...') }}",
    ]


def test_validate_needs_no_connection_variables(write: Write, cli: Cli) -> None:
    path = write("m.yaml", 'version: 1\nproviders:\n  memory: {url: "{{ env.MY_MEMORY_URL }}", '
                           'token: "{{ env.MY_TOKEN }}"}\nmemory:\n  things:\n    - {name: a}\n')
    result = cli("validate", str(path), env={"MEMORY_URL": "", "MEMORY_TOKEN": ""})
    assert result.code == 0, result.text
    assert f"{path}:3:21: warning: the environment variable MY_MEMORY_URL is not set" in result.err
    plan = cli("plan", str(path), env={"MEMORY_URL": "", "MEMORY_TOKEN": ""})
    assert plan.code == 1 and "MY_MEMORY_URL is not set" in plan.err
    assert "providers.memory.url is not set: set it in the manifest's providers.memory block or the environment " \
           "variable MEMORY_URL" in plan.err
    # outside the providers block an unset environment variable stays an error
    path.write_text("version: 1\nmemory:\n  things:\n    - {name: \"{{ env.NAME }}\"}\n")
    assert cli("validate", str(path)).code == 1


def test_a_directory_loads_only_baseform_manifests_and_names_what_it_skipped(write: Write, tmp_path: Path,
                                                                            cli: Cli) -> None:
    write("proj/baseform.yaml", "version: 1\nmemory:\n  things:\n    - {name: a}\n")
    write("proj/more.yml", "memory:\n  things:\n    - {name: b}\n")
    write("proj/.pre-commit-config.yaml", "repos:\n  - repo: https://github.com/x/y\n    rev: v1\n")
    write("proj/docker-compose.yml", 'version: "3.8"\nservices:\n  db:\n    image: postgres\n')
    write("proj/workflow.yaml", "on: push\njobs:\n  x:\n    steps:\n      - run: echo ${{ secrets.TOKEN }}\n")
    write("proj/dev.yaml", "prefix: dev_\n")
    result = cli("validate", str(tmp_path / "proj"))
    assert result.code == 0, result.text
    assert "Valid: 2 resource(s) in 2 file(s)." in result.out
    skipped = result.err
    assert "Skipped 4 file(s) that are not baseform manifests" in skipped
    for name in (".pre-commit-config.yaml (a dotfile)", "docker-compose.yml (no baseform section at its top level",
                 "workflow.yaml (no baseform section", "dev.yaml (no baseform section at its top level (prefix))"):
        assert name in skipped, skipped
    empty = write("only-others/docker-compose.yml", "services: {}\n").parent
    nothing = cli("validate", str(empty))
    assert nothing.code == 1 and "no baseform manifests in directory" in nothing.err


def test_merge_keys_overridden_beside_them_are_not_duplicates(write: Write) -> None:
    path = write("m.yaml", "version: 1\nmemory:\n  things:\n    - &base {name: a, color: red, size: 2}\n"
                           "    - {<<: *base, name: b}\n    - {<<: *base, name: c, color: blue}\n")
    project = load_project([str(path)], registry=[MemoryProvider], environ=ENV)
    values = {d.address.name: (d.value["color"], d.value["size"]) for d in project.units[0].desired}
    assert values == {"a": ("red", 2), "b": ("red", 2), "c": ("blue", 2)}


def test_numbers_and_booleans_are_read_as_yaml_1_1_reads_them(write: Write) -> None:
    # the loader reads plain decimals and booleans itself; every other spelling goes to PyYAML
    values = {"dec": "255", "zero": "0", "octal": "0755", "under": "1_000", "neg": "-3", "plus": "+5",
              "hex": "0x1F", "sexa": "1:30", "b1": "yes", "b2": "No", "b3": "ON", "b4": "off",
              "b5": "TRUE", "bool_tag": "!!bool 'true'", "int_tag": "!!int '12'", "quoted": "'12'"}
    path = write("m.yaml", "version: 1\nthings:\n" + "".join(f"  {k}: {v}\n" for k, v in values.items()))
    data = load_manifest([str(path)]).data["things"]
    assert data == {"dec": 255, "zero": 0, "octal": 493, "under": 1000, "neg": -3, "plus": 5, "hex": 31,
                    "sexa": 90, "b1": True, "b2": False, "b3": True, "b4": False, "b5": True,
                    "bool_tag": True, "int_tag": 12, "quoted": "12"}


def test_a_merge_key_spelt_with_its_tag_merges(write: Write) -> None:
    # no `<<` in the file: the explicit tag still marks a merge key
    path = write("m.yaml", "version: 1\nmemory:\n  things:\n    - &base {name: a, color: red, size: 2}\n"
                           "    - {!!merge m: *base, name: b}\n")
    project = load_project([str(path)], registry=[MemoryProvider], environ=ENV)
    values = {d.address.name: (d.value["color"], d.value["size"]) for d in project.units[0].desired}
    assert values == {"a": ("red", 2), "b": ("red", 2)}


def test_an_ampersand_in_a_value_is_not_taken_for_an_anchor(write: Write) -> None:
    path = write("m.yaml", "version: 1\nmemory:\n  things:\n    - {name: a, color: 'R&D'}\n")
    project = load_project([str(path)], registry=[MemoryProvider], environ=ENV)
    assert [d.value["color"] for d in project.units[0].desired] == ["R&D"]
