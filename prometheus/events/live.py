"""Live updates: every event in the outbox goes to the WebSocket (`/ws`) and SSE subscribers of its plan.

Each server process follows the outbox table by id, so a change made through any replica reaches the
sockets of every replica. WebSocket protocol (JSON): `{"action": "subscribe"|"unsubscribe", "plan_id":
"..."|"*", "last_event_id"?}` (with `last_event_id`, the events missed since are sent first), `{"action":
"ping"}`, and `{"action": "update_task", "plan_id", "task_id", "changes", "version"?}` to change a task over
the socket. Events arrive as `{"type": "prometheus.task.updated", "event_id", "plan_id", "data", "at"}`.
Any other message (not JSON, another action, a field of the wrong type, an id holding a NUL or longer than
MAX_ID characters, a subscription past MAX_SUBSCRIPTIONS on one socket) is answered `{"type": "error",
"error_code": "VALIDATION_ERROR", "message"}` and the socket goes on.

Every subscriber has its own bounded queue (PROMETHEUS_LIVE_QUEUE events): the hub never waits for one. A
subscriber that falls that far behind is dropped with `{"type": "reload", ...}` (SSE: `event: reload`); so is
a resume that misses more than PROMETHEUS_LIVE_BACKLOG events, or from past the newest event. `reload`
means: read the plan again, then subscribe anew.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any, Literal

from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from starlette.websockets import WebSocket, WebSocketDisconnect

from prometheus.core.bounds import MAX_ID, check_text
from prometheus.core.inputs import TaskPatch
from prometheus.errors import PrometheusError, plain_errors, summary
from prometheus.services import Context, tasks

log = logging.getLogger("prometheus.live")
COALESCE = 0.05  # seconds a woken hub waits for the rest of a burst of commits
MAX_EVENT_ID = 2**63 - 1  # event ids are 64-bit: a resume point beyond is no event's (SSE and /ws alike)
MAX_SUBSCRIPTIONS = 1000  # plans one socket follows at once ("*" follows them all)
ACTIONS = "actions: subscribe, unsubscribe (plan_id, last_event_id?), update_task, ping"


class ClientMessage(BaseModel):
    """One message a client sends over /ws; anything else is answered with a VALIDATION_ERROR."""

    action: Literal["subscribe", "unsubscribe", "ping", "update_task"]
    plan_id: str | None = Field(None, min_length=1, max_length=MAX_ID)
    last_event_id: int | None = Field(None, ge=0, le=MAX_EVENT_ID, strict=True)
    task_id: str | None = Field(None, min_length=1, max_length=MAX_ID)
    changes: dict[str, Any] = Field(default_factory=dict)
    version: int | None = Field(None, strict=True)

    @field_validator("plan_id", "task_id")
    @classmethod
    def _plain(cls, value: str | None, info: Any) -> str | None:  # noqa: ANN401
        if value is not None:
            check_text(value, info.field_name)
        return value

    @model_validator(mode="after")
    def _complete(self) -> ClientMessage:
        if self.action != "ping" and self.plan_id is None:
            raise ValueError(f"{self.action} needs a plan_id")
        if self.action == "update_task" and self.task_id is None:
            raise ValueError("update_task needs a task_id")
        return self


def parse_message(raw: str | bytes) -> ClientMessage | str:
    """The client's message, or why it is not one (malformed JSON, nesting too deep, a wrong field)."""
    try:
        return ClientMessage.model_validate_json(raw)
    except ValidationError as exc:
        return (
            "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'message'}: {e['msg']}"
                for e in exc.errors(include_url=False)
            )
            + f" ({ACTIONS})"
        )


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
        self.keys: set[str] = set()  # its subscriptions ("*" or plan ids)

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
        every = max(1, self.limit // 4)
        for n, event in enumerate(await run_in_threadpool(self._read), 1):
            self.last_id = event["event_id"]
            await self.publish(event)
            if n % every == 0:  # a burst (one commit moving many tasks) is offered a part at a time, the
                await asyncio.sleep(0)  # senders sending between: a queue outgrown only by one not reading

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

    def join(self, sub: Subscriber, key: str) -> None:
        self.subscribers[key].add(sub)
        sub.keys.add(key)

    def leave(self, sub: Subscriber, key: str) -> None:
        """End one subscription; a plan nobody follows any more is no key of `subscribers` (ids that
        clients made up would otherwise pile up there for good)."""
        sub.keys.discard(key)
        subs = self.subscribers.get(key)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self.subscribers[key]

    def forget(self, sub: Subscriber) -> None:
        for key in list(sub.keys):
            self.leave(sub, key)

    def stats(self) -> dict[str, int]:
        """This process's subscriptions, and the plans (or "*") they follow."""
        return {"subscriptions": sum(map(len, self.subscribers.values())), "followed": len(self.subscribers)}

    @contextlib.contextmanager
    def subscription(self, key: str | None = None) -> Iterator[Subscriber]:
        sub = Subscriber(self.limit)
        if key is not None:
            self.join(sub, key)
        try:
            yield sub
        finally:
            self.forget(sub)

    async def missed(self, after: int, plan_id: str | None) -> tuple[list[dict], str | None]:
        """The events after `after` (of one plan, or all), and why a resume from there cannot be served
        (None when it can): more than the backlog limit were missed, or `after` is past the newest event
        (an id from another or a restored database: nothing after it would ever be sent)."""

        def read() -> tuple[list[dict], int]:
            with self.db.store(write=False) as store:
                rows = store.events_after(after, limit=self.backlog_limit + 1, plan_id=plan_id)
                return [event_message(e) for e in rows], store.last_event_id()

        events, newest = await run_in_threadpool(read)
        if len(events) > self.backlog_limit:
            return events[: self.backlog_limit], f"more than {self.backlog_limit} events were missed"
        if after > newest:
            return [], f"event {after} is past the newest event, {newest}"
        return events, None

    # -- WebSocket --------------------------------------------------------------------------------------

    async def serve(self, ws: WebSocket, refusal: Callable[[object], str | None] = lambda _: None) -> None:
        """Answer one socket's messages; `refusal(action)` says why its token may not run an action."""
        await ws.accept()
        with self.subscription() as sub:
            sender = asyncio.create_task(self._send_all(ws, sub))
            try:
                while not sender.done():
                    frame = await ws.receive()
                    if frame["type"] == "websocket.disconnect":
                        break
                    msg = parse_message(frame.get("text") or frame.get("bytes") or "")
                    if isinstance(msg, str):
                        self._reply(sub, {"type": "error", "error_code": "VALIDATION_ERROR", "message": msg})
                        continue
                    refused = refusal(msg.action)
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
        events, why = await self.missed(after, None if plan_id == "*" else plan_id)
        if why:
            self.leave(sub, plan_id)
            sub.drop_events(plan_id)  # already queued live ones: the reload covers them
            reason = f"{why}: reload the plan, then subscribe"
            await ws.send_json({**reload_message(reason, after), "plan_id": plan_id})
            return
        sub.resumed_from(plan_id, after, events)
        for e in events:
            sub.seen = max(sub.seen, e["event_id"])
            await ws.send_json(e)

    async def _handle(self, sub: Subscriber, msg: ClientMessage) -> None:
        if msg.action == "ping":
            self._reply(sub, {"type": "pong"})
        elif msg.action == "unsubscribe":
            self.leave(sub, msg.plan_id)
            self._reply(sub, {"type": "unsubscribed", "plan_id": msg.plan_id})
        elif msg.action == "subscribe":
            if len(sub.keys) >= MAX_SUBSCRIPTIONS and msg.plan_id not in sub.keys:
                why = f"one socket follows at most {MAX_SUBSCRIPTIONS} plans; subscribe to '*' for every plan"
                self._reply(sub, {"type": "error", "error_code": "VALIDATION_ERROR", "message": why})
                return
            self.join(sub, msg.plan_id)  # before the backlog is read: nothing falls in between
            self._reply(sub, {"type": "subscribed", "plan_id": msg.plan_id})
            if msg.last_event_id is not None:
                self._reply(sub, {"type": "_resume", "plan_id": msg.plan_id, "after": msg.last_event_id})
        else:
            self._reply(sub, await self._update_task(msg))

    async def _update_task(self, msg: ClientMessage) -> dict:
        try:
            changes = TaskPatch.model_validate(msg.changes)
        except ValidationError as exc:  # said as the REST API says it (not pydantic's text and links)
            errors = [e | {"loc": ("changes", *e["loc"])} for e in plain_errors(exc.errors())]
            return {"type": "error", "error_code": "VALIDATION_ERROR", "message": summary(errors)}

        def work() -> dict:
            version = msg.version if msg.version is not None else changes.version
            task = tasks.update_task(self.ctx, msg.plan_id, msg.task_id, changes, version)
            return {"type": "task.updated", "task": task.model_dump(mode="json")}

        try:
            return await run_in_threadpool(work)
        except PrometheusError as exc:
            return {"type": "error", "error_code": exc.error_code, "message": exc.message}
