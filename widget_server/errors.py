"""The errors a caller must correct: API errors with their JSON envelope, and operator errors."""

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException, MethodNotAllowed


class OperatorError(Exception):
    """A request an operator (CLI, and later the dashboard) must correct, with a one-line reason."""


class ApiError(Exception):
    """A client error with its status and a precise message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def envelope(status: int, message: str, data: object = None) -> Response:
    """Build the `{status, message, data}` response every endpoint answers with."""
    response = jsonify({"status": status, "message": message, "data": data})
    response.status_code = status
    return response


def register(app: Flask) -> None:
    """Render ApiError and every HTTP error as the JSON envelope."""

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        return envelope(error.status, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = envelope(error.code or 500, error.description or "")
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        app.logger.exception("unhandled error")
        return envelope(500, "internal error")
