"""Server rejections explained from the operation alone: no server, no state kept between calls."""

from __future__ import annotations

import json
from pathlib import Path

from baseform.engine.plan import build_provider_plan
from baseform.engine.resource import LiveState
from baseform.errors import ApiError
from baseform.manifest.project import load_project
from baseform.providers.pocketbase import PocketBaseProvider
from baseform.providers.pocketbase.models import PocketBaseConfig
from baseform.providers.pocketbase.server_errors import parse_error

MANIFEST = """\
version: 1
pocketbase:
  collections:
    - name: good
      fields: [{name: title, type: text}]
    - name: stats
      type: view
      viewQuery: SELECT id, title FROM good
    - name: bad
      listRule: >-
        @request.auth.id != '' &&
        @collection.stats.total > 0
      fields:
        - {name: title, type: text}
        - {name: photo, type: file, thumbs: [big]}
"""

# What PocketBase 0.40 answers to the import of MANIFEST (recorded). Neither error can be seen before
# sending: a thumb size is the server's own format, and a view's fields come from its query.
REJECTION = {"data": {"collections": {"code": "validation_collections_import_failure", "message": (
    'Data validations failed for collection "bad" (pbc_2366448522):\n' + json.dumps(
        {"fields": {"2": {"thumbs": {"0": "must be in a valid format"}}},
         "listRule": 'Invalid rule. Raw error: invalid left operand "@collection.stats.total" - unknown field '
                     '"total"'},
        indent=2) + ".")}}, "message": "Failed to import collections.", "status": 400}


def rejection(operation: str) -> ApiError:
    message, kind = parse_error(400, REJECTION)
    return ApiError(method="PUT", url="http://pb/api/collections/import", status=400, kind=kind,
                    operation=operation, message=message)


def test_the_session_parser_alone_gives_readable_paths() -> None:
    message, kind = parse_error(400, REJECTION)
    assert kind is None
    assert message.splitlines() == [
        "Failed to import collections.",
        "    collections.bad.fields.2.thumbs.0: must be in a valid format",
        '    collections.bad.listRule: Invalid rule. Raw error: invalid left operand "@collection.stats.total" - '
        'unknown field "total"',
    ]


def test_an_import_rejection_names_manifest_lines_from_the_operation_alone(tmp_path: Path) -> None:
    path = tmp_path / "baseform.yaml"
    path.write_text(MANIFEST)
    planner = load_project([str(path)], registry=[PocketBaseProvider], environ={}).units[0]
    plan = build_provider_plan(planner.provider, planner.desired, LiveState("pocketbase", "http://pb", None, {}),
                               prune=False)
    [operation] = plan.operations
    assert operation.atomic
    # a provider that planned nothing explains it the same: everything needed is in the operation
    assert isinstance(planner.provider.config, PocketBaseConfig)
    fresh = PocketBaseProvider(planner.provider.config)
    explained = fresh.explain_error(operation, rejection(operation.description))
    # each error at its own line: the field's, and the rule's (not the collection's)
    assert explained.splitlines()[1:] == [
        f"    {path}:15:11 pocketbase.collections.bad.fields.photo: thumbs.0: must be in a valid format",
        f"    {path}:10:17 pocketbase.collections.bad: listRule: Invalid rule. Raw error: invalid left operand "
        '"@collection.stats.total" - unknown field "total"',
    ]
    assert explained.startswith(f"{operation.description}: PUT http://pb/api/collections/import -> 400: "
                                "Failed to import collections.")
