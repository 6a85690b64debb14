"""The ``baseform`` command line: arguments, output and exit codes (design §1).

Exit codes: 0 success (or no changes), 1 any error, 2 only with ``plan --detailed-exitcode`` when
changes are present. Everything printed passes through :func:`baseform.secrets.redact`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import yaml

from baseform import __version__, secrets
from baseform.commands import Connections, apply_operations, compute_plan, connect
from baseform.engine.address import Address
from baseform.engine.apply import OperationResult, Outcome
from baseform.engine.operation import Operation
from baseform.engine.plan import Plan, stale_reasons
from baseform.engine.render import render_apply_result, render_json, render_markdown, render_text
from baseform.errors import BaseformError, ManifestError, PlanError, RefusedError
from baseform.manifest.project import Project, load_project, make_provider
from baseform.manifest.schema import write_schemas
from baseform.providers import default_registry
from baseform.providers.base import Provider
from baseform.providers.local import LocalServer, LocalUp, local_server_class

__all__ = ["main"]

log = logging.getLogger("baseform")


@dataclass
class Context:
    """What a command needs from outside: streams, environment, registry, test transports."""

    stdout: IO[str]
    stderr: IO[str]
    stdin: IO[str] | None
    environ: Mapping[str, str]
    registry: tuple[type[Provider], ...]
    transports: Mapping[str, httpx.AsyncBaseTransport] = field(default_factory=dict)
    colour: bool = False

    def out(self, text: str) -> None:
        self.stdout.write(secrets.redact(text))
        self.stdout.flush()

    def err(self, text: str) -> None:
        self.stderr.write(secrets.redact(text))
        self.stderr.flush()


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--var-file", action="append", default=[], metavar="FILE",
                        help="YAML file of template variables (repeatable)")
    common.add_argument("--var", action="append", default=[], metavar="KEY=VALUE",
                        help="a template variable (repeatable)")
    common.add_argument("--no-color", action="store_true", help="plain output even on a terminal")

    parser = argparse.ArgumentParser(prog="baseform", description="Declarative provisioning for Appwrite, "
                                     "PocketBase and Weaviate schemas: validate, plan, apply, export.")
    parser.add_argument("--version", action="version", version=f"baseform {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", parents=[common], help="load, template and validate; no network")
    p.add_argument("paths", nargs="*", metavar="PATH")

    p = sub.add_parser("plan", parents=[common], help="read live state, diff, print the plan")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--out", metavar="FILE", help="save the plan (JSON) for `apply --plan FILE`")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--detailed-exitcode", action="store_true",
                   help="exit 0 = no changes, 2 = changes present, 1 = error")
    p.add_argument("--target", action="append", default=[], metavar="ADDRESS")
    p.add_argument("--show-calls", action="store_true", help="also list the API calls apply would make")

    p = sub.add_parser("apply", parents=[common], help="plan, confirm and apply")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--plan", dest="plan_file", metavar="FILE", help="apply a plan saved with `plan --out`")
    p.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation")
    p.add_argument("--allow-destroy", action="store_true", help="allow deletes and replacements")
    p.add_argument("--parallelism", type=int, default=8, metavar="N")
    p.add_argument("--target", action="append", default=[], metavar="ADDRESS")

    p = sub.add_parser("export", parents=[common], help="write live state as a manifest")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--provider", required=True, metavar="NAME")
    p.add_argument("--out", metavar="FILE")

    p = sub.add_parser("schema", help="write the manifest JSON Schema")
    p.add_argument("--out", metavar="DIR", default="schemas")

    p = sub.add_parser("local", help="run a backend's server on this machine (default: PocketBase)")
    p.add_argument("action", choices=("up", "down", "status", "logs", "reset"))
    p.add_argument("--backend", default="pocketbase", metavar="NAME",
                   help="which backend's server (default pocketbase)")
    p.add_argument("--dir", metavar="DIR", help="the project's state directory (default: the nearest "
                   ".baseform directory here or above, else ./.baseform)")
    p.add_argument("--port", type=int, metavar="N", help="up/reset: listen on this port (default: the "
                   "backend's usual port when free, else any free port)")
    p.add_argument("--show-password", action="store_true", help="up/status: print the admin password")
    p.add_argument("--lines", type=int, default=50, metavar="N", help="logs: how many lines (default 50)")
    p.add_argument("--auto-approve", action="store_true", help="reset: do not ask before deleting the data")
    return parser


def _targets(values: Sequence[str]) -> list[Address]:
    out = []
    for v in values:
        try:
            out.append(Address.parse(v))
        except ValueError as e:
            raise PlanError(str(e)) from None
    return out


def _load(args: argparse.Namespace, ctx: Context, paths: Sequence[str] | None = None) -> Project:
    return load_project(list(paths if paths is not None else args.paths), var_files=args.var_file,
                        var_assignments=args.var, registry=ctx.registry, environ=ctx.environ)


def _print_warnings(project: Project, ctx: Context) -> None:
    for w in project.warnings:
        ctx.err(f"{w}\n")


def cmd_validate(args: argparse.Namespace, ctx: Context) -> int:
    project = _load(args, ctx)
    _print_warnings(project, ctx)
    count = sum(len(u.desired) for u in project.units)
    files = len(project.loaded.files)
    ctx.out(f"Valid: {count} resource(s) in {files} file(s).\n")
    return 0


def _render(plan: Plan, fmt: str, ctx: Context, *, show_calls: bool = False,
            manifest: Mapping[str, Any] | None = None) -> str:
    if fmt == "json":
        return render_json(plan, manifest)
    if fmt == "markdown":
        return render_markdown(plan)
    return render_text(plan, colour=ctx.colour, show_operations=show_calls)


def _manifest_ref(args: argparse.Namespace) -> dict[str, Any]:
    return {"paths": [str(Path(p)) for p in (args.paths or ["baseform.yaml"])],
            "var_files": list(args.var_file),
            "vars": sorted({v.partition("=")[0] for v in args.var})}


def cmd_plan(args: argparse.Namespace, ctx: Context) -> int:
    project = _load(args, ctx)
    if args.format != "text":
        _print_warnings(project, ctx)  # the text plan shows them; JSON/markdown go to files or comments
    targets = _targets(args.target)

    async def run() -> Plan:
        async with connect(project, ctx.transports) as conns:
            return await compute_plan(project, conns, targets)

    plan = asyncio.run(run())
    ctx.out(_render(plan, args.format, ctx, show_calls=args.show_calls, manifest=_manifest_ref(args)))
    if args.out:
        Path(args.out).write_text(secrets.redact(render_json(plan, _manifest_ref(args))))
        ctx.err(f"Saved the plan to {args.out}; apply it with: baseform apply --plan {args.out}\n")
    if plan.protected:
        raise RefusedError([f"{c.address} is protected (protect: true) and would be {c.action.value}d"
                            + (f" at {c.source}" if c.source else "") for c in plan.protected])
    if args.detailed_exitcode and plan.has_changes:
        return 2
    return 0


class _Progress:
    """Prints one line per operation as it starts waiting and when it ends."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def started(self, op: Operation) -> None:
        pass

    def waiting(self, op: Operation, elapsed_s: float) -> None:
        self.ctx.out(f"  ... {op.description}: still waiting ({elapsed_s:.0f}s)\n")

    def finished(self, result: OperationResult) -> None:
        mark = {Outcome.DONE: "done", Outcome.FAILED: "FAILED", Outcome.SKIPPED: "skipped"}[result.outcome]
        note = f" ({result.note})" if result.note else ""
        self.ctx.out(f"  {result.operation.description}: {mark} [{result.elapsed_s:.1f}s]{note}\n")


def _confirm(ctx: Context, question: str, action: str) -> bool:
    """Ask QUESTION on the terminal; True only for 'y' or 'yes'. Call it with no event loop running, so
    that Ctrl-C raises KeyboardInterrupt at once. Without a terminal it refuses to guess."""
    if ctx.stdin is None:
        raise RefusedError([f"stdin is not a terminal, so baseform cannot ask whether to {action}; "
                            "pass --auto-approve to go ahead without asking"])
    ctx.out(f"\n{question} Only 'yes' or 'y' is accepted: ")
    answer = ctx.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


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


def cmd_apply(args: argparse.Namespace, ctx: Context) -> int:
    saved: dict[str, Any] | None = None
    paths = args.paths
    targets = _targets(args.target)
    if args.plan_file:
        if args.paths:
            raise PlanError("give either manifest PATHs or --plan FILE, not both")
        saved = _read_saved_plan(args.plan_file)
        ref = saved.get("manifest") or {}
        paths = ref.get("paths") or ["baseform.yaml"]
        missing = [v for v in ref.get("vars", []) if v not in {a.partition("=")[0] for a in args.var}]
        if missing:
            raise PlanError("the plan was made with --var " + ", ".join(missing)
                            + "; pass the same --var options to apply it")
        args.var_file = args.var_file or ref.get("var_files", [])
        targets = targets or [Address.parse(t) for t in saved.get("targets", [])]
    project = _load(args, ctx, paths)  # its warnings are shown with the plan
    stop = asyncio.Event()

    async def run() -> int:
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

        try:
            loop.add_signal_handler(signal.SIGINT, on_sigint)
        except (NotImplementedError, RuntimeError):
            pass  # not the main thread (tests) or no signal support: plain KeyboardInterrupt

        async with connect(project, ctx.transports) as conns:
            plan = await compute_plan(project, conns, targets)
            if saved is not None:
                stale = stale_reasons(saved, plan)
                if stale:
                    raise RefusedError([f"the saved plan {args.plan_file} is stale: {r}" for r in stale]
                                       + ["run `baseform plan --out FILE` again and review it"])
            ctx.out(render_text(plan, colour=ctx.colour))
            if not plan.has_changes:
                return 0
            refusals = _refusals(plan, args.allow_destroy)
            if refusals:
                raise RefusedError(refusals)
            if not args.auto_approve and saved is None and not _confirm(
                    ctx, "Do you want to apply these changes?", "apply them"):
                ctx.err("Apply cancelled: nothing was changed. (Use --auto-approve in CI.)\n")
                return 1
            ctx.out("\nApplying...\n")
            started = time.monotonic()
            result = await apply_operations(plan, conns, parallelism=args.parallelism,
                                            reporter=_Progress(ctx), stop=stop)
            ctx.out(render_apply_result(result, plan.sources))
            if not result.ok:
                return 1
            return await _verify_converged(project, conns, targets, ctx, time.monotonic() - started)

    return asyncio.run(run())


async def _verify_converged(project: Project, conns: Connections, targets: Sequence[Address], ctx: Context,
                            elapsed: float) -> int:
    """Prove the apply converged: a fresh plan must have no changes."""
    again = await compute_plan(project, conns, targets)
    if again.has_changes:
        ctx.err("Apply finished, but a new plan still shows changes. If no other apply or console edit changed "
                "the server meanwhile, please report this as a bug:\n")
        ctx.err(render_text(again))
        return 1
    ctx.out(f"Converged: a new plan shows no changes ({elapsed:.1f}s).\n")
    return 0


def _read_saved_plan(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text())
    except OSError as e:
        raise PlanError(f"cannot read plan file {path}: {e.strerror}") from None
    except ValueError as e:
        raise PlanError(f"{path} is not a plan file (invalid JSON: {e})") from None
    if not isinstance(data, dict) or "format_version" not in data:
        raise PlanError(f"{path} is not a baseform plan file (no format_version)")
    return data


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    cls = next((c for c in ctx.registry if c.name == args.provider), None)
    if cls is None:
        raise PlanError(f"unknown provider {args.provider!r}; available: "
                        + ", ".join(c.name for c in ctx.registry))
    block = None
    if args.paths or Path("baseform.yaml").exists():
        project = _load(args, ctx)
        blocks = getattr(project.model, "providers", None)
        block = getattr(blocks, cls.name, None) if blocks is not None else None
    provider = make_provider(cls, block, ctx.environ)

    async def run() -> tuple[dict[str, Any], list[str]]:
        async with await provider.connect(ctx.transports.get(cls.name)) as session:
            live = await provider.read(session, [])
        return ({"version": 1, "providers": {cls.name: provider.export_config(live)},
                 cls.name: provider.export(live)}, provider.export_warnings(live))

    document, warnings = asyncio.run(run())
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
    for path in write_schemas(Path(args.out), ctx.registry):
        ctx.out(f"wrote {path}\n")
    return 0


def _shown_path(path: Path) -> str:
    """PATH relative to the working directory when it is below it (shorter to read and to paste)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _local_server(args: argparse.Namespace, ctx: Context) -> LocalServer:
    cls = next((c for c in ctx.registry if c.name == args.backend), None)
    server = local_server_class(cls) if cls is not None else None
    if server is None:
        runnable = [c.name for c in ctx.registry if c.local_server]
        raise PlanError(f"--backend {args.backend}: baseform cannot run that server locally; it can run: "
                        + ", ".join(runnable))
    return server.in_project(Path(args.dir) if args.dir else None, port=args.port, environ=ctx.environ)


def _print_up(up: LocalUp, server: LocalServer, args: argparse.Namespace, ctx: Context, verb: str) -> None:
    env_file = _shown_path(up.env_file)
    ctx.out(f"{server.title} {verb} at {up.url} (pid {up.pid})\n")
    if up.already_running and args.port is not None and args.port != up.port:
        ctx.out(f"  (--port {args.port} ignored: it already runs on port {up.port}; "
                "`baseform local down` first to move it)\n")
    ctx.out(f"  admin:     {up.user}\n")
    if args.show_password:
        ctx.out(f"  password:  {up.password}\n")
    else:
        origin = "generated, " if up.password_generated else ""
        ctx.out(f"  password:  ({origin}kept in {env_file}; `baseform local status --show-password` prints it)\n")
    if up.console:
        ctx.out(f"  console:   {up.console}\n")
    ctx.out(f"baseform commands run in {_shown_path(server.state_dir.parent.parent)} or below use this "
            f"server while {server.url_var} is unset; for other tools: set -a; . {env_file}; set +a\n")


def cmd_local(args: argparse.Namespace, ctx: Context) -> int:
    server = _local_server(args, ctx)
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
    status = server.status()
    if args.action == "status":
        if status.running:
            ctx.out(f"{title} is running at {status.url} (pid {status.pid}, admin {status.user}, data in "
                    f"{_shown_path(status.data_dir)})\n")
            if args.show_password:
                ctx.out(f"  password:  {server.password()}\n")
            return 0
        if status.unresponsive:
            ctx.out(f"{title} (pid {status.pid}) is running but not answering at {status.url}; see "
                    f"`baseform local logs`, stop it with `baseform local down`\n")
            return 1
        stale = " (its state names a process that is gone)" if status.stale else ""
        ctx.out(f"{title} is not running{stale}; start it with `baseform local up`\n")
        return 1
    found = server.down()
    if found.running or found.unresponsive:
        ctx.out(f"Stopped {title} (pid {found.pid}); the data stays in {_shown_path(found.data_dir)}\n")
    else:
        ctx.out(f"{title} was not running\n")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Context], int]] = {
    "validate": cmd_validate, "plan": cmd_plan, "apply": cmd_apply, "export": cmd_export,
    "schema": cmd_schema, "local": cmd_local,
}


def main(argv: Sequence[str] | None = None, *, registry: Sequence[type[Provider]] | None = None,
         transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
         environ: Mapping[str, str] | None = None, stdin: IO[str] | None = None,
         stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    """Run one command and return its exit code (the console script exits with it)."""
    args = parser().parse_args(argv)
    out = stdout or sys.stdout
    handler = logging.StreamHandler(stderr or sys.stderr)
    handler.addFilter(secrets.RedactingFilter())
    logging.getLogger("baseform").addHandler(handler)
    ctx = Context(
        stdout=out, stderr=stderr or sys.stderr,
        stdin=stdin if stdin is not None else (sys.stdin if sys.stdin and sys.stdin.isatty() else None),
        environ=os.environ if environ is None else environ,
        registry=tuple(registry) if registry is not None else default_registry(),
        transports=transports or {},
        colour=bool(getattr(out, "isatty", lambda: False)()) and not getattr(args, "no_color", False)
        and "NO_COLOR" not in (os.environ if environ is None else environ))
    try:
        return COMMANDS[args.command](args, ctx)
    except ManifestError as e:
        ctx.err(f"Error: {e}\n")
        return 1
    except BaseformError as e:
        ctx.err(f"Error: {e}\n")
        return 1
    except KeyboardInterrupt:
        ctx.err("Aborted. Calls in flight may or may not have reached the server; the next apply plans from "
                "what is there.\n")
        return 1
    finally:
        logging.getLogger("baseform").removeHandler(handler)


def _entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    _entry()
