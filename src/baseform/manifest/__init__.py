"""Manifests: files -> jinja2 -> YAML with source positions -> pydantic models -> desired resources."""
