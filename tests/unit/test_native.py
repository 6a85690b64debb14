"""Native schema files as manifests, through the loader, with a made-up format for the engine's test
provider: detection, positions carried through conversions, include, settings, and every error."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from baseform.errors import ManifestError
from baseform.manifest.loader import load_manifest
from baseform.manifest.native import Conversion, Include, NativeFormat, NativeFormats
from baseform.manifest.project import load_project, native_formats
from baseform.manifest.schema import manifest_schema
from tests.clirun import CliResult, run_cli
from tests.unit.conftest import ENV
from tests.unit.memory_provider import MemoryProvider, MemoryServer

Write = Callable[[str, str], Path]


def _detect(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("widgets"), list)


def _convert(data: Any) -> Conversion:
    """Widgets become things: ``id`` -> ``name``; ``retired`` widgets are left out; ``server`` is
    the connection URL; ``legacy`` is ignored with a warning; ``bad`` is an error."""
    conversion = Conversion()
    things = []
    for i, widget in enumerate(data["widgets"]):
        if widget.get("retired"):
            continue
        out = ("memory", "things", len(things))
        conversion.origin(out, ("widgets", i))
        conversion.origin((*out, "name"), ("widgets", i, "id"))
        things.append({("name" if k == "id" else k): v for k, v in widget.items()})
    conversion.document = {"memory": {"things": things}}
    if "server" in data:
        conversion.document["providers"] = {"memory": {"url": data["server"]}}
        conversion.origin(("providers", "memory", "url"), ("server",))
    if "legacy" in data:
        conversion.problem(("legacy",), "legacy widgets are not managed; ignored", warning=True)
    if "bad" in data:
        conversion.problem(("bad",), "bad cannot be converted", "remove it")
    return conversion


def _includes(data: Any) -> list[Include]:
    more = data.get("more")
    return [Include(("widgets",), more, ("more",))] if isinstance(more, str) else []


WIDGETS = NativeFormat("Widget dump (widgets.json)", _detect, _convert, _includes)


class WidgetProvider(MemoryProvider):
    native_formats = (WIDGETS,)


REGISTRY = [WidgetProvider]

WIDGETS_JSON = """{
  "server": "http://widgets.test",
  "widgets": [
    {"id": "old", "retired": true},
    {"id": "alpha", "size": 3},
    {"id": "beta", "color": "red"}
  ]
}
"""


@pytest.fixture
def cli(server: MemoryServer) -> Callable[..., CliResult]:
    def run(*argv: str, env: dict[str, str] | None = None) -> CliResult:
        return run_cli(argv, env=env if env is not None else ENV, registry=REGISTRY,
                       transports={"memory": server.transport()})

    return run


def _errors(paths: list[str], environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ManifestError) as e:
        load_project(paths, registry=REGISTRY, environ=ENV if environ is None else environ)
    return [str(d) for d in e.value.diagnostics]


def test_a_native_file_plans_applies_and_converges(write: Write, cli: Callable[..., CliResult],
                                                     server: MemoryServer) -> None:
    path = write("widgets.json", WIDGETS_JSON)
    assert cli("validate", str(path)).out == "Valid: 2 resource(s) in 1 file(s).\n"
    planned = cli("plan", str(path), "--detailed-exitcode")
    assert planned.code == 2 and "memory.things.alpha" in planned.out and "old" not in planned.out
    applied = cli("apply", str(path), "--auto-approve")
    assert applied.code == 0 and "Converged" in applied.out, applied.text
    assert server.things["alpha"]["size"] == 3 and server.things["beta"]["color"] == "red"
    assert cli("plan", str(path), "--detailed-exitcode").code == 0


def test_model_errors_point_at_the_native_line_through_renames_and_dropped_entries(write: Write) -> None:
    path = write("widgets.json", """{
  "widgets": [
    {"id": "gone", "retired": true},
    {"id": "ok"},
    {"id": "Bad_Name",
     "colour": "red",
     "size": "3"}
  ]
}
""")
    errors = _errors([str(path)])
    assert len(errors) == 3, errors
    assert any(e.startswith(f"{path}:5:12: name: String should match pattern") for e in errors), errors
    assert any(e.startswith(f"{path}:6:6: unknown key 'colour' (did you mean 'color'?)") for e in errors), errors
    assert any(e.startswith(f"{path}:7:14: size: Input should be a valid integer") for e in errors), errors


def test_conversion_problems_are_located_and_warnings_do_not_fail(write: Write, cli: Callable[..., CliResult]) -> None:
    warned = write("w.json", '{\n  "legacy": [1],\n  "widgets": [{"id": "a"}]\n}\n')
    result = cli("validate", str(warned))
    assert result.code == 0, result.text
    assert f"{warned}:2:13: warning: legacy widgets are not managed; ignored" in result.err
    failed = write("f.json", '{\n  "widgets": [],\n  "bad": true\n}\n')
    result = cli("validate", str(failed))
    assert result.code == 1 and f"{failed}:3:10: bad cannot be converted\n    hint: remove it" in result.err


def test_provider_checks_and_duplicates_name_native_lines(write: Write) -> None:
    native = write("widgets.json", '{"widgets": [\n  {"id": "a", "link": "ghost"}\n]}\n')
    manifest = write("m.yaml", "memory:\n  things:\n    - name: a\n")
    errors = _errors([str(manifest), str(native)])
    assert any(e.startswith(f"{native}:2:23: link to undeclared thing 'ghost'") for e in errors), errors
    assert any(f"{native}:2:3: memory.things.a is declared twice (first at {manifest}:3:7)" in e for e in errors)


def test_a_yaml_manifest_includes_native_files_and_its_settings_win(write: Write,
                                                                       cli: Callable[..., CliResult]) -> None:
    write("schema/widgets.json", WIDGETS_JSON)
    manifest = write("baseform.yaml", "version: 1\nproviders:\n  memory: {url: 'http://{{ vars.host }}'}\n"
                                      "include: [schema/widgets.json]\nmemory:\n  prune: true\n")
    result = cli("plan", str(manifest), "--var", "host=yaml.test", "--format", "json")
    assert result.code == 0, result.text
    plan = json.loads(result.out)
    assert plan["providers"]["memory"]["endpoint"] == "http://yaml.test"
    assert {c["address"] for c in plan["changes"]} == {"memory.things.alpha", "memory.things.beta"}
    # without a manifest setting, the native file's own setting is used (before the environment)
    bare = write("bare.yaml", "include: [schema/widgets.json]\n")
    env = {k: v for k, v in ENV.items() if k != "MEMORY_URL"} | {"MEMORY_URL": "http://env.test"}
    result = cli("plan", str(bare), "--format", "json", env=env)
    assert json.loads(result.out)["providers"]["memory"]["endpoint"] == "http://widgets.test", result.text


def test_two_native_files_with_different_settings_conflict(write: Write) -> None:
    one = write("one.json", '{"server": "http://a.test", "widgets": []}')
    two = write("two.json", '{"server": "http://b.test", "widgets": []}')
    (error,) = _errors([str(one), str(two)])
    assert error.startswith(f"{two}:1:12: providers.memory.url is set to different values (also at {one}:1:12)")


def test_include_errors_are_located_at_the_entry(write: Write) -> None:
    write("plain.json", '{"version": 1}')
    write("other.json", '{"gadgets": []}')
    manifest = write("m.yaml", "include:\n  - missing.json\n  - plain.json\n  - other.json\n")
    errors = _errors([str(manifest)])
    assert len(errors) == 3, errors
    assert errors[0].startswith(f"{manifest}:2:5: included file not found: {manifest.parent / 'missing.json'}")
    assert errors[1].startswith(f"{manifest}:3:5: {manifest.parent / 'plain.json'} is neither a native schema file")
    assert "list baseform manifests as PATH arguments" in errors[1]
    assert errors[2].startswith(f"{manifest}:4:5: ") and "understood: Widget dump (widgets.json)" in errors[2]


def test_include_must_be_a_list_of_paths(write: Write) -> None:
    manifest = write("m.yaml", "include: widgets.json\n")
    (error,) = _errors([str(manifest)])
    assert error.startswith(f"{manifest}:1:10: include: Input should be a valid list")


def test_a_json_file_of_no_known_format_names_the_formats(write: Write, cli: Callable[..., CliResult]) -> None:
    path = write("data.json", '{"gadgets": [1, 2]}')
    result = cli("plan", str(path))
    assert result.code == 1
    assert f"{path}:1:1: {path} is neither a baseform manifest nor a native schema file that baseform reads" \
        in result.err
    assert "hint: understood: Widget dump (widgets.json)" in result.err and "Traceback" not in result.text


def test_json_syntax_errors_use_json_positions(write: Write) -> None:
    path = write("broken.json", '{\n  "widgets": [\n    {"id": "a",}\n  ]\n}\n')
    (error,) = _errors([str(path)])
    assert error.startswith(f"{path}:3:16: JSON syntax error: Expecting property name enclosed in double quotes")


def test_json_manifests_are_still_templated_but_native_files_are_not(write: Write) -> None:
    manifest = write("m.json", '{"version": 1, "memory": {"things": [{"name": "{{ vars.n }}"}]}}')
    native = write("widgets.json", '{"widgets": [{"id": "b", "color": "{{ vars.n }}"}]}')
    (error,) = _errors([str(manifest), str(native)])
    assert error.startswith(f"{manifest}:1:51: template error: the variable vars.n is not defined")
    project = load_project([str(manifest), str(native)], var_assignments=["n=a"], registry=REGISTRY, environ=ENV)
    colors = {d.address.name: d.value["color"] for d in project.units[0].desired}
    assert colors == {"a": "grey", "b": "{{ vars.n }}"}


def test_directories_still_expand_to_yaml_files_only(write: Write, tmp_path: Path) -> None:
    write("dir/a.yaml", "memory: {things: [{name: a}]}\n")
    write("dir/widgets.json", '{"widgets": [{"id": "b"}]}')
    project = load_project([str(tmp_path / "dir")], registry=REGISTRY, environ=ENV)
    assert [d.address.name for d in project.units[0].desired] == ["a"]


def test_parts_in_other_files_are_read_and_located(write: Write) -> None:
    write("parts/more.json", '[\n  {"id": "x"},\n  {"id": "y", "size": 500}\n]\n')
    main = write("widgets.json", '{\n  "more": "parts/more.json",\n  "widgets": []\n}\n')
    (error,) = _errors([str(main)])
    assert error.startswith(f"{main.parent / 'parts' / 'more.json'}:3:23: size: Input should be less than")
    missing = write("m2.json", '{\n  "more": "nope.json",\n  "widgets": []\n}\n')
    outside = write("sub/m3.json", '{"more": "../parts/more.json", "widgets": []}')
    (error,) = _errors([str(missing)])
    assert error.startswith(f"{missing}:2:11: included file not found")
    (error,) = _errors([str(outside)])
    assert error.startswith(f"{outside}:1:10: ../parts/more.json is outside the directory of m3.json")


def test_json_numbers_tabs_and_escapes_keep_positions(write: Write) -> None:
    path = write("w.json", '{\t"widgets": [\n\t{"id": "a", "color": "\\ud83d\\ude00", "size": 1e2},\n\t{"id": 7}]}')
    loaded = load_manifest([str(path)], natives=native_formats(REGISTRY))
    first, second = loaded.data["memory"]["things"]
    assert first["color"] == "\U0001F600" and first["size"] == 100.0
    span = loaded.locate(("memory", "things", 1, "name"))
    assert span is not None and (span.line, span.column) == (3, 9)


def test_without_formats_a_native_file_is_not_understood(write: Write) -> None:
    path = write("widgets.json", WIDGETS_JSON)
    (problem,) = load_manifest([str(path)], natives=NativeFormats()).problems
    assert "is neither a baseform manifest nor a native schema file" in str(problem)
    assert "understood: none" in str(problem)


def test_the_json_schema_describes_include() -> None:
    schema = manifest_schema([MemoryProvider])
    assert schema["properties"]["include"]["anyOf"][0] == {"items": {"type": "string"}, "type": "array"}
