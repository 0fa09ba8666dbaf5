"""Synthesis executions (start, follow, callbacks, plans in execution form) and the events Hermes delivers."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from prometheus.api.answers.peers import EventHandled, Execution, ExecutionPlan
from prometheus.api.deps import get_ctx
from prometheus.api.envelope import ERROR_RESPONSES, Envelope, ok
from prometheus.core.bounds import MAX_ID
from prometheus.core.execution import synthesis_plan
from prometheus.core.inputs import Input
from prometheus.errors import NotFound, ValidationFailed
from prometheus.events import executions as following
from prometheus.integrations.http import IntegrationUnavailable
from prometheus.integrations.synthesis import SynthesisConnector
from prometheus.services import Context, executions
from prometheus.services.reactions import HANDLERS

router = APIRouter(prefix="/api", tags=["integrations"], responses=ERROR_RESPONSES)


class GivenStep(Input):
    id: str = Field(min_length=1, max_length=MAX_ID)
    name: str | None = Field(None, max_length=500)
    parameters: dict[str, Any] | None = None


class ExecutionCallback(Input):
    execution_id: str = Field(min_length=1, max_length=MAX_ID, description="Synthesis's, or Prometheus's")
    status: Literal["pending", "running", "completed", "failed", "error", "cancelled"] | None = None
    step_id: str | None = Field(None, max_length=MAX_ID)
    step_status: Literal["pending", "running", "completed", "failed"] | None = None
    plan_id: str | None = Field(
        None, max_length=MAX_ID, description="an execution started elsewhere: its plan"
    )
    steps: list[GivenStep] = Field(default_factory=list, max_length=100_000, description="and its steps")


class IncomingEvent(Input):
    """The guide's `{type, payload}`, also `{type, data}`, or a Hermes channel message `{channel, message}`;
    other fields (ids, timestamps, sender) are ignored."""

    model_config = ConfigDict(extra="ignore")

    type: str | None = Field(
        None, min_length=1, max_length=MAX_ID, description="e.g. telos.requirement.updated"
    )
    channel: str | None = Field(
        None, min_length=1, max_length=MAX_ID, description="the same, as Hermes names it"
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
def for_execution(plan_id: str, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    plan = executions.plan_steps(ctx, plan_id)
    return ok(plan, f"{len(plan['steps'])} steps")


@router.post(
    "/plans/{plan_id}/executions",
    status_code=201,
    tags=["peers"],
    response_model=Envelope[Execution],
    summary="Start executing a plan on Synthesis",
)
async def start_execution(
    plan_id: str, request: Request, background: BackgroundTasks, ctx: Context = Depends(get_ctx)
) -> JSONResponse:
    synthesis = SynthesisConnector(settings=request.app.state.settings)
    await synthesis.client.resolve()  # turned off: INTEGRATION_UNAVAILABLE before anything is recorded
    plan = await run_in_threadpool(executions.plan_steps, ctx, plan_id)
    record = await run_in_threadpool(executions.open_execution, ctx, plan_id, plan)
    try:
        wire = synthesis_plan(plan | {"metadata": {"prometheus_execution_id": record["id"]}})
        answer = await synthesis.submit(wire)
    except Exception as exc:
        reason = getattr(exc, "message", str(exc))
        await run_in_threadpool(executions.execution_failed, ctx, record["id"], reason)
        if isinstance(exc, ValueError):
            raise ValidationFailed(f"the plan cannot run on Synthesis: {exc}") from None
        raise
    status = (
        answer.get("status") if answer.get("status") in ("pending", "running", "completed") else "running"
    )
    execution, finished = await run_in_threadpool(
        executions.execution_started, ctx, record["id"], str(answer["executionId"]), status
    )
    background.add_task(following.remember, ctx.engram, finished)
    return ok(execution, "execution started", status_code=201)


@router.get(
    "/plans/{plan_id}/executions", response_model=Envelope[list[Execution]], summary="A plan's executions"
)
def list_executions(plan_id: str, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    with ctx.db.store(write=False) as s:
        s.get_plan(plan_id, include_children=False)
        return ok(s.list_executions(plan_id))


@router.get(
    "/executions/{execution_id}",
    response_model=Envelope[Execution],
    summary="An execution, refreshed from Synthesis when it answers (and adjusted if its plan changed)",
)
async def get_execution(
    execution_id: str,
    request: Request,
    ctx: Context = Depends(get_ctx),
    refresh: bool = True,
) -> JSONResponse:
    def read():  # noqa: ANN202
        with ctx.db.store(write=False) as s:
            return s.get_execution(execution_id)

    execution = await run_in_threadpool(read)
    if refresh:
        try:
            execution = await following.refresh(ctx, request.app.state.settings, execution)
        except IntegrationUnavailable as exc:  # what is on record, and why it is not fresher
            return ok(execution | {"refreshed": False, "reason": exc.message}, "Synthesis did not answer")
    return ok(execution | {"refreshed": refresh})


@router.post(
    "/executions/callbacks",
    response_model=Envelope[Execution],
    summary="Progress pushed for an execution; an execution started elsewhere is registered (plan_id, steps)",
)
async def execution_callback(
    body: ExecutionCallback, background: BackgroundTasks, ctx: Context = Depends(get_ctx)
) -> JSONResponse:
    def apply():  # noqa: ANN202
        with ctx.db.store(write=False) as s:
            try:
                execution = s.get_execution(body.execution_id)
            except NotFound:
                if body.plan_id is None:
                    raise
                execution = None
        if execution is None:  # Synthesis has no subscriptions: Prometheus follows it from now on
            given = [step.model_dump(exclude_none=True) for step in body.steps]
            execution = executions.adopt(ctx, body.execution_id, body.plan_id, given)
        known = {s.get("step_id", s["id"]) for s in execution["steps"]}
        if body.step_id and body.step_id not in known:
            raise NotFound(f"execution {body.execution_id} has no step {body.step_id}")
        steps = {body.step_id: body.step_status} if body.step_id and body.step_status else {}
        return executions.apply_progress(ctx, execution, body.status, steps)

    execution, finished = await run_in_threadpool(apply)
    background.add_task(following.remember, ctx.engram, finished)
    return ok(execution, "progress recorded")


@router.post("/events", response_model=Envelope[EventHandled], summary="Events delivered by Hermes")
async def incoming_event(
    body: IncomingEvent, background: BackgroundTasks, ctx: Context = Depends(get_ctx)
) -> JSONResponse:
    handler = HANDLERS.get(body.kind)
    if handler is None:
        return ok(
            {"handled": False, "type": body.kind, "reason": f"not subscribed; handled: {sorted(HANDLERS)}"},
            "event ignored",
        )
    result, finished = await run_in_threadpool(handler, ctx, body.body)
    background.add_task(following.remember, ctx.engram, finished)
    return ok(result | {"type": body.kind}, "event handled")
