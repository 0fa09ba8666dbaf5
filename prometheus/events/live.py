"""Live updates: every event in the outbox goes to the WebSocket (`/ws`) and SSE subscribers of its plan.

Each server process follows the outbox table by id, so a change made through any replica reaches the
sockets of every replica. WebSocket protocol (JSON): `{"action": "subscribe"|"unsubscribe", "plan_id":
"..."|"*", "last_event_id"?}` (with `last_event_id`, the events missed since are sent first), `{"action":
"ping"}`, and `{"action": "update_task", "plan_id", "task_id", "changes", "version"?}` to change a task over
the socket. Events arrive as `{"type": "prometheus.task.updated", "event_id", "plan_id", "data", "at"}`.

Every subscriber has its own bounded queue (PROMETHEUS_LIVE_QUEUE events): the hub never waits for one. A
subscriber that falls that far behind is dropped with `{"type": "reload", ...}` (SSE: `event: reload`); so is
a resume that misses more than PROMETHEUS_LIVE_BACKLOG events. `reload` means: read the plan again, then
subscribe anew.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator

from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect

from prometheus.core.inputs import TaskPatch
from prometheus.errors import PrometheusError
from prometheus.services import Context, tasks

log = logging.getLogger("prometheus.live")
COALESCE = 0.05  # seconds a woken hub waits for the rest of a burst of commits


def event_message(e) -> dict:  # noqa: ANN001
    return {
        "type": e.type,
        "event_id": e.id,
        "plan_id": e.plan_id,
        "data": e.data,
        "at": e.created_at.isoformat(),
    }


def reload_message(reason: str, last_event_id: int) -> dict:
    return {"type": "reload", "reason": reason, "last_event_id": last_event_id}


class Subscriber:
    """One SSE stream or WebSocket: its own bounded queue; `dropped` once it could not keep up."""

    def __init__(self, limit: int):
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=limit)
        self.dropped = False
        self.seen = 0  # the last event id handed to the client
        self.resumed: set[int] = set()  # ids sent with a resume's backlog: not again when they come live
        self.floors: dict[str, int] = {}  # per subscription ("*" or a plan): the client has events up to this

    def resumed_from(self, key: str, after: int, backlog: list[dict]) -> None:
        """A resume of subscription `key` ("*" or a plan) after event `after`, its `backlog` sent."""
        self.resumed = {e["event_id"] for e in backlog}
        self.floors[key] = max(self.floors.get(key, 0), after)

    def fresh(self, event: dict) -> bool:
        """Whether a live event is new to the client: not sent with a resume's backlog, nor from before its
        resume point (the hub may still be behind it)."""
        floor = max(self.floors.get(event.get("plan_id") or "", 0), self.floors.get("*", 0))
        return event["event_id"] not in self.resumed and event["event_id"] > floor

    def offer(self, event: dict) -> bool:
        try:
            self.queue.put_nowait(event)
            return True
        except asyncio.QueueFull:
            self.dropped = True
            return False

    def drop_events(self, plan_id: str) -> None:
        """Take the plan's events out of the queue (other messages keep their order)."""
        kept = []
        while not self.queue.empty():
            msg = self.queue.get_nowait()
            if not ("event_id" in msg and plan_id in ("*", msg.get("plan_id"))):
                kept.append(msg)
        for msg in kept:
            self.queue.put_nowait(msg)


class LiveHub:
    def __init__(self, ctx: Context, interval: float = 0.2, queue: int = 1000, backlog: int = 10_000):
        self.ctx, self.db, self.interval = ctx, ctx.db, interval
        self.limit, self.backlog_limit = queue, backlog
        self.subscribers: dict[str, set[Subscriber]] = defaultdict(set)
        self.last_id = 0
        self._task: asyncio.Task | None = None
        self.listeners: list = []  # async callables given every event, in order
        self.wanting: list[Callable[[], bool]] = []  # whether a listener wants events now

    # -- following the outbox -----------------------------------------------------------------------------

    async def start(self) -> None:
        self.last_id = await run_in_threadpool(self._last_id)
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._follow())

    def wake(self) -> None:
        """Called from any thread when new events were committed. Once per burst: while the wake is set,
        the follower has yet to clear it, and it reads the outbox after clearing it."""
        if not self._wake.is_set():
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

    def listen(self, listener: Callable, wanted: Callable[[], bool]) -> None:
        """Give `listener` every event from now on, while `wanted()` (else the hub need not read them)."""
        self.listeners.append(listener)
        self.wanting.append(wanted)

    def _wanted(self) -> bool:
        return any(self.subscribers.values()) or any(w() for w in self.wanting)

    async def _round(self) -> None:
        """Hand the events committed since the last round to the listeners and subscribers; with none of
        them, only move on to the newest event (one read of its id, no event read or decoded)."""
        if not self._wanted():
            newest = await run_in_threadpool(self._last_id)
            if not self._wanted():  # asked again after the read: one who came meanwhile gets what follows
                self.last_id = max(self.last_id, newest)
                return
        for event in await run_in_threadpool(self._read):
            self.last_id = event["event_id"]
            await self.publish(event)

    async def _follow(self) -> None:
        while True:
            try:
                await self._round()
            except Exception:  # noqa: BLE001 - keep following through database hiccups
                log.exception("reading the outbox failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            await asyncio.sleep(COALESCE)  # a burst of commits (one wake each) becomes one read
            self._wake.clear()

    async def publish(self, event: dict) -> None:
        for listener in self.listeners:
            try:
                await listener(event)
            except Exception:  # noqa: BLE001 - one listener's bug must not stop the stream
                log.exception("event listener failed")
        keys = (event.get("plan_id") or "", "*")
        for sub in {s for key in keys for s in self.subscribers.get(key, ())}:
            if not sub.offer(event):  # never waits: a subscriber that cannot keep up is dropped
                self.forget(sub)
                log.warning("a live subscriber fell %d events behind and was dropped", self.limit)

    # -- subscribers --------------------------------------------------------------------------------------

    def forget(self, sub: Subscriber) -> None:
        for subs in self.subscribers.values():
            subs.discard(sub)

    @contextlib.contextmanager
    def subscription(self, key: str | None = None) -> Iterator[Subscriber]:
        sub = Subscriber(self.limit)
        if key is not None:
            self.subscribers[key].add(sub)
        try:
            yield sub
        finally:
            self.forget(sub)

    async def missed(self, after: int, plan_id: str | None) -> tuple[list[dict], bool]:
        """The events after `after` (of one plan, or all); False when more than the backlog limit."""

        def read() -> list[dict]:
            with self.db.store(write=False) as store:
                rows = store.events_after(after, limit=self.backlog_limit + 1, plan_id=plan_id)
                return [event_message(e) for e in rows]

        events = await run_in_threadpool(read)
        return events[: self.backlog_limit], len(events) <= self.backlog_limit

    # -- WebSocket --------------------------------------------------------------------------------------

    async def serve(self, ws: WebSocket, refusal: Callable[[object], str | None] = lambda _: None) -> None:
        """Answer one socket's messages; `refusal(action)` says why its token may not run an action."""
        await ws.accept()
        with self.subscription() as sub:
            sender = asyncio.create_task(self._send_all(ws, sub))
            try:
                while not sender.done():
                    try:
                        msg = await ws.receive_json()
                    except (ValueError, KeyError):
                        self._reply(sub, {"type": "error", "message": 'send JSON, e.g. {"action": ...}'})
                        continue
                    msg = msg if isinstance(msg, dict) else {}
                    refused = refusal(msg.get("action"))
                    if refused:
                        self._reply(sub, {"type": "error", "error_code": "FORBIDDEN", "message": refused})
                        continue
                    await self._handle(sub, msg)
            except (WebSocketDisconnect, RuntimeError):
                pass
            finally:
                sender.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await sender

    def _reply(self, sub: Subscriber, msg: dict) -> None:
        if not sub.offer(msg):
            self.forget(sub)

    async def _send_all(self, ws: WebSocket, sub: Subscriber) -> None:
        """The socket's own sender: its queue, in order. A dropped subscriber is told to reload and closed."""
        while True:
            msg = await sub.queue.get()
            if sub.dropped:
                reason = f"fell more than {self.limit} events behind"
                with contextlib.suppress(Exception):
                    await ws.send_json(reload_message(reason, sub.seen))
                    await ws.close(code=4008, reason="too slow: reload, then subscribe again")
                return
            if msg.get("type") == "_resume":
                await self._resume(ws, sub, msg)
                continue
            if "event_id" in msg:
                if not sub.fresh(msg):
                    continue
                sub.seen = max(sub.seen, msg["event_id"])
            await ws.send_json(msg)

    async def _resume(self, ws: WebSocket, sub: Subscriber, msg: dict) -> None:
        """The events missed since `after`, straight to the socket (live ones wait in the queue meanwhile)."""
        plan_id, after = msg["plan_id"], msg["after"]
        events, complete = await self.missed(after, None if plan_id == "*" else plan_id)
        if not complete:
            self.subscribers[plan_id].discard(sub)
            sub.drop_events(plan_id)  # already queued live ones: the reload covers them
            reason = f"more than {self.backlog_limit} events were missed: reload the plan, then subscribe"
            await ws.send_json({**reload_message(reason, after), "plan_id": plan_id})
            return
        sub.resumed_from(plan_id, after, events)
        for e in events:
            sub.seen = max(sub.seen, e["event_id"])
            await ws.send_json(e)

    async def _handle(self, sub: Subscriber, msg: dict) -> None:
        action, plan_id = msg.get("action"), msg.get("plan_id")
        if action == "ping":
            self._reply(sub, {"type": "pong"})
        elif action in ("subscribe", "unsubscribe") and isinstance(plan_id, str) and plan_id:
            if action == "unsubscribe":
                self.subscribers[plan_id].discard(sub)
                self._reply(sub, {"type": "unsubscribed", "plan_id": plan_id})
                return
            self.subscribers[plan_id].add(sub)  # before the backlog is read: nothing falls in between
            self._reply(sub, {"type": "subscribed", "plan_id": plan_id})
            after = msg.get("last_event_id")
            if isinstance(after, int) and not isinstance(after, bool):
                self._reply(sub, {"type": "_resume", "plan_id": plan_id, "after": after})
        elif action == "update_task":
            self._reply(sub, await self._update_task(msg))
        else:
            self._reply(
                sub,
                {"type": "error", "message": "actions: subscribe, unsubscribe (plan_id), update_task, ping"},
            )

    async def _update_task(self, msg: dict) -> dict:
        try:
            changes = TaskPatch.model_validate(msg.get("changes") or {})
        except ValidationError as exc:
            return {"type": "error", "error_code": "VALIDATION_ERROR", "message": str(exc)}

        def work() -> dict:
            version = msg.get("version", changes.version)
            task = tasks.update_task(
                self.ctx, str(msg.get("plan_id")), str(msg.get("task_id")), changes, version
            )
            return {"type": "task.updated", "task": task.model_dump(mode="json")}

        try:
            return await run_in_threadpool(work)
        except PrometheusError as exc:
            return {"type": "error", "error_code": exc.error_code, "message": exc.message}
