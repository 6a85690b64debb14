"""The Appwrite CLI as a peer: ``appwrite push`` of the bench's schema, non-interactively.

The CLI (npm ``appwrite-cli``, :data:`VERSION`) is installed by the bench into ``bench/.peers/``
(gitignored) with npm the first time it is needed. It is configured the way its README tells CI to
(``appwrite client --endpoint URL --project-id ID --key KEY``, which writes ``~/.appwrite/prefs.json``
and ``appwrite.config.json``; HOME points at a temporary folder so no real configuration is touched)
and pushed with ``--all --force`` (no prompt, every resource): ``push tables`` (databases first),
``push buckets``, ``push teams``.

:func:`cli_config` writes the bench manifest as the ``appwrite.config.json`` a user would have pulled:
the same databases, tables, columns, indexes, buckets and teams, permissions in the server's expanded
form. The CLI at this version creates columns through the per-type attribute routes of the legacy
databases API, which know ``string`` (with ``format``) but not the 1.9 text types, so ``varchar``
columns are ``string`` of the same size and ``text`` columns ``string`` of 65535 (stored as TEXT,
as a 1.9 ``text`` column is). Pure, except :func:`install`.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["PUSHES", "RECREATED_NOTE", "VERSION", "cli_config", "client_command", "install"]

VERSION = "12.0.1"
"""The newest appwrite-cli on npm when the bench was written (the issue's measurements used it)."""

_HOME = Path(__file__).resolve().parent.parent / ".peers" / f"appwrite-cli-{VERSION}"
_WRITE = ("create", "update", "delete")


def install() -> Path:
    """The ``appwrite`` executable, installed with npm into ``bench/.peers/`` on first use."""
    binary = _HOME / "node_modules" / ".bin" / "appwrite"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed: the Appwrite CLI peer needs Node.js and npm")
    _HOME.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--prefix", str(_HOME), "--no-audit", "--no-fund", "--loglevel=error",
                    f"appwrite-cli@{VERSION}"], check=True, stdin=subprocess.DEVNULL, capture_output=True,
                   timeout=600)
    return binary


def _permissions(value: Any) -> list[str]:
    pairs = value.items() if isinstance(value, dict) else []
    out = {f'{a}("{role}")' for action, roles in pairs for role in roles
           for a in (_WRITE if action == "write" else (action,))}
    return sorted(out)


def _column(column: Mapping[str, Any]) -> dict[str, Any]:
    kind = column["type"]
    out: dict[str, Any] = {"key": column["key"], "required": bool(column.get("required", False)), "array": False}
    if kind in ("varchar", "text"):
        out |= {"type": "string", "size": column.get("size", 65535)}
    elif kind in ("email", "url", "ip", "enum"):
        out |= {"type": "string", "format": kind, "size": 255 if kind == "enum" else 2000}
        if kind == "enum":
            out["elements"] = list(column["elements"])
    elif kind == "float":
        out["type"] = "double"
    elif kind == "relationship":
        out |= {"type": "relationship", "relatedTable": column["relatedTable"], "relationType": column["relationType"],
                "twoWay": False, "twoWayKey": None, "onDelete": column["onDelete"], "side": "parent"}
        del out["array"]
    else:
        out["type"] = kind
    for key in ("min", "max"):
        if key in column:
            out[key] = column[key]
    if kind != "relationship":
        out["default"] = column.get("default")
    return out


def cli_config(manifest: Mapping[str, Any], *, project: str, endpoint: str) -> dict[str, Any]:
    """The ``appwrite.config.json`` of a bench manifest (parsed YAML)."""
    section = manifest["appwrite"]
    databases, tables = [], []
    for db in section.get("databases", []):
        databases.append({"$id": db["id"], "name": db["name"], "enabled": True})
        for table in db.get("tables") or []:
            tables.append({
                "$id": table["id"], "$permissions": _permissions(table.get("permissions")), "databaseId": db["id"],
                "name": table["name"], "enabled": True, "rowSecurity": False,
                "columns": [_column(c) for c in table.get("columns", [])],
                "indexes": [{"key": i["key"], "type": i["type"], "status": "available", "columns": i["columns"],
                             "orders": i.get("orders", ["ASC"] * len(i["columns"]))}
                            for i in table.get("indexes", [])]})
    buckets = [{"$id": b["id"], "$permissions": sorted(b.get("permissions", [])), "fileSecurity": False,
                "name": b["name"], "enabled": True, "maximumFileSize": b["maximumFileSize"],
                "allowedFileExtensions": b["allowedFileExtensions"], "compression": "none", "encryption": True,
                "antivirus": True} for b in section.get("buckets", [])]
    teams = [{"$id": t["id"], "name": t["name"]} for t in section.get("teams", [])]
    return {"projectId": project, "endpoint": endpoint, "projectName": "bench", "tablesDB": databases,
            "tables": tables, "buckets": buckets, "teams": teams}


PUSHES = (("push", "tables"), ("push", "buckets"), ("push", "teams"))
"""What a CI job runs for a project of databases, buckets and teams (each with ``--all --force``)."""

RECREATED_NOTE = ("the config as a user writes it, without the keys the server fills in (`encrypt` on string "
                  "columns, `format` on datetime columns, `array` and `twoWayKey` on relationships): the CLI "
                  "reads each missing key as a change that needs the column recreated and, under `--force`, "
                  "deletes those columns (and their data)")


def client_command(endpoint: str, project: str, key: str) -> list[str]:
    """``appwrite client ...``: points the CLI at the server non-interactively (README, "CI")."""
    return ["client", "--endpoint", endpoint, "--project-id", project, "--key", key]
