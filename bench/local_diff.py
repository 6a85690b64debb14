"""Local CPU cost of planning: load + validate + diff of a 10,000-resource manifest, no network.

Generates a PocketBase manifest (collections x fields, with relations and an index each), loads and
validates it, then diffs it against an empty server and derives the operations — the whole pure
part of `baseform plan` for a first apply (every resource is a change, the most work the diff does).

    python bench/local_diff.py [--collections 500] [--fields 19]

Prints wall time per phase and peak memory (max RSS; tracemalloc would distort the timings).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from baseform import collector
from baseform.engine.plan import build_provider_plan
from baseform.engine.resource import LiveState
from baseform.manifest.project import load_project
from baseform.providers import default_registry


def manifest(collections: int, fields: int) -> str:
    lines = ["version: 1", "pocketbase:", "  collections:"]
    for c in range(collections):
        lines += [f"    - name: c{c}", "      type: base", "      fields:"]
        for f in range(fields - 1):
            lines.append(f"        - {{name: f{f}, type: text, max: {100 + f}}}")
        target = f"c{(c + 1) % collections}"
        lines.append(f"        - {{name: link, type: relation, collection: {target}, maxSelect: 1}}")
        lines.append(f'      indexes: ["CREATE INDEX idx_c{c}_f0 ON c{c} (f0)"]')
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections", type=int, default=500)
    parser.add_argument("--fields", type=int, default=19)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.yaml"
        path.write_text(manifest(args.collections, args.fields))
        t0 = time.perf_counter()
        project = load_project([str(path)], registry=default_registry(), environ={})
        t1 = time.perf_counter()
        unit = project.units[0]
        live = LiveState(unit.provider.name, "http://bench", None, {})
        t2 = time.perf_counter()
        with collector.paused():  # as the CLI plans (commands.plan_from_live)
            plan = build_provider_plan(unit.provider, unit.desired, live, prune=False)
        t3 = time.perf_counter()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    changed = sum(1 for c in plan.changes if c.action.value == "create")
    print(f"resources:        {len(unit.desired)}")
    print(f"load + validate:  {t1 - t0:.2f} s")
    print(f"diff + operations:{t3 - t2:.2f} s  ({changed} creates, {len(plan.operations)} calls)")
    print(f"total:            {t1 - t0 + t3 - t2:.2f} s (target < 2 s)")
    print(f"peak memory:      {rss_mb:.0f} MB max RSS of the whole process (target < 300 MB)")
    sys.exit(0 if changed == len(unit.desired) else 1)


if __name__ == "__main__":
    main()
