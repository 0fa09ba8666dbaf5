"""Keeping the Tekton peers in step with the plans: Hermes registration and `prometheus.plan.updated`
publishing, task status pushed to Telos, Synthesis executions followed (polling and callbacks) and
adjusted when their plan changes, and the events Hermes delivers to `POST /api/events`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool

from prometheus.config import Settings
from prometheus.core import analysis
from prometheus.core.execution import adjustment, execution_steps
from prometheus.core.model import ProgressUpdate, TaskPatch, TaskStatus
from prometheus.errors import NotFound, ValidationFailed
from prometheus.integrations.hermes import PUBLISHES, HermesConnector
from prometheus.integrations.http import IntegrationUnavailable
from prometheus.integrations.synthesis import FINAL, SynthesisConnector
from prometheus.integrations.telos import TelosConnector
from prometheus.store import Database

log = logging.getLogger("prometheus.integration")
DONE = (TaskStatus.completed, TaskStatus.cancelled)
PLAN_EVENTS = ("prometheus.plan.", "prometheus.task.", "prometheus.dependency.", "prometheus.resource.")
STEP_STATUS = {"running": TaskStatus.in_progress, "in_progress": TaskStatus.in_progress,
               "completed": TaskStatus.completed, "failed": TaskStatus.blocked}  # fmt: skip


# -- executions -----------------------------------------------------------------------------------------


def plan_steps(db: Database, plan_id: str) -> tuple[dict, list[dict]]:
    """The plan (its id, name) and its steps for Synthesis, in an order that respects every link."""
    with db.store(write=False) as s:
        plan = s.get_plan(plan_id)
    schedule = analysis.schedule_plan(plan, datetime.now(UTC).date())
    return {"id": plan.id, "name": plan.name, "description": plan.description}, execution_steps(
        plan, schedule
    )


def for_synthesis(plan: dict, steps: list[dict], execution_id: str) -> dict:
    """The request body Synthesis takes: what is left to do, as its step fields."""
    keep = ("id", "type", "parameters", "dependencies", "timeout")
    return {"plan_id": plan["id"], "name": plan["name"], "description": plan.get("description", ""),
            "steps": [{k: s[k] for k in keep} for s in steps if not s["done"]],
            "metadata": {"source": "prometheus", "prometheus_execution_id": execution_id}}  # fmt: skip


def set_task_status(db: Database, plan_id: str, task_id: str, status: TaskStatus) -> bool:
    """Move a task to `status` (progress dates follow); False when it is gone or already there."""
    with db.store() as s:
        try:
            task = s.get_task(plan_id, task_id)
        except NotFound:
            return False
        if task.status == status or (task.status in DONE and status not in DONE):
            return False  # a stale poll never reopens a finished task
        s.update_progress(plan_id, task_id, ProgressUpdate(status=status), None)
    return True


def adjust(db: Database, execution: dict) -> dict:
    """When the plan changed under a running execution: record what changed (one adjustment)."""
    if execution["status"] in FINAL:
        return execution
    try:
        _, steps = plan_steps(db, execution["plan_id"])
    except NotFound:
        return execution
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


def apply_progress(db: Database, execution: dict, status: str | None, steps: dict[str, str]) -> dict:
    """Synthesis's word on an execution (overall status, step id -> step status) into tasks and record."""
    plan_id = execution["plan_id"]
    known = {s["id"] for s in execution["steps"]}
    for step_id, step_status in steps.items():
        if step_id in known and step_status in STEP_STATUS:
            set_task_status(db, plan_id, step_id, STEP_STATUS[step_status])
    if status == "completed":
        for step in execution["steps"]:
            set_task_status(db, plan_id, step["id"], TaskStatus.completed)
    if status and status != execution["status"]:
        with db.store() as s:
            execution = s.update_execution(execution["id"], status=status)
    return adjust(db, execution)


def _step_states(data: dict) -> dict[str, str]:
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


async def refresh(db: Database, settings: Settings, execution: dict) -> dict:
    """Ask Synthesis where an execution stands and apply it."""
    if not execution["synthesis_id"] or execution["status"] in FINAL:
        return await run_in_threadpool(adjust, db, execution)
    data = await SynthesisConnector(settings).get_execution(execution["synthesis_id"])
    status = data.get("status") if isinstance(data.get("status"), str) else None
    return await run_in_threadpool(apply_progress, db, execution, status, _step_states(data))


# -- incoming events (Hermes) ----------------------------------------------------------------------------


def requirement_updated(db: Database, data: dict) -> dict:
    """`telos.requirement.updated`: the traced tasks take the requirement's new title, description, status."""
    rid = data.get("requirement_id")
    if not rid:
        raise ValidationFailed("telos.requirement.updated needs data.requirement_id")
    changes = data.get("changes") if isinstance(data.get("changes"), dict) else data
    updated = []
    with db.store() as s:
        for task in s.traced_tasks(str(rid), data.get("project_id")):
            patch: dict[str, Any] = {}
            if isinstance(changes.get("title"), str) and changes["title"].strip():
                patch["name"] = changes["title"].strip()[:500]
            if isinstance(changes.get("description"), str):
                patch["description"] = changes["description"]
            if patch:
                s.update_task(task.plan_id, task.id, TaskPatch(**patch), None)
                updated.append(task.id)
    return {"handled": True, "tasks_updated": updated}


def execution_completed(db: Database, data: dict) -> dict:
    """`synthesis.execution.completed`: the execution's tasks are done (or the failed step blocked)."""
    sid = data.get("execution_id") or data.get("executionId")
    if not sid:
        raise ValidationFailed("synthesis.execution.completed needs data.execution_id")
    with db.store(write=False) as s:
        execution = s.get_execution(str(sid))
    status = str(data.get("status") or "completed")
    execution = apply_progress(db, execution, status, _step_states(data))
    return {"handled": True, "execution": execution["id"], "status": execution["status"]}


HANDLERS = {
    "telos.requirement.updated": requirement_updated,
    "synthesis.execution.completed": execution_completed,
}


# -- running beside the server ----------------------------------------------------------------------------


class PeerSync:
    """Started with the app: Hermes registration and heartbeat, the outbox fan-out to Hermes and Telos,
    and polling of running Synthesis executions."""

    def __init__(self, db: Database, settings: Settings):
        self.db, self.settings = db, settings
        self.hermes = HermesConnector(settings)
        self.telos = TelosConnector(settings)
        self._tasks: set[asyncio.Task] = set()
        self._poller: asyncio.Task | None = None

    def start(self) -> None:
        self.hermes.start()
        if SynthesisConnector(self.settings).configured:
            self._poller = asyncio.create_task(self._poll())

    async def stop(self) -> None:
        if self._poller:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        for t in list(self._tasks):
            t.cancel()
        await self.hermes.stop()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def on_event(self, event: dict) -> None:
        """Called by the live hub for every committed event (never blocks it)."""
        kind = event.get("type", "")
        if self.hermes.component_id and event.get("plan_id") and kind.startswith(PLAN_EVENTS):
            self._spawn(self._publish(event))
        data = event.get("data") or {}
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        traced = meta.get("requirement_id") and meta.get("telos_project_id") and data.get("status")
        if (
            kind in ("prometheus.task.updated", "prometheus.task.progress")
            and traced
            and self.telos.configured
        ):
            self._spawn(self._push_status(meta["telos_project_id"], meta["requirement_id"], data["status"]))

    async def _publish(self, event: dict) -> None:
        message = {"plan_id": event["plan_id"], "change": event["type"], "event_id": event["event_id"],
                   "at": event["at"]}  # fmt: skip
        try:
            await self.hermes.publish(PUBLISHES, message)
        except IntegrationUnavailable as exc:
            log.warning("hermes: could not publish %s: %s", PUBLISHES, exc.message)

    async def _push_status(self, project_id: str, requirement_id: str, status: str) -> None:
        try:
            state = await self.telos.update_requirement_status(project_id, requirement_id, TaskStatus(status))
            log.info("telos: requirement %s is now %s", requirement_id, state)
        except IntegrationUnavailable as exc:
            log.warning("telos: could not update requirement %s: %s", requirement_id, exc.message)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(max(self.settings.synthesis_poll, 0.05))
            try:
                running = await run_in_threadpool(self._running)
                for execution in running:
                    await refresh(self.db, self.settings, execution)
            except IntegrationUnavailable as exc:
                log.warning("synthesis: polling failed: %s", exc.message)
            except Exception:  # noqa: BLE001 - keep polling through database hiccups
                log.exception("synthesis: polling failed")

    def _running(self) -> list[dict]:
        with self.db.store(write=False) as s:
            return [e for e in s.list_executions(active=True) if e["synthesis_id"]]
