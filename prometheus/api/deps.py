"""Shared FastAPI dependencies (async: FastAPI would run plain functions in a worker thread each)."""

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
