"""``python -m tests.emulators.weaviate --port N [--weaviate-version V] [--api-key K] [--module M ...]``."""

from __future__ import annotations

import argparse

from ..server import main
from .app import WeaviateEmulator


def run(argv: list[str] | None = None) -> None:
    """Parse the Weaviate-specific options, then hand the rest (``--port``, ``--latency-ms``) to main()."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--weaviate-version", default="1.32.0")
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--module", action="append", default=[], help="enabled module; repeatable")
    args, rest = parser.parse_known_args(argv)
    main(lambda: WeaviateEmulator(args.weaviate_version, args.api_key, tuple(args.module)), rest)


if __name__ == "__main__":
    run()
