"""The two ways a schema request fails: a rejected request (``error[0].message``) or a binding error."""

from __future__ import annotations


class SchemaError(Exception):
    """A rejected schema request; ``message`` is the text the server puts in ``error[0].message``.

    ``status`` is the HTTP status the handler answers with (422 for nearly every schema failure).
    """

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class EnumError(Exception):
    """A go-openapi body validation failure (422 with ``{"code": 606, "message": ...}``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
