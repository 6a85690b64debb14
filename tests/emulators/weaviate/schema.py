"""Class and property validation and defaulting, in the order the server applies them.

Mirrors ``usecases/schema/class.go`` (``AddClass``: ``setNewClassDefaults`` -> ``validateCanAddClass``
-> ``migrateClassSettings`` -> ``ParseClass`` -> ``InitState`` -> ``enableQuantization`` -> existence
and reference checks at the RAFT apply), read from weaviate/weaviate at the release tags; vector
settings live in :mod:`.vectors`, modules in :mod:`.modules`. Every rule is a row of FIDELITY.md
(in this directory) with its version range and source file. Error texts are the server's; where a
text could not be confirmed the comment says so.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .defaults import (
    JsonDict,
    Version,
    deletion_strategy_default,
    inverted_index_defaults,
    sharding_defaults,
    sharding_multi_tenant,
    shows_async_enabled,
)
from .modules import class_config_with_defaults, is_vectorizer, module_kind, property_defaults
from .schema_errors import EnumError, SchemaError
from .vectors import (
    apply_default_quantization,
    default_index_type,
    has_legacy_vector,
    named_vector_type_defaulted,
    parse_vector_index_configs,
    validate_new_vectors,
    validate_vector_settings,
)


@dataclass(frozen=True)
class Settings:
    """How the emulated server is configured (its version and the environment it was started with).

    ``default_quantization`` and ``default_vector_index`` are the ``DEFAULT_QUANTIZATION`` (1.33+) and
    ``DEFAULT_VECTOR_INDEX`` (1.37.3+) variables; ``nodes`` the size of the cluster; ``hfresh`` the
    experimental hfresh index (``HFRESH_ENABLED``, 1.35+); ``async_indexing`` ``ASYNC_INDEXING`` (the
    dynamic index needs it); ``drop_vector_index`` the experimental vector index drop endpoint (1.37+).
    """

    version: Version
    modules: frozenset[str] = frozenset()
    default_quantization: str = ""
    default_vector_index: str = ""
    nodes: int = 1
    hfresh: bool = False
    async_indexing: bool = False
    drop_vector_index: bool = False


@dataclass
class Context:
    """What validation needs to know about the server: its settings and the current schema."""

    settings: Settings
    classes: dict[str, JsonDict] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    @property
    def version(self) -> Version:
        return self.settings.version

    @property
    def modules(self) -> frozenset[str]:
        return self.settings.modules

    def class_exists(self, name: str) -> bool:
        return name in self.classes


# -- vocabularies ------------------------------------------------------------------------------

PRIMITIVE_TYPES = (
    "text",
    "int",
    "number",
    "boolean",
    "date",
    "geoCoordinates",
    "phoneNumber",
    "blob",
    "text[]",
    "int[]",
    "number[]",
    "boolean[]",
    "date[]",
    "uuid",
    "uuid[]",
)
DEPRECATED_TYPES = ("string", "string[]")
NESTED_TYPES = ("object", "object[]")
TEXT_TYPES = ("text", "text[]")
# go-swagger enum of Property.tokenization (openapi-specs/schema.json); values outside it fail
# request binding before any handler code runs.
TOKENIZATION_ENUM = (
    "word",
    "lowercase",
    "whitespace",
    "field",
    "trigram",
    "gse",
    "kagome_kr",
    "kagome_ja",
    "gse_ch",
)
# These tokenizers exist but are behind environment flags the emulated server does not set.
# Texts from validatePropertyTokenization; the gse_ch one follows the same pattern (not confirmed).
GATED_TOKENIZERS = {
    "gse": "the GSE tokenizer is not enabled; set 'ENABLE_TOKENIZER_GSE' to 'true' to enable",
    "gse_ch": "the GSE tokenizer is not enabled; set 'ENABLE_TOKENIZER_GSE_CH' to 'true' to enable",
    "kagome_kr": "the Korean tokenizer is not enabled; set 'ENABLE_TOKENIZER_KAGOME_KR' to 'true' to enable",
    "kagome_ja": (
        "the Japanese tokenizer is not enabled; set 'ENABLE_TOKENIZER_KAGOME_JA' to 'true' to enable"
    ),
}
RESERVED_PROPERTY_NAMES = ("_additional", "_id", "id")
RESERVED_PROPERTY_SUFFIXES = (
    "_searchable",
    "_rangeable",
    "_temp",
    "__meta_count",
    "_propertyLength",
    "_nullState",
)

CLASS_NAME_RE = re.compile(r"^[A-Z][_0-9A-Za-z]{0,254}$")
PROPERTY_NAME_PATTERN = "[_A-Za-z][_0-9A-Za-z]{0,230}"
PROPERTY_NAME_RE = re.compile(f"^{PROPERTY_NAME_PATTERN}$")
NESTED_NAME_PATTERN = "[_A-Za-z][_0-9A-Za-z]*"
NESTED_NAME_RE = re.compile(f"^{NESTED_NAME_PATTERN}$")
VECTOR_NAME_RE = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,229}$")

# Built-in stopword presets (adapters/repos/db/inverted/stopwords/presets.go); a class may add its own
# (invertedIndexConfig.stopwordPresets, 1.37+), which also override a built-in of the same name.
BUILTIN_STOPWORD_PRESETS = ("en", "none")
# Tokenizers a textAnalyzer works with (validatePropertyProcessing).
ANALYZER_TOKENIZERS = ("lowercase", "trigram", "word", "whitespace", "field")
# Object TTL keyed on these internal timestamps needs indexed timestamps (adapters/repos/db/ttl).
TTL_TIMESTAMPS = ("_creationTimeUnix", "_lastUpdateTimeUnix")
TTL_MINIMUM_SECONDS = 60  # minDefaultTtl; env OBJECTS_TTL_MINIMUM_DEFAULT_TTL is not emulated
# Tokenizers that accept a user dictionary (entities/tokenizer initUserDictTokenizers).
USER_DICT_TOKENIZERS = ("kagome_ja", "kagome_kr")

ERR_PROPERTIES_UPDATED = (
    "property fields other than description cannot be updated through updating the class. Use the add "
    'property feature (e.g. "POST /v1/schema/{className}/properties") to add additional properties'
)


def class_keys(v: Version) -> tuple[str, ...]:
    """Top-level Class fields the server decodes; anything else in a body is silently dropped."""
    keys = (
        "class",
        "description",
        "properties",
        "vectorizer",
        "vectorIndexType",
        "vectorIndexConfig",
        "vectorConfig",
        "moduleConfig",
        "invertedIndexConfig",
        "shardingConfig",
        "replicationConfig",
        "multiTenancyConfig",
    )
    return keys + (("objectTtlConfig",) if v >= (1, 35, 0) else ())


def property_keys(v: Version, nested: bool) -> tuple[str, ...]:
    keys: tuple[str, ...] = (
        "name",
        "dataType",
        "description",
        "tokenization",
        "indexFilterable",
        "indexSearchable",
        "indexRangeFilters",
        "nestedProperties",
    )
    if not nested:
        keys += ("indexInverted", "moduleConfig", "disableDuplicatedReferences")
    return keys + (("textAnalyzer",) if v >= (1, 37, 0) else ())


def primitive_types(v: Version) -> tuple[str, ...]:
    return PRIMITIVE_TYPES + (("blobHash",) if v >= (1, 37, 0) else ())


def upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def go_list(values: Iterable[Any]) -> str:
    """Format a list the way Go's ``%v`` prints a ``[]string``: ``[a b]``."""
    return "[" + " ".join(str(x) for x in values) + "]"


def go_value(value: Any) -> str:
    """Go's ``%v`` of a decoded JSON value (maps print with sorted keys, numbers are float64)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_value(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_value(x) for x in value) + "]"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() and abs(value) < 1e21 else repr(float(value))
    return str(value)


def _prune(d: JsonDict) -> JsonDict:
    """Drop keys Go would omit on output (``omitempty`` on strings, slices, maps and nil pointers)."""
    return {k: v for k, v in d.items() if v is not None and v != "" and v != [] and v != {}}


# -- properties ----------------------------------------------------------------------------------


def normalize_property(raw: Any, v: Version, nested: bool = False) -> JsonDict:
    """Keep the known Property fields of ``raw`` (deep-copied), recursing into nested properties."""
    if not isinstance(raw, dict):
        raise SchemaError("property must be an object")
    out = {k: copy.deepcopy(raw[k]) for k in property_keys(v, nested) if k in raw}
    if isinstance(out.get("nestedProperties"), list):
        out["nestedProperties"] = [normalize_property(n, v, nested=True) for n in out["nestedProperties"]]
    return out


def check_tokenization_enum(props: list[JsonDict], path: str) -> None:
    """Reject tokenization values outside the OpenAPI enum, as go-openapi does while binding."""
    for i, prop in enumerate(props):
        tok = prop.get("tokenization")
        if tok not in (None, "") and tok not in TOKENIZATION_ENUM:
            raise EnumError(f"{path}.{i}.tokenization in body should be one of {go_list(TOKENIZATION_ENUM)}")
        nested = prop.get("nestedProperties")
        if isinstance(nested, list):
            check_tokenization_enum(nested, f"{path}.{i}.nestedProperties")


def _single(data_type: Any) -> str | None:
    return data_type[0] if isinstance(data_type, list) and len(data_type) == 1 else None


def set_property_defaults(prop: JsonDict) -> None:
    """``setPropertyDefaultTokenization`` + ``setPropertyDefaultIndexing`` (+ nested defaults)."""
    dt = _single(prop.get("dataType"))
    if dt in TEXT_TYPES + DEPRECATED_TYPES and not prop.get("tokenization"):
        prop["tokenization"] = "word"
    # A lone deprecated indexInverted is migrated later instead of being defaulted here.
    if not (
        prop.get("indexInverted") is not None
        and all(prop.get(k) is None for k in ("indexFilterable", "indexSearchable", "indexRangeFilters"))
    ):
        if prop.get("indexFilterable") is None:
            prop["indexFilterable"] = True
        if prop.get("indexSearchable") is None:
            prop["indexSearchable"] = dt in TEXT_TYPES + DEPRECATED_TYPES
        if prop.get("indexRangeFilters") is None:
            prop["indexRangeFilters"] = False
    for nested in prop.get("nestedProperties") or []:
        _set_nested_defaults(nested)


def _set_nested_defaults(prop: JsonDict) -> None:
    dt = _single(prop.get("dataType"))
    if dt in TEXT_TYPES and not prop.get("tokenization"):
        prop["tokenization"] = "word"
    if prop.get("indexFilterable") is None:
        prop["indexFilterable"] = dt not in ("blob", "blobHash")
    if prop.get("indexSearchable") is None:
        prop["indexSearchable"] = dt in TEXT_TYPES
    if prop.get("indexRangeFilters") is None:
        prop["indexRangeFilters"] = False
    for nested in prop.get("nestedProperties") or []:
        _set_nested_defaults(nested)


def migrate_property(prop: JsonDict) -> None:
    """v1.19 migrations: ``string`` -> ``text`` (word -> whitespace) and ``indexInverted`` -> new flags."""
    dt = _single(prop.get("dataType"))
    if dt in DEPRECATED_TYPES:
        prop["dataType"] = ["text" if dt == "string" else "text[]"]
        if prop.get("tokenization") == "word":
            prop["tokenization"] = "whitespace"
    inverted = prop.pop("indexInverted", None)
    if inverted is not None and all(
        prop.get(k) is None for k in ("indexFilterable", "indexSearchable", "indexRangeFilters")
    ):
        prop["indexFilterable"] = inverted
        prop["indexSearchable"] = inverted if _single(prop.get("dataType")) in TEXT_TYPES else False
        prop["indexRangeFilters"] = False


def find_data_type(data_type: Any, ctx: Context, own_class: str, relax_refs: bool = False) -> tuple[str, list[str]]:
    """Classify a ``dataType``: ``("primitive"|"nested", [dt])`` or ``("ref", classes)``.

    ``FindPropertyDataTypeWithRefs``: single lower-case names must be known types; anything else is
    a list of class names that must be valid and exist (a self-reference is always allowed), unless
    ``relax_refs`` (a class create from 1.36 on checks existence later, at the RAFT apply).
    """
    if not isinstance(data_type, list) or not data_type:
        raise SchemaError("dataType must have at least one element")
    if len(data_type) == 1:
        dt = data_type[0]
        if dt in primitive_types(ctx.version) + DEPRECATED_TYPES:
            return "primitive", [dt]
        if dt in NESTED_TYPES:
            return "nested", [dt]
        if dt == "":
            raise SchemaError("dataType cannot be an empty string")
        if isinstance(dt, str) and dt[:1].islower():
            raise SchemaError(f"Unknown primitive data type '{dt}'")
    for name in data_type:
        if not isinstance(name, str) or not CLASS_NAME_RE.match(name):
            raise SchemaError(f"'{name}' is not a valid class name")
        if not relax_refs and name != own_class and not ctx.class_exists(name):
            raise SchemaError("reference property to nonexistent class")
    return "ref", list(data_type)


def validate_property(
    prop: JsonDict, cls: JsonDict, taken: set[str], ctx: Context, relax_refs: bool = False
) -> None:
    """``validateProperty`` for one top-level property of ``cls`` whose defaults are already set."""
    class_name = cls["class"]
    presets = (cls.get("invertedIndexConfig") or {}).get("stopwordPresets")
    name = prop.get("name") or ""
    if not isinstance(name, str) or not PROPERTY_NAME_RE.match(name):
        raise SchemaError(
            f"'{name}' is not a valid property name. Property names in Weaviate are restricted "
            f"to valid GraphQL names, which must be “/{PROPERTY_NAME_PATTERN}/”."
        )
    if name in RESERVED_PROPERTY_NAMES:
        raise SchemaError(f"'{name}' is a reserved property name")
    if _reserved_suffixes_enforced(ctx.version):
        for suffix in RESERVED_PROPERTY_SUFFIXES:
            if name.endswith(suffix):
                raise SchemaError(
                    f"'{name}' is not a valid property name: suffix '{suffix}' is reserved "
                    "for internal indices"
                )
    if name.lower() in taken:
        raise SchemaError(
            f'class "{class_name}": conflict for property "{name}": already in use or provided multiple times'
        )
    try:
        kind, types = find_data_type(prop.get("dataType"), ctx, class_name, relax_refs)
    except SchemaError as e:
        raise SchemaError(
            f"property '{name}': invalid dataType: {go_list(prop.get('dataType') or [])}: {e.message}"
        ) from None
    if kind == "nested":
        _validate_nested(prop.get("nestedProperties") or [], name, ctx.version, presets)
    elif prop.get("nestedProperties"):
        raise SchemaError(
            f"property '{name}': nestedProperties not allowed for data types other than object/object[]"
        )
    _validate_tokenization(prop.get("tokenization") or "", kind, types[0])
    validate_text_analyzer(prop, name, types[0] if kind == "primitive" else None, presets)
    _validate_indexing(prop, types[0] if kind == "primitive" else "")
    validate_property_modules(prop, cls, ctx)


def _reserved_suffixes_enforced(v: Version) -> bool:
    # v1.38.0, backported to v1.35.20 / v1.36.15 / v1.37.5 (FIDELITY P4).
    backports = {(1, 35): 20, (1, 36): 15, (1, 37): 5}
    return v >= (1, 38, 0) or (v[:2] in backports and v[2] >= backports[v[:2]])


def _validate_tokenization(tok: str, kind: str, dt: str) -> None:
    if kind == "primitive":
        if dt in DEPRECATED_TYPES:
            if tok in ("field", "word"):
                return
        elif dt in TEXT_TYPES:
            if tok in ("field", "word", "whitespace", "lowercase", "trigram"):
                return
            if tok in GATED_TOKENIZERS:
                raise SchemaError(GATED_TOKENIZERS[tok])
        else:
            if tok == "":
                return
            raise SchemaError(f"tokenization is not allowed for data type '{dt}'")
        raise SchemaError(f"tokenization '{tok}' is not allowed for data type '{dt}'")
    if tok == "":
        return
    if kind == "nested":
        raise SchemaError("tokenization is not allowed for object/object[] data types")
    raise SchemaError("tokenization is not allowed for reference data type")


def _go_bool_ptr(value: Any) -> str:
    """``fmtBoolPtr``: how the server prints an optional boolean."""
    return "<nil>" if value is None else str(bool(value)).lower()


def validate_text_analyzer(prop: JsonDict, name: str, primitive: str | None, presets: Any) -> None:
    """``validatePropertyProcessing``: ``textAnalyzer`` (1.37+) on text properties with an inverted index.

    An analyzer with every option unset is dropped first, as the server treats it as absent.
    ``primitive`` is the property's primitive type (None for references and objects).
    """
    analyzer = prop.get("textAnalyzer")
    if isinstance(analyzer, dict) and not (
        analyzer.get("asciiFold") or analyzer.get("asciiFoldIgnore") or analyzer.get("stopwordPreset")
    ):
        prop.pop("textAnalyzer")
        return
    if not isinstance(analyzer, dict):
        return
    if primitive is None:
        raise SchemaError(f"property '{name}': processing options are only allowed for text and text[] data types")
    if primitive not in TEXT_TYPES:
        raise SchemaError(
            f"property '{name}': processing options are only allowed for text and text[] data types, "
            f"got '{primitive}'"
        )
    if not prop.get("indexSearchable") and not prop.get("indexFilterable"):
        raise SchemaError(
            f"property '{name}': processing options are only allowed for properties with an inverted index, "
            f"got IndexSearchable={_go_bool_ptr(prop.get('indexSearchable'))} and "
            f"IndexFilterable={_go_bool_ptr(prop.get('indexFilterable'))}"
        )
    ignore = analyzer.get("asciiFoldIgnore") or []
    if not analyzer.get("asciiFold") and ignore:
        raise SchemaError(f"property '{name}': asciiFoldIgnore requires asciiFold to be enabled")
    for entry in ignore:
        if len(unicodedata.normalize("NFC", str(entry))) != 1:
            raise SchemaError(
                f'property \'{name}\': each asciiFoldIgnore entry must be a single character, got "{entry}"'
            )
    tokenization = prop.get("tokenization") or ""
    if tokenization and tokenization not in ANALYZER_TOKENIZERS:
        raise SchemaError(f"property '{name}': unsupported tokenization '{tokenization}'")
    preset = analyzer.get("stopwordPreset") or ""
    if preset:
        if tokenization != "word":
            raise SchemaError(
                f'property \'{name}\': stopwordPreset is only supported with tokenization "word", '
                f'got "{tokenization}"'
            )
        if preset not in BUILTIN_STOPWORD_PRESETS and preset not in (presets or {}):
            raise SchemaError(
                f'property \'{name}\': unknown stopword preset "{preset}"; must be a built-in preset '
                "('en', 'none') or defined in invertedIndexConfig.stopwordPresets"
            )


def _validate_indexing(prop: JsonDict, primitive: str) -> None:
    if prop.get("indexInverted") is not None and any(
        prop.get(k) is not None for k in ("indexFilterable", "indexSearchable", "indexRangeFilters")
    ):
        raise SchemaError(
            "`indexInverted` is deprecated and can not be set together with `indexFilterable`, "
            "`indexSearchable` or `indexRangeFilters`"
        )
    if prop.get("indexSearchable") and primitive not in TEXT_TYPES + DEPRECATED_TYPES:
        raise SchemaError(
            "`indexSearchable` is allowed only for text/text[] data types. "
            "For other data types set false or leave empty"
        )
    if prop.get("indexRangeFilters") and primitive not in ("number", "int", "date"):
        raise SchemaError(
            "`indexRangeFilters` is allowed only for number/int/date data types. "
            "For other data types set false or leave empty"
        )


def _validate_nested(props: list[JsonDict], prefix: str, v: Version, presets: Any = None) -> None:
    """``validateNestedProperties`` (usecases/schema/nested_properties.go)."""
    if not props:
        raise SchemaError(
            f"property '{prefix}': At least one nested property is required for data type object/object[]"
        )
    for prop in props:
        name = prop.get("name") or ""
        path = f"{prefix}.{name}"
        if not isinstance(name, str) or not NESTED_NAME_RE.match(name):
            raise SchemaError(
                f"'{name}' is not a valid nested property name of '{prefix}'. NestedProperty names "
                "in Weaviate are restricted to valid GraphQL names, which must be "
                f"“/{NESTED_NAME_PATTERN}/”."
            )
        dt = _single(prop.get("dataType"))
        primitive = dt if dt in primitive_types(v) + DEPRECATED_TYPES else None
        is_nested = dt in NESTED_TYPES
        if primitive in DEPRECATED_TYPES:
            raise SchemaError(
                f"property '{path}': data type '{primitive}' is deprecated and not allowed as nested property"
            )
        if primitive in ("geoCoordinates", "phoneNumber"):
            raise SchemaError(f"property '{path}': data type '{primitive}' not allowed as nested property")
        if primitive is None and not is_nested:
            raise SchemaError(f"property '{path}': reference data type not allowed")
        tok = prop.get("tokenization") or ""
        if primitive in TEXT_TYPES:
            if tok not in ("field", "word", "whitespace", "lowercase"):
                raise SchemaError(
                    f"property '{path}': Tokenization '{tok}' is not allowed for data type '{primitive}'"
                )
        elif tok:
            what = f"data type '{primitive}'" if primitive else "object/object[] data types"
            raise SchemaError(f"property '{path}': Tokenization is not allowed for {what}")
        if primitive in ("blob", "blobHash") and prop.get("indexFilterable"):
            raise SchemaError(f"property: '{path}': indexFilterable is not allowed for blob data type")
        if prop.get("indexSearchable") and primitive not in TEXT_TYPES:
            raise SchemaError(
                f"property '{path}': `indexSearchable` is not allowed for other than text/text[] data types"
            )
        if prop.get("indexRangeFilters") and primitive not in ("number", "int", "date"):
            raise SchemaError(
                f"property '{path}': `indexRangeFilters` is not allowed for other than "
                "number/int/date data types"
            )
        # Nested properties take the same text analysis options; the texts are assumed to be
        # the top-level ones with the dotted path as the name (not confirmed).
        validate_text_analyzer(prop, path, primitive, presets)
        if is_nested:
            _validate_nested(prop.get("nestedProperties") or [], path, v, presets)


def vectorizers_in_use(cls: JsonDict) -> list[str]:
    """Vectorizer modules (not ``none``) of the class-level vector and of every named vector."""
    found: list[str] = []
    if has_legacy_vector(cls) or not cls.get("vectorConfig"):
        legacy = cls.get("vectorizer")
        if isinstance(legacy, str) and legacy not in ("", "none"):
            found.append(legacy)
    for cfg in (cls.get("vectorConfig") or {}).values():
        vec = cfg.get("vectorizer") if isinstance(cfg, dict) else None
        if isinstance(vec, dict) and len(vec) == 1:
            module = next(iter(vec))
            if module != "none" and module not in found:
                found.append(module)
    return found


def set_property_module_defaults(prop: JsonDict, cls: JsonDict, ctx: Context) -> None:
    """``setSinglePropertyConfigDefaults``: each enabled vectorizer's per-property defaults under the
    property's own settings for it (stored only when something results)."""
    for module in vectorizers_in_use(cls):
        if module_kind(module, ctx.modules) is None:
            continue
        given = (prop.get("moduleConfig") or {}).get(module)
        merged = {**property_defaults(module), **(given if isinstance(given, dict) else {})}
        if merged:
            if not isinstance(prop.get("moduleConfig"), dict):
                prop["moduleConfig"] = {}
            prop["moduleConfig"][module] = merged


def set_class_module_defaults(cls: JsonDict, ctx: Context) -> None:
    """``SetClassDefaults`` of the modules: a vectorizer's class defaults are stored under the class's
    ``moduleConfig`` (class-level vector) or in the named vector's ``vectorizer`` entry."""
    if has_legacy_vector(cls) or not cls.get("vectorConfig"):
        module = cls.get("vectorizer")
        if isinstance(module, str) and module != "none" and module_kind(module, ctx.modules) is not None:
            given = (cls.get("moduleConfig") or {}).get(module) if isinstance(cls.get("moduleConfig"), dict) else None
            merged = class_config_with_defaults(module, given)
            if merged:
                if not isinstance(cls.get("moduleConfig"), dict):
                    cls["moduleConfig"] = {}
                cls["moduleConfig"][module] = merged
    for cfg in (cls.get("vectorConfig") or {}).values():
        vec = cfg.get("vectorizer") if isinstance(cfg, dict) else None
        if isinstance(vec, dict) and len(vec) == 1:
            module = next(iter(vec))
            if module != "none" and module_kind(module, ctx.modules) is not None:
                vec[module] = class_config_with_defaults(module, vec[module])
    for prop in cls["properties"]:
        set_property_module_defaults(prop, cls, ctx)


def validate_class_modules(cls: JsonDict, ctx: Context) -> None:
    """``moduleConfig.ValidateClass`` (usecases/modules/module_config_init_and_validate.go); modules'
    own setting checks (an unknown model name...) are not emulated."""
    named = cls.get("vectorConfig") or {}
    module_config = cls.get("moduleConfig") if isinstance(cls.get("moduleConfig"), dict) else {}
    if not named:
        vectorizer = cls.get("vectorizer")
        if vectorizer == "none":
            return
        vectorizers = [m for m in module_config if is_vectorizer(m, ctx.modules)]
        if len(vectorizers) > 1:
            raise SchemaError(f"multiple vectorizers configured in class's moduleConfig: {go_list(vectorizers)}. "
                              f'class.vectorizer is set to "{vectorizer}"')
        for module in [*vectorizers[:1], vectorizer]:
            if isinstance(module, str) and module_kind(module, ctx.modules) == "multivector":
                raise SchemaError(f'multi vector vectorizer: "{module}" is only allowed to be defined using named '
                                  "vector configuration")
        return
    for name, cfg in named.items():
        if len(name) > 230:
            raise SchemaError(f'class.VectorConfig target vector name "{name}" is not valid. Target vector name '
                              "should not be longer than 230 characters.")
        if not VECTOR_NAME_RE.match(name):
            raise SchemaError(f'class.VectorConfig target vector name "{name}" is not valid, in Weaviate target '
                              "vector names are restricted to valid GraphQL names, which must be "
                              "“/[_A-Za-z][_0-9A-Za-z]{0,229}/”.")
        vec = cfg.get("vectorizer") if isinstance(cfg, dict) else None
        if not isinstance(vec, dict):
            raise SchemaError(f"class.VectorConfig.Vectorizer must be an object, got {_go_type(vec)}")
        if len(vec) != 1:
            raise SchemaError(f"class.VectorConfig.Vectorizer must consist only 1 configuration, got: {len(vec)}")
        module = next(iter(vec))
        if module != "none" and module_kind(module, ctx.modules) is None:
            raise SchemaError(f"class.VectorConfig.Vectorizer module with name {module} doesn't exist")
    for module in module_config:
        if module_kind(module, ctx.modules) is None:
            raise SchemaError(f"module with name {module} doesn't exist")


def _go_type(value: Any) -> str:
    """What Go's ``%T`` prints for a decoded JSON value."""
    if value is None:
        return "<nil>"
    return {str: "string", bool: "bool", list: "[]interface {}", int: "float64", float: "float64"}.get(
        type(value), "map[string]interface {}")


def validate_property_modules(prop: JsonDict, cls: JsonDict, ctx: Context) -> None:
    """``validatePropModuleConfig``: a property may only configure a vectorizer the class uses (modules
    that are not vectorizers on this server are not checked)."""
    configured = set(vectorizers_in_use(cls)) | ({cls["vectorizer"]} if cls.get("vectorizer") else set())
    module_config = prop.get("moduleConfig")
    if module_config is None:
        return
    if not isinstance(module_config, dict):
        raise SchemaError(f"{prop.get('name')} property config invalid")
    for module, cfg in module_config.items():
        if not is_vectorizer(module, ctx.modules):
            continue
        if module not in configured:
            raise SchemaError(f'vectorizer "{module}" not configured for any of target vectors')
        if not isinstance(cfg, dict):
            raise SchemaError(f'vectorizer config for vectorizer "{module}" not of type map[string]interface{{}}')


def finish_property(prop: JsonDict) -> JsonDict:
    """Output form: omitempty fields dropped, recursively for nested properties."""
    if "nestedProperties" in prop:
        prop["nestedProperties"] = [finish_property(n) for n in prop["nestedProperties"]]
    if isinstance(prop.get("textAnalyzer"), dict):
        # every TextAnalyzerConfig field is omitempty (asciiFold false is not shown)
        prop["textAnalyzer"] = {k: v for k, v in _prune(prop["textAnalyzer"]).items() if v is not False}
    return _prune(prop)


# -- class ---------------------------------------------------------------------------------------


def mt_enabled(cls: JsonDict) -> bool:
    mt = cls.get("multiTenancyConfig")
    return isinstance(mt, dict) and bool(mt.get("enabled"))


def normalize_class(body: Any, ctx: Context) -> JsonDict:
    """Keep the known Class fields (the server's JSON decoding drops unknown ones)."""
    if not isinstance(body, dict):
        raise SchemaError("class must be an object")
    cls = {k: copy.deepcopy(body[k]) for k in class_keys(ctx.version) if k in body and body[k] is not None}
    props = cls.get("properties")
    if props is not None and not isinstance(props, list):
        raise SchemaError("properties must be an array")
    cls["properties"] = [normalize_property(p, ctx.version) for p in props or []]
    return cls


def set_class_defaults(cls: JsonDict, ctx: Context) -> None:
    """``setClassDefaults``: vector index defaults, inverted index, properties, replication factor and
    the modules' defaults."""
    v = ctx.version
    if not cls.get("vectorConfig") or has_legacy_vector(cls):
        if not cls.get("vectorizer"):
            cls["vectorizer"] = "none"
        if not cls.get("vectorIndexType"):
            cls["vectorIndexType"] = default_index_type(ctx.settings.default_vector_index, v)
    if named_vector_type_defaulted(v):
        for cfg in (cls.get("vectorConfig") or {}).values():
            if isinstance(cfg, dict) and not cfg.get("vectorIndexType"):
                cfg["vectorIndexType"] = default_index_type(ctx.settings.default_vector_index, v)
    cls["invertedIndexConfig"] = _inverted_defaults(cls.get("invertedIndexConfig"), v)
    for prop in cls["properties"]:
        set_property_defaults(prop)
    replication = cls.get("replicationConfig")
    if not isinstance(replication, dict):
        replication = {"factor": 1}
    if not isinstance(replication.get("factor"), int) or replication["factor"] < 1:
        replication["factor"] = 1  # REPLICATION_MINIMUM_FACTOR defaults to 1
    cls["replicationConfig"] = replication
    set_class_module_defaults(cls, ctx)


def _inverted_defaults(given: Any, v: Version) -> JsonDict:
    if not isinstance(given, dict):
        return inverted_index_defaults(v)
    known = [
        "bm25",
        "stopwords",
        "cleanupIntervalSeconds",
        "indexTimestamps",
        "indexNullState",
        "indexPropertyLength",
    ]
    known += ["tokenizerUserDict"] if v >= (1, 35, 0) else []
    known += ["stopwordPresets"] if v >= (1, 37, 0) else []
    out = {k: copy.deepcopy(given[k]) for k in known if k in given}
    if not out.get("cleanupIntervalSeconds"):
        out["cleanupIntervalSeconds"] = 60
    if isinstance(out.get("bm25"), dict):
        # A partial bm25 object decodes into a struct: missing fields are zero, not defaults.
        out["bm25"] = {"b": out["bm25"].get("b", 0), "k1": out["bm25"].get("k1", 0)}
    else:
        out["bm25"] = {"b": 0.75, "k1": 1.2}
    stop: JsonDict = out["stopwords"] if isinstance(out.get("stopwords"), dict) else {}
    out["stopwords"] = {
        "preset": stop.get("preset") or "en",
        "additions": stop.get("additions") or None,
        "removals": stop.get("removals") or None,
    }
    for flag in ("indexTimestamps", "indexNullState", "indexPropertyLength"):
        if not out.get(flag):
            out.pop(flag, None)  # false is omitted from JSON output
    for key in ("tokenizerUserDict", "stopwordPresets"):
        if not out.get(key):
            out.pop(key, None)  # omitempty
    if v >= (1, 30, 0):
        # Server-managed: a false in the body is indistinguishable from absent and gets the default.
        out["usingBlockMaxWAND"] = True
    return out


def validate_mt(cls: JsonDict) -> None:
    mt = cls.get("multiTenancyConfig") or {}
    if not mt.get("enabled"):
        if mt.get("autoTenantCreation"):
            raise SchemaError("can't enable autoTenantCreation on a non-multi-tenant class")
        if mt.get("autoTenantActivation"):
            raise SchemaError("can't enable autoTenantActivation on a non-multi-tenant class")


def parse_class(cls: JsonDict, ctx: Context) -> None:
    """``ParseClass``: reserved name, sharding config, fully expanded vector index configs."""
    if cls["class"].lower() == "raft":
        raise SchemaError("parse class name: class name `raft` is reserved")
    try:
        cls["shardingConfig"] = (
            sharding_multi_tenant() if mt_enabled(cls)
            else _parse_sharding(cls.get("shardingConfig"), ctx.settings.nodes)
        )
    except SchemaError as e:
        raise SchemaError(f"parse sharding config: {e.message}") from None
    parse_vector_index_configs(cls, ctx)


def _parse_sharding(given: Any, nodes: int) -> JsonDict:
    """``shardingConfig.ParseConfig``: ``desiredCount`` defaults to the number of nodes."""
    if given is None:
        return sharding_defaults(nodes)
    if not isinstance(given, dict):
        raise SchemaError(f"input {type(given).__name__} must be a non-nil")
    vpp = int(given.get("virtualPerPhysical", 128))
    out = sharding_defaults(int(given.get("desiredCount", nodes)), vpp)
    for key in ("key", "strategy", "function"):
        if key in given:
            if not isinstance(given[key], str):
                raise SchemaError(f'field "{key}" must be of type string, got: {type(given[key]).__name__}')
            out[key] = given[key]
    if out["key"] != "_id":
        raise SchemaError(f"sharding only supported on key '_id' for now, got: {out['key']}")
    if out["strategy"] != "hash":
        raise SchemaError(f"sharding only supported with strategy 'hash' for now, got: {out['strategy']}")
    if out["function"] != "murmur3":
        raise SchemaError(f"sharding only supported with function 'murmur3' for now, got: {out['function']}")
    return out


def finish_replication(cls: JsonDict, v: Version, new_class: bool) -> None:
    """Output form of ``replicationConfig``; ``deletionStrategy`` is only defaulted on create."""
    given = cls["replicationConfig"]
    out: JsonDict = {"factor": given["factor"]}
    strategy = given.get("deletionStrategy") or (deletion_strategy_default(v) if new_class else None)
    if strategy:
        out["deletionStrategy"] = strategy
    if shows_async_enabled(v):
        out["asyncEnabled"] = bool(given.get("asyncEnabled", False))
    if v >= (1, 36, 0) and isinstance(given.get("asyncConfig"), dict):
        out["asyncConfig"] = given["asyncConfig"]
    cls["replicationConfig"] = out


def finish_mt(cls: JsonDict, v: Version) -> None:
    """``multiTenancyConfig`` JSON tags have no omitempty: all three flags are always shown."""
    mt = cls.get("multiTenancyConfig") or {}
    cls["multiTenancyConfig"] = {
        "enabled": bool(mt.get("enabled")),
        "autoTenantCreation": bool(mt.get("autoTenantCreation")),
        "autoTenantActivation": bool(mt.get("autoTenantActivation")),
    }


def validate_inverted(cfg: JsonDict) -> None:
    """``inverted.ValidateConfig``'s ``validateStopwordPresets`` (1.37+): a name and at least one word each."""
    for name, words in (cfg.get("stopwordPresets") or {}).items():
        if not str(name).strip():
            raise SchemaError("stopwordPresets: preset name must not be empty or whitespace-only")
        if not isinstance(words, list) or not words:
            raise SchemaError(f'stopwordPresets: preset "{name}" must have at least one word')
        if any(not str(w).strip() for w in words):
            raise SchemaError(f'stopwordPresets: preset "{name}" contains empty or whitespace-only word')


def validate_user_dict(cfg: JsonDict) -> None:
    """``initUserDictTokenizers``, run when the class's index is created (1.35+): only kagome tokenizers
    take a user dictionary, once each, and every replacement names a source and a target."""
    seen: set[str] = set()
    for entry in cfg.get("tokenizerUserDict") or []:
        if not isinstance(entry, dict):
            continue
        tokenizer = str(entry.get("tokenizer") or "")
        if tokenizer in seen:
            raise SchemaError(f"found duplicate tokenizer '{tokenizer}' in tokenizer user dict config")
        seen.add(tokenizer)
        if tokenizer not in USER_DICT_TOKENIZERS:
            raise SchemaError(f"tokenizer {tokenizer} does not support user dictionaries")
        for replacement in entry.get("replacements") or []:
            if not isinstance(replacement, dict) or replacement.get("source") is None or replacement.get(
                "target"
            ) is None:
                raise SchemaError("both source and target must be set")


def validate_ttl(cls: JsonDict, is_update: bool) -> None:
    """``ttl.ValidateObjectTTLConfig`` (1.35+) for a class whose defaults are set.

    An enabled TTL needs ``deleteOn``: an internal timestamp (then ``defaultTtl`` >= 60 s and indexed
    timestamps, which a create switches on by itself and an update demands) or a date property
    with a filterable or rangeable index. A disabled TTL is stored as given.
    """
    ttl = cls.get("objectTtlConfig")
    if not isinstance(ttl, dict) or not ttl.get("enabled"):
        return
    delete_on = str(ttl.get("deleteOn") or "").strip()
    needs_timestamps = False
    try:
        if not delete_on:
            raise SchemaError(
                'missing value for "deleteOn". Set "_creationTimeUnix", "_lastUpdateTimeUnix" or custom '
                'property of "date" type'
            )
        if delete_on in TTL_TIMESTAMPS:
            if not cls["invertedIndexConfig"].get("indexTimestamps"):
                if is_update:
                    raise SchemaError(
                        f'"deleteOn"="{delete_on}" requires indexed timestamps. Enable '
                        '"invertedIndexConfig.indexTimestamps"'
                    )
                needs_timestamps = True
            given = int(ttl.get("defaultTtl") or 0)
            if given < TTL_MINIMUM_SECONDS:
                raise SchemaError(
                    f'defaultTtl value too small for "deleteOn"="{delete_on}". Required minimum '
                    f'"{TTL_MINIMUM_SECONDS}" seconds, given "{given}" seconds'
                )
        else:
            _check_ttl_property(cls, delete_on)
    except SchemaError as e:
        raise SchemaError(f"ObjectTTLConfig: {e.message}") from None
    ttl["deleteOn"] = delete_on
    if needs_timestamps:
        cls["invertedIndexConfig"]["indexTimestamps"] = True


def _check_ttl_property(cls: JsonDict, delete_on: str) -> None:
    prop = next((p for p in cls.get("properties") or [] if p.get("name") == delete_on), None)
    if prop is None:
        raise SchemaError(f'property "{delete_on}" set as "deleteOn" not found among collection properties')
    data_type = prop.get("dataType")
    # schema.AsPrimitive: the primitive name, or "" for references and objects
    single = _single(data_type)
    primitive = single if single in PRIMITIVE_TYPES + ("blobHash",) + DEPRECATED_TYPES else ""
    if primitive != "date":
        raise SchemaError(f'property "{delete_on}" set as "deleteOn" should have "date" data type, "{primitive}" given')
    if not prop.get("indexFilterable") and not prop.get("indexRangeFilters"):
        raise SchemaError(f'property "{delete_on}" set as "deleteOn" should have filterable or rangeable index enabled')


def finish_ttl(cls: JsonDict) -> None:
    """``ObjectTTLConfig`` JSON tags have no omitempty: a given config shows all four fields."""
    ttl = cls.get("objectTtlConfig")
    if isinstance(ttl, dict):
        cls["objectTtlConfig"] = {
            "defaultTtl": int(ttl.get("defaultTtl") or 0),
            "deleteOn": str(ttl.get("deleteOn") or ""),
            "enabled": bool(ttl.get("enabled")),
            "filterExpiredObjects": bool(ttl.get("filterExpiredObjects")),
        }


def build_class(body: Any, ctx: Context) -> JsonDict:
    """Validate a POST /v1/schema body and return the class as the server stores and returns it.

    Raises :class:`EnumError` for request-binding failures and :class:`SchemaError` otherwise.
    """
    v = ctx.version
    cls = normalize_class(body, ctx)
    check_tokenization_enum(cls["properties"], "objectClass.properties")
    cls["class"] = upper_first(str(cls.get("class") or ""))
    for prop in cls["properties"]:
        if isinstance(prop.get("name"), str):
            prop["name"] = lower_first(prop["name"])
    # setNewClassDefaults
    if "shardingConfig" in cls and mt_enabled(cls):
        raise SchemaError("cannot have both shardingConfig and multiTenancyConfig")
    set_class_defaults(cls, ctx)
    # validateCanAddClass
    validate_new_vectors(cls, ctx)
    if not CLASS_NAME_RE.match(cls["class"]):
        raise SchemaError(f"'{cls['class']}' is not a valid class name")
    taken: set[str] = set()
    for prop in cls["properties"]:
        validate_property(prop, cls, taken, ctx, relax_refs=v >= (1, 36, 0))
        taken.add(str(prop["name"]).lower())
    validate_vector_settings(cls, ctx, raw=True)
    validate_class_modules(cls, ctx)
    validate_mt(cls)
    validate_ttl(cls, is_update=False)
    validate_inverted(cls["invertedIndexConfig"])
    for prop in cls["properties"]:
        migrate_property(prop)
    parse_class(cls, ctx)
    factor, nodes = cls["replicationConfig"]["factor"], ctx.settings.nodes
    if factor > nodes:
        # sharding.InitState
        raise SchemaError(f"init sharding state: could not find enough weaviate nodes for replication: {nodes} "
                          f"available, {factor} requested")
    apply_default_quantization(cls, ctx)
    finish_replication(cls, v, new_class=True)
    finish_mt(cls, v)
    finish_ttl(cls)
    cls["properties"] = [finish_property(p) for p in cls["properties"]]
    # Checked at the RAFT apply (cluster/schema/manager.go PreApplyFilter, then AddClass).
    check_name_free(cls["class"], ctx)
    if v >= (1, 36, 0):
        for prop in cls["properties"]:
            kind, targets = find_data_type(prop["dataType"], ctx, cls["class"], relax_refs=True)
            if kind == "ref" and any(t != cls["class"] and not ctx.class_exists(t) for t in targets):
                raise SchemaError("bad request: reference property to nonexistent class")
    # The user dictionary is loaded when the class's index is opened, after the RAFT apply; the
    # failure is still answered with 422 (the "failed to create new index" wrapping is not confirmed).
    try:
        validate_user_dict(cls["invertedIndexConfig"])
    except SchemaError as e:
        raise SchemaError(f"failed to create new index: {e.message}") from None
    return _prune(cls)


def check_name_free(name: str, ctx: Context) -> None:
    """``PreApplyFilter``: no class or alias of the same name, whatever its case. Before 1.33 an alias
    was reported as a class."""
    for alias in ctx.aliases:
        if alias.lower() == name.lower():
            item = "alias" if ctx.version >= (1, 33, 0) else "class"
            if alias == name:
                raise SchemaError(f"{item} name {name} already exists")
            raise SchemaError(f'class already exists: found similar {item} "{alias}"')
    for existing in ctx.classes:
        if existing == name:
            raise SchemaError(f"class name {existing} already exists")
        if existing.lower() == name.lower():
            raise SchemaError(f'class already exists: found similar class "{existing}"')


def build_property(body: Any, cls: JsonDict, ctx: Context) -> JsonDict:
    """Validate a POST /v1/schema/{class}/properties body; return the property as stored."""
    prop = normalize_property(body, ctx.version)
    check_tokenization_enum([prop], "body")
    if isinstance(prop.get("name"), str):
        prop["name"] = lower_first(prop["name"])
    set_property_defaults(prop)
    taken = {str(p["name"]).lower() for p in cls.get("properties") or []}
    validate_property(prop, cls, taken, ctx)
    migrate_property(prop)
    set_property_module_defaults(prop, cls, ctx)
    return finish_property(prop)
