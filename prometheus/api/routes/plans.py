"""Plans: create, list, read, replace, patch, delete."""

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from prometheus.api.cache import PlanCache
from prometheus.api.deps import get_cache, get_ctx, get_db
from prometheus.api.envelope import ERROR_RESPONSES, Deleted, Envelope, ListEnvelope, expected_version, ok
from prometheus.core.inputs import PlanCreate, PlanPatch
from prometheus.core.model import Plan, PlanStatus
from prometheus.services import Context, plans
from prometheus.store import Database

router = APIRouter(prefix="/api/plans", tags=["plans"], responses=ERROR_RESPONSES)


@router.post("", status_code=201, response_model=Envelope[Plan], summary="Create a plan")
def create_plan(body: PlanCreate, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    plan = plans.create_plan(ctx, body)
    return ok(plan, "plan created", status_code=201, version=plan.version)


@router.get("", response_model=ListEnvelope[list[Plan]], summary="List plans")
def list_plans(
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000_000),
    tag: str | None = Query(None, max_length=200),
    search: str | None = Query(None, max_length=500),
    status: PlanStatus | None = None,
    db: Database = Depends(get_db),
) -> JSONResponse:
    with db.store(write=False) as store:
        plans, total = store.list_plans(
            limit=limit, offset=offset, tag=tag, search=search, status=status.value if status else None
        )
    return ok(
        plans, f"{len(plans)} of {total} plans", pagination={"total": total, "limit": limit, "offset": offset}
    )


@router.get("/{plan_id}", response_model=Envelope[Plan], summary="A plan with its tasks, links and resources")
def get_plan(
    plan_id: str,
    include_tasks: bool = True,
    ctx: Context = Depends(get_ctx),
    cache: PlanCache = Depends(get_cache),
) -> Response:
    revision = ctx.db.plan_revision(plan_id)  # once, for the answer and the kept plan

    def build() -> JSONResponse:
        plan = plans.read_plan(ctx, plan_id, include_tasks=include_tasks, revision=revision)
        return ok(plan, version=plan.version)

    return cache.answer(ctx.db, plan_id, ("plan", include_tasks), build, revision)


@router.put(
    "/{plan_id}", response_model=Envelope[Plan], summary="Replace a plan's fields (If-Match or version)"
)
def replace_plan(
    plan_id: str, body: PlanCreate, request: Request, ctx: Context = Depends(get_ctx)
) -> JSONResponse:
    plan = plans.update_plan(ctx, plan_id, body, expected_version(request, body.version))
    return ok(plan, "plan updated", version=plan.version)


@router.patch("/{plan_id}", response_model=Envelope[Plan], summary="Change some of a plan's fields")
def patch_plan(
    plan_id: str, body: PlanPatch, request: Request, ctx: Context = Depends(get_ctx)
) -> JSONResponse:
    plan = plans.update_plan(ctx, plan_id, body, expected_version(request, body.version))
    return ok(plan, "plan updated", version=plan.version)


@router.delete("/{plan_id}", response_model=Envelope[Deleted], summary="Delete a plan and everything in it")
def delete_plan(plan_id: str, request: Request, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    plans.delete_plan(ctx, plan_id, expected_version(request))
    return ok({"id": plan_id}, "plan deleted")
