"""A scenario's schedule: its tasks, timeline, critical path, costs, leveling, and its compare with the plan
(kept per plan revision, scenario version and day, like the plan's own views)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from prometheus.api.answers.scenarios import Comparison
from prometheus.api.answers.schedule import Costs, CriticalPathReport, Leveling, Timeline
from prometheus.api.cache import PlanCache
from prometheus.api.deps import get_cache, get_ctx, get_db
from prometheus.api.envelope import ERROR_RESPONSES, Envelope, ok
from prometheus.api.params import Solver, TimelineFormat
from prometheus.core import analysis
from prometheus.core import scenario as sc
from prometheus.core.compare import compare, side
from prometheus.core.critical import critical_path_report
from prometheus.core.model import Dependency, Plan, Resource, Task
from prometheus.core.resources import costs
from prometheus.services import Context, scenarios
from prometheus.services.context import utc_today
from prometheus.store import Database

router = APIRouter(
    prefix="/api/plans/{plan_id}/scenarios/{scenario_id}", tags=["scenarios"], responses=ERROR_RESPONSES
)


def views(db: Database, cache: PlanCache, plan_id: str, scenario_id: str) -> tuple[Plan, Plan]:
    """The base plan (as kept) and the plan as the scenario sees it."""
    with db.store(write=False) as store:
        scenario = store.get_scenario(plan_id, scenario_id)
    base = cache.plans.plan(db, plan_id)
    return base, sc.overlay(base, scenario.changes)


def kept(
    db: Database,
    cache: PlanCache,
    plan_id: str,
    scenario_id: str,
    key: tuple,
    render: Callable[[Plan, Plan, date], JSONResponse],
) -> Response:
    """`render(base, view, today)`, kept per plan revision, scenario version and day."""
    today = utc_today()
    with db.store(write=False) as store:
        version = store.get_scenario(plan_id, scenario_id).version
    build = lambda: render(*views(db, cache, plan_id, scenario_id), today)  # noqa: E731
    return cache.answer(db, plan_id, ("scenario", scenario_id, version, *key, today), build)


@router.get("/tasks", response_model=Envelope[list[Task]], summary="The scenario's tasks")
def scenario_tasks(
    plan_id: str, scenario_id: str, db: Database = Depends(get_db), cache: PlanCache = Depends(get_cache)
) -> JSONResponse:
    tasks = views(db, cache, plan_id, scenario_id)[1].tasks or []
    return ok(tasks, f"{len(tasks)} tasks")


@router.get("/resources", response_model=Envelope[list[Resource]], summary="The scenario's resources")
def scenario_resources(
    plan_id: str, scenario_id: str, db: Database = Depends(get_db), cache: PlanCache = Depends(get_cache)
) -> JSONResponse:
    resources = views(db, cache, plan_id, scenario_id)[1].resources or []
    return ok(resources, f"{len(resources)} resources")


@router.get("/dependencies", response_model=Envelope[list[Dependency]], summary="The scenario's links")
def scenario_links(
    plan_id: str, scenario_id: str, db: Database = Depends(get_db), cache: PlanCache = Depends(get_cache)
) -> JSONResponse:
    links = views(db, cache, plan_id, scenario_id)[1].dependencies or []
    return ok(links, f"{len(links)} links")


@router.get("/timeline", response_model=Envelope[Timeline], summary="Scheduled dates of the scenario's tasks")
def scenario_timeline(
    plan_id: str,
    scenario_id: str,
    format: TimelineFormat = TimelineFormat.default,
    include_resources: bool = False,
    db: Database = Depends(get_db),
    cache: PlanCache = Depends(get_cache),
) -> Response:
    def render(_base: Plan, view: Plan, today: date) -> JSONResponse:
        s = analysis.schedule_plan(view, today)
        return ok(analysis.timeline(view, s, fmt=format.value, include_resources=include_resources))

    return kept(db, cache, plan_id, scenario_id, ("timeline", format.value, include_resources), render)


@router.get(
    "/critical-path", response_model=Envelope[CriticalPathReport], summary="The scenario's critical path"
)
def scenario_critical_path(
    plan_id: str, scenario_id: str, db: Database = Depends(get_db), cache: PlanCache = Depends(get_cache)
) -> Response:
    def render(_base: Plan, view: Plan, today: date) -> JSONResponse:
        s = analysis.schedule_plan(view, today)
        report = critical_path_report(view, s)
        return ok(
            report,
            f"{len(report['critical_paths'])} critical path(s), finish {s.project_finish:%Y-%m-%d %H:%M}",
        )

    return kept(db, cache, plan_id, scenario_id, ("critical-path",), render)


@router.get("/costs", response_model=Envelope[Costs], summary="Work and cost of the scenario")
def scenario_costs(
    plan_id: str, scenario_id: str, db: Database = Depends(get_db), cache: PlanCache = Depends(get_cache)
) -> Response:
    def render(_base: Plan, view: Plan, today: date) -> JSONResponse:
        result = costs(view, analysis.schedule_plan(view, today))
        return ok(result, f"{result['work_hours']:,.2f} hours of work, cost {result['cost']:,.2f}")

    return kept(db, cache, plan_id, scenario_id, ("costs",), render)


@router.get(
    "/compare",
    response_model=Envelope[Comparison],
    summary="The scenario against its plan: finish, cost, critical path, the tasks whose dates moved",
)
def scenario_compare(
    plan_id: str,
    scenario_id: str,
    limit: int = Query(100, ge=0, le=100_000, description="at most this many moved tasks, biggest first"),
    db: Database = Depends(get_db),
    cache: PlanCache = Depends(get_cache),
) -> Response:
    def render(base: Plan, view: Plan, today: date) -> JSONResponse:
        base_s = cache.plans.schedule(base, today)
        base_side = cache.plans.derived(base, (today, "side"), lambda: side(base, base_s))
        scen_s = analysis.schedule_plan(view, today)
        result = compare(base, base_s, view, scen_s, limit=limit, base_side=base_side)
        d = result["difference"]
        return ok(
            result,
            f"finish {d['finish_shift_hours']:+g} h, cost {d['cost']:+,.2f}, {d['tasks_moved']} tasks moved",
        )

    return kept(db, cache, plan_id, scenario_id, ("compare", limit), render)


@router.post(
    "/level",
    response_model=Envelope[Leveling],
    summary="Level the scenario's resources (apply=true keeps it)",
)
def scenario_level(
    plan_id: str,
    scenario_id: str,
    apply: bool = False,
    solver: Solver = Solver.heuristic,
    time_limit: float = Query(10.0, gt=0, le=120, description="seconds, for the cpsat solver"),
    ctx: Context = Depends(get_ctx),
) -> JSONResponse:
    result = scenarios.level_scenario(
        ctx, plan_id, scenario_id, apply=apply, solver=solver.value, time_limit=time_limit
    )
    moved = len(result["moved"])
    return ok(result, f"{moved} tasks {'moved' if apply else 'would move'} in the scenario")
