"""Keeping the Tekton peers in step with the plans: Hermes registration and `prometheus.plan.updated`
publishing, task status pushed to Telos, Synthesis executions polled (executions.py), and the events Hermes
delivers to `POST /api/events`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from starlette.concurrency import run_in_threadpool

from prometheus.config import Settings
from prometheus.core.inputs import TaskPatch
from prometheus.core.model import TaskStatus
from prometheus.errors import ValidationFailed
from prometheus.events import executions
from prometheus.integrations.hermes import COMPONENT_ID, PUBLISHES, HermesHelper
from prometheus.integrations.http import IntegrationUnavailable
from prometheus.integrations.synthesis import SynthesisConnector
from prometheus.integrations.telos import TelosConnector
from prometheus.store import Database

log = logging.getLogger("prometheus.integration")
PLAN_EVENTS = ("prometheus.plan.", "prometheus.task.", "prometheus.dependency.", "prometheus.resource.")


# -- incoming events (Hermes) ----------------------------------------------------------------------------


def requirement_updated(db: Database, data: dict) -> tuple[dict, list[dict]]:
    """`telos.requirement.updated`: the traced tasks take the requirement's new title, description, status."""
    rid, project = data.get("requirement_id"), data.get("project_id")
    if not isinstance(rid, str | int) or not str(rid) or not isinstance(project, str | int | None):
        raise ValidationFailed("telos.requirement.updated needs payload.requirement_id (and project_id)")
    changes = data.get("changes") if isinstance(data.get("changes"), dict) else data
    updated = []
    with db.store() as s:
        for task in s.traced_tasks(str(rid), None if project is None else str(project)):
            patch: dict[str, Any] = {}
            if isinstance(changes.get("title"), str) and changes["title"].strip():
                patch["name"] = changes["title"].strip()[:500]
            if isinstance(changes.get("description"), str):
                patch["description"] = changes["description"]
            if patch:
                s.update_task(task.plan_id, task.id, TaskPatch(**patch), None)
                updated.append(task.id)
    return {"handled": True, "tasks_updated": updated}, []


def execution_completed(db: Database, data: dict) -> tuple[dict, list[dict]]:
    """`synthesis.execution.completed`: the execution's tasks are done (or the failed step blocked), and so
    is the plan when nothing is left."""
    sid = data.get("execution_id") or data.get("executionId")
    status = data.get("status") or "completed"
    if not isinstance(sid, str | int) or status not in executions.STATUSES:
        raise ValidationFailed(
            "synthesis.execution.completed needs payload.execution_id, and a status among "
            + ", ".join(executions.STATUSES)
        )
    with db.store(write=False) as s:
        execution = s.get_execution(str(sid))
    execution, finished = executions.apply_progress(db, execution, status, executions.step_states(data))
    return {"handled": True, "execution": execution["id"], "status": execution["status"]}, finished


HANDLERS = {
    "telos.requirement.updated": requirement_updated,
    "synthesis.execution.completed": execution_completed,
}


def plan_update_message(event: dict) -> dict:
    """A committed change as `prometheus.plan.updated` carries it (the guide's payload keys)."""
    data = event.get("data") or {}
    change = {"event": event["type"], "id": data.get("id")}
    if data.get("name"):
        change["name"] = data["name"]
    return {"plan_id": event["plan_id"], "updated_by": COMPONENT_ID, "timestamp": event["at"],
            "changes": [change], "event_id": event["event_id"]}  # fmt: skip


# -- running beside the server ----------------------------------------------------------------------------


class PeerSync:
    """Started with the app: Hermes registration and heartbeat, the outbox fan-out to Hermes and Telos,
    and polling of running Synthesis executions. Peers that are absent cost nothing at start-up."""

    def __init__(self, db: Database, settings: Settings):
        self.db, self.settings = db, settings
        self.hermes = HermesHelper(settings=settings)
        self.telos = TelosConnector(settings=settings)
        self.synthesis = SynthesisConnector(settings=settings)
        self._tasks: set[asyncio.Task] = set()
        self._poller: asyncio.Task | None = None

    def start(self) -> None:
        self.hermes.start()
        if self.synthesis.configured:
            self._poller = asyncio.create_task(self._poll())

    async def stop(self) -> None:
        if self._poller:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        for t in list(self._tasks):
            t.cancel()
        await self.hermes.stop()

    def spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def on_event(self, event: dict) -> None:
        """Called by the live hub for every committed event (never blocks it)."""
        kind = event.get("type", "")
        if self.hermes.component_id and event.get("plan_id") and kind.startswith(PLAN_EVENTS):
            self.spawn(self._publish(event))
        data = event.get("data") or {}
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        traced = meta.get("requirement_id") and meta.get("telos_project_id") and data.get("status")
        if (
            kind in ("prometheus.task.updated", "prometheus.task.progress")
            and traced
            and self.telos.configured
        ):
            self.spawn(self._push_status(meta["telos_project_id"], meta["requirement_id"], data["status"]))

    async def _publish(self, event: dict) -> None:
        try:
            await self.hermes.publish_event(PUBLISHES, plan_update_message(event))
        except IntegrationUnavailable as exc:
            log.warning("hermes: could not publish %s: %s", PUBLISHES, exc.message)

    async def _push_status(self, project_id: str, requirement_id: str, status: str) -> None:
        try:
            state = await self.telos.update_requirement_status(project_id, requirement_id, TaskStatus(status))
            log.info("telos: requirement %s is now %s", requirement_id, state)
        except IntegrationUnavailable as exc:
            level = logging.WARNING if self.telos.client.explicit else logging.DEBUG
            log.log(level, "telos: could not update requirement %s: %s", requirement_id, exc.message)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(max(self.settings.synthesis_poll, 0.05))
            try:
                for execution in await run_in_threadpool(executions.running, self.db):
                    await executions.refresh(self.db, self.settings, execution)
            except IntegrationUnavailable as exc:
                level = logging.WARNING if self.synthesis.client.explicit else logging.DEBUG
                log.log(level, "synthesis: polling failed: %s", exc.message)
            except Exception:  # noqa: BLE001 - keep polling through database hiccups
                log.exception("synthesis: polling failed")
