"""`/mcp` of the API process: routed at once, started on its first request.

The MCP SDK and the tools are imported then (in a worker thread), and the session manager runs in a task
group that the app's lifespan holds, so it stops with the app. A server that nobody reaches over MCP never
imports the SDK, which keeps start-up as fast as before.

Every refusal of `/mcp` is a JSON-RPC error without an id (the SDK's own spelling, and the one an MCP client
reads back as the error: it shows any other body as a bare "Server returned an error response"), its `data`
the API's error envelope, with the refusal's HTTP status and headers. `Refusals` (outermost, `/mcp` only)
rewrites so the SDK's refusals in plain text (a foreign Origin's 403, a foreign Host's 421, a Content-Type
that is not JSON) and the API middleware's envelopes (TokenAuth's 401 with its WWW-Authenticate, BodyLimit's
413). A GET, which would open a stream that a stateless server never writes to (held until the client goes),
is 405: the spec's answer of a server that offers no such stream.
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
from starlette.types import ASGIApp, Message, Receive, Scope, Send


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


PATH = "/mcp"
_CODES = {400: "VALIDATION_ERROR", 403: "FORBIDDEN", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}
_CODES |= {421: "MISDIRECTED_REQUEST", 503: "SERVICE_UNAVAILABLE"}
INVALID_REQUEST = -32600  # JSON-RPC
_REWRITTEN = {b"content-type", b"content-length"}  # of a refusal's headers; the others are kept


def refusal(
    status: int, message: str, headers: dict[str, str] | None = None, envelope: dict[str, Any] | None = None
) -> Response:
    """A JSON-RPC error without an id, the API's envelope as its `data` (made from the status when none)."""
    if envelope is None:
        envelope = {"status": "error", "error_code": _CODES.get(status, "HTTP_ERROR"), "message": message}
    body = {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": INVALID_REQUEST, "message": message, "data": envelope},
    }
    return Response(json.dumps(body), status, headers, media_type="application/json")


def _rewritten(status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Response | None:
    """A refusal that is not JSON-RPC as `refusal` (None: it is JSON-RPC already): an API envelope goes
    whole into `data`, plain text is the message; the headers but its type and length are kept."""
    try:
        said = json.loads(body)
    except ValueError:
        said = None
    if isinstance(said, dict) and "jsonrpc" in said:
        return None
    if isinstance(said, dict) and "error_code" in said:
        answer = refusal(status, str(said.get("message", "")), envelope=said)
    else:
        answer = refusal(status, body.decode("utf-8", "replace").strip())
    answer.raw_headers[:0] = [(k, v) for k, v in headers if k.lower() not in _REWRITTEN]
    return answer


class Refusals:
    """Outermost middleware: at `/mcp` every answer of 400 or more that is not JSON-RPC is `_rewritten`."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        refused: Message | None = None
        body = b""

        async def sending(message: Message) -> None:
            nonlocal refused, body
            if message["type"] == "http.response.start" and message["status"] >= 400:
                refused = message
                return
            if refused is None or message["type"] != "http.response.body":
                await send(message)
                return
            body += message.get("body", b"")
            if message.get("more_body", False):
                return
            answer = _rewritten(refused["status"], list(refused.get("headers", [])), body)
            if answer is None:
                await send(refused)
                await send({"type": "http.response.body", "body": body})
                return
            await send(
                {"type": "http.response.start", "status": answer.status_code, "headers": answer.raw_headers}
            )
            await send({"type": "http.response.body", "body": answer.body})

        await self.app(scope, receive, sending)


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
        await manager.handle_request(scope, receive, send)


def mount(app: FastAPI) -> None:
    """Route `/mcp` (every method) to the MCP session manager; its refusals JSON-RPC errors (`Refusals`,
    added last: outside every other middleware)."""
    app.add_route(PATH, _Endpoint(), include_in_schema=False)
    app.add_middleware(Refusals)
