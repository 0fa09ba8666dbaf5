"""Hostile input, round two: the WebSocket, the SSE stream and `/mcp` of a real server on both databases."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import websockets

from tests.conftest import Server


def _ws(server: Server) -> str:
    return server.url.replace("http", "ws") + "/ws"


def _live(server: Server) -> dict:
    return httpx.get(server.url + "/health", timeout=30).json()["live"]


def test_made_up_plan_ids_leave_nothing_behind_in_the_hub(server: Server) -> None:
    """Every plan id a socket subscribed to, made up or not, is gone from the hub when the socket goes
    (each stayed a key for good: an unbounded leak, and every later socket's close walked them all); an
    id longer than any id, or one subscription past the limit, is a VALIDATION_ERROR."""
    before = _live(server)

    async def main() -> list[dict]:
        async with websockets.connect(_ws(server), max_size=None) as ws:
            for i in range(1000):
                await ws.send(json.dumps({"action": "subscribe", "plan_id": f"{uuid.uuid4()}-{i}"}))
            await ws.send(json.dumps({"action": "unsubscribe", "plan_id": "never-subscribed"}))
            await ws.send(json.dumps({"action": "subscribe", "plan_id": "one too many"}))
            await ws.send(json.dumps({"action": "subscribe", "plan_id": "x" * 201}))
            answers = [json.loads(await asyncio.wait_for(ws.recv(), 30)) for _ in range(1003)]
            during = _live(server)
        assert during["followed"] >= before["followed"] + 1000
        return answers[1000:]

    unsubscribed, too_many, too_long = asyncio.run(main())
    assert unsubscribed == {"type": "unsubscribed", "plan_id": "never-subscribed"}
    assert too_many["error_code"] == "VALIDATION_ERROR" and "at most 1000" in too_many["message"]
    assert too_long["error_code"] == "VALIDATION_ERROR" and "plan_id" in too_long["message"]
    for _ in range(100):  # the server sees the close a moment after the client
        if _live(server)["followed"] <= before["followed"]:
            break
        asyncio.run(asyncio.sleep(0.05))
    assert _live(server)["followed"] <= before["followed"]
