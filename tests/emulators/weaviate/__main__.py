"""``python -m tests.emulators.weaviate --port N [--version V] [--api-key K] [--module M ...] [--nodes N]
[--default-quantization Q] [--default-vector-index T]``."""

from __future__ import annotations

import argparse

from ..server import main
from .app import WeaviateEmulator


def run(argv: list[str] | None = None) -> None:
    """Parse the Weaviate-specific options, then hand the rest (``--port``, ``--latency-ms``) to main()."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--version", "--weaviate-version", dest="version", default="1.32.0",
                        help="the server release to emulate (FIDELITY.md lists what changes per release)")
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--module", action="append", default=[], help="enabled module; repeatable")
    parser.add_argument("--nodes", type=int, default=1, help="cluster size (the replication factor's limit)")
    parser.add_argument("--default-quantization", default="", help="DEFAULT_QUANTIZATION (1.33+)")
    parser.add_argument("--default-vector-index", default="", help="DEFAULT_VECTOR_INDEX (1.37.3+)")
    args, rest = parser.parse_known_args(argv)
    main(lambda: WeaviateEmulator(args.version, args.api_key, tuple(args.module), nodes=args.nodes,
                                  default_quantization=args.default_quantization,
                                  default_vector_index=args.default_vector_index), rest)


if __name__ == "__main__":
    run()
