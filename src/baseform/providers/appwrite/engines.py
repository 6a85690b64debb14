"""The storage engine under an Appwrite project, and the limits that depend on it.

Appwrite 1.8 runs on MariaDB (or MySQL); 1.9 adds MongoDB (its installer's default) and PostgreSQL
(2.x's default). Their limits differ (the emulator's FIDELITY.md rows ``row-width``, ``index-length``,
``spatial-*``, ``fulltext-one``, ``identical-indexes``, ``trigram``). A client learns little: only
MongoDB shows itself (every table reports ``bytesMax: 0``), and the Cloud API's database model has
an ``engine`` field. So the engine is what ``providers.appwrite.engine`` says, else what the server
shows, else unknown; unknown means MariaDB's limits, which are the strictest, and a warning for what
only some engine refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from baseform.engine.address import Address
from baseform.engine.resource import DesiredResource
from baseform.errors import Diagnostic

__all__ = ["ENGINES", "Engine", "EngineName", "detect", "engine_findings", "rules"]

EngineName = Literal["mariadb", "mysql", "postgresql", "mongodb"]
ENGINES: tuple[EngineName, ...] = ("mariadb", "mysql", "postgresql", "mongodb")
_ALIASES = {"postgres": "postgresql", "mongo": "mongodb"}


@dataclass(frozen=True, slots=True)
class Engine:
    """What an engine allows. ``name`` None: not known (MariaDB's limits; engine-only refusals warn)."""

    name: EngineName | None
    index_length: int
    row_limit: int
    column_limit: int
    spatial: bool
    spatial_index_null: bool
    spatial_index_order: bool
    multiple_fulltext: bool
    identical_indexes: bool
    trigram: bool
    reserved_index_keys: tuple[str, ...]

    @property
    def known(self) -> bool:
        return self.name is not None

    def describe(self) -> str:
        return self.name or "an unknown engine (MariaDB's limits assumed)"


_SQL_RESERVED = ("primary", "_created_at", "_updated_at", "_tenant_id")
_RULES: dict[EngineName | None, Engine] = {
    "mariadb": Engine("mariadb", 768, 65535, 1010, True, False, True, True, True, False, _SQL_RESERVED),
    "mysql": Engine("mysql", 768, 65535, 1010, True, False, False, True, True, False, _SQL_RESERVED),
    "postgresql": Engine("postgresql", 768, 65535, 1010, True, True, False, True, True, True, ()),
    "mongodb": Engine("mongodb", 1024, 0, 0, False, False, False, False, False, False, ()),
    None: Engine(None, 768, 65535, 1010, True, False, False, True, True, False, _SQL_RESERVED),
}


def rules(name: str | None) -> Engine:
    """The rules of an engine by name (``postgres``/``mongo`` accepted); None or unknown -> unknown."""
    key = _ALIASES.get(name or "", name)
    return _RULES.get(key if key in ENGINES else None, _RULES[None])


def detect(databases: list[dict[str, Any]], tables: list[dict[str, Any]]) -> EngineName | None:
    """The engine the server's answers show: a database's ``engine`` (Cloud API), else MongoDB when
    tables report ``bytesMax: 0`` (1.9.0+), PostgreSQL when a table has a trigram index; None when
    they show nothing."""
    for db in databases:
        name = rules(str(db.get("engine") or "")).name
        if name is not None:
            return name
    if any(t.get("bytesMax") == 0 for t in tables):
        return "mongodb"
    if any(i.get("type") == "trigram" for t in tables for i in t.get("indexes") or [] if isinstance(i, dict)):
        return "postgresql"  # only PostgreSQL has trigram indexes
    return None


# -- refusals that depend on the engine, over desired values (diff shape) ---------------------------
_SPATIAL_TYPES = ("point", "line", "polygon")


def engine_findings(desired: Sequence[DesiredResource], engine: Engine) -> list[Diagnostic]:
    """What the manifest asks that some engines refuse: an error when this engine refuses it (an unknown
    engine refuses what MariaDB does), else a warning when another engine would. Pure."""
    out: list[Diagnostic] = []
    tables: dict[Address, list[DesiredResource]] = {}
    for d in desired:
        if d.address.kind in ("columns", "indexes") and d.address.parent is not None:
            tables.setdefault(d.address.parent, []).append(d)

    def refused(d: DesiredResource, refusing: frozenset[str], message: str, hint: str | None = None) -> None:
        if engine.known:
            if engine.name in refusing:
                out.append(Diagnostic(f"{message}: Appwrite on {engine.name} refuses it", d.source, str(d.address),
                                      hint))
            return
        names = ", ".join(n for n in ENGINES if n in refusing)
        if "mariadb" in refusing:
            out.append(Diagnostic(f"{message}: Appwrite on {names} refuses it", d.source, str(d.address),
                                  hint or "if the project runs on another database, say so with "
                                          "providers.appwrite.engine"))
        else:
            out.append(Diagnostic(f"{message}: Appwrite on {names} refuses it (the project's database is not "
                                  "known; set providers.appwrite.engine to check exactly)", d.source,
                                  str(d.address), hint, warning=True))

    for children in tables.values():
        columns = {d.address.name: d.value for d in children if d.address.kind == "columns"}
        fulltext: list[DesiredResource] = []
        regular: dict[tuple[frozenset[str], frozenset[str]], DesiredResource] = {}
        for d in children:
            value = d.value
            if d.address.kind == "columns" and value.get("type") in _SPATIAL_TYPES:
                refused(d, frozenset({"mongodb"}), f"a {value['type']} column")
                continue
            if d.address.kind != "indexes" or "columns" not in value:
                continue
            kind, names = value["type"], list(value["columns"])
            if d.address.name.lower() in _SQL_RESERVED:
                refused(d, frozenset({"mariadb", "mysql"}), f"the index key {d.address.name!r} is reserved")
            if kind == "fulltext":
                if fulltext:
                    refused(d, frozenset({"mongodb"}), f"a second fulltext index (after {fulltext[0].address.name!r})")
                fulltext.append(d)
            elif kind in ("key", "unique"):
                signature = (frozenset(names), frozenset(value.get("orders") or []))
                twin = regular.setdefault(signature, d)
                if twin is not d:
                    refused(d, frozenset({"mongodb"}), f"an index over the same columns and orders as "
                                                        f"{twin.address.name!r}")
            elif kind == "spatial":
                optional = [n for n in names if n in columns and not columns[n].get("required")]
                if optional:
                    refused(d, frozenset({"mariadb", "mysql", "mongodb"}),
                            f"a spatial index over {optional[0]!r}, which is not required",
                            "make the column required (PostgreSQL allows it: providers.appwrite.engine: "
                            "postgresql)")
                if any(o != "ASC" for o in value.get("orders") or []):
                    refused(d, frozenset({"mysql", "postgresql", "mongodb"}), "orders on a spatial index")
            elif kind == "trigram":
                refused(d, frozenset({"mariadb", "mysql", "mongodb"}), "a trigram index",
                        "trigram indexes exist on PostgreSQL only (providers.appwrite.engine: postgresql)")
    return out
