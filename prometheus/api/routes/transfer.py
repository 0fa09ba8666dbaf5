"""Export a plan to a file, import a file as a new plan."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from prometheus.api.cache import PlanCache
from prometheus.api.deps import get_cache, get_ctx
from prometheus.api.envelope import ERROR_RESPONSES, Envelope, ok
from prometheus.core.model import Plan
from prometheus.formats.registry import content_disposition, detect, export_plan
from prometheus.services import Context, imports
from prometheus.services.schedule import kept_scheduled

router = APIRouter(prefix="/api/plans", tags=["import/export"], responses=ERROR_RESPONSES)

FORMAT_HELP = (
    "json (lossless: the plan itself), csv (Microsoft Project's columns), mspdi (Microsoft Project XML), "
    "mpp (the same Microsoft Project XML as application/vnd.ms-project, named .mpp: Project opens it), ics"
)


# GET, and POST as the integration guide writes it: one function, an operation (and its id) per method
@router.post("/{plan_id}/export", summary="Export a plan as a file", operation_id="export_plan_post")
@router.get("/{plan_id}/export", summary="Export a plan as a file", operation_id="export_plan")
def export(
    plan_id: str,
    format: str = Query("json", description=FORMAT_HELP),
    ctx: Context = Depends(get_ctx),
    cache: PlanCache = Depends(get_cache),
) -> Response:
    fmt, today = format.lower(), ctx.today()

    def build() -> Response:
        if fmt == "json":  # the data alone: a plan that cannot be scheduled can still be taken out
            plan, s = ctx.plans.plan(ctx.db, plan_id), None
        else:
            plan, s = kept_scheduled(ctx, plan_id, today)
        data, media, filename = export_plan(plan, s, fmt)
        return Response(
            data,
            media_type=media,
            headers={"Content-Disposition": content_disposition(filename, fallback=f"plan_{plan.id}")},
        )

    # kept per plan revision and day as the other views (a 10,000-task plan's MSPDI is a second to write)
    return cache.answer(ctx.db, plan_id, ("export", fmt, today), build)


class ImportCounts(BaseModel):
    tasks: int
    dependencies: int
    resources: int


class ImportedPlan(Plan):
    """The new plan's summary and what was imported; its tasks, links and resources only with include=plan."""

    counts: ImportCounts


@router.post(
    "/import", status_code=201, response_model=Envelope[ImportedPlan], summary="Import a file as a new plan"
)
async def import_plan(
    request: Request,
    format: str | None = Query(
        None, description="json, csv, mspdi (or mpp, xml), or mpxj (.mpp, .mpx, .xer, .gan, ...)"
    ),
    filename: str | None = Query(
        None, description="tells the format when none is given (so does the content, where it can)"
    ),
    name: str | None = Query(None, max_length=500, description="the new plan's name"),
    include: Literal["plan"] | None = Query(
        None, description="plan: answer the whole plan, with its tasks, links and resources"
    ),
    ctx: Context = Depends(get_ctx),
) -> JSONResponse:
    body = await request.body()  # up to PROMETHEUS_MAX_BODY_BYTES (api/limits.py): the export of a plan
    # at the task limit fits
    fmt = detect(filename, format, body, request.headers.get("content-type"))

    made, counts = await run_in_threadpool(
        imports.import_file, ctx, body, fmt, name=name, whole=include == "plan"
    )
    plan = ImportedPlan(**dict(made), counts=ImportCounts(**counts))
    return ok(plan, f"imported {plan.counts.tasks} tasks", status_code=201, version=plan.version)
