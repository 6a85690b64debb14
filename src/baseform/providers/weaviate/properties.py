"""Weaviate properties: kind rules, desired values, the add-property call and index changes.

Properties can only be added (``POST /v1/schema/{class}/properties``, one per call); apart from the
description and their inverted indexes nothing about them can change, and they cannot be deleted or
renamed, so those changes replace their class (see :mod:`.mutability`). An index is dropped with
``DELETE .../index/{name}`` (1.36+) and created, or the tokenization changed, with ``PUT
.../index/{name}`` (1.39+), which rebuilds it in the background: the apply waits until the server
reports the index ready.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from baseform.engine.change import Action, Change
from baseform.engine.operation import Operation, Request, WaitFor
from baseform.engine.resource import KindRules
from baseform.providers.weaviate.classes import class_path
from baseform.providers.weaviate.models import PropertySpec
from baseform.providers.weaviate.mutability import index_changes
from baseform.providers.weaviate.shape import PROPERTY_KEYS, property_value
from baseform.types import JSON, JSONObject

__all__ = ["PROPERTIES", "add_property", "desired_property", "index_operations"]

# Weaviate has no call to change or delete a property: such a change recreates its class
PROPERTIES = KindRules(
    "properties", replace_on=frozenset(PROPERTY_KEYS) - {"description"}, replaces_parent=True,
    delete_unsupported="Weaviate cannot delete a property", renamable=False,
    rename_unsupported="Weaviate cannot rename or delete a property (weaviate/weaviate#973); add the new "
                       "property and copy the values, or recreate the class")


def desired_property(spec: PropertySpec) -> JSONObject:
    """The declared property (only the keys the manifest sets) in the diff shape. Pure."""
    return property_value(spec.model_dump(exclude_unset=True, exclude_none=True,
                                          exclude={"protect", "renamedFrom"}))


def add_property(provider: str, change: Change, depends_on: tuple[str, ...] = ()) -> Operation:
    """``POST /v1/schema/{class}/properties`` for one property of an existing (or just created) class."""
    assert change.after is not None and change.address.parent is not None
    cls = change.address.parent.name
    return Operation(f"{change.address}:create", provider, Action.CREATE, (change.address,),
                     f"add property {change.address.name} to class {cls}",
                     Request("POST", class_path(cls) + "/properties", dict(change.after)),
                     depends_on=depends_on, verify=Request("GET", class_path(cls)))


def index_operations(provider: str, change: Change, live: Mapping[str, JSON],
                     depends_on: Sequence[str] = ()) -> list[Operation]:
    """The index calls realising ``change``'s index and tokenization differences, in order (each one
    a rebuild the next may depend on); [] when it has none."""
    assert change.address.parent is not None
    cls, prop = change.address.parent.name, change.address.name
    ops: list[Operation] = []
    for i, (method, index, tokenization) in enumerate(index_changes(change.diff, live)):
        path = f"{class_path(cls)}/properties/{prop}/index/{index}"
        if method == "DELETE":
            what = f"drop the {index} index of property {prop} of class {cls}"
            request, wait = Request("DELETE", path), None
        else:
            body: JSONObject = {"tokenization": tokenization} if tokenization else {}
            what = (f"rebuild the {index} index of property {prop} of class {cls} with tokenization {tokenization}"
                    if tokenization else f"build a {index} index for property {prop} of class {cls}")
            request = Request("PUT", path, body)
            wait = WaitFor(Request("GET", class_path(cls) + "/indexes"),
                           field=f"properties[name={prop}].indexes[type={index}].status",
                           ready=frozenset({"ready"}), failed=frozenset({"failed", "cancelled"}), error_field=None)
        ops.append(Operation(f"{change.address}:index:{i}", provider, Action.UPDATE, (change.address,), what,
                             request, depends_on=tuple(depends_on) if i == 0 else (), wait=wait))
    return ops
