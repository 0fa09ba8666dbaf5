"""Live updates: every event in the outbox goes to the WebSocket (`/ws`) and SSE subscribers of its plan.

Each server process follows the outbox table by id, so a change made through any replica reaches the
sockets of every replica. WebSocket protocol (JSON): `{"action": "subscribe"|"unsubscribe", "plan_id":
"..."|"*", "last_event_id"?}` (with `last_event_id`, the events missed since are sent first), `{"action":
"ping"}`, and `{"action": "update_task", "plan_id", "task_id", "changes", "version"?}` to change a task over
the socket. Events arrive as `{"type": "prometheus.task.updated", "event_id", "plan_id", "data", "at"}`.
Any other message (not JSON, another action, a field of the wrong type, an id holding a NUL or longer than
MAX_ID characters, a subscription past MAX_SUBSCRIPTIONS on one socket) is answered `{"type": "error",
"error_code": "VALIDATION_ERROR", "message"}` and the socket goes on; a subscription to a plan that does not
exist is answered `{"type": "error", "error_code": "NOT_FOUND", "message", "plan_ids"}` and not made (it
would wait for events that never come), as the SSE stream of such a plan is a 404.

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
from collections.abc import Callable, Collection, Iterator

from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from starlette.types import Message
from starlette.websockets import WebSocket, WebSocketDisconnect

from prometheus.core.inputs import TaskPatch
from prometheus.errors import DATABASE_DOWN, PrometheusError, plain_errors, summary
from prometheus.events.messages import ClientMessage, event_message, not_found, parse_message, reload_message
from prometheus.services import Context, tasks
from prometheus.store import UNREACHABLE

log = logging.getLogger("prometheus.live")
COALESCE = 0.05  # seconds a woken hub waits for the rest of a burst of commits
MAX_SUBSCRIPTIONS = 1000  # plans one socket follows at once ("*" follows them all)
INBOX = 32  # frames of one socket read ahead of their answers (as many as the server's own queue holds)


_DOWN = {"type": "error", "error_code": "SERVICE_UNAVAILABLE", "message": DATABASE_DOWN}  # as the API's 503


async def _read_all(ws: WebSocket, inbox: asyncio.Queue[Message | None]) -> None:
    """The socket's frames into `inbox` (bounded: a client sending faster than it is answered waits), then
    None once it is closed."""
    try:
        while (frame := await ws.receive())["type"] != "websocket.disconnect":
            await inbox.put(frame)
    except (WebSocketDisconnect, RuntimeError):
        pass
    except Exception:  # noqa: BLE001 - the socket is answered as closed, never left waiting
        log.exception("reading a WebSocket failed")
    await inbox.put(None)


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

    async def unknown(self, plan_ids: Collection[str]) -> list[str]:
        """Those of `plan_ids` that name no plan ("*" names them all), in one query for all of them."""
        wanted = set(plan_ids) - {"*"}
        if not wanted:
            return []

        def read() -> set[str]:
            if len(wanted) == 1:  # one indexed read on a pooled connection, no transaction of a Store
                return {p for p in wanted if self.db.plan_revision(p) is not None}
            with self.db.store(write=False) as store:
                return store.existing_plans(wanted)

        return sorted(wanted - await run_in_threadpool(read))

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
        """Answer one socket's messages in order; `refusal(action)` says why its token may not run an action.
        The frames that have arrived are answered together, the plans they subscribe to read in one query."""
        await ws.accept()
        inbox: asyncio.Queue[Message | None] = asyncio.Queue(INBOX)
        with self.subscription() as sub:
            sender = asyncio.create_task(self._send_all(ws, sub))
            reader = asyncio.create_task(_read_all(ws, inbox))
            try:
                while not sender.done():
                    frames = [await inbox.get()]
                    while not inbox.empty():
                        frames.append(inbox.get_nowait())
                    if not await self._answer(sub, frames, refusal):
                        break
            finally:
                for task in (reader, sender):
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task

    async def _answer(
        self, sub: Subscriber, frames: list[Message | None], refusal: Callable[[object], str | None]
    ) -> bool:
        """Answer `frames` in order; False once the socket is closed (a None)."""
        msgs = [None if f is None else parse_message(f.get("text") or f.get("bytes") or "") for f in frames]
        wanted = [m.plan_id for m in msgs if isinstance(m, ClientMessage) and m.action == "subscribe"]
        try:
            missing: set[str] | None = set(await self.unknown(wanted))
        except UNREACHABLE:  # each subscribe is answered so (_handle), the socket stays: subscribe later
            log.error("database unavailable for a subscription")
            missing = None
        for msg in msgs:
            if msg is None:
                return False
            if isinstance(msg, str):
                self._reply(sub, {"type": "error", "error_code": "VALIDATION_ERROR", "message": msg})
                continue
            refused = refusal(msg.action)
            if refused:
                self._reply(sub, {"type": "error", "error_code": "FORBIDDEN", "message": refused})
                continue
            await self._handle(sub, msg, missing)
        return True

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

    async def _handle(self, sub: Subscriber, msg: ClientMessage, missing: set[str] | None) -> None:
        """One message; `missing`: the plans of its subscription that do not exist (`unknown`), None where
        the database could not say."""
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
            if missing is None and msg.plan_id != "*":  # following every plan reads nothing
                self._reply(sub, _DOWN)
                return
            if missing and msg.plan_id in missing:
                self._reply(sub, not_found([msg.plan_id]))
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
        except UNREACHABLE:
            log.error("database unavailable for a task update")
            return _DOWN
