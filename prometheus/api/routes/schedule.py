"""Computed views of a plan: critical path, timeline, summary, loading (kept per plan revision and day)."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from prometheus.api.answers.schedule import (
    Candidate,
    Costs,
    CriticalPathReport,
    Estimate,
    Leveling,
    Loading,
    PlanAnalysis,
    PlanSummary,
    Timeline,
)
from prometheus.api.cache import PlanCache
from prometheus.api.deps import get_cache, get_ctx
from prometheus.api.envelope import ERROR_RESPONSES, Envelope, ok
from prometheus.api.params import Period, Solver, TimelineFormat
from prometheus.core import analysis
from prometheus.core.critical import critical_path_report
from prometheus.core.inputs import EstimateRequest
from prometheus.core.leveling import loading
from prometheus.core.model import Plan
from prometheus.core.resources import candidates, costs
from prometheus.core.scheduler import Schedule
from prometheus.errors import NotFound
from prometheus.integrations.http import run_sync
from prometheus.integrations.rhetor import RhetorAdapter
from prometheus.services import Context, estimates
from prometheus.services.schedule import kept_scheduled, level

router = APIRouter(prefix="/api/plans/{plan_id}", tags=["schedule"], responses=ERROR_RESPONSES)


def kept_view(
    ctx: Context, cache: PlanCache, plan_id: str, key: tuple, render: Callable[[Plan, Schedule], JSONResponse]
) -> Response:
    """`render` of the scheduled plan, kept per plan revision and day (the schedule depends on today); the
    plan's revision is read once, for the answer and the kept plan."""
    today = ctx.today()  # one day for the key and the schedule, also across midnight
    revision = ctx.db.plan_revision(plan_id)
    if revision is None:
        raise NotFound(f"plan {plan_id} not found", details={"plan_id": plan_id})
    return cache.answer(
        ctx.db,
        plan_id,
        (*key, today),
        lambda: render(*kept_scheduled(ctx, plan_id, today, revision)),
        revision,
    )


@router.get(
    "/critical-path",
    response_model=Envelope[CriticalPathReport],
    summary="Critical path(s), bottlenecks, conflicts",
)
def critical_path(
    plan_id: str, ctx: Context = Depends(get_ctx), cache: PlanCache = Depends(get_cache)
) -> Response:
    def render(plan: Plan, s: Schedule) -> JSONResponse:
        report = critical_path_report(plan, s)
        paths = len(report["critical_paths"])
        return ok(report, f"{paths} critical path(s), finish {s.project_finish:%Y-%m-%d %H:%M}")

    return kept_view(ctx, cache, plan_id, ("critical-path",), render)


@router.get("/timeline", response_model=Envelope[Timeline], summary="Scheduled dates of every task")
def timeline(
    plan_id: str,
    format: TimelineFormat = TimelineFormat.default,
    include_resources: bool = False,
    ctx: Context = Depends(get_ctx),
    cache: PlanCache = Depends(get_cache),
) -> Response:
    return kept_view(
        ctx,
        cache,
        plan_id,
        ("timeline", format.value, include_resources),
        lambda plan, s: ok(analysis.timeline(plan, s, fmt=format.value, include_resources=include_resources)),
    )


@router.get(
    "/summary",
    response_model=Envelope[PlanSummary],
    summary="Breakdowns, completion, schedule and utilization",
)
def summary(plan_id: str, ctx: Context = Depends(get_ctx), cache: PlanCache = Depends(get_cache)) -> Response:
    return kept_view(ctx, cache, plan_id, ("summary",), lambda plan, s: ok(analysis.summary(plan, s)))


@router.get(
    "/costs", response_model=Envelope[Costs], summary="Work and cost per assignment, task, resource and plan"
)
def plan_costs(
    plan_id: str, ctx: Context = Depends(get_ctx), cache: PlanCache = Depends(get_cache)
) -> Response:
    def render(plan: Plan, s: Schedule) -> JSONResponse:
        result = costs(plan, s)
        return ok(result, f"{result['work_hours']:,.2f} hours of work, cost {result['cost']:,.2f}")

    return kept_view(ctx, cache, plan_id, ("costs",), render)


@router.get(
    "/tasks/{task_id}/candidates",
    response_model=Envelope[list[Candidate]],
    summary="Resources for a task by its required skills, then by load",
)
def task_candidates(
    plan_id: str, task_id: str, ctx: Context = Depends(get_ctx), cache: PlanCache = Depends(get_cache)
) -> Response:
    def render(plan: Plan, s: Schedule) -> JSONResponse:
        task = next((t for t in plan.tasks or [] if task_id in (t.id, t.key)), None)
        if task is None:
            raise NotFound(f"task {task_id} not found in plan {plan_id}", details={"task_id": task_id})
        load = {r["resource_id"]: r["utilization"] for r in analysis.resource_utilization(plan, s)}
        found = candidates(plan, task, load)
        matching = sum(c["matches"] for c in found)
        return ok(found, f"{matching} of {len(found)} resources have every skill the task requires")

    return kept_view(ctx, cache, plan_id, ("candidates", task_id), render)


@router.get(
    "/analysis", response_model=Envelope[PlanAnalysis], summary="Risks, optimizations and recommendations"
)
def plan_analysis(plan_id: str, request: Request, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    plan, s = kept_scheduled(ctx, plan_id, ctx.today())
    result = analysis.plan_analysis(plan, s)
    facts = {"plan": plan.name, "tasks": [t.name for t in plan.tasks or []][:200], "analysis": result}
    prompt = "Review this project plan analysis and say what the project manager should do next.\n"
    result["rhetor"] = run_sync(
        RhetorAdapter(settings=request.app.state.settings).enrich,
        prompt + json.dumps(facts, default=str)[:12_000],
    )
    return ok(result)


@router.post("/estimate", response_model=Envelope[Estimate], summary="Estimate a new task from finished ones")
def estimate(plan_id: str, body: EstimateRequest, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    result = estimates.estimate(ctx, plan_id, body)
    found = len(result["precedents"])
    return ok(result, f"{found} similar finished tasks" if found else "no similar finished task yet")


@router.post("/level", response_model=Envelope[Leveling], summary="Level resources (preview, or apply=true)")
def level_resources(
    plan_id: str,
    apply: bool = False,
    solver: Solver = Solver.heuristic,
    time_limit: float = Query(10.0, gt=0, le=120, description="seconds, for the cpsat solver"),
    ctx: Context = Depends(get_ctx),
) -> JSONResponse:
    result = level(ctx, plan_id, apply=apply, solver=solver.value, time_limit=time_limit)
    moved = len(result["moved"])
    return ok(result, f"{moved} tasks {'moved' if apply else 'would move'}")


@router.get("/loading", response_model=Envelope[list[Loading]], summary="Resource loading per day or week")
def resource_loading(
    plan_id: str,
    period: Period = Period.day,
    ctx: Context = Depends(get_ctx),
    cache: PlanCache = Depends(get_cache),
) -> Response:
    today = ctx.today()

    def build() -> JSONResponse:
        plan = ctx.plans.plan(ctx.db, plan_id)
        net = analysis.plan_network(plan, today)
        net.solve()
        capacity = {r.id: r.availability for r in plan.resources or []}
        rows = loading(net, plan.tasks or [], capacity, period=period.value)
        names = {r.id: r.name for r in plan.resources or []}
        for row in rows:
            row["name"] = names[row["resource_id"]]
        over = [r["name"] for r in rows if r["over_allocated"]]
        return ok(rows, f"over-allocated: {', '.join(over)}" if over else "no resource is over-allocated")

    return cache.answer(ctx.db, plan_id, ("loading", today, period.value), build)
