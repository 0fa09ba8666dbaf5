"""Plans executed by Synthesis, followed: the steps handed over, what Synthesis reports (polled, or pushed to
`POST /api/executions/callbacks`) applied to the tasks and to the plan's own status, finished tasks
remembered in Engram, and adjustments recorded when a plan changes while it runs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool

from prometheus.config import Settings
from prometheus.core import analysis
from prometheus.core.execution import adjustment, execution_plan, execution_steps, match_steps
from prometheus.core.inputs import PlanPatch, ProgressUpdate
from prometheus.core.model import PlanStatus, TaskStatus
from prometheus.errors import NotFound, ValidationFailed
from prometheus.integrations.engram import EngramConnector, completion_record
from prometheus.integrations.http import IntegrationUnavailable
from prometheus.integrations.synthesis import FINAL, SynthesisConnector
from prometheus.store import Database

log = logging.getLogger("prometheus.integration")
DONE = (TaskStatus.completed, TaskStatus.cancelled)
STATUSES = ("pending", "running", "completed", "failed", "error", "cancelled")  # of an execution
STEP_STATUS = {"running": TaskStatus.in_progress, "in_progress": TaskStatus.in_progress,
               "completed": TaskStatus.completed, "failed": TaskStatus.blocked}  # fmt: skip


def plan_steps(db: Database, plan_id: str) -> dict:
    """The plan for Synthesis, in the integration guide's shape (`name, description, source, source_id,
    steps`), its steps in an order that respects every link."""
    with db.store(write=False) as s:
        plan = s.get_plan(plan_id)
    schedule = analysis.schedule_plan(plan, datetime.now(UTC).date())
    return execution_plan(plan, execution_steps(plan, schedule))


def _set_task_status(db: Database, plan_id: str, task_id: str, status: TaskStatus) -> dict | None:
    """Move a task to `status` (progress dates follow); what to remember of it when it just finished."""
    with db.store() as s:
        try:
            task = s.get_task(plan_id, task_id)
        except NotFound:
            return None
        if task.status == status or (task.status in DONE and status not in DONE):
            return None  # a stale poll never reopens a finished task
        task = s.update_progress(plan_id, task_id, ProgressUpdate(status=status), None)
        if status is not TaskStatus.completed or task.actual_start is None:
            return None
        return completion_record(task, plan_id, s.get_plan(plan_id, include_children=False).calendar)


def _follow_plan(db: Database, plan_id: str, status: str) -> None:
    """The plan's own status follows its execution: a draft becomes active when it runs, and the plan is
    completed when every one of its work tasks is."""
    with db.store() as s:
        try:
            plan = s.get_plan(plan_id)
        except NotFound:
            return
        parents = {t.parent_id for t in plan.tasks or []}
        work = [t for t in plan.tasks or [] if t.id not in parents]
        if status in ("pending", "running") and plan.status is PlanStatus.draft:
            s.update_plan(plan_id, PlanPatch(status=PlanStatus.active), None)
        elif (
            status == "completed"
            and work
            and all(t.status in DONE for t in work)
            and plan.status in (PlanStatus.draft, PlanStatus.active, PlanStatus.on_hold)
        ):
            s.update_plan(plan_id, PlanPatch(status=PlanStatus.completed), None)


def adjust(db: Database, execution: dict) -> dict:
    """When the plan changed under a running execution: record what changed (one adjustment)."""
    if execution["status"] in FINAL:
        return execution
    try:
        steps = plan_steps(db, execution["plan_id"])["steps"]
    except NotFound:
        return execution
    before = {s["id"]: s for s in execution["steps"]}
    if any("step_id" in s for s in before.values()):  # started elsewhere: covers its steps' tasks only
        steps = [s for s in steps if s["id"] in before]
    # what Synthesis was given stays as it was: its own step ids, and whether it has the step at all
    steps = [s | {k: before[s["id"]][k] for k in ("step_id", "sent") if k in before.get(s["id"], {})}
             | ({} if s["id"] in before else {"sent": False}) for s in steps]  # fmt: skip
    change = adjustment(execution["steps"], steps)
    if change is None:
        return execution
    change["at"] = datetime.now(UTC).isoformat()
    with db.store() as s:
        out = s.update_execution(
            execution["id"], steps=steps, adjustments=[*execution["adjustments"], change]
        )
        s.emit("execution.adjusted", execution["plan_id"], {"id": execution["id"], **change})
    return out


def apply_progress(
    db: Database, execution: dict, status: str | None, steps: dict[str, str]
) -> tuple[dict, list[dict]]:
    """Synthesis's word on an execution (overall status; its step id -> step status) into the tasks, the
    plan and the record. Returns the execution and what to remember of the tasks it finished."""
    plan_id = execution["plan_id"]
    task_of = {s.get("step_id", s["id"]): s["id"] for s in execution["steps"]}
    moves = {
        task_of[sid]: STEP_STATUS[st] for sid, st in steps.items() if sid in task_of and st in STEP_STATUS
    }
    if status == "completed":  # every step Synthesis was given is done (not those added since)
        sent = [s["id"] for s in execution["steps"] if s.get("sent", True)]
        moves |= dict.fromkeys(sent, TaskStatus.completed)
    finished = [r for tid, st in moves.items() if (r := _set_task_status(db, plan_id, tid, st))]
    if status and status != execution["status"]:
        with db.store() as s:
            execution = s.update_execution(execution["id"], status=status)
    if status:
        _follow_plan(db, plan_id, status)
    return adjust(db, execution), finished


def adopt(db: Database, synthesis_id: str, plan_id: str, given: list[dict]) -> dict:
    """Record an execution started elsewhere (the guide's `SynthesisConnector.start_execution`), so that
    Prometheus follows it: its steps matched to the plan's tasks (`step_id` keeps Synthesis's id)."""
    with db.store(write=False) as s:
        plan = s.get_plan(plan_id)
    steps = plan_steps(db, plan_id)["steps"]
    if given:
        step_of = {tid: sid for sid, tid in match_steps(plan.tasks or [], given).items()}
        steps = [s | {"step_id": step_of[s["id"]], "sent": True} for s in steps if s["id"] in step_of]
        if not steps:
            raise ValidationFailed(f"none of the execution's steps stands for a task of plan {plan_id}")
    with db.store() as s:
        record = s.create_execution(plan_id, plan.version, steps)
        record = s.update_execution(record["id"], synthesis_id=synthesis_id, status="running")
    _follow_plan(db, plan_id, "running")
    return record


def step_states(data: dict) -> dict[str, str]:
    """Step states from a Synthesis execution record (`data.step_results` / `results` by step id)."""
    inner = data.get("data") if isinstance(data.get("data"), dict) else data
    results = inner.get("step_results") or inner.get("results") or {}
    out = {}
    if isinstance(results, dict):
        for step_id, r in results.items():
            state = r.get("status") if isinstance(r, dict) else r
            if isinstance(state, str):
                out[str(step_id)] = state
    return out


async def remember(settings: Settings, finished: list[dict]) -> None:
    """Finished tasks into Engram, as for those finished through the progress route."""
    engram = EngramConnector(settings=settings)
    for record in finished:
        await engram.remember_safely(record)


def _lost(db: Database, execution: dict, reason: str) -> dict:
    with db.store() as s:
        return s.update_execution(execution["id"], status="error", error=reason)


async def refresh(db: Database, settings: Settings, execution: dict) -> dict:
    """Ask Synthesis where an execution stands and apply it (an execution Synthesis does not know is an
    error, and no longer followed); IntegrationUnavailable when Synthesis cannot say."""
    if not execution["synthesis_id"] or execution["status"] in FINAL:
        return await run_in_threadpool(adjust, db, execution)
    try:
        data = await SynthesisConnector(settings=settings).get_execution(execution["synthesis_id"])
    except IntegrationUnavailable as exc:
        if exc.details.get("status") != 404:
            raise
        reason = f"Synthesis does not know execution {execution['synthesis_id']}"
        return await run_in_threadpool(_lost, db, execution, reason)
    status = data.get("status") if data.get("status") in STATUSES else None
    execution, finished = await run_in_threadpool(apply_progress, db, execution, status, step_states(data))
    await remember(settings, finished)
    return execution


def running(db: Database) -> list[dict[str, Any]]:
    with db.store(write=False) as s:
        return [e for e in s.list_executions(active=True) if e["synthesis_id"]]
