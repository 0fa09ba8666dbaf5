"""A task's dates are the plan's wall-clock times: the clock time given is kept and answered without an
offset, the same on SQLite and PostgreSQL, through the answer of the write, later reads and a restarted
server, and whatever time zone the PostgreSQL server is in."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from tests.conftest import Server, add_task

DATED = {
    "constraint_type": "SNET",
    "constraint_date": "2026-12-02T09:00:00+02:00",  # the clock time, 09:00, is the plan's
    "deadline": "2026-12-10T17:00:00",
    "manual_start": "2026-12-01T10:00:00Z",
}
KEPT = {
    "constraint_date": "2026-12-02T09:00:00",
    "deadline": "2026-12-10T17:00:00",
    "manual_start": "2026-12-01T10:00:00",
}


def _dates(task: dict) -> dict:
    return {k: task[k] for k in KEPT}


def _check(api: httpx.Client, plan_id: str, task_id: str) -> None:
    assert _dates(api.get(f"/plans/{plan_id}/tasks/{task_id}").json()["data"]) == KEPT
    assert _dates(api.get(f"/plans/{plan_id}").json()["data"]["tasks"][0]) == KEPT
    row = api.get(f"/plans/{plan_id}/timeline").json()["data"]["tasks"][0]
    assert row["start"] == "2026-12-02T09:00:00"  # the constraint's clock time, not 07:00 (UTC) or 08:00


def test_dates_keep_their_clock_time_through_writes_reads_and_restarts(
    api: httpx.Client, server: Server
) -> None:
    plan_id = api.post("/plans", json={"name": "clock", "start_date": "2026-12-01"}).json()["data"]["id"]
    task = add_task(api, plan_id, "Pour", duration=2, **DATED)
    assert _dates(task) == KEPT
    _check(api, plan_id, task["id"])
    r = api.patch(f"/plans/{plan_id}/tasks/{task['id']}", json={"resume": "2026-12-03T13:00:00-05:00"})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["resume"] == "2026-12-03T13:00:00"
    r = api.put(
        f"/plans/{plan_id}/tasks/{task['id']}/progress",
        json={"actual_start": "2026-12-02T09:00:00+09:00", "percent_complete": 10},
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["actual_start"] == "2026-12-02T09:00:00"
    # an actual finish without an offset against the stored start: compared as one clock, not a 500
    r = api.put(
        f"/plans/{plan_id}/tasks/{task['id']}/progress",
        json={"status": "completed", "actual_finish": "2026-12-04T09:00:00"},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["data"]["actual_start"], r.json()["data"]["actual_finish"]) == (
        "2026-12-02T09:00:00",
        "2026-12-04T09:00:00",
    )
    server.stop()
    server.start()  # what was stored, read by a fresh process with nothing kept
    with httpx.Client(base_url=server.url + "/api", timeout=30) as fresh:
        t = fresh.get(f"/plans/{plan_id}/tasks/{task['id']}").json()["data"]
        assert (t["actual_start"], t["actual_finish"], t["resume"]) == (
            "2026-12-02T09:00:00",
            "2026-12-04T09:00:00",
            "2026-12-03T13:00:00",
        )
        assert _dates(t) == KEPT


def test_a_postgresql_server_in_another_time_zone_shifts_no_date(postgres, tmp_path) -> None:  # noqa: ANN001
    """A database whose TimeZone is Berlin's (a server's default is often its machine's zone): a deadline of
    17:00 stored as 16:00 UTC came back an hour early."""
    url = postgres.create()
    name = url.rsplit("/", 1)[1]
    with postgres.admin.connect() as c:
        c.execute(text(f"ALTER DATABASE \"{name}\" SET timezone = 'Europe/Berlin'"))
    srv = Server(url, tmp_path / "server.log").start()
    try:
        with httpx.Client(base_url=srv.url + "/api", timeout=30) as api:
            plan_id = api.post("/plans", json={"name": "Berlin", "start_date": "2026-12-01"}).json()["data"][
                "id"
            ]
            task = add_task(api, plan_id, "Pour", duration=2, **DATED)
            srv.stop()
            srv.start()
            _check(api, plan_id, task["id"])
    finally:
        srv.stop()
