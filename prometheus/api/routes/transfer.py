"""Export a plan to a file, import a file as a new plan."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from prometheus.api.deps import get_db
from prometheus.api.envelope import ERROR_RESPONSES, Envelope, ok
from prometheus.api.routes.schedule import scheduled
from prometheus.core.model import Plan
from prometheus.core.portable import check_document
from prometheus.errors import PrometheusError
from prometheus.formats.registry import content_disposition, detect, export_plan, import_bytes
from prometheus.store import Database

router = APIRouter(prefix="/api/plans", tags=["import/export"], responses=ERROR_RESPONSES)
MAX_UPLOAD = 50 * 1024 * 1024

FORMAT_HELP = (
    "json (lossless: the plan itself), csv (Microsoft Project's columns), mspdi (Microsoft Project XML), "
    "mpp (the same Microsoft Project XML as application/vnd.ms-project, named .mpp: Project opens it), ics"
)


@router.api_route("/{plan_id}/export", methods=["GET", "POST"], summary="Export a plan as a file")
def export(
    plan_id: str, format: str = Query("json", description=FORMAT_HELP), db: Database = Depends(get_db)
) -> Response:
    plan, s = scheduled(db, plan_id)
    data, media, filename = export_plan(plan, s, format.lower())
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": content_disposition(filename, fallback=f"plan_{plan.id}")},
    )


class PayloadTooLarge(PrometheusError):
    error_code = "PAYLOAD_TOO_LARGE"
    http_status = 413


@router.post("/import", status_code=201, response_model=Envelope[Plan], summary="Import a file as a new plan")
async def import_plan(
    request: Request,
    format: str | None = Query(
        None, description="json, csv, mspdi (or mpp, xml), or mpxj (.mpp, .mpx, .xer, .gan, ...)"
    ),
    filename: str | None = Query(
        None, description="tells the format when none is given (so does the content, where it can)"
    ),
    name: str | None = Query(None, max_length=500, description="the new plan's name"),
    db: Database = Depends(get_db),
) -> JSONResponse:
    body = await request.body()
    if len(body) > MAX_UPLOAD:
        raise PayloadTooLarge(f"files up to {MAX_UPLOAD // 2**20} MiB can be imported")
    fmt = detect(filename, format, body, request.headers.get("content-type"))

    def work() -> Plan:
        doc = import_bytes(body, fmt, name=name)
        check_document(doc)  # before the write transaction: other writers wait only for the inserts
        with db.store() as store:
            plan_id = store.import_document(doc, checked=True).id
        del doc
        with db.store(write=False) as store:
            return store.get_plan(plan_id)

    plan = await run_in_threadpool(work)
    return ok(plan, f"imported {len(plan.tasks or [])} tasks", status_code=201, version=plan.version)
