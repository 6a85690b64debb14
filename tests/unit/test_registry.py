"""The provider registry imports a provider only when it is asked for."""

from __future__ import annotations

import subprocess
import sys

import pytest

from baseform.providers import Registry, default_registry

_PROBE = """
import sys
from baseform.providers import Registry
registry = Registry.default()
names = registry.names
loaded = [c.name for c in registry.load(["appwrite", "nonesuch"])]
print(",".join(names), ",".join(loaded), ",".join(n for n in names if f"baseform.providers.{n}" in sys.modules))
"""


def test_only_the_providers_asked_for_are_imported() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "pocketbase,appwrite,weaviate,supabase,spacetimedb"
    assert out[1] == "appwrite"
    assert out[2] == "appwrite"  # the only provider package imported


def test_a_provider_registered_under_another_name_is_refused() -> None:
    pocketbase = default_registry()[0]
    with pytest.raises(RuntimeError, match="registered as 'other' calls itself 'pocketbase'"):
        Registry({"other": pocketbase}).get("other")


def test_the_secret_variables_known_without_imports_are_the_config_models_own() -> None:
    from baseform.providers import BUILTIN, SECRET_ENV, secret_variables

    assert {cls.name: secret_variables(cls) for cls in default_registry()} == {n: SECRET_ENV[n] for n in BUILTIN}
