"""Weaviate's name rules: how the server re-cases names, and which names it accepts.

Source: weaviate/weaviate ``entities/schema/validation.go`` (FIDELITY P4). Class names get their first
letter upper-cased and top-level property names their first letter lower-cased by the server, so
both sides of a diff use the re-cased names.
"""

from __future__ import annotations

import re

__all__ = ["CLASS_NAME", "NESTED_NAME", "PROPERTY_NAME", "RESERVED_PROPERTY_NAMES", "RESERVED_SUFFIXES",
           "TENANT_NAME", "VECTOR_NAME", "class_name", "property_name"]

CLASS_NAME = re.compile(r"^[A-Z][_0-9A-Za-z]{0,254}$")
PROPERTY_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,230}$")
NESTED_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
VECTOR_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,229}$")
TENANT_NAME = re.compile(r"^[A-Za-z0-9\-_]{1,64}$")
RESERVED_PROPERTY_NAMES = frozenset({"_additional", "_id", "id"})
# Reserved for internal indices since v1.38.0 (backported to 1.35.20, 1.36.15, 1.37.5).
RESERVED_SUFFIXES = ("_searchable", "_rangeable", "_temp", "__meta_count", "_propertyLength", "_nullState")


def class_name(name: str) -> str:
    """The name the server stores for a class: first letter upper-cased."""
    return name[:1].upper() + name[1:]


def property_name(name: str) -> str:
    """The name the server stores for a top-level property: first letter lower-cased."""
    return name[:1].lower() + name[1:]
