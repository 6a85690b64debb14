"""Index changes of an existing class: property inverted indexes and dropped vector indexes.

* ``DELETE /v1/schema/{c}/properties/{p}/index/{filterable|searchable|rangeFilters}`` (1.36+) drops a
  property's inverted index (``usecases/schema/property.go`` ``DeleteClassPropertyIndex``).
* ``PUT`` of the same path (1.39+) creates an index or changes the tokenization asynchronously: a
  reindex task is submitted (202 ``{"taskId", "status": "STARTED"}``) and the schema changes when it
  finishes (``adapters/handlers/rest/handlers_indexes_upsert.go``, ``handlers_reindex.go``); the
  emulator finishes a task ``reindex_delay_s`` after it started.
* ``GET /v1/schema/{c}/indexes`` (1.38+, shape of 1.39) lists each property's indexes and tasks.
* ``DELETE /v1/schema/{c}/vectors/{v}/index`` (1.37+, experimental, behind
  ``ENABLE_EXPERIMENTAL_ALTER_SCHEMA_DROP_VECTOR_INDEX_ENDPOINT``) marks a named vector's index dropped.

FIDELITY.md rows I1-I4.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from ..server import HttpError, Request, Response
from .defaults import JsonDict
from .schema import TEXT_TYPES, Context, upper_first
from .vectors import is_dropped

INDEX_NAMES = ("filterable", "searchable", "rangeFilters")
FLAGS = {"filterable": "indexFilterable", "searchable": "indexSearchable", "rangeFilters": "indexRangeFilters"}
# entschema.IsValidTokenization
TOKENIZATIONS = ("word", "lowercase", "whitespace", "field", "trigram", "gse", "gse_ch", "kagome_kr", "kagome_ja")
NUMERIC = ("int", "number", "date")


def _error(status: int, message: str) -> HttpError:
    return HttpError(status, {"error": [{"message": message}]})


@dataclass
class ReindexTask:
    """One submitted reindex: what it changes on ``prop`` of ``cls`` when it finishes."""

    id: str
    cls: str
    prop: str
    index: str
    kind: str  # enable | retokenize
    tokenization: str
    done_at: float


class IndexRoutes:
    """Index routes for :class:`~.app.WeaviateEmulator` (mixed in; uses its ``ctx``)."""

    ctx: Context
    reindex_delay_s: float
    tasks: list[ReindexTask]

    def index_routes(self) -> list[tuple[str, str, Any]]:
        v = self.ctx.version
        prop_index = r"/v1/schema/(?P<name>[^/]+)/properties/(?P<prop>[^/]+)/index/(?P<index>[^/]+)"
        routes: list[tuple[str, str, Any]] = []
        if v >= (1, 36, 0):
            routes.append(("DELETE", prop_index, self.delete_property_index))
        if v >= (1, 37, 0):
            routes.append(("DELETE", r"/v1/schema/(?P<name>[^/]+)/vectors/(?P<vector>[^/]+)/index",
                           self.delete_vector_index))
        if v >= (1, 38, 0):
            routes.append(("GET", r"/v1/schema/(?P<name>[^/]+)/indexes", self.index_status))
        if v >= (1, 39, 0):
            routes.append(("PUT", prop_index, self.upsert_property_index))
        return routes

    # -- tasks ---------------------------------------------------------------------------------
    def settle_tasks(self) -> None:
        """Finish the reindex tasks whose time has come (called before every request)."""
        now = time.monotonic()
        for task in [t for t in self.tasks if t.done_at <= now]:
            self.tasks.remove(task)
            cls = self.ctx.classes.get(task.cls)
            prop = _find(cls, task.prop) if cls else None
            if prop is None:
                continue
            if task.kind == "enable":
                prop[FLAGS[task.index]] = True
                if task.index == "searchable":
                    prop["tokenization"] = task.tokenization
            else:
                prop["tokenization"] = task.tokenization

    def _index_name(self, index: str) -> str:
        names = INDEX_NAMES + (("rangeable",) if self.ctx.version >= (1, 39, 0) else ())
        if index not in names:
            raise HttpError(422, {"code": 606, "message": f"indexName in path should be one of [{' '.join(names)}]"})
        return "rangeFilters" if index == "rangeable" else index

    # -- DELETE property index (1.36+) ---------------------------------------------------------
    def delete_property_index(self, request: Request, name: str, prop: str, index: str) -> Response:
        index = self._index_name(index)
        cls = self.ctx.classes.get(upper_first(name))
        if cls is None:
            raise _error(422, f'class "{upper_first(name)}": not found')
        found = _find(cls, prop)
        if found is None:
            raise _error(422, f"property name {prop}: not found")
        task = next((t for t in self.tasks if t.cls == cls["class"] and t.prop == prop), None)
        if task is not None and self.ctx.version >= (1, 39, 0):
            raise _error(422, f'reindex task "{task.id}" ({task.kind}) is in flight on {task.cls}.{prop} '
                              "(status=STARTED); schema mutations on this property are blocked until the reindex "
                              "completes or is cancelled — wait for the task to reach a terminal state, or cancel "
                              "it via the reindex REST API before retrying")
        found[FLAGS[index]] = False
        return Response(200, None)

    # -- PUT property index (1.39+) ------------------------------------------------------------
    def upsert_property_index(self, request: Request, name: str, prop: str, index: str) -> Response:
        index = self._index_name(index)
        collection = upper_first(name)
        cls = self.ctx.classes.get(collection)
        if cls is None:
            raise _error(404, f'collection "{collection}" not found')
        found = _find(cls, prop)
        if found is None:
            raise _error(404, f'property "{prop}" not found on collection "{collection}"')
        body = request.body if isinstance(request.body, dict) else {}
        tok = str(body.get("tokenization") or "").strip()
        algorithm = str(body.get("algorithm") or "").strip()
        active = next((t for t in self.tasks if t.cls == collection and t.prop == prop), None)
        if active is not None:
            # an in-flight task owns the outcome: an equal request joins it, another one conflicts
            joins = (active.index == index and (active.tokenization == tok or (not tok and active.kind == "enable"))
                     and not algorithm)
            if joins or index == "rangeFilters":
                return Response(202, {"taskId": active.id, "status": "STARTED"})
            if tok or algorithm:
                raise _error(409, f'reindex task "{active.id}" is already migrating {index} property "{prop}" to a '
                                  "different target; wait for it to finish or cancel it before requesting a "
                                  "different change")
        plan = _resolve(found, index, tok, algorithm)
        if plan is None:
            return Response(200, {"status": "NO_OP"})
        kind, target = plan
        task = ReindexTask(str(uuid.uuid4()), collection, prop, index, kind, target,
                           time.monotonic() + self.reindex_delay_s)
        self.tasks.append(task)
        return Response(202, {"taskId": task.id, "status": "STARTED"})

    # -- GET index status (1.38+) --------------------------------------------------------------
    def index_status(self, request: Request, name: str) -> JsonDict:
        collection = upper_first(name)
        cls = self.ctx.classes.get(collection)
        if cls is None:
            raise _error(404, f'collection "{collection}" not found')
        out = []
        for prop in cls.get("properties") or []:
            entries = []
            for index in INDEX_NAMES:
                task = next((t for t in self.tasks if t.cls == collection and t.prop == prop["name"]
                             and (t.index == index or (t.kind == "retokenize" and index != "rangeFilters"
                                                       and prop.get(FLAGS[index])))), None)
                if not prop.get(FLAGS[index]) and task is None:
                    continue
                entry: JsonDict = {"type": index, "status": "indexing" if task else "ready"}
                if task is not None:
                    entry["taskId"] = task.id
                if index != "rangeFilters" and prop.get("tokenization"):
                    entry["tokenization"] = prop["tokenization"]
                    if task is not None and task.tokenization:
                        entry["targetTokenization"] = task.tokenization
                if index == "searchable":
                    blockmax = (cls.get("invertedIndexConfig") or {}).get("usingBlockMaxWAND")
                    entry["algorithm"] = "blockmax" if blockmax else "wand"
                entries.append(entry)
            out.append({"name": prop["name"], "dataType": (prop.get("dataType") or [""])[0], "indexes": entries})
        return {"collection": collection, "properties": out}

    # -- DELETE vector index (1.37+, experimental) ---------------------------------------------
    def delete_vector_index(self, request: Request, name: str, vector: str) -> Response:
        if not self.ctx.settings.drop_vector_index:
            raise _error(500, "alter schema drop vector index endpoint is experimental and disabled by default, set "
                              "the environment variable ENABLE_EXPERIMENTAL_ALTER_SCHEMA_DROP_VECTOR_INDEX_ENDPOINT="
                              "true to enable it")
        collection = upper_first(name)
        cls = self.ctx.classes.get(collection)
        if cls is None:
            raise _error(422, f'class "{collection}": not found')
        vectors = cls.get("vectorConfig") or {}
        if not vectors:
            raise _error(422, f'validation: class "{collection}" has no named vector configurations')
        if vector not in vectors:
            raise _error(422, f'not found: vector index "{vector}" not found in class "{collection}"')
        if not is_dropped(vectors[vector]):
            vectors[vector] = {"vectorizer": vectors[vector]["vectorizer"], "vectorIndexType": "none"}
        return Response(200, None)


def _find(cls: JsonDict | None, prop: str) -> JsonDict | None:
    return next((p for p in (cls or {}).get("properties") or [] if p.get("name") == prop), None)


def _primitive(prop: JsonDict) -> str | None:
    data_type = prop.get("dataType") or []
    return data_type[0] if len(data_type) == 1 and data_type[0][:1].islower() else None


def _resolve(prop: JsonDict, index: str, tok: str, algorithm: str) -> tuple[str, str] | None:
    """``resolveUpsertPlan``: the task to submit (kind, target tokenization), None for a NO_OP, or a
    400 with the server's text."""
    name, current = prop["name"], prop.get("tokenization") or ""
    primitive = _primitive(prop)
    if index == "searchable":
        if tok and algorithm:
            raise _error(400, "at most one configuration change per request: set either tokenization or algorithm, "
                              "not both — issue two requests")
        if algorithm:
            return None if prop.get("indexSearchable") else _raise_no_searchable(name)
        if not prop.get("indexSearchable"):
            if primitive not in TEXT_TYPES:
                raise _error(400, f'property "{name}" is not a text type')
            if not tok:
                raise _error(400, "enable-searchable requires a tokenization to be set on the request body")
            if tok not in TOKENIZATIONS:
                raise _error(400, f'invalid tokenization "{tok}"')
            if prop.get("indexFilterable") and current and current != tok:
                raise _error(400, f'property "{name}" has an existing filterable index built with tokenization '
                                  f'"{current}"; enabling searchable with tokenization "{tok}" would silently '
                                  "desynchronize the filterable index. Retokenize the filterable index first or use "
                                  "the matching tokenization")
            return "enable", tok
        if not tok or tok == current:
            return None
        if tok not in TOKENIZATIONS:
            raise _error(400, f'invalid tokenization "{tok}"')
        return "retokenize", tok
    if index == "filterable":
        if algorithm:
            raise _error(400, "the algorithm field is only valid for a searchable index")
        if not prop.get("indexFilterable"):
            if primitive is None or primitive in ("blob", "geoCoordinates", "phoneNumber"):
                what = str(prop.get("dataType")) if primitive is None else f'"{primitive}"'
                raise _error(400, f'property "{name}" type {what} does not support a filterable index')
            if tok and tok != current:
                raise _error(400, f'cannot create a filterable index for property "{name}" with tokenization '
                                  f'"{tok}": it must match the property\'s current tokenization "{current}" — '
                                  "retokenize after creation to change it")
            return "enable", ""
        if not tok or tok == current:
            return None
        if primitive not in TEXT_TYPES:
            raise _error(400, f'property "{name}" is not a text type; filterable.tokenization only applies to '
                              "text / text[]")
        if tok not in TOKENIZATIONS:
            raise _error(400, f'invalid tokenization "{tok}"')
        return "retokenize", tok
    if tok or algorithm:
        raise _error(400, "the rangeFilters index takes no configuration fields; send an empty body {}")
    if prop.get("indexRangeFilters"):
        return None
    if primitive not in NUMERIC:
        raise _error(400, f'property "{name}" is not a numeric type (int, number, date)')
    return "enable", ""


def _raise_no_searchable(name: str) -> None:
    raise _error(400, f'property "{name}" has no searchable index; PUT /v1/schema/{{className}}/properties/{name}/'
                      "index/searchable with a tokenization to add one first")
