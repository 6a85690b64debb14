"""``python -m tests.emulators.appwrite --port N``: serve the Appwrite emulator on 127.0.0.1."""

from tests.emulators.appwrite import AppwriteEmulator
from tests.emulators.server import main

if __name__ == "__main__":
    main(AppwriteEmulator)
