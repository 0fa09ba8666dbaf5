"""Live updates over the WebSocket `/ws`: clients subscribe to plans and hear of every change to them.

Protocol (JSON): `{"action": "subscribe", "plan_id": "..."}` (or `"*"` for every plan), `unsubscribe`,
`ping`; the server sends `subscribed`, `unsubscribed`, `pong`, `error`, and events
`{"type": "plan.changed", "plan_id", "method", "path", "status", "at"}`. Changes are seen by an ASGI
middleware around the API, so every successful write is announced, whichever route made it.
"""

from __future__ import annotations

import contextlib
import re
from collections import defaultdict
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

_PLAN_PATH = re.compile(r"^/api/plans/(?!import$)([^/]+)")
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class LiveHub:
    def __init__(self) -> None:
        self.subscribers: dict[str, set[WebSocket]] = defaultdict(set)

    async def publish(self, plan_id: str, event: dict) -> int:
        sent = 0
        for ws in list(self.subscribers.get(plan_id, set()) | self.subscribers.get("*", set())):
            try:
                await ws.send_json(event)
                sent += 1
            except Exception:  # noqa: BLE001 - a closed socket: forget it
                self.drop(ws)
        return sent

    def drop(self, ws: WebSocket) -> None:
        for subs in self.subscribers.values():
            subs.discard(ws)

    async def serve(self, ws: WebSocket) -> None:
        await ws.accept()
        try:
            while True:
                try:
                    msg = await ws.receive_json()
                except (ValueError, KeyError):
                    await ws.send_json(
                        {"type": "error", "message": 'send JSON like {"action": "subscribe", ...}'}
                    )
                    continue
                action, plan_id = msg.get("action"), msg.get("plan_id")
                if action == "ping":
                    await ws.send_json({"type": "pong"})
                elif action in ("subscribe", "unsubscribe") and isinstance(plan_id, str) and plan_id:
                    if action == "subscribe":
                        self.subscribers[plan_id].add(ws)
                    else:
                        self.subscribers[plan_id].discard(ws)
                    await ws.send_json({"type": f"{action}d", "plan_id": plan_id})
                else:
                    await ws.send_json(
                        {"type": "error", "message": "actions: subscribe, unsubscribe (plan_id), ping"}
                    )
        except WebSocketDisconnect:
            pass
        finally:
            self.drop(ws)


class AnnounceChanges:
    """ASGI middleware: after a successful write under /api/plans/{id}, tell that plan's subscribers."""

    def __init__(self, app: ASGIApp, hub: LiveHub):
        self.app, self.hub = app, hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WRITES:
            await self.app(scope, receive, send)
            return
        status = {}

        async def spy(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, receive, spy)
        code = status.get("code", 500)
        match = _PLAN_PATH.match(scope["path"])
        if code < 400 and (match or scope["path"] in ("/api/plans", "/api/plans/import")):
            plan_id = match.group(1) if match else "*"
            event = {
                "type": "plan.changed",
                "plan_id": plan_id,
                "method": scope["method"],
                "path": scope["path"],
                "status": code,
                "at": datetime.now(UTC).isoformat(),
            }
            with contextlib.suppress(Exception):
                await self.hub.publish(plan_id, event)
