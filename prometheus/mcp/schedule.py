"""Tools on a plan's schedule: dates, the critical path, why a task starts when it does, resource leveling."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from pydantic import BaseModel, Field

from prometheus.mcp.api import Api, seg, tool

PlanId = Annotated[str, Field(description="the plan's id")]


class ScheduledRow(BaseModel):
    task_id: str
    name: str
    start: str
    finish: str
    duration_days: float
    total_slack_days: float
    critical: bool
    percent_complete: float
    summary: bool
    milestone: bool


class Conflict(BaseModel):
    task_id: str | None
    kind: str
    message: str


class ScheduleView(BaseModel):
    project_start: str
    project_finish: str
    tasks_total: int = Field(description="tasks matching, over all pages")
    tasks: list[ScheduledRow]
    conflicts: list[Conflict]


class PathTask(BaseModel):
    task_id: str
    name: str
    start: str
    finish: str
    duration_days: float


class Step(BaseModel):
    task_id: str
    name: str
    start: str
    finish: str
    driver: dict[str, Any] = Field(
        description="kind: link | summary | constraint | resource_wait | actual_start | status_date | "
        "project_start | as_late_as_possible, and what it names"
    )
    calendar: dict[str, Any] | None = Field(None, description="non-working time that moved the start")
    next_task_id: str | None
    text: str


class Explanation(BaseModel):
    task_id: str
    name: str
    start: str
    finish: str
    critical: bool
    total_slack_days: float
    origin: str = Field(description="what the chain starts from (the last step's driver)")
    text: str
    steps_total: int
    steps: list[Step] = Field(
        description="from the task back to its origin, each driven by the next (a long chain: its first "
        "steps and the last)"
    )


class CriticalPath(BaseModel):
    project_start: str
    project_finish: str
    deadline: str | None
    critical_path: list[PathTask] = Field(description="the longest chain of critical tasks, in order")
    critical_paths: int = Field(description="how many critical chains there are")
    bottlenecks: list[dict[str, Any]]
    conflicts: list[Conflict]
    driving_chain: Explanation | None = Field(None, description="why task_id starts when it does")


class Move(BaseModel):
    task_id: str
    name: str
    delay_days: float
    start_before: str
    start_after: str


class Leveling(BaseModel):
    applied: bool
    solver: str
    project_finish_before: str
    project_finish_after: str
    moved: list[Move]
    over_allocations_before: int
    over_allocations_after: int
    over_allocated_after: list[dict[str, Any]] = Field(description="what is left, first 20")
    impossible: list[dict[str, Any]] = Field(description="assignments above a resource's whole capacity")


def _explanation(e: dict, max_steps: int) -> Explanation:
    """The API's explanation; a chain longer than `max_steps` keeps its first steps and its origin."""
    steps = e["steps"] if len(e["steps"]) <= max_steps else e["steps"][: max_steps - 1] + e["steps"][-1:]
    text = e["text"]
    if len(steps) < len(e["steps"]):
        text = " <- ".join(s["text"] for s in steps[:-1]) + " <- ... <- " + steps[-1]["text"]
    return Explanation(
        **{k: e[k] for k in ("task_id", "name", "start", "finish", "critical", "total_slack_days", "origin")},
        text=text,
        steps_total=len(e["steps"]),
        steps=[Step.model_validate({k: s.get(k) for k in Step.model_fields}) for s in steps],
    )


MaxSteps = Annotated[int, Field(ge=2, le=10_000, description="steps of the chain to list")]


def register(server: MCPServer, api: Api) -> None:
    @tool(server, read_only=True)
    async def get_schedule(
        ctx: Context,
        plan_id: PlanId,
        critical_only: bool = False,
        limit: Annotated[int, Field(ge=1, le=10_000)] = 200,
        offset: Annotated[int, Field(ge=0)] = 0,
    ) -> ScheduleView:
        """Schedule a plan: each task's start, finish, duration and slack in working days, in outline order;
        the project's start and finish; scheduling conflicts (constraints over links, missed deadlines)."""
        t = await api.get(ctx, f"/api/plans/{seg(plan_id)}/timeline")
        rows = [r for r in t["tasks"] if r["critical"] or not critical_only]
        return ScheduleView(
            project_start=t["project_start"],
            project_finish=t["project_finish"],
            tasks_total=len(rows),
            tasks=[ScheduledRow.model_validate(r) for r in rows[offset : offset + limit]],
            conflicts=t["conflicts"],
        )

    @tool(server, read_only=True)
    async def critical_path(
        ctx: Context,
        plan_id: PlanId,
        task_id: Annotated[str | None, Field(description="also explain this task's date")] = None,
        max_steps: MaxSteps = 30,
    ) -> CriticalPath:
        """The critical path (the chain of tasks that fixes the finish), bottlenecks and conflicts; with
        task_id, also the driving chain of that task: why it finishes on its date."""
        cp = await api.get(ctx, f"/api/plans/{seg(plan_id)}/critical-path")
        explain = f"/api/plans/{seg(plan_id)}/tasks/{seg(task_id)}/explain" if task_id else None
        chain = await api.get(ctx, explain) if explain else None
        return critical(cp, chain, max_steps)

    @tool(server, read_only=True)
    async def explain_date(
        ctx: Context, plan_id: PlanId, task_id: str, max_steps: MaxSteps = 30
    ) -> Explanation:
        """Why a task starts when it does: from the task back through its driving predecessors, each step
        naming what fixes it (a link with its type and lag, a link into a summary, a constraint, a leveling
        wait on a resource, an actual start, the status date, the plan start) and any weekend or holiday
        that pushed it."""
        explain = await api.get(ctx, f"/api/plans/{seg(plan_id)}/tasks/{seg(task_id)}/explain")
        return _explanation(explain, max_steps)

    @tool(server, read_only=False)
    async def level_resources(
        ctx: Context,
        plan_id: PlanId,
        apply: Annotated[bool, Field(description="false: preview only; true: keep the delays")] = False,
        solver: Annotated[
            Literal["heuristic", "cpsat"], Field(description="cpsat searches longer for a shorter plan")
        ] = "heuristic",
        time_limit: Annotated[float, Field(gt=0, le=120, description="seconds, for cpsat")] = 10.0,
    ) -> Leveling:
        """Level over-allocated resources by delaying tasks: which tasks move and by how much, the finish
        before and after, over-allocations before and after. With apply, each delay is kept as a
        start-no-earlier-than date."""
        params = {"apply": str(apply).lower(), "solver": solver, "time_limit": time_limit}
        return leveling(await api.data(ctx, "POST", f"/api/plans/{seg(plan_id)}/level", params=params))


def leveling(d: dict) -> Leveling:
    """The API's leveling answer, compact."""
    return Leveling(
        applied=d["applied"],
        solver=d["solver"],
        project_finish_before=d["project_finish_before"],
        project_finish_after=d["project_finish_after"],
        moved=d["moved"],
        over_allocations_before=len(d["over_allocations_before"]),
        over_allocations_after=len(d["over_allocations_after"]),
        over_allocated_after=d["over_allocations_after"][:20],
        impossible=d["impossible"],
    )


def critical(cp: dict, chain: dict | None = None, max_steps: int = 30) -> CriticalPath:
    """The API's critical-path answer, compact."""
    return CriticalPath(
        project_start=cp["project_start"],
        project_finish=cp["project_finish"],
        deadline=cp["deadline"],
        critical_path=cp["critical_path"],
        critical_paths=len(cp["critical_paths"]),
        bottlenecks=cp["bottlenecks"][:5],
        conflicts=cp["conflicts"],
        driving_chain=_explanation(chain, max_steps) if chain else None,
    )
