"""Loopback HTTP emulators of backends that cannot run on the test machines (Appwrite, Weaviate)."""
