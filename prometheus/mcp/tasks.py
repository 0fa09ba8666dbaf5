"""Tools that change a plan's tasks, links, resources and progress, many at a time.

Each item goes through the REST API's single-item route, one after the other, and gets its own result: an
item that fails (with the API's error) does not stop the others, and nothing is rolled back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from pydantic import BaseModel, ConfigDict, Field, model_validator

from prometheus.core.inputs import DependencyCreate, ProgressUpdate, ResourceCreate, TaskCreate, TaskPatch
from prometheus.mcp.api import Api, ApiError, seg, tool

PlanId = Annotated[str, Field(description="the plan's id")]


class ItemResult(BaseModel):
    index: int = Field(description="the item's place in the request, from 0")
    ok: bool
    id: str | None = Field(None, description="the task, link or resource id")
    key: str | None = Field(None, description="your key for a new task")
    version: int | None = None
    error_code: str | None = None
    message: str | None = None


class BulkResult(BaseModel):
    done: int
    failed: int
    items: list[ItemResult]


class NewTask(TaskCreate):
    key: str | None = Field(
        None,
        max_length=200,
        description="a name for this task within the call: links and parent_id may use it",
    )


class NewLink(DependencyCreate):
    """A link; predecessor_id and successor_id are task ids or keys of tasks added in the same call."""


class TaskChange(TaskPatch):
    task_id: str = Field(description="the task to change; only the fields given change")


class ProgressReport(ProgressUpdate):
    task_id: str


class LinkRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dependency_id: str | None = None
    predecessor_id: str | None = None
    successor_id: str | None = None

    @model_validator(mode="after")
    def _one_way(self) -> LinkRef:
        if not self.dependency_id and not (self.predecessor_id and self.successor_id):
            raise ValueError("give dependency_id, or predecessor_id and successor_id")
        return self


async def _each(items: list[Any], act: Callable[[int, Any], Awaitable[ItemResult]]) -> BulkResult:
    out = []
    for i, item in enumerate(items):
        try:
            out.append(await act(i, item))
        except ApiError as exc:
            out.append(ItemResult(index=i, ok=False, error_code=exc.envelope["error_code"], message=str(exc)))
    done = sum(r.ok for r in out)
    return BulkResult(done=done, failed=len(out) - done, items=out)


def _body(model: BaseModel, *drop: str) -> dict:
    return model.model_dump(mode="json", exclude_unset=True, exclude=set(drop))


def register(server: MCPServer, api: Api) -> None:
    @tool(server, read_only=False)
    async def add_tasks(
        ctx: Context,
        plan_id: PlanId,
        tasks: Annotated[list[NewTask], Field(max_length=1000)],
        links: Annotated[list[NewLink], Field(max_length=5000, description="added after the tasks")] = [],  # noqa: B006
    ) -> BulkResult:
        """Add tasks (and links between them or to existing tasks) to a plan. Give a task a `key` to refer
        to it from `links` or from another new task's `parent_id` in the same call. One result per task,
        then one per link."""
        ids: dict[str, str] = {}

        async def add(i: int, t: NewTask) -> ItemResult:
            body = _body(t, "key")
            if t.parent_id in ids:
                body["parent_id"] = ids[t.parent_id]
            made = await api.data(ctx, "POST", f"/api/plans/{seg(plan_id)}/tasks", json=body)
            if t.key:
                ids[t.key] = made["id"]
            return ItemResult(index=i, ok=True, id=made["id"], key=t.key, version=made["version"])

        result = await _each(tasks, add)
        linked = await _each(links, lambda i, d: _link(ctx, api, plan_id, i, d, ids))
        result.items += [r.model_copy(update={"index": len(tasks) + r.index}) for r in linked.items]
        result.done += linked.done
        result.failed += linked.failed
        return result

    @tool(server, read_only=False, idempotent=True)
    async def update_tasks(
        ctx: Context, plan_id: PlanId, changes: Annotated[list[TaskChange], Field(max_length=1000)]
    ) -> BulkResult:
        """Change tasks: only the fields given change (name, duration, constraint, assigned_resources,
        parent_id, ...). Give `version` to refuse the change when the task changed meanwhile."""

        async def change(i: int, c: TaskChange) -> ItemResult:
            made = await api.data(
                ctx, "PATCH", f"/api/plans/{seg(plan_id)}/tasks/{seg(c.task_id)}", json=_body(c, "task_id")
            )
            return ItemResult(index=i, ok=True, id=made["id"], version=made["version"])

        return await _each(changes, change)

    @tool(server, read_only=False, destructive=True, idempotent=True)
    async def remove_tasks(
        ctx: Context, plan_id: PlanId, task_ids: Annotated[list[str], Field(max_length=1000)]
    ) -> BulkResult:
        """Delete tasks; a summary task takes its subtasks and every link of them along."""

        async def remove(i: int, tid: str) -> ItemResult:
            await api.data(ctx, "DELETE", f"/api/plans/{seg(plan_id)}/tasks/{seg(tid)}")
            return ItemResult(index=i, ok=True, id=tid)

        return await _each(task_ids, remove)

    @tool(server, read_only=False)
    async def add_links(
        ctx: Context, plan_id: PlanId, links: Annotated[list[DependencyCreate], Field(max_length=5000)]
    ) -> BulkResult:
        """Link tasks: FS (finish-to-start, the default), SS, FF, SF, with a lag in working hours, days or
        weeks, or elapsed ehours, edays, eweeks (negative: a lead). A link closing a cycle is refused."""
        return await _each(links, lambda i, d: _link(ctx, api, plan_id, i, d, {}))

    @tool(server, read_only=False, destructive=True, idempotent=True)
    async def remove_links(
        ctx: Context, plan_id: PlanId, links: Annotated[list[LinkRef], Field(max_length=5000)]
    ) -> BulkResult:
        """Remove links, each by dependency_id or by its predecessor_id and successor_id. To change a link's
        type or lag, remove it and add it again."""

        async def remove(i: int, ref: LinkRef) -> ItemResult:
            params = {k: v for k, v in ref.model_dump().items() if v}
            gone = await api.data(ctx, "DELETE", f"/api/plans/{seg(plan_id)}/dependencies", params=params)
            return ItemResult(index=i, ok=True, id=gone["id"])

        return await _each(links, remove)

    @tool(server, read_only=False)
    async def add_resources(
        ctx: Context, plan_id: PlanId, resources: Annotated[list[ResourceCreate], Field(max_length=1000)]
    ) -> BulkResult:
        """Add people, agents, compute or equipment to a plan (availability 0..1 is the capacity leveling
        uses; cost_rate per hour). Assign them with update_tasks (assigned_resources)."""

        async def add(i: int, r: ResourceCreate) -> ItemResult:
            made = await api.data(ctx, "POST", f"/api/plans/{seg(plan_id)}/resources", json=_body(r))
            return ItemResult(index=i, ok=True, id=made["id"], version=made["version"])

        return await _each(resources, add)

    @tool(server, read_only=False)
    async def record_progress(
        ctx: Context, plan_id: PlanId, reports: Annotated[list[ProgressReport], Field(max_length=1000)]
    ) -> BulkResult:
        """Record progress: status, percent_complete, actual_start/actual_finish, remaining_duration (in the
        task's unit), actual_cost, notes. 100% completes a task; starting one records its actual start."""

        async def report(i: int, p: ProgressReport) -> ItemResult:
            path = f"/api/plans/{seg(plan_id)}/tasks/{seg(p.task_id)}/progress"
            made = await api.data(ctx, "PUT", path, json=_body(p, "task_id"))
            return ItemResult(index=i, ok=True, id=made["id"], version=made["version"])

        return await _each(reports, report)


async def _link(ctx: Context, api: Api, plan_id: str, i: int, d: DependencyCreate, ids: dict) -> ItemResult:
    body = _body(d) | {"predecessor_id": ids.get(d.predecessor_id, d.predecessor_id)}
    body["successor_id"] = ids.get(d.successor_id, d.successor_id)
    made = await api.data(ctx, "POST", f"/api/plans/{seg(plan_id)}/dependencies", json=body)
    return ItemResult(index=i, ok=True, id=made["id"])
