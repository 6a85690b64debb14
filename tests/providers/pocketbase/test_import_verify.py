"""The read that decides whether an import is already on the server (when a resend of it meets its own
earlier attempt, see tests/reliability/test_lost_import_answer.py) recognises every import the real
server has applied, whatever the server adds or normalises, and tells a server that differs apart.

Each case applies a manifest with the import recorded as it is sent, then reads the server the way the
executor's verify does and asks the provider whether the import is there.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, note, settings

import baseform.providers.pocketbase as provider_module
from baseform.engine.operation import Operation, Request
from baseform.providers.pocketbase import PocketBaseProvider
from baseform.providers.pocketbase.import_plan import COLLECTIONS_READ
from tests.clirun import run_cli
from tests.pocketbase_fixture import PocketBaseServer
from tests.providers.pocketbase.conftest import Baseform, connection_env
from tests.reliability import pocketbase_schemas
from tests.reliability.convergence import PROPERTY_SETTINGS, Section

ROOT = Path(__file__).parents[3]
EXAMPLE = ROOT / "examples" / "pocketbase"
EXPORT = Path(__file__).parent / "native" / "pb_schema.json"

SHRUNK = """
  collections:
    - name: tags
      listRule: ""
      fields:
        - {name: label, type: text, required: true, max: 40}
      indexes:
        - CREATE UNIQUE INDEX idx_tags_label ON tags (label COLLATE NOCASE)
    - name: members
      type: auth
      passwordAuth: {enabled: true, identityFields: [email]}
      fields:
        - {name: nickname, type: text, max: 30}
        - {name: level, type: select, values: [bronze, silver], maxSelect: 1}
"""


@pytest.fixture()
def imports(monkeypatch: pytest.MonkeyPatch) -> list[Operation]:
    """Every import operation the next runs plan, as they are sent."""
    planned: list[Operation] = []
    build: Callable[..., list[Operation]] = provider_module.build_operations

    def recording(*args: Any) -> list[Operation]:
        operations = build(*args)
        planned.extend(operations)
        return operations

    monkeypatch.setattr(provider_module, "build_operations", recording)
    return planned


def _read(server: PocketBaseServer) -> Any:
    assert isinstance(COLLECTIONS_READ, Request)
    return server.http.get(COLLECTIONS_READ.path, params=dict(COLLECTIONS_READ.params)).json()


def _applied(operation: Operation, server: PocketBaseServer) -> bool:
    return PocketBaseProvider(None).matches(operation, _read(server))  # type: ignore[arg-type]


def _apply(baseform: Baseform, *paths: Path | str) -> None:
    result = baseform("apply", *paths, "--auto-approve", "--allow-destroy")
    assert result.code == 0 and "Converged" in result.out, result.text


@pytest.mark.parametrize("manifests", [[EXAMPLE], [EXPORT], [EXPORT, "shrunk"]],
                         ids=["example-blog", "dashboard-export", "export-then-a-destructive-import"])
def test_an_applied_import_reads_back_as_applied(baseform: Baseform, pocketbase: PocketBaseServer,
                                                 imports: list[Operation], manifest: Callable[[str], Path],
                                                 manifests: Sequence[Path | str]) -> None:
    for path in manifests:
        _apply(baseform, manifest(SHRUNK) if path == "shrunk" else path)
    last = imports[-1]
    assert isinstance(last.request, Request)
    assert last.request.body["deleteMissing"] is (manifests[-1] == "shrunk")  # type: ignore[index,call-overload]
    assert _applied(last, pocketbase)


@settings(PROPERTY_SETTINGS, max_examples=8)
@given(pair=pocketbase_schemas.pairs())
def test_every_import_between_random_schemas_reads_back_as_applied(
        pocketbase_server: PocketBaseServer, tmp_path_factory: pytest.TempPathFactory,
        pair: tuple[Section, Section]) -> None:
    """Kept, changed, renamed, replaced (new field id) and dropped fields and collections, relations, rules."""
    pocketbase_server.reset()
    workdir = tmp_path_factory.mktemp("verify")
    planned: list[Operation] = []
    build: Callable[..., list[Operation]] = provider_module.build_operations
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(provider_module, "build_operations", lambda *args: planned.extend(build(*args)) or planned[-1:])
        for name, section in zip("ab", pair, strict=True):
            note(f"{name.upper()} = {section}")
            path = workdir / f"{name}.yaml"
            path.write_text(yaml.safe_dump({"version": 1, "pocketbase": section}))
            result = run_cli(["apply", str(path), "--auto-approve", "--allow-destroy"],
                             env=connection_env(pocketbase_server))
            assert result.code == 0, result.text
            if planned:
                assert _applied(planned[-1], pocketbase_server), planned[-1].request


def test_a_server_that_differs_from_the_import_is_not_taken_for_it(baseform: Baseform, pocketbase: PocketBaseServer,
                                                                   imports: list[Operation],
                                                                   manifest: Callable[[str], Path]) -> None:
    _apply(baseform, manifest(SHRUNK))
    sent = imports[-1]
    assert isinstance(sent.request, Request)
    assert _applied(sent, pocketbase)
    body = sent.request.body
    assert isinstance(body, dict)

    def variant(change: Callable[[dict[str, Any]], None]) -> Operation:
        changed = copy.deepcopy(body)
        change(changed)
        return Operation(sent.id, sent.provider, sent.action, sent.addresses, sent.description,
                         Request("PUT", sent.request.path, changed))  # type: ignore[union-attr]

    def entry(b: dict[str, Any], name: str) -> dict[str, Any]:
        return next(c for c in b["collections"] if c["name"] == name)

    # a field the server has with another value, a field it does not have, another index, another id
    assert not _applied(variant(lambda b: entry(b, "tags")["fields"][0].update(max=41)), pocketbase)
    assert not _applied(variant(lambda b: entry(b, "members")["fields"].append({"name": "x", "type": "bool"})),
                        pocketbase)
    assert not _applied(variant(lambda b: entry(b, "tags").update(indexes=[])), pocketbase)
    assert not _applied(variant(lambda b: entry(b, "tags").update(id="pbc_other")), pocketbase)
    assert not _applied(variant(lambda b: entry(b, "members").update(passwordAuth={"enabled": False})), pocketbase)
    # a destructive import lists everything that stays: a collection it leaves out must be gone
    assert not _applied(variant(lambda b: b.update(deleteMissing=True,
                                                   collections=[entry(b, "tags")])), pocketbase)
