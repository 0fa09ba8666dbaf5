"""Calendars and elapsed durations read from Microsoft Project XML (MSPDI), as Project defines them: recurring
exceptions cover only their occurrences, worked dates count, each weekday keeps its hours (a night shift),
resource calendars keep their own holidays over their base calendar, 24-hour days keep 1,440 minutes, and a
task of 1 elapsed day lasts 24 hours. The file is written here by hand from the public MSPDI schema; where
MPXJ is installed it reads the same file and must find the same working time on every day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from prometheus.core.calendar import WorkCalendar
from prometheus.core.model import Assignment, Calendar, Dependency, Resource, Task
from prometheus.core.scheduler import schedule
from prometheus.formats.mspdi import read_mspdi, write_mspdi
from tests import mpxj_oracle

DAY = "<WeekDay><DayType>{}</DayType><DayWorking>{}</DayWorking>{}</WeekDay>"


def _times(*periods: str) -> str:
    spans = [p.split("-") for p in periods]
    inner = "".join(
        f"<WorkingTime><FromTime>{a}:00</FromTime><ToTime>{b}:00</ToTime></WorkingTime>" for a, b in spans
    )
    return f"<WorkingTimes>{inner}</WorkingTimes>" if periods else ""


def _exception(first: str, last: str, working: int = 0, times: str = "", **rule: int) -> str:
    fields = "".join(f"<{k}>{v}</{k}>" for k, v in rule.items())
    return (
        f"<Exception><EnteredByOccurrences>0</EnteredByOccurrences><TimePeriod><FromDate>{first}T00:00:00"
        f"</FromDate><ToDate>{last}T23:59:00</ToDate></TimePeriod>{fields}<DayWorking>{working}</DayWorking>"
        f"{times}</Exception>"
    )


OFFICE = _times("08:00-12:00", "13:00-17:00")
NIGHT = _times("00:00-03:00", "04:00-08:00", "23:00-00:00")
STANDARD = (
    "<Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar><WeekDays>"
    + DAY.format(1, 0, "")
    + "".join(DAY.format(d, 1, OFFICE) for d in range(2, 7))
    + DAY.format(7, 0, "")
    # Project 2007+ also writes each exception day as an old-style WeekDay: they must not count twice
    + "<WeekDay><DayType>0</DayType><DayWorking>0</DayWorking><TimePeriod><FromDate>2027-01-01T00:00:00"
    "</FromDate><ToDate>2027-01-01T23:59:00</ToDate></TimePeriod></WeekDay>"
    "</WeekDays><Exceptions>"
    + _exception("2027-01-01", "2027-01-29", Type=6, Period=1, DaysOfWeek=32, Occurrences=5)  # Fridays
    + _exception("2027-01-09", "2027-01-09", 1, _times("09:00-13:00"), Type=1)  # a worked Saturday
    + _exception("2027-02-09", "2027-04-13", Type=5, Period=1, MonthItem=5, MonthPosition=1)  # 2nd Tuesday
    + _exception("2027-12-25", "2030-12-25", Type=2, Month=11, MonthDay=25)  # Christmas, four years
    + _exception("2027-03-01", "2027-03-03")  # three days in a row
    + _exception("2027-07-05", "2027-07-05")  # an exception wins over the work week around it
    + "</Exceptions><WorkWeeks><WorkWeek><TimePeriod><FromDate>2027-06-01T00:00:00</FromDate><ToDate>"
    "2027-08-31T23:59:59</ToDate></TimePeriod><Name>Summer</Name><WeekDays>"  # Mon-Thu 07-15, Fri as usual
    + DAY.format(1, 0, "")
    + "".join(DAY.format(d, 1, _times("07:00-15:00")) for d in range(2, 6))
    + DAY.format(6, 1, OFFICE)
    + DAY.format(7, 0, "")
    + "</WeekDays></WorkWeek></WorkWeeks></Calendar>"
)
NIGHTS = (
    "<Calendar><UID>2</UID><Name>Night shift</Name><IsBaseCalendar>0</IsBaseCalendar>"
    "<BaseCalendarUID>1</BaseCalendarUID><WeekDays>"
    + DAY.format(1, 0, "")
    + DAY.format(2, 1, _times("23:00-00:00"))
    + "".join(DAY.format(d, 1, NIGHT) for d in range(3, 7))
    + DAY.format(7, 1, _times("00:00-03:00", "04:00-08:00"))
    + "</WeekDays><Exceptions>"
    + _exception("2027-01-12", "2027-01-13")  # the night watch's own holidays
    + "</Exceptions></Calendar>"
)
ROUND = (
    "<Calendar><UID>3</UID><Name>24 Hours</Name><IsBaseCalendar>1</IsBaseCalendar><WeekDays>"
    + "".join(DAY.format(d, 1, _times("00:00-00:00")) for d in range(1, 8))
    + "</WeekDays></Calendar>"
)


def _task(uid: int, name: str, duration: str, fmt: int, pred: int | None = None) -> str:
    link = f"<PredecessorLink><PredecessorUID>{pred}</PredecessorUID><Type>1</Type></PredecessorLink>"
    return (
        f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><OutlineLevel>1</OutlineLevel>"
        f"<Duration>{duration}</Duration><DurationFormat>{fmt}</DurationFormat>{link if pred else ''}</Task>"
    )


def project(calendar_uid: int = 1) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Project xmlns="http://schemas.microsoft.com/project">'
        f"<Name>Calendars</Name><StartDate>2027-01-04T08:00:00</StartDate><CalendarUID>{calendar_uid}</CalendarUID>"
        f"<MinutesPerDay>480</MinutesPerDay><MinutesPerWeek>2400</MinutesPerWeek><Calendars>{STANDARD}{NIGHTS}{ROUND}"
        "</Calendars><Tasks>"
        + _task(1, "Dig", "PT16H0M0S", 7)
        + _task(2, "Cure", "PT24H0M0S", 8, pred=1)  # 1 elapsed day
        + _task(3, "Paint", "PT8H0M0S", 7, pred=2)
        + _task(4, "Watch", "PT14H0M0S", 5)
        + "</Tasks><Resources><Resource><UID>1</UID><ID>1</ID><Name>Night watch</Name><Type>1</Type>"
        "<CalendarUID>2</CalendarUID></Resource></Resources><Assignments><Assignment><UID>1</UID>"
        "<TaskUID>4</TaskUID><ResourceUID>1</ResourceUID><Units>1</Units></Assignment></Assignments></Project>"
    ).encode()


def _minutes(cal: Calendar, day: date) -> int:
    wc = WorkCalendar(cal, day)
    return int(wc.day_starts(day, 1)[1] - wc.day_starts(day, 1)[0])


def test_recurring_and_working_exceptions_cover_only_their_days() -> None:
    cal = read_mspdi(project()).plan.calendar
    off = set(cal.holidays)
    assert {date(2027, 1, d) for d in (1, 8, 15, 22, 29)} <= off  # five Fridays
    assert date(2027, 2, 5) not in off and date(2027, 1, 4) not in off and date(2027, 1, 5) not in off
    assert {date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13)} <= off  # second Tuesdays, three
    assert date(2027, 5, 11) not in off and date(2027, 2, 2) not in off
    assert {date(y, 12, 25) for y in range(2027, 2031)} <= off and date(2031, 12, 25) not in off
    assert {date(2027, 3, d) for d in (1, 2, 3)} <= off
    assert len(off) == 5 + 3 + 4 + 3 + 1
    assert _minutes(cal, date(2027, 1, 9)) == 240  # the worked Saturday, 09:00-13:00
    assert _minutes(cal, date(2027, 1, 16)) == 0 and _minutes(cal, date(2027, 1, 11)) == 480
    # the summer work week: Mon-Thu 07:00-15:00, Fridays as usual, its Monday off by an exception
    assert _minutes(cal, date(2027, 6, 7)) == 480 and cal.exceptions[1].working_hours == [(time(7), time(15))]
    assert _minutes(cal, date(2027, 7, 5)) == 0 and _minutes(cal, date(2027, 6, 11)) == 480
    assert {e.date for e in cal.exceptions} >= {date(2027, 6, 1), date(2027, 8, 31)}
    assert date(2027, 9, 6) not in {e.date for e in cal.exceptions}


def test_a_night_shift_resource_keeps_its_hours_and_holidays() -> None:
    doc = read_mspdi(project())
    night = doc.resources[0].calendar
    assert night is not None and night.name == "Night shift"
    assert night.hours_of(0) == [(time(23), time(0))]  # Monday 23:00-24:00
    assert night.hours_of(1) == [(time(0), time(3)), (time(4), time(8)), (time(23), time(0))]
    assert night.hours_of(5) == [(time(0), time(3)), (time(4), time(8))] and night.hours_of(6) == []
    assert _minutes(night, date(2027, 1, 5)) == 480 and _minutes(night, date(2027, 1, 4)) == 60
    # its own holidays and its base calendar's
    assert {date(2027, 1, 12), date(2027, 1, 13), date(2027, 1, 1), date(2027, 12, 25)} <= set(night.holidays)
    # the watch (14 h) starts Monday 23:00 and works the nights on the night calendar
    tasks = [t for t in doc.tasks if t.name == "Watch"]
    res = [Resource(id=r.key, plan_id="p", name=r.name, calendar=r.calendar) for r in doc.resources]
    plain = [
        Task(id=t.key, plan_id="p", **t.model_dump(exclude={"key", "parent", "assignments"})) for t in tasks
    ]
    plain[0].assignments = [Assignment(resource_id="r1")]
    s = schedule(plain, [], start=datetime(2027, 1, 4, 8), calendar=doc.plan.calendar, resources=res)
    watch = s.tasks["t4"]
    # Mon 23-24 (1 h), Tue 0-3, 4-8, 23-24 (8 h), Wed 0-3, 4-8 (7 h, 5 needed): ends Wed 06:00
    assert watch.start == datetime(2027, 1, 4, 23) and watch.finish == datetime(2027, 1, 6, 6)


def test_a_material_resource_brings_no_calendar() -> None:
    material = project().replace(b"<Type>1</Type><CalendarUID>2", b"<Type>0</Type><CalendarUID>2")
    assert read_mspdi(project()).resources[0].calendar is not None
    assert read_mspdi(material).resources[0].calendar is None


def test_24_hour_days_keep_every_minute_and_elapsed_days_last_24_hours() -> None:
    doc = read_mspdi(project(calendar_uid=3))
    cal = doc.plan.calendar
    assert cal.working_hours == [(time(0), time(0))] and len(cal.working_days) == 7
    assert _minutes(cal, date(2027, 1, 6)) == 1440
    doc = read_mspdi(project())
    cure = next(t for t in doc.tasks if t.name == "Cure")
    assert (cure.duration, cure.duration_unit) == (1, "edays")
    tasks = [
        Task(id=t.key, plan_id="p", **t.model_dump(exclude={"key", "parent", "assignments"}))
        for t in doc.tasks
    ]
    deps = [Dependency(id=str(i), plan_id="p", predecessor_id=d.predecessor, successor_id=d.successor)
            for i, d in enumerate(doc.dependencies)]  # fmt: skip
    s = schedule(tasks, deps, start=datetime(2027, 1, 4, 8), calendar=doc.plan.calendar)
    # Dig Mon-Tue; Cure from Tue 17:00... starts at the next working start, Wed 08:00, for 24 hours
    assert s.tasks["t2"].start == datetime(2027, 1, 6, 8) and s.tasks["t2"].finish == datetime(2027, 1, 7, 8)
    assert s.tasks["t3"].start == datetime(2027, 1, 7, 8) and s.tasks["t3"].finish == datetime(2027, 1, 7, 17)


def test_calendars_and_elapsed_units_survive_an_mspdi_round_trip() -> None:
    doc = read_mspdi(project())
    again = read_mspdi(write_mspdi(doc, None))
    assert again.plan.calendar == doc.plan.calendar
    assert again.resources[0].calendar.model_dump(exclude={"name"}) == doc.resources[0].calendar.model_dump(
        exclude={"name"}
    )
    assert [(t.duration, t.duration_unit) for t in again.tasks] == [
        (t.duration, t.duration_unit) for t in doc.tasks
    ]


@pytest.mark.skipif(not mpxj_oracle.available(), reason="needs mpxj and Java")
def test_every_day_has_the_working_time_mpxj_reads(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "calendars.xml"
    path.write_bytes(project())
    mpxj_oracle._jvm()
    from java.time import LocalDate
    from org.mpxj.mspdi import MSPDIReader

    theirs = {str(c.getUniqueID()): c for c in MSPDIReader().read(str(path)).getCalendars()}
    doc = read_mspdi(project())
    ours = {"1": doc.plan.calendar, "2": doc.resources[0].calendar}
    first = date(2026, 12, 1)
    for uid, cal in ours.items():
        wc = WorkCalendar(cal, first)
        starts = wc.day_starts(first, 5 * 366)
        for k in range(5 * 366):
            day = first + timedelta(days=k)
            expected = theirs[uid].getWork(
                LocalDate.of(day.year, day.month, day.day), mpxj_oracle.minutes_unit()
            )
            assert int(starts[k + 1] - starts[k]) == round(float(expected.getDuration())), (uid, day)


@pytest.mark.skipif(not mpxj_oracle.available(), reason="needs mpxj and Java")
@pytest.mark.parametrize(("duration", "unit"), [(1, "edays"), (30, "ehours"), (1, "eweeks"), (2.5, "edays")])
def test_elapsed_durations_against_mpxj(duration: float, unit: str) -> None:
    def task(i: str, d: float, u: str = "days") -> Task:
        return Task(id=i, plan_id="p", name=i, duration=d, duration_unit=u)

    tasks = [task("A", 2.5), task("B", duration, unit), task("C", 1), task("D", 10)]
    deps = [
        Dependency(id="1", plan_id="p", predecessor_id="A", successor_id="B"),
        Dependency(id="2", plan_id="p", predecessor_id="B", successor_id="C"),
    ]
    start = datetime(2026, 12, 3, 8)
    ours = schedule(tasks, deps, start=start)
    for tid, dates in mpxj_oracle.schedule_with_mpxj(tasks, deps, start).items():
        assert {k: getattr(ours.tasks[tid], k) for k in dates} == dates, tid


def test_the_project_starts_at_its_start_time_or_its_default_start_time() -> None:
    assert read_mspdi(project()).plan.default_start_time == time(8)
    midnight = project().replace(b"2027-01-04T08:00:00</StartDate>", b"2027-01-04T00:00:00</StartDate>")
    # midnight is a time too (a 24-hour calendar's project starts then; MPXJ's sf259.mpp, saved by Project)
    assert read_mspdi(midnight).plan.default_start_time == time(0)
    later = midnight.replace(
        b"<CalendarUID>1", b"<DefaultStartTime>09:00:00</DefaultStartTime><CalendarUID>1", 1
    )
    assert read_mspdi(later).plan.default_start_time == time(0)
    no_time = midnight.replace(b"2027-01-04T00:00:00</StartDate>", b"2027-01-04</StartDate>")
    no_time = no_time.replace(
        b"<CalendarUID>1", b"<DefaultStartTime>09:00:00</DefaultStartTime><CalendarUID>1", 1
    )
    assert read_mspdi(no_time).plan.default_start_time == time(9)  # a date alone: the default start time
