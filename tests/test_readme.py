"""The README works as written: its set-up line and its tour run, in order, in a copy of the
repository (a ``baseform`` on PATH stands for the one ``pip install -e .`` would put there), against
the local PocketBase the tour itself starts and stops. The tour changes into a subdirectory of the
project half way: the server started at the top is found from there."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clirun import process_env

ROOT = Path(__file__).parents[1]


def _blocks() -> dict[str, str]:
    """The README's sh code blocks by the heading above them."""
    text = (ROOT / "README.md").read_text()
    out: dict[str, str] = {}
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        title = section.splitlines()[0].strip()
        block = re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL)
        if block:
            out[title] = block.group(1)
    return out


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the repository (what the README needs), with a ``baseform`` on PATH."""
    repo = tmp_path / "baseform"
    repo.mkdir()
    (repo / ".git").mkdir()
    for name in ("README.md", "pyproject.toml"):
        shutil.copy(ROOT / name, repo / name)
    for name in ("examples", "schemas"):
        shutil.copytree(ROOT / name, repo / name)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "baseform"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m baseform "$@"\n')
    shim.chmod(0o755)
    return repo


def _bash(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = process_env({"PATH": f"{cwd.parent / 'bin'}:{os.environ.get('PATH', '')}", "HOME": str(cwd.parent)})
    return subprocess.run(["bash", "--noprofile", "--norc", "-e", "-x", "-c", script], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _state(repo: Path) -> Path:
    return repo / ".baseform" / "pocketbase" / "local.json"


def test_the_set_up_line_and_the_tour_run_as_written(checkout: Path) -> None:
    blocks = _blocks()
    set_up = next(line for line in blocks["Set-up"].splitlines() if "baseform local up" in line)
    assert set_up.startswith("python -m pip install -e . && ")
    try:
        done = _bash(set_up.removeprefix("python -m pip install -e . && "), checkout)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Converged" in done.stdout and _state(checkout).exists()

        tour = blocks["A short tour"]
        assert tour.startswith("baseform local up") and "cd examples/pocketbase" in tour
        done = _bash(tour, checkout)
        assert done.returncode == 0, done.stdout + done.stderr
    finally:
        if _state(checkout).exists():  # a failed run leaves the server up: stop it by its recorded PID
            _bash("baseform local down", checkout)
    out = done.stdout
    assert "PocketBase already running at http://127.0.0.1:" in out
    assert "Valid: 24 resource(s) in 1 file(s)." in out
    assert "baseform show plan.json" in done.stderr  # the --out note says how to review the plan
    assert out.count("No changes. The live servers match the manifest.") >= 3  # including from the subdirectory
    assert "pocketbase:\n  collections:\n" in out  # the export
    assert "PocketBase is running at" in out and "Stopped PocketBase" in out
    assert not _state(checkout).exists()
    assert json.loads((checkout / "plan.json").read_text())["format_version"] == "1.0"
    assert not (checkout / "examples" / "pocketbase" / ".baseform").exists()
