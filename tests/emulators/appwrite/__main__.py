"""``python -m tests.emulators.appwrite --port N [--latency-ms MS] [--column-delay-s S] [--version V]``."""

from __future__ import annotations

import argparse

from tests.emulators.appwrite import AppwriteEmulator
from tests.emulators.server import main


def run(argv: list[str] | None = None) -> None:
    """Parse the Appwrite-specific options, then hand the rest (``--port``, ``--latency-ms``) to main()."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--column-delay-s", type=float, default=0.05,
                        help="how long column/index jobs stay processing/deleting")
    parser.add_argument("--version", default="1.9.6", help="the server version to emulate")
    args, rest = parser.parse_known_args(argv)
    main(lambda: AppwriteEmulator(version=args.version, column_delay_s=args.column_delay_s), rest)


if __name__ == "__main__":
    run()
