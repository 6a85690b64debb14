"""Native schema files: a backend's own schema file read as a manifest (``baseform plan pb_schema.json``).

A provider lists the formats it reads in ``Provider.native_formats``; the core names none of them.
A :class:`NativeFormat` is a name for messages plus pure functions: ``detect`` (is this parsed
document mine?), ``convert`` (the manifest document it means) and, for formats that split a file
into several, ``includes`` (which other files hold parts of it; the loader reads them).

A :class:`Conversion` records where every converted value came from (``origins``: a data path in
the manifest document -> a data path in the native document), so the loader gives converted values
the native file's positions and every later error (pydantic, provider checks, plan) names the line
in the native file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from baseform.errors import SourceSpan

__all__ = ["Conversion", "DataPath", "Include", "NativeFormat", "NativeFormats", "NativeProblem", "remap_positions"]

DataPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class NativeProblem:
    """Something a native file says that cannot be converted (or is ignored, when ``warning``).

    ``path`` is the data path inside the native document where the problem is written.
    """

    path: DataPath
    message: str
    hint: str | None = None
    warning: bool = False


@dataclass
class Conversion:
    """What a native document means as a manifest document.

    ``document`` holds provider sections and, when the file names where the project is, a
    ``providers`` block (never secrets: native schema files hold none). The loader treats that block
    as defaults: a setting a baseform manifest also sets is taken from the manifest.
    """

    document: dict[str, Any] = field(default_factory=dict)
    origins: dict[DataPath, DataPath] = field(default_factory=dict)
    """Converted path -> native path. A path not listed maps through its longest listed prefix, with
    the rest of the path unchanged (a key copied as it is needs no entry)."""
    problems: list[NativeProblem] = field(default_factory=list)

    def origin(self, converted: Sequence[str | int], native: Sequence[str | int]) -> None:
        self.origins[tuple(converted)] = tuple(native)

    def problem(self, path: Sequence[str | int], message: str, hint: str | None = None, *,
                warning: bool = False) -> None:
        self.problems.append(NativeProblem(tuple(path), message, hint, warning))

    def source_of(self, path: Sequence[str | int]) -> DataPath:
        """The native data path the converted value at ``path`` came from."""
        p = tuple(path)
        for n in range(len(p), -1, -1):
            found = self.origins.get(p[:n])
            if found is not None:
                return (*found, *p[n:])
        return p


@dataclass(frozen=True, slots=True)
class Include:
    """Part of a native document kept in another file, resolved by the loader before ``convert``."""

    at: DataPath
    """Where the other file's content goes in the document (replacing what is there)."""
    path: str
    """The other file, relative to the native file's directory."""
    source: DataPath
    """Where the reference is written (for errors about it)."""


def _no_includes(data: Any) -> Sequence[Include]:
    return ()


@dataclass(frozen=True)
class NativeFormat:
    """One native schema format a provider reads. All functions are pure."""

    name: str
    """For messages, e.g. ``"PocketBase collections export (pb_schema.json)"``."""
    detect: Callable[[Any], bool]
    """Whether a parsed document (that is not a baseform manifest) is in this format."""
    convert: Callable[[Any], Conversion]
    """The manifest document it means; called only on documents ``detect`` accepted."""
    includes: Callable[[Any], Sequence[Include]] = _no_includes
    """Other files holding parts of the document (read and put in place before ``convert``)."""


@dataclass(frozen=True)
class NativeFormats:
    """The formats the registered providers read, and how to tell a baseform manifest apart."""

    formats: tuple[NativeFormat, ...] | Callable[[], tuple[NativeFormat, ...]] = ()
    """The formats, or a function that returns them: asked for only when a file is not a baseform
    manifest (finding them imports every provider)."""
    manifest_keys: frozenset[str] = frozenset()
    """Top-level keys of a baseform manifest: a mapping with any of them is a manifest, never native."""

    def is_manifest(self, data: Any) -> bool:
        return isinstance(data, dict) and any(k in self.manifest_keys for k in data)

    def _formats(self) -> tuple[NativeFormat, ...]:
        return self.formats() if callable(self.formats) else self.formats

    def detect(self, data: Any) -> NativeFormat | None:
        """The format of ``data``, or None (also for baseform manifests)."""
        if self.is_manifest(data):
            return None
        return next((f for f in self._formats() if f.detect(data)), None)

    def names(self) -> str:
        return "; ".join(f.name for f in self._formats()) or "none (no provider registers one)"


def remap_positions(conversion: Conversion, positions: Mapping[DataPath, SourceSpan],
                    key_positions: Mapping[DataPath, SourceSpan],
                    ) -> tuple[dict[DataPath, SourceSpan], dict[DataPath, SourceSpan]]:
    """Positions (of values, of keys) for every value of ``conversion.document``, taken from the
    native document's positions through ``origins``. A value with no exact origin gets the position
    of its nearest located ancestor (a default filled in is reported where its object is)."""

    def nearest(path: DataPath) -> SourceSpan | None:
        while path:
            if path in positions:
                return positions[path]
            path = path[:-1]
        return positions.get(())

    out: dict[DataPath, SourceSpan] = {}
    keys: dict[DataPath, SourceSpan] = {}

    def walk(value: Any, path: DataPath) -> None:
        source = conversion.source_of(path)
        span = nearest(source)
        if span is not None:
            out[path] = span
        if path and isinstance(path[-1], str):
            key_span = key_positions.get(source) or span
            if key_span is not None:
                keys[path] = key_span
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, (*path, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, (*path, i))

    walk(conversion.document, ())
    return out, keys

