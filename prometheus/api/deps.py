"""Shared FastAPI dependencies (async: FastAPI would run plain functions in a worker thread each), and
`state`, what the hottest routes read instead (each dependency costs FastAPI some 30 us per request)."""

from fastapi import Request

from prometheus.api.cache import PlanCache
from prometheus.services import Context
from prometheus.store import Database


async def get_db(request: Request) -> Database:
    return request.app.state.db


async def get_cache(request: Request) -> PlanCache:
    return request.app.state.cache


async def get_ctx(request: Request) -> Context:
    """What the use cases (prometheus/services) are given."""
    return request.app.state.ctx


def state(request: Request) -> tuple[Context, PlanCache]:
    """The use cases' context and the answer cache, read from the application."""
    app_state = request.app.state
    return app_state.ctx, app_state.cache
