"""Shared FastAPI dependencies (async: FastAPI would run plain functions in a worker thread each)."""

from fastapi import Request
from starlette.requests import HTTPConnection

from prometheus.api.cache import PlanCache
from prometheus.errors import NotFound, ValidationFailed
from prometheus.services import Context
from prometheus.store import Database


async def get_db(request: Request) -> Database:
    return request.app.state.db


async def get_cache(request: Request) -> PlanCache:
    return request.app.state.cache


async def get_ctx(request: Request) -> Context:
    """What the use cases (prometheus/services) are given."""
    return request.app.state.ctx


async def plain_parameters(conn: HTTPConnection) -> None:
    """The one rule for a NUL character in the URL (every route has it; PostgreSQL cannot compare one, and
    SQLite would): an id in the path holding one names nothing (404), a query parameter holding one is
    refused (422). A body's texts are checked by the inputs (`core/bounds.py`)."""
    for name, value in conn.path_params.items():
        if isinstance(value, str) and "\x00" in value:
            raise NotFound(f"no {name} holds a NUL character (\\u0000)", details={name: value})
    for name, value in conn.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            raise ValidationFailed(f"query parameter {name!r} holds a NUL character (\\u0000)")
