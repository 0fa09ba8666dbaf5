"""What-if scenarios of a plan: open, change, promote or discard (views and compare: scenario_views.py)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from prometheus.api.answers.scenarios import Promoted, ScenarioEdit
from prometheus.api.deps import get_ctx, get_db
from prometheus.api.envelope import ERROR_RESPONSES, Deleted, Envelope, expected_version, ok
from prometheus.core import scenario as sc
from prometheus.core.inputs import DependencyCreate, ResourceCreate, ResourcePatch, TaskCreate, TaskPatch
from prometheus.core.model import Plan
from prometheus.core.scenario import Scenario, ScenarioChanges, ScenarioCreate, ScenarioPatch
from prometheus.services import Context, scenarios
from prometheus.store import Database

router = APIRouter(prefix="/api/plans/{plan_id}/scenarios", tags=["scenarios"], responses=ERROR_RESPONSES)


@router.post("", status_code=201, response_model=Envelope[Scenario], summary="Open a what-if scenario")
def create_scenario(plan_id: str, body: ScenarioCreate, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    scenario = scenarios.open_scenario(ctx, plan_id, body)
    return ok(scenario, "scenario opened", status_code=201, version=scenario.version)


@router.get("", response_model=Envelope[list[Scenario]], summary="A plan's open scenarios")
def list_scenarios(plan_id: str, db: Database = Depends(get_db)) -> JSONResponse:
    with db.store(write=False) as store:
        scenarios = store.list_scenarios(plan_id)
    return ok(scenarios, f"{len(scenarios)} scenarios")


@router.get("/{scenario_id}", response_model=Envelope[Scenario], summary="A scenario and its changes")
def get_scenario(plan_id: str, scenario_id: str, db: Database = Depends(get_db)) -> JSONResponse:
    with db.store(write=False) as store:
        scenario = store.get_scenario(plan_id, scenario_id)
    return ok(scenario, f"{scenario.change_count} changes", version=scenario.version)


@router.patch("/{scenario_id}", response_model=Envelope[Scenario], summary="Rename a scenario")
def patch_scenario(
    plan_id: str, scenario_id: str, body: ScenarioPatch, request: Request, ctx: Context = Depends(get_ctx)
) -> JSONResponse:
    expected = expected_version(request, body.version)
    scenario = scenarios.rename_scenario(ctx, plan_id, scenario_id, body, expected)
    return ok(scenario, "scenario updated", version=scenario.version)


@router.delete("/{scenario_id}", response_model=Envelope[Deleted], summary="Discard a scenario")
def delete_scenario(
    plan_id: str, scenario_id: str, request: Request, ctx: Context = Depends(get_ctx)
) -> JSONResponse:
    scenarios.discard_scenario(ctx, plan_id, scenario_id, expected_version(request))
    return ok({"id": scenario_id}, "scenario discarded")


@router.post(
    "/{scenario_id}/promote",
    response_model=Envelope[Promoted],
    summary="Apply the scenario's changes to the plan in one transaction (409 if the plan changed there)",
)
def promote_scenario(
    plan_id: str,
    scenario_id: str,
    request: Request,
    base_revision: str | None = Query(None, max_length=32, description="refuse if the plan is not at it"),
    ctx: Context = Depends(get_ctx),
) -> JSONResponse:
    result = scenarios.promote_scenario(ctx, plan_id, scenario_id, expected_version(request), base_revision)
    return ok(result, f"{result['changes']} changes applied to the plan")


# -- changes ------------------------------------------------------------------------------------------------


class Editor:
    """Records one change in a scenario (services/scenarios.py record_change)."""

    def __init__(self, ctx: Context = Depends(get_ctx)):
        self.ctx = ctx

    def __call__(
        self, plan_id: str, scenario_id: str, edit: Callable[[Plan, ScenarioChanges], str], what: str
    ) -> JSONResponse:
        scenario, changed = scenarios.record_change(self.ctx, plan_id, scenario_id, edit)
        return ok({"id": changed, "scenario": scenario}, what, version=scenario.version)


Edited = Envelope[ScenarioEdit]


@router.post("/{scenario_id}/tasks", status_code=201, response_model=Edited, summary="Add a task")
def add_task(plan_id: str, scenario_id: str, body: TaskCreate, record: Editor = Depends()) -> JSONResponse:
    response = record(plan_id, scenario_id, lambda p, ch: sc.add_task(p, ch, body), "task added")
    response.status_code = 201
    return response


@router.patch("/{scenario_id}/tasks/{task_id}", response_model=Edited, summary="Change a task")
def patch_task(
    plan_id: str, scenario_id: str, task_id: str, body: TaskPatch, record: Editor = Depends()
) -> JSONResponse:
    edit = lambda p, ch: sc.edit_task(p, ch, task_id, body)  # noqa: E731
    return record(plan_id, scenario_id, edit, "task changed")


@router.delete("/{scenario_id}/tasks/{task_id}", response_model=Edited, summary="Remove a task")
def delete_task(plan_id: str, scenario_id: str, task_id: str, record: Editor = Depends()) -> JSONResponse:
    edit = lambda p, ch: sc.remove_task(p, ch, task_id)  # noqa: E731
    return record(plan_id, scenario_id, edit, "task removed")


@router.post("/{scenario_id}/dependencies", status_code=201, response_model=Edited, summary="Link two tasks")
def add_link(
    plan_id: str, scenario_id: str, body: DependencyCreate, record: Editor = Depends()
) -> JSONResponse:
    response = record(plan_id, scenario_id, lambda p, ch: sc.add_link(p, ch, body), "link added")
    response.status_code = 201
    return response


@router.delete("/{scenario_id}/dependencies/{dependency_id}", response_model=Edited, summary="Remove a link")
def delete_link(
    plan_id: str, scenario_id: str, dependency_id: str, record: Editor = Depends()
) -> JSONResponse:
    edit = lambda p, ch: sc.remove_link(p, ch, dependency_id)  # noqa: E731
    return record(plan_id, scenario_id, edit, "link removed")


@router.post("/{scenario_id}/resources", status_code=201, response_model=Edited, summary="Add a resource")
def add_resource(
    plan_id: str, scenario_id: str, body: ResourceCreate, record: Editor = Depends()
) -> JSONResponse:
    response = record(plan_id, scenario_id, lambda p, ch: sc.add_resource(p, ch, body), "resource added")
    response.status_code = 201
    return response


@router.patch("/{scenario_id}/resources/{resource_id}", response_model=Edited, summary="Change a resource")
def patch_resource(
    plan_id: str, scenario_id: str, resource_id: str, body: ResourcePatch, record: Editor = Depends()
) -> JSONResponse:
    edit = lambda p, ch: sc.edit_resource(p, ch, resource_id, body)  # noqa: E731
    return record(plan_id, scenario_id, edit, "resource changed")


@router.delete(
    "/{scenario_id}/resources/{resource_id}",
    response_model=Edited,
    summary="Remove a resource and its assignments",
)
def delete_resource(
    plan_id: str, scenario_id: str, resource_id: str, record: Editor = Depends()
) -> JSONResponse:
    edit = lambda p, ch: sc.remove_resource(p, ch, resource_id)  # noqa: E731
    return record(plan_id, scenario_id, edit, "resource removed")
