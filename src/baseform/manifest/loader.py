"""Load manifest files into plain data plus a map from each value's path to its source position.

``PATH`` arguments are files or directories (all ``*.yaml``/``*.yml`` inside, sorted). Each file is
read as UTF-8, rendered with jinja2, parsed with PyYAML's composer (so every node keeps its line and
column) and merged: mappings merge key by key, lists concatenate, and two different scalars for the
same key are an error naming both places. Problems are collected, never raised one at a time.

A file given as a PATH or listed under a manifest's ``include`` may instead be a backend's own
schema file (:mod:`baseform.manifest.native`): it is read as it is (JSON is not templated), converted
by the format that recognises it, and merged like a manifest, its values keeping the native file's
positions.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from baseform import collector
from baseform.errors import Diagnostic, ManifestError, SourceSpan
from baseform.manifest.native import DataPath, NativeFormat, NativeFormats, remap_positions
from baseform.manifest.template import TemplateResult, render_template

__all__ = ["DataPath", "LoadedManifest", "data_path_in", "expand_paths", "load_manifest", "load_variables"]

# libyaml's parser is ~10x faster and keeps the same node marks; fall back to pure Python
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """The safe loader, made cheaper for manifests. The composer asks it three things per node:

    * the node's tag (:meth:`resolve`): a manifest repeats the same keys and values thousands of times,
      and resolving each scalar anew (regular expressions, in Python) is a third of parsing it, so the
      answers are remembered (:func:`_remember_resolve`, in C);
    * to step into and out of the node for path resolvers, which the safe loader has none of: both
      are built-ins that take the same arguments and do nothing of use (a call in C, not in Python).
    """

    descend_resolver = slice  # (parent node, index) -> an unused slice
    ascend_resolver = tuple  # () -> an unused empty tuple


def _remember_resolve(loader: type[yaml.SafeLoader]) -> None:
    """Give LOADER a ``resolve`` whose answers are remembered across files (a C-level cache). Tag
    resolution reads only LOADER's class-level tables, so one instance that is never used to parse
    answers for all of them."""
    resolver = loader.__new__(loader)
    remembered = functools.lru_cache(maxsize=1 << 16)(functools.partial(yaml.resolver.BaseResolver.resolve, resolver))
    loader.resolve = staticmethod(remembered)  # type: ignore[method-assign]


_remember_resolve(_Loader)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 500_000
MAX_ALIAS_RATIO = 50
"""Aliases may repeat a value, but a document whose values expand to more than this many times the
values it writes (and to more than 10,000) is an alias bomb, refused before anything is expanded."""


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
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """Files found in a directory that were not loaded, with the reason (not baseform manifests)."""

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
        """Map a validation error's ``loc`` onto a path that exists in the data."""
        return data_path_in(self.data, loc)


def data_path_in(data: Any, loc: Sequence[Any]) -> DataPath:
    """Map a validation error's ``loc`` onto a path that exists in DATA.

    Pydantic adds union tags and model names to ``loc``; they are skipped.
    """
    node: Any = data
    out: list[str | int] = []
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
            out.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            out.append(part)
    return tuple(out)


def expand_paths(paths: Sequence[str]) -> tuple[list[Path], list[Diagnostic], set[Path], list[tuple[str, str]]]:
    """Files named by ``paths`` (directories expand to their sorted YAML files).

    Returns the files, the problems, which files came from listing a directory (they are loaded only
    if they turn out to be baseform manifests) and the files skipped outright, with the reason
    (dotfiles: ``.pre-commit-config.yaml`` and the like belong to other tools).
    """
    files: list[Path] = []
    problems: list[Diagnostic] = []
    listed: set[Path] = set()
    skipped: list[tuple[str, str]] = []
    for raw in paths or ["baseform.yaml"]:
        p = Path(raw)
        if p.is_dir():
            found = sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml") and x.is_file())
            skipped += [(str(x), "a dotfile") for x in found if x.name.startswith(".")]
            found = [x for x in found if not x.name.startswith(".")]
            if not found:
                problems.append(Diagnostic(f"no *.yaml or *.yml files in directory {raw}",
                                           hint="pass a manifest file or a directory that holds them"))
            files.extend(found)
            listed.update(found)
        elif p.is_file():
            files.append(p)
        else:
            problems.append(Diagnostic(f"manifest not found: {raw}",
                                       hint="pass a manifest file or directory (default: baseform.yaml)"))
    return files, problems, listed, skipped


# a key at the start of a line (the top level of a block mapping), quoted or plain
_TOP_KEY = re.compile(r"""^(?:"([^"\n]+)"|'([^'\n]+)'|([^\s#'"{}\[\]&*!|>%@`,?:-][^:#\n]*?))[ \t]*:(?=[ \t]|$)""",
                      re.MULTILINE)


def _foreign(text: str, manifest_keys: frozenset[str]) -> str | None:
    """Why TEXT (a YAML file found in a directory) is not a baseform manifest, or None when it may be.

    Judged on the raw text (top-level keys), before templating, so another tool's file is never
    rendered: a GitHub workflow's ``${{ }}`` is not a template error of ours.
    """
    keys = {next(g for g in m.groups() if g) for m in _TOP_KEY.finditer(text)}
    # `version` alone decides nothing: docker-compose files have one too
    if not keys or keys & (manifest_keys - {"version"}):
        return None
    shown = ", ".join(sorted(keys)[:3]) + (", ..." if len(keys) > 3 else "")
    return f"no baseform section at its top level ({shown})"


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("map", "seq", "str", "int", "float", "bool", "null",
                                                            "timestamp", "merge"))


_BOOLEANS: dict[str, bool] = yaml.constructor.SafeConstructor.bool_values

# a SourceSpan made in C (a named tuple's own constructor is a Python function): the builder makes two
# per value of a manifest
_new_span = tuple.__new__


class _Builder:
    """Turns a composed YAML node tree into plain data while recording positions."""

    def __init__(self, name: str, loader: yaml.SafeLoader, line_exact: bool, merges: bool = True) -> None:
        self.name = name
        self.loader = loader
        self.rendered = not line_exact
        self.merges = merges
        """False when the text cannot hold a merge key (``<<``): mappings are not searched for one."""
        self.positions: dict[DataPath, SourceSpan] = {}
        self.key_positions: dict[DataPath, SourceSpan] = {}
        self.problems: list[Diagnostic] = []
        self.nodes = 0

    def span(self, node: yaml.Node) -> SourceSpan:
        mark = node.start_mark
        return SourceSpan(self.name, mark.line + 1, mark.column + 1, self.rendered)

    def build(self, node: yaml.Node, path: DataPath, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooLarge(self.span(node), f"more than {MAX_NODES} values (after expanding aliases)")
        if depth > MAX_DEPTH:
            raise _TooLarge(self.span(node), f"nested deeper than {MAX_DEPTH} levels")
        mark = node.start_mark
        self.positions[path] = _new_span(SourceSpan, (self.name, mark.line + 1, mark.column + 1, self.rendered))
        tag = node.tag
        if tag == _STR:  # the common case first: no constructor needed
            return node.value
        if tag not in _PLAIN_TAGS:
            self.problems.append(Diagnostic(f"unsupported YAML tag {tag.rsplit(':', 1)[-1]!r}",
                                            self.span(node), hint="remove the tag; manifests hold plain data"))
            return None
        if tag == _TIMESTAMP:
            return node.value  # dates stay the strings the user wrote; backends take them as text
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        value = node.value
        # the common spellings without the constructor: decimal numbers (YAML 1.1 reads 010 as octal)
        # and booleans (the resolver's pattern has already checked the word)
        if tag == _INT and value.isascii() and value.isdigit() and (value[0] != "0" or value == "0"):
            return int(value)
        if tag == _BOOL and value.lower() in _BOOLEANS:
            return _BOOLEANS[value.lower()]
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: DataPath, depth: int) -> dict[str, Any]:
        # keys written in this mapping (not brought in by a `<<` merge, which they override)
        written: set[int] | None = None
        if self.merges and any(k.tag == _MERGE for k, _ in node.value):
            written = {id(k) for k, _ in node.value if k.tag != _MERGE}
            self.loader.flatten_mapping(node)
        out: dict[str, Any] = {}
        seen: dict[Any, yaml.Node] = {}
        name, rendered, positions, key_positions = self.name, self.rendered, self.positions, self.key_positions
        for key_node, value_node in node.value:
            key = key_node.value if key_node.tag == _STR else self.loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                self.problems.append(Diagnostic(f"key {key!r} must be a string", self.span(key_node),
                                                hint="quote the key"))
                key = str(key)
            if key in seen and (written is None or (id(key_node) in written and id(seen[key]) in written)):
                first = self.span(seen[key])
                self.problems.append(Diagnostic(
                    f"duplicate key {key!r} (first at line {first.line})", self.span(key_node),
                    hint="remove one of them; YAML would silently keep only the last"))
            seen[key] = key_node
            here = (*path, key)
            mark = key_node.start_mark
            key_positions[here] = _new_span(SourceSpan, (name, mark.line + 1, mark.column + 1, rendered))
            if value_node.tag == _STR and depth < MAX_DEPTH and self.nodes < MAX_NODES:
                # a string value, the most common node, without a call of build (which does the same)
                self.nodes += 1
                mark = value_node.start_mark
                positions[here] = _new_span(SourceSpan, (name, mark.line + 1, mark.column + 1, rendered))
                out[key] = value_node.value
            else:
                out[key] = self.build(value_node, here, depth + 1)
        return out


class _TooLarge(Exception):
    def __init__(self, span: SourceSpan, message: str,
                 hint: str = "split it into several files or remove recursive aliases") -> None:
        super().__init__(message)
        self.span = span
        self.hint = hint


_Parsed = tuple[Any, dict[DataPath, SourceSpan], dict[DataPath, SourceSpan], list[Diagnostic]]


def _expansion(root: yaml.Node) -> tuple[int, int] | None:
    """(values written, values after expanding aliases) of a composed document, counted without
    expanding anything; None when an alias refers to a node that contains it (a recursive alias)."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        if children_done:
            visiting.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            continue
        if key in sizes:
            continue
        if any(id(c) in visiting for c in children) or (children and id(node) in {id(c) for c in children}):
            return None
        visiting.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return len(sizes), sizes[id(root)]


# an anchor (`&name`) where YAML allows one: before a value, after an indicator or whitespace
_ANCHOR = re.compile(r"(?:^|[\s\[{,:?-])&[^\s\[\]{},]")


def _alias_bomb(root: yaml.Node) -> str | None:
    """Why the document's aliases expand too far (refused before building), or None."""
    counted = _expansion(root)
    if counted is None:
        return "an alias refers to a value that contains it (a recursive alias)"
    written, expanded = counted
    if expanded > MAX_NODES or (expanded > 10_000 and expanded > MAX_ALIAS_RATIO * written):
        return (f"its aliases expand {written} written values into {expanded} (more than {MAX_ALIAS_RATIO} times "
                "as many): an alias bomb?")
    return None


def _build(name: str, text: str, line_exact: bool, loader_class: type[yaml.SafeLoader]) -> _Parsed:
    """Compose ``text`` and build plain data with positions. Raises yaml.YAMLError on bad syntax."""
    loader = loader_class(text)
    try:
        node = collector.keep(loader.get_single_node())  # tens of thousands of nodes: freed at exit
        if node is None:
            return None, {}, {}, []
        # no anchor, no alias to expand (`&` first: the pattern takes a while to search a large file)
        bomb = _alias_bomb(node) if "&" in text and _ANCHOR.search(text) else None
        if bomb:
            raise _TooLarge(SourceSpan(name, 1, rendered=not line_exact), bomb,
                            "write the values out, or use aliases that repeat a value a few times only")
        # a merge key is `<<` or carries an explicit tag (`!!merge`, or the same spelt another way)
        builder = _Builder(name, loader, line_exact, merges="<<" in text or "!" in text)
        data = builder.build(node, ())
        return data, builder.positions, builder.key_positions, builder.problems
    except _TooLarge as e:
        return None, {}, {}, [Diagnostic(f"manifest too large: {e}", e.span, hint=e.hint)]
    except RecursionError:
        return None, {}, {}, [Diagnostic(f"manifest nested too deeply (limit {MAX_DEPTH})", SourceSpan(name, 1))]
    finally:
        loader.dispose()


def _parse(name: str, text: str, line_exact: bool) -> _Parsed:
    try:
        return _build(name, text, line_exact, _Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        span = SourceSpan(name, mark.line + 1, mark.column + 1, rendered=not line_exact) if mark else None
        what = " ".join(x for x in (e.context, e.problem) if x)
        return None, {}, {}, [Diagnostic(f"YAML syntax error: {what}", span,
                                     hint="check indentation, colons and quoting on this line")]
    except yaml.YAMLError as e:
        return None, {}, {}, [Diagnostic(f"YAML error: {e}", SourceSpan(name, 1))]


class _JsonLoader(_Loader):
    """Reads JSON with positions: YAML 1.1 takes ``1e5`` for a string, JSON for a number."""


_JsonLoader.add_implicit_resolver("tag:yaml.org,2002:float",
                                  re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$"),
                                  list("-0123456789"))
_remember_resolve(_JsonLoader)  # its own tables, with the float rule above

# a UTF-16 surrogate pair escape (JSON's only way to escape a character beyond U+FFFF; YAML has \U)
_SURROGATES = re.compile(r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)


def _pair(match: re.Match[str]) -> str:
    high, low = int(match.group(2), 16), int(match.group(3), 16)
    return f"{match.group(1)}\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08X}"


def _parse_json(name: str, text: str, line_exact: bool = True) -> _Parsed:
    """Parse a JSON file with positions. JSON's own parser checks the syntax (and locates errors);
    YAML's composer, which reads JSON, supplies the positions."""
    try:
        plain = json.loads(text)
    except json.JSONDecodeError as e:
        span = SourceSpan(name, e.lineno, e.colno, rendered=not line_exact)
        return None, {}, {}, [Diagnostic(f"JSON syntax error: {e.msg}", span,
                                     hint="check the commas, quotes and brackets around this position")]
    except RecursionError:
        return None, {}, {}, [Diagnostic(f"file nested too deeply (limit {MAX_DEPTH})", SourceSpan(name, 1))]
    # in valid JSON a tab can only be whitespace (in strings it is escaped), which YAML may refuse
    prepared = _SURROGATES.sub(_pair, text.replace("\t", " "))
    try:
        return _build(name, prepared, line_exact, _JsonLoader)
    except yaml.YAMLError:
        # valid JSON that YAML cannot read: the data without positions inside the file
        return plain, {(): SourceSpan(name, 1, rendered=not line_exact)}, {}, []


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


def _nearest(positions: Mapping[DataPath, SourceSpan], path: DataPath) -> SourceSpan | None:
    while path:
        if path in positions:
            return positions[path]
        path = path[:-1]
    return positions.get(())


class _Files:
    """Loads manifest and native files one by one into one merged document."""

    def __init__(self, natives: NativeFormats, context: Mapping[str, Any]) -> None:
        self.natives = natives
        self.context = context
        self.merged: dict[str, Any] = {}
        self.positions: dict[DataPath, SourceSpan] = {}
        self.key_positions: dict[DataPath, SourceSpan] = {}
        self.texts: dict[str, str] = {}
        self.files: list[str] = []
        self.skipped: list[tuple[str, str]] = []
        self.problems: list[Diagnostic] = []
        # providers blocks of native files: used only where no manifest sets the key
        self.defaults: dict[str, Any] = {}
        self.default_positions: dict[DataPath, SourceSpan] = {}
        self.default_keys: dict[DataPath, SourceSpan] = {}

    def load(self, path: Path, listed: bool = False) -> None:
        """A file given as a PATH: a baseform manifest (YAML or JSON) or a native schema file. A file
        LISTED from a directory is skipped (and named in ``skipped``) when it is not a manifest."""
        name = str(path)
        source, problem = _read(path)
        if source is not None and listed:
            reason = _foreign(source, self.natives.manifest_keys)
            if reason:
                self.skipped.append((name, reason))
                return
        self.files.append(name)
        if problem:
            self.problems.append(problem)
            return
        assert source is not None
        is_json = path.suffix.lower() == ".json"
        if is_json:
            data, data_pos, key_pos, found = _parse_json(name, source)
            if data is None or not self.natives.is_manifest(data):
                self.problems.extend(found)
                if data is not None:
                    self.texts[name] = source
                    self.native(path, data, data_pos, key_pos, None)
                return
            # a baseform manifest written in JSON: templated like any other
        rendered = render_template(name, source, self.context)
        if rendered.text is None:
            self.problems.extend(rendered.diagnostics)
            return
        self.texts[name] = rendered.text
        parse = _parse_json if is_json else _parse
        data, data_pos, key_pos, found = parse(name, rendered.text, rendered.line_exact)
        undefined = self._undefined(rendered, data_pos)
        self.problems.extend(undefined)
        if any(not u.warning for u in undefined):
            return  # what the file holds was rendered with holes: its other problems would be echoes
        self.problems.extend(found)
        if data is None:
            return
        if self.natives.detect(data) is not None:
            self.native(path, data, data_pos, key_pos, None)
            return
        if not isinstance(data, dict):
            self.problems.append(Diagnostic(
                "a manifest must be a mapping (version, providers, sections)", data_pos.get(()),
                hint=f"start the file with `version: 1`; native schema files read: {self.natives.names()}"))
            return
        self.merge(data, data_pos, key_pos)
        self.include(path, data, data_pos)

    def _undefined(self, rendered: TemplateResult, data_pos: Mapping[DataPath, SourceSpan]) -> list[Diagnostic]:
        """The undefined variables of a rendered file as problems. An environment variable inside the
        ``providers`` block is only a warning: connection settings are for plan and apply, so
        ``validate`` works without them (plan then names the setting that is empty)."""
        if not rendered.missing:
            return []
        lines = [s.line for p, s in data_pos.items() if p[:1] == ("providers",)]
        block = range(min(lines), max(lines) + 1) if lines and rendered.line_exact else range(0)
        out = []
        for missing, diagnostic in rendered.missing:
            if missing.scope == "env" and missing.line in block:
                out.append(replace(diagnostic, warning=True, message=(
                    f"the environment variable {missing.name} is not set: this connection setting is empty "
                    "(validate does not need it; plan and apply do)"), hint=None))
            else:
                out.append(diagnostic)
        return out

    def merge(self, data: dict[str, Any], data_pos: Mapping[DataPath, SourceSpan],
              key_pos: Mapping[DataPath, SourceSpan]) -> None:
        if not self.merged:  # the first document is taken as it is
            self.merged.update(data)
            self.positions.update(data_pos)
            self.key_positions.update(key_pos)
            return
        offsets = _merge(self.merged, self.positions, data, data_pos, (), self.problems)
        for p, span in key_pos.items():
            self.key_positions[_shift(p, offsets)] = span

    def include(self, path: Path, data: dict[str, Any], data_pos: Mapping[DataPath, SourceSpan]) -> None:
        """The native files a manifest lists under ``include`` (a wrong type is the model's to report)."""
        entries = data.get("include")
        if not isinstance(entries, list):
            return
        for i, entry in enumerate(entries):
            if not isinstance(entry, str):
                continue
            where = data_pos.get(("include", i))
            target = path.parent / entry
            parsed = self.included(target, where, f"paths are relative to the including file ({path.name})",
                                   json_only=False)
            if parsed is not None:
                found_data, found_pos, found_keys, _ = parsed
                self.native(target, found_data, found_pos, found_keys, where)

    def included(self, target: Path, where: SourceSpan | None, hint: str, *, json_only: bool) -> _Parsed | None:
        """Read and parse a file another one names (``where``: the naming entry), as JSON when
        ``json_only`` or its name ends in .json (else as YAML, not templated). None, with the
        problem recorded, when it is missing, unreadable or does not parse."""
        if not target.is_file():
            self.problems.append(Diagnostic(f"included file not found: {target}", where, hint=hint))
            return None
        name = str(target)
        self.files.append(name)
        source, problem = _read(target)
        if problem:
            self.problems.append(problem)
            return None
        assert source is not None
        as_json = json_only or target.suffix.lower() == ".json"
        parsed = _parse_json(name, source) if as_json else _parse(name, source, True)
        self.problems.extend(parsed[3])
        if parsed[0] is None:
            return None
        self.texts[name] = source
        return parsed

    def native(self, path: Path, data: Any, data_pos: dict[DataPath, SourceSpan],
               key_pos: dict[DataPath, SourceSpan], included_at: SourceSpan | None) -> None:
        """Convert a native schema file and merge what it means (``included_at``: the include entry)."""
        name = str(path)
        fmt = self.natives.detect(data)
        if fmt is None:
            what = "a native schema file" if included_at else "a baseform manifest nor a native schema file"
            self.problems.append(Diagnostic(
                f"{name} is neither {what} that baseform reads", included_at or data_pos.get(()),
                hint=f"understood: {self.natives.names()}" + (
                    "; list baseform manifests as PATH arguments, not under include" if included_at else "")))
            return
        if not self.resolve_parts(path, fmt, data, data_pos, key_pos):
            return
        conversion = fmt.convert(data)
        for p in conversion.problems:
            self.problems.append(Diagnostic(p.message, _nearest(data_pos, p.path), hint=p.hint, warning=p.warning))
        positions, keys = remap_positions(conversion, data_pos, key_pos)
        document = dict(conversion.document)
        providers = document.pop("providers", None)
        if isinstance(providers, dict):
            offsets = _merge(self.defaults, self.default_positions, {"providers": providers}, positions, (),
                             self.problems)
            self.default_keys.update({_shift(p, offsets): s for p, s in keys.items() if p[:1] == ("providers",)})
        self.merge(document, positions, {p: s for p, s in keys.items() if p[:1] != ("providers",)})

    def resolve_parts(self, path: Path, fmt: NativeFormat, data: Any, data_pos: dict[DataPath, SourceSpan],
                      key_pos: dict[DataPath, SourceSpan]) -> bool:
        """Put the files the format's ``includes`` names in place. False when one is missing or bad."""
        ok = True
        root = path.parent.resolve()
        for part in fmt.includes(data):
            where = _nearest(data_pos, part.source)
            target = path.parent / part.path
            if not target.resolve().is_relative_to(root):
                self.problems.append(Diagnostic(f"{part.path} is outside the directory of {path.name}", where,
                                                hint="keep included files next to the file that names them"))
                ok = False
                continue
            parsed = self.included(target, where, f"paths are relative to {path.name}'s directory", json_only=True)
            if parsed is None:
                ok = False
                continue
            part_data, part_pos, part_keys, _ = parsed
            _put(data, part.at, part_data)
            for positions, new in ((data_pos, part_pos), (key_pos, part_keys)):
                for p in [p for p in positions if p[:len(part.at)] == part.at]:
                    del positions[p]
                positions.update({(*part.at, *p): s for p, s in new.items()})
        return ok

    def apply_defaults(self) -> None:
        """Settings from native files for every providers key no manifest sets."""
        blocks = self.defaults.get("providers")
        if not isinstance(blocks, dict):
            return
        if "providers" not in self.merged:
            self.merged["providers"] = {}
            self._default_position(("providers",))
        providers = self.merged["providers"]
        if not isinstance(providers, dict):
            return  # the model reports the wrong type
        for provider, block in blocks.items():
            if provider not in providers:
                providers[provider] = {}
                self._default_position(("providers", provider))
            target = providers[provider]
            if not isinstance(target, dict) or not isinstance(block, dict):
                continue
            for key, value in block.items():
                if key not in target:
                    target[key] = value
                    self._default_position(("providers", provider, key))

    def _default_position(self, path: DataPath) -> None:
        if path in self.default_positions:
            self.positions[path] = self.default_positions[path]
        if path in self.default_keys:
            self.key_positions[path] = self.default_keys[path]


def _put(data: Any, at: DataPath, value: Any) -> None:
    """Set the value at ``at`` inside ``data`` (parents must exist)."""
    node = data
    for part in at[:-1]:
        node = node[part]
    node[at[-1]] = value


def load_manifest(paths: Sequence[str], variables: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None, natives: NativeFormats | None = None) -> LoadedManifest:
    """Read, render, parse and merge the manifest files.

    A PATH or an ``include`` entry may be a native schema file in one of ``natives``' formats: it is
    converted (not templated) and its values keep the native file's positions. Connection settings
    a native file names are used only where no manifest sets them.

    Problems that leave usable data (a duplicate key, a file that failed while others loaded) are
    kept in ``problems`` so validation can report them together with its own; ManifestError is
    raised only when no file could be loaded.
    """
    paths_found, problems, listed, skipped = expand_paths(paths)
    context = {"env": dict(os.environ if environ is None else environ), "vars": dict(variables or {})}
    files = _Files(natives or NativeFormats(), context)
    files.problems.extend(problems)
    files.skipped.extend(skipped)
    for path in paths_found:
        files.load(path, path in listed)
    for directory in [raw for raw in paths if Path(raw).is_dir()]:
        if not any(Path(f).parent == Path(directory) for f in files.files) and any(
                Path(f).parent == Path(directory) for f, _ in files.skipped):
            files.problems.append(Diagnostic(
                f"no baseform manifests in directory {directory}: skipped "
                + "; ".join(f"{Path(f).name} ({why})" for f, why in files.skipped if Path(f).parent == Path(directory)),
                hint="a manifest has `version: 1` and a backend section (pocketbase:, appwrite:, ...)"))
    files.apply_defaults()
    if files.problems and not files.texts:
        raise ManifestError(files.problems)
    return LoadedManifest(files.merged, files.positions, files.files, files.texts, files.problems,
                          files.key_positions, files.skipped)
