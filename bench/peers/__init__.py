"""The peers: what a user would otherwise run to get the same schema onto the same server.

* Appwrite: the official CLI (npm ``appwrite-cli``, :mod:`bench.peers.appwrite_cli`), ``appwrite push``
  of an ``appwrite.config.json`` holding the same databases, tables, buckets and teams;
* Weaviate: a plain weaviate-client v4 script (:mod:`bench.peers.weaviate_script`), sequential and
  with a thread pool, creating the same classes and then their references;
* PocketBase: one hand-made ``PUT /api/collections/import`` of the same collections
  (:mod:`bench.peers.pocketbase_import`): the least any client can send, so the floor.

Each runs in a process of its own against a fresh server of the same kind as baseform's, with the
same latency. :func:`bench.peers.run.run_peer` measures them the way :mod:`bench.runner` measures
baseform (wall time, requests the server counted, the peer's CPU and peak memory, server CPU).
"""
