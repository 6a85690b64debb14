"""Synthetic manifests for the benchmarks: one generator module per backend, three sizes each.

Every generator returns the YAML text of a manifest whose ``providers`` block is empty (connection
settings come from the environment) and takes ``changed``: the fraction of tables/collections/
classes that get a small, non-destructive change (a new column/field/property, a new index where the
backend has them, a renamed or re-described parent), for the "apply a 10% change" scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from bench.manifests import appwrite, pocketbase, weaviate

__all__ = ["GENERATORS", "SIZES", "Generator"]

Generator = Callable[[int, float], str]

SIZES: MappingProxyType[str, MappingProxyType[str, int]] = MappingProxyType({
    "appwrite": MappingProxyType({"small": 10, "medium": 100, "large": 500}),
    "pocketbase": MappingProxyType({"small": 10, "medium": 100, "large": 300}),
    "weaviate": MappingProxyType({"small": 10, "medium": 100, "large": 300}),
})
"""backend -> size name -> number of tables / collections / classes."""

GENERATORS: MappingProxyType[str, Generator] = MappingProxyType({
    "appwrite": appwrite.generate, "pocketbase": pocketbase.generate, "weaviate": weaviate.generate})

