"""The plan engine: addresses, changes, pure diff/graph/plan/render, and the one executor."""
