"""Emulated SpacetimeDB releases and the rules that differ between them.

Each gate names the first release tag whose source has the behaviour; FIDELITY.md lists the same
facts with their source files. Releases before 1.9.0 answered ``pre_publish`` with another shape
(a struct, and a 400 for a manual migration) and checked ownership with another error, so they are
not emulated.
"""

from __future__ import annotations

Version = tuple[int, int, int]

MIN_VERSION: Version = (1, 9, 0)
DEFAULT_VERSION = "2.8.3"


def parse_version(text: str) -> Version:
    """``"2.8.3"`` (a leading ``v`` and a ``-suffix`` are ignored) as a comparable tuple."""
    core = text.strip().lstrip("v").split("-", 1)[0]
    parts = [int(p) for p in core.split(".")]
    while len(parts) < 3:
        parts.append(0)
    return parts[0], parts[1], parts[2]


# crates/client-api-messages/src/name.rs: PrePublish{Auto,Manual}MigrateResult.major_version_upgrade
MAJOR_VERSION_FIELD: Version = (2, 0, 0)
# crates/schema/src/auto_migrate.rs: AutoMigrateStep::RemoveTable (before: AutoMigrateError::RemoveTable)
REMOVE_TABLE: Version = (2, 2, 0)
# crates/schema/src/auto_migrate.rs: AutoMigrateStep::ChangePrimaryKey (before: no step at all)
CHANGE_PRIMARY_KEY: Version = (2, 2, 0)
# crates/schema/src/auto_migrate.rs: AutoMigrateStep::AddConstraint (before: AutoMigrateError::AddUniqueConstraint)
ADD_CONSTRAINT: Version = (2, 8, 0)
