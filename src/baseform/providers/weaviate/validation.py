"""Validate-time checks of the ``weaviate`` section that pydantic cannot express. Pure.

Name rules, data types, tokenization and index flags per type, nested properties, the legacy vs
named vector conflict, and tenants, as the server checks them (reference §2, §4), so a bad manifest
fails at ``validate`` with file:line instead of halfway through an apply.
"""

from __future__ import annotations

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
from baseform.providers.weaviate.models import ClassSpec, NestedPropertySpec, PropertySpec, WeaviateSection
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

__all__ = ["check_section"]

Locate = Callable[[Sequence[str | int]], SourceSpan | None]
Path = tuple[str | int, ...]
_TYPES = sorted(PRIMITIVE | NESTED | DEPRECATED)


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
    return out.found


def _check_class(cls: ClassSpec, path: Path, out: _Collector) -> None:
    if cls.vectorConfig is not None and (cls.vectorizer or cls.vectorIndexType or cls.vectorIndexConfig):
        out.add((*path, "vectorConfig"), "a class cannot have both a class-level vector (vectorizer/"
                "vectorIndexType/vectorIndexConfig) and named vectors (vectorConfig)",
                "move the class-level settings into a named vector")
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
    taken: dict[str, str] = {}
    for j, prop in enumerate(cls.properties):
        ppath: Path = (*path, "properties", j)
        name = property_name(prop.name)
        # an exact duplicate is reported by the core; this catches the ones differing in case only
        other = taken.setdefault(name.lower(), name)
        if other != name:
            out.add((*ppath, "name"), f"property {prop.name!r} clashes with {other!r}: Weaviate property names "
                                      "are unique regardless of case")
        _check_property(prop, ppath, out)
    for k, tenant in enumerate(cls.tenants or []):
        if not TENANT_NAME.match(tenant.name):
            out.add((*path, "tenants", k, "name"), f"{tenant.name!r} is not a valid tenant name",
                    "1-64 characters: letters, digits, - and _")


def _check_property(prop: PropertySpec | NestedPropertySpec, path: Path, out: _Collector,
                    *, nested: bool = False) -> None:
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
    if prop.indexSearchable and not text:
        out.add((*path, "indexSearchable"), "indexSearchable is allowed only for text/text[]")
    if prop.indexRangeFilters and single not in RANGEABLE:
        out.add((*path, "indexRangeFilters"), "indexRangeFilters is allowed only for int, number and date")
    for k, child in enumerate(prop.nestedProperties or []):
        _check_property(child, (*path, "nestedProperties", k), out, nested=True)
