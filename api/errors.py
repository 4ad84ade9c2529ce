"""One error shape for every failure: `{"error": {"code", "message"}}`, and the mapping of domain errors to it."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.leads import AssigneeRequired
from assistant.llm import LLMError, LLMTimeout, LLMUnavailable
from assistant.service.sessions import SessionRefused
from assistant.service.types import InvalidMessage
from assistant.store import ConflictError, ConsentRequired, InvalidTransition, NotFoundError
from knowledge.lock import WriterBusy

log = logging.getLogger("api.errors")


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


class ApiError(Exception):
    """Raise from a route to answer with the error shape."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


_DESCRIPTIONS = {
    400: "Malformed request (e.g. invalid JSON)",
    401: "Missing or invalid API key",
    403: "The API key's role may not do this",
    404: "Not found",
    409: "Conflict with the current state",
    413: "Request body too large",
    422: "Invalid input",
    429: "Rate limited (see Retry-After)",
    500: "Internal error",
    502: "The language model failed",
    503: "A dependency is unavailable",
    504: "The language model did not answer in time",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries in the error shape, for the given statuses."""
    return {s: {"model": ErrorResponse, "description": _DESCRIPTIONS[s]} for s in statuses}


# Every route can answer these (body cap and validation come from middleware and FastAPI).
COMMON = (400, 413, 422)
STAFF = (*COMMON, 401, 403)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


_HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> str | None:
    """The methods the OpenAPI schema declares at the request's path (None for paths it does not describe).
    Starlette's 405 names only the first matching route's methods, so `GET` went missing from the `Allow` of
    `/v1/drafts`, which also has `POST`."""
    path = request.scope.get("path", "")
    for template, operations in request.app.openapi().get("paths", {}).items():
        if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), path):
            methods = {m.upper() for m in operations} | ({"HEAD"} if "get" in operations else set())
            return ", ".join(m for m in _HTTP_METHODS if m in methods)
    return None


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_"))
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and (allow := allowed_methods(request)):
        headers["Allow"] = allow
    return error_response(exc.status_code, code, message, headers or None)


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if part != "body") or "body"


def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "invalid_json", "the request body is not valid JSON")
    parts = [f"{_location(tuple(e.get('loc', ())))}: {e.get('msg', 'invalid')}" for e in errors[:5]]
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return error_response(422, "validation_error", "; ".join(parts) + more)


def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers)


# Domain errors → (status, code, fixed message or None to use the exception's own text). Most specific first.
MAPPING: tuple[tuple[type[Exception], int, str, str | None], ...] = (
    (SessionRefused, 401, "session_invalid", None),
    (NotFoundError, 404, "not_found", None),
    (InvalidTransition, 409, "invalid_transition", None),
    (ConflictError, 409, "conflict", None),
    (WriterBusy, 409, "writer_busy", None),
    (ConsentRequired, 422, "consent_required", None),
    (InvalidMessage, 422, "invalid_message", None),
    (AssigneeRequired, 422, "assignee_required", None),
    (LLMTimeout, 504, "llm_timeout", "the language model did not answer in time; please try again"),
    (LLMUnavailable, 503, "llm_unavailable", "the language model is unavailable; please try again later"),
    (LLMError, 502, "llm_error", "the language model could not produce an answer; please try again"),
    (ValueError, 422, "invalid_value", None),
)


def classify(exc: Exception) -> tuple[int, str, str]:
    """(status, code, message) for an exception; unknown ones are internal errors (500)."""
    if isinstance(exc, ApiError):
        return exc.status, exc.code, exc.message
    for exc_class, status, code, message in MAPPING:
        if isinstance(exc, exc_class):
            if message is not None:
                log.warning("%s: %s: %s", code, type(exc).__name__, exc)
            return status, code, message or str(exc)
    return 500, "internal_error", "internal error"


def _mapped(_: Request, exc: Exception) -> JSONResponse:
    return error_response(*classify(exc))


def install(app: FastAPI) -> None:
    """Register the handlers; anything unhandled becomes a 500 in RequestContextMiddleware."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for exc_class, *_ in MAPPING:
        app.add_exception_handler(exc_class, _mapped)
