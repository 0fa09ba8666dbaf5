"""Explain a date: the driving chain of a task's start, on hand-built plans whose answer is known, on random
plans against the scheduler itself, and over HTTP (leveling delays, errors)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import httpx

from prometheus.core.explain import explain
from prometheus.core.model import Calendar, Dependency, Task
from prometheus.core.scheduler import schedule
from tests.conftest import add_task, link
from tests.plan_generator import random_plan_with_resources

WED = datetime(2026, 12, 2, 8)  # a Wednesday


def T(tid: str, duration: float, **kw) -> Task:  # noqa: N802
    return Task(id=tid, plan_id="p", name=tid.upper(), duration=duration, **kw)


def L(a: str, b: str, **kw) -> Dependency:  # noqa: N802
    return Dependency(id=f"{a}-{b}", plan_id="p", predecessor_id=a, successor_id=b, **kw)


def why(tasks: list[Task], deps: list[Dependency], tid: str, start: datetime = WED, **kw) -> dict:
    s = schedule(tasks, deps, start=start, **kw)
    kw.pop("deadline", None)
    return explain(tasks, deps, s, tid, start=start, **kw)


def kinds(e: dict) -> list[str]:
    return [s["driver"]["kind"] for s in e["steps"]]


def test_finish_to_start_chain_walks_back_to_the_plan_start_over_a_weekend() -> None:
    tasks = [T("a", 3), T("b", 2), T("c", 1)]
    e = why(tasks, [L("a", "b"), L("b", "c")], "c")
    assert [s["task_id"] for s in e["steps"]] == ["c", "b", "a"]
    assert kinds(e) == ["link", "link", "project_start"] and e["origin"] == "project_start"
    c, b, a = e["steps"]
    assert c["start"] == datetime(2026, 12, 9, 8) and c["driver"]["predecessor_id"] == "b"
    assert c["driver"]["date"] == datetime(2026, 12, 8, 17) and "calendar" not in c  # an ordinary night
    assert b["driver"] | {"date": None} == {
        "kind": "link", "type": "FS", "lag": 0.0, "lag_unit": "days", "dependency_id": "a-b",
        "predecessor_id": "a", "predecessor_name": "A", "date": None,
    }  # fmt: skip
    assert b["calendar"] == {
        "from": datetime(2026, 12, 4, 17),
        "to": datetime(2026, 12, 7, 8),
        "non_working_days": [date(2026, 12, 5), date(2026, 12, 6)],
        "reason": "weekend",
    }
    assert a["driver"] == {"kind": "project_start", "date": WED}
    assert "FS link from 'A', which finishes Fri 2026-12-04 17:00" in b["text"] and "weekend" in b["text"]
    assert e["critical"] and e["total_slack_days"] == 0


def test_start_to_start_with_lag() -> None:
    e = why([T("a", 5), T("b", 1)], [L("a", "b", type="SS", lag=2)], "b")
    step = e["steps"][0]
    assert step["start"] == datetime(2026, 12, 4, 8)  # Wed + 2 working days
    assert (step["driver"]["type"], step["driver"]["lag"], step["driver"]["date"]) == ("SS", 2.0, WED)
    assert "SS +2 days link from 'A', which starts Wed 2026-12-02 08:00" in step["text"]


def test_a_later_start_no_earlier_than_wins_over_the_links_and_an_earlier_one_does_not() -> None:
    late = T("b", 1, constraint_type="SNET", constraint_date=datetime(2026, 12, 10, 8))
    e = why([T("a", 1), late], [L("a", "b")], "b")
    assert kinds(e) == ["constraint"] and e["start"] == datetime(2026, 12, 10, 8)
    assert e["steps"][0]["driver"]["links_allow"] == datetime(2026, 12, 3, 8)
    early = late.model_copy(update={"constraint_date": datetime(2026, 12, 2, 8)})
    assert kinds(why([T("a", 1), early], [L("a", "b")], "b")) == ["link", "project_start"]


def test_a_constraint_on_a_weekend_is_pushed_to_monday() -> None:
    e = why([T("a", 1, constraint_type="SNET", constraint_date=datetime(2026, 12, 5, 10))], [], "a")
    step = e["steps"][0]
    assert step["driver"]["kind"] == "constraint" and step["start"] == datetime(2026, 12, 7, 8)
    assert step["calendar"]["from"] == datetime(2026, 12, 5, 10)
    assert step["calendar"]["non_working_days"] == [date(2026, 12, 5), date(2026, 12, 6)]


def test_a_holiday_is_named() -> None:
    cal = Calendar(holidays=[date(2026, 12, 3)])
    e = why([T("a", 1), T("b", 1)], [L("a", "b")], "b", calendar=cal)
    assert e["start"] == datetime(2026, 12, 4, 8)
    assert e["steps"][0]["calendar"]["reason"] == "holiday 2026-12-03"


def test_a_link_into_a_summary_and_a_link_out_of_one() -> None:
    tasks = [T("x", 2), T("s", 0), T("s1", 1, parent_id="s"), T("s2", 2, parent_id="s"), T("y", 1)]
    deps = [L("x", "s"), L("s1", "s2"), L("s", "y")]
    e = why(tasks, deps, "s1")
    first = e["steps"][0]["driver"]
    assert first["predecessor_id"] == "x" and first["into_summary"] == {"task_id": "s", "name": "S"}
    assert "into its summary 'S'" in e["steps"][0]["text"]
    summary = why(tasks, deps, "s")
    assert [s["task_id"] for s in summary["steps"]] == ["s", "s1", "x"]
    assert kinds(summary) == ["summary", "link", "project_start"]
    after = why(tasks, deps, "y")  # a link from a summary's finish: its subtask that finishes last
    assert after["steps"][0]["driver"]["through_subtask"] == {"task_id": "s2", "name": "S2"}
    assert [s["task_id"] for s in after["steps"]] == ["y", "s2", "s1", "x"]


def test_a_fixed_date_overrides_its_links_and_says_so() -> None:
    fixed = T("b", 1, constraint_type="MSO", constraint_date=datetime(2026, 12, 3, 8))
    step = why([T("a", 3), fixed], [L("a", "b")], "b")["steps"][0]
    assert step["driver"]["kind"] == "constraint" and step["driver"]["constraint_type"] == "MSO"
    assert step["overridden_links"] == [
        {
            "predecessor_id": "a",
            "predecessor_name": "A",
            "type": "FS",
            "would_start": datetime(2026, 12, 7, 8),
        }
    ]


def test_actual_start_and_status_date() -> None:
    started = T("a", 3, actual_start=datetime(2026, 12, 2, 10), status="in_progress", percent_complete=10)
    tasks = [started, T("b", 1)]
    assert why(tasks, [], "a", status_date=date(2026, 12, 3))["origin"] == "actual_start"
    e = why(tasks, [], "b", status_date=date(2026, 12, 3))
    assert kinds(e) == ["status_date"] and e["start"] == datetime(2026, 12, 4, 8)
    assert e["steps"][0]["driver"]["status_date"] == date(2026, 12, 3)


def test_every_task_of_random_plans_is_explained_by_what_the_scheduler_did() -> None:
    for seed in range(80):
        tasks, deps, start, cal, res = random_plan_with_resources(seed)
        rng = random.Random(seed)
        status = (start + timedelta(days=rng.randint(0, 10))).date() if seed % 2 else None
        s = schedule(tasks, deps, start=start, calendar=cal, resources=res, status_date=status)
        links = {d.id: d for d in deps}
        for t in tasks:
            e = explain(tasks, deps, s, t.id, start=start, calendar=cal, resources=res, status_date=status)
            assert e["origin"] not in ("unexplained", "link"), (seed, t.id, e["text"])
            for step, nxt in zip(e["steps"], e["steps"][1:], strict=False):
                d = step["driver"]
                assert nxt["task_id"] == step["next_task_id"]
                if d["kind"] == "link":  # the named link exists and leaves the date it names
                    dep = links[d["dependency_id"]]
                    assert nxt["task_id"] == d.get("through_subtask", {}).get("task_id", dep.predecessor_id)
                    assert (dep.type.value, dep.lag) == (d["type"], d["lag"])
                    side = "finish" if d["type"] in ("FS", "FF") else "start"
                    assert getattr(s.tasks[nxt["task_id"]], side) == d["date"]


def test_explain_over_http_with_a_leveling_delay_and_errors(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    ana = api.post(f"/plans/{pid}/resources", json={"name": "Ana"}).json()["data"]["id"]
    a = add_task(api, pid, "Backend", duration=3, assigned_resources=[ana])["id"]
    b = add_task(api, pid, "Frontend", duration=2, assigned_resources=[ana])["id"]
    c = add_task(api, pid, "Release", duration=1)["id"]
    assert link(api, pid, b, c).status_code == 201
    r = api.get(f"/plans/{pid}/tasks/{c}/explain")
    assert r.status_code == 200, r.text
    before = r.json()["data"]
    assert [s["task_id"] for s in before["steps"]] == [c, b] and before["origin"] == "project_start"
    assert api.post(f"/plans/{pid}/level", params={"apply": "true"}).json()["data"]["applied"]
    after = api.get(f"/plans/{pid}/tasks/{c}/explain").json()["data"]
    moved = after["steps"][1]
    waited = a if moved["task_id"] == b else b
    assert moved["driver"]["kind"] == "resource_wait" and moved["driver"]["resource_name"] == "Ana"
    assert moved["driver"]["waits_for_id"] == waited and after["steps"][2]["task_id"] == waited
    assert after["origin"] == "project_start" and "leveling delay" in moved["text"]
    key = api.get(f"/plans/{pid}/tasks/{c}").json()["data"]["key"]  # a task's key names it here too
    by_key = api.get(f"/plans/{pid}/tasks/{key}/explain")
    assert by_key.status_code == 200 and by_key.json()["data"] == after, by_key.text
    timeline = {t["task_id"]: t for t in api.get(f"/plans/{pid}/timeline").json()["data"]["tasks"]}
    for step in after["steps"]:  # the dates are the schedule's
        assert (step["start"], step["finish"]) == (
            timeline[step["task_id"]]["start"],
            timeline[step["task_id"]]["finish"],
        )

    missing = api.get(f"/plans/{pid}/tasks/nope/explain")
    assert missing.status_code == 404 and missing.json()["error_code"] == "NOT_FOUND"
    assert api.get("/plans/nope/tasks/x/explain").status_code == 404
    api.put(f"/plans/{pid}/tasks/{a}/progress", json={"status": "cancelled"})
    cancelled = api.get(f"/plans/{pid}/tasks/{a}/explain")
    assert cancelled.status_code == 422 and "cancelled" in cancelled.json()["message"]


def test_a_plan_starting_on_a_saturday() -> None:
    sat = datetime.combine(date(2026, 12, 5), time(8))
    step = why([T("a", 1)], [], "a", start=sat)["steps"][0]
    assert step["driver"]["kind"] == "project_start" and step["start"] == datetime(2026, 12, 7, 8)
    assert step["calendar"]["reason"] == "weekend"
