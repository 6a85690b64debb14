"""PocketBase provider."""
