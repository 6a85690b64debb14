"""Storage buckets: rows of ``storage.buckets`` (Supabase Storage reads them from there). Pure.

The id is the bucket's address and cannot change (objects refer to it). A bucket is deleted only
when it holds no object: planning refuses otherwise, and the statement itself re-checks it. Newer
Storage versions refuse direct deletes unless ``storage.allow_delete_query`` is set for the
transaction, which the delete does.
"""

from __future__ import annotations

from collections.abc import Iterator

from psycopg import sql

from baseform.engine.change import Action, Change
from baseform.engine.resource import KindRules
from baseform.providers.supabase.models import BucketSpec
from baseform.providers.supabase.script import Phase
from baseform.types import JSON, JSONObject

__all__ = ["BUCKETS", "BUCKET_KEYS", "bucket_statements", "desired_bucket"]

BUCKETS = KindRules("buckets", sets=frozenset({"allowed_mime_types"}), data_loss="all its files",
                    defaults={"public": False, "file_size_limit": None, "allowed_mime_types": None})
BUCKET_KEYS = ("name", "public", "file_size_limit", "allowed_mime_types")


def desired_bucket(spec: BucketSpec) -> JSONObject:
    return {"name": spec.name or spec.id, "public": spec.public, "file_size_limit": spec.file_size_limit,
            "allowed_mime_types": sorted(set(spec.allowed_mime_types)) if spec.allowed_mime_types is not None
            else None}


def _literal(value: JSON) -> str:
    if isinstance(value, list):
        return "array[" + ", ".join(_literal(v) for v in value) + "]::text[]"
    return sql.Literal(value).as_string(None)


def bucket_statements(change: Change) -> Iterator[tuple[Phase, str]]:
    bucket = _literal(change.address.name)
    after = change.after or {}
    if change.action is Action.CREATE:
        columns = ", ".join(("id", *BUCKET_KEYS))
        values = ", ".join([bucket, *(_literal(after.get(k)) for k in BUCKET_KEYS)])
        yield Phase.BUCKET, f"insert into storage.buckets ({columns}) values ({values})"
    elif change.action is Action.UPDATE:
        changed = [k for k in BUCKET_KEYS if k in {d.path.split(".")[0] for d in change.diff}]
        sets = ", ".join(f"{k} = {_literal(after.get(k))}" for k in changed)
        if sets:
            yield Phase.BUCKET, f"update storage.buckets set {sets} where id = {bucket}"
    elif change.action is Action.DELETE:
        yield Phase.BUCKET, "select set_config('storage.allow_delete_query', 'true', true)"
        yield Phase.BUCKET, (f"delete from storage.buckets where id = {bucket} and not exists "
                             f"(select 1 from storage.objects where bucket_id = {bucket})")
