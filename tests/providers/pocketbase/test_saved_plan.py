"""``plan --out FILE`` then ``apply --plan FILE`` against a real PocketBase, fresh and stale."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.pocketbase_fixture import PocketBaseServer
from tests.providers.pocketbase.conftest import Baseform
from tests.providers.pocketbase.test_apply import applied, collection

Manifest = Callable[..., Path]

BEFORE = """
    collections:
      - name: notes
        fields: [{name: title, type: text}]
"""
AFTER = """
    collections:
      - name: notes
        listRule: "title != ''"
        fields: [{name: title, type: text}, {name: done, type: bool}]
"""


def test_apply_of_a_saved_plan_runs_it(baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest,
                                       tmp_path: Path) -> None:
    applied(baseform, manifest(BEFORE))
    path = manifest(AFTER)
    plan_file = tmp_path / "plan.json"
    planned = baseform("plan", path, "--out", plan_file)
    assert planned.code == 0, planned.text
    result = baseform("apply", "--plan", plan_file)  # a saved plan was reviewed: no prompt
    assert result.code == 0, result.text
    assert "Converged" in result.out
    notes = collection(pocketbase, "notes")
    assert notes["listRule"] == "title != ''"
    assert [f["name"] for f in notes["fields"]] == ["id", "title", "done"]


def test_apply_refuses_a_plan_made_stale_by_a_change_on_the_server(
        baseform: Baseform, pocketbase: PocketBaseServer, manifest: Manifest, tmp_path: Path) -> None:
    applied(baseform, manifest(BEFORE))
    path = manifest(AFTER)
    plan_file = tmp_path / "plan.json"
    assert baseform("plan", path, "--out", plan_file).code == 0
    notes = collection(pocketbase, "notes")
    edited = pocketbase.http.patch(f"/api/collections/{notes['id']}", json={"viewRule": ""})  # a console edit
    assert edited.status_code == 200, edited.text

    result = baseform("apply", "--plan", plan_file)
    assert result.code == 1
    assert f"the saved plan {plan_file} is stale: pocketbase.collections.notes: the live object changed " \
           "since the plan" in result.err
    after = collection(pocketbase, "notes")
    assert after["viewRule"] == "" and after["listRule"] is None  # nothing was applied
    assert "done" not in {f["name"] for f in after["fields"]}
