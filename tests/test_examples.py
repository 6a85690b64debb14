"""The examples under ``examples/`` work as their comments say: every manifest validates, the
multi-environment example renders each environment as intended and converges on a real PocketBase,
and every baseform command in the CI workflow example is one baseform accepts.
"""

from __future__ import annotations

import contextlib
import io
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from baseform.cli import parser
from baseform.manifest.project import load_project
from baseform.providers import default_registry
from baseform.types import JSONObject
from tests.clirun import run_cli
from tests.pocketbase_fixture import (  # noqa: F401  (the fixtures register by being imported)
    PocketBaseServer,
    pocketbase_fixture,
    pocketbase_server_fixture,
)
from tests.providers.pocketbase.conftest import connection_env

EXAMPLES = Path(__file__).parents[1] / "examples"
MULTI_ENV = EXAMPLES / "multi-env"
ENVS = ("dev", "prod")
WORKFLOW = EXAMPLES / "ci" / "github-actions.yml"


def var_file(env: str) -> Path:
    return MULTI_ENV / "envs" / f"{env}.yaml"


def manifest_examples() -> list[Path]:
    """Every example directory holding manifests (ci/ holds a workflow; multi-env needs a var file)."""
    return sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and p.name not in ("ci", "multi-env"))


@pytest.mark.parametrize("example", manifest_examples(), ids=lambda p: p.name)
def test_every_example_validates_without_connection_settings(example: Path) -> None:
    result = run_cli(["validate", str(example)], env={})
    assert result.code == 0, result.text
    assert "Valid:" in result.out


@pytest.mark.parametrize("env", ENVS)
def test_the_multi_environment_example_validates_with_each_var_file(env: str) -> None:
    result = run_cli(["validate", str(MULTI_ENV), "--var-file", str(var_file(env))], env={})
    assert result.code == 0, result.text


def test_the_multi_environment_example_without_a_var_file_says_which_variable_is_missing() -> None:
    result = run_cli(["validate", str(MULTI_ENV)], env={})
    assert result.code == 1
    assert f"{MULTI_ENV / 'baseform.yaml'}:" in result.err and "vars.prefix is not defined" in result.err
    assert "--var-file" in result.err and "Traceback" not in result.text


def rendered(env: str) -> dict[str, tuple[JSONObject, bool]]:
    """address -> (value, protect) of the multi-env example rendered for ``env``, with the
    environment's name prefix taken out of addresses and values so both environments line up."""
    project = load_project([str(MULTI_ENV)], var_files=[str(var_file(env))], registry=default_registry(),
                           environ={})
    prefix = yaml.safe_load(var_file(env).read_text())["prefix"]
    [unit] = project.units

    def unprefixed(value: Any) -> Any:
        if isinstance(value, str) and prefix:
            return value.replace(prefix, "")
        if isinstance(value, dict):
            return {k: unprefixed(v) for k, v in value.items()}
        if isinstance(value, list):
            return [unprefixed(v) for v in value]
        return value

    return {unprefixed(str(d.address)): (unprefixed(d.value), d.protect) for d in unit.desired}


def test_dev_and_prod_differ_in_names_sizes_and_protection_only() -> None:
    dev, prod = rendered("dev"), rendered("prod")
    assert set(dev) == set(prod)
    differences = {(address, key) for address in dev
                   for key in set(dev[address][0]) | set(prod[address][0])
                   if dev[address][0].get(key) != prod[address][0].get(key)}
    fields = "pocketbase.collections.{}.fields.{}"
    assert differences == {
        (fields.format("categories", "name"), "max"),
        (fields.format("products", "title"), "max"),
        (fields.format("products", "description"), "maxSize"),
        (fields.format("products", "photos"), "maxSelect"),
        (fields.format("products", "photos"), "maxSize"),
        (fields.format("products", "categories"), "maxSelect"),
        (fields.format("reviews", "text"), "max"),
    }
    assert {a for a in dev if dev[a][1] != prod[a][1]} == {"pocketbase.collections.categories",
                                                           "pocketbase.collections.products"}
    assert all(prod[a][1] for a in ("pocketbase.collections.categories", "pocketbase.collections.products"))
    # and the names really differ: every dev collection carries the prefix, no prod one does
    dev_names = {str(d.address.name) for d in load_project(
        [str(MULTI_ENV)], var_files=[str(var_file("dev"))], registry=default_registry(), environ={}
    ).units[0].desired if d.address.kind == "collections"}
    assert dev_names == {"dev_categories", "dev_products", "dev_reviews"}


def test_both_environments_apply_and_converge_side_by_side_on_one_server(pocketbase: PocketBaseServer) -> None:
    env = connection_env(pocketbase)
    for name in ENVS:
        result = run_cli(["apply", str(MULTI_ENV), "--var-file", str(var_file(name)), "--auto-approve"], env=env)
        assert result.code == 0, result.text
        assert "Converged" in result.out
    # neither apply disturbed the other environment's collections
    for name in ENVS:
        plan = run_cli(["plan", str(MULTI_ENV), "--var-file", str(var_file(name)), "--detailed-exitcode"], env=env)
        assert plan.code == 0, plan.text
    items = pocketbase.http.get("/api/collections", params={"perPage": 1000}).json()["items"]
    photos = {c["name"]: next(f for f in c["fields"] if f["name"] == "photos") for c in items
              if c["name"] in ("dev_products", "products")}
    assert (photos["dev_products"]["maxSelect"], photos["products"]["maxSelect"]) == (2, 10)


# -- the CI workflow example ---------------------------------------------------------------------

REDIRECTS = {">", ">>", "|", "||", "&&", ";", "2>&1"}


def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(data, dict)
    return data


def baseform_commands(job: dict[str, Any]) -> list[list[str]]:
    """The argv of every ``baseform`` command the job's steps run, once per matrix environment."""
    environments = job.get("strategy", {}).get("matrix", {}).get("environment", ["dev"])
    commands = []
    for step in job["steps"]:
        for line in str(step.get("run", "")).splitlines():
            if not line.strip().startswith("baseform "):
                continue
            for env in environments:
                words = shlex.split(line.replace("${ENVIRONMENT}", env))
                cut = next((i for i, w in enumerate(words) if w in REDIRECTS), len(words))
                commands.append(words[1:cut])
    return commands


def parse(argv: list[str]) -> Any:
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            return parser().parse_args(argv)
    except SystemExit:
        pytest.fail(f"baseform {shlex.join(argv)} is rejected: {stderr.getvalue()}")


def test_the_workflow_runs_on_pull_requests_pushes_to_main_and_nightly() -> None:
    data = workflow()
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` key as true
    assert {"pull_request", "push", "schedule"} <= set(triggers)
    assert triggers["push"]["branches"] == ["main"]
    assert len(triggers["schedule"][0]["cron"].split()) == 5


def test_every_baseform_command_in_the_workflow_parses_and_has_the_intended_flags() -> None:
    jobs = workflow()["jobs"]
    parsed = {name: [parse(argv) for argv in baseform_commands(job)] for name, job in jobs.items()}
    assert all(parsed.values()), "every job runs baseform"
    plans = [a for a in parsed["plan"] if a.command == "plan"]
    assert plans and all(a.format == "markdown" for a in plans)
    applies = [a for a in parsed["apply"] if a.command == "apply"]
    assert applies and all(a.auto_approve and not a.allow_destroy for a in applies)
    drift = [a for a in parsed["drift"] if a.command == "plan"]
    assert drift and all(a.detailed_exitcode for a in drift)
    # the commands name files laid out like examples/multi-env: they validate there
    for args in (a for commands in parsed.values() for a in commands):
        paths = [str(MULTI_ENV / p) for p in args.paths]
        var_files = [str(MULTI_ENV / v) for v in args.var_file]
        result = run_cli(["validate", *paths, *[f"--var-file={v}" for v in var_files]], env={})
        assert result.code == 0, result.text


def test_the_workflow_applies_one_environment_at_a_time_with_secrets_from_the_secret_store() -> None:
    jobs = workflow()["jobs"]
    concurrency = jobs["apply"]["concurrency"]
    assert "${{ matrix.environment }}" in concurrency["group"] and concurrency["cancel-in-progress"] is False
    for job in jobs.values():
        env = job["env"]
        for name in ("POCKETBASE_EMAIL", "POCKETBASE_PASSWORD"):
            assert env[name] == "${{ secrets." + name + " }}"
    # the drift job fails on exit code 2 (and on 1)
    steps = jobs["drift"]["steps"]
    assert any(s.get("if") == "steps.drift.outputs.exitcode != '0'" and "exit 1" in s["run"] for s in steps)
