"""What a Weaviate plan tells the user beyond its changes: replication factor warnings and the
meaning of a refusal. Pure.

A replication factor changes in place (``PUT /v1/schema/{class}``); whether the server accepts a
higher one depends on the cluster, which a plan cannot see: Weaviate 1.35+ raises it only when every
shard already holds that many replicas (placed by replica movement, ``POST /v1/replication/replicate``
or the ``/v1/replication/scale`` plan), older servers add the replicas themselves when the cluster
has enough nodes. A refused update changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from baseform.engine.change import Action, Change
from baseform.engine.operation import Operation, Request
from baseform.engine.resource import LiveState
from baseform.errors import ApiError
from baseform.providers.weaviate.defaults import parse_version
from baseform.providers.weaviate.versions import REPLICAS_BEFORE_FACTOR, shown

__all__ = ["explain_failure", "factor_warnings"]

_REPLICA_REFUSALS = ("not enough replicas in shard", "not enough storage replicas")


def factor_warnings(changes: Sequence[Change], live: LiveState) -> list[str]:
    """One warning per class whose replication factor a plan raises, saying what the server needs."""
    v = parse_version(live.server_version)
    out = []
    for c in changes:
        if c.kind != "classes" or c.action is not Action.UPDATE:
            continue
        for d in c.diff:
            if d.path != "replicationConfig.factor" or not isinstance(d.before, int) or not isinstance(d.after, int):
                continue
            where = f"{c.source or c.address}: {c.address}"
            if d.after <= d.before:
                continue
            if v >= REPLICAS_BEFORE_FACTOR:
                out.append(f"{where}: replicationConfig.factor {d.before} -> {d.after} is an update in place; Weaviate "
                           f"{shown(REPLICAS_BEFORE_FACTOR)}+ accepts it only when every shard of the class already "
                           f"has {d.after} replicas (add them first with POST /v1/replication/replicate or the "
                           "/v1/replication/scale plan), and otherwise refuses it, leaving the class unchanged")
            else:
                out.append(f"{where}: replicationConfig.factor {d.before} -> {d.after} is an update in place; Weaviate "
                           f"{shown(v)} copies the shards to other nodes and refuses it, leaving the class "
                           f"unchanged, when the cluster has fewer than {d.after} nodes")
    return out


def explain_failure(operation: Operation, error: ApiError) -> str:
    """The server's refusal, with what it means for a replication factor."""
    text = str(error)
    message = error.server_message
    request = operation.request
    if not isinstance(request, Request):
        return text
    if request.method == "PUT" and any(r in message for r in _REPLICA_REFUSALS):
        return (f"{text}\n  The class is unchanged: the server keeps its replication factor until every shard has "
                "the replicas the new factor needs (Weaviate 1.35+: add them with POST /v1/replication/replicate or "
                "the /v1/replication/scale plan; older servers: the cluster needs that many nodes). Then apply again.")
    if request.method == "POST" and "could not find enough weaviate nodes for replication" in message:
        return (f"{text}\n  The cluster has fewer nodes than the class's replicationConfig.factor; nothing was "
                "created. Lower the factor or add nodes, then apply again.")
    return text
