"""Backend plug-ins."""
