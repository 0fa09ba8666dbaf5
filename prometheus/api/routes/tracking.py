"""Baselines, variance, earned value and Monte Carlo risk."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from pydantic import Field

from prometheus.api.answers.tracking import BaselineDeleted, EarnedValue, Risk, Variance
from prometheus.api.deps import get_ctx, get_db
from prometheus.api.envelope import ERROR_RESPONSES, Envelope, ok
from prometheus.api.params import QueryDate
from prometheus.core import evm
from prometheus.core.analysis import plan_network
from prometheus.core.inputs import BaselineCreate, Input
from prometheus.core.model import Baseline, WallTime
from prometheus.core.risk import Distribution, monte_carlo
from prometheus.errors import ValidationFailed
from prometheus.services import Context, scenarios
from prometheus.services.schedule import kept_scheduled
from prometheus.store import Database

router = APIRouter(prefix="/api/plans/{plan_id}", tags=["tracking"], responses=ERROR_RESPONSES)
BaselineNumber = Annotated[int, Path(ge=0, le=10, description="baseline 0..10")]


@router.post(
    "/baselines", status_code=201, response_model=Envelope[Baseline], summary="Save a baseline (0..10)"
)
def save_baseline(
    plan_id: str, body: BaselineCreate | None = None, ctx: Context = Depends(get_ctx)
) -> JSONResponse:
    baseline = scenarios.save_baseline(ctx, plan_id, body or BaselineCreate())
    return ok(baseline, f"saved as baseline {baseline.number}", status_code=201)


@router.get("/baselines", response_model=Envelope[list[Baseline]], summary="The plan's baselines")
def list_baselines(plan_id: str, db: Database = Depends(get_db)) -> JSONResponse:
    with db.store(write=False) as store:
        baselines = store.list_baselines(plan_id)
    return ok(baselines, f"{len(baselines)} baselines")


@router.get("/baselines/{number}", response_model=Envelope[Baseline], summary="One baseline")
def get_baseline(plan_id: str, number: BaselineNumber, db: Database = Depends(get_db)) -> JSONResponse:
    with db.store(write=False) as store:
        return ok(store.get_baseline(plan_id, number))


@router.delete("/baselines/{number}", response_model=Envelope[BaselineDeleted], summary="Delete a baseline")
def delete_baseline(plan_id: str, number: BaselineNumber, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    scenarios.delete_baseline(ctx, plan_id, number)
    return ok({"number": number}, "baseline deleted")


@router.get(
    "/baselines/{number}/variance", response_model=Envelope[Variance], summary="Current schedule vs baseline"
)
def baseline_variance(plan_id: str, number: BaselineNumber, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    plan, s = kept_scheduled(ctx, plan_id, ctx.today())
    with ctx.db.store(write=False) as store:
        baseline = store.get_baseline(plan_id, number)
    return ok(evm.variance(plan, s, baseline))


@router.get("/earned-value", response_model=Envelope[EarnedValue], summary="Earned value and earned schedule")
def earned_value(
    plan_id: str,
    status_date: QueryDate | None = Query(
        None,
        description="PV, EV and AC as of the end of this day (default: the plan's status date, else today); "
        "earlier than the plan's status date, progress and actual costs are taken back along each task's "
        "actual span",
    ),
    baseline: int | None = Query(None, ge=0, le=10, description="default: baseline 0 when saved"),
    ctx: Context = Depends(get_ctx),
) -> JSONResponse:
    plan, s = kept_scheduled(ctx, plan_id, ctx.today())
    with ctx.db.store(write=False) as store:
        saved = {b.number: b for b in store.list_baselines(plan_id)}
    if baseline is not None and baseline not in saved:
        raise ValidationFailed(f"plan {plan_id} has no baseline {baseline}")
    reference = saved.get(0 if baseline is None else baseline)
    now = ctx.clock().replace(tzinfo=None)
    reported = plan.status_date or now  # what the recorded progress and costs describe
    return ok(evm.earned_value(plan, s, reference, status_date or plan.status_date or now.date(), reported))


class RiskRequest(Input):
    iterations: int = Field(10_000, ge=100, le=200_000)
    seed: int | None = Field(None, ge=0, le=2**63 - 1)
    distribution: Distribution = Distribution.triangular
    target_date: WallTime | None = Field(None, description="default: the plan's end date (its deadline)")


@router.post("/risk", response_model=Envelope[Risk], summary="Monte Carlo schedule risk analysis")
def risk(plan_id: str, body: RiskRequest | None = None, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    body = body or RiskRequest()
    plan = ctx.plans.plan(ctx.db, plan_id)
    net = plan_network(plan, ctx.today(), ctx.plans.table(plan))
    net.solve()
    target = body.target_date
    if target is None and plan.end_date is not None:
        target = datetime.combine(plan.end_date, datetime.max.time().replace(microsecond=0))
    r = monte_carlo(
        net, iterations=body.iterations, seed=body.seed, distribution=body.distribution, target=target
    )
    uncertain = len(r.sensitivity)
    result = {
        "plan_id": plan.id,
        "iterations": r.iterations,
        "seed": r.seed,
        "distribution": r.distribution,
        "uncertain_tasks": uncertain,
        "deterministic_finish": r.deterministic_finish,
        "percentiles": r.percentiles,
        "mean_finish": r.mean_finish,
        "std_days": r.std_days,
        "target_date": r.target,
        "probability_on_time": r.probability_on_time,
        "criticality": r.criticality,
        "sensitivity": r.sensitivity,
    }
    note = "" if uncertain else "no task has a three-point estimate: every iteration gives the same finish"
    return ok(result, note or f"{r.iterations} iterations")
