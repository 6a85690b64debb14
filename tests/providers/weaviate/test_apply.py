"""Weaviate end to end through the CLI against the emulator: create, update, replace, cycles.

Every apply is followed by the CLI's own convergence check (a new plan must be empty), and the
tests also plan again themselves where the point is that nothing is left to do.
"""

from __future__ import annotations

import json

from tests.clirun import run_cli
from tests.providers.weaviate.conftest import Weaviate

BLOG = """
weaviate:
  classes:
    - class: article
      description: Blog articles
      vectorIndexConfig: {ef: 100}
      invertedIndexConfig: {bm25: {b: 0.8}, stopwords: {additions: [zeta, alpha]}}
      properties:
        - {name: Title, dataType: [text], tokenization: word}
        - {name: body, dataType: [string]}
        - {name: views, dataType: [int], indexRangeFilters: true}
        - name: meta
          dataType: [object]
          nestedProperties: [{name: tags, dataType: ["text[]"]}, {name: n, dataType: [int]}]
        - {name: writtenBy, dataType: [Author]}
    - class: Author
      properties:
        - {name: name, dataType: [text]}
        - {name: wrote, dataType: [Article]}
        - {name: mentor, dataType: [Author]}
"""


def test_create_from_empty_with_cycle_and_self_reference(weaviate: Weaviate) -> None:
    result = weaviate.apply(BLOG)
    assert result.code == 0, result.text
    assert "Converged" in result.out
    classes = weaviate.emulator.classes
    assert set(classes) == {"Article", "Author"}
    article = classes["Article"]
    assert article["description"] == "Blog articles"
    assert article["vectorIndexConfig"]["ef"] == 100
    # a partial bm25 must not zero the other parameter
    assert article["invertedIndexConfig"]["bm25"] == {"b": 0.8, "k1": 1.2}
    names = [p["name"] for p in article["properties"]]
    assert sorted(names) == ["body", "meta", "title", "views", "writtenBy"]
    # classes were created without their references, which were added afterwards
    assert names[-1] == "writtenBy"
    assert {p["name"]: p["dataType"] for p in classes["Author"]["properties"]}["mentor"] == ["Author"]
    assert weaviate.converged(BLOG)


def test_plan_shows_changes_and_applies_nothing(weaviate: Weaviate) -> None:
    result = weaviate.plan(BLOG, "--detailed-exitcode")
    assert result.code == 2, result.text
    assert "weaviate.classes.Article.properties.title will be created" in result.out
    assert weaviate.emulator.classes == {}


def test_add_properties_to_existing_class(weaviate: Weaviate) -> None:
    assert weaviate.apply(BLOG).code == 0
    grown = BLOG.replace("        - {name: mentor, dataType: [Author]}",
                         "        - {name: mentor, dataType: [Author]}\n"
                         "        - {name: born, dataType: [date]}\n"
                         "        - {name: fans, dataType: [Article, Author]}")
    plan = weaviate.plan(grown)
    assert "2 to add, 0 to change" in plan.out, plan.text
    result = weaviate.apply(grown)
    assert result.code == 0, result.text
    props = {p["name"]: p for p in weaviate.emulator.classes["Author"]["properties"]}
    assert props["born"]["dataType"] == ["date"]
    assert props["fans"]["dataType"] == ["Article", "Author"]
    assert weaviate.converged(grown)


MUTABLE = """
weaviate:
  classes:
    - class: Doc
      description: {description}
      vectorIndexConfig: {{ef: {ef}, pq: {{enabled: {pq}}}}}
      invertedIndexConfig: {{bm25: {{b: {b}, k1: 1.2}}, cleanupIntervalSeconds: 60}}
      replicationConfig: {{deletionStrategy: {strategy}}}
      properties:
        - {{name: title, dataType: [text], description: {pdesc}}}
        - {{name: year, dataType: [int]}}
"""


def test_mutable_settings_are_updated_in_place_with_one_put(weaviate: Weaviate) -> None:
    first = MUTABLE.format(description="v1", ef=-1, pq="false", b=0.75, strategy="NoAutomatedResolution",
                           pdesc="old")
    assert weaviate.apply(first).code == 0
    before = json.loads(json.dumps(weaviate.emulator.classes["Doc"]))
    second = MUTABLE.format(description="v2", ef=64, pq="true", b=0.9, strategy="TimeBasedResolution",
                            pdesc="the title")
    plan = weaviate.plan(second)
    assert "0 to add, 2 to change, 0 to destroy" in plan.out, plan.text
    assert "must be replaced" not in plan.out
    weaviate.emulator.stats.clear()
    result = weaviate.apply(second)
    assert result.code == 0, result.text
    assert weaviate.emulator.stats["PUT /v1/schema/Doc"] == 1
    doc = weaviate.emulator.classes["Doc"]
    assert doc["description"] == "v2"
    assert doc["vectorIndexConfig"]["ef"] == 64 and doc["vectorIndexConfig"]["pq"]["enabled"] is True
    assert doc["invertedIndexConfig"]["bm25"]["b"] == 0.9
    assert doc["replicationConfig"]["deletionStrategy"] == "TimeBasedResolution"
    assert {p["name"]: p.get("description") for p in doc["properties"]}["title"] == "the title"
    # settings the manifest does not mention kept their live values (read-modify-write)
    assert doc["vectorIndexConfig"]["efConstruction"] == before["vectorIndexConfig"]["efConstruction"]
    assert doc["shardingConfig"] == before["shardingConfig"]
    assert weaviate.converged(second)


IMMUTABLE = """
weaviate:
  classes:
    - class: Doc
      vectorIndexConfig: {{distance: {distance}}}
      properties:
        - {{name: title, dataType: [{dt}]}}
"""


def test_immutable_change_is_a_replace_refused_without_allow_destroy(weaviate: Weaviate) -> None:
    assert weaviate.apply(IMMUTABLE.format(distance="cosine", dt="text")).code == 0
    weaviate.emulator.objects["Doc"]["00000000-0000-0000-0000-000000000001"] = {"class": "Doc"}
    changed = IMMUTABLE.format(distance="dot", dt="text")
    plan = weaviate.plan(changed)
    assert "weaviate.classes.Doc must be replaced" in plan.out, plan.text
    assert "vectorIndexConfig.distance cosine -> dot" in plan.out
    assert "! data loss: all its objects" in plan.out
    refused = weaviate.apply(changed)
    assert refused.code == 1
    assert "--allow-destroy" in refused.text
    assert weaviate.emulator.classes["Doc"]["vectorIndexConfig"]["distance"] == "cosine"
    assert weaviate.emulator.objects["Doc"], "a refused apply must not touch the data"
    done = weaviate.apply(changed, "--allow-destroy")
    assert done.code == 0, done.text
    assert weaviate.emulator.classes["Doc"]["vectorIndexConfig"]["distance"] == "dot"
    assert weaviate.emulator.objects["Doc"] == {}
    assert weaviate.converged(changed)


def test_property_type_change_replaces_its_class(weaviate: Weaviate) -> None:
    assert weaviate.apply(IMMUTABLE.format(distance="cosine", dt="text")).code == 0
    changed = IMMUTABLE.format(distance="cosine", dt="int")
    plan = weaviate.plan(changed)
    assert "weaviate.classes.Doc must be replaced" in plan.out, plan.text
    assert '~ properties.title.dataType = ["text"] -> ["int"]  # forces replacement' in plan.out
    assert 'properties.title: dataType ["text"] -> ["int"]: Weaviate cannot change a property once created' in plan.out
    assert weaviate.apply(changed, "--allow-destroy").code == 0
    assert weaviate.emulator.classes["Doc"]["properties"][0]["dataType"] == ["int"]
    assert weaviate.converged(changed)


def test_removed_property_replaces_its_class(weaviate: Weaviate) -> None:
    two = IMMUTABLE.format(distance="cosine", dt="text") + "        - {name: extra, dataType: [int]}\n"
    assert weaviate.apply(two).code == 0
    one = IMMUTABLE.format(distance="cosine", dt="text")
    plan = weaviate.plan(one)
    assert "properties.extra is not declared, and Weaviate cannot delete a property" in plan.out, plan.text
    assert "- properties.extra" in plan.out or "properties.extra = " in plan.out, plan.text
    assert weaviate.apply(one, "--allow-destroy").code == 0
    assert [p["name"] for p in weaviate.emulator.classes["Doc"]["properties"]] == ["title"]


def test_protected_class_is_never_replaced(weaviate: Weaviate) -> None:
    base = IMMUTABLE.replace("    - class: Doc\n", "    - class: Doc\n      protect: true\n")
    assert weaviate.apply(base.format(distance="cosine", dt="text")).code == 0
    result = weaviate.apply(base.format(distance="dot", dt="text"), "--allow-destroy")
    assert result.code == 1
    assert weaviate.emulator.classes["Doc"]["vectorIndexConfig"]["distance"] == "cosine"


def test_undeclared_classes_are_unmanaged_unless_prune(weaviate: Weaviate) -> None:
    assert weaviate.apply(BLOG).code == 0
    only_doc = "weaviate:\n  classes:\n    - {class: Doc}\n"
    plan = weaviate.plan(only_doc)
    assert "weaviate.classes.Article" in plan.out and "destroy" in plan.out
    assert weaviate.apply(only_doc).code == 0
    assert set(weaviate.emulator.classes) == {"Article", "Author", "Doc"}
    pruned = "weaviate:\n  prune: true\n  classes:\n    - {class: Doc}\n"
    assert weaviate.apply(pruned).code == 1  # deletes need --allow-destroy
    result = weaviate.apply(pruned, "--allow-destroy")
    assert result.code == 0, result.text
    assert set(weaviate.emulator.classes) == {"Doc"}


NAMED = """
weaviate:
  classes:
    - class: Multi
      vectorConfig:
        title: {{vectorizer: {{none: {{}}}}, vectorIndexConfig: {{distance: dot}}}}{extra}
      properties:
        - {{name: title, dataType: [text]}}
"""
EXTRA_VECTOR = "\n        body: {vectorizer: {none: {}}, vectorIndexType: flat}"


def test_named_vector_is_added_in_place_on_131_and_later(weaviate: Weaviate) -> None:
    assert weaviate.apply(NAMED.format(extra="")).code == 0
    grown = NAMED.format(extra=EXTRA_VECTOR)
    plan = weaviate.plan(grown)
    assert "will be updated in place" in plan.out, plan.text
    assert weaviate.apply(grown).code == 0
    vectors = weaviate.emulator.classes["Multi"]["vectorConfig"]
    assert vectors["body"]["vectorIndexType"] == "flat"
    assert vectors["title"]["vectorIndexConfig"]["distance"] == "dot"
    assert weaviate.converged(grown)


def test_named_vector_addition_is_a_replace_before_131(weaviate_130: Weaviate) -> None:
    assert weaviate_130.apply(NAMED.format(extra="")).code == 0
    plan = weaviate_130.plan(NAMED.format(extra=EXTRA_VECTOR))
    assert "must be replaced" in plan.out, plan.text
    assert "needs Weaviate 1.31 or later" in plan.out


def test_module_config_generative_is_mutable_vectorizer_is_not(weaviate_136: Weaviate) -> None:
    manifest = """
    weaviate:
      classes:
        - class: Doc
          vectorizer: text2vec-openai
          moduleConfig: {{text2vec-openai: {{model: {model}}}, generative-openai: {{model: {gen}}}}}
          properties:
            - {{name: title, dataType: [text]}}
    """
    first = manifest.format(model="ada", gen="gpt-4")
    assert weaviate_136.apply(first).code == 0
    assert weaviate_136.converged(first)
    plan = weaviate_136.plan(manifest.format(model="ada", gen="gpt-5"))
    assert "will be updated in place" in plan.out and "must be replaced" not in plan.out, plan.text
    assert weaviate_136.apply(manifest.format(model="ada", gen="gpt-5")).code == 0
    assert weaviate_136.emulator.classes["Doc"]["moduleConfig"]["generative-openai"]["model"] == "gpt-5"
    plan = weaviate_136.plan(manifest.format(model="other", gen="gpt-5"))
    assert "moduleConfig.text2vec-openai.model ada -> other" in plan.out, plan.text
    assert "must be replaced" in plan.out


def test_api_key_is_sent_only_when_configured(weaviate_auth: Weaviate, weaviate: Weaviate) -> None:
    manifest = "weaviate:\n  classes:\n    - {class: Doc}\n"
    assert weaviate_auth.apply(manifest).code == 0
    assert "Doc" in weaviate_auth.emulator.classes
    # the same key against a server without auth would be rejected: none must be sent
    assert weaviate.apply(manifest).code == 0
    bad_env = {**weaviate_auth.env, "WEAVIATE_API_KEY": "not-the-key"}
    refused = run_cli(["plan", weaviate_auth.manifest(manifest)], env=bad_env)
    assert refused.code == 1 and "401" in refused.text
    assert "not-the-key" not in refused.text
