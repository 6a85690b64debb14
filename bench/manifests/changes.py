"""Which items of a generated manifest carry the "10% change"."""

from __future__ import annotations

__all__ = ["is_changed"]


def is_changed(index: int, changed: float) -> bool:
    """Whether item ``index`` is in the changed fraction (every ``1/changed``-th item, from the first)."""
    if changed <= 0:
        return False
    return index % max(1, round(1 / changed)) == 0
