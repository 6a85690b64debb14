"""Render plans and apply results as text, Terraform style. Pure.

Every value of a sensitive field is replaced by ``(sensitive)`` here; the CLI additionally passes
all output through :func:`baseform.secrets.redact`. The JSON form lives in
:mod:`baseform.engine.plan_json`, the pull-request markdown in :mod:`baseform.engine.markdown`.

How a change reads: a heading saying what happens (``will be created``, ``will be renamed from
title_old``...), one line per changed field, nested values compared item by item (a select option
added is one ``+`` line, not two JSON blobs), the reason for a replacement with the field that
forces it, and on every destroy of something that holds data what is lost.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from baseform.engine.address import Address
from baseform.engine.change import ABSENT, Action, Change, FieldDiff
from baseform.engine.outcome import ApplyResult, Outcome
from baseform.engine.plan import Plan
from baseform.engine.plan_json import mask_value, masked_change, plan_to_json, render_json
from baseform.secrets import MASK, redact_url
from baseform.types import JSON

__all__ = ["change_lines", "change_outcomes", "inline_children", "mask_value", "plan_to_json",
           "render_apply_result", "render_json", "render_text", "summary_line"]

_VERBS = {Action.CREATE: "will be created", Action.UPDATE: "will be updated in place",
          Action.REPLACE: "must be replaced", Action.DELETE: "will be destroyed"}
_COLOURS = {Action.CREATE: "32", Action.UPDATE: "33", Action.REPLACE: "35", Action.DELETE: "31"}
_IDENTITY_KEYS = ("name", "key", "id", "class", "field")


def inline_children(plan: Plan) -> int:
    """Changes made by their parent's call (a collection created with its fields in one request)."""
    count = 0
    for op in plan.operations:
        addresses = set(op.addresses)
        count += sum(1 for a in addresses if a.parent is not None and a.parent in addresses)
    return count


def summary_line(plan: Plan) -> str:
    s = plan.summary()
    if not plan.has_changes:
        return "No changes. The live servers match the manifest."
    parts = [f"{s['create']} to add", f"{s['update']} to change"]
    if s["replace"]:
        parts.append(f"{s['replace']} to replace")
    parts.append(f"{s['delete']} to destroy")
    return "Plan: " + ", ".join(parts) + "."


def _calls_line(plan: Plan) -> str | None:
    """How the changes map to API calls, when that is not one call per change."""
    calls = sum(1 for op in plan.operations if op.request is not None)
    inline = inline_children(plan)
    if not plan.operations or (not inline and calls == len(plan.changes)):
        return None
    text = f"{calls} API call{'s' if calls != 1 else ''} make{'s' if calls == 1 else ''} these changes"
    if inline:
        text += f"; {inline} of them go{'es' if inline == 1 else ''} inline with their parent's call"
    return text + "."


def _fmt(value: JSON) -> str:
    if value is ABSENT:
        return "(unset)"
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def _identity(*lists: Sequence[JSON]) -> str | None:
    """The key that names each object of every one of LISTS uniquely (``name``, ``key``...), or None."""
    for key in _IDENTITY_KEYS:
        if all(_names_uniquely(items, key) for items in lists):
            return key
    return None


def _names_uniquely(items: Sequence[JSON], key: str) -> bool:
    values = [i.get(key) for i in items if isinstance(i, dict)]
    return len(values) == len(items) and all(isinstance(v, str) for v in values) and len(set(values)) == len(values)


def _value_lines(label: str, before: JSON, after: JSON, forces: str = "") -> list[str]:
    """Lines for one changed value: scalars as ``~ label = a -> b``; an edited list item by item;
    lists of named objects matched by name and compared key by key."""
    if isinstance(before, dict) and isinstance(after, dict):
        lines = []
        for key in [*after, *(k for k in before if k not in after)]:
            b, a = before.get(key, ABSENT), after.get(key, ABSENT)
            if b != a:
                lines += _value_lines(f"{label}.{key}", b, a)
        return [lines[0] + forces, *lines[1:]] if lines else []
    if isinstance(before, list) and isinstance(after, list) and before and after:
        items = [*before, *after]
        if all(not isinstance(i, (dict, list)) for i in items):
            removed = [i for i in before if i not in after]
            added = [i for i in after if i not in before]
            # item by item when the list is edited; a wholesale swap (["text"] -> ["int"]) reads better whole
            if (removed or added) and any(i in after for i in before):
                return [f"~ {label}:{forces}", *(f"    - {_fmt(i)}" for i in removed),
                        *(f"    + {_fmt(i)}" for i in added)]
        key = _identity(before, after) if all(isinstance(i, dict) for i in items) else None
        if key is not None:
            old = {i[key]: i for i in before if isinstance(i, dict)}
            new = {i[key]: i for i in after if isinstance(i, dict)}
            lines = [f"~ {label}:{forces}"]
            for name in [*new, *(n for n in old if n not in new)]:
                if name not in old:
                    lines.append(f"    + {_fmt(new[name])}")
                elif name not in new:
                    lines.append(f"    - {key} {_fmt(name)}")
                elif old[name] != new[name]:
                    lines += ["    " + line for line in _value_lines(f"[{_fmt(name)}]", old[name], new[name])]
            return lines
    return [f"~ {label} = {_fmt(before)} -> {_fmt(after)}{forces}"]


def _is_rename(d: FieldDiff, change: Change) -> bool:
    """Whether D only says what the heading says already: the name changed by a rename."""
    old = change.renamed_from
    return old is not None and d.before == old.name and d.after == change.address.name


def change_lines(change: Change, colour: bool) -> list[str]:
    """The text block of one change (heading, symbol line, fields, reason, data loss, warnings)."""
    sym = change.action.symbol
    renamed = change.renamed_from is not None and change.action is not Action.CREATE
    verb = _VERBS[change.action]
    if renamed and change.action is Action.UPDATE:
        assert change.renamed_from is not None
        fields = [d for d in change.diff if not _is_rename(d, change)]
        verb = f"will be renamed from {change.renamed_from.name}" + (" and updated in place" if fields else "")
    elif renamed:
        assert change.renamed_from is not None
        verb += f" (renamed from {change.renamed_from.name})"
    head = f"  # {change.address} {verb}"
    if change.protect and change.destructive:
        head += "  [protected: refused]"
    lines = [_paint(head, "1", colour), _paint(f"{sym:>3} {change.address}", _COLOURS[change.action], colour)]
    before, after = masked_change(change)
    if change.action is Action.CREATE and isinstance(after, dict):
        declared = {k: v for k, v in after.items() if k not in change.defaulted}
        width = max((len(k) for k in declared), default=0)
        lines += [f"      + {k:<{width}} = {_fmt(v)}" for k, v in declared.items()]
    elif change.action is Action.DELETE:
        if change.reason:
            lines.append(f"      ({change.reason})")
    else:
        masked = set(change.sensitive)
        # a replacement is a new object: keys it only gets by default are noise beside the cause
        shown = [d for d in change.diff if not (renamed and _is_rename(d, change))
                 and not (d.before is ABSENT and d.path in change.defaulted)]
        width = max((len(d.path) for d in shown), default=0)
        for d in shown:
            mark = _paint("  # forces replacement", "35", colour) \
                if d.forces_replacement and change.action is Action.REPLACE else ""
            if d.path.split(".")[0] in masked:
                lines.append(f"      ~ {d.path:<{width}} = {MASK} -> {MASK}{mark}")
                continue
            b, a = mask_value(d.before, masked), mask_value(d.after, masked)
            value_lines = _value_lines(d.path, b, a, mark)
            if len(value_lines) == 1 and " = " in value_lines[0]:
                value_lines = [_value_lines(f"{d.path:<{width}}", b, a, mark)[0]]
            lines += ["      " + line for line in value_lines]
        if change.reason and change.action is Action.REPLACE:
            lines.append(_paint(f"      reason: {change.reason}", "35", colour))
        elif change.reason and not renamed:
            lines.append(f"      ({change.reason})")
    lines.extend(f"      {line}" if line else "" for line in change.details)
    if change.data_loss:
        lines.append(_paint(f"      ! data loss: {change.data_loss}", "31", colour))
    for warning in change.warnings:
        lines.append(_paint(f"      ! warning: {warning}", "33", colour))
    return lines


def _destructive_line(plan: Plan, allow_destroy: bool | None) -> str:
    count = len([c for c in plan.destructive if not c.protect])
    what = f"{count} destructive change{'s' if count != 1 else ''}"
    if allow_destroy is None:
        return f"{what}: apply needs --allow-destroy."
    if allow_destroy:
        return f"{what}, allowed by --allow-destroy."
    return f"{what}: apply refuses without --allow-destroy."


def render_text(plan: Plan, *, colour: bool = False, show_operations: bool = False,
                allow_destroy: bool | None = None) -> str:
    """The plan as a person reads it in a terminal. ALLOW_DESTROY: None for ``plan`` (says what
    apply needs), else whether ``apply`` was given ``--allow-destroy``."""
    out: list[str] = []
    for warning in plan.warnings:
        out.append(_paint(f"Warning: {warning}", "33", colour))
    if plan.targets:
        left = f"; {plan.excluded} other change(s) are left out" if plan.excluded else ""
        out.append(_paint("Warning: targeting in effect: only " + ", ".join(map(str, plan.targets))
                          + f" and what they need to exist are planned{left}. Use --target for exceptional "
                            "cases only; a plan without it shows everything.", "33", colour))
    for p in plan.providers:
        version = f" (server {p.server_version})" if p.server_version else ""
        out.append(f"{p.provider}: {redact_url(p.endpoint)}{version}")
    out.append("")
    changes = plan.changes
    if changes:
        out.append("baseform will perform the following actions:")
        out.append("")
        for change in changes:
            out.extend(change_lines(change, colour))
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
    calls = _calls_line(plan) if changes else None
    if calls:
        out.append(calls)
    if [c for c in plan.destructive if not c.protect]:
        out.append(_paint(_destructive_line(plan, allow_destroy), "31", colour))
    if plan.protected:
        out.append(_paint("Protected resources would be deleted or replaced: "
                          + ", ".join(str(c.address) for c in plan.protected)
                          + ". apply refuses this plan; remove `protect: true` first if it is intended.",
                          "31", colour))
    return "\n".join(out) + "\n"


def change_outcomes(result: ApplyResult, plan: Plan) -> tuple[list[Address], list[Address]]:
    """The plan's changes that were made and those that were not, judged by the calls: a change is
    made when every call that carries it (or its parent's, for a child that goes with its parent) is done."""
    outcome = {r.operation.id: r.outcome for r in result.results}
    calls: dict[Address, list[str]] = {}
    for op in plan.operations:
        for a in op.addresses:
            calls.setdefault(a, []).append(op.id)
    made: list[Address] = []
    not_made: list[Address] = []
    for change in plan.changes:
        address: Address | None = change.address
        while address is not None and address not in calls:
            address = address.parent
        ok = address is not None and all(outcome.get(i) is Outcome.DONE for i in calls[address])
        (made if ok else not_made).append(change.address)
    return made, not_made


def render_apply_result(result: ApplyResult, plan: Plan) -> str:
    """What an apply did: the changes made (counted like the plan counts them), then any failure
    and the calls skipped. A failed single-resource call is put at the place the resource is declared."""
    sources = plan.sources
    made, not_made = change_outcomes(result, plan)
    actions = {c.address: c.action for c in plan.changes}
    calls = len(result.results)
    inline = inline_children(plan)
    if result.ok:
        counts = {a: sum(1 for m in made if actions[m] is a) for a in Action}
        parts = [f"{counts[Action.CREATE]} added", f"{counts[Action.UPDATE]} changed"]
        if counts[Action.REPLACE]:
            parts.append(f"{counts[Action.REPLACE]} replaced")
        parts.append(f"{counts[Action.DELETE]} destroyed")
        how = f"{calls} API call{'s' if calls != 1 else ''}" + (
            f"; {inline} inline with their parent's call" if inline else "")
        return f"Apply complete: {', '.join(parts)} ({how}).\n"
    done = result.by_outcome(Outcome.DONE)
    failed = result.by_outcome(Outcome.FAILED)
    skipped = result.by_outcome(Outcome.SKIPPED)
    head = "Apply interrupted" if result.interrupted else "Apply failed"
    out = [f"{head}: {len(done)} done, {len(failed)} failed, {len(skipped)} skipped.",
           f"  changes made: {len(made)} of {len(plan.changes)}"
           + (f"; not made: {', '.join(map(str, not_made))}" if 0 < len(not_made) <= 5 else "")]
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
