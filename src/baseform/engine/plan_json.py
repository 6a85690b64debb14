"""The JSON form of plans (``plan --format json``, plan files) and of apply results. Pure.

:func:`plan_to_json` writes the versioned document (design §3); :func:`plan_from_json` reads a plan
file back into a :class:`~baseform.engine.plan.Plan` for ``baseform show`` (values already masked
stay masked). No secret is ever written: sensitive fields are masked by path, and URLs lose any
credentials written into them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from baseform import __version__
from baseform.engine.address import Address
from baseform.engine.change import ABSENT, Action, Change, FieldDiff
from baseform.engine.operation import Call, Operation, WaitFor
from baseform.engine.outcome import ApplyResult, Outcome
from baseform.engine.plan import FORMAT_VERSION, Plan, ProviderPlan
from baseform.errors import SourceSpan
from baseform.secrets import MASK, redact_url
from baseform.types import JSON, JSONObject

__all__ = ["apply_result_to_json", "mask_value", "masked_change", "plan_from_json", "plan_to_json", "render_json"]


def mask_value(value: JSON, sensitive: Iterable[str]) -> JSON:
    """``value`` with every key named in ``sensitive`` (at any depth) masked."""
    keys = frozenset(sensitive)
    if not keys:
        return value
    if isinstance(value, dict):
        return {k: (MASK if k in keys and v not in (None, "") else mask_value(v, keys)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(v, keys) for v in value]
    return value


def masked_change(change: Change) -> tuple[JSON, JSON]:
    """The change's before and after with its sensitive fields masked."""
    return mask_value(change.before, change.sensitive), mask_value(change.after, change.sensitive)


def _masked_diff_value(path: str, value: JSON, sensitive: frozenset[str]) -> JSON:
    if path.split(".")[0] in sensitive:
        return MASK
    return None if value is ABSENT else mask_value(value, sensitive)


def _op_json(op: Operation) -> dict[str, Any]:
    return {
        "id": op.id, "provider": op.provider, "action": op.action.value, "description": op.description,
        "addresses": [str(a) for a in op.addresses],
        "request": None if op.request is None else mask_value(op.request.as_json(), op.sensitive),
        "depends_on": list(op.depends_on),
        "wait": None if op.wait is None else {"path": op.wait.request.as_json().get("path"),
                                               "field": op.wait.field, "gone": op.wait.gone},
        "precondition": None if op.precondition is None else _call_head(op.precondition),
    }


def _call_head(call: Call) -> dict[str, Any]:
    """A call without its payload (what is read, not what is sent)."""
    return {k: v for k, v in call.as_json().items() if k in ("method", "path")}


def _change_json(c: Change) -> dict[str, Any]:
    before, after = masked_change(c)
    return {
        "address": str(c.address), "provider": c.address.provider, "kind": c.kind,
        "action": c.action.value, "destructive": c.destructive, "protected": c.protect,
        "reason": c.reason, "renamed_from": str(c.renamed_from) if c.renamed_from else None,
        "source": str(c.source) if c.source else None,
        "before": before, "after": after,
        "diff": [{"path": d.path, "before": _masked_diff_value(d.path, d.before, c.sensitive),
                  "after": _masked_diff_value(d.path, d.after, c.sensitive),
                  "forces_replacement": d.forces_replacement} for d in c.diff],
        "data_loss": c.data_loss, "warnings": list(c.warnings), "defaulted": sorted(c.defaulted),
        "live_digest": c.live_digest,
        **({"details": list(c.details)} if c.details else {}),
    }


def plan_to_json(plan: Plan, manifest: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The versioned JSON form of a plan (``plan --format json`` and ``--out``). No secrets."""
    return {
        "format_version": FORMAT_VERSION,
        "baseform_version": __version__,
        "manifest_digest": plan.manifest_digest,
        "manifest": dict(manifest or {}),
        "targets": [str(t) for t in plan.targets],
        "providers": {p.provider: {"endpoint": redact_url(p.endpoint), "server_version": p.server_version,
                                   "unmanaged": [str(a) for a in p.unmanaged], "excluded": p.excluded}
                      for p in plan.providers},
        "changes": [_change_json(c) for c in plan.changes],
        "operations": [_op_json(op) for op in plan.operations],
        "summary": plan.summary(),
        "warnings": list(plan.warnings),
    }


def render_json(plan: Plan, manifest: Mapping[str, Any] | None = None) -> str:
    return json.dumps(plan_to_json(plan, manifest), indent=2, ensure_ascii=False) + "\n"


def _source(text: Any) -> SourceSpan | None:
    """A ``file:line[:column]`` string back to a SourceSpan (None when it is not one)."""
    if not isinstance(text, str):
        return None
    rendered = text.endswith(" (line of the rendered template)")
    text = text.removesuffix(" (line of the rendered template)")
    parts = text.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return SourceSpan(parts[0], int(parts[1]), int(parts[2]), rendered)
    file, _, line = text.rpartition(":")
    return SourceSpan(file, int(line), None, rendered) if line.isdigit() else None


def _side(value: JSON, whole: Any, path: str) -> JSON:
    """A diff side read back: None where the key is missing from the whole object means unset."""
    if value is not None:
        return value
    node = whole
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return ABSENT
        node = node[part]
    return None


def _change_from_json(c: Mapping[str, Any]) -> Change:
    action = Action(c["action"])
    diff = tuple(FieldDiff(str(d["path"]), _side(d.get("before"), c.get("before"), str(d["path"])),
                           _side(d.get("after"), c.get("after"), str(d["path"])), bool(d.get("forces_replacement")))
                 for d in c.get("diff", []))
    renamed = c.get("renamed_from")
    return Change(Address.parse(c["address"]), action, c.get("before"), c.get("after"), diff, c.get("reason"),
                  source=_source(c.get("source")), live_digest=c.get("live_digest"),
                  renamed_from=Address.parse(renamed) if renamed else None, protect=bool(c.get("protected")),
                  data_loss=c.get("data_loss"), warnings=tuple(c.get("warnings", [])),
                  defaulted=frozenset(c.get("defaulted", [])), details=tuple(c.get("details", [])))


@dataclass(frozen=True, slots=True)
class SavedCall(Call):
    """A call as a plan file records it: shown again, never sent (apply always plans anew)."""

    data: JSONObject

    def summary(self) -> str:
        method, path = self.data.get("method"), self.data.get("path")
        return f"{method} {path}" if method and path else json.dumps(self.data, ensure_ascii=False)[:80]

    def as_json(self) -> JSONObject:
        return self.data


def _operation_from_json(o: Mapping[str, Any]) -> Operation:
    request = o.get("request")
    wait = o.get("wait")
    return Operation(
        str(o["id"]), str(o["provider"]), Action(o["action"]), tuple(Address.parse(a) for a in o["addresses"]),
        str(o["description"]), SavedCall(dict(request)) if isinstance(request, dict) else None,
        tuple(o.get("depends_on", [])),
        wait=WaitFor(SavedCall({"method": "GET", "path": wait.get("path")}), field=wait.get("field", "status"),
                     gone=bool(wait.get("gone"))) if isinstance(wait, dict) else None)


def plan_from_json(data: Mapping[str, Any]) -> Plan:
    """A plan file's JSON back as a Plan, to render it (``baseform show``). Not for applying: apply
    always plans again and compares."""
    changes = [_change_from_json(c) for c in data.get("changes", [])]
    operations = [_operation_from_json(o) for o in data.get("operations", [])]
    providers = []
    for name, info in (data.get("providers") or {}).items():
        providers.append(ProviderPlan(
            name, str(info.get("endpoint", "")), info.get("server_version"),
            tuple(c for c in changes if c.address.provider == name),
            tuple(o for o in operations if o.provider == name),
            tuple(Address.parse(a) for a in info.get("unmanaged", [])), (), int(info.get("excluded", 0))))
    return Plan(str(data.get("manifest_digest", "")), tuple(providers),
                tuple(Address.parse(t) for t in data.get("targets", [])), tuple(data.get("warnings", [])))


def apply_result_to_json(result: ApplyResult, plan: Plan) -> dict[str, Any]:
    """What an apply did, per API call, and which changes it made (``apply --format json``)."""
    from baseform.engine.render import change_outcomes

    made, not_made = change_outcomes(result, plan)
    return {
        "ok": result.ok, "interrupted": result.interrupted,
        "changes_made": [str(a) for a in made], "changes_not_made": [str(a) for a in not_made],
        "operations": [{"id": r.operation.id, "description": r.operation.description,
                        "addresses": [str(a) for a in r.operation.addresses], "outcome": r.outcome.value,
                        "elapsed_s": round(r.elapsed_s, 3), "error": r.error, "note": r.note}
                       for r in result.results],
        "summary": {o.value: len(result.by_outcome(o)) for o in Outcome},
    }
