"""Rules of Microsoft Project that its files rely on, each on a small hand-made plan: lags run on the project
calendar (or the task's own), not on the resources' (Project's KB 159773); a task calendar and its
resources' calendars give the time both work; actual dates are kept as they are; material resources take no
part in scheduling."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from prometheus.core.calendar_common import common_time
from prometheus.core.model import Assignment, Calendar, Dependency, Plan, Resource, Task
from prometheus.core.scheduler import schedule
from prometheus.formats.document import to_document
from prometheus.formats.mspdi import read_mspdi, write_mspdi

START = datetime(2027, 1, 4, 8)  # a Monday
EARLY = Calendar(name="Early", working_days=[0, 1, 2, 3, 4, 5], working_hours=[(time(6), time(14))])
NIGHT = Calendar(name="Night", working_hours=[(time(22), time(0))], holidays=[date(2027, 1, 6)])


def _task(tid: str, hours: float, **extra: object) -> Task:
    return Task(id=tid, plan_id="p", name=tid, duration=hours, duration_unit="hours", **extra)


def test_the_time_two_calendars_both_work() -> None:
    both = common_time(EARLY, Calendar(holidays=[date(2027, 1, 5)]))
    assert both.working_days == [0, 1, 2, 3, 4]  # Saturdays: only the early calendar works them
    assert both.working_hours == [(time(8), time(12)), (time(13), time(14))]
    assert both.holidays == [date(2027, 1, 5)]
    assert common_time(EARLY, NIGHT) is None  # never at the same time


def test_a_lag_runs_on_the_project_calendar_not_the_resources() -> None:
    crew = Resource(id="r", plan_id="p", name="Early crew", calendar=EARLY)
    tasks = [_task("a", 8), _task("b", 2, assignments=[Assignment(resource_id="r")])]
    lag = Dependency(id="d", plan_id="p", predecessor_id="a", successor_id="b", lag=2, lag_unit="hours")
    s = schedule(tasks, [lag], start=START, resources=[crew])
    # a ends Mon 17:00; 2 working hours of the project calendar: Tue 10:00, in the crew's time
    assert s.tasks["b"].start == datetime(2027, 1, 5, 10) and s.tasks["b"].finish == datetime(2027, 1, 5, 12)


def test_a_task_calendar_with_a_resource_calendar_works_their_common_time() -> None:
    crew = Resource(id="r", plan_id="p", name="Office", calendar=Calendar(name="Office"))
    task = _task("a", 10, calendar=EARLY, assignments=[Assignment(resource_id="r")])
    s = schedule([task], [], start=START, resources=[crew])
    # 08-12 and 13-14 each day: Mon 5 h, Tue 5 h
    assert s.tasks["a"].start == START and s.tasks["a"].finish == datetime(2027, 1, 5, 14)


def test_actual_dates_are_kept_outside_working_time() -> None:
    done = _task("a", 8, actual_start=datetime(2027, 1, 4, 7), actual_finish=datetime(2027, 1, 4, 18),
                 percent_complete=100, status="completed")  # fmt: skip
    s = schedule([done], [], start=START)
    assert (s.tasks["a"].start, s.tasks["a"].finish) == (datetime(2027, 1, 4, 7), datetime(2027, 1, 4, 18))


def test_a_material_resource_takes_no_part_in_scheduling() -> None:
    plan = Plan(id="p", name="Materials", start_date=START.date(), calendar=Calendar())
    crew = Resource(id="r", plan_id="p", name="Night crew", calendar=NIGHT)
    cement = Resource(id="m", plan_id="p", name="Cement")
    task = _task("a", 2, assignments=[Assignment(resource_id="r"), Assignment(resource_id="m", units=5)])
    doc = to_document(plan.model_copy(update={"tasks": [task], "resources": [crew, cement]}))
    data = write_mspdi(doc, None)
    material = re.sub(rb"(<Name>Cement</Name>\s*<Type>)1", rb"\g<1>0", data)  # a material resource
    assert material != data
    doc = read_mspdi(material)
    assert [a.resource for a in doc.tasks[0].assignments] == ["r1"]  # the crew's only
