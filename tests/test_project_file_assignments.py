"""What a task's assignments in a file saved by Microsoft Project say of its span, each on a small plan that
fails without it (found in Aspose.Tasks' example files, measured with bench/fidelity.py): overtime shortens
what each resource on its own calendar works."""

from __future__ import annotations

import re
from datetime import datetime, time

from prometheus.core.analysis import schedule_plan
from prometheus.core.model import Assignment, Calendar, Plan, Resource, Task
from prometheus.formats.document import to_document, to_plan
from prometheus.formats.mspdi import read_mspdi, write_mspdi

MONDAY = datetime(2027, 1, 4, 8)
NIGHT = Calendar(name="Night", working_days=[0, 1, 2, 3, 4, 5, 6], working_hours=[(time(22), time(0))])


def _two_crews(work: int, duration: int, overtime: int) -> bytes:
    """A task of `duration` hours on a day crew and a night crew (22:00-24:00), each with `work` hours, of
    them `overtime` hours of overtime."""
    plan = Plan(id="p", name="Shifts", start_date=MONDAY.date(), calendar=Calendar())
    day = Resource(id="d", plan_id="p", name="Day crew")
    night = Resource(id="n", plan_id="p", name="Night crew", calendar=NIGHT)
    both = [Assignment(resource_id="d"), Assignment(resource_id="n")]
    task = Task(id="a", plan_id="p", name="a", duration=duration, duration_unit="hours", assignments=both)
    doc = to_document(plan.model_copy(update={"tasks": [task], "resources": [day, night]}))
    data = write_mspdi(doc, None)
    hours = f"PT{work}H0M0S".encode()
    data = re.sub(rb"<(Remaining)?Work>PT\d+H0M0S</", rb"<\1Work>" + hours + b"</", data)
    return data.replace(b"<Units>", f"<OvertimeWork>PT{overtime}H0M0S</OvertimeWork><Units>".encode())


def _finish(data: bytes) -> datetime:
    back = to_plan(read_mspdi(data))
    return schedule_plan(back, MONDAY.date()).tasks[back.tasks[0].id].finish


def test_overtime_shortens_what_each_resource_on_its_own_calendar_works() -> None:
    """16 h of work each, 8 h of it overtime (ResourceOvertime.mpp: a night shift and a 24-hour crew): each
    crew works 8 h in its own time, as Project's Duration over both (here 8 h, the union's span) says."""
    data = _two_crews(16, 8, 8)
    assert data.count(b"<Work>PT16H0M0S</Work>") == 2 and data.count(b"<OvertimeWork>") == 2
    # the day crew Monday 08:00-17:00, the night crew 22:00-24:00 four nights: Friday 00:00
    assert _finish(data) == datetime(2027, 1, 8, 0)
    assert _finish(_two_crews(16, 8, 0)) == datetime(2027, 1, 12, 0)  # no overtime: eight nights


def _leveled(delay: str, delay_format: int) -> bytes:
    """A 2-day task whose two people each work 8 h, the second delayed by leveling by `delay` (tenths of a
    minute in `delay_format`)."""
    people = "".join(
        f"<Resource><UID>{i}</UID><Name>{n}</Name><Type>1</Type></Resource>"
        for i, n in ((1, "Ann"), (2, "Bo"))
    )
    work = "<Units>1</Units><Work>PT8H0M0S</Work><RemainingWork>PT8H0M0S</RemainingWork>"
    late = f"<LevelingDelay>{delay}</LevelingDelay><LevelingDelayFormat>{delay_format}</LevelingDelayFormat>"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project"><Name>Leveled</Name>
<StartDate>2027-01-04T08:00:00</StartDate><MinutesPerDay>480</MinutesPerDay><MinutesPerWeek>2400</MinutesPerWeek>
<Tasks><Task><UID>1</UID><Name>a</Name><OutlineLevel>1</OutlineLevel><Duration>PT16H0M0S</Duration>
<DurationFormat>7</DurationFormat><Work>PT16H0M0S</Work></Task></Tasks><Resources>{people}</Resources>
<Assignments><Assignment><UID>1</UID><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID>{work}</Assignment>
<Assignment><UID>2</UID><TaskUID>1</TaskUID><ResourceUID>2</ResourceUID>{work}{late}</Assignment>
</Assignments></Project>""".encode()


def test_an_assignment_leveling_delayed_ends_the_task_when_it_is_done() -> None:
    """Leveling delayed one person's day of work by 3 days (CustomerFeedback.mpp, whose task kept the
    Duration of 2 days): the task ends when that work is done, Thursday 17:00; a delay of 1 day spans the
    2 days. An elapsed delay (format 8) is no working time to add: the stored Duration stays."""
    assert _finish(_leveled("14400", 7)) == datetime(2027, 1, 7, 17)
    assert _finish(_leveled("4800", 7)) == datetime(2027, 1, 5, 17)
    assert _finish(_leveled("14400", 8)) == datetime(2027, 1, 5, 17)
