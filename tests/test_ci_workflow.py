"""The CI example runs: its jobs' shell steps are executed with bash, as the runner would, against a
real PocketBase started here, in a checkout laid out like ``examples/multi-env``.

What cannot run here is named and checked otherwise: ``uses:`` actions (checkout, setup-python, the
comment script) and steps that call GitHub's ``gh`` CLI are skipped; the install step is replaced by
a ``baseform`` on PATH that runs this checkout, and its requirement is checked to be one pip can
install (from the git repository, not an unpublished PyPI release).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement

from tests.clirun import process_env
from tests.pocketbase_fixture import (  # noqa: F401  (the fixtures register by being imported)
    PocketBaseServer,
    pocketbase_fixture,
    pocketbase_server_fixture,
)

ROOT = Path(__file__).parents[1]
WORKFLOW = ROOT / "examples" / "ci" / "github-actions.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(data, dict)
    return data


@dataclass
class Runner:
    """Runs a job's steps with bash the way a GitHub runner does, for one matrix environment."""

    checkout: Path
    bin_dir: Path
    variables: dict[str, str]
    secrets: dict[str, str]
    log: list[str] = field(default_factory=list)

    def value(self, expression: str, environment: str, outputs: dict[str, dict[str, str]]) -> str:
        scope, _, name = expression.partition(".")
        if scope == "matrix":
            return environment
        if scope == "vars":
            return self.variables[name]
        if scope == "secrets":
            return self.secrets[name]
        if scope == "steps":
            step, _, output = name.partition(".outputs.")
            return outputs.get(step, {}).get(output, "")
        if scope == "github" and name == "token":
            return "no-token-here"
        raise AssertionError(f"the test runner does not know ${{{{ {expression} }}}}")

    def substitute(self, text: str, environment: str, outputs: dict[str, dict[str, str]]) -> str:
        return EXPRESSION.sub(lambda m: self.value(m.group(1), environment, outputs), text)

    def condition(self, condition: str | None, environment: str, outputs: dict[str, dict[str, str]],
                  failed: bool) -> bool:
        """The ``if:`` forms the example uses: always(), and comparisons of step outputs."""
        if condition is None:
            return not failed
        if condition.strip() == "always()":
            return True
        match = re.fullmatch(r"steps\.(\w+)\.outputs\.(\w+)\s*(==|!=)\s*'([^']*)'", condition.strip())
        assert match, f"the test runner does not know the condition {condition!r}"
        value = outputs.get(match.group(1), {}).get(match.group(2), "")
        return not failed and ((value == match.group(4)) == (match.group(3) == "=="))

    def run_job(self, name: str, environment: str) -> tuple[bool, dict[str, dict[str, str]]]:
        """Run job NAME for ENVIRONMENT; returns (the job succeeded, the steps' outputs)."""
        workflow = _workflow()
        job = workflow["jobs"][name]
        env = {**{k: str(v) for k, v in workflow.get("env", {}).items()}}
        outputs: dict[str, dict[str, str]] = {}
        env.update({k: self.substitute(str(v), environment, outputs) for k, v in job.get("env", {}).items()})
        failed = False
        for step in job["steps"]:
            script = step.get("run")
            if script is None or "gh " in script:
                self.log.append(f"{name}/{environment}: skipped {step.get('name') or step.get('uses')}")
                continue
            if not self.condition(step.get("if"), environment, outputs, failed):
                continue
            if "pip install" in script:
                continue  # the baseform on PATH stands for what it installs (checked separately)
            output_file = self.checkout / f".github_output_{name}_{environment}"
            output_file.write_text("")
            step_env = process_env({**env, "GITHUB_OUTPUT": str(output_file),
                                    "PATH": f"{self.bin_dir}:{os.environ.get('PATH', '')}"})
            shell = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                     self.substitute(script, environment, outputs)]
            done = subprocess.run(shell, cwd=self.checkout, env=step_env, capture_output=True, text=True,
                                  timeout=120, check=False)
            self.log.append(f"{name}/{environment}: {step.get('name', script.splitlines()[0])} -> "
                            f"{done.returncode}\n{done.stdout}{done.stderr}")
            if "id" in step:
                outputs[step["id"]] = dict(line.split("=", 1) for line in output_file.read_text().splitlines()
                                           if "=" in line)
            failed = failed or done.returncode != 0
        return not failed, outputs


@pytest.fixture
def runner(tmp_path: Path, pocketbase: PocketBaseServer) -> Runner:
    checkout = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "multi-env", checkout)
    (checkout / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(WORKFLOW, checkout / ".github" / "workflows" / "baseform.yml")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "baseform"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m baseform "$@"\n')
    shim.chmod(0o755)
    return Runner(checkout, bin_dir, {"POCKETBASE_URL": pocketbase.url},
                  {"POCKETBASE_EMAIL": pocketbase.email, "POCKETBASE_PASSWORD": pocketbase.password})


def _names(server: PocketBaseServer) -> set[str]:
    items = server.http.get("/api/collections", params={"perPage": 500}).json()["items"]
    return {c["name"] for c in items if not c["system"]}


def test_the_install_step_installs_baseform_from_its_git_repository() -> None:
    workflow = _workflow()
    source = workflow["env"]["BASEFORM_SOURCE"]
    installs = [s["run"] for job in workflow["jobs"].values() for s in job["steps"]
                if "pip install" in s.get("run", "")]
    assert len(installs) == len(workflow["jobs"])
    for command in installs:
        spec = re.search(r'pip install "([^"]+)"', command)
        assert spec, command
        requirement = Requirement(spec.group(1).replace("${BASEFORM_SOURCE}", source))
        project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"]
        assert requirement.name == project and requirement.url and requirement.url.startswith("git+https://")


def test_pull_request_plans_merge_applies_and_the_nightly_job_catches_drift(runner: Runner,
                                                                            pocketbase: PocketBaseServer) -> None:
    for environment in ("dev", "prod"):
        ok, _ = runner.run_job("plan", environment)
        assert ok, "\n".join(runner.log)
        comment = (runner.checkout / "plan.md").read_text()
        assert comment.startswith("### baseform plan: ") and "to add" in comment
        assert len(comment) < 65_536
    assert _names(pocketbase) == {"users"}  # planning changed nothing

    for environment in ("dev", "prod"):
        ok, _ = runner.run_job("apply", environment)
        assert ok, "\n".join(runner.log)
    assert {"dev_products", "products", "dev_reviews", "reviews"} <= _names(pocketbase)

    for environment in ("dev", "prod"):
        ok, outputs = runner.run_job("drift", environment)
        assert ok and outputs["drift"]["exitcode"] == "0", "\n".join(runner.log)

    # someone edits production in the console: the nightly job fails and has the plan for the issue
    products = pocketbase.http.get("/api/collections/products").json()
    edited = pocketbase.http.patch(f"/api/collections/{products['id']}", json={"listRule": "id != ''"})
    assert edited.status_code == 200, edited.text
    ok, outputs = runner.run_job("drift", "prod")
    assert not ok and outputs["drift"]["exitcode"] == "2", "\n".join(runner.log)
    drift = (runner.checkout / "drift.md").read_text()
    assert "pocketbase.collections.products" in drift and "listRule" in drift
    assert "::error::prod differs from the manifest" in runner.log[-1]
    ok, outputs = runner.run_job("drift", "dev")
    assert ok and outputs["drift"]["exitcode"] == "0"


def test_a_merge_that_would_delete_data_fails_the_apply_job(runner: Runner, pocketbase: PocketBaseServer) -> None:
    assert runner.run_job("apply", "dev")[0], "\n".join(runner.log)
    manifest = runner.checkout / "baseform.yaml"
    sku = '        - {name: sku, type: text, required: true, max: 32, pattern: "^[A-Z0-9-]+$"}\n'
    assert sku in manifest.read_text()
    manifest.write_text(manifest.read_text().replace(sku, ""))  # this merge drops a field and its values
    ok, _ = runner.run_job("apply", "dev")
    assert not ok
    assert "dev_products.fields.sku would be deleted" in runner.log[-1]
    assert "pass --allow-destroy to allow it" in runner.log[-1]
    fields = pocketbase.http.get("/api/collections/dev_products").json()["fields"]
    assert "sku" in {f["name"] for f in fields}
