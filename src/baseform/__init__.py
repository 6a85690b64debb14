"""baseform: declarative provisioning of backend-as-a-service schemas (plan, apply, export)."""

__version__ = "0.1.0"
