"""Shared FastAPI dependencies."""

from fastapi import Request

from prometheus.store import Database


def get_db(request: Request) -> Database:
    return request.app.state.db
