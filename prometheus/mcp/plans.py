"""Tools on whole plans: find, read, create (from a task list the agent writes, or from Telos), export."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from pydantic import BaseModel, Field

from prometheus.core.documents import DocLink, DocPlan, DocResource, DocTask
from prometheus.core.inputs import PlanPatch
from prometheus.core.model import PlanStatus
from prometheus.mcp.api import Api, seg, tool

PlanId = Annotated[str, Field(description="the plan's id")]


class PlanRow(BaseModel):
    id: str
    name: str
    status: str
    start_date: str | None
    end_date: str | None
    task_count: int
    version: int


class PlanList(BaseModel):
    total: int = Field(description="plans matching, over all pages")
    plans: list[PlanRow]


class TaskRow(BaseModel):
    id: str
    name: str
    parent_id: str | None
    duration: float
    duration_unit: str
    status: str
    percent_complete: float
    constraint_type: str
    constraint_date: str | None
    assigned_resources: list[str]
    version: int


class LinkRow(BaseModel):
    id: str
    predecessor_id: str
    successor_id: str
    type: str
    lag: float
    lag_unit: str


class ResourceRow(BaseModel):
    id: str
    name: str
    type: str
    availability: float
    cost_rate: float
    skills: list[str]


class PlanDetail(PlanRow):
    description: str
    status_date: str | None
    tasks_total: int
    tasks: list[TaskRow] = Field(description="in outline position order, up to max_tasks")
    links: list[LinkRow]
    resources: list[ResourceRow]


class CreatedPlan(BaseModel):
    plan_id: str
    name: str
    version: int
    task_ids: dict[str, str] = Field(description="your task keys -> the new task ids")
    resource_ids: dict[str, str] = Field(description="your resource keys -> the new resource ids")
    links: int


class TelosPlan(BaseModel):
    plan_id: str
    name: str
    requirements: int = Field(description="requirements read from Telos")
    tasks: int
    links: int
    issues: list[dict[str, Any]] = Field(description="requirements left out or links not made, and why")


class ExportedFile(BaseModel):
    format: str
    filename: str
    media_type: str
    content: str


def _rows(model: type[BaseModel], items: list[dict]) -> list[Any]:
    return [model.model_validate({k: item.get(k) for k in model.model_fields}) for item in items]


def register(server: MCPServer, api: Api) -> None:
    @tool(server, read_only=True)
    async def list_plans(
        ctx: Context,
        search: Annotated[str | None, Field(description="words in the name or description")] = None,
        tag: str | None = None,
        status: PlanStatus | None = None,
        limit: Annotated[int, Field(ge=1, le=1000)] = 20,
        offset: Annotated[int, Field(ge=0)] = 0,
    ) -> PlanList:
        """Find plans by words, tag or status; newest first. Answers ids, names, dates and task counts."""
        r = await api.call(
            ctx,
            "GET",
            "/api/plans",
            params={
                k: v
                for k, v in {
                    "search": search,
                    "tag": tag,
                    "status": status,
                    "limit": limit,
                    "offset": offset,
                }.items()
                if v is not None
            },
        )
        body = r.json()
        return PlanList(total=body["pagination"]["total"], plans=_rows(PlanRow, body["data"]))

    @tool(server, read_only=True)
    async def get_plan(
        ctx: Context,
        plan_id: PlanId,
        max_tasks: Annotated[int, Field(ge=0, le=10_000, description="tasks to list")] = 300,
    ) -> PlanDetail:
        """A plan's fields with its tasks, links and resources as compact rows (no schedule: use
        get_schedule or critical_path for dates)."""
        plan = await api.get(ctx, f"/api/plans/{seg(plan_id)}")
        tasks = sorted(plan["tasks"], key=lambda t: t["position"])
        return PlanDetail(
            **{k: plan[k] for k in PlanRow.model_fields},
            description=plan["description"],
            status_date=plan["status_date"],
            tasks_total=len(tasks),
            tasks=_rows(TaskRow, tasks[:max_tasks]),
            links=_rows(LinkRow, plan["dependencies"]),
            resources=_rows(ResourceRow, plan["resources"]),
        )

    @tool(server, read_only=False)
    async def create_plan(
        ctx: Context,
        plan: Annotated[
            DocPlan, Field(description="name, description, start_date, end_date (the deadline), calendar")
        ],
        tasks: Annotated[
            list[DocTask],
            Field(
                description="the work breakdown, each with a key of your choice; `parent` is another "
                "task's key (a summary task), `assignments` name resources by key; durations in days "
                "unless duration_unit"
            ),
        ],
        links: Annotated[
            list[DocLink], Field(description="predecessor -> successor by task key; FS unless type")
        ] = [],  # noqa: B006 (a schema default: pydantic copies it)
        resources: Annotated[
            list[DocResource], Field(description="people, agents or equipment, by key")
        ] = [],  # noqa: B006
    ) -> CreatedPlan:
        """Create a whole plan in one step from a structured task list (write it from the user's description):
        tasks with keys, links between keys, resources. Checked whole (unique keys, known references, no
        cycle) before anything is written; answers the new ids by key."""
        doc = {
            "format": "prometheus.plan",
            "version": 1,
            "plan": plan.model_dump(mode="json", exclude_unset=True),
            "tasks": [t.model_dump(mode="json", exclude_unset=True) for t in tasks],
            "dependencies": [d.model_dump(mode="json", exclude_unset=True) for d in links],
            "resources": [r.model_dump(mode="json", exclude_unset=True) for r in resources],
        }
        made = await api.data(
            ctx,
            "POST",
            "/api/plans/import",
            params={"format": "json", "include": "plan"},
            content=json.dumps(doc).encode(),
            headers={"content-type": "application/json"},
        )
        by_position = {t["position"]: t["id"] for t in made["tasks"]}  # import keeps the list order
        by_name = {r["name"]: r["id"] for r in made["resources"]}
        return CreatedPlan(
            plan_id=made["id"],
            name=made["name"],
            version=made["version"],
            task_ids={t.key: by_position[i + 1] for i, t in enumerate(tasks)},
            resource_ids={r.key: by_name[r.name] for r in resources},
            links=len(made["dependencies"]),
        )

    @tool(server, read_only=False, idempotent=True)
    async def update_plan(
        ctx: Context,
        plan_id: PlanId,
        changes: Annotated[
            PlanPatch,
            Field(
                description="only the fields given change: start_date, end_date (deadline), status_date, ..."
            ),
        ],
    ) -> PlanRow:
        """Change a plan's fields: name, description, start_date, end_date (its deadline), status, status_date
        (progress is reported up to it), calendar (working days, hours, holidays)."""
        body = changes.model_dump(mode="json", exclude_unset=True)
        plan = await api.data(ctx, "PATCH", f"/api/plans/{seg(plan_id)}", json=body)
        return PlanRow.model_validate({k: plan[k] for k in PlanRow.model_fields})

    @tool(server, read_only=False)
    async def create_plan_from_telos(
        ctx: Context,
        project_id: Annotated[str, Field(min_length=1, description="the Telos project")],
        name: Annotated[str | None, Field(description="default: the Telos project's name")] = None,
        dependency_mapping: Annotated[
            bool, Field(description="one FS link per requirement dependency")
        ] = True,
    ) -> TelosPlan:
        """Create a plan from a Telos project's requirements: one task per requirement (traced back to it),
        estimates from the requirements, links from their dependencies; lists the requirements it could not
        use and why."""
        body = {"project_id": project_id, "dependency_mapping": dependency_mapping}
        if name:
            body["name"] = name
        d = await api.data(ctx, "POST", "/api/plans/from-telos", json=body)
        return TelosPlan(
            plan_id=d["plan"]["id"],
            name=d["plan"]["name"],
            requirements=d["requirements"],
            tasks=d["tasks"],
            links=d["dependencies"],
            issues=d["issues"],
        )

    @tool(server, read_only=True)
    async def export_plan(
        ctx: Context,
        plan_id: PlanId,
        format: Annotated[
            Literal["json", "csv", "mspdi", "mpp", "ics"],
            Field(description="json (lossless), csv, mspdi (Microsoft Project XML; mpp gives the same), ics"),
        ] = "json",
    ) -> ExportedFile:
        """Export a plan as a file's text, with its scheduled dates (Microsoft Project opens mspdi)."""
        r = await api.call(ctx, "GET", f"/api/plans/{seg(plan_id)}/export", params={"format": format})
        disposition = r.headers.get("content-disposition", "")
        filename = disposition.partition('filename="')[2].rstrip('"') or f"plan.{format}"
        return ExportedFile(
            format=format, filename=filename, media_type=r.headers.get("content-type", ""), content=r.text
        )
