"""``baseform local up|status|down`` and plans that fall back to the local server's connection."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clirun import run_cli

EXAMPLE = Path(__file__).parents[3] / "examples" / "pocketbase"


def test_local_up_then_plan_and_apply_without_any_connection_settings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # `.baseform/` is looked up in the working directory
    up = run_cli(["local", "up"], env={})
    try:
        assert up.code == 0, up.text
        password = run_cli(["local", "status", "--show-password"], env={}).out.split("password:")[1].split()[0]
        assert password not in up.text and "local.env" in up.out

        again = run_cli(["local", "up"], env={})
        assert again.code == 0 and "already running" in again.out and password not in again.out
        status = run_cli(["local", "status"], env={})
        assert "is running at http://127.0.0.1:" in status.out

        apply = run_cli(["apply", str(EXAMPLE), "--auto-approve"], env={})
        assert apply.code == 0, apply.text
        assert password not in apply.text
        plan = run_cli(["plan", str(EXAMPLE), "--detailed-exitcode"], env={})
        assert plan.code == 0, plan.text
    finally:
        down = run_cli(["local", "down"], env={})
    assert down.code == 0 and "Stopped PocketBase" in down.out
    stopped = run_cli(["local", "status"], env={})
    assert stopped.code == 1 and "not running" in stopped.out
    missing = run_cli(["plan", str(EXAMPLE)], env={})
    assert missing.code == 1 and "POCKETBASE_URL" in missing.err and "baseform local up" in missing.err
