"""Calendar tables kept between schedules (core/calendar_tables.py): found by the calendar's content, so a
calendar changed in place schedules as its new self, and bounded in memory."""

from __future__ import annotations

from datetime import date, datetime, time

import numpy as np
import pytest

from prometheus.core.calendar import WorkCalendar
from prometheus.core.calendar_tables import Tables
from prometheus.core.model import Assignment, Calendar, Resource, Task
from prometheus.core.scheduler import schedule

MONDAY = datetime(2026, 11, 30, 8)


def _finish(calendar: Calendar, resources: list[Resource] | None = None) -> datetime:
    task = Task(id="a", plan_id="p", name="a", duration=2, assignments=[Assignment(resource_id="crew")])
    return schedule([task], [], start=MONDAY, calendar=calendar, resources=resources).project_finish


def test_a_calendar_changed_in_place_schedules_with_its_change() -> None:
    cal = Calendar()
    assert _finish(cal) == datetime(2026, 12, 1, 17)  # two days: Monday and Tuesday
    cal.holidays.append(date(2026, 12, 1))  # the list mutated, no new object
    assert _finish(cal) == datetime(2026, 12, 2, 17)  # Tuesday off: it ends on Wednesday
    cal.holidays.clear()
    cal.working_hours = [(time(8), time(12))]  # half days: two days of 8 hours take four
    assert _finish(cal) == datetime(2026, 12, 3, 12)


def test_a_resource_calendar_changed_in_place_schedules_with_its_change() -> None:
    shift = Calendar(name="Shift", working_hours=[(time(6), time(14))])
    crew = [Resource(id="crew", plan_id="p", name="Crew", calendar=shift)]
    # 16 hours from Monday 08:00 on 06:00-14:00: 6 on Monday, 8 on Tuesday, 2 on Wednesday
    assert _finish(Calendar(), crew) == datetime(2026, 12, 2, 8)
    shift.working_days.remove(1)  # the crew no longer works on Tuesdays
    assert _finish(Calendar(), crew) == datetime(2026, 12, 3, 8)


def test_kept_tables_are_read_only() -> None:
    wc = WorkCalendar(Calendar(), date(2026, 11, 23), days=400)
    with pytest.raises(ValueError, match="read-only"):
        wc.tables()[4][10] = 0


def test_least_recently_used_tables_go_beyond_the_bound() -> None:
    made: list[str] = []

    def make(key: str) -> tuple[np.ndarray, ...]:
        made.append(key)
        return (np.zeros(100, dtype=np.int64),)  # 800 bytes

    tables = Tables(max_bytes=2000)  # room for two
    for key in ["a", "b", "a", "c", "a", "b"]:
        assert tables.get(key, make, key)[0].nbytes == 800
    assert made == ["a", "b", "c", "b"]  # "a" used last stays; "b" went for "c", then came back


def test_tables_grown_after_a_change_in_place_stay_those_of_the_content_laid_out() -> None:
    epoch, june = date(2026, 11, 23), datetime(2027, 6, 1)  # a Tuesday
    WorkCalendar(Calendar(), epoch, days=40)
    cal = Calendar()
    laid_out = WorkCalendar(cal, epoch, days=40)  # the tables just kept, found by content
    cal.holidays.append(june.date())  # changed after it was laid out
    laid_out.index_of(laid_out.minutes(june.replace(month=9)))  # grown past June: kept as without it
    plain = WorkCalendar(Calendar(), epoch, days=laid_out.days)  # the same content finds them
    day = [int(plain.index_of(plain.minutes(june.replace(day=d)))) for d in (1, 2)]
    assert day[1] - day[0] == 480  # June 1st is a working day of a calendar without holidays


@pytest.mark.parametrize("unit", ["edays", "days"])
def test_tables_grow_up_to_200_years_and_no_further(unit: str) -> None:
    """Tables double as a schedule reaches past them: a doubling past 200 years was refused as "more than
    200 years" for a plan of 164 (an elapsed task from 1901 to 2065); now they grow as far as the bound."""
    from prometheus.core.calendar import SchedulingError

    per_year = 365.25 if unit == "edays" else 260.0
    task = Task(id="a", plan_id="p", name="a", duration=round(190 * per_year), duration_unit=unit)
    finish = schedule([task], [], start=datetime(1901, 1, 1, 8)).project_finish
    assert finish.year in (2090, 2091), finish
    too_long = task.model_copy(update={"duration": round(205 * per_year)})
    with pytest.raises(SchedulingError, match="more than 200 years"):
        schedule([too_long], [], start=datetime(1901, 1, 1, 8))
