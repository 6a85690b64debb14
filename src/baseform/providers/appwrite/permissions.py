"""Appwrite permission strings: grammar, validation, and the server's normal form.

The server parses every ``action("role")`` entry and re-serialises it, expanding ``write`` into
``create``, ``update`` and ``delete`` and dropping duplicates (utopia ``Permission::aggregate``,
FIDELITY.md [permissions]). Both sides of a diff use that expansion as a sorted set, so neither the manifest's
form nor its order ever shows up as a change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["ACTIONS", "MAX_PERMISSIONS", "PermissionProblem", "collapse", "normalize", "parse", "role_problem"]

ACTIONS = ("read", "create", "update", "delete", "write")
_WRITE = ("create", "update", "delete")
MAX_PERMISSIONS = 100
_KEY = re.compile(r"(?![._-])[A-Za-z0-9._-]{1,36}")
_TEAM_ROLE = re.compile(r"(?![._-])[A-Za-z0-9._-]{1,81}")
_LABEL = re.compile(r"[A-Za-z0-9]{1,36}")
_ENTRY = re.compile(r'(?P<action>[A-Za-z]+)\("(?P<role>[^"]*)"\)')


@dataclass(frozen=True, slots=True)
class PermissionProblem:
    """An invalid entry: ``path`` is its position inside the ``permissions`` value."""

    path: tuple[str | int, ...]
    message: str


def role_problem(role: str) -> str | None:
    """Why ``role`` is not a valid Appwrite role (``any``, ``users/verified``, ``team:ID/ROLE``...)."""
    if role == "*":
        return 'the wildcard "*" was replaced by "any"'
    if "role:" in role:
        return 'the "role:" prefix is pre-1.0 syntax; use "any", "users" or "guests"'
    name, colon, rest = role.partition(":")
    if colon:
        identifier, slash, dimension = rest.partition("/")
    else:
        name, slash, dimension = name.partition("/")
        identifier = ""
    if name in ("any", "guests"):
        return None if not (colon or slash) else f'role "{name}" takes no id or dimension'
    if name == "users":
        if colon:
            return 'role "users" takes no id (use "user:ID" for one user)'
        return None if not slash or dimension in ("verified", "unverified") else \
            'the only dimensions of "users" are verified and unverified'
    if name in ("user", "team", "member", "label"):
        if not colon:
            return f'role "{name}" needs an id: "{name}:ID"'
        valid_id = _LABEL.fullmatch(identifier) if name == "label" else _KEY.fullmatch(identifier)
        if not valid_id:
            rule = "letters and digits only, at most 36" if name == "label" else \
                "at most 36 of a-z A-Z 0-9 . - _, not starting with . - _"
            return f'{identifier!r} is not a valid {name} id ({rule})'
        if not slash:
            return None
        if name == "user":
            return None if dimension in ("verified", "unverified") else \
                'the only dimensions of "user:ID" are verified and unverified'
        if name == "team":
            return None if _TEAM_ROLE.fullmatch(dimension) else f"{dimension!r} is not a valid team role"
        return f'role "{name}" takes no dimension'
    return f"unknown role {name!r}; roles are any, guests, users, user:ID, team:ID, member:ID, label:NAME"


def _entries(value: Sequence[str] | Mapping[str, Sequence[str]]) -> list[tuple[tuple[str | int, ...], str, str]]:
    """(path, action, role) of every entry, or ("", raw) pairs for unparsable native strings."""
    out: list[tuple[tuple[str | int, ...], str, str]] = []
    if isinstance(value, Mapping):
        for action, roles in value.items():
            for i, role in enumerate(roles):
                out.append(((action, i), action, role))
        return out
    for i, text in enumerate(value):
        m = _ENTRY.fullmatch(text)
        out.append(((i,), m["action"], m["role"]) if m else ((i,), "", text))
    return out


def parse(value: Sequence[str] | Mapping[str, Sequence[str]]) -> tuple[list[str], list[PermissionProblem]]:
    """Validate ``value`` and return its normal form (see :func:`normalize`) and every problem. Pure."""
    problems: list[PermissionProblem] = []
    valid: list[tuple[str, str]] = []
    entries = _entries(value)
    if len(entries) > MAX_PERMISSIONS:
        problems.append(PermissionProblem((), f"{len(entries)} permissions; Appwrite accepts at most "
                                              f"{MAX_PERMISSIONS}"))
    for path, action, role in entries:
        if not action:
            problems.append(PermissionProblem(path, f"{role!r} is not a permission: write it as "
                                                    'action("role"), e.g. read("any")'))
            continue
        if action not in ACTIONS:
            problems.append(PermissionProblem(path, f"unknown permission action {action!r}; actions are "
                                                    + ", ".join(ACTIONS)))
            continue
        reason = role_problem(role)
        if reason:
            problems.append(PermissionProblem(path, f"invalid role {role!r}: {reason}"))
            continue
        valid.append((action, role))
    return _expand(valid), problems


def _expand(pairs: Sequence[tuple[str, str]]) -> list[str]:
    out = {f'{a}("{role}")' for action, role in pairs for a in (_WRITE if action == "write" else (action,))}
    return sorted(out)


def normalize(value: Sequence[str] | Mapping[str, Sequence[str]]) -> list[str]:
    """The server's form: ``write`` expanded, canonical ``action("role")`` strings, sorted, unique.

    Invalid entries are dropped (validation reports them). Pure.
    """
    return parse(value)[0]


def collapse(permissions: Sequence[str]) -> list[str]:
    """The shortest native form of a normal-form list: create+update+delete of a role -> write."""
    pairs = [(m["action"], m["role"]) for m in map(_ENTRY.fullmatch, permissions) if m]
    roles = {role for _, role in pairs}
    out: list[str] = []
    for role in sorted(roles):
        actions = {a for a, r in pairs if r == role}
        if set(_WRITE) <= actions:
            actions = (actions - set(_WRITE)) | {"write"}
        out.extend(f'{a}("{role}")' for a in ACTIONS if a in actions)
    return out
