"""``python -m tests.emulators.spacetimedb --port N [--spacetimedb-version V]``."""

from __future__ import annotations

import argparse

from ..server import main
from .app import SpacetimeEmulator
from .versions import DEFAULT_VERSION


def run(argv: list[str] | None = None) -> None:
    """Parse the SpacetimeDB-specific option, then hand the rest (``--port``, ``--latency-ms``) to main()."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--spacetimedb-version", default=DEFAULT_VERSION)
    args, rest = parser.parse_known_args(argv)
    main(lambda: SpacetimeEmulator(args.spacetimedb_version), rest)


if __name__ == "__main__":
    run()
