"""Weaviate: N classes of 15 properties each, with cross-references.

Each class has 13 primitive properties and two references: to the next class and to the class seven
places on (both wrap around, so references form cycles and must be added after every class exists).
A changed class gets a new description and a new property.
"""

from __future__ import annotations

from bench.manifests.changes import is_changed

__all__ = ["generate"]

_SCALARS = (
    "{name: %s, dataType: [text], tokenization: word}",
    "{name: %s, dataType: [text], tokenization: field}",
    "{name: %s, dataType: [int]}",
    "{name: %s, dataType: [number]}",
    "{name: %s, dataType: [boolean]}",
    "{name: %s, dataType: [date]}",
    "{name: %s, dataType: [\"text[]\"]}",
    "{name: %s, dataType: [uuid]}",
)


def generate(classes: int, changed: float = 0.0) -> str:
    """The manifest text for ``classes`` classes; ``changed`` as in :mod:`bench.manifests`."""
    lines = ["version: 1", "providers:", "  weaviate: {}", "weaviate:", "  classes:"]
    for c in range(classes):
        touched = is_changed(c, changed)
        description = f"Class {c}" + (" (revised)" if touched else "")
        lines += [f"    - class: C{c:04d}", f"      description: {description}", "      vectorizer: none",
                  "      properties:"]
        lines += ["        - " + _SCALARS[p % len(_SCALARS)] % f"p{p:02d}" for p in range(13)]
        lines.append(f"        - {{name: next, dataType: [C{(c + 1) % classes:04d}]}}")
        lines.append(f"        - {{name: far, dataType: [C{(c + 7) % classes:04d}]}}")
        if touched:
            lines.append("        - {name: extra, dataType: [text]}")
    return "\n".join(lines) + "\n"
