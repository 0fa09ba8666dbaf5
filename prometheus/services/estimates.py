"""Use cases of estimates: a new task estimated from the finished ones (here, and Engram's if it is on)."""

from __future__ import annotations

from typing import Any

from prometheus.core.estimate import estimate as estimate_from_history
from prometheus.core.inputs import EstimateRequest
from prometheus.integrations.http import IntegrationUnavailable, run_sync
from prometheus.services.context import Context


def estimate(ctx: Context, plan_id: str, body: EstimateRequest) -> dict[str, Any]:
    """Precedents and an estimate; Engram's similar tasks are added when it answers (called from a worker
    thread, as a sync route runs)."""
    with ctx.db.store(write=False) as store:
        store.get_plan(plan_id, include_children=False)
        history = store.completed_tasks()
    result = estimate_from_history(body, history)
    engram = ctx.engram
    if engram is None or not engram.configured:
        result["engram"] = {
            "available": False,
            "reason": "Engram is turned off (ENGRAM_URL is empty): the local database was searched",
        }
        return result
    try:
        remembered = run_sync(engram.similar_tasks, " ".join([body.name, body.description, *body.tags]))
    except IntegrationUnavailable as exc:
        result["engram"] = {"available": False, "reason": exc.message}
    else:
        known = {p["task_id"] for p in result["precedents"]}
        extra = [r | {"source": "engram"} for r in remembered if r.get("task_id") not in known]
        result["precedents"] += extra
        result["engram"] = {"available": True, "precedents": len(extra)}
    return result
