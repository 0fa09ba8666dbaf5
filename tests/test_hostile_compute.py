"""Hostile input, round three: the computations (risk, calendars, the schedule's dates) on inputs at their
bounds, in the core and through a real server on both databases."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import httpx
import numpy as np
import pytest

from prometheus.core.calendar import SchedulingError
from prometheus.core.graph import break_cycles
from prometheus.core.leveling import level, level_exact, loading, over_allocations
from prometheus.core.model import Assignment, Calendar, Dependency, Resource, Task, TaskSplit
from prometheus.core.risk import monte_carlo
from prometheus.core.scheduler import Network, schedule

START = date(2026, 11, 30)


def _task(i: int, **kw) -> Task:
    return Task(id=f"t{i}", plan_id="p", name=f"T{i}", **kw)


def _link(k: int, a: int, b: int, **kw) -> Dependency:
    return Dependency(id=f"d{k}", plan_id="p", predecessor_id=f"t{a}", successor_id=f"t{b}", **kw)


def test_a_simulation_of_many_links_is_bounded_by_its_steps() -> None:
    """Each link of every chunk of iterations is a step in Python: 5,000 tasks and 200,000 links held a
    worker for half an hour at 200,000 iterations (10^9 task-iterations, within MAX_CELLS). The answer says
    how many the plan may have, and that many runs."""
    n = 1000
    tasks = [_task(i, duration=1, optimistic_duration=1, pessimistic_duration=3) for i in range(n)]
    links = [_link(k, i, j) for k, (i, j) in enumerate((i, j) for i in range(60) for j in range(60, n))]
    net = Network(tasks, links, start=START)
    net.solve()
    with pytest.raises(SchedulingError, match=r"56,400 links .* ask for at most 104,000 iterations"):
        monte_carlo(net, iterations=200_000, seed=1)
    assert monte_carlo(net, iterations=200, seed=1).iterations == 200


def _plan(api: httpx.Client, **fields) -> str:
    r = api.post("/plans", json={"name": "hostile", "start_date": "2026-11-30", **fields})
    assert r.status_code == 201, r.text[:300]
    return r.json()["data"]["id"]


def _refused(r: httpx.Response, *words: str) -> None:
    assert r.status_code == 422, r.text[:300]
    body = r.json()
    assert body["status"] == "error" and body["error_code"] == "VALIDATION_ERROR", body
    assert all(w in body["message"] for w in words), body["message"]


def test_a_calendar_day_or_week_shorter_than_a_minute_is_422(api: httpx.Client) -> None:
    """The scheduler counts whole minutes: `hours_per_day` 0.001 was a day of 0 minutes, and every view
    that gives durations in days divided by it (500 ZeroDivisionError)."""
    for field in ("hours_per_day", "hours_per_week"):
        r = api.post("/plans", json={"name": "tiny", "calendar": {field: 0.001}})
        _refused(r, field, "one minute")
    pid = _plan(api, calendar={"hours_per_day": 1 / 60, "hours_per_week": 1 / 60})
    assert api.post(f"/plans/{pid}/tasks", json={"name": "A", "duration": 2}).status_code == 201
    r = api.get(f"/plans/{pid}/critical-path")
    assert r.status_code == 200 and r.json()["data"]["critical_path"][0]["duration_days"] == 2, r.text[:300]


def test_a_day_of_more_working_periods_than_the_bound_is_422(api: httpx.Client) -> None:
    """720 one-minute periods a day (14 KB of JSON) laid out tables of 2.4 GB for a long plan."""
    many = [[f"{m // 60:02}:{m % 60:02}", f"{m // 60:02}:{m % 60 + 1:02}"] for m in range(0, 50, 2)]
    for calendar in (
        {"working_hours": many},
        {"weekday_hours": {"0": many}},
        {"exceptions": [{"date": "2027-01-04", "working_hours": many}]},
    ):
        _refused(api.post("/plans", json={"name": "shifts", "calendar": calendar}), "at most 24", "25")
    assert (
        api.post("/plans", json={"name": "ok", "calendar": {"working_hours": many[:24]}}).status_code == 201
    )


@pytest.mark.parametrize(
    ("start", "lag", "year"),
    [("2200-12-01", None, "2248"), ("1900-01-02", -1000, "1896")],
)
def test_a_schedule_never_reaches_outside_the_years_of_the_dates(
    api: httpx.Client, start: str, lag: float | None, year: str
) -> None:
    """A 100,000-hour task from 2200 finished in 2248; a link 1,000 days back from 1900 started its
    successor in 1896: dates no client may send back (a baseline, an import). The views say so (422)."""
    pid = _plan(api, start_date=start)
    first = api.post(
        f"/plans/{pid}/tasks",
        json={"name": "A", "duration": 100_000 if lag is None else 1, "duration_unit": "hours"},
    ).json()["data"]["id"]
    if lag is not None:
        second = api.post(f"/plans/{pid}/tasks", json={"name": "B"}).json()["data"]["id"]
        body = {"predecessor_id": first, "successor_id": second, "lag": lag, "lag_unit": "days"}
        assert api.post(f"/plans/{pid}/dependencies", json=body).status_code == 201
    for view in ("timeline", "critical-path", "earned-value"):
        _refused(api.get(f"/plans/{pid}/{view}"), year, "1900..2200")


def _minutes(first: int, count: int, every: int) -> list[tuple[time, time]]:
    """`count` one-minute working periods, from minute `first` of the day, one each `every` minutes."""
    at = range(first, first + count * every, every)
    return [(time(m // 60, m % 60), time((m + 1) // 60 % 24, (m + 1) % 60)) for m in at]


def test_the_tables_of_many_calendars_over_a_long_plan_are_bounded() -> None:
    """Twelve resources, each working 24 one-minute periods of its own a day, on one task of 4,000 hours
    (48 years): their union has 240 periods a day. A plan of 400 resource calendars over 96 years took
    2.6 GB, and a plan may have 10,000 resources: the schedule says it is too large (a 422 in the API)."""
    people = [
        Resource(
            id=f"r{k}",
            plan_id="p",
            name=f"R{k}",
            calendar=Calendar(name=f"C{k}", working_days=list(range(7)), working_hours=_minutes(k, 24, 24)),
        )
        for k in range(12)
    ]
    work = [Assignment(resource_id=r.id) for r in people]
    task = _task(0, duration=4000, duration_unit="hours", assignments=work)
    with pytest.raises(SchedulingError, match=r"calendars of up to \d+ working periods a day"):
        schedule([task], [], start=START, resources=people)
    short = task.model_copy(update={"duration": 4})  # 10 days of 24 minutes
    assert schedule([short], [], start=START, resources=people).tasks["t0"].finish.year == 2026


def test_a_calendar_of_thirty_thousand_exceptions_schedules_in_one_pass(api: httpx.Client) -> None:
    """Each exception's hours were searched in a list of the kinds of day found so far, and each date of two
    calendars in their exceptions: 8,000 exceptions of distinct hours took 6.5 s a schedule, 30,000
    minutes (the API client gives up after 30 s)."""
    first = date(1950, 1, 2)
    exceptions = [
        {
            "date": (first + timedelta(days=i)).isoformat(),
            "working_hours": [["08:00", f"{9 + i % 14:02}:{i % 60:02}"]],
        }
        for i in range(30_000)
    ]
    calendar = {"exceptions": exceptions, "working_days": [0, 1, 2, 3, 4, 5, 6]}
    pid = _plan(api, calendar=calendar)
    person = api.post(f"/plans/{pid}/resources", json={"name": "P", "calendar": calendar | {"name": "P"}})
    assert person.status_code == 201, person.text[:300]
    rid = person.json()["data"]["id"]
    body = {"name": "A", "duration": 3, "calendar": {"name": "own"}, "assigned_resources": [rid]}
    assert api.post(f"/plans/{pid}/tasks", json=body).status_code == 201
    r = api.get(f"/plans/{pid}/timeline")
    assert r.status_code == 200, r.text[:300]
    task = r.json()["data"]["tasks"][0]
    # 2026-11-30, a Monday, is exception 28,091: 08:00-16:11, and the task calendar works from 08:00
    assert task["start"] == "2026-11-30T08:00:00", task


def test_explain_across_a_century_of_holidays_answers(api: httpx.Client) -> None:
    """A start pushed past a run of holidays lists the days off between: each was looked up in the list of
    holidays (20,000 in a row took 13 s; 40,000, about a minute), and the reason named every one (1 MB)."""
    off = [(date(2026, 12, 2) + timedelta(days=i)).isoformat() for i in range(40_000)]
    pid = _plan(api, start_date="2026-12-01", calendar={"holidays": off})
    a, b = (api.post(f"/plans/{pid}/tasks", json={"name": n}).json()["data"]["id"] for n in "AB")
    assert (
        api.post(f"/plans/{pid}/dependencies", json={"predecessor_id": a, "successor_id": b}).status_code
        == 201
    )
    r = api.get(f"/plans/{pid}/tasks/{b}/explain")
    assert r.status_code == 200, r.text[:300]
    step = r.json()["data"]["steps"][0]
    assert step["calendar"]["reason"] == "40,000 holidays from 2026-12-02 to 2136-06-07", step["calendar"]
    assert len(step["calendar"]["non_working_days"]) == 40_000


def test_simulated_finishes_stay_within_the_years_of_the_dates(api: httpx.Client) -> None:
    """A task of 100 days from 2199 that may take 2,000: its P50 was 2201, its P95 2205."""
    pid = _plan(api, start_date="2199-01-02")
    body = {"name": "U", "duration": 100, "optimistic_duration": 50, "pessimistic_duration": 2000}
    assert api.post(f"/plans/{pid}/tasks", json=body).status_code == 201
    _refused(api.post(f"/plans/{pid}/risk", json={"iterations": 1000, "seed": 1}), "after the year 2200")
    body = {"duration": 100, "optimistic_duration": 50, "pessimistic_duration": 200}
    task = api.get(f"/plans/{pid}/tasks").json()["data"][0]["id"]
    assert api.patch(f"/plans/{pid}/tasks/{task}", json=body).status_code == 200
    assert api.post(f"/plans/{pid}/risk", json={"iterations": 1000, "seed": 1}).status_code == 200


def test_the_busy_stretches_leveling_and_loading_read_are_bounded() -> None:
    """Each assignment in each worked part of a task is a stretch read one by one: 40 tasks of 40 resources
    and 200 pauses took 6.5 s to level, and a task may have 1,000 of each. Three tasks of 1,000 resources
    and 200 pauses (603,000 stretches) are refused before any is read; the analysis, loading and leveling
    views say so (422)."""
    people = [Resource(id=f"r{k}", plan_id="p", name=f"R{k}") for k in range(1000)]
    pauses = [TaskSplit(at=2 * k + 1, hours=1) for k in range(200)]
    work = [Assignment(resource_id=r.id) for r in people]
    tasks = [_task(i, duration=401, duration_unit="hours", splits=pauses, assignments=work) for i in range(3)]
    net = Network(tasks, [], start=START, resources=people)
    net.solve()
    capacity = {r.id: 1.0 for r in people}
    for compute in (level, over_allocations, loading):
        with pytest.raises(SchedulingError, match=r"603,000 stretches"):
            compute(net, tasks, capacity)
    few = [t.model_copy(update={"assignments": work[:100]}) for t in tasks]  # 60,300 stretches
    net = Network(few, [], start=START, resources=people)
    net.solve()
    assert len(over_allocations(net, few, capacity)) == 100 * 201  # each part thrice at once


def test_a_task_worked_from_1900_to_2200_is_a_precedent_like_any(api: httpx.Client) -> None:
    """Its actual days were counted on one calendar table, which spans at most 200 years: the progress
    report answered 422 after it was kept, and every estimate of every plan was a 422 from then on."""
    old = _plan(api, start_date="1900-01-01")
    name = f"restore the archive {old[:8]}"
    tid = api.post(f"/plans/{old}/tasks", json={"name": name, "duration": 1}).json()["data"]["id"]
    body = {
        "status": "completed",
        "actual_start": "1900-01-01T08:00:00",
        "actual_finish": "2200-12-31T17:00:00",
    }
    r = api.put(f"/plans/{old}/tasks/{tid}/progress", json=body)
    assert r.status_code == 200, r.text[:300]
    r = api.post(f"/plans/{_plan(api)}/estimate", json={"name": name})
    assert r.status_code == 200, r.text[:300]
    found = [p for p in r.json()["data"]["precedents"] if p["task_id"] == tid]
    assert found and found[0]["actual_days"] == np.busday_count("1900-01-01", "2201-01-01") == 78_528


def test_thousands_of_cycles_are_broken_in_one_search() -> None:
    """Each cycle was found by a search of the whole graph, on the event loop: 6,000 requirements in 3,000
    two-way dependencies took 75 s to become a plan, every other request waiting (10,000: 3.5 minutes)."""
    nodes = [f"r{i}" for i in range(6000)]
    edges = [(nodes[i], nodes[i ^ 1]) for i in range(6000)] + [("r1", "r2"), ("r2", "r4")]
    kept, cycles = break_cycles(nodes, edges)
    assert len(cycles) == 3000 and cycles[:2] == [["r0", "r1", "r0"], ["r2", "r3", "r2"]]
    assert kept == [("r1", "r2"), ("r2", "r4")]
    assert break_cycles("abc", [("a", "b"), ("b", "c"), ("c", "a"), ("a", "c")]) == (
        [("a", "c")],
        [["a", "b", "c", "a"]],
    )
    assert break_cycles("abc", [("a", "b"), ("b", "c")]) == ([("a", "b"), ("b", "c")], [])


def test_requirements_in_a_thousand_cycles_make_a_plan(api: httpx.Client) -> None:
    """The requirements become a plan in a worker thread, each cycle's links left out."""
    reqs = []
    for i in range(0, 2000, 2):
        reqs.append({"id": f"r{i}", "title": f"R{i}", "dependencies": [f"r{i + 1}"]})
        reqs.append({"id": f"r{i + 1}", "title": f"R{i + 1}", "dependencies": [f"r{i}"]})
    reqs.append({"id": "last", "title": "Last", "dependencies": ["r0", "r1"]})
    r = api.post("/plans/from-requirements", json={"requirements": reqs})
    assert r.status_code == 201, r.text[:300]
    data = r.json()["data"]
    cycles = [i for i in data["issues"] if i["rule"] == "cyclic_dependency"]
    assert len(cycles) == 1000 and cycles[0]["requirement_ids"] == ["r0", "r1"], cycles[:2]
    assert data["tasks"] == 2001 and data["dependencies"] == 2


def test_requirements_with_more_dependencies_than_a_plan_holds_are_422(api: httpx.Client) -> None:
    """Each unknown dependency was an issue of its own: millions fit in a body."""
    many = [f"nowhere-{k}" for k in range(200_001)]
    r = api.post(
        "/plans/from-requirements", json={"requirements": [{"id": "a", "title": "A", "dependencies": many}]}
    )
    _refused(r, "200,001 dependencies", "200,000 links")


@pytest.mark.parametrize(
    ("task", "start", "words"),
    [
        ({"duration": float("nan")}, START, "duration of nan"),  # was a ValueError from NumPy
        ({"duration": -5}, START, "duration of -5.0"),  # was a task finishing a week before it started
        ({"constraint_type": "SNET", "constraint_date": datetime(1, 1, 1)}, START, "0001-01-01"),  # Overflow
        ({"actual_start": datetime(1, 1, 1), "status": "in_progress"}, START, "0001-01-01"),
        ({"deadline": datetime(9999, 12, 31)}, START, "9999-12-31"),
        ({}, date(1, 1, 2), "0001-01-02"),
    ],
)
def test_the_core_refuses_what_no_plan_may_hold_with_a_scheduling_error(
    task: dict, start: date, words: str
) -> None:
    """The API's inputs refuse these first; a caller of `schedule()` got another exception, or a schedule."""
    with pytest.raises(SchedulingError, match=words):
        schedule([_task(0, **task)], [], start=start)


def test_resource_calendars_alike_but_for_their_names_are_laid_out_once() -> None:
    """A Project file names each resource's calendar after the resource: 3,000 such calendars were 3,000
    tables (over the bound on calendar tables: a 422), one is enough."""
    people = [
        Resource(id=f"r{k}", plan_id="p", name=f"R{k}", calendar=Calendar(name=f"R{k}")) for k in range(3000)
    ]
    tasks = [_task(k, duration=3, assignments=[Assignment(resource_id=f"r{k}")]) for k in range(3000)]
    s = schedule(tasks, [], start=START, resources=people)
    assert s.project_finish == datetime(2026, 12, 2, 17)


def test_a_busy_resource_calendar_is_met_once_by_many_task_calendars(api: httpx.Client) -> None:
    """The time a task's own calendar and its resource's have in common was worked out for each task: a
    resource of 30,000 exceptions on 300 tasks of their own calendars took minutes."""
    first = date(2000, 1, 3)
    exceptions = [
        {"date": (first + timedelta(days=i)).isoformat(), "working_hours": [["09:00", "15:00"]]}
        for i in range(30_000)
    ]
    pid = _plan(api)
    person = api.post(f"/plans/{pid}/resources", json={"name": "P", "calendar": {"exceptions": exceptions}})
    assert person.status_code == 201, person.text[:300]
    body = {
        "name": "A",
        "duration": 1,
        "calendar": {"name": "own"},
        "assigned_resources": [person.json()["data"]["id"]],
    }
    r = api.post(f"/plans/{pid}/tasks", json=[body | {"name": f"A{k}"} for k in range(300)])
    assert r.status_code == 201, r.text[:300]
    r = api.get(f"/plans/{pid}/timeline")
    assert r.status_code == 200, r.text[:300]
    # 09:00-12:00 and 13:00-15:00 in common: a day of 8 hours ends at noon the next day
    assert {t["finish"] for t in r.json()["data"]["tasks"]} == {"2026-12-01T12:00:00"}


def test_the_cpsat_solver_takes_tasks_x_resources_within_a_bound() -> None:
    """Its demand table held every task x every resource of the plan (50,000 x 10,000: 4 GB), and building
    the model read it cell by cell in Python: 5,000 tasks on 5,000 resources took 16 s past the time limit.
    Only the resources the tasks use count; beyond the bound it says to level with the heuristic (422)."""
    people = [Resource(id=f"r{k}", plan_id="p", name=f"R{k}") for k in range(4500)]
    idle = [Resource(id=f"idle{k}", plan_id="p", name=f"I{k}") for k in range(5000)]
    tasks = [_task(i, duration=1, assignments=[Assignment(resource_id=f"r{i}")]) for i in range(4500)]
    net = Network(tasks, [], start=START, resources=people + idle)
    net.solve()
    with pytest.raises(SchedulingError, match=r"4,500 tasks on 4,500 resources .* solver=heuristic"):
        level_exact(net, tasks, {r.id: 1.0 for r in people + idle}, time_limit=1)
    few = tasks[:100]
    net = Network(few, [], start=START, resources=people + idle)
    net.solve()
    assert level_exact(net, few, {r.id: 1.0 for r in people + idle}, time_limit=1).delays == {}
