"""What a publish would do, decided from the host's own migration plan. Pure.

* the live module hash equals the artifact's: nothing to publish (the schema must still match
  ``expect``, else the contract is wrong: a plan error);
* the host can migrate automatically: an update, applied with the plan's token so that it is refused
  once the live module changed; a plan that breaks clients needs ``breakClients: true``;
* the host cannot (a manual migration): a plan error naming the host's reasons, unless ``deleteData``
  allows deleting all data, which makes it a replacement (``--allow-destroy``). ``deleteData:
  always`` replaces on every publish, as ``spacetime publish --delete-data=always`` does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from baseform.engine.address import Address
from baseform.engine.change import ABSENT, Action, Change, FieldDiff
from baseform.engine.diff import diff_fields
from baseform.engine.resource import DesiredResource, LiveState
from baseform.errors import PlanError
from baseform.providers.spacetimedb.migration import Migration
from baseform.types import JSON, JSONObject

__all__ = ["check_plannable", "migration_for", "publish_details", "replace_reasons"]


def migration_for(live: LiveState, address: Address) -> Migration | None:
    found: JSON = (live.context.get("migrations") or {}).get(str(address))
    return Migration.from_json(found) if found is not None else None


def _contract_breaches(declared: JSONObject, live_value: JSONObject) -> list[str]:
    """How the live schema differs from ``expect`` (one line per differing field)."""
    want = {"expect": declared.get("expect")}
    have = {"expect": live_value.get("expect")}
    out = []
    for d in diff_fields(have, want):
        where = d.path.removeprefix("expect.tables.")
        live_side = "missing" if d.before is ABSENT else f"live {json.dumps(d.before)}"
        want_side = "not expected" if d.after is ABSENT else f"expected {json.dumps(d.after)}"
        out.append(f"{where}: {live_side}, {want_side}")
    return out


def check_plannable(desired: Sequence[DesiredResource], live: LiveState) -> None:
    """Raise a located PlanError for a database the plan cannot publish as declared."""
    for d in desired:
        value = d.value
        have = live.resources.get(d.address)

        def error(message: str, d: DesiredResource = d) -> PlanError:
            return PlanError(message, address=str(d.address), source=d.source)

        if "module" not in value:
            if have is None:
                raise error("the database does not exist and declares no module to publish; set module to the "
                            "built .wasm or JS bundle")
            breaches = _contract_breaches(value, have.value) if "expect" in value else []
            if breaches:
                raise error("the live schema does not match expect (drift): " + "; ".join(breaches)
                            + ". Publish the module that has this schema, or correct expect")
            continue
        if have is None:
            continue
        if have.value.get("program_hash") == value.get("program_hash"):
            breaches = _contract_breaches(value, have.value) if "expect" in value else []
            if breaches:
                raise error(f"the live module is {value['module']}, but its schema does not match expect: "
                            + "; ".join(breaches) + ". Correct expect (baseform export writes the live "
                            "schema)")
            continue
        migration = migration_for(live, d.address)
        if migration is None:
            continue
        if not migration.automatic and value.get("deleteData") == "never":
            raise error(f"publishing {value['module']} needs a manual migration, which the host cannot do. Make the "
                        "change compatible (add columns at the end with a default, keep the existing ones), or set "
                        "deleteData: onConflict to delete all data and publish anew (apply then needs "
                        "--allow-destroy). The host's reasons:" + _indented(migration.lines))
        if migration.automatic and migration.breaks_clients and not value.get("breakClients") \
                and value.get("deleteData") != "always":
            raise error(f"publishing {value['module']} breaks clients: the host would disconnect every connected "
                        "client. Set breakClients: true to allow it. The host's migration plan:"
                        + _indented(migration.lines))


def _indented(lines: Sequence[str]) -> str:
    return "".join(f"\n      {line}" for line in lines)


def replace_reasons(before: JSONObject, after: JSONObject, diffs: Sequence[FieldDiff],
                    migration: Migration | None) -> list[str]:
    """Why publishing this artifact deletes the database's data ([] when it keeps it)."""
    if not any(d.path == "program_hash" for d in diffs) or "program_hash" not in before:
        return []
    if after.get("deleteData") == "always":
        return ["program_hash: deleteData: always deletes all data before every publish"]
    if migration is not None and not migration.automatic and after.get("deleteData") == "onConflict":
        return [f"program_hash: the host cannot migrate the live data ({migration.reason}); deleteData: "
                "onConflict deletes all data and publishes the module anew"]
    return []


def publish_details(change: Change, migration: Migration | None) -> tuple[str, ...]:
    """The host's own account of the change: its migration plan, or why it needs a manual migration."""
    if migration is None or change.action not in (Action.UPDATE, Action.REPLACE):
        return ()
    lines: list[str] = []
    if migration.automatic and change.action is Action.UPDATE:
        steps = [line for line in migration.lines if "!!! Warning" not in line]
        lines.append("the host's migration plan:" if steps else
                     "the host's migration plan: no schema change (only the module's code changed)")
        lines.extend("  " + line for line in steps)
        if migration.breaks_clients:
            lines.append("breaks clients: every connected client is disconnected (allowed by breakClients: true)")
    elif change.action is Action.REPLACE:
        if not migration.automatic:
            lines.append("the host needs a manual migration:")
            lines.extend("  " + line for line in migration.lines)
        lines.append("every row of every table is deleted, then the module is published")
    if migration.major_version_upgrade:
        lines.append("major version upgrade: once published, the database cannot go back to the older module ABI")
    return tuple(lines)
