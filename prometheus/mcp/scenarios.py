"""Tools on what-if scenarios: open one on a plan (nothing is copied), change it in bulk, level it, read its
critical path, compare it with the plan, then promote it into the plan or discard it."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from pydantic import BaseModel, Field

from prometheus.core.inputs import ResourceCreate
from prometheus.mcp.api import Api, seg, tool
from prometheus.mcp.schedule import CriticalPath, Leveling, critical, leveling
from prometheus.mcp.tasks import BulkResult, ItemResult, NewLink, NewTask, TaskChange, _body, _each

PlanId = Annotated[str, Field(description="the plan's id")]
ScenarioId = Annotated[str, Field(description="the scenario's id (from open_scenario)")]


class ScenarioInfo(BaseModel):
    scenario_id: str
    name: str
    description: str
    base_revision: str = Field(description="the plan's revision when it was opened (promote can require it)")
    change_count: int
    version: int


def _info(s: dict) -> ScenarioInfo:
    return ScenarioInfo(
        scenario_id=s["id"], **{k: s[k] for k in ScenarioInfo.model_fields if k != "scenario_id"}
    )


class ScenarioList(BaseModel):
    scenarios: list[ScenarioInfo]


class ScenarioChanged(BulkResult):
    change_count: int = Field(description="changes the scenario now holds over its plan")


class Side(BaseModel):
    project_start: str
    project_finish: str
    duration_days: float
    cost: float
    critical_path: list[str] = Field(description="task ids of the main critical chain")
    tasks: int


class Comparison(BaseModel):
    plan: Side
    scenario: Side
    difference: dict[str, Any] = Field(
        description="finish_shift_hours, duration_days (working), cost, critical_added/removed, tasks moved"
    )
    tasks_moved: list[dict[str, Any]] = Field(
        description="tasks whose dates differ, biggest finish shift first"
    )
    tasks_truncated: bool


class Promotion(BaseModel):
    promoted: bool
    changes: int
    new_ids: dict[str, str] = Field(description="ids the scenario gave -> ids in the plan")


def register(server: MCPServer, api: Api) -> None:
    def base(plan_id: str, scenario_id: str = "") -> str:
        return f"/api/plans/{seg(plan_id)}/scenarios" + (f"/{seg(scenario_id)}" if scenario_id else "")

    @tool(server, read_only=False)
    async def open_scenario(ctx: Context, plan_id: PlanId, name: str, description: str = "") -> ScenarioInfo:
        """Open a what-if scenario of a plan: a copy-on-write view that keeps only its own changes (cheap on
        any plan). Change it with change_scenario, compare it with compare_scenario, then promote_scenario or
        discard_scenario."""
        body = {"name": name, "description": description}
        return _info(await api.data(ctx, "POST", base(plan_id), json=body))

    @tool(server, read_only=True)
    async def list_scenarios(ctx: Context, plan_id: PlanId) -> ScenarioList:
        """A plan's open scenarios, with how many changes each holds."""
        return ScenarioList(scenarios=[_info(s) for s in await api.get(ctx, base(plan_id))])

    @tool(server, read_only=False)
    async def change_scenario(
        ctx: Context,
        plan_id: PlanId,
        scenario_id: ScenarioId,
        add_resources: Annotated[list[ResourceCreate], Field(max_length=1000)] = [],  # noqa: B006
        remove_resources: Annotated[
            list[str], Field(max_length=1000, description="resource ids or names; their assignments go too")
        ] = [],  # noqa: B006
        add_tasks: Annotated[list[NewTask], Field(max_length=1000)] = [],  # noqa: B006
        update_tasks: Annotated[list[TaskChange], Field(max_length=1000)] = [],  # noqa: B006
        add_links: Annotated[list[NewLink], Field(max_length=5000)] = [],  # noqa: B006
        remove_links: Annotated[list[str], Field(max_length=5000, description="dependency ids")] = [],  # noqa: B006
        remove_tasks: Annotated[list[str], Field(max_length=1000)] = [],  # noqa: B006
    ) -> ScenarioChanged:
        """Change a scenario, never the plan: in this order, add and remove resources, add tasks (a `key`
        names a new task for links in the same call), change tasks (duration, constraint, dates,
        assigned_resources...), add and remove links, remove tasks. One result per item, in that order."""
        ids: dict[str, str] = {}
        url = base(plan_id, scenario_id)
        last: dict[str, Any] = {}

        async def send(
            i: int, method: str, path: str, body: Any = None, key: str | None = None
        ) -> ItemResult:
            made = await api.data(ctx, method, url + path, json=body)
            last.update(made["scenario"])
            if key:
                ids[key] = made["id"]
            return ItemResult(index=i, ok=True, id=made["id"], key=key)

        steps: list[tuple[list, Any]] = [
            (add_resources, lambda i, r: send(i, "POST", "/resources", _body(r))),
            (remove_resources, lambda i, r: send(i, "DELETE", f"/resources/{seg(r)}")),
            (add_tasks, lambda i, t: send(i, "POST", "/tasks", _body(t, "key"), t.key)),
            (update_tasks, lambda i, c: send(
                i, "PATCH", f"/tasks/{seg(ids.get(c.task_id, c.task_id))}", _body(c, "task_id"))),
            (add_links, lambda i, d: send(i, "POST", "/dependencies", _body(d) | {
                "predecessor_id": ids.get(d.predecessor_id, d.predecessor_id),
                "successor_id": ids.get(d.successor_id, d.successor_id)})),
            (remove_links, lambda i, lid: send(i, "DELETE", f"/dependencies/{seg(lid)}")),
            (remove_tasks, lambda i, t: send(i, "DELETE", f"/tasks/{seg(ids.get(t, t))}")),
        ]  # fmt: skip
        out = ScenarioChanged(done=0, failed=0, items=[], change_count=0)
        for items, act in steps:
            result = await _each(items, act)
            out.items += [r.model_copy(update={"index": len(out.items) + r.index}) for r in result.items]
            out.done += result.done
            out.failed += result.failed
        out.change_count = last.get("change_count") or (await api.get(ctx, url))["change_count"]
        return out

    @tool(server, read_only=False)
    async def level_scenario(
        ctx: Context,
        plan_id: PlanId,
        scenario_id: ScenarioId,
        apply: Annotated[
            bool, Field(description="false: preview; true: keep the delays in the scenario")
        ] = False,
    ) -> Leveling:
        """Level the scenario's over-allocated resources (as level_resources does for a plan); with apply,
        each delay is kept in the scenario, not in the plan."""
        params = {"apply": str(apply).lower()}
        return leveling(await api.data(ctx, "POST", base(plan_id, scenario_id) + "/level", params=params))

    @tool(server, read_only=True)
    async def scenario_critical_path(ctx: Context, plan_id: PlanId, scenario_id: ScenarioId) -> CriticalPath:
        """The scenario's critical path, finish, bottlenecks and conflicts (as critical_path for a plan)."""
        return critical(await api.get(ctx, base(plan_id, scenario_id) + "/critical-path"))

    @tool(server, read_only=True)
    async def compare_scenario(
        ctx: Context,
        plan_id: PlanId,
        scenario_id: ScenarioId,
        limit: Annotated[int, Field(ge=0, le=10_000, description="moved tasks to list")] = 50,
    ) -> Comparison:
        """The scenario against its plan: finish, working days, cost and critical path of each, their
        difference, and the tasks whose dates moved (added and removed tasks too)."""
        d = await api.get(ctx, base(plan_id, scenario_id) + "/compare", limit=limit)

        def side(x: dict) -> Side:
            return Side.model_validate({k: x[k] for k in Side.model_fields})

        return Comparison(
            plan=side(d["base"]),
            scenario=side(d["scenario"]),
            difference=d["difference"],
            tasks_moved=d["tasks"],
            tasks_truncated=d["tasks_truncated"],
        )

    @tool(server, read_only=False, destructive=True)
    async def promote_scenario(
        ctx: Context,
        plan_id: PlanId,
        scenario_id: ScenarioId,
        base_revision: Annotated[
            str | None, Field(description="refuse unless the plan is still at this revision")
        ] = None,
    ) -> Promotion:
        """Apply the scenario's changes to the plan in one transaction and close the scenario. Refused
        (RESOURCE_CONFLICT, nothing applied) when the plan changed meanwhile in something the scenario
        changes."""
        params = {"base_revision": base_revision} if base_revision else {}
        d = await api.data(ctx, "POST", base(plan_id, scenario_id) + "/promote", params=params)
        return Promotion(promoted=True, changes=d["changes"], new_ids=d["new_ids"])

    @tool(server, read_only=False, destructive=True, idempotent=True)
    async def discard_scenario(ctx: Context, plan_id: PlanId, scenario_id: ScenarioId) -> ScenarioList:
        """Throw a scenario away (the plan is untouched); the scenarios left."""
        await api.data(ctx, "DELETE", base(plan_id, scenario_id))
        return ScenarioList(scenarios=[_info(s) for s in await api.get(ctx, base(plan_id))])
