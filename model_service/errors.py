"""JSON errors: every failure is ``{"error": ..., "detail": ...}`` with the right status.

No HTML page, no traceback, ever: a catch-all handler logs the exception
server-side and answers a bare 500.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

log = logging.getLogger("model_service")

_SHORT = {
    400: "bad request", 401: "unauthorized", 404: "not found", 405: "method not allowed", 409: "conflict",
    413: "request too large", 415: "unsupported media type", 422: "invalid input",
    429: "too many requests", 500: "internal error", 503: "service unavailable",
}


class ApiError(Exception):
    """An error the API reports to the caller as is."""

    def __init__(self, status: int, error: str | None = None, detail: Any = None):
        super().__init__(error or _SHORT.get(status, "error"))
        self.status = status
        self.error = error or _SHORT.get(status, "error")
        self.detail = detail if detail is not None else self.error


class NotFound(ApiError):
    def __init__(self, detail: Any):
        super().__init__(404, "not found", detail)


class Invalid(ApiError):
    """422 with every problem found (a list of {"field", "problem", "value"?})."""

    def __init__(self, problems: list[dict[str, Any]], error: str = "invalid input"):
        super().__init__(422, error, problems)


class Unavailable(ApiError):
    def __init__(self, detail: Any):
        super().__init__(503, "service unavailable", detail)


def problems_from(exc: ValidationError, prefix: str = "") -> list[dict[str, Any]]:
    """Pydantic's errors as the API's problem list (every one, in input order)."""
    out: list[dict[str, Any]] = []
    for err in exc.errors(include_url=False):
        field = _join(prefix, [str(p) for p in err.get("loc", ())])
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "multiple_of" and err.get("ctx", {}).get("multiple_of") == 1:
            message = "must be a whole number"
        problem: dict[str, Any] = {"field": field or "(body)", "problem": message}
        if err.get("type") != "missing" and _jsonable(err.get("input")):
            problem["value"] = err.get("input")
        out.append(problem)
    return out


def _join(prefix: str, loc: list[str]) -> str:
    text = prefix
    for part in loc:
        if part.isdigit():
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _jsonable(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= 200
    return value is None or isinstance(value, bool | int) or (isinstance(value, float) and value == value
                                                                and abs(value) != float("inf"))


def error_response(status: int, error: str, detail: Any) -> Response:
    response = jsonify({"error": error, "detail": detail})
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.error, exc.detail)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        detail = exc.description or _SHORT.get(status, "error")
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            detail = f"the request body exceeds the limit of {limit} bytes" if limit else detail
        response = error_response(status, _SHORT.get(status, exc.name.lower()), detail)
        if status == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        retry = exc.get_headers() if status == 429 else []
        for key, value in retry:
            if key.lower() == "retry-after":
                response.headers[key] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error while serving the request")
        return error_response(500, "internal error", "the server could not process the request")
