"""The host's migration plan for publishing an artifact over a live module (``pre_publish``). Pure.

``POST /v1/database/:name/pre_publish`` (crates/client-api/src/routes/database.rs, SpacetimeDB 1.9+)
answers ``{"AutoMigrate": {"migrate_plan", "break_clients", "token", "major_version_upgrade"?}}`` or
``{"ManualMigrate": {"reason", "major_version_upgrade"?}}``. The token is the hash of (database,
live module, new module): publishing with it and ``policy=BreakClients`` applies exactly the planned
migration, and the host refuses it once the live module is another one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from baseform.types import JSON, JSONObject

__all__ = ["Migration", "parse_pre_publish"]

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True, slots=True)
class Migration:
    automatic: bool
    lines: tuple[str, ...]
    """The plan's steps (automatic) or the reasons (manual), as the host prints them, blank lines dropped."""
    breaks_clients: bool = False
    token: str | None = None
    major_version_upgrade: bool = False

    @property
    def reason(self) -> str:
        return "; ".join(line.strip() for line in self.lines)

    def to_json(self) -> JSONObject:
        return {"automatic": self.automatic, "lines": list(self.lines), "breaks_clients": self.breaks_clients,
                "token": self.token, "major_version_upgrade": self.major_version_upgrade}

    @classmethod
    def from_json(cls, value: JSON) -> Migration:
        return cls(bool(value["automatic"]), tuple(value["lines"]), bool(value["breaks_clients"]), value["token"],
                   bool(value["major_version_upgrade"]))


def _lines(text: str, drop: tuple[str, ...]) -> tuple[str, ...]:
    out = []
    for line in _ANSI.sub("", text).splitlines():
        if not line.strip() or line.strip("━ ") == "" or line.strip() in drop:
            continue
        out.append(line.rstrip())
    return tuple(out)


def parse_pre_publish(answer: JSON) -> Migration:
    """The migration in a ``pre_publish`` answer. Raises ValueError for any other shape (hosts before
    1.9 answered differently)."""
    if isinstance(answer, dict) and isinstance(answer.get("AutoMigrate"), dict):
        auto = answer["AutoMigrate"]
        token = auto.get("token")
        return Migration(True, _lines(str(auto.get("migrate_plan", "")), ("Database Migration Plan",)),
                         bool(auto.get("break_clients")), None if token is None else str(token),
                         bool(auto.get("major_version_upgrade")))
    if isinstance(answer, dict) and isinstance(answer.get("ManualMigrate"), dict):
        manual = answer["ManualMigrate"]
        return Migration(False, _lines(str(manual.get("reason", "")), ("Errors occurred:",)),
                         major_version_upgrade=bool(manual.get("major_version_upgrade")))
    raise ValueError("the host's pre_publish answer is neither AutoMigrate nor ManualMigrate")
