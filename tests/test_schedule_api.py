"""Critical path, timeline and summary endpoints over real HTTP, with computed values."""

from __future__ import annotations

import httpx
import numpy as np

from tests.conftest import add_task, link


def build(api: httpx.Client) -> tuple[str, dict]:
    pid = api.post(
        "/plans", json={"name": "Release", "start_date": "2026-11-27", "end_date": "2026-12-31"}
    ).json()["data"]["id"]
    dev = api.post(f"/plans/{pid}/resources", json={"name": "Dev", "cost_rate": 100}).json()["data"]
    t = {
        "design": add_task(api, pid, "Design", duration=1, assigned_resources=[dev["id"]]),
        "build": add_task(
            api, pid, "Build", duration=3, assignments=[{"resource_id": dev["id"], "units": 0.5}]
        ),
        "docs": add_task(api, pid, "Docs", duration=1),
        "ship": add_task(api, pid, "Ship", milestone=True),
    }
    link(api, pid, t["design"]["id"], t["build"]["id"])
    link(api, pid, t["design"]["id"], t["docs"]["id"])
    link(api, pid, t["build"]["id"], t["ship"]["id"])
    link(api, pid, t["docs"]["id"], t["ship"]["id"])
    done = {
        "percent_complete": 100,
        "actual_start": "2026-11-27T08:00:00",
        "actual_finish": "2026-11-27T17:00:00",
    }
    assert api.put(f"/plans/{pid}/tasks/{t['design']['id']}/progress", json=done).status_code == 200
    return pid, t


def test_critical_path(api: httpx.Client) -> None:
    pid, t = build(api)
    r = api.get(f"/plans/{pid}/critical-path")
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    # Design is done: finished work is never critical (Microsoft Project), the path runs on from it
    assert [c["name"] for c in d["critical_path"]] == ["Build", "Ship"]
    assert d["critical_paths"] == [[t["build"]["id"], t["ship"]["id"]]]
    assert d["project_start"] == "2026-11-27T08:00:00"
    assert d["project_finish"] == "2026-12-02T17:00:00"  # Fri + Mon..Wed, weekend skipped
    assert d["critical_path"][1]["start"] == "2026-12-02T17:00:00"  # the milestone at Build's finish
    assert t["docs"]["id"] not in d["critical_tasks"]
    assert d["conflicts"] == []


def test_timeline_default_and_gantt(api: httpx.Client) -> None:
    pid, t = build(api)
    rows = {r["name"]: r for r in api.get(f"/plans/{pid}/timeline").json()["data"]["tasks"]}
    docs = rows["Docs"]
    assert (docs["early_start"], docs["early_finish"]) == ("2026-11-30T08:00:00", "2026-11-30T17:00:00")
    assert (docs["late_start"], docs["late_finish"]) == ("2026-12-02T08:00:00", "2026-12-02T17:00:00")
    assert docs["total_slack_days"] == 2 and docs["free_slack_days"] == 2 and docs["critical"] is False
    assert rows["Build"]["predecessors"] == [t["design"]["id"]]

    g = api.get(f"/plans/{pid}/timeline", params={"format": "gantt", "include_resources": True}).json()[
        "data"
    ]
    ship = next(x for x in g["tasks"] if x["name"] == "Ship")
    assert (
        ship["milestone"]
        and ship["critical"]
        and set(ship["dependencies"].split(","))
        == {
            t["build"]["id"],
            t["docs"]["id"],
        }
    )
    assert len(g["links"]) == 4
    dev = g["resources"][0]
    assert dev["assigned_hours"] == 8 + 12 and dev["cost"] == 2000 and dev["available_hours"] == 32
    assert api.get(f"/plans/{pid}/timeline", params={"format": "pdf"}).status_code == 422


def test_summary(api: httpx.Client) -> None:
    pid, _ = build(api)
    d = api.get(f"/plans/{pid}/summary").json()["data"]
    assert d["task_count"] == 4 and d["status_breakdown"] == {"completed": 1, "pending": 3}
    assert d["priority_breakdown"] == {"medium": 4}
    assert d["completion_percentage"] == 20.0  # 1 of 5 working days done
    assert d["end_date"] == "2026-12-02T17:00:00" and d["critical_task_count"] == 2
    assert d["resource_utilization"][0]["utilization"] == round(20 / 32, 4)


def test_schedule_of_unknown_plan_is_404(api: httpx.Client) -> None:
    assert api.get("/plans/nope/critical-path").json()["error_code"] == "NOT_FOUND"


def test_a_resource_calendar_moves_its_tasks(api: httpx.Client) -> None:
    pid = api.post("/plans", json={"name": "Weekend", "start_date": "2026-11-27"}).json()["data"]["id"]
    crew = api.post(
        f"/plans/{pid}/resources",
        json={
            "name": "Weekend crew",
            "calendar": {"working_days": [5, 6], "working_hours": [["09:00", "15:00"]]},
        },
    ).json()["data"]
    prep = add_task(api, pid, "Prep", duration=1)
    job = add_task(
        api, pid, "Weekend job", duration=6, duration_unit="hours", assigned_resources=[crew["id"]]
    )
    after = add_task(api, pid, "Monday review", duration=1)
    link(api, pid, prep["id"], job["id"])
    link(api, pid, job["id"], after["id"])
    rows = {r["name"]: r for r in api.get(f"/plans/{pid}/timeline").json()["data"]["tasks"]}
    assert (rows["Weekend job"]["start"], rows["Weekend job"]["finish"]) == (
        "2026-11-28T09:00:00",
        "2026-11-28T15:00:00",
    )
    assert rows["Monday review"]["start"] == "2026-11-30T08:00:00"


def test_level_preview_and_apply(api: httpx.Client) -> None:
    pid = api.post("/plans", json={"name": "Busy", "start_date": "2026-11-30"}).json()["data"]["id"]
    ana = api.post(f"/plans/{pid}/resources", json={"name": "Ana"}).json()["data"]
    a = add_task(api, pid, "Backend", duration=3, assigned_resources=[ana["id"]])
    b = add_task(api, pid, "Frontend", duration=2, assigned_resources=[ana["id"]])
    preview = api.post(f"/plans/{pid}/level").json()["data"]
    assert preview["applied"] is False and len(preview["over_allocations_before"]) == 1
    assert preview["over_allocations_after"] == []
    assert [(m["name"], m["delay_days"]) for m in preview["moved"]] == [("Frontend", 3)]
    assert preview["project_finish_after"] == "2026-12-04T17:00:00"
    assert api.get(f"/plans/{pid}/tasks/{b['id']}").json()["data"]["constraint_type"] == "ASAP"  # untouched
    applied = api.post(f"/plans/{pid}/level", params={"apply": True}).json()["data"]
    assert applied["applied"] is True
    task = api.get(f"/plans/{pid}/tasks/{b['id']}").json()["data"]
    assert task["constraint_type"] == "SNET" and task["constraint_date"].startswith("2026-12-03T08:00")
    again = api.post(f"/plans/{pid}/level").json()["data"]
    assert again["over_allocations_before"] == [] and again["moved"] == []
    assert (
        api.get(f"/plans/{pid}/tasks/{a['id']}").json()["data"]["constraint_type"] == "ASAP"
    )  # kept its place


def test_level_with_cpsat_over_http(api: httpx.Client) -> None:
    """Ana's short task first lets Bo start sooner: CP-SAT finds it, the priority rule need not."""
    pid = api.post("/plans", json={"name": "Exact", "start_date": "2026-11-30"}).json()["data"]["id"]
    ana = api.post(f"/plans/{pid}/resources", json={"name": "Ana"}).json()["data"]
    bo = api.post(f"/plans/{pid}/resources", json={"name": "Bo"}).json()["data"]
    add_task(api, pid, "Long", duration=3, assigned_resources=[ana["id"]])
    short = add_task(api, pid, "Short", duration=1, assigned_resources=[ana["id"]])
    follow = add_task(api, pid, "Follow-up", duration=3, assigned_resources=[bo["id"]])
    link(api, pid, short["id"], follow["id"])
    r = api.post(f"/plans/{pid}/level", params={"solver": "cpsat", "time_limit": 5, "apply": True})
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["solver"] == "cpsat" and d["over_allocations_after"] == []
    assert d["project_finish_after"] == "2026-12-03T17:00:00"
    assert api.get(f"/plans/{pid}/loading").json()["message"] == "no resource is over-allocated"
    assert api.post(f"/plans/{pid}/level", params={"solver": "magic"}).status_code == 422


def test_one_person_with_thousands_of_tasks_is_leveled_into_one_sequence(api: httpx.Client) -> None:
    """Every task on one resource: leveling puts them one after the other, and answers (the search for a free
    stretch walked every booked task again at each step: 3,000 tasks took minutes)."""
    pid = api.post("/plans", json={"name": "Solo", "start_date": "2026-11-30"}).json()["data"]["id"]
    ana = api.post(f"/plans/{pid}/resources", json={"name": "Ana"}).json()["data"]
    n = 3000
    one_day = {"duration": 1, "assigned_resources": [ana["id"]]}
    r = api.post(f"/plans/{pid}/tasks", json=[{"name": f"T{i}", **one_day} for i in range(n)])
    assert r.status_code == 201, r.text
    r = api.post(f"/plans/{pid}/level")
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    last_day = np.busday_offset("2026-11-30", n - 1).astype(object)  # Monday to Friday, no holidays
    assert d["project_finish_after"] == f"{last_day}T17:00:00"
    assert len(d["moved"]) == n - 1 and d["over_allocations_after"] == []
    assert len(d["over_allocations_before"]) == 1  # one stretch, Ana at 3,000 units on the first day


def test_a_loading_table_too_big_to_answer_is_422_and_per_week_it_answers(api: httpx.Client) -> None:
    """Eight resources and a 190-year task (from 1910: a schedule ends by 2200): per day 554,384 periods
    (beyond the 500,000 bound, once built for minutes, tens of megabytes), per week the table."""
    pid = api.post("/plans", json={"name": "Ages", "start_date": "1910-01-03"}).json()["data"]["id"]
    ids = [api.post(f"/plans/{pid}/resources", json={"name": f"R{i}"}).json()["data"]["id"] for i in range(8)]
    add_task(api, pid, "Cathedral", duration=9900, duration_unit="weeks", assigned_resources=[ids[0]])
    r = api.get(f"/plans/{pid}/loading")
    assert r.status_code == 422, r.text[:300]
    assert "8 resources x 69,298 days" in r.json()["message"] and "ask per week" in r.json()["message"]
    r = api.get(f"/plans/{pid}/loading", params={"period": "week"})
    assert r.status_code == 200, r.text[:300]
    weeks = {row["resource_id"]: row["periods"] for row in r.json()["data"]}
    assert sum(p["booked_hours"] for p in weeks[ids[0]]) == 9900 * 40 and len(weeks[ids[0]]) == 9900
    assert not any(p["over"] for p in weeks[ids[0]]) and all(p["booked_hours"] == 0 for p in weeks[ids[1]])


def test_resource_loading_per_day_and_week(api: httpx.Client) -> None:
    pid = api.post("/plans", json={"name": "Loaded", "start_date": "2026-11-30"}).json()["data"]["id"]
    ana = api.post(f"/plans/{pid}/resources", json={"name": "Ana"}).json()["data"]
    bo = api.post(f"/plans/{pid}/resources", json={"name": "Bo", "availability": 0.5}).json()["data"]
    add_task(api, pid, "Backend", duration=3, assigned_resources=[ana["id"]])
    add_task(api, pid, "Frontend", duration=2, assigned_resources=[ana["id"]])
    add_task(api, pid, "Review", duration=1, assignments=[{"resource_id": bo["id"], "units": 0.5}])
    r = api.get(f"/plans/{pid}/loading")
    assert r.status_code == 200 and r.json()["message"] == "over-allocated: Ana"
    rows = {x["name"]: x for x in r.json()["data"]}
    ana_days = [
        (p["start"], p["booked_hours"], p["available_hours"], p["over"]) for p in rows["Ana"]["periods"]
    ]
    assert ana_days == [
        ("2026-11-30", 16, 8, True),
        ("2026-12-01", 16, 8, True),
        ("2026-12-02", 8, 8, False),
    ]
    assert [(p["booked_hours"], p["available_hours"]) for p in rows["Bo"]["periods"]][0] == (4, 4)
    assert rows["Bo"]["over_allocated"] is False
    week = api.get(f"/plans/{pid}/loading", params={"period": "week"}).json()["data"]
    ana_week = next(x for x in week if x["name"] == "Ana")["periods"]
    assert ana_week == [{"start": "2026-11-30", "booked_hours": 40, "available_hours": 40, "over": False}]


def test_timeline_rows_carry_what_a_gantt_table_shows_of_each_task(api: httpx.Client) -> None:
    """The entered duration and unit, the constraint and the version (for If-Match), as the task has them:
    the Gantt page draws and drags a large plan from the timeline without reading every task whole."""
    pid, t = build(api)
    body = {"duration": 2, "duration_unit": "weeks", "constraint_type": "SNET"}
    body["constraint_date"] = "2026-12-07T08:00:00"
    changed = api.patch(f"/plans/{pid}/tasks/{t['docs']['id']}", json=body).json()["data"]
    rows = {r["task_id"]: r for r in api.get(f"/plans/{pid}/timeline").json()["data"]["tasks"]}
    for task in api.get(f"/plans/{pid}/tasks").json()["data"]:
        row = rows[task["id"]]
        fields = ("duration", "duration_unit", "constraint_type", "constraint_date", "version")
        assert {k: row[k] for k in fields} == {k: task[k] for k in fields}, task["name"]
    docs = rows[t["docs"]["id"]]
    assert (docs["duration"], docs["duration_unit"], docs["version"]) == (2, "weeks", changed["version"])
    assert (docs["constraint_type"], docs["constraint_date"][:19]) == ("SNET", "2026-12-07T08:00:00")
