"""Appwrite 1.9.x emulator (TablesDB, legacy Databases, Storage buckets, Teams) for tests.

Run alone with ``python -m tests.emulators.appwrite --port N``; in tests use
``serve(AppwriteEmulator(...))`` from :mod:`tests.emulators.server`.
"""

from .emulator import AppwriteEmulator

__all__ = ["AppwriteEmulator"]
