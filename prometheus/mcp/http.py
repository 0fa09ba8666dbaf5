"""`/mcp` of the API process: routed at once, started on its first request.

The MCP SDK and the tools are imported then (in a worker thread), and the session manager runs in a task
group that the app's lifespan holds, so it stops with the app. A server that nobody reaches over MCP never
imports the SDK, which keeps start-up as fast as before.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from prometheus.api.envelope import error


@asynccontextmanager
async def sessions(app: FastAPI) -> AsyncIterator[None]:
    """Hold the task group `/mcp` runs in; in the app's lifespan, after the database is there."""
    app.state.mcp = None
    app.state.mcp_lock = anyio.Lock()
    async with anyio.create_task_group() as tasks:
        app.state.mcp_tasks = tasks
        try:
            yield
        finally:
            app.state.mcp_tasks = None
            tasks.cancel_scope.cancel()


async def _manager(app: FastAPI) -> Any:
    async with app.state.mcp_lock:
        if app.state.mcp is None:
            server = await anyio.to_thread.run_sync(importlib.import_module, "prometheus.mcp.server")
            app.state.mcp = await app.state.mcp_tasks.start(server.run_http, app)
    return app.state.mcp


class _Endpoint:
    """The ASGI app of `/mcp`: every request goes to the session manager."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope["app"]
        if getattr(app.state, "mcp_tasks", None) is None:
            await error(503, "SERVICE_UNAVAILABLE", "the MCP endpoint is not running")(scope, receive, send)
            return
        manager = app.state.mcp or await _manager(app)
        await manager.handle_request(scope, receive, send)


def mount(app: FastAPI) -> None:
    """Route `/mcp` (every method) to the MCP session manager."""
    app.add_route("/mcp", _Endpoint(), include_in_schema=False)
