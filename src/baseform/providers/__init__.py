"""Backend plug-ins and the registry that lists them.

A provider is registered by adding its class to :data:`BUILTIN`; third-party providers can be
added through the ``baseform.providers`` entry-point group (the entry point's name is the provider's
name). The core reads this registry and never names a backend itself.

Providers are imported only when needed: a provider's module builds its manifest models when it is
imported, which costs more than most commands' own work, so ``validate`` or ``plan`` of an Appwrite
manifest imports the Appwrite provider alone (:meth:`Registry.load`), and ``--help`` none.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import import_module
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from baseform.providers.base import Provider

__all__ = ["BUILTIN", "SECRET_ENV", "Registry", "as_registry", "default_registry", "secret_variables"]

BUILTIN: Mapping[str, str] = {
    "pocketbase": "baseform.providers.pocketbase:PocketBaseProvider",
    "appwrite": "baseform.providers.appwrite:AppwriteProvider",
    "weaviate": "baseform.providers.weaviate:WeaviateProvider",
    "supabase": "baseform.providers.supabase:SupabaseProvider",
    "spacetimedb": "baseform.providers.spacetimedb:SpacetimeDBProvider",
}
"""provider name -> ``"module:Class"``, in the registry's order."""

SECRET_ENV: Mapping[str, tuple[str, ...]] = {
    "pocketbase": ("POCKETBASE_PASSWORD",),
    "appwrite": ("APPWRITE_API_KEY",),
    "weaviate": ("WEAVIATE_API_KEY",),
    "supabase": ("SUPABASE_DB_URL",),
    "spacetimedb": ("SPACETIMEDB_TOKEN",),
}
"""The environment variables that hold a built-in provider's secrets (its config model's ``SecretStr``
fields), known without importing it: they are masked before anything is loaded, since a template may
put them anywhere. tests/unit/test_registry.py checks them against the config models."""

_GROUP = "baseform.providers"


def _import(spec: str) -> type[Provider]:
    module, _, name = spec.partition(":")
    cls: type[Provider] = getattr(import_module(module), name)
    return cls


class Registry(Sequence["type[Provider]"]):
    """Provider classes by name, each imported the first time it is asked for.

    ``specs`` maps a provider name to its class or ``"module:Class"``. With ``discover``, providers of
    the ``baseform.providers`` entry-point group are added after the given ones, looked up only when a
    name is not among them or every provider is needed (reading installed packages' metadata costs too).
    As a sequence it holds every provider (all imported), in a stable order: built-ins first.
    """

    def __init__(self, specs: Mapping[str, str | type[Provider]], *, discover: bool = False) -> None:
        self._specs: dict[str, str | type[Provider]] = dict(specs)
        self._discover = discover

    @classmethod
    def of(cls, providers: Iterable[type[Provider]]) -> Registry:
        """A registry of these (already imported) classes."""
        return cls({p.name: p for p in providers})

    def _discovered(self) -> None:
        if not self._discover:
            return
        self._discover = False
        from importlib.metadata import entry_points  # scans every installed package: only when needed
        for ep in sorted(entry_points(group=_GROUP), key=lambda e: e.name):
            known = self._specs.get(ep.name)
            if known is None:
                self._specs[ep.name] = ep.value
            elif known != ep.value and not (isinstance(known, type) and f"{known.__module__}:{known.__name__}"
                                             == ep.value):
                raise RuntimeError(f"two providers registered the name {ep.name!r}")

    @property
    def names(self) -> tuple[str, ...]:
        """Every provider's name (imports nothing but the entry points' metadata)."""
        self._discovered()
        return tuple(self._specs)

    def get(self, name: str) -> type[Provider] | None:
        """The provider called ``name`` (imported now if needed), or None."""
        if name not in self._specs:
            self._discovered()
        spec = self._specs.get(name)
        if spec is None:
            return None
        cls = _import(spec) if isinstance(spec, str) else spec
        if cls.name != name:
            raise RuntimeError(f"the provider registered as {name!r} calls itself {cls.name!r}")
        self._specs[name] = cls
        return cls

    def load(self, names: Iterable[str]) -> tuple[type[Provider], ...]:
        """The providers among ``names`` (others are ignored), in the registry's order."""
        wanted = set(names)
        if not wanted <= self._specs.keys():
            self._discovered()
        return tuple(cls for n in self._specs if n in wanted and (cls := self.get(n)) is not None)

    def secret_variables(self) -> tuple[str, ...]:
        """Every provider's secret environment variables (a provider outside :data:`SECRET_ENV` is
        imported to read them from its config model)."""
        out: list[str] = []
        for name in self.names:
            spec = self._specs[name]
            if isinstance(spec, str) and spec == BUILTIN.get(name):
                out.extend(SECRET_ENV[name])
            else:
                cls = self.get(name)
                assert cls is not None
                out.extend(secret_variables(cls))
        return tuple(out)

    def _all(self) -> tuple[type[Provider], ...]:
        return self.load(self.names)

    @overload
    def __getitem__(self, index: int) -> type[Provider]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[type[Provider]]: ...

    def __getitem__(self, index: int | slice) -> type[Provider] | Sequence[type[Provider]]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[type[Provider]]:
        return iter(self._all())


    @classmethod
    def default(cls) -> Registry:
        """The built-in providers and those of the ``baseform.providers`` entry points; nothing imported yet."""
        return cls(BUILTIN, discover=True)


def secret_variables(cls: type[Provider]) -> tuple[str, ...]:
    """The environment variables of ``cls``'s config model that hold secrets."""
    model = cls.config_model
    return tuple(var for name, var in model.env.items() if "SecretStr" in str(model.model_fields[name].annotation))


def as_registry(providers: Registry | Iterable[type[Provider]]) -> Registry:
    """``providers`` as a :class:`Registry` (a list of classes, as tests pass, is wrapped)."""
    return providers if isinstance(providers, Registry) else Registry.of(providers)


def default_registry() -> tuple[type[Provider], ...]:
    """Every provider class (all imported), built-ins first, in a stable order."""
    return tuple(Registry.default())
