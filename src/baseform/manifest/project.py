"""A validated project: the merged manifest, its models, and each provider's desired resources.

:func:`build_project` runs every check that needs no network and raises one ManifestError with all
problems found (pydantic errors mapped to file:line, provider checks, duplicate addresses,
unsupported renames), so ``baseform validate`` reports everything in one run.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import ValidationError

from baseform import collector, secrets
from baseform.engine.resource import DesiredResource, digest
from baseform.errors import Diagnostic, ManifestError, SourceSpan
from baseform.manifest.loader import DataPath, LoadedManifest, data_path_in, load_manifest, load_variables
from baseform.manifest.models import Model, ProviderConfig, Section, did_you_mean, manifest_model
from baseform.manifest.native import NativeFormats
from baseform.providers import Registry, as_registry
from baseform.providers.base import Provider
from baseform.providers.local import local_connection, local_server_class

__all__ = ["Project", "ProviderUnit", "build_project", "load_project", "make_provider", "native_formats"]


@dataclass
class ProviderUnit:
    """One provider section of the manifest with its provider instance and desired resources."""

    provider: Provider
    section: Section
    desired: list[DesiredResource]


@dataclass
class Project:
    loaded: LoadedManifest
    model: Model
    units: list[ProviderUnit]
    warnings: list[Diagnostic] = field(default_factory=list)

    @cached_property
    def digest(self) -> str:
        """Digest of everything the plan depends on in the manifest (secrets masked; made once)."""
        payload = []
        for unit in self.units:
            rules = {k.kind: k for k in unit.provider.kinds}
            for d in sorted(unit.desired, key=lambda d: str(d.address)):
                sensitive = rules[d.address.kind].sensitive if d.address.kind in rules else frozenset()
                value = {k: ("(sensitive)" if k in sensitive else v) for k, v in d.value.items()}
                payload.append([str(d.address), value, d.protect, d.renamed_from,
                                sorted(map(str, d.depends_on))])
            payload.append([unit.provider.name, "prune", unit.section.prune])
        return digest(payload)

    def unit(self, name: str) -> ProviderUnit | None:
        return next((u for u in self.units if u.provider.name == name), None)


def _message(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    loc = err["loc"]
    key = str(loc[-1]) if loc else "value"
    if kind == "missing":
        return f"missing required key {key!r}"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        expected = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
        tag = str(ctx.get("tag", ""))
        return (f"unknown {ctx.get('discriminator', 'type').strip(chr(39))} {tag!r}"
                f"{did_you_mean(tag, expected)}; expected one of: {', '.join(expected)}")
    if kind == "union_tag_not_found":
        return f"missing required key {str(err.get('ctx', {}).get('discriminator', 'type')).strip(chr(39))!r}"
    message = str(err["msg"])
    if kind != "extra_forbidden" and "input" in err and not isinstance(err["input"], (dict, list)):
        message += f" (got {err['input']!r})"
    if kind == "literal_error" and isinstance(err.get("input"), str):
        message += did_you_mean(err["input"], re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected"))))
    return f"{key}: {message}" if kind != "extra_forbidden" and not str(key).isdigit() else message


@dataclass
class _Reading:
    """The manifest as validated, with misspelt keys read as the key they were meant to be.

    An unknown key with a close match (``colections`` -> ``collections``) is reported, and then its
    value is validated as if it had the right name, so the mistakes inside it are reported too
    instead of being hidden by the misspelt parent. ``renames`` maps each corrected path to the
    path written in the files, for locating problems.
    """

    loaded: LoadedManifest
    data: dict[str, Any]
    renames: list[tuple[DataPath, DataPath]] = field(default_factory=list)

    def original(self, path: Sequence[str | int]) -> DataPath:
        out = tuple(path)
        for corrected, written in reversed(self.renames):
            if out[:len(corrected)] == corrected:
                out = (*written, *out[len(corrected):])
        return out

    def locate(self, path: Sequence[str | int]) -> SourceSpan | None:
        return self.loaded.locate(self.original(path) if self.renames else path)

    def diagnostics(self, error: ValidationError) -> list[Diagnostic]:
        out = []
        for err in error.errors():
            if err["type"] == "extra_forbidden":
                where = self.loaded.locate_key(self.original((*data_path_in(self.data, err["loc"][:-1]),
                                                               err["loc"][-1])))
            else:
                where = self.locate(data_path_in(self.data, err["loc"]))
            out.append(Diagnostic(_message(err), where))
        return out

    def correct(self, error: ValidationError) -> bool:
        """Rename the unknown keys that have a close match; False when there is none left to rename."""
        fixes = []
        for err in error.errors():
            meant = re.search(r"did you mean '([^']+)'", str(err["msg"]))
            if err["type"] == "extra_forbidden" and meant:
                fixes.append((data_path_in(self.data, err["loc"][:-1]), str(err["loc"][-1]), meant.group(1)))
        if not fixes:
            return False
        data = copy.deepcopy(self.data)
        done = False
        for parent_path, key, meant_key in fixes:
            parent: Any = data
            for part in parent_path:
                parent = parent[part]
            if isinstance(parent, dict) and key in parent and meant_key not in parent:
                items = [(meant_key if k == key else k, v) for k, v in parent.items()]
                parent.clear()
                parent.update(items)
                self.renames.append(((*parent_path, meant_key), self.original((*parent_path, key))))
                done = True
        self.data = data
        return done


def _validate(model_cls: type[Model], reading: _Reading) -> tuple[Model | None, list[Diagnostic], set[Any]]:
    """Validate, reading misspelt keys as meant (a few rounds: a misspelt key may hide another).
    Returns the model of the last round (None if it failed), every distinct problem, and the
    top-level keys that failed in the last round."""
    problems: list[Diagnostic] = []
    seen: set[str] = set()
    for _ in range(5):
        try:
            return model_cls.model_validate(reading.data), problems, set()
        except ValidationError as e:
            for d in reading.diagnostics(e):
                if str(d) not in seen:
                    seen.add(str(d))
                    problems.append(d)
            if not reading.correct(e):
                return None, problems, {err["loc"][0] for err in e.errors() if err["loc"]}
    return None, problems, set(reading.data)


def make_provider(cls: type[Provider], block: ProviderConfig | None,
                  environ: Mapping[str, str] | None = None) -> Provider:
    """A provider instance whose connection settings are completed from the environment, and then,
    when they name no server, from the backend's local server (``baseform local up``) while it runs."""
    config = (block or cls.config_model()).resolved(environ)
    server = local_server_class(cls)
    if server is not None:
        fallback = local_connection(server, config.settings())
        if fallback:
            config = config.resolved(fallback)
    return cls(config)


def build_project(loaded: LoadedManifest, registry: Sequence[type[Provider]],
                  environ: Mapping[str, str] | None = None) -> Project:
    """Validate a loaded manifest completely. Raises ManifestError listing every problem.

    Sections are validated on their own, so one broken section does not hide the semantic
    problems (duplicates, dangling references) of another.
    """
    problems: list[Diagnostic] = list(loaded.problems)
    reading = _Reading(loaded, loaded.data)
    model, found, failed = _validate(manifest_model(tuple(registry)), reading)
    problems += found
    units: list[ProviderUnit] = []
    for cls in registry:
        raw = reading.data.get(cls.name)
        if not isinstance(raw, dict) or (model is None and cls.name in failed):
            continue
        try:
            section = getattr(model, cls.name) if model is not None else cls.section_model.model_validate(raw)
        except ValidationError:
            continue  # reported with the whole manifest
        block = _provider_block(model, reading.data, cls)
        provider = make_provider(cls, block, environ)
        problems.extend(provider.check(section, reading.locate))
        desired = provider.desired(section, reading.locate)
        problems.extend(_structural_problems(provider, desired))
        units.append(ProviderUnit(provider, section, desired))
    if reading.renames:
        model = None  # read as meant to find more problems; the misspelt keys are errors themselves
    errors = [p for p in problems if not p.warning]
    if errors or model is None:
        raise ManifestError(problems)
    return Project(loaded, model, units, [p for p in problems if p.warning])


def _provider_block(model: Model | None, data: Mapping[str, Any], cls: type[Provider]) -> ProviderConfig | None:
    if model is not None:
        blocks = getattr(model, "providers", None)
        return getattr(blocks, cls.name, None) if blocks is not None else None
    raw = (data.get("providers") or {}).get(cls.name) if isinstance(data.get("providers"), dict) else None
    try:
        return cls.config_model.model_validate(raw) if isinstance(raw, dict) else None
    except ValidationError:
        return None  # already reported by the whole-manifest validation


def _structural_problems(provider: Provider, desired: Sequence[DesiredResource]) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    rules = {k.kind: k for k in provider.kinds}
    seen: dict[Any, DesiredResource] = {}
    for d in desired:
        first = seen.get(d.address)
        if first is not None:
            problems.append(Diagnostic(
                f"{d.address} is declared twice" + (f" (first at {first.source})" if first.source else ""),
                d.source, address=str(d.address), hint="remove or rename one of them"))
        else:
            seen[d.address] = d
        kind_rules = rules.get(d.address.kind)
        if d.renamed_from and kind_rules is not None and not kind_rules.renamable:
            problems.append(Diagnostic(
                f"renamedFrom is not supported for {d.address.kind}: {kind_rules.rename_unsupported}",
                d.source, address=str(d.address),
                hint="remove renamedFrom (the old one is then deleted and a new one created) or keep the "
                     "old name"))
        if d.renamed_from and d.renamed_from == d.address.name:
            problems.append(Diagnostic("renamedFrom names the resource itself", d.source,
                                       address=str(d.address), hint="remove renamedFrom"))
    return problems


def _register_environment_secrets(registry: Registry, environ: Mapping[str, str]) -> None:
    # before anything can fail: a secret from the environment may be templated into any value
    for var in registry.secret_variables():
        if environ.get(var):
            secrets.register(environ[var])


_OWN_KEYS = frozenset({"version", "providers", "include"})


def _named_providers(data: Mapping[str, Any], registry: Registry) -> tuple[type[Provider], ...]:
    """The providers a loaded manifest names (sections and connection blocks): only those are
    imported. A key that names no provider needs them all, to say what it may have meant."""
    names = set(registry.names)
    blocks = data.get("providers")
    keys = {*data, *(blocks if isinstance(blocks, dict) else ())}
    if not keys <= names | _OWN_KEYS:
        return tuple(registry)
    return registry.load(keys & names)


def load_project(paths: Sequence[str], *, var_files: Sequence[str] = (), var_assignments: Sequence[str] = (),
                 registry: Registry | Sequence[type[Provider]],
                 environ: Mapping[str, str] | None = None) -> Project:
    """Load, template and validate the manifest at ``paths``. No network. Only the providers the
    manifest names are imported (see :class:`~baseform.providers.Registry`)."""
    providers = as_registry(registry)
    _register_environment_secrets(providers, os.environ if environ is None else environ)
    variables, problems = load_variables(var_files, var_assignments)
    if problems:
        raise ManifestError(problems)
    with collector.paused():
        loaded = load_manifest(paths, variables, environ, native_formats(providers))
        return collector.keep(build_project(loaded, _named_providers(loaded.data, providers), environ))


def native_formats(registry: Registry | Sequence[type[Provider]]) -> NativeFormats:
    """The native schema formats the providers read (imported only when a file is not a baseform
    manifest), and the keys that mark a baseform manifest."""
    providers = as_registry(registry)
    return NativeFormats(lambda: tuple(f for cls in providers for f in cls.native_formats),
                         _OWN_KEYS | frozenset(providers.names))
