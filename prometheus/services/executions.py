"""Use cases of plans executed by Synthesis: an execution opened before Synthesis is asked and then started
or failed by its answer; what Synthesis reports applied in one transaction (the tasks, the execution's
record, the plan's own status, and an adjustment when the plan changed while it runs); an execution
started elsewhere adopted. Asking Synthesis and telling Engram stay with the callers (the routes,
events/executions.py): no transaction is held open over the network."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, partial
from typing import Any

from prometheus.core.execution import adjustment, execution_plan, execution_steps, match_steps
from prometheus.core.inputs import PlanPatch, ProgressUpdate
from prometheus.core.model import Plan, PlanStatus, Task, TaskStatus
from prometheus.errors import NotFound, ResourceConflict, ValidationFailed
from prometheus.integrations.engram import completion_record
from prometheus.integrations.synthesis import FINAL
from prometheus.services.changes import TasksChanged
from prometheus.services.context import Context
from prometheus.store.repository import Store

DONE = (TaskStatus.completed, TaskStatus.cancelled)
STATUSES = ("pending", "running", "completed", "failed", "error", "cancelled")  # of an execution
STEP_STATUS = {"running": TaskStatus.in_progress, "in_progress": TaskStatus.in_progress,
               "completed": TaskStatus.completed, "failed": TaskStatus.blocked}  # fmt: skip
Progress = tuple[dict[str, Any], list[dict[str, Any]]]  # the execution; what Engram is to remember


def _steps(ctx: Context, plan: Plan) -> dict:
    """The plan in the integration guide's shape (`name, description, source, source_id, steps`), its steps
    in an order that respects every link."""
    return execution_plan(plan, execution_steps(plan, ctx.plans.schedule(plan, ctx.today())))


def plan_steps(ctx: Context, plan_id: str) -> dict:
    """The plan for Synthesis (the kept plan, when it is at the plan's revision)."""
    return _steps(ctx, ctx.plans.plan(ctx.db, plan_id))


def open_execution(ctx: Context, plan_id: str, plan: dict) -> dict:
    """The record of an execution about to be handed to Synthesis (`plan`: plan_steps' answer); steps
    already done are not sent."""
    with ctx.db.store() as store:
        return store.create_execution(plan_id, 0, [st | {"sent": not st["done"]} for st in plan["steps"]])


def execution_started(ctx: Context, execution_id: str, synthesis_id: str, status: str) -> Progress:
    """Synthesis took the execution: its id and status recorded, the plan's status following."""
    with ctx.db.store() as store:
        execution = store.update_execution(execution_id, synthesis_id=synthesis_id, status=status)
        execution, finished, kept = _progress(ctx, store, execution, status, {})
    kept()
    return execution, finished


def execution_failed(ctx: Context, execution_id: str, reason: str) -> dict:
    """The execution is in error, no longer followed (Synthesis refused it, or no longer knows it)."""
    with ctx.db.store() as store:
        return store.update_execution(execution_id, status="error", error=reason)


def apply_progress(ctx: Context, execution: dict, status: str | None, steps: dict[str, str]) -> Progress:
    """Synthesis's word on an execution (overall status; its step id -> step status), in one transaction."""
    with ctx.db.store() as store:
        execution, finished, kept = _progress(ctx, store, execution, status, steps)
    kept()
    return execution, finished


def adjust(ctx: Context, execution: dict) -> dict:
    """Record what changed in the plan under a running execution (one adjustment), if anything did."""
    if execution["status"] in FINAL:
        return execution
    with ctx.db.store() as store:
        plan = _plan(ctx, store, execution["plan_id"])
        return execution if plan is None else _adjust(ctx, store, execution, plan)


def adopt(ctx: Context, synthesis_id: str, plan_id: str, given: list[dict]) -> dict:
    """Record an execution started elsewhere (the guide's `SynthesisConnector.start_execution`), so that
    Prometheus follows it: its steps matched to the plan's tasks (`step_id` keeps Synthesis's id). Once:
    callbacks racing to adopt it get the one record (each made its own, and later progress reached one)."""
    with ctx.db.store() as store:
        plan = ctx.plans.locked(store, plan_id)
        try:
            return store.get_execution(synthesis_id)  # adopted by a callback that held the lock first
        except NotFound:
            pass
        steps = _steps(ctx, plan)["steps"]
        if given:
            step_of = {tid: sid for sid, tid in match_steps(plan.tasks or [], given).items()}
            steps = [s | {"step_id": step_of[s["id"]], "sent": True} for s in steps if s["id"] in step_of]
            if not steps:
                raise ValidationFailed(f"none of the execution's steps stands for a task of plan {plan_id}")
        record = store.create_execution(plan_id, plan.version, steps)
        record = store.update_execution(record["id"], synthesis_id=synthesis_id, status="running")
        _follow_plan(store, plan, "running")
        kept = _kept_on(ctx, store, plan_id, [])
    kept()
    return record


def running(ctx: Context) -> list[dict[str, Any]]:
    """The executions Synthesis runs that are not finished yet (to poll)."""
    with ctx.db.store(write=False) as store:
        return [e for e in store.list_executions(active=True) if e["synthesis_id"]]


def _progress(
    ctx: Context, store: Store, execution: dict, status: str | None, steps: dict[str, str]
) -> tuple[dict[str, Any], list[dict[str, Any]], Callable[[], None]]:
    """Progress applied in `store`'s transaction, with what moves the kept plan on once it is committed."""
    plan_id = execution["plan_id"]
    task_of = {s.get("step_id", s["id"]): s["id"] for s in execution["steps"]}
    moves = {
        task_of[sid]: STEP_STATUS[st] for sid, st in steps.items() if sid in task_of and st in STEP_STATUS
    }
    if status == "completed":  # every step Synthesis was given is done (not those added since)
        sent = [s["id"] for s in execution["steps"] if s.get("sent", True)]
        moves |= dict.fromkeys(sent, TaskStatus.completed)
    plan = _plan(ctx, store, plan_id) if moves or status or execution["status"] not in FINAL else None
    if status and (now := store.get_execution(execution["id"])["status"]) in FINAL and status != now:
        # as it stands under the plan's lock: a late or replayed callback reopened a finished execution
        # (and moved its plan's status back)
        raise ResourceConflict(f"execution {execution['id']} is {now}; a finished execution stays so")
    moved, finished = _move_tasks(ctx, store, plan, moves) if plan is not None else ([], [])
    if status and status != execution["status"]:
        execution = store.update_execution(execution["id"], status=status)
    if plan is None:
        return execution, finished, _kept_on(ctx, store, plan_id, moved)
    plan = TasksChanged(moved, store.plan_header(plan_id)).plan(plan) if moved else plan
    if status:
        _follow_plan(store, plan, status)
    execution = _adjust(ctx, store, execution, plan)
    return execution, finished, _kept_on(ctx, store, plan_id, moved)


def _plan(ctx: Context, store: Store, plan_id: str) -> Plan | None:
    """The plan as this transaction sees it (the kept plan when it is at the revision locked)."""
    try:
        return ctx.plans.locked(store, plan_id)
    except NotFound:
        return None


def _move_tasks(
    ctx: Context, store: Store, plan: Plan, moves: dict[str, TaskStatus]
) -> tuple[list[Task], list[dict]]:
    """Move tasks to these statuses (progress dates follow, all from one schedule of the plan as it was);
    the tasks moved, and what to remember of those that just finished. A stale poll never reopens a
    finished task."""
    before = {t.id: t.status for t in plan.tasks or []}
    moves = {
        tid: st
        for tid, st in moves.items()
        if tid in before and before[tid] != st and not (before[tid] in DONE and st not in DONE)
    }
    if not moves:
        return [], []
    schedule = cache(partial(ctx.plans.schedule, plan, ctx.today()))  # once for all of them
    moved = store.update_progress_many(
        plan.id, {tid: ProgressUpdate(status=st) for tid, st in moves.items()}, schedule
    )
    calendar = store.plan_header(plan.id).calendar
    finished = [
        completion_record(t, plan.id, calendar)
        for t in moved
        if t.status is TaskStatus.completed and t.actual_start is not None
    ]
    return moved, finished


def _kept_on(ctx: Context, store: Store, plan_id: str, moved: list[Task]) -> Callable[[], None]:
    """What moves the kept plan on, after the commit, by this transaction's changes (`moved`: the tasks it
    changed; the plan's own fields as they are now)."""
    base, revision = store.revision_change(plan_id)
    if revision is None:  # the plan is as it was
        return lambda: None
    try:
        change = TasksChanged(moved, store.plan_header(plan_id))
    except NotFound:
        return partial(ctx.plans.drop, plan_id)
    return partial(ctx.plans.advance, plan_id, base, revision, change)


def _follow_plan(store: Store, plan: Plan, status: str) -> None:
    """The plan's own status follows its execution: a draft becomes active when it runs, and the plan is
    completed when every one of its work tasks is."""
    parents = {t.parent_id for t in plan.tasks or []}
    work = [t for t in plan.tasks or [] if t.id not in parents]
    if status in ("pending", "running") and plan.status is PlanStatus.draft:
        store.update_plan(plan.id, PlanPatch(status=PlanStatus.active), None)
    elif (
        status == "completed"
        and work
        and all(t.status in DONE for t in work)
        and plan.status in (PlanStatus.draft, PlanStatus.active, PlanStatus.on_hold)
    ):
        store.update_plan(plan.id, PlanPatch(status=PlanStatus.completed), None)


def _adjust(ctx: Context, store: Store, execution: dict, plan: Plan) -> dict:
    if execution["status"] in FINAL:
        return execution
    steps = _steps(ctx, plan)["steps"]
    before = {s["id"]: s for s in execution["steps"]}
    if any("step_id" in s for s in before.values()):  # started elsewhere: covers its steps' tasks only
        steps = [s for s in steps if s["id"] in before]
    # what Synthesis was given stays as it was: its own step ids, and whether it has the step at all
    steps = [s | {k: before[s["id"]][k] for k in ("step_id", "sent") if k in before.get(s["id"], {})}
             | ({} if s["id"] in before else {"sent": False}) for s in steps]  # fmt: skip
    change = adjustment(execution["steps"], steps)
    if change is None:
        return execution
    change["at"] = ctx.clock().isoformat()
    out = store.update_execution(
        execution["id"], steps=steps, adjustments=[*execution["adjustments"], change]
    )
    store.emit("execution.adjusted", execution["plan_id"], {"id": execution["id"], **change})
    return out
