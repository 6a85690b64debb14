"""PocketBase's own ``collections/import`` as a peer, and the floor: one hand-made request.

    python -m bench.peers.pocketbase_import --url URL --manifest FILE [--latency-ms MS]

Logs in as the superuser (``POCKETBASE_EMAIL``/``POCKETBASE_PASSWORD``), then sends every collection
of the manifest in one ``PUT /api/collections/import`` (``deleteMissing: false``), each with the id
PocketBase itself would give it so relations can name their target in the same request. No client
sends less for the same schema. PocketBase cannot inject latency, so ``--latency-ms`` is waited before
each request, as :mod:`bench.latency` does for baseform. Prints one JSON line: calls and any error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import zlib
from typing import Any

import httpx
import yaml

__all__ = ["main"]


def _id(name: str) -> str:
    return f"pbc_{zlib.crc32(('base' + name).encode())}"


def collections(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The import body's ``collections`` for a bench manifest (parsed YAML)."""
    out = []
    for c in manifest["pocketbase"]["collections"]:
        fields = [{**f, "collectionId": _id(f["collection"])} if f["type"] == "relation" else dict(f)
                  for f in c["fields"]]
        for f in fields:
            f.pop("collection", None)
        out.append({"id": _id(c["name"]), **{k: v for k, v in c.items() if k != "fields"}, "fields": fields})
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args(argv)
    with open(args.manifest) as f:
        body = {"collections": collections(yaml.load(f, Loader=yaml.CSafeLoader)), "deleteMissing": False}
    calls, error = 0, None
    with httpx.Client(base_url=args.url, timeout=600, trust_env=False) as client:
        time.sleep(args.latency_ms / 1000)
        login = client.post("/api/collections/_superusers/auth-with-password",
                            json={"identity": os.environ["POCKETBASE_EMAIL"],
                                  "password": os.environ["POCKETBASE_PASSWORD"]})
        calls += 1
        if login.status_code != 200:
            error = f"login: HTTP {login.status_code}"
        else:
            time.sleep(args.latency_ms / 1000)
            answer = client.put("/api/collections/import", json=body,
                                headers={"Authorization": login.json()["token"]})
            calls += 1
            if answer.status_code != 204:
                error = f"import: HTTP {answer.status_code}: {answer.text[:300]}"
    json.dump({"calls": calls, "error": error}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
