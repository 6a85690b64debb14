"""Backend plug-ins and the registry that lists them.

A provider is registered by adding its class to :data:`BUILTIN`; third-party providers can be
added through the ``baseform.providers`` entry-point group. The core reads this registry and never
names a backend itself.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from baseform.providers.base import Provider

__all__ = ["BUILTIN", "default_registry"]

BUILTIN: tuple[str, ...] = (
    "baseform.providers.pocketbase:PocketBaseProvider",
    "baseform.providers.appwrite:AppwriteProvider",
    "baseform.providers.weaviate:WeaviateProvider",
    "baseform.providers.supabase:SupabaseProvider",
    "baseform.providers.spacetimedb:SpacetimeDBProvider",
)


def _load(spec: str) -> type[Provider]:
    module, _, name = spec.partition(":")
    cls: type[Provider] = getattr(import_module(module), name)
    return cls


def default_registry() -> tuple[type[Provider], ...]:
    """Every provider class, built-ins first, in a stable order."""
    found = [_load(spec) for spec in BUILTIN]
    for ep in sorted(entry_points(group="baseform.providers"), key=lambda e: e.name):
        cls = ep.load()
        if cls not in found:
            found.append(cls)
    names = [c.name for c in found]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise RuntimeError(f"two providers registered the name(s) {sorted(duplicates)}")
    return tuple(found)
