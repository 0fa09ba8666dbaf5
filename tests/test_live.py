"""The live hub: a stalled subscriber never holds up the others; resuming says clearly when it cannot."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import threading
import time

import httpx
import pytest
import websockets

from tests.conftest import Server

LIVE = {"PROMETHEUS_LIVE_QUEUE": "20", "PROMETHEUS_LIVE_BACKLOG": "30"}


@pytest.fixture
def live_server(backend: str, make_database_url, tmp_path):  # noqa: ANN001, ANN201
    srv = Server(make_database_url(backend), tmp_path / "live.log", env=LIVE).start()
    yield srv
    srv.stop()


def _stalled_websocket(server: Server, plan_id: str) -> socket.socket:
    """A WebSocket client that subscribes and then never reads (a tiny receive buffer fills at once)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    s.connect(("127.0.0.1", server.port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(
        (
            f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    payload = json.dumps({"action": "subscribe", "plan_id": plan_id}).encode()
    mask = os.urandom(4)
    frame = bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    time.sleep(0.3)
    s.sendall(frame)
    return s


def _stalled_sse(server: Server, plan_id: str) -> socket.socket:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    s.connect(("127.0.0.1", server.port))
    s.sendall(f"GET /api/events/stream?plan_id={plan_id} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    return s


def test_stalled_subscribers_never_hold_up_the_others(live_server: Server) -> None:
    api = httpx.Client(base_url=live_server.url + "/api", timeout=60)
    pid = api.post("/plans", json={"name": "live"}).json()["data"]["id"]
    tid = api.post(f"/plans/{pid}/tasks", json={"name": "t"}).json()["data"]["id"]
    stalled = [_stalled_websocket(live_server, pid), _stalled_sse(live_server, pid)]
    time.sleep(0.5)
    got: list[dict] = []
    connected = threading.Event()

    async def listen() -> None:
        url = live_server.url.replace("http", "ws") + "/ws"
        async with websockets.connect(url, max_size=None) as ws:
            await ws.send(json.dumps({"action": "subscribe", "plan_id": pid}))
            connected.set()
            while len(got) < 60:
                msg = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if msg.get("type") == "prometheus.task.updated":
                    got.append(msg)

    thread = threading.Thread(target=lambda: asyncio.run(listen()))
    thread.start()
    assert connected.wait(30)
    time.sleep(0.3)
    blob = "x" * 60_000  # each event is big: the stalled sockets' buffers fill within a few
    for i in range(60):
        r = api.patch(f"/plans/{pid}/tasks/{tid}", json={"metadata": {"i": i, "blob": blob}})
        assert r.status_code == 200, r.text
    thread.join(60)
    assert not thread.is_alive(), f"the healthy subscriber got {len(got)} of 60 events"
    assert [m["data"]["metadata"]["i"] for m in got] == list(range(60))
    for s in stalled:
        s.close()


def _sse_lines(url: str, headers: dict) -> list[str]:
    """Lines of an SSE stream up to ': connected' (caught up, now live) or a reload notice."""
    lines = []
    with httpx.stream("GET", url, headers=headers, timeout=20) as r:
        for line in r.iter_lines():
            lines.append(line)
            if line == ": connected" or line.startswith("data: ") and '"type": "reload"' in line:
                break
    return lines


def _last_event_id(server: Server, plan_id: str) -> int:
    from prometheus.store import Database

    db = Database(server.database_url)
    with db.store(write=False) as store:
        last = max(e.id for e in store.events_after(0, limit=100_000, plan_id=plan_id))
    db.dispose()
    return last


def _wait_for_events(server: Server, plan_id: str, after: int, n: int, timeout: float = 20.0) -> None:
    """Until the plan has n events after `after` (they are numbered in a moment after their commit)."""
    from prometheus.store import Database

    db = Database(server.database_url)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with db.store(write=False) as store:
                if len(store.events_after(after, limit=100_000, plan_id=plan_id)) >= n:
                    return
            time.sleep(0.05)
        raise AssertionError(f"fewer than {n} events after {after} within {timeout} s")
    finally:
        db.dispose()


def test_resuming_past_the_backlog_says_reload(live_server: Server) -> None:
    api = httpx.Client(base_url=live_server.url + "/api", timeout=60)
    pid = api.post("/plans", json={"name": "resume"}).json()["data"]["id"]
    api.post(f"/plans/{pid}/tasks", json={"name": "first"})
    start = _last_event_id(live_server, pid)
    for i in range(10):
        api.post(f"/plans/{pid}/tasks", json={"name": f"t{i}"})
    stream = f"{live_server.url}/api/events/stream?plan_id={pid}"
    # within the backlog: every missed event, then live
    lines = _sse_lines(stream, {"Last-Event-ID": str(start)})
    names = [json.loads(x[6:])["data"]["name"] for x in lines if x.startswith("data: ")]
    assert names == [f"t{i}" for i in range(10)] and lines[-1] == ": connected"
    for i in range(40):
        api.post(f"/plans/{pid}/tasks", json={"name": f"more {i}"})
    _wait_for_events(live_server, pid, start, 50)  # all numbered: none of them arrives live below
    # past it (50 missed, 30 kept for a resume): said clearly, nothing silently dropped
    lines = _sse_lines(stream, {"Last-Event-ID": str(start)})
    assert lines[0] == "event: reload", lines[:3]
    notice = json.loads(lines[1][6:])
    assert notice["type"] == "reload" and "30" in notice["reason"] and notice["last_event_id"] == start

    async def ws_resume(after: int) -> list[dict]:
        url = live_server.url.replace("http", "ws") + "/ws"
        out = []
        async with websockets.connect(url) as ws:
            await ws.send(json.dumps({"action": "subscribe", "plan_id": pid, "last_event_id": after}))
            while True:
                try:
                    out.append(json.loads(await asyncio.wait_for(ws.recv(), 2)))
                except TimeoutError:
                    return out

    missed = asyncio.run(ws_resume(start))
    assert [m["type"] for m in missed] == ["subscribed", "reload"], missed
    got = asyncio.run(ws_resume(_last_event_id(live_server, pid) - 5))
    assert [m["type"] for m in got] == ["subscribed"] + ["prometheus.task.created"] * 5, got
    assert [m["data"]["name"] for m in got[1:]] == [f"more {i}" for i in range(35, 40)]


def test_a_last_event_id_past_any_event_id_is_refused(server: Server) -> None:
    for value in (str(2**63), "-1"):  # beyond a 64-bit id, or below any id: 422, never a 500
        r = httpx.get(f"{server.url}/api/events/stream", headers={"Last-Event-ID": value}, timeout=10)
        assert r.status_code == 422, r.text
        assert r.json()["error_code"] == "VALIDATION_ERROR"


def test_a_subscriber_of_an_unwatched_server_gets_every_event_after_subscribing(server: Server) -> None:
    """One who subscribes while writes go on gets every event of the plan committed after the subscription,
    in order, none twice (the default queue: a burst the hub reads at once never outgrows it); events
    committed a moment before it that the hub had yet to hand out may come first."""
    api = httpx.Client(base_url=server.url + "/api", timeout=60)
    pid = api.post("/plans", json={"name": "unwatched"}).json()["data"]["id"]
    for i in range(5):  # committed while nobody listens
        api.post(f"/plans/{pid}/tasks", json={"name": f"before {i}"})
    done = threading.Event()

    def write() -> None:
        with httpx.Client(base_url=server.url + "/api", timeout=60) as writer:
            for i in range(60):
                writer.post(f"/plans/{pid}/tasks", json={"name": f"during {i}"})
                if i == 10:
                    done.set()  # the subscriber subscribes meanwhile

    async def watch() -> list[dict]:
        url = server.url.replace("http", "ws") + "/ws"
        out = []
        async with websockets.connect(url) as ws:
            await asyncio.to_thread(done.wait, 30)
            await ws.send(json.dumps({"action": "subscribe", "plan_id": pid}))
            while True:
                try:
                    out.append(json.loads(await asyncio.wait_for(ws.recv(), 3)))
                except TimeoutError:
                    return out

    writer = threading.Thread(target=write)
    writer.start()
    got = asyncio.run(watch())
    writer.join()
    assert got[0]["type"] == "subscribed", got[:2]
    ids = [m["event_id"] for m in got[1:]]
    assert ids and ids == sorted(set(ids)), ids
    from prometheus.events.messages import event_message
    from prometheus.store import Database

    db = Database(server.database_url)
    with db.store(write=False) as store:
        stored = [event_message(e) for e in store.events_after(ids[0] - 1, limit=1000, plan_id=pid)]
    db.dispose()
    assert ids == [e["event_id"] for e in stored]  # from the first one received on, every event, in order
    # it subscribed after "during 10" was committed: every later event is among them
    earlier = ["unwatched"] + [f"before {i}" for i in range(5)] + [f"during {i}" for i in range(12)]
    assert stored[0]["data"]["name"] in earlier, stored[0]
    assert got[-1]["data"]["name"] == "during 59"


HOSTILE = [
    "{not json",
    "[1, 2]",
    "null",
    "[" * 100_000 + "]" * 100_000,  # nested past any parser's limit
    json.dumps({"action": "launch"}),
    json.dumps({"action": ["subscribe"]}),
    json.dumps({"action": {}}),
    json.dumps({"action": "subscribe"}),
    json.dumps({"action": "subscribe", "plan_id": 5}),
    json.dumps({"action": "subscribe", "plan_id": "a\x00b", "last_event_id": 0}),
    '{"action": "subscribe", "plan_id": "\\ud800"}',
    json.dumps({"action": "update_task", "plan_id": "a\x00b", "task_id": "t", "changes": {"name": "x"}}),
    json.dumps({"action": "update_task", "plan_id": "p", "task_id": "t\x00", "changes": {"name": "x"}}),
    json.dumps({"action": "update_task", "task_id": "t", "changes": {"name": "x"}}),
    json.dumps({"action": "update_task", "plan_id": "p", "task_id": "t", "changes": [1]}),
    json.dumps({"action": "update_task", "plan_id": "p", "task_id": "t", "version": "abc"}),
]


@pytest.mark.parametrize("after", ["abc", -1, 1.5, True, 2**63, 10**30])
def test_a_resume_point_that_is_no_event_id_is_refused(server: Server, plan: dict, after: object) -> None:
    """Not silently ignored (the client would believe it resumed) nor a dead socket (SQLite cannot compare
    an integer past 64 bits): a VALIDATION_ERROR, as the SSE stream's 422 for such a Last-Event-ID."""

    async def main() -> list[dict]:
        async with websockets.connect(server.url.replace("http", "ws") + "/ws") as ws:
            msg = {"action": "subscribe", "plan_id": plan["id"], "last_event_id": after}
            await ws.send(json.dumps(msg))
            await ws.send(json.dumps({"action": "ping"}))
            return [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(2)]

    refused, pong = asyncio.run(main())
    assert refused["type"] == "error" and refused["error_code"] == "VALIDATION_ERROR", refused
    assert "last_event_id" in refused["message"] and pong == {"type": "pong"}


def test_hostile_websocket_messages_get_an_error_and_the_socket_goes_on(server: Server, plan: dict) -> None:
    """Each is answered with a VALIDATION_ERROR on both databases; none closes the socket or kills its
    sender (a NUL id reached PostgreSQL, an unhashable action or deep nesting raised, a lone surrogate
    could not be written back)."""

    async def main() -> list[dict]:
        answers = []
        async with websockets.connect(server.url.replace("http", "ws") + "/ws", max_size=None) as ws:
            for raw in HOSTILE:
                await ws.send(raw)
                answers.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
            await ws.send(json.dumps({"action": "subscribe", "plan_id": plan["id"]}))
            answers.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
        return answers

    *errors, subscribed = asyncio.run(main())
    for raw, answer in zip(HOSTILE, errors, strict=True):
        assert answer["type"] == "error" and answer["error_code"] == "VALIDATION_ERROR", (raw[:80], answer)
    assert subscribed == {"type": "subscribed", "plan_id": plan["id"]}


def test_a_resume_point_past_the_newest_event_says_reload(server: Server, plan: dict) -> None:
    """An id from another (or a restored) database: nothing after it would ever come, so the answer is
    reload, on the WebSocket and the SSE stream alike, instead of a subscription that stays silent."""
    future = 10**12

    async def main() -> list[dict]:
        async with websockets.connect(server.url.replace("http", "ws") + "/ws") as ws:
            await ws.send(json.dumps({"action": "subscribe", "plan_id": plan["id"], "last_event_id": future}))
            return [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(2)]

    subscribed, reload = asyncio.run(main())
    assert subscribed["type"] == "subscribed" and reload["type"] == "reload", reload
    assert reload["last_event_id"] == future and "past the newest event" in reload["reason"]
    stream = f"{server.url}/api/events/stream?plan_id={plan['id']}"
    lines = _sse_lines(stream, {"Last-Event-ID": str(future)})
    assert lines[0] == "event: reload", lines[:3]
    assert "past the newest event" in json.loads(lines[1][6:])["reason"]


def test_a_burst_larger_than_the_queue_reaches_a_subscriber_that_keeps_up(live_server: Server) -> None:
    """One commit moving 100 tasks (an execution's `completed` callback) is 100 events at once; with a
    queue of 20 a subscriber that reads gets them all, in order, and no reload (the hub lets the senders
    send between parts of a burst)."""
    api = httpx.Client(base_url=live_server.url + "/api", timeout=60)
    pid = api.post("/plans", json={"name": "burst", "start_date": "2026-11-30"}).json()["data"]["id"]
    made = api.post(f"/plans/{pid}/tasks", json=[{"name": f"t{i}", "duration": 1} for i in range(100)])
    assert made.status_code == 201, made.text[:300]
    steps = [{"id": t["key"]} for t in made.json()["data"]]
    body = {"execution_id": "burst", "plan_id": pid, "steps": steps}
    adopted = api.post("/executions/callbacks", json=body)
    assert adopted.status_code == 200, adopted.text[:300]
    before = _last_event_id(live_server, pid)

    async def watch() -> list[dict]:
        async with websockets.connect(live_server.url.replace("http", "ws") + "/ws") as ws:
            await ws.send(json.dumps({"action": "subscribe", "plan_id": pid}))
            out = [json.loads(await ws.recv())]
            done = await asyncio.to_thread(
                api.post, "/executions/callbacks", json={"execution_id": "burst", "status": "completed"}
            )
            assert done.status_code == 200, done.text[:300]
            while True:
                try:
                    out.append(json.loads(await asyncio.wait_for(ws.recv(), 3)))
                except TimeoutError:
                    return out

    got = asyncio.run(watch())
    assert got[0]["type"] == "subscribed" and "reload" not in {m["type"] for m in got}, got[-1]
    progress = [m for m in got[1:] if m["type"] == "prometheus.task.progress"]
    assert len(progress) == 100 and all(m["event_id"] > before for m in progress)
    ids = [m["event_id"] for m in got[1:]]
    assert ids == sorted(set(ids))
