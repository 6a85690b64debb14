"""The module artifact: the bytes ``spacetime publish`` uploads (a .wasm file, or a JS bundle).

Its *module hash* is what the host stores and compares (Keccak-256 of the bytes, ``hash_bytes`` in
crates/sats/src/hash.rs); its sha256 digest is what a plan keeps to make sure ``apply`` sends the
very bytes that were planned (:class:`~baseform.engine.operation.Content`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from Crypto.Hash import keccak

from baseform.errors import SourceSpan

__all__ = ["Artifact", "host_type_of", "load_artifact", "module_path"]

_JS_SUFFIXES = (".js", ".mjs", ".cjs")


@dataclass(frozen=True, slots=True)
class Artifact:
    path: Path
    size: int
    module_hash: str
    """``Hash::to_hex``: the 32 Keccak-256 bytes as lowercase hex."""
    digest: str
    """``sha256:...`` of the bytes (the plan's check that the file did not change)."""


def module_path(module: str, source: SourceSpan | None) -> Path:
    """Where ``module`` is: relative to the manifest (or native file) that names it."""
    path = Path(module)
    if path.is_absolute() or source is None:
        return path
    return Path(source.file).parent / path


def load_artifact(path: Path) -> Artifact:
    """Read and hash the artifact. Raises OSError when it cannot be read."""
    data = path.read_bytes()
    module_hash = keccak.new(data=data, digest_bits=256).hexdigest()
    return Artifact(path, len(data), module_hash, "sha256:" + hashlib.sha256(data).hexdigest())


def host_type_of(module: str, declared: str | None) -> str:
    """The ``host_type`` publish parameter: ``Wasm`` or ``Js``."""
    if declared is not None:
        return "Js" if declared == "js" else "Wasm"
    return "Js" if module.lower().endswith(_JS_SUFFIXES) else "Wasm"
