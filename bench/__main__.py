"""``python -m bench``: request counts, wall time, memory and lower bounds for every backend and size.

Starts a fresh server per backend and size (emulators with injected latency, the real local
PocketBase), runs the four scenarios in child processes, then the Appwrite create paths by server
version (:data:`bench.runner.VARIANTS`), the peers on fresh servers of their own
(:mod:`bench.peers`) and the local floor (:mod:`bench.floor`), prints one line per result, and with
``--write`` rewrites the generated part of ``bench/RESULTS.md`` (the hand-written part below it stays).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from bench.floor import measure_floor
from bench.manifests import SIZES
from bench.peers.runner import PeerResult, run_peers
from bench.report import RESULTS, machine, render, row, write_results
from bench.runner import Result, run_all, run_variants

__all__ = ["main"]

_BACKENDS = tuple(SIZES)
_SIZES = ("small", "medium", "large")


def _list(allowed: tuple[str, ...]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        values = [v.strip() for v in text.split(",") if v.strip()]
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown {', '.join(unknown)}; choose from {', '.join(allowed)}")
        return values
    return parse


def _progress(result: Result) -> None:
    cells = row(result)
    line = (f"{cells['backend']:<10} {cells['size']:<13} {result.latency_ms:>3g} ms {cells['scenario'][:25]:<25} "
            f"{cells['requests']:>7} req "
            f"{cells['wall s']:>7} s (local {cells['local s']}, network {cells['network s']}, bound "
            f"{cells['bound s']}, {cells['ratio']}) {cells['peak MB']} MB, server CPU {cells['server CPU s']} s")
    execute = result.child["bounds"].get("execute")
    if execute:
        line += (f"\n{'':<55} executor: {result.requests('execute')} req {result.phase('execute'):.2f} s, "
                 f"bound {execute['seconds']:.2f} s (chain {execute['chain_s']:.2f}, work {execute['work_s']:.2f})")
    print(line + (f"\n    ERROR: {result.error}" if result.error else ""), flush=True)


def _peer_progress(p: PeerResult) -> None:
    print(f"{'peer':<10} {p.backend} {p.size:<8} {p.peer[:34]:<34} {p.scenario[:26]:<26} {p.requests:>6} req "
          f"{p.wall_s:7.2f} s (CPU {p.cpu_s:.2f} s, {p.peak_mb:.0f} MB, server CPU {p.server_cpu_s:.2f} s, "
          f"{p.deletes} deletes)" + (f"\n    ERROR: {p.error}" if p.error else ""), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=20.0, help="per-request latency (default 20)")
    parser.add_argument("--sizes", type=_list(_SIZES), default=list(_SIZES), help="small,medium,large")
    parser.add_argument("--backends", type=_list(_BACKENDS), default=list(_BACKENDS),
                        help="appwrite,pocketbase,weaviate")
    parser.add_argument("--parallelism", type=int, default=8, help="apply --parallelism (default 8)")
    parser.add_argument("--readiness-s", type=float, default=0.25,
                        help="Appwrite emulator: seconds a column/index job takes (default 0.25)")
    parser.add_argument("--no-latency-check", dest="latency_check", action="store_false",
                        help="skip the run of the largest size without latency")
    parser.add_argument("--no-peers", dest="peers", action="store_false",
                        help="skip the peers (Appwrite CLI, weaviate-client scripts, PocketBase's own import)")
    parser.add_argument("--cli-max-tables", type=int, default=100,
                        help="run the Appwrite CLI only up to this many tables (default 100: it waits 2 s per "
                             "table twice, one table after another, so 500 tables take about 40 minutes)")
    parser.add_argument("--no-variants", dest="variants", action="store_false",
                        help="skip the Appwrite create paths by server version")
    parser.add_argument("--no-floor", dest="floor", action="store_false",
                        help="skip the local floor (start-up, validate and no-op plan as processes)")
    parser.add_argument("--write", action="store_true", help=f"rewrite {RESULTS.name}")
    args = parser.parse_args(argv)
    results = run_all(args.backends, args.sizes, latency_ms=args.latency_ms, readiness_s=args.readiness_s,
                      parallelism=args.parallelism, progress=_progress, latency_check=args.latency_check)
    variants: list[Result] = []
    if args.variants and "appwrite" in args.backends:
        variants = run_variants(latency_ms=args.latency_ms, readiness_s=args.readiness_s,
                                parallelism=args.parallelism, progress=_progress)
    peers: list[PeerResult] = []
    if args.peers:
        for backend in args.backends:
            for size in args.sizes:
                if backend == "appwrite" and SIZES[backend][size] > args.cli_max_tables:
                    continue
                peers += run_peers(backend, size, latency_ms=args.latency_ms, readiness_s=args.readiness_s,
                                   progress=_peer_progress)
    floor = measure_floor(progress=print) if args.floor and "appwrite" in args.backends else None
    if args.write:
        write_results(render(results, machine(), readiness_s=args.readiness_s, peers=peers, variants=variants,
                             floor=floor, cli_max_tables=args.cli_max_tables))
        print(f"wrote {RESULTS}")
    failed = any(r.error for r in (*results, *variants)) or any(p.error and not p.notes for p in peers)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
