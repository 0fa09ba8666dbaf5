"""Microsoft Project XML written by other programs (generators, exporters), which Project opens: durations
in any ISO 8601 form, tasks with dates but no Duration, no project start date."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from prometheus.core.analysis import schedule_plan
from prometheus.errors import ValidationFailed
from prometheus.formats.registry import detect, read_plan

HEAD = '<?xml version="1.0"?><Project xmlns="http://schemas.microsoft.com/project">'
TODAY = date(2027, 6, 1)  # the day the tests pretend it is: no file here starts from it


def _task(uid: int, name: str, fields: str = "", after: int | None = None) -> str:
    link = f"<PredecessorLink><PredecessorUID>{after}</PredecessorUID><Type>1</Type></PredecessorLink>"
    return f"<Task><UID>{uid}</UID><Name>{name}</Name>{fields}{link if after else ''}</Task>"


def _dates(xml: str) -> dict[str, tuple[datetime, datetime]]:
    plan = read_plan(xml.encode(), "plan.xml")
    s = schedule_plan(plan, TODAY)
    return {t.name: (s.tasks[t.id].start, s.tasks[t.id].finish) for t in plan.tasks}


def test_durations_in_any_iso_form() -> None:
    """Project writes PT8H0M0S; others write PT8H, P2D, P1W, P1DT4H30M: days and weeks of work, by the
    file's minutes per day and week (MPXJ reads them so)."""
    tasks = "".join(
        _task(n, name, f"<Duration>{value}</Duration>", after=n - 1 if n > 1 else None)
        for n, (name, value) in enumerate(
            [("hours", "PT8H"), ("days", "P2D"), ("week", "P1W"), ("mixed", "P1DT4H30M")], start=1
        )
    )
    head = f"{HEAD}<StartDate>2027-01-04T08:00:00</StartDate><MinutesPerDay>480</MinutesPerDay>"
    xml = f"{head}<Tasks>{tasks}</Tasks></Project>"
    got = _dates(xml)
    assert got["hours"] == (datetime(2027, 1, 4, 8), datetime(2027, 1, 4, 17))
    assert got["days"] == (datetime(2027, 1, 5, 8), datetime(2027, 1, 6, 17))
    assert got["week"] == (datetime(2027, 1, 7, 8), datetime(2027, 1, 13, 17))
    assert got["mixed"] == (datetime(2027, 1, 14, 8), datetime(2027, 1, 15, 13, 30))
    short = xml.replace("<MinutesPerDay>480</MinutesPerDay>", "<MinutesPerDay>240</MinutesPerDay>")
    plan = read_plan(short.encode(), "plan.xml")
    days = next(t for t in plan.tasks if t.name == "days")
    assert days.duration * {"days": 240, "hours": 60}[days.duration_unit.value] == 480  # 2 days of 4 hours
    for bad in ("P", "PT", "P2X", "8 hours"):
        with pytest.raises(ValidationFailed, match="duration"):
            read_plan(xml.replace("PT8H", bad).encode(), "plan.xml")


def test_tasks_with_dates_and_no_duration_keep_their_dates() -> None:
    """Without a Duration a task lasts the working time between its Start and Finish (a Finish without a
    time is the end of that day); without the project's StartDate the plan starts at the earliest Start."""
    tasks = (
        _task(1, "Design", "<Start>2027-01-04T08:00:00</Start><Finish>2027-01-08T17:00:00</Finish>")
        + _task(2, "Build", "<Start>2027-01-11T08:00:00</Start><Finish>2027-01-12T12:00:00</Finish>", after=1)
        + _task(3, "Dated", "<Start>2027-01-04</Start><Finish>2027-01-05</Finish>")
        + _task(4, "Done", "<Milestone>1</Milestone><Start>2027-01-12T12:00:00</Start>", after=2)
    )
    got = _dates(f"{HEAD}<Tasks>{tasks}</Tasks></Project>")
    assert got["Design"] == (datetime(2027, 1, 4, 8), datetime(2027, 1, 8, 17))
    assert got["Build"] == (datetime(2027, 1, 11, 8), datetime(2027, 1, 12, 12))
    assert got["Dated"] == (datetime(2027, 1, 4, 8), datetime(2027, 1, 5, 17))  # two whole days
    assert got["Done"][0] == datetime(2027, 1, 12, 12)  # a milestone: at Build's finish


def test_a_file_without_the_namespace_is_read_as_project_xml() -> None:
    """`<Project>` without Project's namespace (a generator's `Element("Project")`): the same plan."""
    tasks = _task(1, "Design", "<Duration>PT16H0M0S</Duration>")
    tasks += _task(2, "Build", "<Duration>P1D</Duration>", after=1)
    body = f"<StartDate>2027-01-04T08:00:00</StartDate><Tasks>{tasks}</Tasks></Project>"
    bare = f'<?xml version="1.0" encoding="UTF-8"?>\n<Project>\n  <Name>Bare</Name>{body}'
    assert detect("plan.xml", None, bare.encode()) == detect(None, None, bare.encode()) == "mspdi"
    assert _dates(bare) == _dates(f"{HEAD}{body}")
    assert _dates(bare)["Build"] == (datetime(2027, 1, 6, 8), datetime(2027, 1, 6, 17))
    assert detect("plan.xml", None, b"<project name='GanttProject'><tasks/></project>") == "mpxj"
