"""SpacetimeDB host emulator (modules are RawModuleDefV9 JSON documents) for tests.

Run alone with ``python -m tests.emulators.spacetimedb --port N [--spacetimedb-version V]``; in tests
use ``serve(SpacetimeEmulator(...))`` from :mod:`tests.emulators.server`. FIDELITY.md lists every rule
with the server source it comes from.
"""

from .app import SpacetimeEmulator

__all__ = ["SpacetimeEmulator"]
