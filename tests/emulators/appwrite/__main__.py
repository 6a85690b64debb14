"""``python -m tests.emulators.appwrite --port N [--version V] [--engine E] [--latency-ms MS] [--column-delay-s S]``.

``--version`` and ``--engine`` choose the emulated server (rows of FIDELITY.md beside this file).
"""

from __future__ import annotations

import argparse

from tests.emulators.appwrite import AppwriteEmulator
from tests.emulators.appwrite.profile import DEFAULT_VERSION, ENGINES, VERSIONS
from tests.emulators.server import main


def run(argv: list[str] | None = None) -> None:
    """Parse the Appwrite-specific options, then hand the rest (``--port``, ``--latency-ms``) to main()."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--column-delay-s", type=float, default=0.05,
                        help="how long column/index jobs stay processing/deleting")
    parser.add_argument("--version", default=DEFAULT_VERSION, choices=VERSIONS,
                        help="the server version to emulate (FIDELITY.md lists what each one is)")
    parser.add_argument("--engine", default="mariadb", choices=ENGINES, help="the storage engine of the project")
    args, rest = parser.parse_known_args(argv)
    main(lambda: AppwriteEmulator(version=args.version, engine=args.engine, column_delay_s=args.column_delay_s),
         rest)


if __name__ == "__main__":
    run()
