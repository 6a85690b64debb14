"""The ``baseform`` command line: arguments, output and exit codes (design §1).

Exit codes: 0 success (or no changes), 1 any error, 2 only with ``plan --detailed-exitcode`` when
changes are present (argument errors exit 1 too, so 2 always means "changes present"). Everything
printed passes through :func:`baseform.secrets.redact`.

Heavy modules (pydantic models, the engine, httpx) are imported by the commands that need them, so
``baseform --help`` answers at once.

Ctrl-C: while baseform only reads (loading, planning, the confirmation prompt) it stops at once and
nothing is changed. The prompt is asked with no event loop running, so the interrupt is never held
back. Once an apply runs, the first Ctrl-C lets the calls in flight finish and starts nothing new;
a second one aborts at once.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import textwrap
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn, TypeVar

from baseform import __version__, collector, secrets
from baseform.errors import BaseformError, Diagnostic, ManifestError, PlanError, RefusedError

if TYPE_CHECKING:
    import httpx

    from baseform.commands import Connections
    from baseform.engine.address import Address
    from baseform.engine.apply import OperationResult
    from baseform.engine.operation import Operation
    from baseform.engine.plan import Plan
    from baseform.manifest.project import Project
    from baseform.providers import Registry
    from baseform.providers.base import Provider
    from baseform.providers.local import LocalServer, LocalUp

__all__ = ["main", "parser"]

log = logging.getLogger("baseform")
T = TypeVar("T")


@dataclass
class Context:
    """What a command needs from outside: streams, environment, registry, test transports."""

    stdout: IO[str]
    stderr: IO[str]
    stdin: IO[str] | None
    environ: Mapping[str, str]
    registry: Registry
    transports: Mapping[str, httpx.AsyncBaseTransport] = field(default_factory=dict)
    colour: bool = False
    writing: bool = False
    """Set once an apply sends its first write: an interrupt after that may leave calls half-done."""
    unshown: list[str] = field(default_factory=list)
    """Manifest warnings the plan will show; printed before the error if the plan never comes."""

    def out(self, text: str) -> None:
        self.stdout.write(secrets.redact(text))
        self.stdout.flush()

    def err(self, text: str) -> None:
        self.stderr.write(secrets.redact(text))
        self.stderr.flush()


# -- arguments ------------------------------------------------------------------------------------------

PATH_HELP = ("manifest files or directories (default: baseform.yaml). A directory loads the baseform "
             "manifests (*.yaml, *.yml) in it; other YAML there (docker-compose.yml, var files, dotfiles) "
             "is skipped and named")
_LOCAL_DEFAULT = "pocketbase"
"""The backend whose server ``local up`` starts when not told: the embedded PocketBase of the README's main job."""

EXIT_CODES = """exit codes:
  0  success
  1  an error: invalid manifest, server error, refused destroy, stale plan, cancelled, bad arguments"""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits 1 (argparse's 2 would read as "changes present")."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"it must be at least 1 (got {value})")
    return value


def _command(sub: Any, name: str, summary: str, description: str, examples: str, *,
             parents: Sequence[argparse.ArgumentParser] = (), exit_codes: str = EXIT_CODES) -> argparse.ArgumentParser:
    epilog = "examples:\n" + "\n".join("  " + line for line in examples.strip("\n").splitlines()) + "\n\n" + exit_codes
    # prose paragraphs are wrapped; indented lines (a list of actions) are kept as written
    text = "\n\n".join(p if p.startswith("  ") else textwrap.fill(p, 88) for p in description.split("\n\n"))
    parser: argparse.ArgumentParser = sub.add_parser(
        name, parents=list(parents), help=summary, description=text, epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    return parser


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command (each with --help: arguments, examples, exit codes)."""
    variables = _Parser(add_help=False)
    variables.add_argument("--var-file", action="append", default=[], metavar="FILE",
                           help="YAML file of template variables, {{ vars.NAME }} (repeatable)")
    variables.add_argument("--var", action="append", default=[], metavar="KEY=VALUE",
                           help="a template variable (repeatable; wins over --var-file)")
    plain = _Parser(add_help=False)
    plain.add_argument("--no-color", action="store_true",
                       help="plain output even on a terminal (also NO_COLOR=1 or TERM=dumb)")

    top = _Parser(prog="baseform", formatter_class=argparse.RawDescriptionHelpFormatter,
                  description="Declarative provisioning of backend-as-a-service schemas: describe them in YAML, "
                              "`plan` shows what would change on the live servers, `apply` makes exactly that "
                              "change.",
                  epilog="Run `baseform COMMAND --help` for a command's arguments, examples and exit codes.\n\n"
                         + EXIT_CODES + "\n  2  plan --detailed-exitcode only: changes are present")
    top.add_argument("--version", action="version", version=f"baseform {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    p = _command(sub, "validate", "check manifests without connecting to any server",
                 "Load, template and validate the manifests and report every problem at once (file:line:column). "
                 "Needs no server and no connection settings.",
                 "baseform validate                      # ./baseform.yaml\n"
                 "baseform validate examples/pocketbase  # every manifest in a directory\n"
                 "baseform validate . --var-file envs/prod.yaml --format json",
                 parents=[variables, plain])
    p.add_argument("paths", nargs="*", metavar="PATH", help=PATH_HELP)
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text (default) or json: the result, or the problems with file, line and column")

    p = _command(sub, "plan", "show what apply would change on the live servers",
                 "Read the live servers, compare them with the manifests and print the plan: what would be "
                 "created, updated, replaced or destroyed, and why. Changes nothing.",
                 "baseform plan examples/pocketbase\n"
                 "baseform plan . --format markdown > plan.md    # a pull-request comment\n"
                 "baseform plan . --out plan.json               # save it for `baseform apply --plan plan.json`\n"
                 "baseform plan . --detailed-exitcode           # drift check: 0 in sync, 2 changes, 1 error\n"
                 "baseform plan . --target pocketbase.collections.posts",
                 parents=[variables, plain],
                 exit_codes=EXIT_CODES + "\n  2  with --detailed-exitcode: changes are present")
    p.add_argument("paths", nargs="*", metavar="PATH", help=PATH_HELP)
    p.add_argument("--out", metavar="FILE", help="also save the plan (JSON) for `baseform apply --plan FILE`")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                   help="text (default, coloured on a terminal), json (versioned plan document), or markdown "
                        "(a pull-request comment that fits GitHub's size limit)")
    p.add_argument("--detailed-exitcode", action="store_true",
                   help="exit 0 = no changes, 2 = changes present, 1 = error")
    p.add_argument("--target", action="append", default=[], metavar="ADDRESS",
                   help="plan only this resource (and what it needs to exist); repeatable. For exceptional "
                        "cases: the rest of the manifest is left out")
    p.add_argument("--show-calls", action="store_true", help="also list the API calls apply would make")

    p = _command(sub, "apply", "plan, confirm, and make the changes",
                 "Plan, show the plan, ask for confirmation, make the changes, then plan again to prove the "
                 "servers now match. Deletes and replacements (data loss) need --allow-destroy; resources "
                 "marked `protect: true` are never deleted or replaced.",
                 "baseform apply examples/pocketbase\n"
                 "baseform apply . --auto-approve            # CI: no prompt\n"
                 "baseform apply --plan plan.json            # exactly a saved, reviewed plan (refused if stale)\n"
                 "baseform apply . --allow-destroy           # also deletes and replacements",
                 parents=[variables, plain])
    p.add_argument("paths", nargs="*", metavar="PATH", help=PATH_HELP)
    p.add_argument("--plan", dest="plan_file", metavar="FILE",
                   help="apply a plan saved with `baseform plan --out FILE` (no prompt; refused if anything "
                        "changed since)")
    p.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation (needed without a "
                   "terminal)")
    p.add_argument("--allow-destroy", action="store_true", help="allow deletes and replacements (data loss)")
    p.add_argument("--parallelism", type=_positive, default=8, metavar="N",
                   help="API calls in flight at once (default 8, at least 1)")
    p.add_argument("--target", action="append", default=[], metavar="ADDRESS",
                   help="apply only this resource (and what it needs to exist); repeatable")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text (default) or json: the plan, what was done, and any error as one JSON document "
                        "(needs --auto-approve or --plan)")

    p = _command(sub, "show", "print a saved plan file",
                 "Print a plan saved with `baseform plan --out FILE`, for review, as text, markdown or JSON.",
                 "baseform show plan.json\n"
                 "baseform show plan.json --format markdown > plan.md",
                 parents=[plain])
    p.add_argument("plan_file", metavar="PLANFILE", help="a plan file written by `baseform plan --out`")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                   help="text (default), markdown or json")
    p.add_argument("--show-calls", action="store_true", help="also list the API calls apply would make")

    p = _command(sub, "export", "write live state as a manifest (adopt an existing project)",
                 "Read a server and write what it has as a manifest section, with connection settings as "
                 "{{ env.X }} references (never values). PATH, if given, is a manifest whose providers block "
                 "says how to connect.",
                 "baseform export --provider pocketbase > baseform.yaml\n"
                 "baseform export --provider appwrite appwrite.config.json --out baseform.yaml",
                 parents=[variables, plain])
    p.add_argument("paths", nargs="*", metavar="PATH", help="manifest with the connection settings (default: "
                   "baseform.yaml if it exists; else the environment)")
    p.add_argument("--provider", required=True, metavar="NAME", help="which backend to export")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of printing")

    p = _command(sub, "schema", "write the manifest JSON Schema (editor completion)",
                 "Write the JSON Schema of manifests, generated from the models, for editor completion.",
                 "baseform schema                 # schemas/baseform.schema.json\n"
                 "baseform schema --out /tmp/s")
    p.add_argument("--out", metavar="DIR", default="schemas", help="directory to write into (default schemas)")

    p = _command(sub, "local", "run a backend's server on this machine for development",
                 "Run a development server of a backend (default: the embedded PocketBase) for this project. "
                 "Its state lives in the project's .baseform/ directory, found from any subdirectory; while it "
                 "runs, plan/apply/export use it whenever the backend's URL variable is unset.\n\n"
                 "  up      start it (a second `up` reports the running one)\n"
                 "  down    stop it (the data stays)\n"
                 "  status  say whether it runs (exit 1 when not); changes nothing\n"
                 "  logs    print the end of its log\n"
                 "  reset   stop it, delete its data and start it empty (asks first)",
                 "baseform local up\n"
                 "baseform local up --port 8091\n"
                 "baseform local status --show-password\n"
                 "baseform local logs --lines 100\n"
                 "baseform local down",
                 exit_codes=EXIT_CODES.replace("bad arguments", "bad arguments, `status`: not running"))
    p.add_argument("action", choices=("up", "down", "status", "logs", "reset"), metavar="ACTION",
                   help="up, down, status, logs or reset")
    p.add_argument("--backend", metavar="NAME",
                   help=f"which backend's server (e.g. supabase; a NAME that cannot run locally is answered with "
                        f"the list of those that can). Default: `up` starts {_LOCAL_DEFAULT}'s; the other actions "
                        f"take the servers this project has started (status and down all of them), else "
                        f"{_LOCAL_DEFAULT}'s")
    p.add_argument("--dir", metavar="DIR", help="the project's state directory (default: the nearest "
                   ".baseform directory here or above, else ./.baseform)")
    p.add_argument("--port", type=_positive, metavar="N", help="up/reset: listen on this port (default: the "
                   "backend's usual port when free, else any free port)")
    p.add_argument("--show-password", action="store_true", help="up/status: print the admin password")
    p.add_argument("--lines", type=_positive, default=50, metavar="N", help="logs: how many lines (default 50)")
    p.add_argument("--auto-approve", action="store_true", help="reset: do not ask before deleting the data")
    return top


# -- shared steps ----------------------------------------------------------------------------------------


def _targets(values: Sequence[str]) -> list[Address]:
    from baseform.engine.address import Address

    out = []
    for v in values:
        try:
            out.append(Address.parse(v))
        except ValueError as e:
            raise PlanError(f"--target: {e}") from None
    return out


def _load(ctx: Context, paths: Sequence[str], var_files: Sequence[str], assignments: Sequence[str]) -> Project:
    from baseform.manifest.project import load_project

    return load_project(list(paths), var_files=var_files, var_assignments=assignments, registry=ctx.registry,
                        environ=ctx.environ)


def _print_notes(project: Project, ctx: Context, *, warnings: bool = True) -> None:
    """Warnings (unless the output shows them itself) and skipped files, on stderr."""
    for w in project.warnings if warnings else ():
        ctx.err(f"{w}\n")
    if not warnings:
        ctx.unshown = [str(w) for w in project.warnings]
    skipped = project.loaded.skipped
    if skipped:
        ctx.err(f"Skipped {len(skipped)} file(s) that are not baseform manifests: "
                + "; ".join(f"{name} ({why})" for name, why in skipped) + "\n")


def _run(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a fresh event loop (each phase of a command gets its own).

    The main task itself returns nothing: Python 3.11's ``asyncio.run`` formats the main task, its
    result included, when it puts the SIGINT handler back, and the repr of a large plan takes seconds.
    """
    import asyncio  # not for --help: asyncio and what it imports are a third of start-up

    results: list[T] = []

    async def main() -> None:
        results.append(await work)

    asyncio.run(main())
    return results[0]


def _confirm(ctx: Context, question: str, action: str) -> bool:
    """Ask QUESTION on the terminal; True only for 'y' or 'yes'. Called with no event loop running, so
    Ctrl-C raises KeyboardInterrupt at once. Without a terminal it refuses to guess."""
    if ctx.stdin is None:
        raise RefusedError([f"stdin is not a terminal, so baseform cannot ask whether to {action}; "
                            "pass --auto-approve to go ahead without asking"])
    ctx.out(f"\n{question} Only 'yes' or 'y' is accepted: ")
    answer = ctx.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def _manifest_ref(paths: Sequence[str], var_files: Sequence[str], assignments: Sequence[str],
                  base: Path) -> dict[str, Any]:
    """Where the manifest came from, for a plan file: absolute paths, and the same relative to BASE
    (the plan file's directory), so the plan still finds them when the checkout moved."""

    def both(names: Sequence[str]) -> tuple[list[str], list[str]]:
        absolute = [str(Path(n).absolute()) for n in names]
        return absolute, [os.path.relpath(a, base.absolute()) for a in absolute]

    paths_abs, paths_rel = both(list(paths) or ["baseform.yaml"])
    vars_abs, vars_rel = both(var_files)
    return {"paths": paths_abs, "relative_paths": paths_rel, "var_files": vars_abs, "relative_var_files": vars_rel,
            "vars": sorted({v.partition("=")[0] for v in assignments})}


# -- validate ------------------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace, ctx: Context) -> int:
    project = _load(ctx, args.paths, args.var_file, args.var)
    count = sum(len(u.desired) for u in project.units)
    files = project.loaded.files
    if args.format == "json":
        ctx.out(json.dumps({"valid": True, "resources": count, "files": files,
                            "skipped": [{"file": f, "reason": r} for f, r in project.loaded.skipped],
                            "warnings": [_diagnostic_json(w) for w in project.warnings]}, indent=2) + "\n")
        return 0
    _print_notes(project, ctx)
    ctx.out(f"Valid: {count} resource(s) in {len(files)} file(s).\n")
    return 0


# -- plan ------------------------------------------------------------------------------------------------


def _render(plan: Plan, fmt: str, ctx: Context, *, show_calls: bool = False,
            manifest: Mapping[str, Any] | None = None, allow_destroy: bool | None = None) -> str:
    from baseform.engine.markdown import render_markdown
    from baseform.engine.render import render_json, render_text

    if fmt == "json":
        return render_json(plan, manifest)
    if fmt == "markdown":
        return render_markdown(plan)
    return render_text(plan, colour=ctx.colour, show_operations=show_calls, allow_destroy=allow_destroy)


def cmd_plan(args: argparse.Namespace, ctx: Context) -> int:
    from baseform.commands import compute_plan, connect
    from baseform.engine.render import render_json

    project = _load(ctx, args.paths, args.var_file, args.var)
    # the text plan shows the warnings itself; JSON and markdown go to files or comments
    _print_notes(project, ctx, warnings=args.format != "text")
    targets = _targets(args.target)

    async def run() -> Plan:
        async with connect(project, ctx.transports, ctx.registry) as conns:
            return await compute_plan(project, conns, targets)

    plan: Plan = _run(run())
    ctx.out(_render(plan, args.format, ctx, show_calls=args.show_calls,
                    manifest=_manifest_ref(args.paths, args.var_file, args.var, Path.cwd())))
    ctx.unshown = []
    if args.out:
        out = Path(args.out).absolute()
        ref = _manifest_ref(args.paths, args.var_file, args.var, out.parent)
        out.write_text(secrets.redact(render_json(plan, ref)))
        ctx.err(f"Saved the plan to {args.out}; review it with `baseform show {args.out}`, apply it with "
                f"`baseform apply --plan {args.out}`\n")
    if plan.protected:
        raise RefusedError([f"{c.address} is protected (protect: true) and would be {c.action.value}d"
                            + (f" at {c.source}" if c.source else "") for c in plan.protected])
    if args.detailed_exitcode and plan.has_changes:
        return 2
    return 0


# -- saved plans ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedPlan:
    """A plan file as read back: its JSON, checked for its format before anything else."""

    path: Path
    data: dict[str, Any]

    @classmethod
    def read(cls, name: str) -> SavedPlan:
        from baseform.engine.plan import format_problem

        path = Path(name)
        try:
            data = json.loads(path.read_text())
        except OSError as e:
            raise PlanError(f"cannot read the plan file {name}: {e.strerror}") from None
        except ValueError as e:
            raise PlanError(f"{name} is not a plan file (invalid JSON: {e})") from None
        problem = format_problem(data) if isinstance(data, dict) else "it is not a JSON object"
        if problem:
            raise PlanError(f"cannot use the plan file {name}: {problem}")
        return cls(path.absolute(), data)

    def _located(self, kind: str) -> list[str]:
        """The files of the manifest reference: the absolute path when it exists, else the path
        relative to the plan file."""
        ref = self.data.get("manifest") or {}
        absolute = [str(p) for p in ref.get(kind, [])]
        relative = [str(p) for p in ref.get(f"relative_{kind}", [])] or absolute
        out = []
        for abs_name, rel_name in zip(absolute, relative, strict=False):
            candidate = self.path.parent / rel_name
            if Path(abs_name).exists():
                out.append(abs_name)
            elif candidate.exists():
                out.append(str(candidate))
            else:
                raise PlanError(f"the plan in {self.path.name} was made from {abs_name}, which is not there "
                                f"(nor at {candidate})")
        return out

    def paths(self) -> list[str]:
        return self._located("paths") or ["baseform.yaml"]

    def var_files(self) -> list[str]:
        return self._located("var_files")

    def variables(self) -> list[str]:
        return [str(v) for v in (self.data.get("manifest") or {}).get("vars", [])]

    def targets(self) -> list[Address]:
        return _targets([str(t) for t in self.data.get("targets", [])])


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    from baseform.engine.plan_json import plan_from_json

    saved = SavedPlan.read(args.plan_file)
    if args.format == "json":
        ctx.out(json.dumps(saved.data, indent=2, ensure_ascii=False) + "\n")
        return 0
    ctx.out(_render(plan_from_json(saved.data), args.format, ctx, show_calls=args.show_calls))
    return 0


# -- apply -------------------------------------------------------------------------------------------


class _Progress:
    """Prints one line per operation as it ends ([N/M] and the time since the apply started), and a
    line while a long readiness wait goes on."""

    def __init__(self, ctx: Context, total: int) -> None:
        self.ctx = ctx
        self.total = total
        self.finished_count = 0
        self.started_at = time.monotonic()

    def started(self, op: Operation) -> None:
        pass

    def waiting(self, op: Operation, elapsed_s: float) -> None:
        self.ctx.out(f"  ... {op.description}: still waiting ({elapsed_s:.0f}s; "
                     f"{time.monotonic() - self.started_at:.0f}s since apply started)\n")

    def finished(self, result: OperationResult) -> None:
        from baseform.engine.apply import Outcome

        self.finished_count += 1
        mark = {Outcome.DONE: "done", Outcome.FAILED: "FAILED", Outcome.SKIPPED: "skipped"}[result.outcome]
        note = f" ({result.note})" if result.note else ""
        self.ctx.out(f"  [{self.finished_count}/{self.total}] {result.operation.description}: {mark} "
                     f"[{result.elapsed_s:.1f}s, {time.monotonic() - self.started_at:.1f}s elapsed]{note}\n")


def _refusals(plan: Plan, allow_destroy: bool) -> list[str]:
    reasons = [f"{c.address} is protected (protect: true) and would be {c.action.value}d"
               + (f" ({c.source})" if c.source else "") for c in plan.protected]
    if not allow_destroy:
        for c in plan.destructive:
            if c.protect:
                continue
            reasons.append(f"{c.address} would be {c.action.value}d"
                           + (f": {c.reason}" if c.reason else "") + " (pass --allow-destroy to allow it)")
    return reasons


@dataclass
class _ApplyRun:
    """One ``baseform apply``: its inputs, and the plan it shows and runs."""

    args: argparse.Namespace
    ctx: Context
    project: Project
    targets: list[Address]
    saved: SavedPlan | None
    report: dict[str, Any] = field(default_factory=dict)

    def manifest_ref(self) -> dict[str, Any]:
        if self.saved is not None:
            return dict(self.saved.data.get("manifest") or {})
        return _manifest_ref(self.args.paths, self.args.var_file, self.args.var, Path.cwd())

    async def plan(self, conns: Connections) -> Plan | None:
        """The plan to apply, checked against the saved plan; None when a saved plan was applied already."""
        from baseform.commands import plan_from_live, read_live
        from baseform.engine.plan import applied_already, stale_reasons

        lives = await read_live(self.project, conns)
        if self.saved is None:
            return plan_from_live(self.project, lives, self.targets)
        whole = plan_from_live(self.project, lives, self.saved.targets())
        if applied_already(self.saved.data, whole):
            return None
        stale = stale_reasons(self.saved.data, whole)
        if stale:
            raise RefusedError([f"the saved plan {self.args.plan_file} is stale: {r}" for r in stale]
                               + ["run `baseform plan --out FILE` again and review it"])
        if not self.targets:
            return whole
        part = plan_from_live(self.project, lives, self.targets)
        saved_addresses = {str(c.address) for c in whole.changes}
        outside = [str(c.address) for c in part.changes if str(c.address) not in saved_addresses]
        if outside:
            raise RefusedError([f"--target selects {a}, which the saved plan does not change" for a in outside])
        return part

    async def unchanged_since(self, shown: Plan, conns: Connections) -> None:
        """Refuse when planning again does not give the plan the user just approved."""
        from baseform.commands import compute_plan
        from baseform.engine.plan import stale_reasons
        from baseform.engine.render import plan_to_json

        again = await compute_plan(self.project, conns, shown.targets)
        changed = stale_reasons(plan_to_json(shown), again)
        if changed:
            raise RefusedError(["the servers changed while the plan was shown: " + r for r in changed]
                               + ["nothing was applied; run apply again to see the new plan"])

    async def execute(self, plan: Plan, conns: Connections) -> int:
        """Run the plan with Ctrl-C handling, print what happened, and check convergence."""
        import asyncio

        from baseform.commands import apply_operations
        from baseform.engine.plan_json import apply_result_to_json
        from baseform.engine.render import render_apply_result

        ctx, text = self.ctx, self.args.format == "text"
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        interrupts = 0

        def on_sigint() -> None:
            nonlocal interrupts
            interrupts += 1
            if interrupts > 1:
                raise KeyboardInterrupt
            stop.set()
            ctx.err("\nInterrupt: no new operations will start; waiting for those in flight "
                    "(press Ctrl-C again to abort at once).\n")

        loop.add_signal_handler(signal.SIGINT, on_sigint)
        try:
            if text:
                ctx.out("\nApplying...\n")
            started = time.monotonic()
            ctx.writing = True
            reporter = _Progress(ctx, len(plan.operations)) if text else None
            result = await apply_operations(plan, conns, parallelism=self.args.parallelism, reporter=reporter,
                                            stop=stop)
        finally:
            loop.remove_signal_handler(signal.SIGINT)
        self.report["result"] = apply_result_to_json(result, plan)
        if text:
            ctx.out(render_apply_result(result, plan))
        if not result.ok:
            return 1
        return await self.converged(plan, conns, time.monotonic() - started)

    async def converged(self, plan: Plan, conns: Connections, elapsed: float) -> int:
        """Prove the apply converged: planning the same targets again finds no changes."""
        from baseform.commands import compute_plan
        from baseform.engine.render import plan_to_json, render_text

        again = await compute_plan(self.project, conns, plan.targets)
        self.report["converged"] = not again.has_changes
        if again.has_changes:
            self.report["remaining"] = plan_to_json(again)["changes"]
            self.ctx.err("Apply finished, but a new plan still shows changes. If no other apply or console edit "
                         "changed the server meanwhile, please report this as a bug:\n")
            self.ctx.err(render_text(again))
            return 1
        if self.args.format == "text":
            if plan.targets:
                rest = (f" {again.excluded} change(s) outside the targets remain; run plan without --target to "
                        "see them." if again.excluded else "")
                self.ctx.out(f"Converged for the targets: a new plan of them shows no changes "
                             f"({elapsed:.1f}s).{rest}\n")
            else:
                self.ctx.out(f"Converged: a new plan shows no changes ({elapsed:.1f}s).\n")
        return 0


def cmd_apply(args: argparse.Namespace, ctx: Context) -> int:
    from baseform.commands import connect
    from baseform.engine.render import plan_to_json

    json_out = args.format == "json"
    if json_out and not (args.auto_approve or args.plan_file):
        raise PlanError("--format json cannot ask for confirmation: add --auto-approve, or apply a saved --plan")
    saved = SavedPlan.read(args.plan_file) if args.plan_file else None
    if saved is not None:
        if args.paths:
            raise PlanError("give either manifest PATHs or --plan FILE, not both")
        missing = [v for v in saved.variables() if v not in {a.partition("=")[0] for a in args.var}]
        if missing:
            raise PlanError("the plan was made with --var " + ", ".join(missing)
                            + "; pass the same --var options to apply it")
        project = _load(ctx, saved.paths(), args.var_file or saved.var_files(), args.var)
    else:
        project = _load(ctx, args.paths, args.var_file, args.var)
    _print_notes(project, ctx, warnings=json_out)
    run = _ApplyRun(args, ctx, project, _targets(args.target), saved)
    ask = not args.auto_approve and saved is None

    async def first() -> tuple[Plan | None, int | None]:
        """Plan and show it; apply it too when no question is asked in between."""
        async with connect(project, ctx.transports, ctx.registry) as conns:
            plan = await run.plan(conns)
            if plan is None or not _show_for_apply(plan, run):
                return plan, 0
            if ask:
                return plan, None
            return plan, await run.execute(plan, conns)

    async def second(plan: Plan) -> int:
        async with connect(project, ctx.transports, ctx.registry) as conns:
            await run.unchanged_since(plan, conns)
            return await run.execute(plan, conns)

    plan, code = _run(first())
    if code is None:
        assert plan is not None
        if not _confirm(ctx, "Do you want to apply these changes?", "apply them"):
            ctx.err("Apply cancelled: nothing was changed.\n")
            return 1
        code = _run(second(plan))
    if plan is None and saved is not None:
        if not json_out:
            ctx.out(f"The plan in {args.plan_file} was applied already: the servers match it. Nothing to do.\n")
        run.report["applied_already"] = True
    if json_out:
        document: dict[str, Any] = {"ok": code == 0}
        if plan is not None:
            document["plan"] = plan_to_json(plan, run.manifest_ref())
        ctx.out(json.dumps({**document, **run.report}, indent=2, ensure_ascii=False) + "\n")
    return code


def _show_for_apply(plan: Plan, run: _ApplyRun) -> bool:
    """Print the plan; False when there is nothing to apply. Raises RefusedError for refused plans."""
    if run.args.format == "text":
        run.ctx.out(_render(plan, "text", run.ctx, allow_destroy=run.args.allow_destroy))
        run.ctx.unshown = []
    if not plan.has_changes:
        return False
    refusals = _refusals(plan, run.args.allow_destroy)
    if refusals:
        raise RefusedError(refusals)
    return True


# -- export, schema ---------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    import yaml

    from baseform.manifest.project import make_provider

    cls = ctx.registry.get(args.provider)
    if cls is None:
        raise PlanError(f"unknown provider {args.provider!r}; available: " + ", ".join(ctx.registry.names))
    block = None
    if args.paths or Path("baseform.yaml").exists():
        project = _load(ctx, args.paths, args.var_file, args.var)
        blocks = getattr(project.model, "providers", None)
        block = getattr(blocks, cls.name, None) if blocks is not None else None
    provider = make_provider(cls, block, ctx.environ)

    async def run() -> tuple[dict[str, Any], list[str]]:
        from baseform.commands import explained

        transport = ctx.transports.get(cls.name)
        async with await explained(provider, provider.connect(transport), ctx.registry, ctx.transports) as session:
            live = await explained(provider, provider.read(session, []), ctx.registry, ctx.transports)
        return ({"version": 1, "providers": {cls.name: provider.export_config(live)},
                 cls.name: provider.export(live)}, provider.export_warnings(live))

    document, warnings = _run(run())
    for warning in warnings:
        ctx.err(f"Warning: {warning}\n")
    header = ("# yaml-language-server: $schema=https://raw.githubusercontent.com/baseform/baseform/main/"
              "schemas/baseform.schema.json\n# exported by baseform " + __version__ + "\n")
    text = header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)
    if args.out:
        Path(args.out).write_text(secrets.redact(text))
        ctx.err(f"Wrote {args.out}\n")
    else:
        ctx.out(text)
    return 0


def cmd_schema(args: argparse.Namespace, ctx: Context) -> int:
    from baseform.manifest.schema import write_schemas

    for path in write_schemas(Path(args.out), ctx.registry):
        ctx.out(f"wrote {path}\n")
    return 0


# -- local -------------------------------------------------------------------------------------------


def _shown_path(path: Path) -> str:
    """PATH relative to the working directory when it is below it (shorter to read and to paste)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _local_server(name: str, args: argparse.Namespace, ctx: Context) -> LocalServer:
    from baseform.providers.local import local_server_class

    cls = ctx.registry.get(name)
    server = local_server_class(cls) if cls is not None else None
    if server is None:
        runnable = [c.name for c in ctx.registry if c.local_server]
        raise PlanError(f"--backend {name}: baseform cannot run that server locally; it can run: "
                        + ", ".join(runnable))
    return server.in_project(Path(args.dir) if args.dir else None, port=args.port, environ=ctx.environ)


def _local_backends(args: argparse.Namespace, ctx: Context) -> list[str]:
    """The backends whose local servers a ``local`` command acts on: ``--backend``'s; without it,
    ``up`` starts the default one, and the other actions take what this project has (``status`` and
    ``down`` every server it has started, ``logs`` and ``reset`` its one server), else the default."""
    from baseform.providers.local import find_state_root

    if args.backend is not None:
        return [args.backend]
    root = Path(args.dir) if args.dir else find_state_root()
    if args.action == "up" or root is None:
        return [_LOCAL_DEFAULT]
    known = [name for name in ctx.registry.names if (root / name).is_dir()]  # a state directory each
    if args.action in ("status", "down"):
        started = [name for name in known if (root / name / "local.json").is_file()]
        return started or known or [_LOCAL_DEFAULT]
    if len(known) > 1:
        raise PlanError(f"this project has local servers of {', '.join(known)} (in {_shown_path(root)}): "
                        f"name one with --backend, e.g. `baseform local {args.action} --backend {known[-1]}`")
    return known or [_LOCAL_DEFAULT]


def _local_command(server: LocalServer, action: str) -> str:
    """The command line that does ACTION to SERVER (``--backend`` named unless it is the default)."""
    backend = f" --backend {server.backend}" if server.backend != _LOCAL_DEFAULT else ""
    return f"baseform local {action}{backend}"


def _print_up(up: LocalUp, server: LocalServer, args: argparse.Namespace, ctx: Context, verb: str) -> None:
    env_file = _shown_path(up.env_file)
    ctx.out(f"{server.title} {verb} at {up.url} (pid {up.pid})\n")
    if up.already_running and args.port is not None and args.port != up.port:
        ctx.out(f"  (--port {args.port} ignored: it already runs on port {up.port}; "
                f"`{_local_command(server, 'down')}` first to move it)\n")
    ctx.out(f"  admin:     {up.user}\n")
    if args.show_password:
        ctx.out(f"  password:  {up.password}\n")
    else:
        origin = "generated, " if up.password_generated else ""
        shown = f"{_local_command(server, 'status')} --show-password"
        ctx.out(f"  password:  ({origin}kept in {env_file}; `{shown}` prints it)\n")
    if up.console:
        ctx.out(f"  console:   {up.console}\n")
    ctx.out(f"baseform commands run in {_shown_path(server.state_dir.parent.parent)} or below use this "
            f"server while {server.url_var} is unset; for other tools: set -a; . {env_file}; set +a\n")


def cmd_local(args: argparse.Namespace, ctx: Context) -> int:
    codes = [_local_action(_local_server(name, args, ctx), args, ctx) for name in _local_backends(args, ctx)]
    return max(codes)


def _local_action(server: LocalServer, args: argparse.Namespace, ctx: Context) -> int:
    title = server.title
    if args.action == "up":
        up = server.up()
        _print_up(up, server, args, ctx, "already running" if up.already_running else "started")
        return 0
    if args.action == "reset":
        question = (f"Delete all data of the local {title} in {_shown_path(server.data_dir)} and start it "
                    "empty?")
        if not args.auto_approve and not _confirm(ctx, question, "delete the data"):
            ctx.err("Reset cancelled: nothing was changed.\n")
            return 1
        _print_up(server.reset(), server, args, ctx, "reset: started empty")
        return 0
    if args.action == "logs":
        lines = server.logs(args.lines)
        if not lines:
            ctx.err(f"{title} has written no log yet ({_shown_path(server.log_file)})\n")
            return 1
        ctx.out("".join(line + "\n" for line in lines))
        return 0
    if args.action == "status":
        status = server.status()
        if status.running:
            ctx.out(f"{title} is running at {status.url} (pid {status.pid}, admin {status.user}, data in "
                    f"{_shown_path(status.data_dir)})\n")
            if args.show_password:
                ctx.out(f"  password:  {server.password()}\n")
            return 0
        if status.unresponsive:
            ctx.out(f"{title} (pid {status.pid}) is running but not answering at {status.url}; see "
                    f"`{_local_command(server, 'logs')}`, stop it with `{_local_command(server, 'down')}`\n")
            return 1
        stale = " (its state names a process that is gone)" if status.stale else ""
        ctx.out(f"{title} is not running{stale}; start it with `{_local_command(server, 'up')}`\n")
        return 1
    found = server.down()
    if found.running or found.unresponsive:
        ctx.out(f"Stopped {title} (pid {found.pid}); the data stays in {_shown_path(found.data_dir)}\n")
    else:
        ctx.out(f"{title} was not running\n")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Context], int]] = {
    "validate": cmd_validate, "plan": cmd_plan, "apply": cmd_apply, "show": cmd_show, "export": cmd_export,
    "schema": cmd_schema, "local": cmd_local,
}


# -- errors ------------------------------------------------------------------------------------------


def _diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    s = d.source
    return {"severity": "warning" if d.warning else "error", "message": d.message,
            "file": s.file if s else None, "line": s.line if s else None, "column": s.column if s else None,
            "address": d.address, "hint": d.hint}


def _error_json(error: BaseformError) -> dict[str, Any]:
    from baseform.errors import ProviderError

    kind = {ManifestError: "manifest", PlanError: "plan", RefusedError: "refused", ProviderError: "server"}
    document: dict[str, Any] = {
        "type": next((v for k, v in kind.items() if isinstance(error, k)), "error"), "message": str(error)}
    if isinstance(error, ManifestError):
        document["diagnostics"] = [_diagnostic_json(d) for d in error.diagnostics]
    if isinstance(error, RefusedError):
        document["reasons"] = list(error.reasons)
    if isinstance(error, PlanError):
        document["address"] = error.address
        document["source"] = str(error.source) if error.source else None
    if isinstance(error, ProviderError):
        document["operation"] = error.operation
        document["hints"] = list(error.hints)
    return document


def _report(error: BaseformError, args: argparse.Namespace, ctx: Context) -> None:
    for warning in ctx.unshown:
        ctx.err(f"{warning}\n")
    ctx.err(f"Error: {error}\n")
    if getattr(args, "format", "text") == "json":
        ctx.out(json.dumps({"ok": False, "error": _error_json(error)}, indent=2, ensure_ascii=False) + "\n")


def _colour(stream: IO[str], args: argparse.Namespace, environ: Mapping[str, str]) -> bool:
    """Colour only on a terminal that can show it, unless the user said no."""
    return (bool(getattr(stream, "isatty", lambda: False)()) and not getattr(args, "no_color", False)
            and "NO_COLOR" not in environ and environ.get("TERM", "") != "dumb")


def main(argv: Sequence[str] | None = None, *, registry: Sequence[type[Provider]] | None = None,
         transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
         environ: Mapping[str, str] | None = None, stdin: IO[str] | None = None,
         stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    """Run one command and return its exit code (the console script exits with it)."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser().parse_args(argv)
    except SystemExit as e:  # --help, --version, or a usage error already printed
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    environ = os.environ if environ is None else environ
    handler = logging.StreamHandler(err)
    handler.addFilter(secrets.RedactingFilter())
    logging.getLogger("baseform").addHandler(handler)
    from baseform.providers import Registry, as_registry

    ctx = Context(
        stdout=out, stderr=err,
        stdin=stdin if stdin is not None else (sys.stdin if sys.stdin and sys.stdin.isatty() else None),
        environ=environ, registry=Registry.default() if registry is None else as_registry(registry),
        transports=transports or {},
        colour=_colour(out, args, environ))
    try:
        return COMMANDS[args.command](args, ctx)
    except BaseformError as e:
        _report(e, args, ctx)
        return 1
    except KeyboardInterrupt:
        if ctx.writing:
            ctx.err("\nAborted. Calls in flight may or may not have reached the server; the next apply plans "
                    "from what is there.\n")
        else:
            ctx.err("\nInterrupted: nothing was changed.\n")
        return 1
    finally:
        logging.getLogger("baseform").removeHandler(handler)


# Optional packages the HTTP client imports whenever they are installed, for features a baseform process
# never uses: httpcore imports trio (for trio event loops; baseform runs asyncio) and httpx its own
# command-line tool (click, pygments, rich). Together they were 0.1 s of every command that talks to a server.
_UNUSED_IMPORTS = ("trio", "httpx._main")


def _entry() -> None:
    collector.keep_results()  # this process runs one command and exits
    for name in _UNUSED_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: "import NAME" raises ImportError
    # pydantic looks through every installed distribution for its plugins (observers of validation) when
    # it builds the first model: 10 ms or more, for plugins that have no business watching baseform's own
    # manifest models. Its documented switch turns the search off, unless the user set it otherwise.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _exit(main())


def _exit(code: int) -> NoReturn:
    """End the process with CODE once the command is done, without the interpreter's teardown.

    The teardown frees everything the command left alive one object at a time (a plan of 300 Appwrite
    tables is some 500,000 objects: 30 ms); the operating system takes the memory back at once. What the
    teardown does that matters is done first: the exit handlers run (logging flushes its handlers) and
    the streams are flushed. With a thread still running, the interpreter's own exit waits for it.
    """
    import atexit
    import threading

    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (`baseform plan | head`): what was written is all the reader wanted
        pass
    os._exit(code)


if __name__ == "__main__":
    _entry()
