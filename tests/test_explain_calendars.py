"""Explain a date on the scheduler's calendars: a task whose resources work different shifts, a task with a
calendar of its own over its resources' (or ignoring them), a resource with no work left, a material resource.
Each time the date the explanation gives for the start is the scheduled start, and the non-working time it
names is that of the calendar the scheduler used (the time both calendars work, the union of the shifts)."""

from __future__ import annotations

from datetime import date, datetime, time

import httpx

from prometheus.core.explain import explain
from prometheus.core.model import Assignment, Calendar, Dependency, Resource, Task
from prometheus.core.scheduler import schedule
from tests.test_mspdi_calendars import project

TUE = datetime(2026, 12, 1, 8)  # a Tuesday; A (1 day on the plan calendar) finishes Tue 17:00
DAY = Calendar(name="Day shift", working_hours=[(time(6), time(14))])  # Mon-Fri 06:00-14:00
NIGHT = Calendar(name="Night shift", working_hours=[(time(18), time(0))])  # Mon-Fri 18:00-24:00
WED_OFF = Calendar(name="Wednesday off", holidays=[date(2026, 12, 2)])
THU_OFF = Calendar(name="Thursday off", holidays=[date(2026, 12, 3)])
CREWS = [
    Resource(id="day", plan_id="p", name="Day crew", calendar=DAY),
    Resource(id="night", plan_id="p", name="Night crew", calendar=NIGHT),
    Resource(id="thu", plan_id="p", name="Crew", calendar=THU_OFF),
    Resource(id="office", plan_id="p", name="Office"),  # works on the plan's calendar
]


def T(tid: str, duration: float, *on: str, **kw) -> Task:  # noqa: N802
    jobs = [Assignment(resource_id=r) for r in on]
    return Task(id=tid, plan_id="p", name=tid.upper(), duration=duration, assignments=jobs, **kw)


def L(a: str, b: str, **kw) -> Dependency:  # noqa: N802
    return Dependency(id=f"{a}-{b}", plan_id="p", predecessor_id=a, successor_id=b, **kw)


def why(tasks: list[Task], deps: list[Dependency], tid: str, **kw) -> tuple[dict, datetime]:
    """The first step of the explanation of `tid`, and its scheduled start."""
    s = schedule(tasks, deps, start=TUE, resources=CREWS, **kw)
    e = explain(tasks, deps, s, tid, start=TUE, resources=CREWS, **kw)
    assert e["start"] == s.tasks[tid].start
    return e["steps"][0], s.tasks[tid].start


def test_two_shifts_start_when_the_first_can_and_a_fixed_date_says_so() -> None:
    # the day crew is done at 14:00, the night crew starts 18:00: B starts Tue 18:00 after A (Tue 17:00)
    step, start = why([T("a", 1), T("b", 1, "day", "night")], [L("a", "b")], "b")
    assert start == datetime(2026, 12, 1, 18)
    assert step["driver"]["kind"] == "link" and step["driver"]["date"] == datetime(2026, 12, 1, 17)
    assert step["calendar"]["to"] == start and step["calendar"]["reason"] == "outside working hours"
    # fixed earlier, B overrides its link: the link alone would start it when the night crew can
    fixed = T("b", 1, "day", "night", constraint_type="MSO", constraint_date=TUE)
    step, _ = why([T("a", 1), fixed], [L("a", "b")], "b")
    assert step["driver"]["kind"] == "constraint"
    assert [o["would_start"] for o in step["overridden_links"]] == [start]


def test_a_shift_and_the_plan_calendar_hand_over_overnight() -> None:
    # the office (plan calendar, to 17:00) and the day crew (from 06:00): A's finish Tue 17:00 ends a
    # working period of the two; B starts Wed 06:00 after an ordinary night, nothing to name
    step, start = why([T("a", 1), T("b", 1, "day", "office")], [L("a", "b")], "b")
    assert start == datetime(2026, 12, 2, 6)
    assert step["driver"]["kind"] == "link" and step["driver"]["predecessor_id"] == "a"
    assert "calendar" not in step, step["text"]


def test_a_task_calendar_with_a_resource_calendar_works_the_time_both_work() -> None:
    # B's own calendar is off on Wednesday, its crew's on Thursday: it starts Friday
    step, start = why([T("a", 1), T("b", 1, "thu", calendar=WED_OFF)], [L("a", "b")], "b")
    assert start == datetime(2026, 12, 4, 8)
    assert step["driver"]["kind"] == "link" and step["driver"]["predecessor_id"] == "a"
    assert (step["calendar"]["from"], step["calendar"]["to"]) == (datetime(2026, 12, 1, 17), start)
    assert step["calendar"]["reason"] == "holiday 2026-12-02 and holiday 2026-12-03"
    assert "holiday 2026-12-02 and holiday 2026-12-03" in step["text"]


def test_a_task_that_ignores_its_resource_calendars_works_its_own() -> None:
    b = T("b", 1, "thu", calendar=WED_OFF, ignore_resource_calendar=True)
    step, start = why([T("a", 1), b], [L("a", "b")], "b")
    assert start == datetime(2026, 12, 3, 8)  # Thursday: the crew's holiday does not count
    assert step["driver"]["kind"] == "link" and step["calendar"]["to"] == start
    assert step["calendar"]["reason"] == "holiday 2026-12-02"


def test_a_link_lag_runs_on_the_plan_calendar_not_the_shifts() -> None:
    # 1 day of lag on the plan calendar: Wed 17:00; the night crew starts 18:00
    step, start = why([T("a", 1), T("b", 1, "night", "day")], [L("a", "b", lag=1)], "b")
    assert start == datetime(2026, 12, 2, 18)
    assert step["driver"]["kind"] == "link" and step["driver"]["lag"] == 1
    assert (step["calendar"]["from"], step["calendar"]["to"]) == (datetime(2026, 12, 2, 17), start)


def test_a_resource_with_no_work_left_takes_no_part_in_a_started_task() -> None:
    # B started Tue 08:00 ahead of its link (A, after the status date: Wed 08:00-17:00); the night crew has
    # finished its part, the day crew has not: the link alone would start B when the day crew can (Thu
    # 06:00), not the night crew (Wed 18:00)
    status = date(2026, 12, 1)
    b = T("b", 1, "night", "day", actual_start=TUE, status="in_progress", percent_complete=10)
    b.assignments[0].remaining_work, b.assignments[1].remaining_work = 0, 4
    step, _ = why([T("a", 1), b], [L("a", "b")], "b", status_date=status)
    assert step["driver"]["kind"] == "actual_start"
    _, start = why([T("a", 1), T("b", 1, "day")], [L("a", "b")], "b", status_date=status)
    assert start == datetime(2026, 12, 3, 6)
    assert [o["would_start"] for o in step["overridden_links"]] == [start]


def test_a_material_resource_with_a_calendar_takes_no_part(api: httpx.Client) -> None:
    # the night watch made a material resource: the watch works the plan calendar from its start, Mon 08:00
    material = project().replace(b"<Type>1</Type><CalendarUID>2", b"<Type>0</Type><CalendarUID>2")
    r = api.post("/plans/import", params={"format": "mspdi", "include": "plan"}, content=material)
    assert r.status_code == 201, r.text
    pid = r.json()["data"]["id"]
    tasks = {t["name"]: t for t in r.json()["data"]["tasks"]}
    e = api.get(f"/plans/{pid}/tasks/{tasks['Watch']['id']}/explain").json()["data"]
    timeline = {t["task_id"]: t for t in api.get(f"/plans/{pid}/timeline").json()["data"]["tasks"]}
    assert e["start"] == timeline[tasks["Watch"]["id"]]["start"] == "2027-01-04T08:00:00"
    assert e["origin"] == "project_start" and "calendar" not in e["steps"][0]


def test_a_task_on_two_shifts_driven_to_its_finish_starts_when_one_crew_finishes_by_then() -> None:
    # FF after A (Thu 17:00): the day crew would start Thu 06:00, the night crew (6 hours a night) Tue 22:00
    # to be done by then; B starts at the earlier, as the scheduler's rule for a spread task says
    step, start = why([T("a", 3), T("b", 1, "day", "night")], [L("a", "b", type="FF")], "b")
    assert start == datetime(2026, 12, 1, 22)
    assert step["driver"]["kind"] == "link" and step["driver"]["type"] == "FF"
    assert step["driver"]["date"] == datetime(2026, 12, 3, 17) and "calendar" not in step
    # fixed earlier, B overrides its link: the start the link alone would give is the scheduled one
    fixed = T("b", 1, "day", "night", constraint_type="MSO", constraint_date=TUE)
    step, _ = why([T("a", 3), fixed], [L("a", "b", type="FF")], "b")
    assert step["driver"]["kind"] == "constraint"
    assert [o["would_start"] for o in step["overridden_links"]] == [start]


def test_a_task_on_two_shifts_with_a_finish_no_earlier_than_date_is_explained_by_it() -> None:
    thu = datetime(2026, 12, 3, 17)
    b = T("b", 1, "day", "night", constraint_type="FNET", constraint_date=thu)
    step, start = why([T("a", 1), b], [L("a", "b")], "b")
    assert start == datetime(2026, 12, 1, 22)  # the night crew's 8 hours end Wed 24:00, by Thursday 17:00
    assert step["driver"] | {"links_allow": None} == {
        "kind": "constraint", "constraint_type": "FNET", "date": thu, "links_allow": None,
    }  # fmt: skip
    assert step["driver"]["links_allow"] == datetime(2026, 12, 1, 18)  # A's finish, when the night crew can
