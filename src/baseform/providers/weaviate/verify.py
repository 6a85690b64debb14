"""Whether an object that already exists is the one a create call would have made. Pure.

Used when a create meets "already exists" (a retry after the first attempt committed): the
executor reads the class and continues only if it matches what the call sends, compared in the
diff shape so server defaults and re-cased names do not count as differences.
"""

from __future__ import annotations

from baseform.engine.operation import Operation, Request
from baseform.providers.weaviate.shape import class_value, declared_only, project_class, property_value
from baseform.types import JSON

__all__ = ["created_matches"]


def created_matches(operation: Operation, live: JSON) -> bool:
    """``live`` is the ``GET /v1/schema/{class}`` answer for ``operation``'s target."""
    request = operation.request
    body = request.body if isinstance(request, Request) else None
    if not isinstance(request, Request) or not isinstance(body, dict) or not isinstance(live, dict):
        return False
    live_props = {str(p.get("name")): property_value(p) for p in live.get("properties") or []}
    if request.path.endswith("/properties"):
        wanted = property_value(body)
        found = live_props.get(wanted["name"])
        return found is not None and declared_only(found, wanted) == wanted
    wanted_class = class_value(body, live=False)
    if project_class(class_value(live, live=True), wanted_class) != wanted_class:
        return False
    for prop in body.get("properties") or []:
        wanted = property_value(prop)
        found = live_props.get(wanted["name"])
        if found is None or declared_only(found, wanted) != wanted:
            return False
    return True
