"""Render plans and apply results as text (Terraform style), JSON and pull-request markdown. Pure.

Every value of a sensitive field is replaced by ``(sensitive)`` here; the CLI additionally passes
all output through :func:`baseform.secrets.redact`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from baseform import __version__
from baseform.engine.address import Address
from baseform.engine.change import ABSENT, Action, Change
from baseform.engine.operation import Call, Operation
from baseform.engine.outcome import ApplyResult, Outcome
from baseform.engine.plan import FORMAT_VERSION, Plan
from baseform.errors import SourceSpan
from baseform.secrets import MASK
from baseform.types import JSON

__all__ = ["mask_value", "plan_to_json", "render_apply_result", "render_json", "render_markdown",
           "render_text", "summary_line"]

_VERBS = {Action.CREATE: "will be created", Action.UPDATE: "will be updated in place",
          Action.REPLACE: "must be replaced", Action.DELETE: "will be destroyed"}
_COLOURS = {Action.CREATE: "32", Action.UPDATE: "33", Action.REPLACE: "35", Action.DELETE: "31"}


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


def _masked_change(change: Change) -> tuple[JSON, JSON]:
    return mask_value(change.before, change.sensitive), mask_value(change.after, change.sensitive)


def summary_line(plan: Plan) -> str:
    s = plan.summary()
    if not plan.has_changes:
        return "No changes. The live servers match the manifest."
    parts = [f"{s['create']} to add", f"{s['update']} to change"]
    if s["replace"]:
        parts.append(f"{s['replace']} to replace")
    parts.append(f"{s['delete']} to destroy")
    return "Plan: " + ", ".join(parts) + "."


def _fmt(value: JSON) -> str:
    if value is ABSENT:
        return "(unset)"
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def _change_lines(change: Change, colour: bool) -> list[str]:
    sym = change.action.symbol
    head = f"  # {change.address} {_VERBS[change.action]}"
    if change.renamed_from and change.action is not Action.CREATE:
        head += f" (renamed from {change.renamed_from.name})"
    if change.protect and change.destructive:
        head += "  [protected: refused]"
    lines = [_paint(head, "1", colour), _paint(f"{sym:>3} {change.address}", _COLOURS[change.action], colour)]
    before, after = _masked_change(change)
    if change.action is Action.CREATE and isinstance(after, dict):
        width = max((len(k) for k in after), default=0)
        lines += [f"      + {k:<{width}} = {_fmt(v)}" for k, v in after.items()]
    elif change.action is Action.DELETE:
        if change.reason:
            lines.append(f"      ({change.reason})")
    else:
        masked = set(change.sensitive)
        width = max((len(d.path) for d in change.diff), default=0)
        for d in change.diff:
            b = MASK if d.path.split(".")[0] in masked else _fmt(d.before)
            a = MASK if d.path.split(".")[0] in masked else _fmt(d.after)
            mark = "  # forces replacement" if d.forces_replacement and change.action is Action.REPLACE else ""
            lines.append(f"      ~ {d.path:<{width}} = {b} -> {a}{_paint(mark, '35', colour)}")
        if change.reason and change.action is Action.REPLACE:
            lines.append(_paint(f"      reason: {change.reason}", "35", colour))
            lines.append("      (data stored in it is lost)")
        elif change.reason and not change.renamed_from:
            lines.append(f"      ({change.reason})")
    lines.extend(f"      {line}" if line else "" for line in change.details)
    return lines


def render_text(plan: Plan, *, colour: bool = False, show_operations: bool = False) -> str:
    """The plan as a person reads it in a terminal."""
    out: list[str] = []
    for warning in plan.warnings:
        out.append(f"Warning: {warning}")
    for p in plan.providers:
        version = f" (server {p.server_version})" if p.server_version else ""
        out.append(f"{p.provider}: {p.endpoint}{version}")
    out.append("")
    changes = plan.changes
    if changes:
        out.append("baseform will perform the following actions:")
        out.append("")
        for change in changes:
            out.extend(_change_lines(change, colour))
            out.append("")
    unmanaged = [a for p in plan.providers for a in p.unmanaged]
    if unmanaged:
        out.append("Unmanaged (live but not declared; left alone unless the section sets prune: true):")
        out.extend(f"  {a}" for a in unmanaged)
        out.append("")
    if show_operations and plan.operations:
        out.append("API calls:")
        for i, op in enumerate(plan.operations, 1):
            call = op.request.summary() if op.request else "wait"
            out.append(f"  {i:>3}. {op.description}  [{call}]")
        out.append("")
    out.append(_paint(summary_line(plan), "1", colour))
    if plan.destructive:
        out.append(_paint(f"{len(plan.destructive)} destructive change(s): apply needs --allow-destroy.",
                          "31", colour))
    if plan.protected:
        out.append(_paint("Protected resources would be deleted or replaced: "
                          + ", ".join(str(c.address) for c in plan.protected)
                          + ". apply refuses this plan; remove `protect: true` first if it is intended.",
                          "31", colour))
    return "\n".join(out) + "\n"


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


def _diff_value(value: JSON) -> JSON:
    return None if value is ABSENT else value


def plan_to_json(plan: Plan, manifest: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The versioned JSON form of a plan (``plan --format json`` and ``--out``). No secrets."""
    changes = []
    for c in plan.changes:
        before, after = _masked_change(c)
        masked = set(c.sensitive)
        changes.append({
            "address": str(c.address), "provider": c.address.provider, "kind": c.kind,
            "action": c.action.value, "destructive": c.destructive, "protected": c.protect,
            "reason": c.reason, "renamed_from": str(c.renamed_from) if c.renamed_from else None,
            "source": str(c.source) if c.source else None,
            "before": before, "after": after,
            "diff": [{"path": d.path,
                      "before": MASK if d.path.split(".")[0] in masked else _diff_value(d.before),
                      "after": MASK if d.path.split(".")[0] in masked else _diff_value(d.after),
                      "forces_replacement": d.forces_replacement} for d in c.diff],
            "live_digest": c.live_digest,
            **({"details": list(c.details)} if c.details else {}),
        })
    return {
        "format_version": FORMAT_VERSION,
        "baseform_version": __version__,
        "manifest_digest": plan.manifest_digest,
        "manifest": dict(manifest or {}),
        "targets": [str(t) for t in plan.targets],
        "providers": {p.provider: {"endpoint": p.endpoint, "server_version": p.server_version,
                                   "unmanaged": [str(a) for a in p.unmanaged]} for p in plan.providers},
        "changes": changes,
        "operations": [_op_json(op) for op in plan.operations],
        "summary": plan.summary(),
        "warnings": list(plan.warnings),
    }


def render_json(plan: Plan, manifest: Mapping[str, Any] | None = None) -> str:
    return json.dumps(plan_to_json(plan, manifest), indent=2, ensure_ascii=False) + "\n"


def render_markdown(plan: Plan) -> str:
    """A pull-request comment: summary, destructive changes first, details collapsed."""
    out = [f"### baseform plan: {summary_line(plan).removeprefix('Plan: ')}", ""]
    for p in plan.providers:
        version = f" (server {p.server_version})" if p.server_version else ""
        out.append(f"- **{p.provider}**: `{p.endpoint}`{version}")
    out.append("")
    if plan.warnings:
        out.append("> [!WARNING]")
        out.extend(f"> {w}" for w in plan.warnings)
        out.append("")
    destructive = plan.destructive
    if destructive:
        out.append("> [!CAUTION]")
        out.append(f"> **{len(destructive)} destructive change(s)** (data loss; apply needs `--allow-destroy`):")
        for c in destructive:
            flag = " **(protected: apply refuses)**" if c.protect else ""
            out.append(f"> - `{c.action.symbol}` `{c.address}`: {c.reason or c.action.value}{flag}")
        out.append("")
    changes = plan.changes
    if changes:
        out.append("| | resource | action | detail |")
        out.append("|---|---|---|---|")
        for c in sorted(changes, key=lambda c: (not c.destructive, str(c.address))):
            detail = ", ".join(d.path for d in c.diff) if c.action is Action.UPDATE else (c.reason or "")
            out.append(f"| `{c.action.symbol}` | `{c.address}` | {c.action.value} | {detail} |")
        out.append("")
        out.append("<details><summary>Full plan</summary>")
        out.append("")
        out.append("```diff")
        for c in changes:
            out.extend(_diff_block(_change_lines(c, colour=False)))
        out.append("```")
        out.append("")
        out.append("</details>")
    unmanaged = [a for p in plan.providers for a in p.unmanaged]
    if unmanaged:
        out.append("")
        out.append("<details><summary>Unmanaged resources (" + str(len(unmanaged)) + ")</summary>")
        out.append("")
        out.extend(f"- `{a}`" for a in unmanaged)
        out.append("")
        out.append("</details>")
    return "\n".join(out) + "\n"


def _diff_block(lines: list[str]) -> list[str]:
    # the diff fence colours lines by their first character: put the action symbol there
    out = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith("#"):
            out.append(stripped)
        elif stripped[:1] in "+-~":
            out.append(("!" if stripped[0] == "~" else stripped[0]) + " " + stripped.lstrip("+-~/ "))
        else:
            out.append("  " + stripped)
    return out


def render_apply_result(result: ApplyResult, sources: Mapping[Address, SourceSpan] | None = None) -> str:
    """What an apply did: counts, then the failure and the skipped operations.

    ``sources`` (address -> manifest position) puts a failed single-resource call at the place
    the resource is declared.
    """
    sources = sources or {}
    done = result.by_outcome(Outcome.DONE)
    failed = result.by_outcome(Outcome.FAILED)
    skipped = result.by_outcome(Outcome.SKIPPED)
    out = []
    if result.ok:
        out.append(f"Apply complete: {len(done)} operation(s) done.")
        return "\n".join(out) + "\n"
    head = "Apply interrupted" if result.interrupted else "Apply failed"
    out.append(f"{head}: {len(done)} done, {len(failed)} failed, {len(skipped)} skipped.")
    for r in failed:
        addresses = r.operation.addresses
        where = f" ({sources[addresses[0]]})" if len(addresses) == 1 and addresses[0] in sources else ""
        out.append(f"  failed:  {r.operation.description}{where}")
        out.append(f"           {r.error}")
    for r in skipped:
        out.append(f"  skipped: {r.operation.description}")
    if failed and all(r.operation.atomic for r in failed):
        out.append("The failed call is atomic on the server: it changed nothing.")
    if done:
        out.append("What was done stays done (there is no rollback across calls).")
    again = "Run apply again" if result.interrupted and not failed else "Fix the cause and run apply again"
    out.append(f"{again}: it plans from what the servers now have and converges.")
    return "\n".join(out) + "\n"
