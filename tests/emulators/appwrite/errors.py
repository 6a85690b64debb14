"""Appwrite-shaped errors: ``{message, code, type, version}`` with the server's ``type`` strings.

Handlers raise :class:`AppwriteError`; the emulator fills in ``version`` when it sends the response.
Types and messages follow app/config/errors.php of the Appwrite server (FIDELITY.md [auth-errors]).
"""

from __future__ import annotations

from typing import Any

from tests.emulators.server import HttpError

__all__ = ["AppwriteError", "argument_invalid", "legacy_type", "not_optional"]

# Default messages per error type (the server's descriptions; the legacy names are derived).
MESSAGES: dict[str, str] = {
    "general_argument_invalid": "The request contains one or more invalid arguments. "
    "Please refer to the endpoint documentation.",
    "general_bad_request": "There was an error processing your request. "
    "Please check the inputs and try again.",
    "general_query_invalid": "The query's syntax is invalid. Please check the query and try again.",
    "general_cursor_not_found": "The cursor is invalid. This can happen if the item represented by the "
    "cursor has been deleted.",
    "general_route_not_found": "The requested route was not found. "
    "Please refer to the API docs and try again.",
    "general_unauthorized_scope": "The current user or API key does not have the required scopes to "
    "access the requested resource.",
    "general_rate_limit_exceeded": "Rate limit for the current endpoint has been exceeded. "
    "Please try again after some time.",
    "general_server_error": "An internal server error occurred.",
    "project_unknown": "The project ID is either missing or not valid. Please check the value of the "
    "X-Appwrite-Project header to ensure the correct project ID is being used.",
    "project_not_found": "Project with the requested ID could not be found. Please check the value of the "
    "X-Appwrite-Project header to ensure the correct project ID is being used.",
    "database_not_found": "Database not found",
    "database_already_exists": "Database already exists",
    "table_not_found": "Table with the requested ID could not be found.",
    "table_already_exists": "A table with the requested ID already exists.",
    "table_limit_exceeded": "The maximum number of tables has been reached.",
    "column_not_found": "Column with the requested ID could not be found.",
    "column_already_exists": "Column with the requested key already exists.",
    "column_unknown": "The column required for the index could not be found. "
    "Please confirm all your columns are in the available state.",
    "column_not_available": "The requested column is not yet available. Please try again later.",
    "column_default_unsupported": "Default values cannot be set for array or required columns.",
    "column_limit_exceeded": "The maximum number or size of columns for this table has been reached.",
    "column_value_invalid": "The column value is invalid. "
    "Please check the type, range and value of the column.",
    "column_type_invalid": "The column type is invalid.",
    "column_invalid_resize": "Existing data is too large for new size, truncate your existing data "
    "then try again.",
    "column_index_not_found": "Index with the requested ID could not be found.",
    "column_index_already_exists": "Index with the requested key already exists.",
    "column_index_limit_exceeded": "The maximum number of indexes has been reached.",
    "column_index_invalid": "Index invalid.",
    "column_index_dependency": "The column cannot be deleted or renamed because it is used in an index.",
    "index_invalid": "Index invalid.",
    "row_invalid_structure": "The row structure is invalid. "
    "Please ensure the columns match the table definition.",
    "row_already_exists": "Row with the requested ID already exists.",
    "storage_bucket_not_found": "Storage bucket with the requested ID could not be found.",
    "storage_bucket_already_exists": "A storage bucket with the requested ID already exists.",
    "team_not_found": "Team with the requested ID could not be found.",
    "team_already_exists": "Team with requested ID already exists. "
    "Please choose a different ID and try again.",
}

# TablesDB type prefixes and their legacy Databases-API names ([legacy-api]); longest first.
_LEGACY_PREFIXES = (
    ("column_index_", "index_"),
    ("column_", "attribute_"),
    ("table_", "collection_"),
    ("row_", "document_"),
)
_LEGACY_WORDS = (
    ("Columns", "Attributes"),
    ("columns", "attributes"),
    ("Column", "Attribute"),
    ("column", "attribute"),
    ("Tables", "Collections"),
    ("tables", "collections"),
    ("Table", "Collection"),
    ("table", "collection"),
    ("Rows", "Documents"),
    ("rows", "documents"),
    ("Row", "Document"),
    ("row", "document"),
)


class AppwriteError(HttpError):
    """An error response; ``body`` lacks ``version`` until the emulator adds the server version."""

    def __init__(
        self, status: int, type_: str, message: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        body: dict[str, Any] = {
            "message": message or MESSAGES.get(type_, type_),
            "code": status,
            "type": type_,
        }
        super().__init__(status, body, headers)
        self.type = type_

    def for_legacy(self) -> AppwriteError:
        """The same error as the legacy Databases API reports it (collection/attribute/document names)."""
        message = str(self.body["message"])
        for new, old in _LEGACY_WORDS:
            message = message.replace(new, old)
        return AppwriteError(self.status, legacy_type(self.type), message, self.headers)


def legacy_type(type_: str) -> str:
    """Map a TablesDB error type to its legacy name (``column_not_found`` -> ``attribute_not_found``)."""
    for new, old in _LEGACY_PREFIXES:
        if type_.startswith(new):
            return old + type_[len(new) :]
    return type_


def argument_invalid(name: str, description: str) -> AppwriteError:
    """The utopia-php/http parameter validation failure (400 ``general_argument_invalid``)."""
    return AppwriteError(400, "general_argument_invalid", f"Invalid `{name}` param: {description}")


def not_optional(name: str) -> AppwriteError:
    """A required parameter that was not sent."""
    return AppwriteError(400, "general_argument_invalid", f'Param "{name}" is not optional.')
