"""Appwrite emulator (TablesDB, legacy Databases, Storage buckets, Teams) for tests: a matrix of the
released server versions and storage engines listed in ``FIDELITY.md`` beside this file.

Run alone with ``python -m tests.emulators.appwrite --port N [--version V] [--engine E]``; in tests use
``serve(AppwriteEmulator(version=..., engine=...))`` from :mod:`tests.emulators.server`.
"""

from .emulator import AppwriteEmulator
from .profile import CLOUD, DEFAULT_VERSION, HEAD, RELEASES, VERSIONS

__all__ = ["CLOUD", "DEFAULT_VERSION", "HEAD", "RELEASES", "VERSIONS", "AppwriteEmulator"]
