"""Weaviate modules as the schema code sees them: their kind and the defaults they store at create.

A module counts only when the emulated server enables it (``--module``); the kind follows the
module's name prefix, as the module types do upstream (``usecases/modules/modules.go``:
``IsGenerative``, ``IsReranker``, ``IsMultiVector``, ``isVectorizerModule``). The class and property
defaults are each module's ``ClassConfigDefaults`` / ``PropertyConfigDefaults``
(``modules/<name>/config.go``), merged under what the request gives
(``usecases/modules/module_config_init_and_validate.go`` ``SetClassDefaults``). See FIDELITY.md,
rows C7, C18 and C19.
"""

from __future__ import annotations

import copy
from typing import Any

from .defaults import JsonDict

VECTORIZER_PREFIXES = ("text2vec-", "multi2vec-", "img2vec-", "ref2vec-")
ALT_NAMES = {"text2colbert-jinaai": "text2multivec-jinaai", "generative-palm": "generative-google",
             "multi2vec-palm": "multi2vec-google", "text2vec-palm": "text2vec-google"}
"""Legacy names a module also answers to (``AltNames`` in ``modules/<name>/module.go``); a class keeps the
name it was given."""
MULTIVECTOR_PREFIXES = ("text2multivec-", "multi2multivec-")

# ClassConfigDefaults of the modules the emulator knows (stable from v1.32.0 to v1.39.0).
CLASS_DEFAULTS: dict[str, JsonDict] = {
    "text2vec-openai": {
        "vectorizeClassName": True,
        "baseURL": "https://api.openai.com",
        "model": "text-embedding-3-small",
    },
    "text2vec-cohere": {
        "vectorizeClassName": True,
        "model": "embed-multilingual-v3.0",
        "truncate": "END",
        "baseUrl": "https://api.cohere.ai",
    },
    "text2vec-transformers": {"vectorizeClassName": True, "poolingStrategy": "masked_mean"},
    "text2vec-ollama": {"vectorizeClassName": False},
    "text2multivec-jinaai": {
        "vectorizeClassName": True,
        "model": "jina-colbert-v2",
        "baseURL": "https://api.jina.ai",
        "dimensions": 128,
    },
}
# PropertyConfigDefaults: text modules vectorize every property (skip false) without its name.
TEXT_PROPERTY_DEFAULTS: JsonDict = {"skip": False, "vectorizePropertyName": False}


def module_kind(name: str, enabled: frozenset[str]) -> str | None:
    """``vectorizer``, ``multivector``, ``generative``, ``reranker`` or ``other`` for an enabled
    module; None when the server does not have it (``GetByName`` returns nil)."""
    name = ALT_NAMES.get(name, name)
    if name not in enabled:
        return None
    if name.startswith(MULTIVECTOR_PREFIXES):
        return "multivector"
    if name.startswith(VECTORIZER_PREFIXES):
        return "vectorizer"
    if name.startswith("generative-"):
        return "generative"
    if name.startswith("reranker-"):
        return "reranker"
    return "other"


def is_vectorizer(name: str, enabled: frozenset[str]) -> bool:
    """``ValidateVectorizer`` succeeds: an enabled module with a (multi-)vectorizer capability."""
    return module_kind(name, enabled) in ("vectorizer", "multivector")


def class_config_with_defaults(module: str, given: Any) -> JsonDict:
    """The module's class defaults with ``given`` merged over them."""
    out = copy.deepcopy(CLASS_DEFAULTS.get(ALT_NAMES.get(module, module), {}))
    if isinstance(given, dict):
        out.update(copy.deepcopy(given))
    return out


def property_defaults(module: str) -> JsonDict:
    """The per-property settings ``module`` stores for every property (empty for image modules)."""
    if ALT_NAMES.get(module, module).startswith(("text2vec-", "text2multivec-")):
        return dict(TEXT_PROPERTY_DEFAULTS)
    return {}
