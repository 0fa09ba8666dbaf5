"""Liveness and readiness."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from prometheus import __version__
from prometheus.api.deps import get_db
from prometheus.integrations import http
from prometheus.store import Database

router = APIRouter(tags=["health"])


@router.get(
    "/health", summary="Service health: version, port, whether the database answers, the Tekton peers"
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
