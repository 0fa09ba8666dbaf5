"""An assignment's remaining work: a task under way one of whose resources has finished its part (remaining
work 0) does the rest of its work on the calendars of the resources with work left, as Microsoft Project
does (found in Aspose.Tasks' example files: a night shift's rest ran on its union with a finished day
shift's time)."""

from __future__ import annotations

from datetime import datetime, time

import httpx
import pytest
from lxml import etree

from prometheus.core.model import Assignment, Calendar, Plan, Resource, Task
from prometheus.core.scheduler import schedule
from prometheus.formats.document import to_document
from prometheus.formats.mspdi import read_mspdi, write_mspdi
from prometheus.formats.mspdi_values import NS
from tests import mpxj_oracle
from tests.conftest import BACKENDS
from tests.mspdi_files import ours
from tests.test_persistence import upgraded

MONDAY = datetime(2027, 1, 4, 8)
TUESDAY = datetime(2027, 1, 5, 8)
NIGHT = Calendar(name="Night", working_days=[0, 1, 2, 3, 4, 5, 6], working_hours=[(time(22), time(0))])
needs_mpxj = pytest.mark.skipif(not mpxj_oracle.available(), reason="MPXJ oracle not installed")


def _project_file(day_left: float, night_left: float) -> tuple[bytes, datetime]:
    """A file as Project keeps it, built in MPXJ and written by MPXJ's writer: a 16-hour task started on
    Monday 08:00 by a day person (8 h of work, on the project's calendar) and a night crew (16 h, 23:00 to
    08:00 with an hour off at 03:00), stopped and resumed at Tuesday 08:00, each assignment with the work
    it has left; and the task's finish as MPXJ's MicrosoftScheduler gives it."""
    from tests import mspdi_files as mf

    m = mf._j()  # starts the JVM
    from java.lang import Double

    file = m.ProjectFile()
    cal = file.addDefaultBaseCalendar()
    file.setDefaultCalendar(cal)
    start = mpxj_oracle._ldt(MONDAY)
    file.getProjectProperties().setStartDate(start)
    day, night = file.addResource(), file.addResource()
    day.setName("Day")
    plain = file.addDefaultDerivedCalendar()
    plain.setParent(cal)
    plain.setName("Plain")
    day.setCalendar(plain)
    night.setName("Night crew")
    shift = file.addCalendar()
    shift.setName("Night")
    mf._week(shift, mf.NIGHT)
    night.setCalendar(shift)
    task = file.addTask()
    task.setName("T")

    def hours(h: float):  # noqa: ANN202
        return m.Duration.getInstance(float(h), m.TimeUnit.HOURS)

    task.setDuration(hours(16))  # Project's: the longest assignment's work at its units
    for res, work, left in ((day, 8, day_left), (night, 16, night_left)):
        a = task.addResourceAssignment(res)
        a.setUnits(Double(100.0))
        a.setWork(hours(work))
        a.setActualWork(hours(work - left))
        a.setRemainingWork(hours(left))
    task.setActualStart(start)
    task.setPercentageComplete(Double(50.0))
    task.setActualDuration(hours(8))
    task.setRemainingDuration(hours(8))
    task.setStop(mpxj_oracle._ldt(TUESDAY))
    task.setResume(mpxj_oracle._ldt(TUESDAY))
    made = mf._written_and_scheduled(type("Built", (), {"file": file, "used": set()})(), start)
    return made.xml, made.expected["T"][1]


@needs_mpxj
def test_a_finished_day_shift_leaves_the_rest_to_the_night_shift() -> None:
    """The day person finished on Monday, the night crew has 8 h left from Tuesday 08:00: Project (and MPXJ)
    has it work them Tuesday night, to Wednesday 08:00; on the time of both, Tuesday 08:00-17:00."""
    data, theirs = _project_file(day_left=0, night_left=8)
    assert theirs == datetime(2027, 1, 6, 8)
    assert [a.remaining_work for a in read_mspdi(data).tasks[0].assignments] == [0.0, 8.0]
    assert ours(data)[0]["T"][1] == theirs


@needs_mpxj
def test_with_work_left_on_both_the_task_works_their_time_together() -> None:
    """Both with work left, the task still works the time of both (as before: the rest Tuesday 08:00-17:00,
    what both say here); a task not under way reads no remaining work."""
    data, _ = _project_file(day_left=4, night_left=8)
    assert [a.remaining_work for a in read_mspdi(data).tasks[0].assignments] == [4.0, 8.0]
    assert ours(data)[0]["T"][1] == datetime(2027, 1, 5, 17)
    pending = data.replace(b"<ActualStart>2027-01-04T08:00:00</ActualStart>", b"")
    assert pending != data
    assert [a.remaining_work for a in read_mspdi(pending).tasks[0].assignments] == [None, None]


def _started(left: tuple[float | None, float | None]) -> tuple[Task, list[Resource]]:
    """A 4-hour task of a day person and a night crew (22:00-24:00), half done from Monday 08:00, its
    remaining 2 hours resumed at Tuesday 08:00; its assignments with the work they have `left`."""
    people = [
        Resource(id="d", plan_id="p", name="Day"),
        Resource(id="n", plan_id="p", name="Night", calendar=NIGHT),
    ]
    both = [Assignment(resource_id=r.id, remaining_work=x) for r, x in zip(people, left, strict=True)]
    task = Task(id="a", plan_id="p", name="a", duration=4, duration_unit="hours", assignments=both,
                status="in_progress", actual_start=MONDAY, percent_complete=50, remaining_duration=2,
                resume=TUESDAY)  # fmt: skip
    return task, people


@pytest.mark.parametrize(
    ("left", "finish"),
    [
        ((0, 2), datetime(2027, 1, 6, 0)),  # the night crew alone: Tuesday 22:00-24:00
        ((2, 0), datetime(2027, 1, 5, 10)),  # the day person alone: Tuesday 08:00-10:00
        ((None, None), datetime(2027, 1, 5, 10)),  # none says: the time of both, as before
        ((0, 0), datetime(2027, 1, 5, 10)),  # all say none is left: the time of both
        ((None, 2), datetime(2027, 1, 5, 10)),  # the day person not said finished
    ],
)
def test_the_rest_runs_on_the_calendars_of_the_resources_with_work_left(
    left: tuple, finish: datetime
) -> None:
    task, people = _started(left)
    assert schedule([task], [], start=MONDAY, resources=people).tasks["a"].finish == finish


def test_a_task_not_under_way_is_unchanged() -> None:
    task, people = _started((0, 2))
    pending = task.model_copy(update={"status": "pending", "actual_start": None, "resume": None,
                                      "percent_complete": 0, "remaining_duration": None})  # fmt: skip
    plain = pending.model_copy(update={"assignments": [Assignment(resource_id=r.id) for r in people]})
    s = schedule([pending, plain.model_copy(update={"id": "b"})], [], start=MONDAY, resources=people)
    assert s.tasks["a"].finish == s.tasks["b"].finish


def test_mspdi_keeps_the_work_left_of_a_task_under_way() -> None:
    """Written, each assignment's RemainingWork is its work left, its ActualWork the rest of its work."""
    task, people = _started((0, 2))
    plan = Plan(id="p", name="p", start_date=MONDAY.date(), tasks=[task], resources=people)
    data = write_mspdi(to_document(plan), None)
    rows = etree.fromstring(data).findall(f"{{{NS}}}Assignments/{{{NS}}}Assignment")
    got = [[a.findtext(f"{{{NS}}}{k}") for k in ("Work", "ActualWork", "RemainingWork")] for a in rows]
    assert got == [["PT4H0M0S", "PT4H0M0S", "PT0H0M0S"], ["PT4H0M0S", "PT2H0M0S", "PT2H0M0S"]]
    assert [a.remaining_work for a in read_mspdi(data).tasks[0].assignments] == [0.0, 2.0]


def _timeline(api: httpx.Client, pid: str) -> str:
    (row,) = api.get(f"/plans/{pid}/timeline").json()["data"]["tasks"]
    return row["finish"][:16]


def test_patching_the_work_left_moves_the_task(api: httpx.Client) -> None:
    """Through the API (SQLite and PostgreSQL): assignments patched with their work left move the finish,
    the answer shows it, JSON and MSPDI exports keep it."""
    r = api.post("/plans", json={"name": "shifts", "start_date": str(MONDAY.date())})
    pid = r.json()["data"]["id"]
    day = api.post(f"/plans/{pid}/resources", json={"name": "Day"}).json()["data"]["id"]
    crew = {"name": "Night", "calendar": NIGHT.model_dump(mode="json")}
    night = api.post(f"/plans/{pid}/resources", json=crew).json()["data"]["id"]
    sent = {"name": "a", "duration": 4, "duration_unit": "hours", "assigned_resources": [day, night]}
    r = api.post(f"/plans/{pid}/tasks", json=sent)
    assert r.status_code == 201, r.text
    tid = r.json()["data"]["id"]
    assert "remaining_work" not in r.json()["data"]["assignments"][0]
    progress = {"actual_start": MONDAY.isoformat(), "percent_complete": 50, "remaining_duration": 2,
                "resume": TUESDAY.isoformat()}  # fmt: skip
    r = api.put(f"/plans/{pid}/tasks/{tid}/progress", json=progress)
    assert r.status_code == 200, r.text
    assert _timeline(api, pid) == "2027-01-05T10:00"  # the time of both
    left = [{"resource_id": day, "remaining_work": 0}, {"resource_id": night, "remaining_work": 2}]
    r = api.patch(f"/plans/{pid}/tasks/{tid}", json={"assignments": left})
    assert r.status_code == 200, r.text
    assert [a.get("remaining_work") for a in r.json()["data"]["assignments"]] == [0, 2]
    assert _timeline(api, pid) == "2027-01-06T00:00"  # the night crew's
    exported = api.get(f"/plans/{pid}/export", params={"format": "json"}).json()
    assert [a["remaining_work"] for a in exported["tasks"][0]["assignments"]] == [0, 2]
    for fmt, body in (("json", {"json": exported}), ("mspdi", {"content": _mspdi(api, pid)})):
        back = api.post("/plans/import", params={"format": fmt, "include": "plan"}, **body)
        assert back.status_code == 201, back.text
        assert _timeline(api, back.json()["data"]["id"]) == "2027-01-06T00:00", fmt
    r = api.patch(
        f"/plans/{pid}/tasks/{tid}", json={"assignments": [{"resource_id": day}, {"resource_id": night}]}
    )
    assert "remaining_work" not in r.json()["data"]["assignments"][0]
    assert _timeline(api, pid) == "2027-01-05T10:00"


def _mspdi(api: httpx.Client, pid: str) -> bytes:
    r = api.get(f"/plans/{pid}/export", params={"format": "mspdi"})
    assert r.status_code == 200, r.text
    return r.content


@pytest.mark.parametrize("which", BACKENDS)
def test_assignments_stored_before_track_no_remaining_work(which: str, make_database_url) -> None:  # noqa: ANN001
    rows = {
        "plans": [{"id": "p"}],
        "tasks": [{"id": "t", "plan_id": "p", "position": 1, "parent_id": None, "tags": [],
                   "status": "in_progress", "duration_unit": "days", "priority": "medium"}],
        "resources": [{"id": "r", "plan_id": "p", "name": "Ana"}],
        "assignments": [{"task_id": "t", "resource_id": "r", "units": 1.0}],
    }  # fmt: skip
    db = upgraded(make_database_url(which), "0020", rows)
    with db.store() as store:
        (a,) = store.get_task("p", "t").assignments
    db.dispose()
    assert a.remaining_work is None and "remaining_work" not in a.model_dump()
