"""Host one emulator for the benchmarks: ``python -m bench.emulator_host appwrite|weaviate [options]``.

Serves on a free loopback port (printed as ``listening on URL``) until SIGTERM. Unlike
``python -m tests.emulators.<name>``, it turns Nagle's algorithm off on the server's sockets: the
shared emulator server writes a response's headers and body in two sends, so with Nagle on every
answer waits for the client's delayed ACK (about 40 ms on Linux) and the emulator, not baseform,
would dominate every timing.
"""

from __future__ import annotations

import argparse
import signal
import threading

from tests.emulators.appwrite import AppwriteEmulator
from tests.emulators.server import Emulator, serve
from tests.emulators.weaviate.app import WeaviateEmulator

__all__ = ["main"]


def _emulator(args: argparse.Namespace) -> Emulator:
    if args.backend == "appwrite":
        return AppwriteEmulator(column_delay_s=args.column_delay_s)
    return WeaviateEmulator()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backend", choices=["appwrite", "weaviate"])
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--column-delay-s", type=float, default=0.05, help="Appwrite column/index job delay")
    args = parser.parse_args(argv)
    emulator = _emulator(args)
    emulator.set_faults(latency_ms=args.latency_ms)
    running = serve(emulator)
    # StreamRequestHandler sets TCP_NODELAY on each accepted socket when this is true
    running.server.RequestHandlerClass.disable_nagle_algorithm = True  # type: ignore[attr-defined]
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    print(f"{args.backend} emulator listening on {running.url}", flush=True)
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()


if __name__ == "__main__":
    main()
