"""Validate-time checks of the ``weaviate`` section that pydantic cannot express. Pure.

Name rules, data types, tokenization and index flags per type (nested properties included), text
analyzers, stopword presets, object TTL, vector index settings (hnsw bounds, filter strategy,
quantizers, multi-vectors, hfresh), which vectorizers a property may configure, tenants and aliases,
as the server checks them (tests/emulators/weaviate/FIDELITY.md lists each rule and its source), so a
bad manifest fails at ``validate`` with file:line instead of halfway through an apply. The
deprecated ``indexInverted`` is accepted with a warning. Rules that depend on the server version are
checked at plan time (:mod:`.features`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

from baseform.errors import Diagnostic, SourceSpan
from baseform.manifest.models import did_you_mean
from baseform.providers.weaviate.datatypes import (
    DEPRECATED,
    NESTED,
    NOT_NESTABLE,
    PRIMITIVE,
    RANGEABLE,
    TEXT,
    classify,
)
from baseform.providers.weaviate.models import (
    ClassSpec,
    InvertedIndexConfig,
    NestedPropertySpec,
    PropertySpec,
    WeaviateSection,
)
from baseform.providers.weaviate.names import (
    CLASS_NAME,
    NESTED_NAME,
    PROPERTY_NAME,
    RESERVED_PROPERTY_NAMES,
    RESERVED_SUFFIXES,
    TENANT_NAME,
    VECTOR_NAME,
    class_name,
    property_name,
)
from baseform.providers.weaviate.shape import TTL_TIMESTAMPS
from baseform.providers.weaviate.vector_rules import check_vectors

__all__ = ["check_section"]

Locate = Callable[[Sequence[str | int]], SourceSpan | None]
Path = tuple[str | int, ...]
_TYPES = sorted(PRIMITIVE | NESTED | DEPRECATED)
_BUILTIN_PRESETS = ("en", "none")
_ANALYZER_TOKENIZERS = ("word", "lowercase", "whitespace", "field", "trigram")
_NESTED_TOKENIZERS = ("word", "lowercase", "whitespace", "field")  # usecases/schema/validation.go
_TTL_MINIMUM = 60  # seconds; the server's default minimum (env OBJECTS_TTL_MINIMUM_DEFAULT_TTL lowers it)


class _Collector:
    def __init__(self, locate: Locate) -> None:
        self.locate = locate
        self.found: list[Diagnostic] = []

    def add(self, path: Path, message: str, hint: str | None = None, *, warning: bool = False) -> None:
        self.found.append(Diagnostic(message, self.locate(path), hint=hint, warning=warning))


def check_section(section: WeaviateSection, locate: Locate) -> list[Diagnostic]:
    """Every problem in the section (errors and warnings), each with its file:line."""
    out = _Collector(locate)
    seen: dict[str, str] = {}
    for i, cls in enumerate(section.classes):
        path: Path = ("weaviate", "classes", i)
        name = class_name(cls.class_)
        if not CLASS_NAME.match(name):
            out.add((*path, "class"), f"{cls.class_!r} is not a valid class name",
                    "class names start with a letter and contain only letters, digits and _ (max 255)")
        elif name.lower() == "raft":
            out.add((*path, "class"), "class name 'raft' is reserved by Weaviate")
        other = seen.setdefault(name.lower(), name)
        if other != name:
            out.add((*path, "class"), f"class {name!r} clashes with {other!r}: Weaviate class names are "
                                      "unique regardless of case")
        _check_class(cls, path, out)
    aliases: dict[str, str] = {}
    for i, alias in enumerate(section.aliases):
        path = ("weaviate", "aliases", i)
        name = class_name(alias.alias)
        if not CLASS_NAME.match(name):
            out.add((*path, "alias"), f"{alias.alias!r} is not a valid alias name",
                    "alias names follow the class name rules: a letter, then letters, digits and _")
        if name.lower() in seen:
            out.add((*path, "alias"), f"alias {name!r} has the name of a declared class; Weaviate refuses a class "
                                      "and an alias of the same name (regardless of case)")
        other = aliases.setdefault(name.lower(), name)
        if other != name:
            out.add((*path, "alias"), f"alias {name!r} clashes with {other!r}: alias names are unique regardless "
                                      "of case")
        if not CLASS_NAME.match(class_name(alias.class_)):
            out.add((*path, "class"), f"{alias.class_!r} is not a valid class name")
    return out.found


def _check_class(cls: ClassSpec, path: Path, out: _Collector) -> None:
    legacy = bool(cls.vectorizer or cls.vectorIndexType or cls.vectorIndexConfig is not None)
    if legacy and "default" in (cls.vectorConfig or {}):
        out.add((*path, "vectorConfig", "default"), "a named vector called 'default' cannot sit beside a "
                "class-level vector (Weaviate refuses it)", "give the named vector another name")
    for problem_path, message in check_vectors(cls):
        out.add((*path, *problem_path), message)
    for vector in cls.vectorConfig or {}:
        if not VECTOR_NAME.match(vector):
            out.add((*path, "vectorConfig", vector), f"{vector!r} is not a valid named vector name")
    for entry_name, entry in (cls.vectorConfig or {}).items():
        if len(entry.vectorizer) != 1:
            out.add((*path, "vectorConfig", entry_name, "vectorizer"),
                    "vectorizer must name exactly one module, e.g. {none: {}}")
    multi_tenant = bool(cls.multiTenancyConfig and cls.multiTenancyConfig.enabled)
    # GET returns an all-zero sharding config for multi-tenant classes; only a real one is wrong
    if multi_tenant and cls.shardingConfig is not None and any(cls.shardingConfig.model_dump().values()):
        out.add((*path, "shardingConfig"), "a multi-tenant class cannot have a shardingConfig")
    if cls.tenants is not None and not multi_tenant:
        out.add((*path, "tenants"), "tenants need a multi-tenant class",
                "set multiTenancyConfig: {enabled: true}")
    inverted = cls.invertedIndexConfig
    presets = (inverted.stopwordPresets if inverted else None) or {}
    if inverted is not None:
        _check_inverted(inverted, (*path, "invertedIndexConfig"), out)
    taken: dict[str, str] = {}
    for j, prop in enumerate(cls.properties):
        ppath: Path = (*path, "properties", j)
        name = property_name(prop.name)
        # an exact duplicate is reported by the core; this catches the ones differing in case only
        other = taken.setdefault(name.lower(), name)
        if other != name:
            out.add((*ppath, "name"), f"property {prop.name!r} clashes with {other!r}: Weaviate property names "
                                      "are unique regardless of case")
        _check_property(prop, ppath, out, presets=presets)
        _check_property_modules(prop, cls, ppath, out)
    _check_ttl(cls, path, out)
    for k, tenant in enumerate(cls.tenants or []):
        if not TENANT_NAME.match(tenant.name):
            out.add((*path, "tenants", k, "name"), f"{tenant.name!r} is not a valid tenant name",
                    "1-64 characters: letters, digits, - and _")


_VECTORIZER_PREFIXES = ("text2vec-", "multi2vec-", "img2vec-", "ref2vec-", "text2multivec-", "multi2multivec-",
                        "text2colbert-")


def _class_vectorizers(cls: ClassSpec) -> set[str]:
    found = {cls.vectorizer} if cls.vectorizer else set()
    for entry in (cls.vectorConfig or {}).values():
        found |= set(entry.vectorizer)
    return found


def _check_property_modules(prop: PropertySpec, cls: ClassSpec, path: Path, out: _Collector) -> None:
    """A property's ``moduleConfig`` may only configure vectorizers its class uses (the server refuses
    ``vectorizer "x" not configured for any of target vectors``)."""
    used = _class_vectorizers(cls)
    for module in prop.moduleConfig or {}:
        if module.startswith(_VECTORIZER_PREFIXES) and module not in used:
            out.add((*path, "moduleConfig", module), f"property {prop.name!r} configures vectorizer {module!r}, "
                    "which the class does not use" + did_you_mean(module, sorted(used - {"none"})),
                    "configure only the vectorizers of the class's vectors, or remove the entry")


def _check_inverted(inverted: InvertedIndexConfig, path: Path, out: _Collector) -> None:
    for name, words in (inverted.stopwordPresets or {}).items():
        if not name.strip():
            out.add((*path, "stopwordPresets"), "a stopword preset needs a name")
        elif not words:
            out.add((*path, "stopwordPresets", name), f"stopword preset {name!r} needs at least one word")
    seen: set[str] = set()
    for i, entry in enumerate(inverted.tokenizerUserDict or []):
        if entry.tokenizer in seen:
            out.add((*path, "tokenizerUserDict", i, "tokenizer"),
                    f"tokenizer {entry.tokenizer!r} has more than one user dictionary")
        seen.add(entry.tokenizer)


def _check_ttl(cls: ClassSpec, path: Path, out: _Collector) -> None:
    """An enabled TTL as the server checks it: a ``deleteOn`` timestamp or indexed date property."""
    ttl = cls.objectTtlConfig
    if ttl is None or not ttl.enabled:
        return
    tpath: Path = (*path, "objectTtlConfig")
    delete_on = (ttl.deleteOn or "").strip()
    if not delete_on:
        out.add(tpath, "an enabled objectTtlConfig needs deleteOn",
                "_creationTimeUnix, _lastUpdateTimeUnix or the name of a date property")
        return
    if delete_on in TTL_TIMESTAMPS:
        inverted = cls.invertedIndexConfig
        if inverted is not None and inverted.indexTimestamps is False:
            out.add((*path, "invertedIndexConfig", "indexTimestamps"),
                    f"an object TTL on {delete_on} needs indexTimestamps: true (a new class gets them anyway; an "
                    "existing one cannot switch them on)")
        if (ttl.defaultTtl or 0) < _TTL_MINIMUM:
            out.add((*tpath, "defaultTtl"), f"Weaviate rejects a defaultTtl under {_TTL_MINIMUM} seconds for "
                    f"deleteOn {delete_on} unless the server's OBJECTS_TTL_MINIMUM_DEFAULT_TTL lowers it",
                    warning=True)
        return
    props = {property_name(p.name): p for p in cls.properties}
    prop = props.get(delete_on)
    if prop is None:
        out.add((*tpath, "deleteOn"), f"deleteOn {delete_on!r} is neither _creationTimeUnix, _lastUpdateTimeUnix "
                "nor a property of this class" + did_you_mean(delete_on, sorted(props)))
    elif prop.dataType != ["date"]:
        out.add((*tpath, "deleteOn"), f"deleteOn property {delete_on!r} must have dataType [date], not "
                                      f"{prop.dataType}")
    elif not _indexed(prop, "indexFilterable") and not prop.indexRangeFilters:
        out.add((*tpath, "deleteOn"), f"deleteOn property {delete_on!r} needs indexFilterable or "
                                      "indexRangeFilters")


def _indexed(prop: PropertySpec | NestedPropertySpec, flag: str) -> bool:
    """Whether the server sees index ``flag`` on when it validates the property: as given, else its
    default (filterable always, searchable for text). The deprecated indexInverted alone leaves both
    unset then: the server migrates it only after validating."""
    value = getattr(prop, flag)
    if value is not None:
        return bool(value)
    if isinstance(prop, PropertySpec) and prop.indexInverted is not None:
        return False
    return flag == "indexFilterable" or prop.dataType in (["text"], ["text[]"])


def _check_text_analyzer(prop: PropertySpec | NestedPropertySpec, single: str, path: Path, out: _Collector,
                         presets: dict[str, list[str]]) -> None:
    analyzer = prop.textAnalyzer
    if analyzer is None or not (analyzer.asciiFold or analyzer.asciiFoldIgnore or analyzer.stopwordPreset):
        return  # an analyzer with nothing set is the same as none
    apath: Path = (*path, "textAnalyzer")
    if single not in TEXT:
        out.add(apath, f"textAnalyzer is allowed only for text/text[], not {prop.dataType}")
        return
    if not _indexed(prop, "indexSearchable") and not _indexed(prop, "indexFilterable"):
        out.add(apath, "textAnalyzer needs an inverted index (indexSearchable or indexFilterable)")
    if analyzer.asciiFoldIgnore and not analyzer.asciiFold:
        out.add((*apath, "asciiFoldIgnore"), "asciiFoldIgnore needs asciiFold: true")
    for k, char in enumerate(analyzer.asciiFoldIgnore or []):
        if len(unicodedata.normalize("NFC", char)) != 1:
            out.add((*apath, "asciiFoldIgnore", k), f"asciiFoldIgnore entries are single characters, not {char!r}")
    tokenization = prop.tokenization or "word"
    if tokenization not in _ANALYZER_TOKENIZERS:
        out.add((*path, "tokenization"), f"textAnalyzer does not work with {tokenization} tokenization")
    preset = analyzer.stopwordPreset
    if preset:
        if tokenization != "word":
            out.add((*apath, "stopwordPreset"), f"stopwordPreset needs word tokenization, not {tokenization}")
        if preset not in _BUILTIN_PRESETS and preset not in presets:
            out.add((*apath, "stopwordPreset"), f"stopword preset {preset!r} is neither built in (en, none) nor "
                    "declared in the class's invertedIndexConfig.stopwordPresets"
                    + did_you_mean(preset, sorted({*_BUILTIN_PRESETS, *presets})))


def _check_property(prop: PropertySpec | NestedPropertySpec, path: Path, out: _Collector,
                    *, nested: bool = False, presets: dict[str, list[str]] | None = None) -> None:
    if nested:
        if not NESTED_NAME.match(prop.name):
            out.add((*path, "name"), f"{prop.name!r} is not a valid nested property name")
    elif not PROPERTY_NAME.match(prop.name):
        out.add((*path, "name"), f"{prop.name!r} is not a valid property name",
                "property names start with a letter or _ and contain only letters, digits and _ (max 231)")
    elif prop.name in RESERVED_PROPERTY_NAMES:
        out.add((*path, "name"), f"{prop.name!r} is a reserved property name")
    elif prop.name.endswith(RESERVED_SUFFIXES):
        out.add((*path, "name"), f"the suffix of {prop.name!r} is reserved for internal indices from "
                                 "Weaviate 1.38 on (and 1.35.20, 1.36.15, 1.37.5)", warning=True)
    kind = classify(prop.dataType)
    single = kind.single
    if kind.problem:
        out.add((*path, "dataType"), kind.problem + did_you_mean(single, _TYPES),
                f"known types: {', '.join(_TYPES)}; or capitalised class names for a cross-reference")
        return
    if nested and (kind.kind == "reference" or single in NOT_NESTABLE):
        out.add((*path, "dataType"), f"data type {'reference' if kind.kind == 'reference' else single!r} "
                                     "is not allowed in a nested property")
    if kind.kind == "nested" and not prop.nestedProperties:
        out.add((*path, "dataType"), f"data type {single!r} needs at least one nested property",
                "add nestedProperties")
    if kind.kind != "nested" and prop.nestedProperties:
        out.add((*path, "nestedProperties"), "nestedProperties are allowed only with dataType object/object[]")
    text = single in TEXT or kind.kind == "deprecated"
    if prop.tokenization is not None and not text:
        out.add((*path, "tokenization"), f"tokenization is allowed only for text/text[], not {prop.dataType}")
    elif nested and prop.tokenization is not None and prop.tokenization not in _NESTED_TOKENIZERS:
        out.add((*path, "tokenization"), f"tokenization {prop.tokenization!r} is not allowed in a nested property",
                f"nested text properties take {', '.join(_NESTED_TOKENIZERS)}")
    if prop.indexSearchable and not text:
        out.add((*path, "indexSearchable"), "indexSearchable is allowed only for text/text[]")
    if prop.indexRangeFilters and single not in RANGEABLE:
        out.add((*path, "indexRangeFilters"), "indexRangeFilters is allowed only for int, number and date")
    if isinstance(prop, PropertySpec) and prop.indexInverted is not None:
        _check_index_inverted(prop, path, out)
    _check_text_analyzer(prop, single, path, out, presets or {})
    for k, child in enumerate(prop.nestedProperties or []):
        _check_property(child, (*path, "nestedProperties", k), out, nested=True, presets=presets)


def _check_index_inverted(prop: PropertySpec, path: Path, out: _Collector) -> None:
    flags = [f for f in ("indexFilterable", "indexSearchable", "indexRangeFilters") if getattr(prop, f) is not None]
    if flags:
        out.add((*path, "indexInverted"), f"indexInverted cannot be combined with {', '.join(flags)} (Weaviate "
                                          "rejects it)", "remove indexInverted")
        return
    value = str(prop.indexInverted).lower()
    text = prop.dataType in (["text"], ["text[]"], ["string"], ["string[]"])
    out.add((*path, "indexInverted"), "indexInverted is deprecated since Weaviate 1.19 (the server turns it into the "
            "index* flags)", f"write indexFilterable: {value}" + (f", indexSearchable: {value}" if text else ""),
            warning=True)
