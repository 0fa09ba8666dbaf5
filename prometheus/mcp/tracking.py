"""Tools that measure a plan: schedule risk, earned value, baselines and variance, estimates from history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from pydantic import BaseModel, Field

from prometheus.mcp.api import Api, seg, tool

PlanId = Annotated[str, Field(description="the plan's id")]


class Driver(BaseModel):
    task_id: str
    name: str
    correlation: float = Field(description="of the task's duration with the finish (-1..1)")
    criticality: float = Field(description="share of iterations in which the task was critical")


class Risk(BaseModel):
    iterations: int
    seed: int | None
    distribution: str
    uncertain_tasks: int = Field(description="tasks with a three-point estimate")
    deterministic_finish: str
    P10: str
    P50: str
    P80: str
    P95: str
    mean_finish: str
    std_days: float
    target_date: str | None
    probability_on_time: float | None = Field(description="chance of finishing by target_date")
    top_drivers: list[Driver] = Field(description="the tasks whose uncertainty moves the finish most")


class EarnedValue(BaseModel):
    status_date: str
    basis: str = Field(description="cost (resource rates) or hours (no rates)")
    against: str
    BAC: float
    PV: float
    EV: float
    AC: float
    SV: float
    CV: float
    SPI: float | None
    CPI: float | None
    EAC: float | None
    ETC: float | None
    VAC: float | None
    TCPI: float | None
    earned_schedule: dict[str, float | None] = Field(description="ES, AT, SV(t), SPI(t), IEAC(t) in days")


class BaselineSaved(BaseModel):
    number: int
    name: str
    saved_at: str
    project_finish: str
    total_cost: float
    tasks: int


class TaskVariance(BaseModel):
    task_id: str
    name: str
    baseline_finish: str
    finish: str
    finish_variance_days: float
    start_variance_days: float
    duration_variance_days: float
    cost_variance: float


class Variance(BaseModel):
    baseline: dict[str, Any]
    plan: dict[str, Any] = Field(description="finish and cost: baseline, now, variance")
    tasks_late: int = Field(description="tasks finishing later than in the baseline")
    most_late: list[TaskVariance] = Field(description="the tasks that slipped most")
    added_tasks: list[str]
    removed_tasks: list[str]


class Precedent(BaseModel):
    task_id: str
    name: str
    similarity: float
    estimate_days: float
    actual_days: float


class Estimate(BaseModel):
    recommended_duration_days: float | None = Field(description="the duration to use, in days")
    use: str | None = Field(description="which figure that is: calibrated, proposed or yours")
    reason: str
    proposed_duration_days: float | None = Field(description="what similar finished tasks took")
    range_days: dict[str, float] | None
    calibration_factor: float | None = Field(description="how much similar tasks overran their estimates")
    calibrated_estimate_days: float | None = Field(description="your duration times the calibration factor")
    history_size: int
    precedents: list[Precedent]


def register(server: MCPServer, api: Api) -> None:
    @tool(server, read_only=True)
    async def analyze_risk(
        ctx: Context,
        plan_id: PlanId,
        iterations: Annotated[int, Field(ge=100, le=200_000)] = 10_000,
        seed: Annotated[int | None, Field(ge=0, description="the same seed gives the same answer")] = None,
        distribution: Literal["triangular", "pert", "normal"] = "triangular",
        target_date: Annotated[datetime | None, Field(description="default: the plan's end date")] = None,
        top: Annotated[int, Field(ge=1, le=100)] = 5,
    ) -> Risk:
        """Monte Carlo schedule risk from the tasks' three-point estimates (optimistic, most likely,
        pessimistic durations): P10/P50/P80/P95 finish dates, the chance of meeting the target date, and the
        top drivers of the uncertainty."""
        body: dict[str, Any] = {"iterations": iterations, "distribution": distribution}
        if seed is not None:
            body["seed"] = seed
        if target_date is not None:
            body["target_date"] = target_date.isoformat()
        r = await api.data(ctx, "POST", f"/api/plans/{seg(plan_id)}/risk", json=body)
        fields = {k: r[k] for k in Risk.model_fields if k in r}
        return Risk(**fields, **r["percentiles"], top_drivers=r["sensitivity"][:top])

    @tool(server, read_only=True)
    async def earned_value(
        ctx: Context,
        plan_id: PlanId,
        status_date: Annotated[
            date | None, Field(description="default: the plan's status date, else today")
        ] = None,
        baseline: Annotated[
            int | None, Field(ge=0, le=10, description="default: baseline 0 when saved")
        ] = None,
    ) -> EarnedValue:
        """Earned value at a status date: BAC, PV, EV, AC, SV, CV, SPI, CPI, EAC, ETC, VAC, TCPI and earned
        schedule, against a baseline (save one first with save_baseline)."""
        d = await api.get(
            ctx, f"/api/plans/{seg(plan_id)}/earned-value", status_date=status_date, baseline=baseline
        )
        return EarnedValue.model_validate({k: d[k] for k in EarnedValue.model_fields})

    @tool(server, read_only=False)
    async def save_baseline(
        ctx: Context,
        plan_id: PlanId,
        number: Annotated[int | None, Field(ge=0, le=10, description="default: the first free one")] = None,
        name: Annotated[str | None, Field(max_length=200)] = None,
    ) -> BaselineSaved:
        """Save the current schedule (dates, durations, costs) as baseline 0..10, to measure variance and
        earned value against later. Naming a saved number replaces it."""
        body = {k: v for k, v in {"number": number, "name": name}.items() if v is not None}
        b = await api.data(ctx, "POST", f"/api/plans/{seg(plan_id)}/baselines", json=body)
        return BaselineSaved(
            **{k: b[k] for k in BaselineSaved.model_fields if k != "tasks"}, tasks=len(b["tasks"])
        )

    @tool(server, read_only=True)
    async def baseline_variance(
        ctx: Context,
        plan_id: PlanId,
        number: Annotated[int, Field(ge=0, le=10)] = 0,
        top: Annotated[int, Field(ge=1, le=1000)] = 10,
    ) -> Variance:
        """The current schedule against a baseline: the plan's finish and cost variance, and the tasks that
        slipped most (variances in working days)."""
        v = await api.get(ctx, f"/api/plans/{seg(plan_id)}/baselines/{seg(number)}/variance")
        late = sorted(
            (t for t in v["tasks"] if t["finish_variance_days"] > 0), key=lambda t: -t["finish_variance_days"]
        )
        return Variance(
            baseline=v["baseline"],
            plan=v["plan"],
            tasks_late=len(late),
            most_late=[
                TaskVariance.model_validate({k: t[k] for k in TaskVariance.model_fields}) for t in late[:top]
            ],
            added_tasks=v["added_tasks"],
            removed_tasks=v["removed_tasks"],
        )

    @tool(server, read_only=True)
    async def estimate_task(
        ctx: Context,
        plan_id: PlanId,
        name: Annotated[str, Field(min_length=1, max_length=500)],
        description: str = "",
        tags: list[str] = [],  # noqa: B006 (a schema default: pydantic copies it)
        duration: Annotated[float | None, Field(gt=0, description="your own estimate, in days")] = None,
    ) -> Estimate:
        """Estimate a new task from similar finished tasks of all plans: the duration to use and why, what
        those tasks took (with its range), how much they overran their estimates, and the precedents."""
        body: dict[str, Any] = {"name": name, "description": description, "tags": tags}
        if duration is not None:
            body["duration"] = duration
        e = await api.data(ctx, "POST", f"/api/plans/{seg(plan_id)}/estimate", json=body)
        fields = {k: e[k] for k in Estimate.model_fields if k != "precedents"}
        precedents = [
            Precedent.model_validate({k: p[k] for k in Precedent.model_fields}) for p in e["precedents"]
        ]
        return Estimate(**fields, precedents=precedents[:10])
