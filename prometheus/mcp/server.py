"""The MCP server: Prometheus's planning tools for agents, on the official Python SDK (`mcp`).

Served two ways: at `/mcp` of the API process (streamable HTTP) and by `prometheus mcp` over stdio for
desktop agents (in-process on the configured database, or `--url` of a running server).

Why every tool calls the REST API (through `Api`, one `httpx.AsyncClient` over `httpx.ASGITransport(app)`
in-process, or over the network) instead of the store and the core directly:
- a tool's numbers are the REST API's numbers by construction (same routes, same plan cache, same schedule);
- a tool's errors are the API's errors: its status, `error_code` and `message` come back as the tool error;
- authentication and scopes are the API's own policy (`prometheus/api/auth.py`): the caller's bearer token
  goes with each call, so a read-only token can use the read tools and gets the API's 403 on a write tool,
  with nothing to keep in step;
- events, webhooks, Hermes and Telos sync, optimistic locking and validation all happen as for any client.
The cost is one in-process HTTP round trip per call (no socket), small next to scheduling.

At `/mcp` the SDK's session manager runs stateless with JSON answers: any worker or replica can answer
any request (no session affinity) and nothing needs the server-to-client channel. It starts on the first
request to `/mcp` (prometheus/mcp/http.py), so a server nobody reaches over MCP does not import the SDK.
Tool groups are modules with `register(server, api)` (what-if scenarios are prometheus/mcp/scenarios.py).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import anyio
from anyio.abc import TaskStatus
from fastapi import FastAPI
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import CallToolResult, InputRequiredResult
from pydantic import ValidationError

from prometheus import __version__
from prometheus.api.auth import is_loopback
from prometheus.config import Settings
from prometheus.errors import plain_errors, summary
from prometheus.mcp import documents, plans, scenarios, schedule, tasks, tracking
from prometheus.mcp.api import Api, ApiError, refused

TOOLS = (plans, tasks, schedule, tracking, documents, scenarios)
INSTRUCTIONS = (
    "Prometheus schedules plans: tasks with durations, links (FS/SS/FF/SF with lags), constraints, "
    "calendars and resources, as Microsoft Project does. Dates are in the plan's wall-clock time; durations "
    "and slack in working days. Find or create a plan first (list_plans, create_plan, "
    "create_plan_from_telos), change it in bulk (add_tasks, update_tasks, add_links, add_resources, "
    "record_progress), then ask: get_schedule, critical_path, explain_date (why a date), level_resources, "
    "analyze_risk, earned_value, baseline_variance. To try a change without touching the plan, "
    "open_scenario, change_scenario, level_scenario, compare_scenario, then promote_scenario or "
    "discard_scenario. The resource prometheus://plans/{plan_id} is the plan "
    "as a document. A tool error carries the REST API's error_code and message."
)


class PlanningServer(MCPServer):
    """The SDK's server, a call it refuses itself answered as any other tool error: with the API's
    envelope (an unknown tool NOT_FOUND; arguments its schema does not take VALIDATION_ERROR, with the
    REST API's message and `details.errors`), not the SDK's text with pydantic's links and no error_code."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context | None = None
    ) -> CallToolResult | InputRequiredResult:
        if self._tool_manager.get_tool(name) is None:
            return refused(ApiError(404, "NOT_FOUND", f"no tool {name!r}: tools/list names them"))
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc, UnexpectedToolError) or not isinstance(exc.__cause__, ValidationError):
                raise
            errors = plain_errors(exc.__cause__.errors(include_url=False))
            message = f"invalid arguments of {name}: {summary(errors)}"
            return refused(ApiError(422, "VALIDATION_ERROR", message, {"errors": errors}))


def build(api: Api) -> MCPServer:
    """The MCP server with every tool group on `api`."""
    server = PlanningServer(
        "prometheus",
        title="Prometheus planning engine",
        version=__version__,
        instructions=INSTRUCTIONS,
        log_level="WARNING",
    )
    for module in TOOLS:
        module.register(server, api)
    return server


# -- at /mcp of the API process (started by prometheus.mcp.http on the first request) ------------------------


def security(settings: Settings) -> TransportSecuritySettings | None:
    """DNS-rebinding protection when bound to loopback (as the SDK does), letting the public URL in too."""
    if not is_loopback(settings.host):
        return None
    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1", "localhost", "[::1]"]
    origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    if settings.public_url:
        public = urlparse(settings.public_url)
        hosts.append(public.netloc)
        origins.append(f"{public.scheme}://{public.netloc}")
    return TransportSecuritySettings(allowed_hosts=hosts, allowed_origins=origins)


async def run_http(app: FastAPI, *, task_status: TaskStatus[StreamableHTTPSessionManager]) -> None:
    """Run the session manager of `/mcp` on the app's own routes until cancelled; started, it is handed
    to the caller."""
    settings: Settings = app.state.settings
    api = Api.in_process(app)
    server = build(api)
    server.streamable_http_app(
        stateless_http=True,
        json_response=True,
        transport_security=security(settings),
        max_request_body_size=settings.max_body_bytes,
    )
    try:
        async with server.session_manager.run():
            task_status.started(server.session_manager)
            await anyio.sleep_forever()
    finally:
        with anyio.CancelScope(shield=True):
            await api.aclose()


# -- over stdio ---------------------------------------------------------------------------------------------


async def serve_stdio(settings: Settings, *, url: str | None = None, token: str | None = None) -> None:
    """Serve MCP on stdin/stdout: against a running server at `url`, else in this process on the
    configured database (the API app with its lifespan: migrations, events, webhooks run as in `serve`)."""
    if url:
        api = Api.remote(url, token)
        try:
            await build(api).run_stdio_async()
        finally:
            await api.aclose()
        return
    from prometheus.api.app import create_app

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        api = Api.in_process(app, token)
        try:
            await build(api).run_stdio_async()
        finally:
            await api.aclose()
