"""A plain weaviate-client v4 script as a peer: what a user writes instead of a manifest.

    python -m bench.peers.weaviate_script --url URL --manifest FILE [--threads N]

Creates every class of the manifest with its primitive properties
(``client.collections.create_from_dict``), then adds the cross-references
(``collection.config.add_reference``) once every class exists (they form cycles). With ``--threads``
above 1 both steps run on a thread pool of that size over one client, as a user who wants speed
would write it. It reads nothing first: run against an empty server (a second run fails on the
existing classes, as such a script does). Prints one JSON line: the calls it made and any error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import weaviate
import weaviate.classes.config as wc
import yaml

__all__ = ["main"]

_PRIMITIVE = frozenset({"text", "text[]", "int", "int[]", "number", "number[]", "boolean", "boolean[]", "date",
                        "date[]", "uuid", "uuid[]", "blob", "geoCoordinates", "phoneNumber", "object", "object[]"})


def _is_reference(prop: dict[str, Any]) -> bool:
    return not _PRIMITIVE.issuperset(prop["dataType"])


def _run(threads: int, jobs: Iterable[Callable[[], object]]) -> None:
    if threads <= 1:
        for job in jobs:
            job()
        return
    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    with open(args.manifest) as f:
        classes = yaml.load(f, Loader=yaml.CSafeLoader)["weaviate"]["classes"]
    url = urlsplit(args.url)
    calls, error = 0, None
    client = weaviate.connect_to_custom(http_host=url.hostname or "127.0.0.1", http_port=url.port or 80,
                                        http_secure=False, grpc_host=url.hostname or "127.0.0.1", grpc_port=50051,
                                        grpc_secure=False, skip_init_checks=True)
    try:
        def create(cls: dict[str, Any]) -> Callable[[], object]:
            own = {**cls, "properties": [p for p in cls["properties"] if not _is_reference(p)]}
            return lambda: client.collections.create_from_dict(own)

        def reference(cls: str, prop: dict[str, Any]) -> Callable[[], object]:
            ref = wc.ReferenceProperty(name=prop["name"], target_collection=prop["dataType"][0])
            return lambda: client.collections.get(cls).config.add_reference(ref)

        _run(args.threads, [create(c) for c in classes])
        calls += len(classes)
        refs = [reference(c["class"], p) for c in classes for p in c["properties"] if _is_reference(p)]
        _run(args.threads, refs)
        calls += len(refs)
    except Exception as e:  # noqa: BLE001 - the bench reports whatever the client raised
        error = f"{type(e).__name__}: {str(e)[:300]}"
    finally:
        client.close()
    json.dump({"calls": calls, "error": error}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
