"""A plan's resources."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from prometheus.api.deps import get_ctx, get_db
from prometheus.api.envelope import ERROR_RESPONSES, Deleted, Envelope, expected_version, ok
from prometheus.core.inputs import ResourceCreate, ResourcePatch
from prometheus.core.model import Resource, ResourceType
from prometheus.services import Context, plans
from prometheus.store import Database

router = APIRouter(prefix="/api/plans/{plan_id}/resources", tags=["resources"], responses=ERROR_RESPONSES)


@router.post("", status_code=201, response_model=Envelope[Resource], summary="Add a resource")
def add_resource(plan_id: str, body: ResourceCreate, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    res = plans.add_resource(ctx, plan_id, body)
    return ok(res, "resource created", status_code=201, version=res.version)


@router.get("", response_model=Envelope[list[Resource]], summary="List a plan's resources")
def list_resources(
    plan_id: str, type: ResourceType | None = None, skill: str | None = None, db: Database = Depends(get_db)
) -> JSONResponse:
    with db.store(write=False) as store:
        resources = store.list_resources(plan_id, type=type.value if type else None, skill=skill)
    return ok(resources, f"{len(resources)} resources")


@router.get("/{resource_id}", response_model=Envelope[Resource], summary="A resource")
def get_resource(plan_id: str, resource_id: str, db: Database = Depends(get_db)) -> JSONResponse:
    with db.store(write=False) as store:
        res = store.get_resource(plan_id, resource_id)
    return ok(res, version=res.version)


@router.patch("/{resource_id}", response_model=Envelope[Resource], summary="Change a resource")
def patch_resource(
    plan_id: str, resource_id: str, body: ResourcePatch, request: Request, ctx: Context = Depends(get_ctx)
) -> JSONResponse:
    res = plans.update_resource(ctx, plan_id, resource_id, body, expected_version(request, body.version))
    return ok(res, "resource updated", version=res.version)


@router.delete(
    "/{resource_id}", response_model=Envelope[Deleted], summary="Delete a resource (force: unassign it)"
)
def delete_resource(
    plan_id: str, resource_id: str, force: bool = False, ctx: Context = Depends(get_ctx)
) -> JSONResponse:
    plans.delete_resource(ctx, plan_id, resource_id, force=force)
    return ok({"id": resource_id}, "resource deleted")
