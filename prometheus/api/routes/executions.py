"""Synthesis executions (start, follow, callbacks, plans in execution form) and the events Hermes delivers."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from prometheus.api.answers.peers import EventHandled, Execution, ExecutionPlan
from prometheus.api.deps import get_db
from prometheus.api.envelope import ERROR_RESPONSES, Envelope, ok
from prometheus.core.execution import synthesis_plan
from prometheus.core.inputs import Input
from prometheus.errors import NotFound, ValidationFailed
from prometheus.events import executions, peers
from prometheus.integrations.http import IntegrationUnavailable
from prometheus.integrations.synthesis import SynthesisConnector
from prometheus.store import Database

router = APIRouter(prefix="/api", tags=["integrations"], responses=ERROR_RESPONSES)


class GivenStep(Input):
    id: str = Field(min_length=1, max_length=200)
    name: str | None = Field(None, max_length=500)
    parameters: dict[str, Any] | None = None


class ExecutionCallback(Input):
    execution_id: str = Field(min_length=1, max_length=200, description="Synthesis's, or Prometheus's")
    status: Literal["pending", "running", "completed", "failed", "error", "cancelled"] | None = None
    step_id: str | None = Field(None, max_length=200)
    step_status: Literal["pending", "running", "completed", "failed"] | None = None
    plan_id: str | None = Field(None, max_length=200, description="an execution started elsewhere: its plan")
    steps: list[GivenStep] = Field(default_factory=list, max_length=100_000, description="and its steps")


class IncomingEvent(BaseModel):
    """The guide's `{type, payload}`, also `{type, data}`, or a Hermes channel message `{channel, message}`;
    other fields (ids, timestamps, sender) are ignored."""

    model_config = ConfigDict(extra="ignore")

    type: str | None = Field(None, min_length=1, max_length=200, description="e.g. telos.requirement.updated")
    channel: str | None = Field(
        None, min_length=1, max_length=200, description="the same, as Hermes names it"
    )
    payload: dict[str, Any] | None = Field(None, description="the event's data (as the guide sends it)")
    data: dict[str, Any] | None = None
    message: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_body(self) -> IncomingEvent:
        if not (self.type or self.channel):
            raise ValueError("an event needs its type")
        if len([b for b in (self.payload, self.data, self.message) if b is not None]) > 1:
            raise ValueError("give the event's data once: payload, data or message")
        return self

    @property
    def kind(self) -> str:
        return str(self.type or self.channel)

    @property
    def body(self) -> dict[str, Any]:
        return self.payload or self.data or self.message or {}


@router.get(
    "/plans/{plan_id}/for-execution",
    response_model=Envelope[ExecutionPlan],
    summary="The plan as Synthesis steps (the guide's execution plan), in an order that respects every link",
)
def for_execution(plan_id: str, db: Database = Depends(get_db)) -> JSONResponse:
    plan = executions.plan_steps(db, plan_id)
    return ok(plan, f"{len(plan['steps'])} steps")


@router.post(
    "/plans/{plan_id}/executions",
    status_code=201,
    tags=["peers"],
    response_model=Envelope[Execution],
    summary="Start executing a plan on Synthesis",
)
async def start_execution(plan_id: str, request: Request, db: Database = Depends(get_db)) -> JSONResponse:
    synthesis = SynthesisConnector(settings=request.app.state.settings)
    await synthesis.client.resolve()  # turned off: INTEGRATION_UNAVAILABLE before anything is recorded
    plan = await run_in_threadpool(executions.plan_steps, db, plan_id)

    def create():  # noqa: ANN202
        with db.store() as s:
            return s.create_execution(plan_id, 0, [st | {"sent": not st["done"]} for st in plan["steps"]])

    record = await run_in_threadpool(create)
    try:
        wire = synthesis_plan(plan | {"metadata": {"prometheus_execution_id": record["id"]}})
        answer = await synthesis.submit(wire)
    except Exception as exc:
        await run_in_threadpool(_finish, db, record["id"], "error", getattr(exc, "message", str(exc)))
        if isinstance(exc, ValueError):
            raise ValidationFailed(f"the plan cannot run on Synthesis: {exc}") from None
        raise
    status = (
        answer.get("status") if answer.get("status") in ("pending", "running", "completed") else "running"
    )

    def started():  # noqa: ANN202
        with db.store() as s:
            out = s.update_execution(record["id"], synthesis_id=str(answer["executionId"]), status=status)
        executions.apply_progress(db, out, status, {})  # the plan's status follows
        return out

    return ok(await run_in_threadpool(started), "execution started", status_code=201)


def _finish(db: Database, execution_id: str, status: str, error: str) -> None:
    with db.store() as s:
        s.update_execution(execution_id, status=status, error=error)


@router.get(
    "/plans/{plan_id}/executions", response_model=Envelope[list[Execution]], summary="A plan's executions"
)
def list_executions(plan_id: str, db: Database = Depends(get_db)) -> JSONResponse:
    with db.store(write=False) as s:
        s.get_plan(plan_id, include_children=False)
        return ok(s.list_executions(plan_id))


@router.get(
    "/executions/{execution_id}",
    response_model=Envelope[Execution],
    summary="An execution, refreshed from Synthesis when it answers (and adjusted if its plan changed)",
)
async def get_execution(
    execution_id: str, request: Request, db: Database = Depends(get_db), refresh: bool = True
) -> JSONResponse:
    def read():  # noqa: ANN202
        with db.store(write=False) as s:
            return s.get_execution(execution_id)

    execution = await run_in_threadpool(read)
    if refresh:
        try:
            execution = await executions.refresh(db, request.app.state.settings, execution)
        except IntegrationUnavailable as exc:  # what is on record, and why it is not fresher
            return ok(execution | {"refreshed": False, "reason": exc.message}, "Synthesis did not answer")
    return ok(execution | {"refreshed": refresh})


@router.post(
    "/executions/callbacks",
    response_model=Envelope[Execution],
    summary="Progress pushed for an execution; an execution started elsewhere is registered (plan_id, steps)",
)
async def execution_callback(
    body: ExecutionCallback, request: Request, background: BackgroundTasks, db: Database = Depends(get_db)
) -> JSONResponse:
    def apply():  # noqa: ANN202
        with db.store(write=False) as s:
            try:
                execution = s.get_execution(body.execution_id)
            except NotFound:
                if body.plan_id is None:
                    raise
                execution = None
        if execution is None:  # Synthesis has no subscriptions: Prometheus follows it from now on
            given = [step.model_dump(exclude_none=True) for step in body.steps]
            execution = executions.adopt(db, body.execution_id, body.plan_id, given)
        known = {s.get("step_id", s["id"]) for s in execution["steps"]}
        if body.step_id and body.step_id not in known:
            raise NotFound(f"execution {body.execution_id} has no step {body.step_id}")
        steps = {body.step_id: body.step_status} if body.step_id and body.step_status else {}
        return executions.apply_progress(db, execution, body.status, steps)

    execution, finished = await run_in_threadpool(apply)
    background.add_task(executions.remember, request.app.state.settings, finished)
    return ok(execution, "progress recorded")


@router.post("/events", response_model=Envelope[EventHandled], summary="Events delivered by Hermes")
async def incoming_event(
    body: IncomingEvent, request: Request, background: BackgroundTasks, db: Database = Depends(get_db)
) -> JSONResponse:
    handler = peers.HANDLERS.get(body.kind)
    if handler is None:
        return ok(
            {
                "handled": False,
                "type": body.kind,
                "reason": f"not subscribed; handled: {sorted(peers.HANDLERS)}",
            },
            "event ignored",
        )
    result, finished = await run_in_threadpool(handler, db, body.body)
    background.add_task(executions.remember, request.app.state.settings, finished)
    return ok(result | {"type": body.kind}, "event handled")
