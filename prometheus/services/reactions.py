"""Use cases of the events peers deliver through Hermes (`POST /api/events`): one function per event type,
each one transaction, answering what it did and what Engram is to remember (tasks it finished)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus.core.inputs import TaskPatch
from prometheus.errors import ValidationFailed
from prometheus.services import executions
from prometheus.services.context import Context

Reaction = tuple[dict[str, Any], list[dict[str, Any]]]


def requirement_updated(ctx: Context, data: dict) -> Reaction:
    """`telos.requirement.updated`: the traced tasks take the requirement's new title and description."""
    rid, project = data.get("requirement_id"), data.get("project_id")
    if not isinstance(rid, str | int) or not str(rid) or not isinstance(project, str | int | None):
        raise ValidationFailed("telos.requirement.updated needs payload.requirement_id (and project_id)")
    changes = data.get("changes") if isinstance(data.get("changes"), dict) else data
    patch: dict[str, Any] = {}
    if isinstance(changes.get("title"), str) and changes["title"].strip():
        patch["name"] = changes["title"].strip()[:500]
    if isinstance(changes.get("description"), str):
        patch["description"] = changes["description"]
    updated, plans = [], set()
    with ctx.db.store() as store:
        for task in store.traced_tasks(str(rid), None if project is None else str(project)) if patch else []:
            store.update_task(task.plan_id, task.id, TaskPatch(**patch), None)
            updated.append(task.id)
            plans.add(task.plan_id)
    for plan_id in plans:
        ctx.plans.drop(plan_id)
    return {"handled": True, "tasks_updated": updated}, []


def execution_completed(ctx: Context, data: dict) -> Reaction:
    """`synthesis.execution.completed`: the execution's tasks are done (or the failed step blocked), and so
    is the plan when nothing is left."""
    sid = data.get("execution_id") or data.get("executionId")
    status = data.get("status") or "completed"
    if not isinstance(sid, str | int) or status not in executions.STATUSES:
        raise ValidationFailed(
            "synthesis.execution.completed needs payload.execution_id, and a status among "
            + ", ".join(executions.STATUSES)
        )
    with ctx.db.store(write=False) as store:
        execution = store.get_execution(str(sid))
    execution, finished = executions.apply_progress(ctx, execution, status, step_states(data))
    return {"handled": True, "execution": execution["id"], "status": execution["status"]}, finished


def step_states(data: dict) -> dict[str, str]:
    """Step states from a Synthesis execution record (`data.step_results` / `results` by step id)."""
    inner = data.get("data") if isinstance(data.get("data"), dict) else data
    results = inner.get("step_results") or inner.get("results") or {}
    out = {}
    if isinstance(results, dict):
        for step_id, r in results.items():
            state = r.get("status") if isinstance(r, dict) else r
            if isinstance(state, str):
                out[str(step_id)] = state
    return out


HANDLERS: dict[str, Callable[[Context, dict], Reaction]] = {
    "telos.requirement.updated": requirement_updated,
    "synthesis.execution.completed": execution_completed,
}
