"""The Tekton response envelopes, concurrency headers and error handlers."""

from __future__ import annotations

import logging
from typing import Any, Generic, TypeVar

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic_core import to_json
from starlette.exceptions import HTTPException as StarletteHTTPException

from prometheus.core.calendar import SchedulingError
from prometheus.core.scheduler import CycleError
from prometheus.errors import (
    DATABASE_DOWN,
    PrometheusError,
    ValidationFailed,
    VersionConflict,
    plain_errors,
    summary,
)
from prometheus.store import UNREACHABLE

log = logging.getLogger("prometheus.api")
T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    status: str = "success"
    data: T
    message: str = ""


class Deleted(BaseModel):
    """What a DELETE answers: the id of what is gone."""

    id: str


class Page(BaseModel):
    total: int
    limit: int
    offset: int


class ListEnvelope(Envelope[T], Generic[T]):
    pagination: Page | None = None


class ErrorEnvelope(BaseModel):
    status: str = "error"
    error_code: str
    message: str
    details: dict[str, Any] | None = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorEnvelope} for code in (400, 404, 409, 422, 503)
}


class WrittenJSON(JSONResponse):
    """A JSON answer whose body is already written (bytes)."""

    def render(self, content: bytes) -> bytes:
        return content


_PLAIN = frozenset({str, int, float, bool, type(None)})


def encoded(value: Any) -> Any:
    """What `jsonable_encoder` makes of `value`, the same to the byte, with dicts and lists of plain JSON
    values walked here: it takes some microseconds per value even for those (seconds for the steps of a
    20,000-task execution); anything else (dates, enums, models, tuples, ...) is still its to encode."""
    kind = type(value)
    if kind is dict:
        return {
            k if type(k) is str else jsonable_encoder(k): v if type(v) in _PLAIN else encoded(v)
            for k, v in value.items()
            if not (isinstance(k, str) and k.startswith("_sa"))  # as jsonable_encoder (sqlalchemy_safe)
        }
    if kind is list:
        return [v if type(v) in _PLAIN else encoded(v) for v in value]
    if kind in _PLAIN:
        return value
    return jsonable_encoder(value)


def ok(
    data: Any, message: str = "", *, status_code: int = 200, version: int | None = None, **extra: Any
) -> JSONResponse:
    headers = {"ETag": f'"{version}"'} if version is not None else None
    models = isinstance(data, BaseModel) or (
        isinstance(data, list) and data and all(isinstance(d, BaseModel) for d in data)
    )
    body = {"status": "success", "data": data if models else encoded(data), "message": message}
    if extra:
        body |= jsonable_encoder(extra)
    # a model (or a list of them) and the plain values around it written by pydantic in one pass, which is
    # what jsonable_encoder and json.dumps give in three; a number that is not finite is written as null,
    # never as NaN or Infinity, which are not JSON
    return WrittenJSON(to_json(body, by_alias=True, inf_nan_mode="null"), status_code, headers)


def error(status_code: int, code: str, message: str, details: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"status": "error", "error_code": code, "message": message}
    if details:
        body["details"] = jsonable_encoder(details)
    return JSONResponse(body, status_code=status_code)


def expected_version(request: Request, body_version: int | None = None) -> int | None:
    """The version the client based its change on: If-Match ("3", W/"3", 3) or the body's `version` (both:
    they must agree, else the change is based on two versions: 409)."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return body_version
    raw = header.strip().removeprefix("W/").strip('"')
    try:
        version = int(raw)
    except ValueError:
        raise ValidationFailed(
            f"If-Match must be a version number, got {header!r}", http_status=400
        ) from None
    if body_version is not None and body_version != version:
        raise VersionConflict(
            f"If-Match says version {version} and the body's version is {body_version}: send one, or the same"
        )
    return version


# a 400 of the framework's own is a body it cannot read (not UTF-8, not JSON): malformed JSON, as README says
_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 400: "VALIDATION_ERROR", 413: "PAYLOAD_TOO_LARGE"}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PrometheusError)
    async def _domain(_: Request, exc: PrometheusError) -> JSONResponse:
        return error(exc.http_status, exc.error_code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = plain_errors(exc.errors())
        if any(e["type"] == "json_invalid" for e in errors):
            return error(400, "VALIDATION_ERROR", "request body is not valid JSON", {"errors": errors})
        return error(422, "VALIDATION_ERROR", f"invalid request: {summary(errors)}", {"errors": errors})

    @app.exception_handler(SchedulingError)
    async def _unschedulable(_: Request, exc: SchedulingError) -> JSONResponse:
        if isinstance(exc, CycleError):
            return error(409, "DEPENDENCY_ERROR", str(exc), {"cycle": exc.cycle})
        return error(422, "VALIDATION_ERROR", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "HTTP_ERROR")
        if exc.status_code == 400:  # as a body pydantic cannot read as JSON (`_validation`)
            return error(400, code, f"request body is not valid JSON (UTF-8): {exc.detail}")
        return error(exc.status_code, code, str(exc.detail))

    async def _db_down(_: Request, exc: Exception) -> JSONResponse:
        log.error("database unavailable: %s", exc)
        return error(503, "SERVICE_UNAVAILABLE", DATABASE_DOWN)

    for kind in UNREACHABLE:
        app.add_exception_handler(kind, _db_down)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error(500, "INTERNAL_ERROR", "internal error; it has been logged")
