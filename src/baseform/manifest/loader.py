"""Load manifest files into plain data plus a map from each value's path to its source position.

``PATH`` arguments are files or directories (all ``*.yaml``/``*.yml`` inside, sorted). Each file is
read as UTF-8, rendered with jinja2, parsed with PyYAML's composer (so every node keeps its line and
column) and merged: mappings merge key by key, lists concatenate, and two different scalars for the
same key are an error naming both places. Problems are collected, never raised one at a time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from baseform.errors import Diagnostic, ManifestError, SourceSpan
from baseform.manifest.template import render_template

__all__ = ["DataPath", "LoadedManifest", "expand_paths", "load_manifest", "load_variables"]

DataPath = tuple[str | int, ...]

# libyaml's parser is ~10x faster and keeps the same node marks; fall back to pure Python
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 500_000


@dataclass
class LoadedManifest:
    """Merged raw data of all files and where each value came from."""

    data: dict[str, Any]
    positions: dict[DataPath, SourceSpan]
    files: list[str]
    texts: dict[str, str] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)
    """Problems found while loading that did not stop it (reported together with later ones)."""
    key_positions: dict[DataPath, SourceSpan] = field(default_factory=dict)
    """Where the key of each mapping entry is written (for "unknown key" errors)."""

    def locate(self, path: Sequence[str | int]) -> SourceSpan | None:
        """Position of the value at ``path``, or of its nearest located ancestor."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), None)

    def locate_key(self, path: Sequence[str | int]) -> SourceSpan | None:
        """Position of the key of the entry at ``path`` (falls back to :meth:`locate`)."""
        return self.key_positions.get(tuple(path)) or self.locate(path)

    def data_path(self, loc: Sequence[Any]) -> DataPath:
        """Map a validation error's ``loc`` onto a path that exists in the data.

        Pydantic adds union tags and model names to ``loc``; they are skipped.
        """
        node: Any = self.data
        out: list[str | int] = []
        for part in loc:
            if isinstance(node, dict) and part in node:
                node = node[part]
                out.append(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
                out.append(part)
        return tuple(out)


def expand_paths(paths: Sequence[str]) -> tuple[list[Path], list[Diagnostic]]:
    """Files named by ``paths`` (directories expand to their sorted YAML files)."""
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for raw in paths or ["baseform.yaml"]:
        p = Path(raw)
        if p.is_dir():
            found = sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml") and x.is_file())
            if not found:
                problems.append(Diagnostic(f"no *.yaml or *.yml files in directory {raw}",
                                           hint="pass a manifest file or a directory that holds them"))
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            problems.append(Diagnostic(f"manifest not found: {raw}",
                                       hint="pass a manifest file or directory (default: baseform.yaml)"))
    return files, problems


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("map", "seq", "str", "int", "float", "bool", "null",
                                                            "timestamp", "merge"))


class _Builder:
    """Turns a composed YAML node tree into plain data while recording positions."""

    def __init__(self, name: str, loader: yaml.SafeLoader, line_exact: bool) -> None:
        self.name = name
        self.loader = loader
        self.line_exact = line_exact
        self.positions: dict[DataPath, SourceSpan] = {}
        self.key_positions: dict[DataPath, SourceSpan] = {}
        self.problems: list[Diagnostic] = []
        self.nodes = 0

    def span(self, node: yaml.Node) -> SourceSpan:
        mark = node.start_mark
        return SourceSpan(self.name, mark.line + 1, mark.column + 1, rendered=not self.line_exact)

    def build(self, node: yaml.Node, path: DataPath, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooLarge(self.span(node), f"more than {MAX_NODES} values (after expanding aliases)")
        if depth > MAX_DEPTH:
            raise _TooLarge(self.span(node), f"nested deeper than {MAX_DEPTH} levels")
        self.positions[path] = self.span(node)
        if node.tag not in _PLAIN_TAGS:
            self.problems.append(Diagnostic(f"unsupported YAML tag {node.tag.rsplit(':', 1)[-1]!r}",
                                            self.span(node), hint="remove the tag; manifests hold plain data"))
            return None
        if node.tag == _TIMESTAMP:
            return node.value  # dates stay the strings the user wrote; backends take them as text
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            out: dict[str, Any] = {}
            seen: dict[Any, yaml.Node] = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node, deep=True)
                if not isinstance(key, str):
                    self.problems.append(Diagnostic(f"key {key!r} must be a string", self.span(key_node),
                                                    hint="quote the key"))
                    key = str(key)
                if key in seen:
                    first = self.span(seen[key])
                    self.problems.append(Diagnostic(
                        f"duplicate key {key!r} (first at line {first.line})", self.span(key_node),
                        hint="remove one of them; YAML would silently keep only the last"))
                seen[key] = key_node
                self.key_positions[(*path, key)] = self.span(key_node)
                out[key] = self.build(value_node, (*path, key), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)


class _TooLarge(Exception):
    def __init__(self, span: SourceSpan, message: str) -> None:
        super().__init__(message)
        self.span = span


_Parsed = tuple[Any, dict[DataPath, SourceSpan], dict[DataPath, SourceSpan], list[Diagnostic]]


def _parse(name: str, text: str, line_exact: bool) -> _Parsed:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, {}, []
        builder = _Builder(name, loader, line_exact)
        data = builder.build(node, ())
        return data, builder.positions, builder.key_positions, builder.problems
    except _TooLarge as e:
        return None, {}, {}, [Diagnostic(f"manifest too large: {e}", e.span,
                                     hint="split it into several files or remove recursive aliases")]
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        span = SourceSpan(name, mark.line + 1, mark.column + 1, rendered=not line_exact) if mark else None
        what = " ".join(x for x in (e.context, e.problem) if x)
        return None, {}, {}, [Diagnostic(f"YAML syntax error: {what}", span,
                                     hint="check indentation, colons and quoting on this line")]
    except yaml.YAMLError as e:
        return None, {}, {}, [Diagnostic(f"YAML error: {e}", SourceSpan(name, 1))]
    except RecursionError:
        return None, {}, {}, [Diagnostic(f"manifest nested too deeply (limit {MAX_DEPTH})", SourceSpan(name, 1))]
    finally:
        loader.dispose()


def _read(path: Path) -> tuple[str | None, Diagnostic | None]:
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, Diagnostic(f"file is {size} bytes; the limit is {MAX_FILE_BYTES}",
                                    SourceSpan(name, 1), hint="split the manifest into several files")
        raw = path.read_bytes()
    except OSError as e:
        return None, Diagnostic(f"cannot read file: {e.strerror}", SourceSpan(name, 1))
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        return None, Diagnostic(f"not valid UTF-8 (byte 0x{raw[e.start]:02x})", SourceSpan(name, line, col),
                                hint="save the file as UTF-8")


def _merge(into: dict[str, Any], positions: dict[DataPath, SourceSpan], data: dict[str, Any],
           data_pos: Mapping[DataPath, SourceSpan], path: DataPath, problems: list[Diagnostic],
           offsets: dict[DataPath, int] | None = None) -> dict[DataPath, int]:
    """Merge ``data`` into ``into``; returns, per concatenated list, the offset its items moved by."""
    offsets = {} if offsets is None else offsets
    for key, value in data.items():
        here = (*path, key)
        if key not in into:
            into[key] = value
            _copy_positions(positions, data_pos, here, here)
            continue
        current = into[key]
        if isinstance(current, dict) and isinstance(value, dict):
            _merge(current, positions, value, data_pos, here, problems, offsets)
        elif isinstance(current, list) and isinstance(value, list):
            offset = len(current)
            offsets[here] = offset
            current.extend(value)
            for i in range(len(value)):
                _copy_positions(positions, data_pos, (*here, i), (*here, offset + i))
        elif current != value:
            first = positions.get(here)
            problems.append(Diagnostic(
                f"{'.'.join(map(str, here))} is set to different values"
                + (f" (also at {first})" if first else ""), data_pos.get(here),
                hint="set it in one file only"))
    return offsets


def _shift(path: DataPath, offsets: Mapping[DataPath, int]) -> DataPath:
    for i in range(len(path)):
        offset = offsets.get(path[:i])
        index = path[i]
        if offset and isinstance(index, int):
            return (*path[:i], index + offset, *path[i + 1:])
    return path


def _copy_positions(positions: dict[DataPath, SourceSpan], source: Mapping[DataPath, SourceSpan],
                    old: DataPath, new: DataPath) -> None:
    n = len(old)
    for p, span in source.items():
        if p[:n] == old:
            positions[(*new, *p[n:])] = span


def load_variables(var_files: Sequence[str], assignments: Sequence[str]) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Template variables: var files in order, then ``KEY=VALUE`` pairs (later ones win)."""
    values: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for name in var_files:
        text, problem = _read(Path(name))
        if problem:
            problems.append(problem)
            continue
        assert text is not None
        data, _, _, found = _parse(name, text, True)
        problems.extend(found)
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.append(Diagnostic("a var file must be a mapping of names to values", SourceSpan(name, 1)))
            continue
        values.update(data)
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            problems.append(Diagnostic(f"--var {item!r} is not KEY=VALUE", hint="e.g. --var env=prod"))
            continue
        values[key.strip()] = value
    return values, problems


def load_manifest(paths: Sequence[str], variables: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> LoadedManifest:
    """Read, render, parse and merge the manifest files.

    Problems that leave usable data (a duplicate key, a file that failed while others loaded) are
    kept in ``problems`` so validation can report them together with its own; ManifestError is
    raised only when no file could be loaded.
    """
    files, problems = expand_paths(paths)
    context = {"env": dict(os.environ if environ is None else environ), "vars": dict(variables or {})}
    merged: dict[str, Any] = {}
    positions: dict[DataPath, SourceSpan] = {}
    key_positions: dict[DataPath, SourceSpan] = {}
    texts: dict[str, str] = {}
    for path in files:
        name = str(path)
        source, problem = _read(path)
        if problem:
            problems.append(problem)
            continue
        assert source is not None
        rendered = render_template(name, source, context)
        if rendered.diagnostic:
            problems.append(rendered.diagnostic)
            continue
        assert rendered.text is not None
        texts[name] = rendered.text
        data, data_pos, key_pos, found = _parse(name, rendered.text, rendered.line_exact)
        problems.extend(found)
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.append(Diagnostic("a manifest must be a mapping (version, providers, sections)",
                                       data_pos.get(()), hint="start the file with `version: 1`"))
            continue
        offsets = _merge(merged, positions, data, data_pos, (), problems)
        for p, span in key_pos.items():
            key_positions[_shift(p, offsets)] = span
    if problems and not texts:
        raise ManifestError(problems)
    return LoadedManifest(merged, positions, [str(f) for f in files], texts, problems, key_positions)
