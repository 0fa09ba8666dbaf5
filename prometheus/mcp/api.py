"""The REST API as the MCP tools see it, and how a tool is registered.

`Api` holds one `httpx.AsyncClient`: over `httpx.ASGITransport(app)` when the tools run in the process that
holds the database, over the network with `--url`. Each call carries the caller's bearer token: the one
on the HTTP request that reached `/mcp`, else the token given to `prometheus mcp`. An answer other than 2xx
becomes `ApiError` with the API's own envelope, and `tool()` turns that into the MCP tool error.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from mcp.server.mcpserver import Context, MCPServer
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel

from prometheus import tls
from prometheus.core.urls import segment

LOCAL = "http://prometheus.localhost"  # the base URL of in-process calls (never resolved)


class ApiError(Exception):
    """An answer of the REST API that is not a success, as its error envelope."""

    def __init__(self, http_status: int, error_code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.envelope: dict[str, Any] = {
            "status": "error",
            "http_status": http_status,
            "error_code": error_code,
            "message": message,
        }
        if details:
            self.envelope["details"] = details

    @classmethod
    def from_response(cls, r: httpx.Response) -> ApiError:
        try:
            body = r.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or "error_code" not in body:
            return cls(r.status_code, "HTTP_ERROR", f"HTTP {r.status_code}: {r.text[:300]}")
        return cls(r.status_code, str(body["error_code"]), str(body.get("message", "")), body.get("details"))


def seg(value: object) -> str:
    """An id as one segment of an API path (`core/urls.segment`: it cannot reach another route, and the API
    answers a NUL in it by its own rule); an empty id is the API's 404."""
    try:
        return segment(value)
    except ValueError as exc:
        raise ApiError(404, "NOT_FOUND", str(exc)) from None


class Api:
    """Calls to the REST API on behalf of the MCP caller."""

    def __init__(self, client: httpx.AsyncClient, token: str | None = None):
        self.client = client
        self.token = token

    @classmethod
    def in_process(cls, app: Any, token: str | None = None) -> Api:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        return cls(httpx.AsyncClient(transport=transport, base_url=LOCAL, timeout=None), token)

    @classmethod
    def remote(cls, url: str, token: str | None = None, timeout: float = 120.0) -> Api:
        http = httpx.AsyncClient(base_url=url.rstrip("/"), timeout=timeout, verify=tls.context())
        return cls(http, token)

    def headers(self, ctx: Context | None) -> dict[str, str]:
        """The caller's Authorization: the HTTP request's at /mcp, else the configured token."""
        try:
            request = ctx.request_context.request if ctx is not None else None
        except ValueError:  # no request: a call from outside a session
            request = None
        if request is not None:
            auth = request.headers.get("authorization")
            return {"Authorization": auth} if auth else {}
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def call(self, ctx: Context | None, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            headers = self.headers(ctx) | kw.pop("headers", {})
            r = await self.client.request(method, path, headers=headers, **kw)
        except httpx.InvalidURL as exc:  # e.g. longer than any URL may be
            raise ApiError(422, "VALIDATION_ERROR", f"the request cannot be sent: {exc}") from None
        except httpx.TransportError as exc:
            raise ApiError(503, "SERVICE_UNAVAILABLE", f"Prometheus cannot be reached: {exc}") from None
        if r.is_success:
            return r
        raise ApiError.from_response(r)

    async def data(self, ctx: Context | None, method: str, path: str, **kw: Any) -> Any:
        """The `data` of a success envelope."""
        return (await self.call(ctx, method, path, **kw)).json()["data"]

    async def get(self, ctx: Context | None, path: str, **params: Any) -> Any:
        return await self.data(ctx, "GET", path, params={k: v for k, v in params.items() if v is not None})

    async def aclose(self) -> None:
        await self.client.aclose()


def refused(exc: ApiError) -> CallToolResult:
    """A tool error carrying the API's envelope."""
    return _result(exc.envelope, error=True)


def _result(data: dict, error: bool = False) -> CallToolResult:
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=data, is_error=error
    )


def tool(
    server: MCPServer, *, read_only: bool, destructive: bool = False, idempotent: bool = False
) -> Callable[[Callable[..., Awaitable[BaseModel]]], Callable[..., Awaitable[BaseModel]]]:
    """Register an async function returning a pydantic model as a tool: its parameters and return type are
    the schemas, its docstring the description. The answer is compact JSON (also as structured content);
    an `ApiError` is answered as a tool error carrying the API's envelope (`error_code`, `message`)."""

    def register(fn: Callable[..., Awaitable[BaseModel]]) -> Callable[..., Awaitable[BaseModel]]:
        @functools.wraps(fn)
        async def call(*args: Any, **kwargs: Any) -> Any:
            try:
                answer = await fn(*args, **kwargs)
            except ApiError as exc:
                return refused(exc)
            return _result(answer.model_dump(mode="json", by_alias=True))

        hints = ToolAnnotations(
            read_only_hint=read_only,
            destructive_hint=destructive if not read_only else None,
            idempotent_hint=idempotent if not read_only else None,
            open_world_hint=False,
        )
        server.add_tool(call, description=" ".join((fn.__doc__ or "").split()), annotations=hints)
        return fn

    return register
