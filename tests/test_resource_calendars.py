"""A task whose resources keep different calendars, as Microsoft Project schedules it: each resource works the
task's duration on its own calendar from the task's start; the task starts when the first can and ends when
the last is done (computed by hand below). A resource without a calendar works on the plan's."""

from __future__ import annotations

from datetime import datetime, time

import httpx

from prometheus.core.model import Assignment, Calendar, Dependency, Resource, Task
from prometheus.core.scheduler import schedule
from tests.conftest import add_task, link

EARLY = Calendar(name="Early", working_hours=[(time(6), time(14))])  # Mon-Fri 06:00-14:00
WEEKEND = Calendar(name="Weekend", working_days=[5, 6], working_hours=[(time(9), time(15))])


def _plan() -> tuple[list[Task], list[Dependency], list[Resource]]:
    crews = [
        Resource(id="early", plan_id="p", name="Early", calendar=EARLY),
        Resource(id="weekend", plan_id="p", name="Weekend", calendar=WEEKEND),
        Resource(id="office", plan_id="p", name="Office"),
    ]

    def task(i: str, hours: float, *on: str) -> Task:
        return Task(id=i, plan_id="p", name=i, duration=hours, duration_unit="hours",
                    assignments=[Assignment(resource_id=r) for r in on])  # fmt: skip

    tasks = [
        task("A", 4, "office"),
        task("B", 8, "early", "weekend"),
        task("C", 4, "office", "early"),
        task("D", 2),
    ]
    deps = [Dependency(id=str(n), plan_id="p", predecessor_id=p, successor_id=s)
            for n, (p, s) in enumerate([("A", "B"), ("B", "C"), ("C", "D")])]  # fmt: skip
    return tasks, deps, crews


def test_each_resource_works_the_duration_on_its_own_calendar() -> None:
    tasks, deps, crews = _plan()
    s = schedule(tasks, deps, start=datetime(2026, 12, 1, 8), resources=crews)
    a, b, c, d = (s.tasks[k] for k in "ABCD")
    assert (a.start, a.finish) == (datetime(2026, 12, 1, 8), datetime(2026, 12, 1, 12))
    # B after A (Tue 12:00): early crew Tue 12-14 and Wed 06-12; weekend crew Sat 09-15 and Sun 09-11
    assert (b.start, b.finish) == (datetime(2026, 12, 1, 12), datetime(2026, 12, 6, 11))
    assert b.duration_minutes == 8 * 60  # what each resource works
    # C after B (Sun 11:00): the early crew starts Mon 06:00 (done 10:00), the office Mon 08:00-12:00
    assert (c.start, c.finish) == (datetime(2026, 12, 7, 6), datetime(2026, 12, 7, 12))
    assert (d.start, d.finish) == (datetime(2026, 12, 7, 13), datetime(2026, 12, 7, 15))
    # late dates: C by D's start, Mon 13:00: the office 08:00-12:00, the early crew 09:00-13:00
    assert (c.late_start, c.late_finish) == (datetime(2026, 12, 7, 8), datetime(2026, 12, 7, 13))
    # B by C's late start, Mon 08:00: the early crew from Fri 08:00, the weekend crew from Sat 13:00
    assert (b.late_start, b.late_finish) == (datetime(2026, 12, 4, 8), datetime(2026, 12, 7, 8))
    assert d.critical and not c.critical and c.total_slack_minutes == 60


def test_over_http(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]  # starts Tue 2026-12-01
    ids = {}
    for name, cal in (("Early", EARLY), ("Weekend", WEEKEND)):
        body = {"name": name, "calendar": cal.model_dump(mode="json")}
        ids[name] = api.post(f"/plans/{pid}/resources", json=body).json()["data"]["id"]
    a = add_task(api, pid, "A", duration=4, duration_unit="hours")
    b = add_task(
        api, pid, "B", duration=8, duration_unit="hours", assigned_resources=[ids["Early"], ids["Weekend"]]
    )
    assert link(api, pid, a["id"], b["id"]).status_code == 201
    rows = {t["name"]: t for t in api.get(f"/plans/{pid}/timeline").json()["data"]["tasks"]}
    assert (rows["B"]["start"], rows["B"]["finish"]) == ("2026-12-01T12:00:00", "2026-12-06T11:00:00")
