"""Event delivery: throughput and latency from a committed change to the webhook receiver and to a
WebSocket subscriber, on SQLite and PostgreSQL.

    python bench/bench_events.py [--events 500]

A real server process on loopback; a change is a task created over HTTP; latency is measured from the
moment the API answered to the moment the receiver (or the socket) had the event.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
import websockets  # noqa: E402

from tests.conftest import POSTGRES_URL, FreshPostgres, Server  # noqa: E402
from tests.peers import WebhookReceiver  # noqa: E402

ENV = {"PROMETHEUS_WEBHOOK_ALLOW_PRIVATE": "true"}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def run(database_url: str, n: int, log: Path) -> dict:
    receiver = WebhookReceiver()
    srv = Server(database_url, log, env=ENV).start()
    api = httpx.Client(base_url=srv.url + "/api", timeout=30)
    api.post("/webhooks/register", json={"url": receiver.url, "events": ["prometheus.task.created"]})
    pid = api.post("/plans", json={"name": "bench"}).json()["data"]["id"]
    on_socket: dict[str, float] = {}
    ready = threading.Event()

    async def listen() -> None:
        async with websockets.connect(srv.url.replace("http", "ws") + "/ws") as ws:
            await ws.send(json.dumps({"action": "subscribe", "plan_id": pid}))
            await ws.recv()
            ready.set()
            while len(on_socket) < n:
                e = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if e.get("type") == "prometheus.task.created":
                    on_socket.setdefault(e["data"]["name"], time.perf_counter())

    t = threading.Thread(target=lambda: asyncio.run(listen()), daemon=True)
    t.start()
    ready.wait(10)
    answered: dict[str, float] = {}
    start = time.perf_counter()
    for i in range(n):
        api.post(f"/plans/{pid}/tasks", json={"name": f"t{i}"})
        answered[f"t{i}"] = time.perf_counter()
    deadline = time.monotonic() + 120
    while len(receiver.received) < n and time.monotonic() < deadline:
        time.sleep(0.01)
    arrived: dict[str, float] = {}
    for item in receiver.received:
        arrived.setdefault(json.loads(item["body"])["data"]["name"], item["at"])
    t.join(60)
    end = max(arrived.values())
    srv.stop()
    receiver.stop()
    hook = [arrived[k] - answered[k] for k in answered if k in arrived]
    sock = [on_socket[k] - answered[k] for k in answered if k in on_socket]
    return {
        "delivered": len(arrived),
        "throughput": len(arrived) / (end - start),
        "hook_p50": pct(hook, 0.5) * 1000,
        "hook_p99": pct(hook, 0.99) * 1000,
        "ws_p50": pct(sock, 0.5) * 1000 if sock else float("nan"),
        "ws_p99": pct(sock, 0.99) * 1000 if sock else float("nan"),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=500)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    rows = [("SQLite", run(f"sqlite:///{tmp / 'bench.db'}", args.events, tmp / "sqlite.log"))]
    try:
        pg = FreshPostgres()
        rows.append(("PostgreSQL", run(pg.create(), args.events, tmp / "pg.log")))
        pg.drop_all()
    except BaseException as exc:  # noqa: BLE001 - no PostgreSQL here: report SQLite only
        print(f"PostgreSQL at {POSTGRES_URL} skipped: {exc}", file=sys.stderr)
    print(
        "| database | events | delivered | per second | webhook p50 | webhook p99 | socket p50 | socket p99 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows:
        print(
            f"| {name} | {args.events} | {r['delivered']} | {r['throughput']:.0f} | {r['hook_p50']:.0f} ms "
            f"| {r['hook_p99']:.0f} ms | {r['ws_p50']:.0f} ms | {r['ws_p99']:.0f} ms |"
        )


if __name__ == "__main__":
    main()
