"""Why a task starts when it does: its driving chain (kept per plan revision and day, as the other views)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from prometheus.api.answers.tracking import Explanation
from prometheus.api.cache import PlanCache
from prometheus.api.deps import get_cache, get_ctx
from prometheus.api.envelope import ERROR_RESPONSES, Envelope, ok
from prometheus.core.analysis import schedule_args
from prometheus.core.explain import explain
from prometheus.core.model import Plan
from prometheus.core.scheduler import Schedule
from prometheus.errors import NotFound, ValidationFailed
from prometheus.services import Context
from prometheus.services.schedule import kept_scheduled

router = APIRouter(prefix="/api/plans/{plan_id}", tags=["schedule"], responses=ERROR_RESPONSES)


@router.get(
    "/tasks/{task_id}/explain",
    response_model=Envelope[Explanation],
    summary="The chain of links, constraints, calendars and resource waits that fixes a task's start",
)
def explain_start(
    plan_id: str, task_id: str, ctx: Context = Depends(get_ctx), cache: PlanCache = Depends(get_cache)
) -> Response:
    today = ctx.today()

    def render(plan: Plan, s: Schedule) -> JSONResponse:
        task = next((t for t in plan.tasks or [] if task_id in (t.id, t.key)), None)  # an id or a key
        if task is None:
            raise NotFound(f"task {task_id} not found in plan {plan_id}", details={"task_id": task_id})
        if task.id not in s.tasks:
            raise ValidationFailed(
                f"task '{task.name}' is cancelled: it has no dates", details={"task_id": task_id}
            )
        args = schedule_args(plan, today)
        args.pop("deadline")
        result = explain(plan.tasks or [], plan.dependencies or [], s, task.id, **args)
        return ok(result, f"{len(result['steps'])} driving steps back to the {result['origin']}")

    # one day for the key, the schedule and the plan start of a plan without a start date
    return cache.answer(
        ctx.db, plan_id, ("explain", task_id, today), lambda: render(*kept_scheduled(ctx, plan_id, today))
    )
