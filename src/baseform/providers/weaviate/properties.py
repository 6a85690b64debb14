"""Weaviate properties: kind rules, desired values, and the add-property call.

Properties can only be added (``POST /v1/schema/{class}/properties``, one per call); apart from the
description nothing about them can change, and they cannot be deleted or renamed, so those changes
replace their class (see :mod:`.mutability`).
"""

from __future__ import annotations

from baseform.engine.change import Action, Change
from baseform.engine.operation import Operation, Request
from baseform.engine.resource import KindRules
from baseform.providers.weaviate.classes import class_path
from baseform.providers.weaviate.models import PropertySpec
from baseform.providers.weaviate.shape import PROPERTY_KEYS, property_value
from baseform.types import JSONObject

__all__ = ["PROPERTIES", "add_property", "desired_property"]

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
