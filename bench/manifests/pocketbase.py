"""PocketBase: N base collections of 15 fields each, with relations and an index.

Each collection has 14 scalar fields of the common types and one relation to the next collection
(the last points back at the first, so the relations form one cycle). A changed collection gets a
new field, an index on it and a different ``listRule``.
"""

from __future__ import annotations

from bench.manifests.changes import is_changed

__all__ = ["generate"]

_SCALARS = (
    "{name: %s, type: text, required: true, max: 200}",
    "{name: %s, type: text, max: 64}",
    "{name: %s, type: number, min: 0, onlyInt: true}",
    "{name: %s, type: number}",
    "{name: %s, type: bool}",
    "{name: %s, type: date}",
    "{name: %s, type: email}",
    "{name: %s, type: url}",
    "{name: %s, type: select, values: [draft, review, published], maxSelect: 1}",
    "{name: %s, type: json, maxSize: 2000000}",
    "{name: %s, type: editor}",
)


def generate(collections: int, changed: float = 0.0) -> str:
    """The manifest text for ``collections`` collections; ``changed`` as in :mod:`bench.manifests`."""
    lines = ["version: 1", "providers:", "  pocketbase: {}", "pocketbase:", "  collections:"]
    for c in range(collections):
        name, target = f"c{c:04d}", f"c{(c + 1) % collections:04d}"
        touched = is_changed(c, changed)
        rule = "@request.auth.id != ''" if touched else ""
        lines += [f"    - name: {name}", "      type: base", f'      listRule: "{rule}"', '      viewRule: ""',
                  "      fields:"]
        lines += ["        - " + _SCALARS[f % len(_SCALARS)] % f"f{f:02d}" for f in range(14)]
        lines.append(f"        - {{name: parent, type: relation, collection: {target}, maxSelect: 1}}")
        if touched:
            lines.append("        - {name: extra, type: text, max: 64}")
        lines += ["      indexes:", f"        - CREATE INDEX idx_{name}_f00 ON {name} (f00)"]
        if touched:
            lines.append(f"        - CREATE INDEX idx_{name}_extra ON {name} (extra)")
    return "\n".join(lines) + "\n"
