"""Weaviate REST emulator for conformance and provider tests (see :class:`WeaviateEmulator`)."""

from .app import WeaviateEmulator

__all__ = ["WeaviateEmulator"]
