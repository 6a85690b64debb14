"""Schema keys of newer Weaviate servers end to end through the CLI against the emulator.

Object TTL and tokenizer user dictionaries (1.35+), text analyzers and stopword presets (1.37+),
``disableDuplicatedReferences`` and the deprecated ``indexInverted``: declared, applied, planned as
no changes, changed in place or by a replace, refused with a located error by older servers,
exported, and read back from a ``GET /v1/schema`` dump.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.emulators.server import RunningEmulator, serve
from tests.emulators.weaviate import WeaviateEmulator
from tests.providers.weaviate.conftest import Weaviate, assert_reported


@pytest.fixture(scope="module")
def recent_servers() -> Iterator[dict[str, RunningEmulator]]:
    running = {"1.35": serve(WeaviateEmulator("1.35.0")), "1.37": serve(WeaviateEmulator("1.37.0"))}
    yield running
    for server in running.values():
        server.stop()


def _fresh(server: RunningEmulator, tmp_path: Path) -> Weaviate:
    server.emulator.reset()
    return Weaviate(server, tmp_path)


@pytest.fixture
def weaviate_137(recent_servers: dict[str, RunningEmulator], tmp_path: Path) -> Weaviate:
    """An empty Weaviate 1.37."""
    return _fresh(recent_servers["1.37"], tmp_path)


@pytest.fixture
def weaviate_135(recent_servers: dict[str, RunningEmulator], tmp_path: Path) -> Weaviate:
    """An empty Weaviate 1.35: object TTL, but no text analyzers or stopword presets yet."""
    return _fresh(recent_servers["1.35"], tmp_path)


SCHEMA = """
weaviate:
  classes:
    - class: Session
      objectTtlConfig: {{enabled: true, deleteOn: _creationTimeUnix, defaultTtl: {ttl}}}
      invertedIndexConfig:
        stopwordPresets: {presets}
        tokenizerUserDict: [{{tokenizer: kagome_ja, replacements: [{{source: Weaviate, target: {target}}}]}}]
      properties:
        - name: title
          dataType: [text]
          textAnalyzer: {{asciiFold: true, asciiFoldIgnore: [é], stopwordPreset: {preset}}}
        - name: meta
          dataType: [object]
          nestedProperties: [{{name: note, dataType: [text], textAnalyzer: {{stopwordPreset: en}}}}]
        - {{name: legacy, dataType: [text], indexInverted: false}}
        - {{name: plain, dataType: [text], textAnalyzer: {{asciiFold: false}}}}
        - {{name: parent, dataType: [Session], disableDuplicatedReferences: {dedupe}}}
    - class: Event
      objectTtlConfig: {{enabled: true, deleteOn: happenedAt, defaultTtl: 86400, filterExpiredObjects: true}}
      properties:
        - {{name: happenedAt, dataType: [date], indexRangeFilters: true}}
"""
FIRST = {"ttl": 3600, "presets": "{fr: [le, la, et], de: [der]}", "target": "We Aviate", "preset": "fr",
         "dedupe": "false"}


def manifest(**changes: str | int) -> str:
    return SCHEMA.format(**{**FIRST, **changes})


def test_newer_keys_apply_and_then_plan_no_changes(weaviate_137: Weaviate) -> None:
    result = weaviate_137.apply(manifest())
    assert result.code == 0 and "Converged" in result.out, result.text
    session = weaviate_137.emulator.classes["Session"]
    assert session["objectTtlConfig"] == {"enabled": True, "deleteOn": "_creationTimeUnix", "defaultTtl": 3600,
                                          "filterExpiredObjects": False}
    assert session["invertedIndexConfig"]["indexTimestamps"] is True  # forced by the TTL
    assert session["invertedIndexConfig"]["stopwordPresets"] == {"fr": ["et", "la", "le"], "de": ["der"]}
    props = {p["name"]: p for p in session["properties"]}
    assert props["title"]["textAnalyzer"] == {"asciiFold": True, "asciiFoldIgnore": ["é"], "stopwordPreset": "fr"}
    assert props["meta"]["nestedProperties"][0]["textAnalyzer"] == {"stopwordPreset": "en"}
    # the deprecated flag reached the server as the flags it stands for
    assert (props["legacy"]["indexFilterable"], props["legacy"]["indexSearchable"]) == (False, False)
    assert "textAnalyzer" not in props["plain"]  # all unset: the server keeps none
    assert props["parent"]["disableDuplicatedReferences"] is False
    assert weaviate_137.emulator.classes["Event"]["objectTtlConfig"]["deleteOn"] == "happenedAt"
    assert weaviate_137.converged(manifest())


def test_validate_warns_about_index_inverted(weaviate_137: Weaviate) -> None:
    path = weaviate_137.manifest(manifest())
    result = weaviate_137.cli("validate", path)
    assert result.code == 0, result.text
    line = next(i for i, text in enumerate(manifest().splitlines(), 1) if "indexInverted" in text)
    row = next(r for r in result.err.splitlines() if "indexInverted is deprecated" in r)
    assert f"{path}:{line}" in row
    assert "hint: write indexFilterable: false, indexSearchable: false" in result.err


def test_ttl_presets_and_dictionaries_change_in_place(weaviate_137: Weaviate) -> None:
    assert weaviate_137.apply(manifest()).code == 0
    # a longer TTL, one preset changed and one removed (no property uses 'de'), a new dictionary entry
    changed = manifest(ttl=7200, presets="{fr: [le, la, les]}", target="Wea Viate")
    plan = weaviate_137.plan(changed)
    assert "0 to add, 1 to change, 0 to destroy" in plan.out, plan.text
    assert "must be replaced" not in plan.out
    weaviate_137.emulator.stats.clear()
    result = weaviate_137.apply(changed)
    assert result.code == 0, result.text
    assert weaviate_137.emulator.stats["PUT /v1/schema/Session"] == 1
    session = weaviate_137.emulator.classes["Session"]
    assert session["objectTtlConfig"]["defaultTtl"] == 7200
    assert session["invertedIndexConfig"]["stopwordPresets"] == {"fr": ["la", "le", "les"]}
    assert session["invertedIndexConfig"]["tokenizerUserDict"][0]["replacements"][0]["target"] == "Wea Viate"
    assert weaviate_137.converged(changed)
    # switching the TTL off is in place too
    off = changed.replace("objectTtlConfig: {enabled: true, deleteOn: _creationTimeUnix",
                          "objectTtlConfig: {enabled: false, deleteOn: _creationTimeUnix")
    assert weaviate_137.apply(off).code == 0
    assert weaviate_137.emulator.classes["Session"]["objectTtlConfig"]["enabled"] is False
    assert weaviate_137.converged(off)


@pytest.mark.parametrize(("change", "blamed"), [
    ({"preset": "en"}, "properties.title.textAnalyzer.stopwordPreset"),
    ({"dedupe": "true"}, "properties.parent.disableDuplicatedReferences"),
])
def test_property_settings_change_by_replacing_the_class(weaviate_137: Weaviate, change: dict[str, str],
                                                         blamed: str) -> None:
    assert weaviate_137.apply(manifest()).code == 0
    changed = manifest(**change)
    plan = weaviate_137.plan(changed)
    assert "weaviate.classes.Session must be replaced" in plan.out, plan.text
    assert f"~ {blamed} = " in plan.out and "# forces replacement" in plan.out, plan.text
    assert weaviate_137.apply(changed).code == 1  # a replace needs --allow-destroy
    result = weaviate_137.apply(changed, "--allow-destroy")
    assert result.code == 0, result.text
    assert weaviate_137.converged(changed)


def test_ttl_on_timestamps_for_an_existing_class_replaces_it(weaviate_137: Weaviate) -> None:
    plain = "weaviate:\n  classes:\n    - class: Log\n"
    assert weaviate_137.apply(plain).code == 0
    ttl = plain + "      objectTtlConfig: {enabled: true, deleteOn: _lastUpdateTimeUnix, defaultTtl: 600}\n"
    plan = weaviate_137.plan(ttl)
    # the server refuses such a TTL without indexed timestamps, which cannot be switched on in place
    assert "weaviate.classes.Log must be replaced" in plan.out, plan.text
    assert "invertedIndexConfig.indexTimestamps false -> true: indexTimestamps is immutable (an object TTL" in plan.out
    result = weaviate_137.apply(ttl, "--allow-destroy")
    assert result.code == 0, result.text
    assert weaviate_137.emulator.classes["Log"]["objectTtlConfig"]["enabled"] is True
    assert weaviate_137.converged(ttl)


def test_older_servers_refuse_newer_keys_at_plan_time(weaviate: Weaviate, weaviate_135: Weaviate) -> None:
    text = manifest()
    lines = {key: next(i for i, t in enumerate(text.splitlines(), 1) if key in t)
             for key in ("class: Session", "name: title", "name: meta", "class: Event")}
    path = weaviate.manifest(text)
    result = weaviate.cli("plan", path)  # 1.32
    assert result.code == 1
    err = result.err
    for line, message in (
        (lines["class: Session"], "objectTtlConfig needs Weaviate 1.35.0 or later (server: 1.32.0)"),
        (lines["class: Session"], "invertedIndexConfig.tokenizerUserDict needs Weaviate 1.35.0 or later"),
        (lines["class: Session"], "invertedIndexConfig.stopwordPresets needs Weaviate 1.37.0 or later"),
        (lines["name: title"], "textAnalyzer needs Weaviate 1.37.0 or later"),
        (lines["name: meta"], "nestedProperties.note.textAnalyzer needs Weaviate 1.37.0 or later"),
        (lines["class: Event"], "objectTtlConfig needs Weaviate 1.35.0 or later"),
    ):
        assert any(f"{path}:{line}" in row and message in row for row in err.splitlines()), (line, message, err)
    assert weaviate.emulator.classes == {}
    result = weaviate_135.cli("plan", weaviate_135.manifest(text))
    assert result.code == 1
    assert "objectTtlConfig needs" not in result.err and "tokenizerUserDict needs" not in result.err
    assert "stopwordPresets needs Weaviate 1.37.0 or later (server: 1.35.0)" in result.err
    # a setting that asks for nothing is no reason to refuse an older server
    noop = ("weaviate:\n  classes:\n    - class: Doc\n      objectTtlConfig: {enabled: false}\n      properties:\n"
            "        - {name: t, dataType: [text], textAnalyzer: {asciiFold: false}}\n")
    assert weaviate.apply(noop).code == 0
    assert weaviate.converged(noop)


def test_export_of_newer_keys_plans_no_changes(weaviate_137: Weaviate, tmp_path: Path) -> None:
    assert weaviate_137.apply(manifest()).code == 0
    providers = tmp_path / "providers.yaml"
    providers.write_text("version: 1\nproviders: {weaviate: {}}\n")
    out = tmp_path / "exported.yaml"
    result = weaviate_137.cli("export", "--provider", "weaviate", str(providers), "--out", str(out))
    assert result.code == 0, result.text
    classes = {c["class"]: c for c in yaml.safe_load(out.read_text())["weaviate"]["classes"]}
    session = classes["Session"]
    assert session["objectTtlConfig"] == {"enabled": True, "defaultTtl": 3600, "deleteOn": "_creationTimeUnix"}
    assert session["invertedIndexConfig"]["stopwordPresets"] == {"fr": ["et", "la", "le"], "de": ["der"]}
    assert session["invertedIndexConfig"]["indexTimestamps"] is True
    props = {p["name"]: p for p in session["properties"]}
    assert props["title"]["textAnalyzer"] == {"asciiFold": True, "asciiFoldIgnore": ["é"], "stopwordPreset": "fr"}
    assert props["parent"]["disableDuplicatedReferences"] is False
    assert props["legacy"] == {"name": "legacy", "dataType": ["text"], "indexFilterable": False,
                               "indexSearchable": False}
    assert "textAnalyzer" not in props["plain"]
    assert classes["Event"]["objectTtlConfig"]["filterExpiredObjects"] is True
    assert weaviate_137.cli("plan", str(out), "--detailed-exitcode").code == 0


def test_schema_dump_with_newer_keys_loads_and_plans_no_changes(weaviate_137: Weaviate, tmp_path: Path) -> None:
    assert weaviate_137.apply(manifest()).code == 0
    # a class made without TTL shows none; one made with TTL switched off shows all four fields
    with httpx.Client(base_url=weaviate_137.server.url, trust_env=False) as http:
        made = http.post("/v1/schema", json={"class": "Off", "objectTtlConfig": {"enabled": False}})
        assert made.status_code == 200, made.text
        dump = http.get("/v1/schema").json()
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(dump, indent=2, ensure_ascii=False))
    validated = weaviate_137.cli("validate", str(path))
    assert validated.code == 0, validated.text
    assert weaviate_137.cli("plan", str(path), "--detailed-exitcode").code == 0
    # and it rebuilds the same schema on an empty server
    weaviate_137.emulator.reset()
    result = weaviate_137.cli("apply", str(path), "--auto-approve")
    assert result.code == 0 and "Converged" in result.out, result.text
    assert weaviate_137.emulator.classes["Session"]["objectTtlConfig"]["enabled"] is True


BAD = """\
weaviate:
  classes:
    - class: Bad
      objectTtlConfig: {enabled: true, deleteOn: due}
      invertedIndexConfig: {stopwordPresets: {fr: []}}
      properties:
        - {name: due, dataType: [int]}
        - {name: n, dataType: [int], textAnalyzer: {asciiFold: true}}
        - {name: t, dataType: [text], textAnalyzer: {asciiFoldIgnore: [é]}}
        - {name: u, dataType: [text], textAnalyzer: {stopwordPreset: frr}}
        - {name: w, dataType: [text], tokenization: field, textAnalyzer: {stopwordPreset: en}}
        - {name: x, dataType: [text], indexInverted: true, indexFilterable: true}
        - {name: y, dataType: [text], indexInverted: true, textAnalyzer: {asciiFold: true}}
    - class: Stamp
      objectTtlConfig: {enabled: true, deleteOn: _creationTimeUnix, defaultTtl: 3600}
      invertedIndexConfig: {indexTimestamps: false}
    - class: NoDelete
      objectTtlConfig: {enabled: true}
"""


def test_invalid_newer_keys_are_reported_together_with_lines(weaviate_137: Weaviate) -> None:
    path = weaviate_137.manifest(BAD)
    result = weaviate_137.cli("validate", path)
    assert result.code == 1
    expected = {
        4: "deleteOn property 'due' must have dataType [date], not ['int']",
        5: "stopword preset 'fr' needs at least one word",
        8: "textAnalyzer is allowed only for text/text[], not ['int']",
        9: "asciiFoldIgnore needs asciiFold: true",
        10: "stopword preset 'frr' is neither built in (en, none) nor declared in the class's "
            "invertedIndexConfig.stopwordPresets (did you mean 'fr'?)",
        11: "stopwordPreset needs word tokenization, not field",
        12: "indexInverted cannot be combined with indexFilterable (Weaviate rejects it)",
        13: "textAnalyzer needs an inverted index (indexSearchable or indexFilterable)",
        16: "an object TTL on _creationTimeUnix needs indexTimestamps: true",
        18: "an enabled objectTtlConfig needs deleteOn",
    }
    assert_reported(result.err, path, expected)
    assert weaviate_137.emulator.stats["requests"] == 0


def test_ttl_on_a_property_added_in_the_same_plan_is_refused_with_the_way_out(weaviate_137: Weaviate) -> None:
    base = "weaviate:\n  classes:\n    - class: Task\n      properties:\n        - {name: title, dataType: [text]}\n"
    assert weaviate_137.apply(base).code == 0
    due = base + "        - {name: due, dataType: [date]}\n"
    ttl = "      objectTtlConfig: {enabled: true, deleteOn: due}\n"
    both = due.replace("    - class: Task\n", "    - class: Task\n" + ttl)
    path = weaviate_137.manifest(both)
    result = weaviate_137.cli("plan", path)
    assert result.code == 1
    assert f"{path}:3" in result.err and "apply the property first and the TTL after it" in result.err, result.err
    # in two steps it works, the TTL change in place
    assert weaviate_137.apply(due).code == 0
    plan = weaviate_137.plan(both)
    assert "will be updated in place" in plan.out, plan.text
    result = weaviate_137.apply(both)
    assert result.code == 0, result.text
    assert weaviate_137.emulator.classes["Task"]["objectTtlConfig"]["deleteOn"] == "due"
    assert weaviate_137.converged(both)
