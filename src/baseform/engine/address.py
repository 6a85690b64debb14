"""Resource addresses: ``pocketbase.collections.posts.fields.title``.

An address is a provider name followed by (kind, name) pairs from the top-level resource down.
Names that are not plain identifiers (Appwrite ids may contain dots) are written quoted,
``appwrite.buckets["img.v2"]``, so that :meth:`Address.parse` inverts :meth:`Address.__str__`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Address"]

_PLAIN = re.compile(r"[A-Za-z0-9_\-]+")
_SEGMENT = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z0-9_\-]+)|\[("(?:[^"\\]|\\.)*")\])')


@dataclass(frozen=True, slots=True, order=True)
class Address:
    """Where a resource lives: ``provider`` plus ``path`` of (kind, name) pairs, outermost first."""

    provider: str
    path: tuple[tuple[str, str], ...] = ()
    # addresses are dict keys and sort keys thousands of times per plan: hash, text and parent made once
    _hash: int | None = field(default=None, init=False, repr=False, compare=False)
    _text: str | None = field(default=None, init=False, repr=False, compare=False)
    _parent: Address | None = field(default=None, init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        found = self._hash
        if found is None:
            found = hash((self.provider, self.path))
            object.__setattr__(self, "_hash", found)
        return found

    @property
    def kind(self) -> str:
        """The kind of the addressed resource (``columns``), or ``""`` for a provider root."""
        return self.path[-1][0] if self.path else ""

    @property
    def name(self) -> str:
        return self.path[-1][1] if self.path else ""

    @property
    def parent(self) -> Address | None:
        """The enclosing resource, or None for a top-level resource."""
        if len(self.path) < 2:
            return None
        found = self._parent
        if found is None:
            found = Address(self.provider, self.path[:-1])
            object.__setattr__(self, "_parent", found)
        return found

    @property
    def depth(self) -> int:
        return len(self.path)

    def child(self, kind: str, name: str) -> Address:
        # made without __init__ (a frozen dataclass's sets each field through object.__setattr__, and
        # a plan makes thousands of children): the same fields, through their slots' own setters
        made: Address = _new(Address)
        _set_provider(made, self.provider)
        _set_path(made, (*self.path, (kind, name)))
        _set_hash(made, None)
        _set_text(made, None)
        # its parent is this very object: lookups by parent (thousands per plan) then find the key by
        # identity, and no second parent object is made
        _set_parent(made, self if self.path else None)
        return made

    def is_within(self, other: Address) -> bool:
        """True when ``self`` is ``other`` or a descendant of it."""
        return self.provider == other.provider and self.path[: len(other.path)] == other.path

    def rebase(self, old: Address, new: Address) -> Address:
        """Replace the prefix ``old`` by ``new`` (used when a parent is renamed)."""
        if not self.is_within(old):
            return self
        return Address(new.provider, (*new.path, *self.path[len(old.path):]))

    def __str__(self) -> str:
        if self._text is not None:
            return self._text
        if not self.path:
            text = self.provider
        else:
            # the parent's text (made once, shared by its children) and this address's own segment
            kind, name = self.path[-1]
            segment = f"{kind}.{name}" if _PLAIN.fullmatch(name) else f"{kind}[{json.dumps(name)}]"
            parent = self.parent
            text = (str(parent) if parent is not None else self.provider) + f".{segment}".replace(".[", "[")
        object.__setattr__(self, "_text", text)
        return text

    @classmethod
    def parse(cls, text: str) -> Address:
        """Parse the canonical form (and the quoted form for any name). Raises ValueError."""
        provider, _, rest = text.partition(".")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", provider):
            raise ValueError(f"invalid address {text!r}: it must start with a provider name, e.g. "
                             "pocketbase.collections.posts")
        path: list[tuple[str, str]] = []
        pos = 0
        rest = "." + rest if rest else ""
        while pos < len(rest):
            m = _SEGMENT.match(rest, pos)
            if not m:
                raise ValueError(f"invalid address {text!r} near {rest[pos:]!r}: expected "
                                 "'.kind.name' or '.kind[\"name\"]'")
            kind, plain, quoted = m.groups()
            path.append((kind, plain if plain is not None else json.loads(quoted)))
            pos = m.end()
        return cls(provider, tuple(path))


def _slot_setter(name: str) -> Callable[[Address, object], None]:
    """The setter of one of Address's slots (what object.__setattr__ ends up calling, called directly)."""
    setter: Callable[[Address, object], None] = vars(Address)[name].__set__
    return setter


_new = object.__new__
_set_provider, _set_path, _set_hash, _set_text, _set_parent = map(
    _slot_setter, ("provider", "path", "_hash", "_text", "_parent"))
