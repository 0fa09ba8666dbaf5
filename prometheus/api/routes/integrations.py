"""The Tekton peers over HTTP: where each peer stands, Telos plans and traces, Rhetor analyses, Engram
memory (Synthesis and Hermes: executions.py). A peer that cannot answer gives 503 INTEGRATION_UNAVAILABLE
with its name; nothing here answers with a stand-in."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field, model_validator
from starlette.concurrency import run_in_threadpool

from prometheus.api.answers.peers import (
    MemoryRecord,
    MemorySearch,
    PeerStatus,
    PlanFromRequirements,
    RequirementBreakdown,
    RhetorResult,
    TelosSync,
    Trace,
)
from prometheus.api.deps import get_ctx, get_db
from prometheus.api.envelope import ERROR_RESPONSES, Envelope, ok
from prometheus.core import analysis
from prometheus.core.bounds import MAX_ID
from prometheus.core.inputs import Input
from prometheus.core.requirements import plan_from_requirements
from prometheus.errors import ValidationFailed
from prometheus.integrations import http
from prometheus.integrations.engram import PLANS, RELATIONSHIPS, EngramConnector
from prometheus.integrations.rhetor import ANALYSIS_TYPES, RhetorAdapter
from prometheus.integrations.telos import TelosConnector
from prometheus.services import Context, plans
from prometheus.store import Database

router = APIRouter(prefix="/api", tags=["integrations"], responses=ERROR_RESPONSES)
PEER_ONLY = ["peers"]  # operations that need their peer: 503 INTEGRATION_UNAVAILABLE without it
Requirements = list[dict[str, Any]]


class FromTelos(Input):
    project_id: str = Field(min_length=1, max_length=MAX_ID)
    name: str | None = Field(None, min_length=1, max_length=500)
    dependency_mapping: bool = True


class FromRequirements(Input):
    requirements: Requirements = Field(
        min_length=1, max_length=10_000, description="Telos's requirement shape"
    )
    name: str | None = Field(None, min_length=1, max_length=500)
    project_id: str | None = Field(None, max_length=MAX_ID, description="their Telos project (traces)")
    dependency_mapping: bool = True


class RequirementAnalysis(Input):
    requirements: Requirements | None = Field(None, min_length=1, max_length=2_000)
    project_id: str | None = Field(None, min_length=1, max_length=MAX_ID, description="or a Telos project's")

    @model_validator(mode="after")
    def _one(self) -> RequirementAnalysis:
        if (self.requirements is None) == (self.project_id is None):
            raise ValueError("give either requirements or a Telos project_id")
        return self


class LlmAnalysis(Input):
    analysis_types: list[Literal["risks", "optimizations", "recommendations"]] = Field(
        default_factory=lambda: list(ANALYSIS_TYPES), min_length=1, max_length=3
    )


class DocumentRequest(Input):
    document_type: Literal["status report", "project charter", "executive summary"] = "status report"


class MemoryPut(Input):
    data: Any
    metadata: dict[str, Any] = Field(default_factory=dict)
    vector_embed: bool = True


def _settings(request: Request):  # noqa: ANN202
    return request.app.state.settings


def _facts(db: Database, plan_id: str) -> dict:
    """A plan as the LLM sees it: tasks with dates and slack, the critical path, over-allocations."""
    with db.store(write=False) as s:
        plan = s.get_plan(plan_id)
    sched = analysis.schedule_plan(plan, datetime.now(UTC).date())
    return {
        "name": plan.name,
        "finish": sched.project_finish.isoformat(),
        "critical_paths": sched.critical_paths[:3],
        "tasks": [
            {
                "id": t.id,
                "key": t.key,
                "name": t.name,
                "status": t.status,
                "start": sched.tasks[t.id].start.isoformat(),
                "finish": sched.tasks[t.id].finish.isoformat(),
                "total_slack_minutes": sched.tasks[t.id].total_slack_minutes,
            }
            for t in (plan.tasks or [])[:300]
        ],
        "analysis": analysis.plan_analysis(plan, sched),
    }


async def _plan_from(
    ctx: Context, requirements: Requirements, name: str, project_id: str | None, mapping: bool
) -> JSONResponse:
    doc, issues = await run_in_threadpool(  # minutes of work for 10,000 requirements: not on the event loop
        partial(
            plan_from_requirements, requirements, name=name, project_id=project_id, dependency_mapping=mapping
        )
    )
    if not doc.tasks:
        raise ValidationFailed("no requirement can become a task", details={"issues": issues})

    plan = await run_in_threadpool(plans.create_plan_from, ctx, doc)
    return ok(
        {
            "plan": plan,
            "requirements": len(requirements),
            "tasks": len(doc.tasks),
            "dependencies": len(doc.dependencies),
            "issues": issues,
        },
        f"plan made from {len(doc.tasks)} requirements",
        status_code=201,
    )


# -- status ---------------------------------------------------------------------------------------------


@router.get(
    "/integrations", response_model=Envelope[list[PeerStatus]], summary="Each peer: where, answering, circuit"
)
def integrations(request: Request) -> JSONResponse:
    return ok(http.status(_settings(request)))


# -- Telos ------------------------------------------------------------------------------------------------


@router.post(
    "/plans/from-telos",
    tags=PEER_ONLY,
    status_code=201,
    response_model=Envelope[PlanFromRequirements],
    summary="A plan from a Telos project's requirements",
)
async def from_telos(body: FromTelos, request: Request, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    telos = TelosConnector(settings=_settings(request))
    requirements = await telos.get_requirements(body.project_id)
    name = body.name
    if not name:
        project = await telos.get_project(body.project_id)
        name = str(project.get("name") or f"Telos project {body.project_id}")[:500]
    return await _plan_from(ctx, requirements, name, body.project_id, body.dependency_mapping)


@router.post(
    "/plans/from-requirements",
    status_code=201,
    response_model=Envelope[PlanFromRequirements],
    summary="A plan from requirements sent in the body (Telos's shape)",
)
async def from_requirements(body: FromRequirements, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    name = body.name or (
        f"Telos project {body.project_id}"
        if body.project_id
        else f"Plan from {len(body.requirements)} requirements"
    )
    return await _plan_from(ctx, body.requirements, name, body.project_id, body.dependency_mapping)


@router.get(
    "/plans/{plan_id}/traces",
    response_model=Envelope[list[Trace]],
    summary="Task <-> requirement traces, either way",
)
def traces(
    plan_id: str,
    requirement_id: str | None = Query(None, max_length=MAX_ID),
    task_id: str | None = Query(None, max_length=MAX_ID),
    db: Database = Depends(get_db),
) -> JSONResponse:
    with db.store(write=False) as s:
        s.get_plan(plan_id, include_children=False)
        tasks = s.traced_tasks(requirement_id, plan_id=plan_id)
    rows = [
        {
            "task_id": t.id,
            "task_key": t.key,
            "task_name": t.name,
            "status": t.status,
            "requirement_id": t.metadata["requirement_id"],
            "telos_project_id": t.metadata.get("telos_project_id"),
        }
        for t in tasks
        if task_id is None or task_id in (t.id, t.key)
    ]
    return ok(rows, f"{len(rows)} traces")


@router.post(
    "/plans/{plan_id}/telos/sync",
    response_model=Envelope[TelosSync],
    summary="Push every traced task's status to its Telos requirement",
)
async def telos_sync(plan_id: str, request: Request, db: Database = Depends(get_db)) -> JSONResponse:
    def read():  # noqa: ANN202
        with db.store(write=False) as s:
            s.get_plan(plan_id, include_children=False)
            return [t for t in s.traced_tasks(plan_id=plan_id) if t.metadata.get("telos_project_id")]

    telos = TelosConnector(settings=_settings(request))
    pushed = []
    for t in await run_in_threadpool(read):
        state = await telos.update_requirement_status(
            t.metadata["telos_project_id"], t.metadata["requirement_id"], t.status
        )
        pushed.append({"task_id": t.id, "requirement_id": t.metadata["requirement_id"], "status": state})
    return ok({"pushed": pushed}, f"{len(pushed)} requirements updated")


# -- Rhetor -----------------------------------------------------------------------------------------------


@router.post(
    "/requirements/analysis",
    tags=PEER_ONLY,
    response_model=Envelope[RequirementBreakdown],
    summary="Rhetor's task breakdown of requirements, with estimates by requirement",
)
async def requirement_analysis(body: RequirementAnalysis, request: Request) -> JSONResponse:
    requirements = body.requirements
    if requirements is None:
        requirements = await TelosConnector(settings=_settings(request)).get_requirements(
            str(body.project_id)
        )
    out = await RhetorAdapter(settings=_settings(request)).analyze_requirements_for_planning(requirements)
    return ok(out, f"{len(out['estimates'])} of {len(requirements)} requirements estimated")


@router.post(
    "/plans/{plan_id}/llm-analysis",
    tags=PEER_ONLY,
    response_model=Envelope[RhetorResult],
    summary="Rhetor's risks, optimizations, recommendations (validated JSON)",
)
async def llm_analysis(
    plan_id: str, body: LlmAnalysis, request: Request, db: Database = Depends(get_db)
) -> JSONResponse:
    facts = await run_in_threadpool(_facts, db, plan_id)
    out = await RhetorAdapter(settings=_settings(request)).analyze_plan(facts, list(body.analysis_types))
    return ok(out)


@router.post(
    "/plans/{plan_id}/documents",
    tags=PEER_ONLY,
    response_model=Envelope[RhetorResult],
    summary="A document by Rhetor",
)
async def document(
    plan_id: str, body: DocumentRequest, request: Request, db: Database = Depends(get_db)
) -> JSONResponse:
    facts = await run_in_threadpool(_facts, db, plan_id)
    return ok(await RhetorAdapter(settings=_settings(request)).generate_document(facts, body.document_type))


# -- Engram -----------------------------------------------------------------------------------------------


@router.post(
    "/plans/{plan_id}/memory",
    response_model=Envelope[MemoryRecord],
    summary="Remember a plan (Engram, or the local store)",
)
async def remember_plan(plan_id: str, request: Request, db: Database = Depends(get_db)) -> JSONResponse:
    def read():  # noqa: ANN202
        with db.store(write=False) as s:
            return s.get_plan(plan_id)

    plan = await run_in_threadpool(read)
    engram = EngramConnector(settings=_settings(request), db=db)
    data = {
        "name": plan.name,
        "description": plan.description,
        "tags": plan.tags,
        "tasks": [
            {"name": t.name, "description": t.description, "duration": t.duration, "unit": t.duration_unit}
            for t in plan.tasks or []
        ],
    }
    record = await engram.store_record(PLANS, plan_id, data, {"plan_name": plan.name})
    links = [
        {"type": "requirement", "target_id": t.metadata["requirement_id"], "task_id": t.id}
        for t in plan.tasks or []
        if isinstance(t.metadata.get("requirement_id"), str)
    ]
    await engram.store_record(RELATIONSHIPS, plan_id, links, {"plan_id": plan_id}, vector_embed=False)
    return ok(record, f"plan remembered ({record['backend']})")


@router.get(
    "/memory/search", response_model=Envelope[MemorySearch], summary="Similar memories (plans by default)"
)
async def memory_search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=2000),
    namespace: str | None = Query("prometheus.plans", max_length=200),
    limit: int = Query(5, ge=1, le=100),
    db: Database = Depends(get_db),
) -> JSONResponse:
    engram = EngramConnector(settings=_settings(request), db=db)
    return ok(await engram.search(q, namespace=namespace or None, limit=limit))


@router.put(
    "/memory/{namespace}/{key}", response_model=Envelope[MemoryRecord], summary="Store under namespace/key"
)
async def memory_put(
    namespace: str, key: str, body: MemoryPut, request: Request, db: Database = Depends(get_db)
) -> JSONResponse:
    if len(namespace) > 200 or len(key) > 300:
        raise ValidationFailed("namespace is at most 200 characters, key at most 300")
    engram = EngramConnector(settings=_settings(request), db=db)
    return ok(
        await engram.store_record(namespace, key, body.data, body.metadata, vector_embed=body.vector_embed)
    )


@router.get(
    "/memory/{namespace}/{key}", response_model=Envelope[MemoryRecord], summary="What is stored there"
)
async def memory_get(
    namespace: str, key: str, request: Request, db: Database = Depends(get_db)
) -> JSONResponse:
    return ok(await EngramConnector(settings=_settings(request), db=db).retrieve_record(namespace, key))
