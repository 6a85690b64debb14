"""One benchmark scenario in a process of its own: ``python -m bench.scenario --backend B --manifest F``.

Runs what ``baseform plan`` (or, with ``--apply``, ``baseform apply --auto-approve``: plan, execute,
then the verification plan) does, through the library API so each phase is timed on its own, and
prints one JSON object: phase times, requests per phase (the sessions' own counters, so retries
count), the lower bounds, and the process's peak memory (max RSS, measured by the kernel: it adds
nothing to the run, which tracemalloc would). Connection settings come from the environment.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from dataclasses import asdict
from typing import Any

import httpx

from baseform import collector
from baseform.commands import Connections, apply_operations, connect, read_live
from baseform.engine.plan import Plan, build_provider_plan
from baseform.errors import BaseformError
from baseform.manifest.project import Project, load_project
from baseform.providers import Registry
from bench.bound import operations_bound, read_bound
from bench.latency import SESSION_POOL, DelayedTransport
from bench.read_depth import READ_ROUNDS

__all__ = ["main"]


async def _plan(project: Project, conns: Connections, args: argparse.Namespace, label: str,
                out: dict[str, Any], *, connect_requests: int = 0) -> Plan:
    """Read and diff (what ``commands.compute_plan`` does), timing the read and the diff apart.

    ``connect_requests`` made while connecting (a login) count in this read's bound as one more round.
    """
    before, t0 = conns.request_count, time.perf_counter()
    with collector.paused():  # as commands.compute_plan does
        lives = await read_live(project, conns)
        t1 = time.perf_counter()
        plans = tuple(build_provider_plan(u.provider, u.desired, lives[u.provider.name], prune=u.section.prune)
                      for u in project.units)
    t2 = time.perf_counter()
    requests = conns.request_count - before
    live = lives[args.backend]
    rounds = READ_ROUNDS[args.backend](live) + (1 if connect_requests else 0)
    bound = read_bound(rounds=rounds, requests=requests + connect_requests, latency_s=args.latency_ms / 1000,
                       connections=SESSION_POOL)
    out["phases"][f"{label}_read"] = t1 - t0
    out["phases"][f"{label}_diff"] = t2 - t1
    out["requests"][f"{label}_read"] = requests
    out["bounds"][f"{label}_read"] = {**asdict(bound), "seconds": bound.seconds}
    return Plan(lambda: project.digest, plans)  # as the CLI makes it: the digest only when asked


async def _run(args: argparse.Namespace, out: dict[str, Any]) -> None:
    t0 = time.perf_counter()
    project = load_project([args.manifest], registry=Registry.default(), environ=os.environ)
    out["phases"]["load"] = time.perf_counter() - t0
    out["resources"] = sum(len(u.desired) for u in project.units)
    transports: dict[str, httpx.AsyncBaseTransport] = {}
    if args.client_latency_ms:
        transports[args.backend] = DelayedTransport(args.client_latency_ms / 1000)
    t1 = time.perf_counter()
    async with connect(project, transports) as conns:
        out["phases"]["connect"] = time.perf_counter() - t1
        out["requests"]["connect"] = conns.request_count
        plan = await _plan(project, conns, args, "plan", out, connect_requests=conns.request_count)
        out["changes"] = len(plan.changes)
        out["operations"] = len(plan.operations)
        if not args.apply or not plan.has_changes:
            return
        bound = operations_bound(plan.operations, latency_s=args.latency_ms / 1000,
                                        readiness_s=args.readiness_s, parallelism=args.parallelism)
        before, t2, cpu = conns.request_count, time.perf_counter(), time.process_time()
        result = await apply_operations(plan, conns, parallelism=args.parallelism)
        out["phases"]["execute"] = time.perf_counter() - t2
        out["execute_cpu_s"] = time.process_time() - cpu  # is the executor CPU-bound?
        out["requests"]["execute"] = conns.request_count - before
        out["bounds"]["execute"] = {**asdict(bound), "seconds": bound.seconds}
        if not result.ok:
            failed = [f"{r.operation.description}: {r.error}" for r in result.results if r.error][:3]
            out["error"] = "apply failed: " + "; ".join(failed)
            return
        again = await _plan(project, conns, args, "verify", out)
        if again.has_changes:
            out["error"] = f"not converged: the verification plan has {len(again.changes)} changes"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", required=True, choices=sorted(READ_ROUNDS))
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--apply", action="store_true", help="plan, execute, verify (else plan only)")
    parser.add_argument("--parallelism", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=20.0, help="per-request latency (for the bound)")
    parser.add_argument("--client-latency-ms", type=float, default=0.0, help="latency to add on the client side")
    parser.add_argument("--readiness-s", type=float, default=0.0, help="the server's column/index job delay")
    args = parser.parse_args(argv)
    out: dict[str, Any] = {"phases": {}, "requests": {}, "bounds": {}, "error": None}
    try:
        asyncio.run(_run(args, out))
    except BaseformError as e:
        text = f"{type(e).__name__}: {e}"
        out["error"] = text if len(text) <= 600 else text[:600] + f"... ({len(text)} characters)"
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["peak_rss_mb"] = usage.ru_maxrss / 1024
    out["cpu_s"] = usage.ru_utime + usage.ru_stime
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
