"""Suite-wide fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from baseform import secrets


@pytest.fixture(autouse=True)
def _fresh_secret_registry() -> Iterator[None]:
    """Secrets registered by one test must not redact another test's output."""
    secrets.clear()
    yield
    secrets.clear()
