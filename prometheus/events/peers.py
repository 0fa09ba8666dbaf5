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
from prometheus.errors import ValidationFailed
from prometheus.events import executions
from prometheus.events.live import COALESCE
from prometheus.events.messages import event_message
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
        self._wake = asyncio.Event()  # set: a round of telling is due
        self._following = False

    def following(self) -> bool:
        """Whether it tells peers of changes (Hermes or Telos configured): the live hub then reads events."""
        return self._following

    def start(self) -> None:
        self.hermes.start()
        if self.synthesis.configured:
            self._loops.append(asyncio.create_task(self._poll()))
        if self.hermes.configured or self.telos.configured:
            self._following = True
            self._wake.set()  # a first round at start: what was committed while no replica was up
            self._loops.append(asyncio.create_task(self._follow()))

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

    async def on_event(self, event: dict) -> None:
        """Called by the live hub with every committed event, of any replica: an event a peer wants starts
        a round of the follower (the replica holding the cursor then tells it); others cost nothing."""
        if self._following and not self._wake.is_set() and self._tellings(event):
            self._wake.set()

    def _tellings(self, event: dict) -> list[Any]:
        """What telling the peers an event takes (coroutines not started yet): publishing it to Hermes,
        pushing a traced task's status to Telos."""
        out: list[Any] = []
        kind = event.get("type", "")
        if self.hermes.component_id and event.get("plan_id") and kind.startswith(PLAN_EVENTS):
            out.append(lambda: self._publish(event))
        data = event.get("data") or {}
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        traced = meta.get("requirement_id") and meta.get("telos_project_id") and data.get("status")
        pushed = kind in ("prometheus.task.updated", "prometheus.task.progress") and self.telos.configured
        if traced and pushed:
            out.append(
                lambda: self._push_status(meta["telos_project_id"], meta["requirement_id"], data["status"])
            )
        return out

    def _take(self, batch: int) -> list[dict]:
        """The events after the peers' cursor, the cursor moved past them (none while another replica
        holds it)."""
        with self.ctx.db.store() as store:
            return [event_message(e) for e in store.take_events(PEERS, batch)]

    async def _follow(self, batch: int = 500) -> None:
        """Rounds of telling: each takes the events after the cursor and tells the peers those they want."""
        while True:
            await self._wake.wait()
            await asyncio.sleep(COALESCE)  # a burst of commits becomes one round
            self._wake.clear()
            try:
                while len(events := await run_in_threadpool(self._take, batch)) == batch:
                    self._tell(events)
                self._tell(events)
            except Exception:  # noqa: BLE001 - keep following through database hiccups
                log.exception("reading the outbox for the peers failed")

    def _tell(self, events: list[dict]) -> None:
        for event in events:
            for telling in self._tellings(event):
                self.spawn(telling())

    async def _publish(self, event: dict) -> None:
        try:
            await self.hermes.publish_event(PUBLISHES, plan_update_message(event))
        except IntegrationUnavailable as exc:
            log.warning("hermes: could not publish %s: %s", PUBLISHES, exc.message)

    async def _push_status(self, project_id: str, requirement_id: str, status: str) -> None:
        try:
            state = await self.telos.update_requirement_status(project_id, requirement_id, TaskStatus(status))
            log.info("telos: requirement %s is now %s", requirement_id, state)
        except (IntegrationUnavailable, ValidationFailed) as exc:  # down, or an id that names nothing
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
