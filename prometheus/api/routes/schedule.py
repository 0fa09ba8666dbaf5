"""Computed views of a plan: critical path, timeline, summary, loading (kept per plan revision and day)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum

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
from prometheus.api.deps import get_cache, get_db
from prometheus.api.envelope import ERROR_RESPONSES, Envelope, ok
from prometheus.core import analysis
from prometheus.core.estimate import estimate as estimate_from_history
from prometheus.core.inputs import EstimateRequest, TaskPatch
from prometheus.core.leveling import loading
from prometheus.core.model import Plan
from prometheus.core.resources import candidates, costs
from prometheus.core.scheduler import Schedule
from prometheus.errors import NotFound
from prometheus.integrations.engram import EngramConnector
from prometheus.integrations.http import IntegrationUnavailable, run_sync
from prometheus.integrations.rhetor import RhetorAdapter
from prometheus.store import Database

router = APIRouter(prefix="/api/plans/{plan_id}", tags=["schedule"], responses=ERROR_RESPONSES)


class Solver(StrEnum):
    heuristic = "heuristic"
    cpsat = "cpsat"


class TimelineFormat(StrEnum):
    default = "default"
    gantt = "gantt"


def _today() -> date:
    return datetime.now(UTC).date()


def scheduled(db: Database, plan_id: str, today: date | None = None) -> tuple[Plan, Schedule]:
    with db.store(write=False) as store:
        plan = store.get_plan(plan_id)
    return plan, analysis.schedule_plan(plan, today or _today())  # a cycle: 409 by its handler


def kept_view(
    db: Database, cache: PlanCache, plan_id: str, key: tuple, render: Callable[[Plan, Schedule], JSONResponse]
) -> Response:
    """`render` of the scheduled plan, kept per plan revision and day (the schedule depends on today)."""
    today = _today()  # one day for the key and the schedule, also across midnight
    return cache.answer(db, plan_id, (*key, today), lambda: render(*scheduled(db, plan_id, today)))


@router.get(
    "/critical-path",
    response_model=Envelope[CriticalPathReport],
    summary="Critical path(s), bottlenecks, conflicts",
)
def critical_path(
    plan_id: str, db: Database = Depends(get_db), cache: PlanCache = Depends(get_cache)
) -> Response:
    def render(plan: Plan, s: Schedule) -> JSONResponse:
        report = analysis.critical_path_report(plan, s)
        paths = len(report["critical_paths"])
        return ok(report, f"{paths} critical path(s), finish {s.project_finish:%Y-%m-%d %H:%M}")

    return kept_view(db, cache, plan_id, ("critical-path",), render)


@router.get("/timeline", response_model=Envelope[Timeline], summary="Scheduled dates of every task")
def timeline(
    plan_id: str,
    format: TimelineFormat = TimelineFormat.default,
    include_resources: bool = False,
    db: Database = Depends(get_db),
    cache: PlanCache = Depends(get_cache),
) -> Response:
    return kept_view(
        db,
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
def summary(plan_id: str, db: Database = Depends(get_db), cache: PlanCache = Depends(get_cache)) -> Response:
    return kept_view(db, cache, plan_id, ("summary",), lambda plan, s: ok(analysis.summary(plan, s)))


@router.get(
    "/costs", response_model=Envelope[Costs], summary="Work and cost per assignment, task, resource and plan"
)
def plan_costs(
    plan_id: str, db: Database = Depends(get_db), cache: PlanCache = Depends(get_cache)
) -> Response:
    def render(plan: Plan, s: Schedule) -> JSONResponse:
        result = costs(plan, s)
        return ok(result, f"{result['work_hours']:,.2f} hours of work, cost {result['cost']:,.2f}")

    return kept_view(db, cache, plan_id, ("costs",), render)


@router.get(
    "/tasks/{task_id}/candidates",
    response_model=Envelope[list[Candidate]],
    summary="Resources for a task by its required skills, then by load",
)
def task_candidates(
    plan_id: str, task_id: str, db: Database = Depends(get_db), cache: PlanCache = Depends(get_cache)
) -> Response:
    def render(plan: Plan, s: Schedule) -> JSONResponse:
        task = next((t for t in plan.tasks or [] if task_id in (t.id, t.key)), None)
        if task is None:
            raise NotFound(f"task {task_id} not found in plan {plan_id}", details={"task_id": task_id})
        load = {r["resource_id"]: r["utilization"] for r in analysis.resource_utilization(plan, s)}
        found = candidates(plan, task, load)
        matching = sum(c["matches"] for c in found)
        return ok(found, f"{matching} of {len(found)} resources have every skill the task requires")

    return kept_view(db, cache, plan_id, ("candidates", task_id), render)


@router.get(
    "/analysis", response_model=Envelope[PlanAnalysis], summary="Risks, optimizations and recommendations"
)
def plan_analysis(plan_id: str, request: Request, db: Database = Depends(get_db)) -> JSONResponse:
    plan, s = scheduled(db, plan_id)
    result = analysis.plan_analysis(plan, s)
    facts = {"plan": plan.name, "tasks": [t.name for t in plan.tasks or []][:200], "analysis": result}
    prompt = "Review this project plan analysis and say what the project manager should do next.\n"
    result["rhetor"] = run_sync(
        RhetorAdapter(settings=request.app.state.settings).enrich,
        prompt + json.dumps(facts, default=str)[:12_000],
    )
    return ok(result)


@router.post("/estimate", response_model=Envelope[Estimate], summary="Estimate a new task from finished ones")
def estimate(
    plan_id: str, body: EstimateRequest, request: Request, db: Database = Depends(get_db)
) -> JSONResponse:
    with db.store(write=False) as store:
        store.get_plan(plan_id, include_children=False)
        history = store.completed_tasks()
    result = estimate_from_history(body, history)
    engram = EngramConnector(settings=request.app.state.settings)
    if not engram.configured:
        result["engram"] = {
            "available": False,
            "reason": "Engram is turned off (ENGRAM_URL is empty): the local database was searched",
        }
    else:
        try:
            remembered = run_sync(engram.similar_tasks, " ".join([body.name, body.description, *body.tags]))
        except IntegrationUnavailable as exc:
            result["engram"] = {"available": False, "reason": exc.message}
        else:
            known = {p["task_id"] for p in result["precedents"]}
            extra = [r | {"source": "engram"} for r in remembered if r.get("task_id") not in known]
            result["precedents"] += extra
            result["engram"] = {"available": True, "precedents": len(extra)}
    found = len(result["precedents"])
    return ok(result, f"{found} similar finished tasks" if found else "no similar finished task yet")


@router.post("/level", response_model=Envelope[Leveling], summary="Level resources (preview, or apply=true)")
def level_resources(
    plan_id: str,
    apply: bool = False,
    solver: Solver = Solver.heuristic,
    time_limit: float = Query(10.0, gt=0, le=120, description="seconds, for the cpsat solver"),
    db: Database = Depends(get_db),
) -> JSONResponse:
    with db.store(write=False) as store:
        plan = store.get_plan(plan_id)
    result = analysis.leveled(plan, datetime.now(UTC).date(), solver=solver.value, time_limit=time_limit)
    starts = result.pop("starts")
    if apply and starts:  # a leveling delay is kept as a start-no-earlier-than date, as one change
        with db.store() as store:
            for task_id, when in starts.items():
                store.update_task(
                    plan_id, task_id, TaskPatch(constraint_type="SNET", constraint_date=when), None
                )
    result["applied"] = bool(apply and starts)
    moved = len(result["moved"])
    return ok(result, f"{moved} tasks {'moved' if apply else 'would move'}")


class Period(StrEnum):
    day = "day"
    week = "week"


@router.get("/loading", response_model=Envelope[list[Loading]], summary="Resource loading per day or week")
def resource_loading(
    plan_id: str,
    period: Period = Period.day,
    db: Database = Depends(get_db),
    cache: PlanCache = Depends(get_cache),
) -> Response:
    today = _today()

    def build() -> JSONResponse:
        with db.store(write=False) as store:
            plan = store.get_plan(plan_id)
        net = analysis.plan_network(plan, today)
        net.solve()
        capacity = {r.id: r.availability for r in plan.resources or []}
        rows = loading(net, plan.tasks or [], capacity, period=period.value)
        names = {r.id: r.name for r in plan.resources or []}
        for row in rows:
            row["name"] = names[row["resource_id"]]
        over = [r["name"] for r in rows if r["over_allocated"]]
        return ok(rows, f"over-allocated: {', '.join(over)}" if over else "no resource is over-allocated")

    return cache.answer(db, plan_id, ("loading", today, period.value), build)
