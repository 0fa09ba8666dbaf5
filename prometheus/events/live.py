"""Live updates: every event in the outbox goes to the WebSocket (`/ws`) and SSE subscribers of its plan.

Each server process follows the outbox table by id, so a change made through any replica reaches the
sockets of every replica. WebSocket protocol (JSON): `{"action": "subscribe"|"unsubscribe", "plan_id":
"..."|"*"}`, `{"action": "ping"}`, and `{"action": "update_task", "plan_id", "task_id", "changes",
"version"?}` to change a task over the socket. Events arrive as
`{"type": "prometheus.task.updated", "event_id", "plan_id", "data", "at"}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable

from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect

from prometheus.core.model import TaskPatch
from prometheus.errors import PrometheusError
from prometheus.store import Database

log = logging.getLogger("prometheus.live")


def event_message(e) -> dict:  # noqa: ANN001
    return {
        "type": e.type,
        "event_id": e.id,
        "plan_id": e.plan_id,
        "data": e.data,
        "at": e.created_at.isoformat(),
    }


class LiveHub:
    def __init__(self, db: Database, interval: float = 0.2):
        self.db, self.interval = db, interval
        self.sockets: dict[str, set[WebSocket]] = defaultdict(set)
        self.queues: dict[str, set[asyncio.Queue]] = defaultdict(set)
        self.last_id = 0
        self._task: asyncio.Task | None = None
        self.listeners: list = []  # async callables given every event, in order

    # -- following the outbox -----------------------------------------------------------------------------

    async def start(self) -> None:
        self.last_id = await run_in_threadpool(self._last_id)
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._follow())

    def wake(self) -> None:
        """Called from any thread when new events were committed."""
        self._loop.call_soon_threadsafe(self._wake.set)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _last_id(self) -> int:
        with self.db.store(write=False) as store:
            return store.last_event_id()

    def _read(self) -> list[dict]:
        with self.db.store(write=False) as store:
            return [event_message(e) for e in store.events_after(self.last_id)]

    async def _follow(self) -> None:
        while True:
            try:
                events = await run_in_threadpool(self._read)
                for event in events:
                    self.last_id = event["event_id"]
                    await self.publish(event)
            except Exception:  # noqa: BLE001 - keep following through database hiccups
                log.exception("reading the outbox failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()

    async def publish(self, event: dict) -> None:
        for listener in self.listeners:
            try:
                await listener(event)
            except Exception:  # noqa: BLE001 - one listener's bug must not stop the stream
                log.exception("event listener failed")
        keys = {event.get("plan_id") or "", "*"}
        for key in keys:
            for q in list(self.queues.get(key, ())):
                q.put_nowait(event)
        for ws in {ws for key in keys for ws in self.sockets.get(key, ())}:
            try:
                await ws.send_json(event)
            except Exception:  # noqa: BLE001 - a closed socket: forget it
                self.drop(ws)

    # -- SSE ------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def queue(self, key: str):  # noqa: ANN201
        q: asyncio.Queue = asyncio.Queue(maxsize=10_000)
        self.queues[key].add(q)
        try:
            yield q
        finally:
            self.queues[key].discard(q)

    # -- WebSocket --------------------------------------------------------------------------------------

    def drop(self, ws: WebSocket) -> None:
        for subs in self.sockets.values():
            subs.discard(ws)

    async def serve(self, ws: WebSocket, refusal: Callable[[object], str | None] = lambda _: None) -> None:
        """Answer one socket's messages; `refusal(action)` says why its token may not run an action."""
        await ws.accept()
        try:
            while True:
                try:
                    msg = await ws.receive_json()
                except (ValueError, KeyError):
                    await ws.send_json(
                        {"type": "error", "message": 'send JSON, e.g. {"action": "subscribe", ...}'}
                    )
                    continue
                msg = msg if isinstance(msg, dict) else {}
                refused = refusal(msg.get("action"))
                if refused:
                    await ws.send_json({"type": "error", "error_code": "FORBIDDEN", "message": refused})
                    continue
                await self._handle(ws, msg)
        except WebSocketDisconnect:
            pass
        finally:
            self.drop(ws)

    async def _handle(self, ws: WebSocket, msg: dict) -> None:
        action, plan_id = msg.get("action"), msg.get("plan_id")
        if action == "ping":
            await ws.send_json({"type": "pong"})
        elif action in ("subscribe", "unsubscribe") and isinstance(plan_id, str) and plan_id:
            (self.sockets[plan_id].add if action == "subscribe" else self.sockets[plan_id].discard)(ws)
            await ws.send_json({"type": f"{action}d", "plan_id": plan_id})
        elif action == "update_task":
            await ws.send_json(await self._update_task(msg))
        else:
            await ws.send_json(
                {"type": "error", "message": "actions: subscribe, unsubscribe (plan_id), update_task, ping"}
            )

    async def _update_task(self, msg: dict) -> dict:
        try:
            changes = TaskPatch.model_validate(msg.get("changes") or {})
        except ValidationError as exc:
            return {"type": "error", "error_code": "VALIDATION_ERROR", "message": str(exc)}

        def work() -> dict:
            with self.db.store() as store:
                version = msg.get("version", changes.version)
                task = store.update_task(str(msg.get("plan_id")), str(msg.get("task_id")), changes, version)
            return {"type": "task.updated", "task": task.model_dump(mode="json")}

        try:
            return await run_in_threadpool(work)
        except PrometheusError as exc:
            return {"type": "error", "error_code": exc.error_code, "message": exc.message}
