"""Tasks, progress and the links between tasks."""

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Body, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from prometheus.api.batch import one_or_many, parse_one_or_many
from prometheus.api.cache import PlanCache
from prometheus.api.deps import get_cache, get_ctx, get_db
from prometheus.api.envelope import ERROR_RESPONSES, Deleted, Envelope, ListEnvelope, expected_version, ok
from prometheus.core.inputs import DependencyCreate, ProgressUpdate, TaskCreate, TaskPatch
from prometheus.core.model import Dependency, Priority, Task, TaskStatus
from prometheus.services import Context, links, tasks
from prometheus.store import Database

router = APIRouter(prefix="/api/plans/{plan_id}", tags=["tasks"], responses=ERROR_RESPONSES)


@router.post(
    "/tasks",
    status_code=201,
    response_model=Envelope[Task | list[Task]],
    summary="Add a task, or many",
    description="One task (a JSON object), or a batch (a JSON list of up to 10,000): one transaction, all or "
    "nothing (a 422 names every refused row by its index), one `prometheus.task.batch_created` event.",
    openapi_extra=one_or_many("TaskCreate"),
)
def add_task(plan_id: str, body: Any = Body(...), ctx: Context = Depends(get_ctx)) -> JSONResponse:
    created = tasks.create_tasks(ctx, plan_id, parse_one_or_many(TaskCreate, body))
    if isinstance(created, list):
        return ok(created, f"{len(created)} tasks created", status_code=201)
    return ok(created, "task created", status_code=201, version=created.version)


@router.get("/tasks", response_model=ListEnvelope[list[Task]], summary="List a plan's tasks")
def list_tasks(
    plan_id: str,
    status: TaskStatus | None = None,
    priority: Priority | None = None,
    assigned_to: str | None = Query(None, max_length=500, description="resource id or name"),
    search: str | None = Query(None, max_length=500),
    tag: str | None = Query(None, max_length=200),
    parent_id: str | None = None,
    limit: int = Query(1000, ge=1, le=100_000),
    offset: int = Query(0, ge=0, le=1_000_000_000),
    db: Database = Depends(get_db),
) -> JSONResponse:
    with db.store(write=False) as store:
        tasks, total = store.list_tasks(
            plan_id,
            status=status.value if status else None,
            priority=priority.value if priority else None,
            assigned_to=assigned_to,
            search=search,
            tag=tag,
            parent_id=parent_id,
            limit=limit,
            offset=offset,
        )
    return ok(
        tasks, f"{len(tasks)} of {total} tasks", pagination={"total": total, "limit": limit, "offset": offset}
    )


@router.get("/tasks/{task_id}", response_model=Envelope[Task], summary="A task")
def get_task(plan_id: str, task_id: str, db: Database = Depends(get_db)) -> JSONResponse:
    with db.store(write=False) as store:
        task = store.get_task(plan_id, task_id)
    return ok(task, version=task.version)


@router.put("/tasks/{task_id}", response_model=Envelope[Task], summary="Replace a task's fields")
def replace_task(
    plan_id: str, task_id: str, body: TaskCreate, request: Request, ctx: Context = Depends(get_ctx)
) -> JSONResponse:
    task = tasks.update_task(ctx, plan_id, task_id, body, expected_version(request, body.version))
    return ok(task, "task updated", version=task.version)


@router.patch("/tasks/{task_id}", response_model=Envelope[Task], summary="Change some of a task's fields")
def patch_task(
    plan_id: str, task_id: str, body: TaskPatch, request: Request, ctx: Context = Depends(get_ctx)
) -> JSONResponse:
    task = tasks.update_task(ctx, plan_id, task_id, body, expected_version(request, body.version))
    return ok(task, "task updated", version=task.version)


@router.put("/tasks/{task_id}/progress", response_model=Envelope[Task], summary="Record progress on a task")
def update_progress(
    plan_id: str,
    task_id: str,
    body: ProgressUpdate,
    request: Request,
    background: BackgroundTasks,
    ctx: Context = Depends(get_ctx),
) -> JSONResponse:
    done = tasks.record_progress(ctx, plan_id, task_id, body, expected_version(request, body.version))
    if done.completion is not None and ctx.engram is not None:  # after the answer: Engram never holds it up
        background.add_task(ctx.engram.remember_safely, done.completion)
    return ok(done.task, "progress recorded", version=done.task.version)


@router.delete(
    "/tasks/{task_id}", response_model=Envelope[Deleted], summary="Delete a task, its subtasks and links"
)
def delete_task(
    plan_id: str, task_id: str, request: Request, ctx: Context = Depends(get_ctx)
) -> JSONResponse:
    deleted = tasks.delete_task(ctx, plan_id, task_id, expected_version(request))
    return ok({"id": deleted}, "task deleted")


@router.post(
    "/dependencies",
    status_code=201,
    response_model=Envelope[Dependency | list[Dependency]],
    summary="Link two tasks, or many pairs",
    description="One link (a JSON object), or a batch (a JSON list of up to 10,000): one transaction, all or "
    "nothing (a 422 names every refused row by its index), one `prometheus.dependency.batch_created` event.",
    openapi_extra=one_or_many("DependencyCreate"),
)
def add_dependency(plan_id: str, body: Any = Body(...), ctx: Context = Depends(get_ctx)) -> JSONResponse:
    created = links.create_links(ctx, plan_id, parse_one_or_many(DependencyCreate, body))
    if isinstance(created, list):
        return ok(created, f"{len(created)} dependencies created", status_code=201)
    return ok(created, "dependency created", status_code=201)


@router.get("/dependencies", response_model=Envelope[list[Dependency]], summary="A plan's links")
def list_dependencies(
    plan_id: str, db: Database = Depends(get_db), cache: PlanCache = Depends(get_cache)
) -> Response:
    """Kept per plan revision, as the plan is: the Gantt page reads a large plan's links on every change."""

    def build() -> JSONResponse:
        with db.store(write=False) as store:
            deps = store.list_dependencies(plan_id)
        return ok(deps, f"{len(deps)} dependencies")

    return cache.answer(db, plan_id, ("dependencies",), build)


@router.delete(
    "/dependencies", response_model=Envelope[Dependency], summary="Remove the link between two tasks"
)
def delete_dependency_by_pair(
    plan_id: str,
    predecessor_id: str | None = None,
    successor_id: str | None = None,
    dependency_id: str | None = None,
    ctx: Context = Depends(get_ctx),
) -> JSONResponse:
    dep = links.delete_link(
        ctx, plan_id, dependency_id=dependency_id, predecessor_id=predecessor_id, successor_id=successor_id
    )
    return ok(dep, "dependency deleted")


@router.delete("/dependencies/{dependency_id}", response_model=Envelope[Dependency], summary="Remove a link")
def delete_dependency(plan_id: str, dependency_id: str, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    return ok(links.delete_link(ctx, plan_id, dependency_id=dependency_id), "dependency deleted")
