"""Golden-file tests of the three plan renderings. Regenerate with BASEFORM_UPDATE_GOLDEN=1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from baseform.engine.address import Address
from baseform.engine.change import ABSENT, Action, Change, FieldDiff
from baseform.engine.markdown import render_markdown
from baseform.engine.operation import Operation, Request, WaitFor
from baseform.engine.outcome import ApplyResult, OperationResult, Outcome
from baseform.engine.plan import Plan, ProviderPlan
from baseform.engine.render import render_apply_result, render_json, render_text
from baseform.errors import SourceSpan

GOLDEN = Path(__file__).parent / "golden"
A = Address.parse


def _plan() -> Plan:
    col = A("appwrite.databases.blog.tables.articles.columns.title")
    changes = (
        Change(A("appwrite.databases.blog.tables.articles"), Action.NOOP, {"name": "Articles"},
               {"name": "Articles"}),
        Change(col, Action.REPLACE, {"key": "title", "type": "varchar", "size": 255},
               {"key": "title", "type": "text"},
               (FieldDiff("size", 255, ABSENT), FieldDiff("type", "varchar", "text", True)),
               reason="type varchar -> text cannot change in place", live_digest="sha256:aa"),
        Change(A("appwrite.databases.blog.tables.articles.columns.status"), Action.UPDATE,
               {"key": "status", "elements": ["draft"]}, {"key": "status", "elements": ["draft", "published"]},
               (FieldDiff("elements", ["draft"], ["draft", "published"]),), live_digest="sha256:bb"),
        Change(A("appwrite.databases.blog.tables.articles.columns.headline"), Action.UPDATE,
               {"key": "title_old"}, {"key": "headline"}, (FieldDiff("key", "title_old", "headline"),),
               reason="renamed from title_old", live_digest="sha256:cc",
               renamed_from=A("appwrite.databases.blog.tables.articles.columns.title_old")),
        Change(A("appwrite.buckets.avatars"), Action.CREATE, None,
               {"name": "Avatars", "maximumFileSize": 5000000, "token": "abc"}, sensitive=frozenset({"token"}),
               source=SourceSpan("baseform.yaml", 40, 7)),
        Change(A("appwrite.teams.old"), Action.DELETE, {"name": "Old"}, None, reason="not declared in the manifest",
               live_digest="sha256:dd"),
    )
    ops = (
        Operation("op1", "appwrite", Action.DELETE, (col,), "delete column title",
                  Request("DELETE", "/tablesdb/blog/tables/articles/columns/title"),
                  wait=WaitFor(Request("GET", "/tablesdb/blog/tables/articles/columns/title"), gone=True)),
        Operation("op2", "appwrite", Action.CREATE, (col,), "create column title (text)",
                  Request("POST", "/tablesdb/blog/tables/articles/columns/text", {"key": "title"}),
                  depends_on=("op1",)),
        Operation("op3", "appwrite", Action.CREATE, (A("appwrite.buckets.avatars"),), "create bucket avatars",
                  Request("POST", "/storage/buckets", {"bucketId": "avatars", "token": "abc"}),
                  sensitive=frozenset({"token"})),
    )
    return Plan("sha256:manifest", (ProviderPlan("appwrite", "http://127.0.0.1:9/v1", "1.9.6", changes, ops,
                                                 (A("appwrite.databases.legacy"),)),),
                warnings=("baseform.yaml:12:9: appwrite.databases.blog.tables.articles.columns.legacy: type string "
                          "is deprecated",))


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("BASEFORM_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs from the golden file (BASEFORM_UPDATE_GOLDEN=1 to update)"


def test_text_rendering_matches_golden() -> None:
    _check("plan.txt", render_text(_plan(), show_operations=True))


def test_json_rendering_matches_golden() -> None:
    _check("plan.json", render_json(_plan(), {"paths": ["baseform.yaml"], "var_files": [], "vars": []}))


def test_markdown_rendering_matches_golden() -> None:
    _check("plan.md", render_markdown(_plan()))


def test_colour_only_when_asked() -> None:
    assert "\x1b[" not in render_text(_plan())
    assert "\x1b[35m" in render_text(_plan(), colour=True)


@pytest.mark.parametrize("renderer", [render_text, render_json, render_markdown])
def test_sensitive_values_are_masked_in_every_format(renderer: object) -> None:
    text = renderer(_plan())  # type: ignore[operator]
    assert '"abc"' not in text and "(sensitive)" in text


def test_apply_result_lists_done_failed_skipped() -> None:
    plan = _plan()
    op1, op2, op3 = plan.operations
    result = ApplyResult([OperationResult(op1, Outcome.DONE, 0.1), OperationResult(op3, Outcome.FAILED, 0.2,
                                                                                     "POST ... -> 400: bad"),
                          OperationResult(op2, Outcome.SKIPPED)])
    _check("apply-failed.txt", render_apply_result(result, plan))
