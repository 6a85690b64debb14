"""The spacetime CLI's project file ``spacetime.json`` read as a ``spacetimedb`` section. Pure.

Shape (crates/cli/src/spacetime_config.rs, SpacetimeDB 2.x): the root object is a database target
with kebab-case keys (``database``, ``server``, ``module-path``, ``bin-path``, ``js-path``,
``break-clients``...), and ``children`` are more targets that inherit the fields they leave unset
(``module-path``, ``bin-path`` and ``js-path`` are inherited only together: a child naming one of them
takes none of the others). Each target with a ``database`` becomes one database; its ``bin-path``
(a .wasm) or ``js-path`` (a bundle) is the module to publish, relative to the file. A
``module-path`` alone names sources the CLI builds first, which baseform does not do: that is an
error saying which key to set instead. ``server`` gives the host (the nicknames ``local`` and
``maincloud`` are the CLI's built-in ones).
"""

from __future__ import annotations

from typing import Any

from baseform.manifest.native import Conversion, DataPath, NativeFormat

__all__ = ["SPACETIME_JSON"]

PROVIDER = "spacetimedb"
_MODULE_KEYS = ("module-path", "bin-path", "js-path")
_SERVERS = {"local": "http://127.0.0.1:3000", "maincloud": "https://maincloud.spacetimedb.com"}
_IGNORED = frozenset({"$schema", "generate", "dev", "build-options", "native-aot", "dotnet-version", "_source-config"})
"""Keys about building, generating bindings or running a dev server: nothing to do with publishing a
built module."""
_UNSUPPORTED = {"parent": "child databases (parent) are published with the spacetime CLI",
                "organization": "organizations are chosen with the spacetime CLI",
                "org": "organizations are chosen with the spacetime CLI",
                "num-replicas": "the replica count is an unstable spacetime CLI option",
                "anon-identity": "baseform publishes with the owner's token (SPACETIMEDB_TOKEN), never anonymously"}
_KNOWN = frozenset({"database", "server", "break-clients", "children", *_MODULE_KEYS, *_IGNORED, *_UNSUPPORTED})


def detect(data: Any) -> bool:
    return isinstance(data, dict) and (isinstance(data.get("database"), str) or isinstance(data.get("children"),
                                                                                           list))


def _targets(node: Any, path: DataPath, inherited: dict[str, tuple[Any, DataPath]],
             conversion: Conversion) -> list[tuple[dict[str, tuple[Any, DataPath]], DataPath, bool]]:
    """(fields with where each is written, the node's path, whether it has children), root first."""
    if not isinstance(node, dict):
        conversion.problem(path, "a spacetime.json target must be an object")
        return []
    fields = {k: (v, (*path, k)) for k, v in node.items() if k != "children"}
    names_source = any(k in node for k in _MODULE_KEYS)
    for key, value in inherited.items():
        if key in fields or (names_source and key in _MODULE_KEYS):
            continue
        fields[key] = value
    children = node.get("children")
    out = [(fields, path, isinstance(children, list) and bool(children))]
    if children is not None and not isinstance(children, list):
        conversion.problem((*path, "children"), "children must be a list of targets")
    for i, child in enumerate(children if isinstance(children, list) else []):
        out.extend(_targets(child, (*path, "children", i), fields, conversion))
    return out


def convert(data: Any) -> Conversion:
    conversion = Conversion()
    databases: list[dict[str, Any]] = []
    hosts: dict[str, DataPath] = {}
    for fields, path, has_children in _targets(data, (), {}, conversion):
        for key in (k for k in fields if fields[k][1][:-1] == path):  # report each key where it is written
            if key in _UNSUPPORTED and fields[key][0] not in (None, False):
                conversion.problem(fields[key][1], f"{key} is not supported: {_UNSUPPORTED[key]}")
            elif key not in _KNOWN:
                conversion.problem(fields[key][1], f"unknown spacetime.json key {key!r} (ignored)", warning=True)
        if "database" not in fields:
            if not has_children:
                conversion.problem(path, "a target without database names no database to publish")
            continue
        name, name_at = fields["database"]
        out_path = (PROVIDER, "databases", len(databases))
        entry: dict[str, Any] = {"name": name}
        conversion.origin((*out_path, "name"), name_at)
        conversion.origin(out_path, path)
        for key, host_type in (("bin-path", None), ("js-path", "js")):
            if key in fields:
                entry["module"] = fields[key][0]
                conversion.origin((*out_path, "module"), fields[key][1])
                if host_type:
                    entry["hostType"] = host_type
                break
        else:
            at = fields["module-path"][1] if "module-path" in fields else name_at
            conversion.problem(at, "baseform publishes a built module: set bin-path to the .wasm (spacetime build "
                                   "writes it) or js-path to the JS bundle" + (
                                       "; module-path names sources the spacetime CLI builds first"
                                       if "module-path" in fields else ""))
        if "break-clients" in fields:
            entry["breakClients"] = fields["break-clients"][0]
            conversion.origin((*out_path, "breakClients"), fields["break-clients"][1])
        if "server" in fields:
            server, at = fields["server"]
            host = _SERVERS.get(server) if isinstance(server, str) else None
            if host is None and isinstance(server, str) and server.startswith(("http://", "https://")):
                host = server
            if host is None:
                conversion.problem(at, f"server {server!r} is a nickname from the spacetime CLI's own config, which "
                                       "baseform does not read: set SPACETIMEDB_HOST", warning=True)
            else:
                hosts.setdefault(host, at)
        databases.append(entry)
    if len(hosts) > 1:
        conversion.problem(list(hosts.values())[1], "the targets name different servers; one manifest publishes to "
                                                   "one host: " + ", ".join(hosts))
    conversion.document = {PROVIDER: {"databases": databases}}
    if len(hosts) == 1:
        conversion.document["providers"] = {PROVIDER: {"host": next(iter(hosts))}}
        conversion.origin(("providers", PROVIDER, "host"), next(iter(hosts.values())))
    return conversion


SPACETIME_JSON = NativeFormat("spacetime CLI project file (spacetime.json)", detect, convert)
