"""Use cases of schedules: a plan scheduled as kept per revision, leveling applied."""

from __future__ import annotations

from datetime import date
from typing import Any

from prometheus.core import analysis
from prometheus.core.inputs import TaskPatch
from prometheus.core.model import Plan
from prometheus.core.scheduler import Schedule
from prometheus.services.context import Context


def kept_scheduled(
    ctx: Context, plan_id: str, today: date, revision: str | None = None
) -> tuple[Plan, Schedule]:
    """The plan at its current revision (`revision` if the caller just read it) and its schedule for
    `today`, both kept (shared: read only)."""
    plan = ctx.plans.plan(ctx.db, plan_id, revision)
    return plan, ctx.plans.schedule(plan, today)


def level(ctx: Context, plan_id: str, *, apply: bool, solver: str, time_limit: float) -> dict[str, Any]:
    """Resource leveling of the plan; with `apply`, each delay is kept as a start-no-earlier-than date, all in
    one transaction."""
    plan = ctx.plans.plan(ctx.db, plan_id)
    table = ctx.plans.table(plan)
    result = analysis.leveled(plan, ctx.today(), solver=solver, time_limit=time_limit, table=table)
    starts = result.pop("starts")
    if apply and starts:
        with ctx.db.store() as store:
            for task_id, when in starts.items():
                store.update_task(
                    plan_id, task_id, TaskPatch(constraint_type="SNET", constraint_date=when), None
                )
        ctx.plans.drop(plan_id)
    result["applied"] = bool(apply and starts)
    return result
