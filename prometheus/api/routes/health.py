"""Liveness and readiness."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from prometheus import __version__
from prometheus.api.deps import get_db
from prometheus.integrations import http
from prometheus.store import Database

router = APIRouter(tags=["health"])


class DatabaseHealth(BaseModel):
    reachable: bool
    backend: str = Field(description="sqlite or postgresql")


class CacheStats(BaseModel):
    """This process's kept answers."""

    entries: int
    bytes: int
    hits: int
    misses: int


class LiveStats(BaseModel):
    """This process's WebSocket and SSE subscriptions, and the plans (or "*") they follow."""

    subscriptions: int
    followed: int


class PeerHealth(BaseModel):
    """Where a Tekton peer is and what its last call said (a peer that does not answer is no ill health)."""

    url: str | None
    source: str = Field(description="where the address came from: argument, environment, default or hermes")
    configured: bool
    available: bool | None = Field(description="whether its last call answered; null before any call")
    last_ok_at: datetime | None
    circuit: Literal["closed", "open", "half-open"]
    last_error: str | None


class Health(BaseModel):
    """The service's health (not in an envelope); 503 with the same body while the database does not
    answer."""

    status: Literal["healthy", "unhealthy"]
    component: Literal["prometheus"]
    version: str
    port: int
    database: DatabaseHealth
    plan_cache: CacheStats
    live: LiveStats
    peers: dict[str, PeerHealth]
    hermes_registration: str | None = Field(description="the component id Hermes gave, if registered")


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "the database does not answer"}},
    summary="Service health: version, port, whether the database answers, the Tekton peers",
)
@router.get("/api/health", include_in_schema=False)
def health(request: Request, db: Database = Depends(get_db)) -> JSONResponse:
    reachable = db.ping()
    body = {
        "status": "healthy" if reachable else "unhealthy",
        "component": "prometheus",
        "version": __version__,
        "port": request.app.state.settings.port,
        "database": {"reachable": reachable, "backend": db.backend},
        "plan_cache": request.app.state.cache.stats(),  # this process's
        "live": request.app.state.hub.stats(),  # this process's WebSocket and SSE subscriptions
        # where each peer is and what its last call said (a peer that does not answer is no ill health)
        "peers": {p.pop("peer"): p for p in http.status(request.app.state.settings)},
        "hermes_registration": request.app.state.peers.hermes.component_id,
    }
    return JSONResponse(body, status_code=200 if reachable else 503)
