"""Events and webhooks: outbox in the change's transaction, signed deliveries, retries, redelivery,
auto-disable, SSRF refusal, nothing lost when the receiver or Prometheus goes down, two replicas."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections import Counter

import httpx
import pytest

from tests.conftest import Server
from tests.peers import WebhookReceiver

FAST = {
    "PROMETHEUS_WEBHOOK_ALLOW_PRIVATE": "true",
    "PROMETHEUS_WEBHOOK_RETRY_BASE": "0.1",
    "PROMETHEUS_WEBHOOK_RETRY_MAX": "0.5",
    "PROMETHEUS_WEBHOOK_TIMEOUT": "1",
    "PROMETHEUS_WEBHOOK_LEASE": "2",
    "PROMETHEUS_DISPATCH_INTERVAL": "0.05",
    "PROMETHEUS_WEBHOOK_MAX_ATTEMPTS": "6",
    "PROMETHEUS_WEBHOOK_DISABLE_AFTER_SECONDS": "1",
}


def wait_for(check, timeout: float = 15.0):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def verify(secret: str, r: dict) -> bool:
    h = r["headers"]
    key = base64.b64decode(secret.removeprefix("whsec_"))
    msg = f"{h['webhook-id']}.{h['webhook-timestamp']}.".encode() + r["body"]
    expected = "v1," + base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, h["webhook-signature"])


@pytest.fixture
def fast_server(make_database_url, tmp_path):  # noqa: ANN001, ANN201
    srv = Server(make_database_url("sqlite"), tmp_path / "log", env=FAST).start()
    yield srv
    srv.stop()


def test_registration_refuses_private_addresses_by_default(api: httpx.Client) -> None:
    r = api.post("/webhooks/register", json={"url": "http://127.0.0.1:9/hook"})
    assert r.status_code == 422 and "private or local" in r.json()["message"]
    assert api.post("/webhooks/register", json={"url": "ftp://example.com/x"}).status_code == 422
    assert api.post("/webhooks/register", json={"url": "http://10.1.2.3/x"}).status_code == 422


@pytest.mark.parametrize(
    "host",
    [
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "100.100.100.200",  # a cloud metadata address inside it
        "[2002:a9fe:a9fe::1]",  # 6to4 for 169.254.169.254
        "[2002:7f00:1::]",  # 6to4 for 127.0.0.1
        "[64:ff9b::a9fe:a9fe]",  # NAT64 for 169.254.169.254
        "[64:ff9b::10.0.0.1]",
        "[::ffff:127.0.0.1]",  # IPv4-mapped
        "[::ffff:100.64.0.1]",
        "[2001::a9fe:a9fe]",  # Teredo
        "0.0.0.0",
        "192.0.0.8",
        "198.18.0.1",  # benchmarking
        "[fc00::1]",
        "[::]",
    ],
)
def test_registration_refuses_every_non_global_address(api: httpx.Client, host: str) -> None:
    r = api.post("/webhooks/register", json={"url": f"https://{host}/hook"})
    assert r.status_code == 422, r.text
    assert "private or local" in r.json()["message"]


def test_registration_accepts_a_global_address(api: httpx.Client) -> None:
    for host in ("93.184.216.34", "[2606:2800:220:1:248:1893:25c8:1946]", "[64:ff9b::5db8:d822]"):
        r = api.post("/webhooks/register", json={"url": f"https://{host}/hook"})
        assert r.status_code == 201, r.text
        api.delete(f"/webhooks/{r.json()['data']['id']}")


def test_the_same_registration_again_answers_the_webhook_it_made(api: httpx.Client) -> None:
    """A receiver registering itself at every start got each event once per start it had made."""
    url = f"https://93.184.216.34/hook/{uuid.uuid4().hex}"
    secret = "whsec_" + base64.b64encode(b"k" * 24).decode()
    first = api.post("/webhooks/register", json={"url": url, "events": ["prometheus.task.*", "*.created"]})
    assert first.status_code == 201, first.text
    hook = first.json()["data"]
    again = api.post("/webhooks/register", json={"url": url, "events": ["*.created", "prometheus.task.*"]})
    assert again.status_code == 200 and "already registered" in again.json()["message"], again.text
    assert again.json()["data"]["id"] == hook["id"] and again.json()["data"]["secret"] == hook["secret"]
    # another registration of the same URL is its own webhook: other events, ordering or secret
    others = [
        {"url": url, "events": ["prometheus.task.*"]},
        {"url": url, "events": ["prometheus.task.*", "*.created"], "ordered": True},
        {"url": url, "events": ["prometheus.task.*", "*.created"], "secret": secret},
    ]
    made = [api.post("/webhooks/register", json=body) for body in others]
    assert [r.status_code for r in made] == [201, 201, 201], [r.text for r in made]
    same_secret = api.post("/webhooks/register", json=others[2])
    assert same_secret.status_code == 200 and same_secret.json()["data"]["id"] == made[2].json()["data"]["id"]
    mine = [h for h in api.get("/webhooks").json()["data"] if h["url"] == url]
    assert len(mine) == 4, mine
    for h in mine:
        api.delete(f"/webhooks/{h['id']}")


def test_event_patterns_are_event_types_with_wildcards(api: httpx.Client) -> None:
    url = "https://93.184.216.34/hook"
    for bad in ("", "x" * 201, "[a-", "prometheus task", "prometheus.task.?"):
        r = api.post("/webhooks/register", json={"url": url, "events": [bad]})
        assert r.status_code == 422 and r.json()["error_code"] == "VALIDATION_ERROR", (bad, r.text)
    r = api.post("/webhooks/register", json={"url": url, "events": ["prometheus.task.*", "*.created"]})
    assert r.status_code == 201, r.text
    hook = r.json()["data"]["id"]
    assert api.patch(f"/webhooks/{hook}", json={"events": ["[a-"]}).status_code == 422
    api.delete(f"/webhooks/{hook}")


def test_events_are_written_with_their_change_only(server, plan: dict) -> None:  # noqa: ANN001
    from prometheus.store import Database

    api = httpx.Client(base_url=server.url + "/api")
    api.post(f"/plans/{plan['id']}/tasks", json={"name": "kept"})
    api.post(f"/plans/{plan['id']}/tasks", json={"name": ""})  # refused: writes nothing, emits nothing
    db = Database(server.database_url)
    with db.store(write=False) as store:
        types = [e.type for e in store.events_after(0, limit=100_000) if e.plan_id == plan["id"]]
    db.dispose()
    assert types == ["prometheus.plan.created", "prometheus.task.created"]


def test_signed_deliveries_retries_ping_redelivery_and_log(fast_server) -> None:  # noqa: ANN001
    receiver = WebhookReceiver()
    api = httpx.Client(base_url=fast_server.url + "/api", timeout=30)
    try:
        r = api.post("/webhooks/register", json={"url": receiver.url, "events": ["prometheus.task.*"]})
        assert r.status_code == 201
        hook = r.json()["data"]
        assert r.json()["webhook_id"] == hook["id"] and hook["secret"].startswith("whsec_")
        assert "secret" not in api.get(f"/webhooks/{hook['id']}").json()["data"] or (
            api.get(f"/webhooks/{hook['id']}").json()["data"]["secret"] is None
        )
        pid = api.post("/plans", json={"name": "hooked"}).json()["data"]["id"]
        receiver.fail_next = 2  # the first two attempts get HTTP 500
        task = api.post(f"/plans/{pid}/tasks", json={"name": "first"}).json()["data"]
        got = wait_for(lambda: receiver.received)
        assert all(verify(hook["secret"], x) for x in got)
        body = json.loads(got[0]["body"])
        assert body["type"] == "prometheus.task.created" and body["data"]["id"] == task["id"]
        assert body["plan_id"] == pid

        def delivered() -> list[dict] | None:  # recorded once the receiver's answer is back (after `got`)
            log = api.get(f"/webhooks/{hook['id']}/deliveries").json()["data"]
            return log if log and log[0]["status"] != "pending" else None

        log = wait_for(delivered)
        assert [(d["event_type"], d["status"], d["attempts"]) for d in log] == [
            ("prometheus.task.created", "delivered", 3)
        ]

        ping = api.post(f"/webhooks/{hook['id']}/test").json()["data"]
        wait_for(
            lambda: any(json.loads(x["body"])["type"] == "prometheus.webhook.ping" for x in receiver.received)
        )
        again = api.post(f"/webhooks/{hook['id']}/deliveries/{log[0]['id']}/redeliver")
        assert again.status_code == 200
        wait_for(lambda: Counter(x["headers"]["webhook-id"] for x in receiver.received)[body["id"]] == 2)
        assert ping["event_type"] == "prometheus.webhook.ping"
        assert api.post(f"/webhooks/{hook['id']}/deliveries/nope/redeliver").status_code == 404
        assert api.delete(f"/webhooks/{hook['id']}").status_code == 200
        assert api.get(f"/webhooks/{hook['id']}").status_code == 404
    finally:
        receiver.stop()


def test_a_dead_endpoint_is_disabled(fast_server) -> None:  # noqa: ANN001
    receiver = WebhookReceiver()
    url = receiver.url
    receiver.stop()  # nothing listens there now
    api = httpx.Client(base_url=fast_server.url + "/api", timeout=30)
    hook = api.post("/webhooks/register", json={"url": url}).json()["data"]
    pid = api.post("/plans", json={"name": "nobody listens"}).json()["data"]["id"]
    for i in range(3):
        api.post(f"/plans/{pid}/tasks", json={"name": f"t{i}"})
    state = wait_for(
        lambda: (h := api.get(f"/webhooks/{hook['id']}").json()["data"]) and not h["active"] and h
    )
    assert "disabled after failing for" in state["disabled_reason"] and state["failing_since"]


def test_an_outage_during_a_burst_loses_nothing(make_database_url, tmp_path) -> None:
    """Many failures in a short outage do not disable a webhook: it is retried until the receiver is back."""
    receiver = WebhookReceiver()
    env = {
        **FAST,
        "PROMETHEUS_WEBHOOK_MAX_ATTEMPTS": "200",
        "PROMETHEUS_WEBHOOK_DISABLE_AFTER_SECONDS": "600",
    }
    srv = Server(make_database_url("sqlite"), tmp_path / "log", env=env).start()
    api = httpx.Client(base_url=srv.url + "/api", timeout=30)
    try:
        body = {"url": receiver.url, "events": ["prometheus.task.*"]}
        hook = api.post("/webhooks/register", json=body).json()["data"]
        pid = api.post("/plans", json={"name": "burst"}).json()["data"]["id"]
        receiver.stop()
        for i in range(60):
            api.post(f"/plans/{pid}/tasks", json={"name": f"burst {i}"})
        time.sleep(3)  # 60 deliveries each fail several times meanwhile
        state = api.get(f"/webhooks/{hook['id']}").json()["data"]
        assert state["active"] and state["consecutive_failures"] > 50, state
        receiver.start()
        wait_for(lambda: len({e["data"].get("name") for e in receiver.events().values()} - {None}) == 60, 60)
        assert api.get(f"/webhooks/{hook['id']}").json()["data"]["consecutive_failures"] == 0
    finally:
        srv.stop()
        receiver.stop()


def test_a_disabled_webhook_re_enabled_resumes_from_the_first_undelivered_event(fast_server) -> None:  # noqa: ANN001
    receiver = WebhookReceiver()
    api = httpx.Client(base_url=fast_server.url + "/api", timeout=30)
    try:
        hook = api.post("/webhooks/register", json={"url": receiver.url}).json()["data"]
        pid = api.post("/plans", json={"name": "resumed"}).json()["data"]["id"]
        wait_for(lambda: receiver.received)
        receiver.stop()
        for i in range(5):
            api.post(f"/plans/{pid}/tasks", json={"name": f"before {i}"})
        wait_for(lambda: not api.get(f"/webhooks/{hook['id']}").json()["data"]["active"])
        for i in range(5):
            api.post(f"/plans/{pid}/tasks", json={"name": f"while disabled {i}"})
        receiver.start()
        time.sleep(1)
        assert len(receiver.events()) == 1  # disabled: nothing sent
        r = api.patch(f"/webhooks/{hook['id']}", json={"active": True})
        assert r.status_code == 200 and r.json()["data"]["active"] and r.json()["requeued"] >= 5, r.text
        assert r.json()["data"]["disabled_reason"] is None

        def names() -> set[str] | None:
            got = {e["data"].get("name") for e in receiver.events().values()} - {None, "resumed"}
            return got if len(got) == 10 else None

        assert wait_for(names, 30) == {f"before {i}" for i in range(5)} | {
            f"while disabled {i}" for i in range(5)
        }
        assert api.patch(f"/webhooks/{hook['id']}", json={"active": False}).json()["data"]["active"] is False
        assert api.patch(f"/webhooks/{hook['id']}", json={"url": "nope"}).status_code == 422
        assert api.patch("/webhooks/missing", json={"active": True}).status_code == 404
    finally:
        receiver.stop()


def test_ping_and_redeliver_send_now_and_report_the_answer(fast_server) -> None:  # noqa: ANN001
    receiver = WebhookReceiver()
    api = httpx.Client(base_url=fast_server.url + "/api", timeout=30)
    try:
        hook = api.post("/webhooks/register", json={"url": receiver.url, "events": ["none.*"]}).json()["data"]
        r = api.post(f"/webhooks/{hook['id']}/test")
        assert r.status_code == 200 and r.json()["delivered"] is True, r.text
        assert r.json()["data"]["status"] == "delivered" and r.json()["data"]["last_status"] == 204
        assert len(receiver.received) == 1  # already there when the answer comes
        receiver.fail_next = 1
        r = api.post(f"/webhooks/{hook['id']}/test")
        assert r.json()["delivered"] is False and r.json()["data"]["last_status"] == 500, r.text
        assert "HTTP 500" in r.json()["message"]
        first = r.json()["data"]["id"]
        wait_for(lambda: len(receiver.received) == 2)  # retried later as any delivery
        r = api.post(f"/webhooks/{hook['id']}/deliveries/{first}/redeliver")
        assert r.status_code == 200 and r.json()["delivered"] is True and len(receiver.received) == 3
        receiver.stop()
        r = api.post(f"/webhooks/{hook['id']}/deliveries/{first}/redeliver")
        assert r.json()["delivered"] is False and r.json()["data"]["last_error"], r.text
    finally:
        receiver.stop()


def test_ordered_webhooks_get_each_plans_events_in_order(fast_server) -> None:  # noqa: ANN001
    receiver = WebhookReceiver()
    api = httpx.Client(base_url=fast_server.url + "/api", timeout=30)
    try:
        body = {"url": receiver.url, "events": ["prometheus.task.*"], "ordered": True}
        hook = api.post("/webhooks/register", json=body).json()["data"]
        assert hook["ordered"] is True
        plans = [api.post("/plans", json={"name": f"p{i}"}).json()["data"]["id"] for i in range(2)]
        receiver.fail_next = 3  # the first deliveries fail and are retried
        for i in range(8):
            for pid in plans:
                api.post(f"/plans/{pid}/tasks", json={"name": f"t{i}"})
        wait_for(lambda: len(receiver.events()) == 16, 60)
        arrived = [json.loads(x["body"]) for x in receiver.received]
        for pid in plans:
            ids = [int(e["id"].removeprefix("evt_")) for e in arrived if e["plan_id"] == pid]
            assert ids == sorted(ids) and len(ids) == 8, ids
    finally:
        receiver.stop()


def test_nothing_is_lost_when_the_receiver_or_prometheus_goes_down(make_database_url, tmp_path) -> None:
    receiver = WebhookReceiver()
    env = {
        **FAST,
        "PROMETHEUS_WEBHOOK_MAX_ATTEMPTS": "100",
        "PROMETHEUS_WEBHOOK_DISABLE_AFTER_SECONDS": "1000",
    }
    srv = Server(make_database_url("sqlite"), tmp_path / "log", env=env).start()
    api = httpx.Client(base_url=srv.url + "/api", timeout=30)
    try:
        api.post("/webhooks/register", json={"url": receiver.url, "events": ["prometheus.task.created"]})
        pid = api.post("/plans", json={"name": "durable"}).json()["data"]["id"]
        receiver.stop()  # the receiver is down while work goes on
        for i in range(15):
            api.post(f"/plans/{pid}/tasks", json={"name": f"while down {i}"})
        receiver.start()
        receiver.slow_next, receiver.delay = 3, 1.5  # slower than the 1 s timeout: those are sent again
        for i in range(15):
            api.post(f"/plans/{pid}/tasks", json={"name": f"before the kill {i}"})
        srv.stop(kill=True)  # Prometheus dies mid-stream
        srv.start()
        for i in range(10):
            api.post(f"/plans/{pid}/tasks", json={"name": f"after restart {i}"})

        def all_names() -> set[str] | None:
            names = {e["data"]["name"] for e in receiver.events().values()}
            return names if len(names) == 40 else None

        names = wait_for(all_names, timeout=60)
        assert {f"while down {i}" for i in range(15)} <= names and {
            f"after restart {i}" for i in range(10)
        } <= names
    finally:
        srv.stop()
        receiver.stop()


def test_two_replicas_deliver_each_event_once_and_share_live_updates(postgres, tmp_path) -> None:  # noqa: ANN001
    import asyncio

    import websockets

    receiver = WebhookReceiver()
    url = postgres.create()
    a = Server(url, tmp_path / "a.log", env=FAST).start()
    b = Server(url, tmp_path / "b.log", env=FAST).start()
    try:
        api_a = httpx.Client(base_url=a.url + "/api", timeout=30)
        api_b = httpx.Client(base_url=b.url + "/api", timeout=30)
        api_a.post("/webhooks/register", json={"url": receiver.url, "events": ["prometheus.task.created"]})
        pid = api_a.post("/plans", json={"name": "replicated"}).json()["data"]["id"]

        async def listen_on_b() -> dict:
            async with websockets.connect(b.url.replace("http", "ws") + "/ws") as ws:
                await ws.send(json.dumps({"action": "subscribe", "plan_id": pid}))
                await ws.recv()
                await asyncio.to_thread(api_a.post, f"/plans/{pid}/tasks", json={"name": "made on A"})
                while True:
                    e = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if e["type"] == "prometheus.task.created":
                        return e

        seen_on_b = asyncio.run(listen_on_b())
        assert seen_on_b["data"]["name"] == "made on A"
        for i in range(20):
            (api_a if i % 2 else api_b).post(f"/plans/{pid}/tasks", json={"name": f"t{i}"})
        wait_for(lambda: len(receiver.events()) == 21, timeout=30)
        time.sleep(1)  # let any duplicate arrive
        counts = Counter(r["headers"]["webhook-id"] for r in receiver.received)
        assert len(counts) == 21 and set(counts.values()) == {1}
    finally:
        a.stop()
        b.stop()
        receiver.stop()


def test_server_sent_events_resume_from_last_event_id(server, plan: dict) -> None:  # noqa: ANN001
    api = httpx.Client(base_url=server.url + "/api", timeout=30)
    first = api.post(f"/plans/{plan['id']}/tasks", json={"name": "one"}).json()["data"]
    api.post(f"/plans/{plan['id']}/tasks", json={"name": "two"})
    from prometheus.store import Database

    db = Database(server.database_url)
    with db.store(write=False) as store:
        ids = [e.id for e in store.events_after(0, limit=100_000) if e.data.get("id") == first["id"]]
    db.dispose()
    got = []
    with httpx.stream(
        "GET",
        f"{server.url}/api/events/stream",
        params={"plan_id": plan["id"]},
        headers={"Last-Event-ID": str(ids[0])},
        timeout=10,
    ) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("data: "):
                got.append(json.loads(line[6:]))
            if line == ": connected":
                api.post(f"/plans/{plan['id']}/tasks", json={"name": "three"})
            if len(got) == 2:
                break
    assert [(e["type"], e["data"]["name"]) for e in got] == [
        ("prometheus.task.created", "two"),
        ("prometheus.task.created", "three"),
    ]


def test_tasks_can_be_updated_over_the_websocket(server, plan: dict) -> None:  # noqa: ANN001
    import asyncio

    import websockets

    api = httpx.Client(base_url=server.url + "/api")
    task = api.post(f"/plans/{plan['id']}/tasks", json={"name": "socket"}).json()["data"]

    async def run() -> list[dict]:
        async with websockets.connect(server.url.replace("http", "ws") + "/ws") as ws:
            out = []
            base = {"action": "update_task", "plan_id": plan["id"], "task_id": task["id"]}
            for msg in (
                {**base, "changes": {"duration": 4}, "version": 1},
                {**base, "changes": {"duration": 5}, "version": 1},  # stale
                {**base, "changes": {"duration": -1}},
            ):
                await ws.send(json.dumps(msg))
                out.append(json.loads(await ws.recv()))  # not subscribed: only replies arrive
            return out

    ok, stale, bad = asyncio.run(run())
    assert ok["type"] == "task.updated" and ok["task"]["duration"] == 4 and ok["task"]["version"] == 2
    assert stale["type"] == "error" and stale["error_code"] == "RESOURCE_CONFLICT"
    assert bad["type"] == "error" and bad["error_code"] == "VALIDATION_ERROR"
    assert api.get(f"/plans/{plan['id']}/tasks/{task['id']}").json()["data"]["duration"] == 4


def test_client_manages_webhooks(fast_server) -> None:  # noqa: ANN001
    from prometheus.client import NotFoundError, SyncPrometheusClient

    receiver = WebhookReceiver()
    try:
        with SyncPrometheusClient(fast_server.url) as api:
            hook = api.register_webhook(receiver.url, events=["prometheus.plan.*"])
            assert [h["id"] for h in api.list_webhooks()] == [hook["id"]]
            api.test_webhook(hook["id"])
            delivered = wait_for(lambda: api.webhook_deliveries(hook["id"], status="delivered"))
            assert delivered[0]["event_type"] == "prometheus.webhook.ping"
            api.redeliver(hook["id"], delivered[0]["id"])
            wait_for(lambda: len(receiver.received) == 2)
            assert verify(hook["secret"], receiver.received[-1])
            api.delete_webhook(hook["id"])
            with pytest.raises(NotFoundError):
                api.get_webhook(hook["id"])
    finally:
        receiver.stop()


def test_a_delivery_goes_to_the_address_that_was_checked(monkeypatch) -> None:  # noqa: ANN001
    """DNS rebinding: a host that resolves to a public address when checked and to loopback a moment later
    is sent to the checked address, never to loopback."""
    import socket
    from datetime import UTC, datetime

    from prometheus.config import Settings
    from prometheus.events.webhooks import Dispatcher
    from prometheus.store.tables import EventRow

    receiver = WebhookReceiver()
    real = socket.getaddrinfo
    answers = iter(["192.0.2.1", *["127.0.0.1"] * 10])  # TEST-NET: checked as public here, never answers

    def rebinding(host, port, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if host != "rebind.example":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr("prometheus.events.addresses.is_public", lambda ip: str(ip) != "127.0.0.1")
    dispatcher = Dispatcher(None, Settings().model_copy(update={"webhook_timeout": 1.0}))  # type: ignore[arg-type]
    event = EventRow(
        id=1, type="prometheus.webhook.ping", plan_id=None, data={}, created_at=datetime.now(UTC)
    )
    try:
        status, error = dispatcher._post(
            f"http://rebind.example:{receiver.port}/hook", "whsec_QUJD", True, event
        )
        assert status is None and error, (status, error)
        assert receiver.received == []
    finally:
        dispatcher.sender.close()
        receiver.stop()


class DripReceiver:
    """A hostile receiver: it answers one byte every `pause` seconds, each within the per-read timeout,
    either its status line and headers (`where="head"`) or, after them, a body that never ends."""

    def __init__(self, where: str, pause: float = 0.3) -> None:
        import socket
        import threading

        self.where, self.pause, self.stopped = where, pause, threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        import threading

        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn) -> None:  # noqa: ANN001
        head = b"HTTP/1.1 200 OK\r\ncontent-length: 1000000000\r\n" + b"x-pad: " + b"p" * 200 + b"\r\n\r\n"
        try:
            conn.recv(65536)
            if self.where == "body":
                conn.sendall(head)
            while not self.stopped.is_set():
                for byte in head if self.where == "head" else iter(lambda: 120, None):
                    conn.sendall(bytes([byte]))
                    time.sleep(self.pause)
                    if self.stopped.is_set():
                        return
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self) -> None:
        self.stopped.set()
        self.sock.close()


def test_a_receiver_that_answers_a_byte_at_a_time_cannot_hold_a_delivery(fast_server) -> None:  # noqa: ANN001
    """PROMETHEUS_WEBHOOK_TIMEOUT bounds the whole exchange, not each read: a receiver dripping its headers
    (each byte within the read timeout) is a failed delivery saying so, retried later; one whose body never
    ends is delivered on its status (the body is never read, whatever its size), instead of the ping (and
    the dispatcher's other deliveries) waiting on it for as long as it drips."""
    api = httpx.Client(base_url=fast_server.url + "/api", timeout=60)
    head, body = DripReceiver("head"), DripReceiver("body")
    try:
        hook = api.post("/webhooks/register", json={"url": head.url, "events": ["none.*"]}).json()["data"]
        r = api.post(f"/webhooks/{hook['id']}/test")
        assert r.status_code == 200 and r.json()["delivered"] is False, r.text
        assert r.json()["data"]["status"] == "pending" and "no whole answer within 1 s" in r.json()["message"]
        hook = api.post("/webhooks/register", json={"url": body.url, "events": ["none.*"]}).json()["data"]
        r = api.post(f"/webhooks/{hook['id']}/test")
        assert r.status_code == 200 and r.json()["delivered"] is True, r.text
        assert r.json()["data"]["last_status"] == 200
    finally:
        head.stop()
        body.stop()


def test_a_receiver_that_answers_late_holds_up_no_other_webhook(make_database_url, tmp_path) -> None:  # noqa: ANN001
    """Each due delivery is sent on its own: while one webhook's receiver keeps every delivery waiting for
    its whole timeout (30 s here), another webhook gets each event at once, in the same round or a later
    one (sent one after the other, or a round waiting for its slowest, the first late delivery held every
    other for 30 s)."""
    srv = Server(
        make_database_url("sqlite"), tmp_path / "log", env=FAST | {"PROMETHEUS_WEBHOOK_TIMEOUT": "30"}
    )
    srv.start()
    late, good = DripReceiver("head", pause=1.0), WebhookReceiver()
    api = httpx.Client(base_url=srv.url + "/api", timeout=60)
    try:
        for url in (late.url, good.url):  # the late one first: its deliveries come first in each batch
            r = api.post("/webhooks/register", json={"url": url, "events": ["prometheus.task.*"]})
            assert r.status_code == 201, r.text
        pid = api.post("/plans", json={"name": "one late"}).json()["data"]["id"]
        names = [f"t{i}" for i in range(5)]
        api.post(f"/plans/{pid}/tasks", json={"name": names[0]})
        wait_for(lambda: good.received)  # the late receiver holds its first delivery from now on
        for name in names[1:]:  # due in later rounds
            api.post(f"/plans/{pid}/tasks", json={"name": name})
        got = wait_for(lambda: len(good.received) >= 5 and good.received, timeout=20)
        assert sorted(json.loads(x["body"])["data"]["name"] for x in got) == names
    finally:
        late.stop()
        good.stop()
        srv.stop()
