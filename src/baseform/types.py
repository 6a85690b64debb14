"""Shared type aliases for plain JSON values, the only shape that crosses module boundaries."""

from __future__ import annotations

from typing import Any, TypeAlias

__all__ = ["JSON", "JSONObject"]

JSON: TypeAlias = Any
"""A value made of dict/list/str/int/float/bool/None (JSON-serialisable)."""

JSONObject: TypeAlias = dict[str, Any]
