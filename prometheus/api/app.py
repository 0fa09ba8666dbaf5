"""The FastAPI application: `from prometheus.api.app import app` is the one `prometheus serve` serves
(built from the environment's settings when this module is imported); `create_app(settings)` builds another
one, e.g. for a test."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, WebSocket
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from prometheus import __version__
from prometheus.api.auth import AuthPolicy, TokenAuth, ws_refusal
from prometheus.api.cache import PlanCache
from prometheus.api.envelope import install_error_handlers
from prometheus.api.idempotency import Idempotency
from prometheus.api.limits import BodyLimit, PlainURL
from prometheus.api.routes import (
    executions,
    explain,
    health,
    integrations,
    plans,
    resources,
    retrospectives,
    scenario_views,
    scenarios,
    schedule,
    tasks,
    tracking,
    transfer,
    webhooks,
)
from prometheus.config import Settings, get_settings
from prometheus.events.live import LiveHub
from prometheus.events.peers import PeerSync
from prometheus.events.wake import Waker
from prometheus.events.webhooks import Dispatcher
from prometheus.integrations.engram import EngramConnector
from prometheus.integrations.http import configure_logging
from prometheus.mcp import http as mcp_http
from prometheus.services import Context
from prometheus.store import Database

log = logging.getLogger("prometheus")
WEB = Path(__file__).resolve().parent.parent / "web"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.database_url, pool_size=settings.db_pool_size)
        db.migrate()
        app.state.db = db
        auth.decide(db)
        app.state.dispatcher = dispatcher = Dispatcher(db, settings)
        engram = EngramConnector(settings=settings)
        app.state.ctx = ctx = Context(db, app.state.cache.plans, engram=engram, webhooks=dispatcher)
        app.state.hub = hub = LiveHub(
            ctx, settings.dispatch_interval, queue=settings.live_queue, backlog=settings.live_backlog
        )
        waker = Waker(db.url, db.backend)
        await hub.start()
        dispatcher.start()
        configure_logging(settings)
        app.state.peers = peer_sync = PeerSync(ctx, settings)
        hub.listen(peer_sync.on_event, wanted=peer_sync.following)
        peer_sync.start()
        for wake in (hub.wake, dispatcher.wake):
            waker.on_event(wake)  # events committed by other replicas (PostgreSQL NOTIFY)
            db.on_commit_events.append(wake)  # events committed here
        waker.start()
        log.info("Prometheus %s on port %s, database %s", __version__, settings.port, db.backend)
        async with mcp_http.sessions(app):
            yield
        await peer_sync.stop()
        waker.close()
        dispatcher.close()
        await hub.stop()
        db.dispose()

    app = FastAPIOffline(  # /docs (Swagger UI) with its assets from the installed package, never a CDN
        static_url="/docs/static",
        redoc_url=None,  # ReDoc fetches its logo from a CDN
        favicon_url="/web/favicon.svg",
        title="Prometheus",
        version=__version__,
        description="Planning engine of the Tekton ecosystem: plans, tasks, links, resources and schedules.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.cache = PlanCache(max_bytes=settings.cache_mb * 2**20)
    install_error_handlers(app)
    app.state.auth = auth = AuthPolicy(settings)
    app.add_middleware(Idempotency)  # inside TokenAuth: keys are scoped to a valid token
    app.add_middleware(TokenAuth)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(PlainURL)

    mcp_http.mount(app)

    @app.websocket("/ws")
    async def live(ws: WebSocket) -> None:
        scopes = getattr(ws.state, "scopes", None)  # set by TokenAuth; None when authentication is off
        await ws.app.state.hub.serve(ws, refusal=lambda action: ws_refusal(scopes, action))

    @app.get("/", include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse((WEB / "index.html").read_text(encoding="utf-8"))

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(WEB / "favicon.svg", media_type="image/svg+xml")

    app.mount("/web", StaticFiles(directory=WEB), name="web")  # the page's scripts, styles and icon

    for module in (
        health,
        transfer,
        plans,
        tasks,
        resources,
        schedule,
        explain,
        scenarios,
        scenario_views,
        tracking,
        retrospectives,
        webhooks,
        integrations,
        executions,
    ):
        app.include_router(module.router)
    return app


app = create_app()
