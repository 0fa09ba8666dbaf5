"""Rules that files saved by Microsoft Project showed (MPXJ's own test files, measured with
bench/fidelity.py), each on a small plan that fails without it: an SF link sets its successor's finish at a
start of work; a started task's done part is its actual duration, not the rounded percentage, and the rest
of its work follows its resume date (less the overtime still to do; the date to the nearest minute); the
resources of a task on different calendars each work their assignment; timephased costs are no durations; a
project starts at its start date's own time, midnight included; Project's .mpd databases are read; several
calendar exceptions on one date; durations written to the second; inactive tasks; tasks of other projects
(in an .mpp too). Percent lags, milestones under way and milestones at a project start on a day off come
from files found elsewhere (Aspose.Tasks' examples)."""

from __future__ import annotations

import re
from datetime import datetime, time

import pytest

from prometheus.core.analysis import schedule_plan
from prometheus.core.model import Assignment, Calendar, Dependency, Plan, Resource, Task
from prometheus.core.scheduler import schedule
from prometheus.formats.document import to_document, to_plan
from prometheus.formats.mspdi import read_mspdi, write_mspdi
from prometheus.formats.registry import detect
from tests import mpxj_oracle
from tests.mpxj_oracle import _ldt

MONDAY = datetime(2027, 1, 4, 8)
TUESDAY = datetime(2027, 1, 5, 8)
NIGHT = Calendar(name="Night", working_days=[0, 1, 2, 3, 4, 5, 6], working_hours=[(time(22), time(0))])


def _task(tid: str, hours: float, **extra: object) -> Task:
    return Task(id=tid, plan_id="p", name=tid, duration=hours, duration_unit="hours", **extra)


def _link(kind: str, lag: float = 0) -> Dependency:
    return Dependency(id="d", plan_id="p", predecessor_id="a", successor_id="b", type=kind, lag=lag,
                      lag_unit="hours")  # fmt: skip


def test_an_sf_link_sets_the_finish_at_the_start_it_waits_for() -> None:
    """Project keeps the moment the predecessor starts (MPXJ's legacy/sample.mpp and mpp*relations files:
    Tuesday 08:00, where the same work done reads Monday 17:00)."""
    a = _task("a", 8, constraint_type="SNET", constraint_date=TUESDAY)
    s = schedule([a, _task("b", 8)], [_link("SF")], start=MONDAY)
    assert (s.tasks["b"].start, s.tasks["b"].finish) == (MONDAY, TUESDAY)
    alone = schedule([_task("a", 0, constraint_type="SNET", constraint_date=TUESDAY), _task("b", 8)],
                     [_link("SF")], start=MONDAY)  # fmt: skip
    assert alone.tasks["b"].finish == alone.project_finish == TUESDAY  # the last finish is the project's
    later = _task("a", 8, constraint_type="SNET", constraint_date=datetime(2027, 1, 6, 8))
    s = schedule([later, _task("b", 8)], [_link("SF", -8)], start=MONDAY)  # a negative lag too
    assert (s.tasks["b"].start, s.tasks["b"].finish) == (MONDAY, TUESDAY)
    # a positive lag ends at the end of its work, as FF links and lone tasks do
    s = schedule([a, _task("b", 8)], [_link("SF", 8)], start=MONDAY)
    assert s.tasks["b"].finish == datetime(2027, 1, 5, 17)
    s = schedule([a, _task("b", 8, constraint_type="SNET", constraint_date=MONDAY)], [], start=MONDAY)
    assert s.tasks["b"].finish == datetime(2027, 1, 4, 17)


def test_a_started_task_has_done_its_actual_duration_not_the_rounded_percentage() -> None:
    """67% of 3 days is 5 minutes more than the 2 days done (timephased-actual-work-resource.mpp)."""
    plan = Plan(id="p", name="Started", start_date=MONDAY.date(), calendar=Calendar())
    task = Task(id="a", plan_id="p", name="a", duration=3, status="in_progress", actual_start=MONDAY,
                percent_complete=200 / 3, remaining_duration=1)  # fmt: skip
    data = write_mspdi(to_document(plan.model_copy(update={"tasks": [task]})), None)
    assert b"<PercentComplete>67</PercentComplete>" in data and b"<ActualDuration>PT16H0M0S" in data
    back = to_plan(read_mspdi(data))
    assert schedule_plan(back, MONDAY.date()).tasks[back.tasks[0].id].finish == datetime(2027, 1, 6, 17)


def test_resources_on_different_calendars_each_work_their_assignment() -> None:
    """Project's Duration of such a task is its span over all their working time together (mspdiresource.xml:
    48 h for two day crews and a night crew each working 24 h): each resource works its own work."""
    plan = Plan(id="p", name="Shifts", start_date=MONDAY.date(), calendar=Calendar())
    day = Resource(id="d", plan_id="p", name="Day crew")
    night = Resource(id="n", plan_id="p", name="Night crew", calendar=NIGHT)
    both = [Assignment(resource_id="d", work=16), Assignment(resource_id="n", work=16)]
    task = _task("a", 16, assignments=both, work=32)
    data = write_mspdi(
        to_document(plan.model_copy(update={"tasks": [task], "resources": [day, night]})), None
    )
    union = re.sub(rb"(<Task>.*?<Duration>)PT16H0M0S", rb"\g<1>PT32H0M0S", data, count=1, flags=re.S)
    assert union != data
    finishes = set()
    for file in (data, union):
        back = to_plan(read_mspdi(file))
        finishes.add(schedule_plan(back, MONDAY.date()).tasks[back.tasks[0].id].finish)
    # the day crew is done Tuesday 17:00, the night crew (22:00-24:00) after 8 nights: Tuesday 24:00 next week
    assert finishes == {datetime(2027, 1, 12, 0)}


def test_timephased_costs_are_read_past() -> None:
    """A timephased baseline cost (Type 5) holds money, not a duration (mpp*timephased2.mpp)."""
    plan = Plan(id="p", name="Costs", start_date=MONDAY.date(), calendar=Calendar())
    crew = Resource(id="r", plan_id="p", name="Crew")
    task = _task("a", 8, assignments=[Assignment(resource_id="r", work=8)])
    data = write_mspdi(to_document(plan.model_copy(update={"tasks": [task], "resources": [crew]})), None)
    cost = (b"<TimephasedData><Type>5</Type><UID>1</UID><Start>2027-01-04T08:00:00</Start>"
            b"<Finish>2027-01-04T17:00:00</Finish><Unit>3</Unit><Value>88000</Value></TimephasedData>"
            b"</Assignment>")  # fmt: skip
    with_cost = data.replace(b"</Assignment>", cost, 1)
    assert with_cost != data
    back = to_plan(read_mspdi(with_cost))
    assert schedule_plan(back, MONDAY.date()).tasks[back.tasks[0].id].finish == datetime(2027, 1, 4, 17)


def test_the_project_starts_at_its_start_dates_time_even_at_midnight() -> None:
    """A calendar that works from midnight and a project start at 00:00 (sf259.mpp): tasks start at 00:00,
    not at the default start time of 08:00."""
    early = Calendar(name="Early", working_hours=[(time(0), time(5)), (time(7), time(11))])
    plan = Plan(id="p", name="Midnight", start_date=MONDAY.date(), calendar=early)
    data = write_mspdi(to_document(plan.model_copy(update={"tasks": [_task("a", 4)]})), None)
    data = re.sub(rb"<StartDate>[^<]*<", b"<StartDate>2027-01-04T00:00:00<", data)
    data = re.sub(rb"<DefaultStartTime>[^<]*<", b"<DefaultStartTime>08:00:00<", data)
    back = to_plan(read_mspdi(data))
    s = schedule_plan(back, MONDAY.date())
    assert (s.tasks[back.tasks[0].id].start, s.tasks[back.tasks[0].id].finish) == (
        datetime(2027, 1, 4, 0),
        datetime(2027, 1, 4, 4),
    )


def test_project_databases_are_read_through_mpxj() -> None:
    jet = b"\x00\x01\x00\x00Standard Jet DB\x00" + bytes(64)
    assert detect("plan.mpd", None, jet) == "mpxj"
    assert detect(None, None, jet) == "mpxj"
    assert detect(None, None, jet.replace(b"Jet", b"ACE")) == "mpxj"


def test_a_started_task_does_its_remaining_work_from_its_resume_date() -> None:
    """Work done before the calendar's day began (an actual start at 07:00) ends the rest an hour earlier
    (mpp14timephasedsegmentsmanual.mpp): the finish is the resume date plus the remaining duration."""
    early = datetime(2027, 1, 4, 7)
    task = Task(id="a", plan_id="p", name="a", duration=5, status="in_progress", actual_start=early,
                percent_complete=50, remaining_duration=2.5, resume=datetime(2027, 1, 6, 11))  # fmt: skip
    s = schedule([task], [], start=MONDAY)
    assert (s.tasks["a"].start, s.tasks["a"].finish) == (early, datetime(2027, 1, 8, 16))


def test_a_milestone_under_way_finishes_when_it_started() -> None:
    """A milestone marked 30% done at noon (Software Development.mpp of Aspose.Tasks' examples) starts and
    finishes at noon, not after lunch; its successor starts after lunch."""
    noon = datetime(2027, 1, 4, 12)
    mark = Task(id="a", plan_id="p", name="a", duration=0, milestone=True, status="in_progress",
                actual_start=noon, percent_complete=30, remaining_duration=0)  # fmt: skip
    s = schedule([mark, _task("b", 8)], [_link("FS")], start=MONDAY)
    assert (s.tasks["a"].start, s.tasks["a"].finish) == (noon, noon)
    assert (s.tasks["b"].start, s.tasks["b"].finish) == (datetime(2027, 1, 4, 13), datetime(2027, 1, 5, 12))


def test_a_milestone_at_a_project_start_on_a_day_off_stays_there() -> None:
    """A project starting on Sunday 08:00 (b4ubuild_sample_07a in Aspose.Tasks' examples, project5.mpp):
    its milestones without work before them stay on Sunday, the first task with work starts on Monday."""
    sunday = datetime(2027, 1, 3, 8)
    mark, after = (Task(id=k, plan_id="p", name=k, duration=0, milestone=True) for k in "ab")
    links = [_link("FS"), Dependency(id="e", plan_id="p", predecessor_id="b", successor_id="c")]
    s = schedule([mark, after, _task("c", 8)], links, start=sunday)
    assert {k: (t.start, t.finish) for k, t in s.tasks.items()} == {
        "a": (sunday, sunday),
        "b": (sunday, sunday),
        "c": (MONDAY, datetime(2027, 1, 4, 17)),
    }


def test_a_plan_starting_on_a_day_off_is_written_with_its_own_start() -> None:
    """Written as MSPDI with its schedule and read back, such a plan keeps its milestones on Sunday (the
    first working moment, Monday 08:00, written as its StartDate moved them to Monday)."""
    sunday = datetime(2027, 1, 3, 8)
    plan = Plan(id="p", name="Sunday", start_date=sunday.date(), calendar=Calendar())
    mark = Task(id="a", plan_id="p", name="a", duration=0, milestone=True)
    plan = plan.model_copy(update={"tasks": [mark]})
    s = schedule_plan(plan, sunday.date())
    assert s.tasks["a"].start == sunday
    back = to_plan(read_mspdi(write_mspdi(to_document(plan), s)))
    assert schedule_plan(back, sunday.date()).tasks[back.tasks[0].id].start == sunday


def _started(remaining: str, resume: str, assignment: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project"><Name>Started</Name>
<StartDate>2027-01-04T08:00:00</StartDate><MinutesPerDay>480</MinutesPerDay><MinutesPerWeek>2400</MinutesPerWeek>
<Tasks><Task><UID>1</UID><Name>a</Name><OutlineLevel>1</OutlineLevel><Duration>PT40H0M0S</Duration>
<DurationFormat>7</DurationFormat><ActualStart>2027-01-04T08:00:00</ActualStart><ActualDuration>PT8H0M0S</ActualDuration>
<RemainingDuration>{remaining}</RemainingDuration><PercentComplete>20</PercentComplete><Resume>{resume}</Resume>
</Task></Tasks><Resources><Resource><UID>1</UID><Name>Crew</Name><Type>1</Type></Resource></Resources>
<Assignments><Assignment><UID>1</UID><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID><Units>1</Units>
{assignment}</Assignment></Assignments></Project>""".encode()


def test_overtime_still_to_do_shortens_the_rest_of_a_started_task() -> None:
    """Project ends it when its assignments' remaining work less their remaining overtime is done after the
    resume date (mspdiassignmentfields.xml: 70 h 06 of regular work where RemainingDuration said 66 h 34)."""
    plain = "<Work>PT40H0M0S</Work><RemainingWork>PT32H0M0S</RemainingWork>"
    overtime = (
        plain + "<OvertimeWork>PT10H0M0S</OvertimeWork><ActualOvertimeWork>PT2H0M0S</ActualOvertimeWork>"
    )
    finishes = []
    for assignment in (plain, overtime):
        back = to_plan(read_mspdi(_started("PT32H0M0S", "2027-01-05T08:00:00", assignment)))
        finishes.append(schedule_plan(back, MONDAY.date()).tasks[back.tasks[0].id].finish)
    # 32 h from Tuesday 08:00: Friday 17:00; 32 - 8 h of overtime left: 24 h, Thursday 17:00
    assert finishes == [datetime(2027, 1, 8, 17), datetime(2027, 1, 7, 17)]


def test_a_resume_date_to_the_second_is_read_to_the_nearest_minute() -> None:
    """Resume 11:52:48 and 24 h 07 m 12 s left end at 12:00 (splits9b.mpp), not a minute before."""
    data = _started("PT24H7M12S", "2027-01-05T11:52:48", "<Work>PT40H0M0S</Work>")
    back = to_plan(read_mspdi(data))
    assert schedule_plan(back, MONDAY.date()).tasks[back.tasks[0].id].finish == datetime(2027, 1, 8, 12)


_TWO_HOURS = "<WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime><ToTime>10:00:00</ToTime></WorkingTime>"


def _exception(kind: int, first: str, last: str, working: bool, extra: str = "") -> str:
    period = f"<TimePeriod><FromDate>{first}T00:00:00</FromDate><ToDate>{last}T23:59:00</ToDate></TimePeriod>"
    hours = _TWO_HOURS + "</WorkingTimes>" if working else ""
    day = f"<DayWorking>{int(working)}</DayWorking>"
    return f"<Exception>{period}<Type>{kind}</Type>{extra}{day}{hours}</Exception>"


def test_the_exception_that_decides_a_date_several_cover() -> None:
    """A one-day exception beats a daily recurrence, which beats a yearly, then a monthly, then a weekly one,
    whatever their order in the file (calendar-exception-precedence-*.mpp: every calendar of MPXJ's 602
    test files now has MPXJ's working time on every day of two years)."""
    week = "".join(
        f"<WeekDay><DayType>{d}</DayType><DayWorking>{int(1 < d < 7)}</DayWorking></WeekDay>"
        for d in range(1, 8)
    )
    q1 = ("2027-01-01", "2027-03-31")
    exceptions = "".join([
        _exception(1, "2027-01-08", "2027-01-08", False, "<Occurrences>1</Occurrences>"),  # a Friday off
        _exception(4, *q1, False, "<Period>1</Period><MonthDay>15</MonthDay>"),  # each 15th off
        _exception(6, *q1, True, "<Period>1</Period><DaysOfWeek>32</DaysOfWeek>"),  # Fridays: 2 hours
    ])  # fmt: skip
    data = f"""<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project"><Name>Exceptions</Name><StartDate>2027-01-04T08:00:00</StartDate>
<CalendarUID>1</CalendarUID><Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>
<WeekDays>{week}</WeekDays><Exceptions>{exceptions}</Exceptions></Calendar></Calendars>
<Tasks><Task><UID>1</UID><Name>a</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration></Task></Tasks>
</Project>""".encode()
    from prometheus.core.calendar import WorkCalendar

    first = datetime(2027, 1, 4).date()
    wc = WorkCalendar(read_mspdi(data).plan.calendar, first)
    starts = wc.day_starts(first, 30)
    minutes = {d: int(starts[d - 3] - starts[d - 4]) for d in (7, 8, 15, 22)}  # January 7, 8, 15, 22
    assert minutes == {7: 480, 8: 0, 15: 0, 22: 120}


def test_a_duration_of_a_third_of_days_writes_and_reads_back_the_same() -> None:
    """33.333333 days of 7.5 hours were written 249 h 59 min (whole minutes, cut): the round trip ended a
    minute early (mspditimephased.xml; all 806 readable files of MPXJ's test folder now keep every date)."""
    short = Calendar(
        name="Short", working_hours=[(time(8), time(12)), (time(13), time(16, 30))], hours_per_day=7.5
    )
    plan = Plan(id="p", name="Thirds", start_date=MONDAY.date(), calendar=short)
    task = Task(id="a", plan_id="p", name="a", duration=33.333333)
    plan = plan.model_copy(update={"tasks": [task]})
    s = schedule_plan(plan, MONDAY.date())
    data = write_mspdi(to_document(plan), s)
    assert b"<Duration>PT250H0M0S</Duration>" in data
    back = to_plan(read_mspdi(data))
    assert schedule_plan(back, MONDAY.date()).tasks[back.tasks[0].id].finish == s.tasks["a"].finish


def test_an_inactive_task_is_kept_and_schedules_nothing() -> None:
    """Project 2010's inactive task (`<Active>0</Active>`): in the plan, no longer moving its successors
    (here: a cancelled task, both ways)."""
    plan = Plan(id="p", name="Inactive", start_date=MONDAY.date(), calendar=Calendar())
    tasks = [_task("a", 8), _task("b", 16, status="cancelled"), _task("c", 8)]
    links = [Dependency(id="1", plan_id="p", predecessor_id="a", successor_id="b"),
             Dependency(id="2", plan_id="p", predecessor_id="b", successor_id="c")]  # fmt: skip
    data = write_mspdi(to_document(plan.model_copy(update={"tasks": tasks, "dependencies": links})), None)
    assert data.count(b"<Active>0</Active>") == 1
    back = to_plan(read_mspdi(data))
    assert [t.status for t in back.tasks] == ["pending", "cancelled", "pending"]
    s = schedule_plan(back, MONDAY.date())
    c = next(t.id for t in back.tasks if t.name == "c")
    assert s.tasks[c].start == MONDAY  # b's link moves it no more


def test_timephased_work_a_few_seconds_apart_is_no_pause() -> None:
    """Project keeps timephased periods to the second (10:40:00 after 10:39:06): a minute is their rounding,
    not a split (mspdiresource.xml read four 1-minute pauses into a contoured task: 4 minutes late)."""
    periods = "".join(
        f"<TimephasedData><Type>1</Type><UID>1</UID><Start>{a}</Start><Finish>{b}</Finish><Unit>2</Unit>"
        f"<Value>{v}</Value></TimephasedData>"
        for a, b, v in [("2027-01-04T08:00:00", "2027-01-04T10:39:06", "PT2H39M6S"),
                        ("2027-01-04T10:40:00", "2027-01-04T17:00:00", "PT5H20M0S")]
    )  # fmt: skip
    data = f"""<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project"><Name>Seconds</Name><StartDate>2027-01-04T08:00:00</StartDate>
<Tasks><Task><UID>1</UID><Name>a</Name><OutlineLevel>1</OutlineLevel><Start>2027-01-04T08:00:00</Start>
<Duration>PT8H0M0S</Duration><DurationFormat>7</DurationFormat></Task></Tasks>
<Resources><Resource><UID>1</UID><Name>Crew</Name><Type>1</Type></Resource></Resources>
<Assignments><Assignment><UID>1</UID><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID><Units>1</Units>
<Work>PT8H0M0S</Work><WorkContour>8</WorkContour>{periods}</Assignment></Assignments></Project>""".encode()
    back = to_plan(read_mspdi(data))
    assert back.tasks[0].splits == []
    assert schedule_plan(back, MONDAY.date()).tasks[back.tasks[0].id].finish == datetime(2027, 1, 4, 17)


def test_a_task_of_another_project_keeps_the_dates_its_project_gave_it() -> None:
    """A cross-project link's predecessor (`<ExternalTask>1</ExternalTask>`) is a placeholder: its dates
    come from its own project, and its successors here follow them."""
    data = """<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project"><Name>Linked</Name><StartDate>2027-01-04T08:00:00</StartDate>
<Tasks><Task><UID>1</UID><Name>Their delivery</Name><OutlineLevel>1</OutlineLevel>
<ExternalTask>1</ExternalTask><Start>2027-01-06T08:00:00</Start><Finish>2027-01-07T17:00:00</Finish><Duration>PT16H0M0S</Duration></Task>
<Task><UID>2</UID><Name>Our work</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>
<PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type></PredecessorLink></Task></Tasks></Project>"""
    back = to_plan(read_mspdi(data.encode()))
    s = schedule_plan(back, MONDAY.date())
    dates = {t.name: (t.start, t.finish) for t in s.tasks.values()}
    assert dates["Their delivery"] == (datetime(2027, 1, 6, 8), datetime(2027, 1, 7, 17))
    assert dates["Our work"] == (datetime(2027, 1, 8, 8), datetime(2027, 1, 8, 17))


def test_a_percent_lag_is_that_part_of_the_predecessors_duration() -> None:
    """LagFormat 19 (%) keeps the percentage itself in LinkLag (Software Development Plan.mpp of
    Aspose.Tasks' examples: -75% after 15 days of coding starts the testing 11.25 days before it ends)."""

    def task(uid: int, days: int, link: str = "") -> str:
        return (f"<Task><UID>{uid}</UID><Name>{uid}</Name><OutlineLevel>1</OutlineLevel><Duration>"
                f"PT{days * 8}H0M0S</Duration><DurationFormat>7</DurationFormat>{link}</Task>")  # fmt: skip

    dates = {}
    for fmt in ("19", "20"):
        link = ("<PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type><LinkLag>-75</LinkLag>"
                f"<LagFormat>{fmt}</LagFormat></PredecessorLink>")  # fmt: skip
        data = f"""<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project"><Name>Lagged</Name><StartDate>2027-01-04T08:00:00</StartDate>
<MinutesPerDay>480</MinutesPerDay><Tasks>{task(1, 15)}{task(2, 1, link)}</Tasks></Project>"""
        back = to_plan(read_mspdi(data.encode()))
        s = schedule_plan(back, MONDAY.date())
        dates[fmt] = {t.name: t.start for t in s.tasks.values()}
    # 1 ends Friday 22 January 17:00; 11.25 working days before: Thursday 7 January 15:00
    assert dates["19"] == {"1": MONDAY, "2": datetime(2027, 1, 7, 15)}
    # e%: 11.25 elapsed days (24 hours each) before Friday 17:00: Monday 11 January 11:00
    assert dates["20"] == {"1": MONDAY, "2": datetime(2027, 1, 11, 11)}


@pytest.mark.skipif(not mpxj_oracle.available(), reason="MPXJ oracle not installed")
def test_a_cross_project_predecessor_in_a_project_file_is_kept() -> None:
    """An .mpp keeps a cross-project link's predecessor with its dates (WorkingWithTaskLinks/Original.mpp
    of Aspose.Tasks' examples); MPXJ's MSPDI writer leaves it out as Project's XML does: its successor must
    still wait for it."""
    mpxj_oracle._jvm()
    import org.mpxj as m

    from prometheus.formats.mpxj_import import from_project

    project = m.ProjectFile()
    project.getProjectConfig().setAutoTaskUniqueID(True)
    project.setDefaultCalendar(project.addDefaultBaseCalendar())
    project.getProjectProperties().setStartDate(_ldt(MONDAY))
    theirs = project.addTask()
    theirs.setName("Their delivery")
    theirs.setExternalTask(True)
    theirs.setDuration(m.Duration.getInstance(2, m.TimeUnit.DAYS))
    theirs.setStart(_ldt(datetime(2027, 1, 6, 8)))
    theirs.setFinish(_ldt(datetime(2027, 1, 7, 17)))
    ours = project.addTask()
    ours.setName("Our work")
    ours.setDuration(m.Duration.getInstance(1, m.TimeUnit.DAYS))
    ours.addPredecessor(m.Relation.Builder().predecessorTask(theirs).type(m.RelationType.FINISH_START))
    back = to_plan(from_project(project, "Linked"))
    s = schedule_plan(back, MONDAY.date())
    dates = {t.name: (t.start, t.finish) for t in s.tasks.values()}
    assert dates["Their delivery"] == (datetime(2027, 1, 6, 8), datetime(2027, 1, 7, 17))
    assert dates["Our work"] == (datetime(2027, 1, 8, 8), datetime(2027, 1, 8, 17))
