"""Structural integrity under racing writers and over bad stored data (hierarchy loops, summary links)."""

from __future__ import annotations

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import create_engine, text

from tests.conftest import Server, add_task, link

ROUNDS = 6


def _together(*calls):
    """Run the calls at the same moment (a barrier in each thread); their responses."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [f.result() for f in [pool.submit(run, c) for c in calls]]


def test_racing_parent_changes_never_store_a_loop(server, plan: dict) -> None:
    pid = plan["id"]
    base = f"{server.url}/api/plans/{pid}"
    with httpx.Client(timeout=60) as c1, httpx.Client(timeout=60) as c2:
        for i in range(ROUNDS):
            a = c1.post(f"{base}/tasks", json={"name": f"A{i}"}).json()["data"]
            b = c1.post(f"{base}/tasks", json={"name": f"B{i}"}).json()["data"]
            ra, rb = _together(
                lambda a=a, b=b: c1.patch(f"{base}/tasks/{a['id']}", json={"parent_id": b["id"]}),
                lambda a=a, b=b: c2.patch(f"{base}/tasks/{b['id']}", json={"parent_id": a["id"]}),
            )
            assert sorted([ra.status_code, rb.status_code]) == [200, 422], (ra.text, rb.text)
            loser = ra if ra.status_code == 422 else rb
            assert "own ancestor" in loser.json()["message"]
    r = httpx.get(f"{base}/critical-path", timeout=60)
    assert r.status_code == 200, r.text


def test_racing_parent_change_and_link_never_link_a_subtask_to_its_summary(server, plan: dict) -> None:
    pid = plan["id"]
    base = f"{server.url}/api/plans/{pid}"
    with httpx.Client(timeout=60) as c1, httpx.Client(timeout=60) as c2:
        for i in range(ROUNDS):
            s = c1.post(f"{base}/tasks", json={"name": f"S{i}"}).json()["data"]
            t = c1.post(f"{base}/tasks", json={"name": f"T{i}"}).json()["data"]
            rp, rl = _together(
                lambda s=s, t=t: c1.patch(f"{base}/tasks/{t['id']}", json={"parent_id": s["id"]}),
                lambda s=s, t=t: c2.post(
                    f"{base}/dependencies", json={"predecessor_id": s["id"], "successor_id": t["id"]}
                ),
            )
            assert not (rp.status_code == 200 and rl.status_code == 201), (rp.text, rl.text)
            assert {rp.status_code, rl.status_code} <= {200, 201, 409}


def _store_loop(database_url: str, a: str, b: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE tasks SET parent_id = :b WHERE id = :a"), {"a": a, "b": b})
        conn.execute(text("UPDATE tasks SET parent_id = :a WHERE id = :b"), {"a": a, "b": b})
    engine.dispose()


def test_a_stored_hierarchy_loop_gives_a_clear_409_everywhere(server, api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    a, b = add_task(api, pid, "Loop A"), add_task(api, pid, "Loop B")
    c, d = add_task(api, pid, "Other C"), add_task(api, pid, "Other D")
    _store_loop(server.database_url, a["id"], b["id"])
    calls = [
        ("get", f"/plans/{pid}/critical-path", None),
        ("get", f"/plans/{pid}/timeline", None),
        ("get", f"/plans/{pid}/export?format=mspdi", None),
        ("post", f"/plans/{pid}/dependencies", {"predecessor_id": a["id"], "successor_id": c["id"]}),
        ("post", f"/plans/{pid}/dependencies", {"predecessor_id": c["id"], "successor_id": d["id"]}),
        ("patch", f"/plans/{pid}/tasks/{c['id']}", {"parent_id": a["id"]}),
        ("post", f"/plans/{pid}/tasks", {"name": "child", "parent_id": b["id"]}),
    ]
    for method, url, body in calls:
        r = api.request(method, url, json=body, timeout=20)
        assert r.status_code == 409, (url, r.status_code, r.text)
        assert "Loop A" in r.json()["message"] and "Loop B" in r.json()["message"], r.text
        assert r.json()["error_code"] == "HIERARCHY_LOOP"
    # the way out: clearing one parent repairs the plan
    r = api.patch(f"/plans/{pid}/tasks/{a['id']}", json={"parent_id": None})
    assert r.status_code == 200, r.text
    assert api.get(f"/plans/{pid}/critical-path").status_code == 200


def test_server_stops_on_sigterm_while_requests_are_in_flight(database_url: str, tmp_path) -> None:
    srv = Server(database_url, tmp_path / "s.log").start()
    try:
        with httpx.Client(base_url=srv.url + "/api", timeout=30) as api:
            pid = api.post("/plans", json={"name": "stop", "start_date": "2026-12-01"}).json()["data"]["id"]
            a, b = add_task(api, pid, "Loop A"), add_task(api, pid, "Loop B")
            assert link(api, pid, a["id"], b["id"]).status_code == 201
            _store_loop(database_url, a["id"], b["id"])
            busy = ThreadPoolExecutor(max_workers=4)
            for _ in range(4):
                busy.submit(lambda: httpx.get(f"{srv.url}/api/plans/{pid}/critical-path", timeout=30))
            time.sleep(0.5)
            start = time.monotonic()
            srv.proc.send_signal(signal.SIGTERM)
            srv.proc.wait(timeout=30)
            assert time.monotonic() - start < 30
            busy.shutdown(wait=True)
    finally:
        srv.stop(kill=True)
