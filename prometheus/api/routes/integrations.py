"""The Tekton peers over HTTP: Telos plans and traces, Rhetor analyses, Engram memory, Synthesis
executions, Hermes events, and where each peer stands. A peer that cannot answer gives 503
INTEGRATION_UNAVAILABLE with its name; nothing here answers with a stand-in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from prometheus.api.deps import get_db
from prometheus.api.envelope import ERROR_RESPONSES, Envelope, ok
from prometheus.core import analysis
from prometheus.core.model import _Input
from prometheus.errors import NotFound, ValidationFailed
from prometheus.events import peers
from prometheus.integrations import http
from prometheus.integrations.engram import EngramConnector
from prometheus.integrations.rhetor import ANALYSIS_TYPES, RhetorAdapter
from prometheus.integrations.synthesis import SynthesisConnector
from prometheus.integrations.telos import TelosConnector
from prometheus.store import Database

router = APIRouter(prefix="/api", tags=["integrations"], responses=ERROR_RESPONSES)
PEER_ONLY = ["peers"]  # operations that need their peer: 503 INTEGRATION_UNAVAILABLE without it


class FromTelos(_Input):
    project_id: str = Field(min_length=1, max_length=200)
    name: str | None = Field(None, min_length=1, max_length=500)
    dependency_mapping: bool = True


class LlmAnalysis(_Input):
    analysis_types: list[Literal["risks", "optimizations", "recommendations"]] = Field(
        default_factory=lambda: list(ANALYSIS_TYPES), min_length=1, max_length=3
    )


class DocumentRequest(_Input):
    document_type: Literal["status report", "project charter", "executive summary"] = "status report"


class MemoryPut(_Input):
    data: Any
    metadata: dict[str, Any] = Field(default_factory=dict)
    vector_embed: bool = True


class ExecutionCallback(_Input):
    execution_id: str = Field(min_length=1, max_length=200)
    status: Literal["pending", "running", "completed", "failed", "error", "cancelled"] | None = None
    step_id: str | None = Field(None, max_length=200)
    step_status: Literal["pending", "running", "completed", "failed"] | None = None


class IncomingEvent(_Input):
    type: str = Field(min_length=1, max_length=200, description="e.g. telos.requirement.updated")
    data: dict[str, Any] = Field(default_factory=dict)
    source: str | None = Field(None, max_length=200)


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


# -- status ---------------------------------------------------------------------------------------------


@router.get("/integrations", response_model=Envelope[list[dict]], summary="Each peer: configured, circuit")
def integrations(request: Request) -> JSONResponse:
    return ok(http.status(_settings(request)))


# -- Telos ------------------------------------------------------------------------------------------------


@router.post(
    "/plans/from-telos",
    tags=PEER_ONLY,
    status_code=201,
    response_model=Envelope[dict],
    summary="A plan from a Telos project's requirements",
)
async def from_telos(body: FromTelos, request: Request, db: Database = Depends(get_db)) -> JSONResponse:
    telos = TelosConnector(_settings(request))
    requirements = await telos.get_requirements(body.project_id)
    name = body.name
    if not name:
        project = await telos.get_project(body.project_id)
        name = str(project.get("name") or f"Telos project {body.project_id}")[:500]
    doc, issues = telos.create_plan_from_requirements(
        requirements, name=name, project_id=body.project_id, dependency_mapping=body.dependency_mapping
    )

    def save():  # noqa: ANN202
        with db.store() as s:
            return s.import_document(doc)

    plan = await run_in_threadpool(save)
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


@router.get(
    "/plans/{plan_id}/traces",
    response_model=Envelope[list[dict]],
    summary="Task <-> requirement traces, either way",
)
def traces(
    plan_id: str,
    requirement_id: str | None = Query(None, max_length=200),
    task_id: str | None = Query(None, max_length=200),
    db: Database = Depends(get_db),
) -> JSONResponse:
    with db.store(write=False) as s:
        s.get_plan(plan_id, include_children=False)
        tasks = s.traced_tasks(requirement_id, plan_id=plan_id)
    rows = [
        {
            "task_id": t.id,
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
    response_model=Envelope[dict],
    summary="Push every traced task's status to its Telos requirement",
)
async def telos_sync(plan_id: str, request: Request, db: Database = Depends(get_db)) -> JSONResponse:
    def read():  # noqa: ANN202
        with db.store(write=False) as s:
            s.get_plan(plan_id, include_children=False)
            return s.traced_tasks(plan_id=plan_id)

    telos = TelosConnector(_settings(request))
    pushed = []
    for t in await run_in_threadpool(read):
        state = await telos.update_requirement_status(
            t.metadata["telos_project_id"], t.metadata["requirement_id"], t.status
        )
        pushed.append({"task_id": t.id, "requirement_id": t.metadata["requirement_id"], "status": state})
    return ok({"pushed": pushed}, f"{len(pushed)} requirements updated")


# -- Rhetor -----------------------------------------------------------------------------------------------


@router.post(
    "/plans/{plan_id}/llm-analysis",
    tags=PEER_ONLY,
    response_model=Envelope[dict],
    summary="Rhetor's risks, optimizations, recommendations (validated JSON)",
)
async def llm_analysis(
    plan_id: str, body: LlmAnalysis, request: Request, db: Database = Depends(get_db)
) -> JSONResponse:
    facts = await run_in_threadpool(_facts, db, plan_id)
    out = await RhetorAdapter(_settings(request)).analyze_plan(facts, list(body.analysis_types))
    return ok(out)


@router.post(
    "/plans/{plan_id}/documents",
    tags=PEER_ONLY,
    response_model=Envelope[dict],
    summary="A document by Rhetor",
)
async def document(
    plan_id: str, body: DocumentRequest, request: Request, db: Database = Depends(get_db)
) -> JSONResponse:
    facts = await run_in_threadpool(_facts, db, plan_id)
    return ok(await RhetorAdapter(_settings(request)).generate_document(facts, body.document_type))


# -- Engram -----------------------------------------------------------------------------------------------


@router.post(
    "/plans/{plan_id}/memory",
    response_model=Envelope[dict],
    summary="Remember a plan (Engram, or the local store)",
)
async def remember_plan(plan_id: str, request: Request, db: Database = Depends(get_db)) -> JSONResponse:
    def read():  # noqa: ANN202
        with db.store(write=False) as s:
            return s.get_plan(plan_id)

    plan = await run_in_threadpool(read)
    engram = EngramConnector(_settings(request), db)
    data = {
        "name": plan.name,
        "description": plan.description,
        "tags": plan.tags,
        "tasks": [
            {"name": t.name, "description": t.description, "duration": t.duration, "unit": t.duration_unit}
            for t in plan.tasks or []
        ],
    }
    record = await engram.store_plan(plan_id, data, {"plan_name": plan.name})
    links = [
        {"type": "requirement", "target_id": t.metadata["requirement_id"], "task_id": t.id}
        for t in plan.tasks or []
        if isinstance(t.metadata.get("requirement_id"), str)
    ]
    await engram.store_plan_relationships(plan_id, links)
    return ok(record, f"plan remembered ({record['backend']})")


@router.get("/memory/search", response_model=Envelope[dict], summary="Similar memories (plans by default)")
async def memory_search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=2000),
    namespace: str | None = Query("prometheus.plans", max_length=200),
    limit: int = Query(5, ge=1, le=100),
    db: Database = Depends(get_db),
) -> JSONResponse:
    return ok(
        await EngramConnector(_settings(request), db).search(q, namespace=namespace or None, limit=limit)
    )


@router.put("/memory/{namespace}/{key}", response_model=Envelope[dict], summary="Store under namespace/key")
async def memory_put(
    namespace: str, key: str, body: MemoryPut, request: Request, db: Database = Depends(get_db)
) -> JSONResponse:
    if len(namespace) > 200 or len(key) > 300:
        raise ValidationFailed("namespace is at most 200 characters, key at most 300")
    engram = EngramConnector(_settings(request), db)
    return ok(await engram.store(namespace, key, body.data, body.metadata, vector_embed=body.vector_embed))


@router.get("/memory/{namespace}/{key}", response_model=Envelope[dict], summary="What is stored there")
async def memory_get(
    namespace: str, key: str, request: Request, db: Database = Depends(get_db)
) -> JSONResponse:
    return ok(await EngramConnector(_settings(request), db).retrieve(namespace, key))


# -- Synthesis --------------------------------------------------------------------------------------------


@router.get(
    "/plans/{plan_id}/for-execution",
    response_model=Envelope[dict],
    summary="Steps with dependencies, in an order that respects every link",
)
def for_execution(plan_id: str, db: Database = Depends(get_db)) -> JSONResponse:
    plan, steps = peers.plan_steps(db, plan_id)
    return ok({"plan_id": plan["id"], "name": plan["name"], "steps": steps}, f"{len(steps)} steps")


@router.post(
    "/plans/{plan_id}/executions",
    status_code=201,
    tags=PEER_ONLY,
    response_model=Envelope[dict],
    summary="Start executing a plan on Synthesis",
)
async def start_execution(plan_id: str, request: Request, db: Database = Depends(get_db)) -> JSONResponse:
    synthesis = SynthesisConnector(_settings(request))
    await synthesis.client.resolve()  # not configured: INTEGRATION_UNAVAILABLE before anything is recorded
    plan, steps = await run_in_threadpool(peers.plan_steps, db, plan_id)

    def create():  # noqa: ANN202
        with db.store() as s:
            return s.create_execution(plan_id, 0, steps)

    record = await run_in_threadpool(create)
    try:
        answer = await synthesis.start_execution(peers.for_synthesis(plan, steps, record["id"]))
    except Exception as exc:
        await run_in_threadpool(_finish, db, record["id"], "error", getattr(exc, "message", str(exc)))
        raise
    status = (
        answer.get("status") if answer.get("status") in ("pending", "running", "completed") else "running"
    )

    def started():  # noqa: ANN202
        with db.store() as s:
            return s.update_execution(record["id"], synthesis_id=str(answer["executionId"]), status=status)

    return ok(await run_in_threadpool(started), "execution started", status_code=201)


def _finish(db: Database, execution_id: str, status: str, error: str) -> None:
    with db.store() as s:
        s.update_execution(execution_id, status=status, error=error)


@router.get("/plans/{plan_id}/executions", response_model=Envelope[list[dict]], summary="A plan's executions")
def list_executions(plan_id: str, db: Database = Depends(get_db)) -> JSONResponse:
    with db.store(write=False) as s:
        s.get_plan(plan_id, include_children=False)
        return ok(s.list_executions(plan_id))


@router.get(
    "/executions/{execution_id}",
    response_model=Envelope[dict],
    summary="An execution, refreshed from Synthesis (and adjusted if its plan changed)",
)
async def get_execution(
    execution_id: str, request: Request, db: Database = Depends(get_db), refresh: bool = True
) -> JSONResponse:
    def read():  # noqa: ANN202
        with db.store(write=False) as s:
            return s.get_execution(execution_id)

    execution = await run_in_threadpool(read)
    if refresh:
        execution = await peers.refresh(db, _settings(request), execution)
    return ok(execution)


@router.post("/executions/callbacks", response_model=Envelope[dict], summary="Progress pushed by Synthesis")
def execution_callback(body: ExecutionCallback, db: Database = Depends(get_db)) -> JSONResponse:
    with db.store(write=False) as s:
        execution = s.get_execution(body.execution_id)
    steps = {body.step_id: body.step_status} if body.step_id and body.step_status else {}
    if body.step_id and body.step_id not in {s["id"] for s in execution["steps"]}:
        raise NotFound(f"execution {body.execution_id} has no step {body.step_id}")
    return ok(peers.apply_progress(db, execution, body.status, steps), "progress recorded")


# -- Hermes -----------------------------------------------------------------------------------------------


@router.post("/events", response_model=Envelope[dict], summary="Events delivered by Hermes")
def incoming_event(body: IncomingEvent, db: Database = Depends(get_db)) -> JSONResponse:
    handler = peers.HANDLERS.get(body.type)
    if handler is None:
        return ok(
            {
                "handled": False,
                "type": body.type,
                "reason": f"not subscribed; handled: {sorted(peers.HANDLERS)}",
            },
            "event ignored",
        )
    return ok(handler(db, body.data) | {"type": body.type}, "event handled")
