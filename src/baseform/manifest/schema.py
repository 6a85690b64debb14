"""JSON Schema of the manifest, generated from the pydantic models (``baseform schema``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from baseform.manifest.models import manifest_model
from baseform.providers.base import Provider

__all__ = ["SCHEMA_FILE", "manifest_schema", "write_schemas"]

SCHEMA_FILE = "baseform.schema.json"


def manifest_schema(registry: Sequence[type[Provider]]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a manifest file for these providers."""
    schema = manifest_model(tuple(registry)).model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "baseform manifest"
    return schema


def write_schemas(directory: Path, registry: Sequence[type[Provider]]) -> list[Path]:
    """Write the schema file(s) into ``directory``; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / SCHEMA_FILE
    path.write_text(json.dumps(manifest_schema(registry), indent=2, sort_keys=False) + "\n")
    return [path]
