"""`/mcp` of the API process: routed at once, started on its first request.

The MCP SDK and the tools are imported then (in a worker thread), and the session manager runs in a task
group that the app's lifespan holds, so it stops with the app. A server that nobody reaches over MCP never
imports the SDK, which keeps start-up as fast as before.

Every refusal of `/mcp` is a JSON-RPC error without an id (the SDK's own spelling, and the one an MCP client
reads back as the error: it shows any other body as a bare "Server returned an error response"), its `data`
the API's error envelope; the SDK's refusals in plain text (a foreign Origin's 403, a foreign Host's 421, a
Content-Type that is not JSON, a body over the limit) are rewritten so. A GET, which would open a stream
that a stateless server never writes to (held until the client goes), is 405: the spec's answer of a
server that offers no such stream.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread
from fastapi import FastAPI
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send


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


_CODES = {400: "VALIDATION_ERROR", 403: "FORBIDDEN", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}
_CODES |= {421: "MISDIRECTED_REQUEST", 503: "SERVICE_UNAVAILABLE"}
INVALID_REQUEST = -32600  # JSON-RPC


def refusal(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A JSON-RPC error without an id, the API's envelope as its `data`."""
    envelope = {"status": "error", "error_code": _CODES.get(status, "HTTP_ERROR"), "message": message}
    body = {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": INVALID_REQUEST, "message": message, "data": envelope},
    }
    return Response(json.dumps(body), status, headers, media_type="application/json")


def _in_json(send: Send) -> Send:
    """`send` with an answer of 400 or more that is not JSON (the SDK's plain-text refusals) rewritten as
    `refusal`, its text the message."""
    refused: Message | None = None
    text = b""

    async def sending(message: Message) -> None:
        nonlocal refused, text
        if message["type"] == "http.response.start":
            kind = dict(message.get("headers", [])).get(b"content-type", b"")
            if message["status"] >= 400 and not kind.startswith(b"application/json"):
                refused = message
                return
        elif refused is not None and message["type"] == "http.response.body":
            text += message.get("body", b"")
            if not message.get("more_body", False):
                answer = refusal(refused["status"], text.decode("utf-8", "replace").strip())
                await send(
                    {
                        "type": "http.response.start",
                        "status": answer.status_code,
                        "headers": answer.raw_headers,
                    }
                )
                await send({"type": "http.response.body", "body": answer.body})
            return
        await send(message)

    return sending


class _Endpoint:
    """The ASGI app of `/mcp`: every request goes to the session manager."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope["app"]
        if getattr(app.state, "mcp_tasks", None) is None:
            await refusal(503, "the MCP endpoint is not running")(scope, receive, send)
            return
        if scope["method"] == "GET":
            message = "Method Not Allowed: this stateless server offers no stream to GET; POST JSON-RPC"
            await refusal(405, message, {"Allow": "POST"})(scope, receive, send)
            return
        manager = app.state.mcp or await _manager(app)
        await manager.handle_request(scope, receive, _in_json(send))


def mount(app: FastAPI) -> None:
    """Route `/mcp` (every method) to the MCP session manager."""
    app.add_route("/mcp", _Endpoint(), include_in_schema=False)
