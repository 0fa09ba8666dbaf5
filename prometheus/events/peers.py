"""Keeping the Tekton peers in step with the plans: Hermes registration and `prometheus.plan.updated`
publishing, task status pushed to Telos, and Synthesis executions polled (executions.py). What the events
Hermes delivers to `POST /api/events` do is in services/reactions.py.

Replicas (several servers, or `serve --workers N`, on one database) tell the peers of each change once:
the committed events reach the peers through one cursor of the outbox (`peers`), which one replica at a
time takes events from; a replica that restarts goes on from the cursor, so a change committed while every
replica was down is told when one is up again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from starlette.concurrency import run_in_threadpool

from prometheus.config import Settings
from prometheus.core.model import TaskStatus
from prometheus.events import executions
from prometheus.events.live import COALESCE, event_message
from prometheus.integrations.hermes import COMPONENT_ID, PUBLISHES, HermesHelper
from prometheus.integrations.http import IntegrationUnavailable
from prometheus.integrations.synthesis import SynthesisConnector
from prometheus.integrations.telos import TelosConnector
from prometheus.services import Context
from prometheus.services import executions as use_cases

log = logging.getLogger("prometheus.integration")
PLAN_EVENTS = ("prometheus.plan.", "prometheus.task.", "prometheus.dependency.", "prometheus.resource.")
PEERS = "peers"  # the outbox cursor of the events told to the peers


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
    and polling of running Synthesis executions. Peers that are absent cost nothing."""

    def __init__(self, ctx: Context, settings: Settings):
        self.ctx, self.settings = ctx, settings
        self.hermes = HermesHelper(settings=settings)
        self.telos = TelosConnector(settings=settings)
        self.synthesis = SynthesisConnector(settings=settings)
        self._tasks: set[asyncio.Task] = set()
        self._loops: list[asyncio.Task] = []

    def start(self) -> None:
        self.hermes.start()
        if self.synthesis.configured:
            self._loops.append(asyncio.create_task(self._poll()))
        if self.hermes.configured or self.telos.configured:
            self._loop = asyncio.get_running_loop()
            self._wake = asyncio.Event()
            self._loops.append(asyncio.create_task(self._follow()))

    def wake(self) -> None:
        """Called from any thread when new events were committed (as the live hub's `wake`)."""
        if self._loops and not self._wake.is_set():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def stop(self) -> None:
        for loop in self._loops:
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop
        for t in list(self._tasks):
            t.cancel()
        await self.hermes.stop()

    def spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _take(self, batch: int) -> list[dict]:
        """The events after the peers' cursor, the cursor moved past them (none while another replica
        holds it); a read first, so that a replica with nothing to tell takes no write lock."""
        with self.ctx.db.store(write=False) as store:
            if not store.events_pending(PEERS):
                return []
        with self.ctx.db.store() as store:
            return [event_message(e) for e in store.take_events(PEERS, batch)]

    async def _follow(self, batch: int = 500) -> None:
        """Tell the peers the events after the cursor, round after round (woken by commits), while there is
        a peer to tell: Hermes registered (events committed before it was are not published), or Telos."""
        while True:
            try:
                if self.hermes.component_id or self.telos.configured:
                    events = await run_in_threadpool(self._take, batch)
                    for event in events:
                        self.on_event(event)
                    if len(events) == batch:
                        continue
            except Exception:  # noqa: BLE001 - keep following through database hiccups
                log.exception("reading the outbox for the peers failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.dispatch_interval)
            await asyncio.sleep(COALESCE)  # a burst of commits (one wake each) becomes one read
            self._wake.clear()

    def on_event(self, event: dict) -> None:
        """One committed event, told to the peers that want it (never waits for them)."""
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
                for execution in await run_in_threadpool(use_cases.running, self.ctx):
                    await executions.refresh(self.ctx, self.settings, execution)
            except IntegrationUnavailable as exc:
                level = logging.WARNING if self.synthesis.client.explicit else logging.DEBUG
                log.log(level, "synthesis: polling failed: %s", exc.message)
            except Exception:  # noqa: BLE001 - keep polling through database hiccups
                log.exception("synthesis: polling failed")
