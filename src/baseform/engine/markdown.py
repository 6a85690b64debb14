"""A plan as a pull-request comment (``plan --format markdown``). Pure.

GitHub refuses comments longer than 65,536 characters, so the comment is built in order of
importance and stops adding detail before :data:`COMMENT_LIMIT`: the summary, warnings and every
destructive change first (always shown), then a table of all changes, then the full plan folded in
``<details>``, then the unmanaged resources. Whatever does not fit is cut with a note saying how
to see all of it.
"""

from __future__ import annotations

from baseform.engine.change import Action
from baseform.engine.plan import Plan
from baseform.engine.render import change_lines, summary_line
from baseform.secrets import redact_url

__all__ = ["COMMENT_LIMIT", "render_markdown"]

COMMENT_LIMIT = 60_000
"""Characters of a rendered comment: GitHub's limit (65,536) less room for a heading a workflow adds."""


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


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class _Budget:
    """Collects lines while they fit in LIMIT characters; remembers what had to be left out."""

    def __init__(self, limit: int) -> None:
        self.lines: list[str] = []
        self.left = limit
        self.cut: list[str] = []

    def add(self, lines: list[str], *, reserve: int = 0) -> bool:
        """Add LINES if they fit (keeping RESERVE characters free); False (and nothing added) if not."""
        size = sum(len(line) + 1 for line in lines)
        if size > self.left - reserve:
            return False
        self.lines += lines
        self.left -= size
        return True


def render_markdown(plan: Plan, *, limit: int = COMMENT_LIMIT, source: str = "the job log") -> str:
    """A pull-request comment: summary, warnings and destructive changes first, details folded, and
    never more than LIMIT characters. SOURCE says where to find the full plan when it is cut."""
    budget = _Budget(limit)
    reserve = 600  # for the closing note and fences
    head = [f"### baseform plan: {summary_line(plan).removeprefix('Plan: ')}", ""]
    for p in plan.providers:
        version = f" (server {p.server_version})" if p.server_version else ""
        head.append(f"- **{p.provider}**: `{redact_url(p.endpoint)}`{version}")
    head.append("")
    warnings = list(plan.warnings)
    if plan.targets:
        warnings.append("targeting in effect: only " + ", ".join(f"`{t}`" for t in plan.targets)
                        + f" and what they need are planned ({plan.excluded} other change(s) left out)")
    budget.add(head)
    if warnings:
        block = ["> [!WARNING]", *(f"> {w}" for w in warnings), ""]
        if not budget.add(block, reserve=reserve):
            budget.add(["> [!WARNING]", f"> {len(warnings)} warnings (too long to show here)", ""])
            budget.cut.append("the warnings")
    destructive = plan.destructive
    if destructive:
        budget.add(["> [!CAUTION]",
                    f"> **{len(destructive)} destructive change(s)** (data loss; apply needs `--allow-destroy`):"])
        for i, c in enumerate(destructive):
            flag = " **(protected: apply refuses)**" if c.protect else ""
            loss = f" Data loss: {c.data_loss}." if c.data_loss else ""
            line = f"> - `{c.action.symbol}` `{c.address}`: {c.reason or c.action.value}{flag}{loss}"
            if not budget.add([line], reserve=reserve):
                budget.add([f"> - ... and {len(destructive) - i} more destructive change(s)"])
                budget.cut.append(f"{len(destructive) - i} destructive changes")
                break
        budget.add([""])
    changes = plan.changes
    if changes:
        rows = []
        for c in sorted(changes, key=lambda c: (not c.destructive, str(c.address))):
            if c.renamed_from is not None and c.action is Action.UPDATE:
                detail = f"renamed from {c.renamed_from.name}"
            elif c.action is Action.UPDATE:
                detail = ", ".join(d.path for d in c.diff)
            else:
                detail = c.reason or ""
            if c.warnings:
                detail += " ⚠ " + "; ".join(c.warnings)
            rows.append(f"| `{c.action.symbol}` | `{c.address}` | {c.action.value} | {_cell(detail)} |")
        budget.add(["| | resource | action | detail |", "|---|---|---|---|"])
        for i, row in enumerate(rows):
            if not budget.add([row], reserve=reserve):
                budget.add([f"| | ... {len(rows) - i} more | | |"])
                budget.cut.append(f"{len(rows) - i} rows of the table")
                break
        budget.add([""])
        full = [line for c in changes for line in _diff_block(change_lines(c, colour=False))]
        block = ["<details><summary>Full plan</summary>", "", "```diff", *full, "```", "", "</details>"]
        if not budget.add(block, reserve=reserve):
            budget.cut.append("the full plan")
    unmanaged = [a for p in plan.providers for a in p.unmanaged]
    if unmanaged:
        block = ["", f"<details><summary>Unmanaged resources ({len(unmanaged)})</summary>", "",
                 *(f"- `{a}`" for a in unmanaged), "", "</details>"]
        if not budget.add(block, reserve=reserve):
            budget.cut.append("the unmanaged resources")
    if budget.cut:
        budget.lines += ["", "> [!NOTE]",
                         f"> Cut to fit a GitHub comment: {', '.join(budget.cut)} are not shown. The whole plan "
                         f"is in {source}; save it with `baseform plan --out plan.json` and read it with "
                         "`baseform show plan.json`."]
    return "\n".join(budget.lines) + "\n"
