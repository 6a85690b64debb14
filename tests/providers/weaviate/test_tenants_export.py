"""Multi-tenant classes with declared tenants, export round trips, and create verification."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml

from tests.providers.weaviate.conftest import Weaviate

TENANTS = """
weaviate:
  classes:
    - class: Note
      multiTenancyConfig: {{enabled: true, autoTenantCreation: {auto}}}
      properties:
        - {{name: text, dataType: [text]}}
      tenants:{tenants}
"""


def _tenants(*items: str) -> str:
    return "".join(f"\n        - {item}" for item in items)


def test_tenants_are_created_updated_and_deleted(weaviate: Weaviate) -> None:
    first = TENANTS.format(auto="false", tenants=_tenants("{name: acme}", "{name: globex, activityStatus: INACTIVE}"))
    result = weaviate.apply(first)
    assert result.code == 0, result.text
    assert weaviate.emulator.tenants["Note"] == {"acme": "HOT", "globex": "COLD"}
    assert weaviate.converged(first)

    second = TENANTS.format(auto="true", tenants=_tenants("{name: acme, activityStatus: INACTIVE}",
                                                          "{name: globex, activityStatus: ACTIVE}",
                                                          "{name: initech}"))
    plan = weaviate.plan(second)
    assert "weaviate.classes.Note.tenants.acme will be updated in place" in plan.out, plan.text
    assert "INACTIVE" in plan.out
    result = weaviate.apply(second)
    assert result.code == 0, result.text
    assert weaviate.emulator.tenants["Note"] == {"acme": "COLD", "globex": "HOT", "initech": "HOT"}
    assert weaviate.emulator.classes["Note"]["multiTenancyConfig"]["autoTenantCreation"] is True

    third = TENANTS.format(auto="true", tenants=_tenants("{name: initech}"))
    assert weaviate.apply(third).code == 1  # deleting tenants deletes their objects
    result = weaviate.apply(third, "--allow-destroy")
    assert result.code == 0, result.text
    assert weaviate.emulator.tenants["Note"] == {"initech": "HOT"}
    assert weaviate.converged(third)


def test_classes_without_listed_tenants_leave_tenants_alone(weaviate: Weaviate) -> None:
    assert weaviate.apply(TENANTS.format(auto="false", tenants=_tenants("{name: acme}"))).code == 0
    weaviate.emulator.tenants["Note"]["app-made"] = "HOT"
    unlisted = TENANTS.format(auto="false", tenants=" []")
    assert weaviate.converged(unlisted)


def test_enabling_multi_tenancy_replaces_the_class(weaviate: Weaviate) -> None:
    assert weaviate.apply("weaviate:\n  classes:\n    - class: Note\n").code == 0
    plan = weaviate.plan(TENANTS.format(auto="false", tenants=_tenants("{name: acme}")))
    assert "weaviate.classes.Note must be replaced" in plan.out, plan.text
    assert "multiTenancyConfig.enabled false -> true" in plan.out
    result = weaviate.apply(TENANTS.format(auto="false", tenants=_tenants("{name: acme}")), "--allow-destroy")
    assert result.code == 0, result.text
    assert weaviate.emulator.tenants["Note"] == {"acme": "HOT"}


def _export(weaviate: Weaviate, out: Path) -> str:
    providers = weaviate.manifest("providers:\n  weaviate: {}\n", "providers.yaml")
    result = weaviate.cli("export", "--provider", "weaviate", providers, "--out", str(out))
    assert result.code == 0, result.text
    return out.read_text()


def test_export_is_minimal_and_plans_as_no_changes(weaviate: Weaviate, tmp_path: Path) -> None:
    manifest = """
    weaviate:
      classes:
        - class: Article
          description: Articles
          vectorIndexConfig: {ef: 100, pq: {enabled: true}}
          invertedIndexConfig: {bm25: {b: 0.9, k1: 1.2}, indexTimestamps: true}
          properties:
            - {name: title, dataType: [text], tokenization: field}
            - {name: body, dataType: [text]}
            - {name: meta, dataType: [object], nestedProperties: [{name: k, dataType: [text]}]}
            - {name: by, dataType: [Author]}
        - class: Author
          multiTenancyConfig: {enabled: true}
          vectorConfig:
            name: {vectorizer: {none: {}}, vectorIndexType: flat}
          properties:
            - {name: name, dataType: [text], indexSearchable: false}
    """
    assert weaviate.apply(manifest).code == 0
    exported_dir = tmp_path / "exported"
    exported_dir.mkdir()
    text = _export(weaviate, exported_dir / "baseform.yaml")
    # defaults are left out; what was set is kept
    assert "efConstruction" not in text and "cleanupIntervalSeconds" not in text and "shardingConfig" not in text
    assert "tokenization: field" in text and "indexTimestamps: true" in text and "ef: 100" in text
    assert "vectorIndexType: flat" in text and "indexSearchable: false" in text
    assert text.index("class: Article") < text.index("class: Author")
    plan = weaviate.cli("plan", str(exported_dir / "baseform.yaml"), "--detailed-exitcode")
    assert plan.code == 0, plan.text
    # the export recreates the same schema on an empty server
    weaviate.emulator.reset()
    assert weaviate.cli("apply", str(exported_dir / "baseform.yaml"), "--auto-approve").code == 0
    assert set(weaviate.emulator.classes) == {"Article", "Author"}
    assert weaviate.emulator.classes["Article"]["vectorIndexConfig"]["ef"] == 100


def test_a_create_whose_answer_was_lost_is_verified_not_duplicated(weaviate: Weaviate) -> None:
    manifest = """
    weaviate:
      classes:
        - class: Doc
          properties:
            - {name: title, dataType: [text]}
            - {name: self, dataType: [Doc]}
    """
    # seed 1: the class create commits but its answer is lost, so the retry meets "already exists"
    weaviate.emulator.set_faults(drop_after_commit_rate=0.5, seed=1)
    result = weaviate.apply(manifest)
    weaviate.emulator.set_faults(drop_after_commit_rate=0.0)
    assert result.code == 0, result.text
    assert weaviate.emulator.stats["POST /v1/schema"] == 2
    assert "already existed and matches the manifest" in result.text
    assert [p["name"] for p in weaviate.emulator.classes["Doc"]["properties"]] == ["title", "self"]
    assert weaviate.converged(manifest)


def test_a_class_copied_from_get_schema_loads_as_is_and_plans_no_changes(weaviate_136: Weaviate) -> None:
    manifest = """
    weaviate:
      classes:
        - class: Doc
          vectorizer: text2vec-openai
          multiTenancyConfig: {enabled: true}
          properties:
            - {name: title, dataType: [text]}
            - {name: meta, dataType: [object], nestedProperties: [{name: k, dataType: [blob]}]}
    """
    assert weaviate_136.apply(manifest).code == 0
    live = httpx.get(f"{weaviate_136.server.url}/v1/schema").json()
    copied = weaviate_136.manifest(yaml.safe_dump({"weaviate": live}), "copied.yaml")
    result = weaviate_136.cli("plan", copied, "--detailed-exitcode")
    assert result.code == 0, result.text
    # and it creates the same class on an empty server
    weaviate_136.emulator.reset()
    result = weaviate_136.cli("apply", copied, "--auto-approve")
    assert result.code == 0, result.text
    assert weaviate_136.emulator.classes["Doc"]["multiTenancyConfig"]["enabled"] is True
