"""What the command line says: help, machine-readable output, right messages, no colour where
it cannot show, and no credential from a URL anywhere."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from baseform import secrets
from baseform.cli import main, parser
from baseform.engine.address import Address
from baseform.engine.change import Action, Change
from baseform.engine.markdown import render_markdown
from baseform.engine.plan import Plan, ProviderPlan
from baseform.engine.plan_json import render_json
from baseform.engine.render import render_text
from tests.clirun import run_cli
from tests.unit.conftest import ENV, Cli
from tests.unit.memory_provider import MemoryProvider, MemoryServer

Write = Callable[[str, str], Path]
BASE = "version: 1\nmemory:\n  things:\n    - {name: a, color: red}\n"
COMMANDS = ("validate", "plan", "apply", "show", "export", "schema", "local")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_examples_and_exit_codes(command: str) -> None:
    result = run_cli([command, "--help"])
    assert result.code == 0
    assert f"usage: baseform {command}" in result.out
    assert "examples:" in result.out and "exit codes:" in result.out and "  1  " in result.out
    if command in ("validate", "plan", "apply"):
        assert "(default: baseform.yaml)" in " ".join(result.out.split())
    if command == "plan":
        assert "2  with --detailed-exitcode: changes are present" in result.out


def test_help_without_a_command_lists_them_all() -> None:
    result = run_cli(["--help"])
    assert result.code == 0 and all(c in result.out for c in COMMANDS)


def test_bad_arguments_exit_1_never_2() -> None:
    # 2 means "changes present" to a CI job using --detailed-exitcode
    for argv in (["plan", "--nope"], ["apply", "--parallelism", "0"], ["apply", "--parallelism", "many"],
                 ["local", "sideways"]):
        result = run_cli(argv)
        assert result.code == 1, argv
    assert "--parallelism: it must be at least 1 (got 0)" in run_cli(["apply", "--parallelism", "0"]).err


def test_help_does_not_import_the_engine() -> None:
    import subprocess
    import sys

    from tests.clirun import process_env

    code = ("import sys; from baseform.cli import main; main(['--help'], stdout=open('/dev/null', 'w')); "
            "print(sorted(m for m in sys.modules if m.startswith(('baseform.engine', 'pydantic', 'deepdiff', "
            "'httpx'))))")
    out = subprocess.run([sys.executable, "-c", code], env=process_env(), capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("env", "coloured"), [({}, True), ({"TERM": "dumb"}, False), ({"NO_COLOR": "1"}, False)])
def test_colour_only_on_a_terminal_that_shows_it(write: Write, server: MemoryServer, env: dict[str, str],
                                                 coloured: bool) -> None:
    out = Terminal()
    code = main(["plan", str(write("m.yaml", BASE))], registry=[MemoryProvider], environ={**ENV, **env},
                transports={"memory": server.transport()}, stdout=out, stderr=io.StringIO())
    assert code == 0
    assert ("\x1b[" in out.getvalue()) is coloured


def test_the_destroy_line_says_what_was_given(cli: Cli, write: Write) -> None:
    path = write("m.yaml", BASE.replace("color: red}", "color: red, parts: [{name: p}]}"))
    assert cli("apply", str(path), "--auto-approve").code == 0
    path.write_text(BASE)
    assert "1 destructive change: apply needs --allow-destroy." in cli("plan", str(path)).out
    refused = cli("apply", str(path), "--auto-approve")
    assert "apply refuses without --allow-destroy" in refused.out and refused.code == 1
    allowed = cli("apply", str(path), "--auto-approve", "--allow-destroy")
    assert allowed.code == 0, allowed.text
    assert "1 destructive change, allowed by --allow-destroy." in allowed.out
    assert "needs --allow-destroy" not in allowed.text


def test_an_interrupt_while_only_reading_says_nothing_was_changed(write: Write) -> None:
    def interrupted(request: httpx.Request) -> httpx.Response:
        raise KeyboardInterrupt

    for command in ("plan", "apply"):
        out, err = io.StringIO(), io.StringIO()
        code = main([command, str(write("m.yaml", BASE)), "--auto-approve"][: 2 if command == "plan" else 3],
                    registry=[MemoryProvider], environ=ENV, transports={"memory": httpx.MockTransport(interrupted)},
                    stdout=out, stderr=err)
        assert code == 1
        assert "Interrupted: nothing was changed." in err.getvalue()
        assert "in flight" not in err.getvalue()


def test_validate_plan_and_apply_speak_json(cli: Cli, write: Write, server: MemoryServer) -> None:
    path = str(write("m.yaml", BASE))
    valid = json.loads(cli("validate", path, "--format", "json").out)
    assert valid == {"valid": True, "resources": 1, "files": [path], "skipped": [], "warnings": []}
    planned = json.loads(cli("plan", path, "--format", "json").out)
    assert planned["summary"]["create"] == 1
    applied = cli("apply", path, "--auto-approve", "--format", "json")
    document = json.loads(applied.out)
    assert applied.code == 0 and document["ok"] is True and document["converged"] is True
    assert document["plan"]["changes"][0]["address"] == "memory.things.a"
    assert document["result"]["changes_made"] == ["memory.things.a"]
    assert document["result"]["operations"][0]["outcome"] == "done"
    assert "a" in server.things
    needs_approval = cli("apply", path, "--format", "json")
    assert needs_approval.code == 1 and json.loads(needs_approval.out)["error"]["type"] == "plan"


def test_errors_in_json_carry_file_line_and_column(cli: Cli, write: Write) -> None:
    path = write("m.yaml", "version: 1\nmemory:\n  things:\n    - {name: a, colour: red}\n    - {name: B}\n")
    for command in ("validate", "plan", "apply"):
        result = cli(command, str(path), "--format", "json", *(["--auto-approve"] if command == "apply" else []))
        assert result.code == 1
        error = json.loads(result.out)["error"]
        assert error["type"] == "manifest"
        assert {(d["line"], d["column"]) for d in error["diagnostics"]} == {(4, 17), (5, 14)}
        colour = next(d for d in error["diagnostics"] if d["line"] == 4)
        assert colour["message"] == "unknown key 'colour' (did you mean 'color'?)" and colour["file"] == str(path)


# -- credentials written into URLs ---------------------------------------------------------------------

PASSWORD = "Pa55-word-in-url"


def test_url_credentials_never_appear_in_plans_plan_files_or_errors(write: Write, tmp_path: Path,
                                                                    server: MemoryServer) -> None:
    env = {**ENV, "MEMORY_URL": f"http://admin:{PASSWORD}@memory.test"}
    path = str(write("m.yaml", BASE))
    plan_file = tmp_path / "plan.json"

    def run(*argv: str) -> str:
        result = run_cli(argv, env=env, registry=[MemoryProvider], transports={"memory": server.transport()})
        return result.text

    texts = [run("plan", path), run("plan", path, "--format", "json"), run("plan", path, "--format", "markdown"),
             run("plan", path, "--out", str(plan_file)), plan_file.read_text(), run("show", str(plan_file))]
    server.fail_on.add(("POST", "/things"))
    texts.append(run("apply", path, "--auto-approve"))
    assert "memory: http://admin:(sensitive)@memory.test" in texts[0]
    assert "refused POST /things" in texts[-1]
    for text in texts:
        assert PASSWORD not in text


def test_secret_query_values_and_userinfo_are_masked_wherever_a_url_is_shown(tmp_path: Path) -> None:
    endpoint = "https://bob:hunter2-x@db.example.com:8443/v1?apikey=K3Y-value&region=eu&access_token=T0K"
    change = Change(Address.parse("pb.collections.a"), Action.CREATE, None, {"name": "a"})
    plan = Plan("d", (ProviderPlan("pb", endpoint, None, (change,), ()),))
    for text in (render_text(plan), render_json(plan), render_markdown(plan)):
        assert "hunter2" not in text and "K3Y-value" not in text and "T0K" not in text
        assert "https://bob:(sensitive)@db.example.com:8443/v1?apikey=(sensitive)&region=eu&access_token=(sensitive)" \
            in text
    record = logging.LogRecord("baseform", logging.ERROR, __file__, 1, "GET %s failed", (endpoint,), None)
    secrets.RedactingFilter().filter(record)
    assert "hunter2" not in record.getMessage() and "K3Y" not in record.getMessage()
    assert "https://bob:(sensitive)@db.example.com" in record.getMessage()
    # a user name that is itself a token goes whole; a plain role name stays readable
    assert secrets.redact("git clone https://ghp_16C7e42F292c6912E7710c838347Ae178B4a@github.com/o/r") == \
        "git clone https://(sensitive)@github.com/o/r"
    assert secrets.redact("postgresql://postgres@127.0.0.1:5432/db") == "postgresql://postgres@127.0.0.1:5432/db"
    # ordinary text with an "@" or a query is left alone
    assert secrets.redact("mail admin@example.com, see https://x.org/?page=2") == \
        "mail admin@example.com, see https://x.org/?page=2"


def test_parser_is_the_contract(tmp_path: Path) -> None:
    args = parser().parse_args(["apply", "--plan", "p.json", "--target", "a.b.c", "--parallelism", "3"])
    assert (args.plan_file, args.target, args.parallelism) == ("p.json", ["a.b.c"], 3)


def test_the_console_script_ends_with_everything_written_and_its_exit_code(tmp_path: Path) -> None:
    # the process skips the interpreter's teardown (cli._exit): what it printed must still all arrive
    from tests.clirun import run_process

    tables = "".join(f"        - id: t{i}\n          name: T{i}\n          columns:\n"
                     + "".join(f"            - {{key: c{j}, type: integer}}\n" for j in range(20)) for i in range(200))
    big = tmp_path / "big.yaml"
    big.write_text("version: 1\nappwrite:\n  databases:\n    - id: db\n      name: DB\n      tables:\n" + tables)
    valid = run_process(["validate", str(big), "--format", "json"])
    assert valid.code == 0 and json.loads(valid.out)["resources"] == 1 + 200 * 21
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nappwrite:\n  databases:\n    - id: db\n      nme: DB\n")
    invalid = run_process(["validate", str(broken)])
    assert invalid.code == 1 and "unknown key 'nme' (did you mean 'name'?)" in invalid.err
