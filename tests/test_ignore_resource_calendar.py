"""A task's ignore_resource_calendar: with its own calendar, Microsoft Project schedules the task in the time
both its calendar and its resources' work, unless "scheduling ignores resource calendars" is on (the file's
IgnoreResourceCalendar); then the task works its own calendar alone."""

from __future__ import annotations

import re
from datetime import datetime, time

import httpx
import pytest
from lxml import etree

from prometheus.core.documents import DocAssignment, DocPlan, DocResource, DocTask, PlanDocument
from prometheus.core.model import Assignment, Calendar, Resource, Task
from prometheus.core.scheduler import schedule
from prometheus.formats.mpxj_import import read_with_mpxj
from prometheus.formats.mspdi import read_mspdi, write_mspdi
from prometheus.formats.mspdi_values import NS
from tests import mpxj_oracle
from tests.conftest import BACKENDS
from tests.test_persistence import upgraded

START = datetime(2027, 1, 4, 8)  # a Monday
OWN = Calendar(name="Early", working_days=[0, 1, 2, 3, 4, 5], working_hours=[(time(6), time(14))])
LATE = Calendar(name="Late", working_hours=[(time(10), time(18))])  # Mon-Fri 10:00-18:00
# 8 hours from Mon 08:00: in the time both work (10:00-14:00), Mon 10:00 to Tue 14:00; on the task's own
# calendar alone (06:00-14:00), Mon 08:00-14:00 and Tue 06:00-08:00
BOTH = ("2027-01-04T10:00:00", "2027-01-05T14:00:00")
ALONE = ("2027-01-04T08:00:00", "2027-01-05T08:00:00")


def _dates(ignore: bool) -> tuple[str, str]:
    crew = Resource(id="r", plan_id="p", name="Late crew", calendar=LATE)
    task = Task(id="a", plan_id="p", name="a", duration=8, duration_unit="hours", calendar=OWN,
                ignore_resource_calendar=ignore, assignments=[Assignment(resource_id="r")])  # fmt: skip
    s = schedule([task], [], start=START, resources=[crew]).tasks["a"]
    return s.start.isoformat(), s.finish.isoformat()


def test_the_flag_makes_the_task_work_its_own_calendar_alone() -> None:
    assert _dates(False) == BOTH
    assert _dates(True) == ALONE


def test_without_a_task_calendar_the_flag_does_nothing() -> None:
    crew = Resource(id="r", plan_id="p", name="Late crew", calendar=LATE)
    runs = []
    for ignore in (False, True):
        task = Task(id="a", plan_id="p", name="a", duration=4, duration_unit="hours",
                    ignore_resource_calendar=ignore, assignments=[Assignment(resource_id="r")])  # fmt: skip
        s = schedule([task], [], start=START, resources=[crew]).tasks["a"]
        runs.append((s.start, s.finish))
    assert runs == [(datetime(2027, 1, 4, 10), datetime(2027, 1, 4, 14))] * 2  # the crew's calendar


def _document(ignore: bool) -> PlanDocument:
    return PlanDocument(
        plan=DocPlan(name="ignores", start_date=START.date()),
        resources=[DocResource(key="r", name="Late crew", calendar=LATE)],
        tasks=[
            DocTask(
                key="a",
                name="a",
                duration=8,
                duration_unit="hours",
                calendar=OWN,
                ignore_resource_calendar=ignore,
                assignments=[DocAssignment(resource="r")],
            )  # fmt: skip
        ],
    )


def _timeline(api: httpx.Client, pid: str) -> tuple[str, str]:
    (row,) = api.get(f"/plans/{pid}/timeline").json()["data"]["tasks"]
    return row["start"][:19], row["finish"][:19]


def _task(api: httpx.Client, pid: str) -> dict:
    (task,) = api.get(f"/plans/{pid}/tasks").json()["data"]
    return task


@pytest.mark.parametrize("ignore", [False, True])
def test_mspdi_keeps_the_flag(ignore: bool) -> None:
    data = write_mspdi(_document(ignore), None)
    task = etree.fromstring(data).find(f"{{{NS}}}Tasks/{{{NS}}}Task")
    names = [etree.QName(e).localname for e in task]
    assert ("IgnoreResourceCalendar" in names) is ignore
    if ignore:
        assert task.findtext(f"{{{NS}}}IgnoreResourceCalendar") == "1"
        assert names.index("IgnoreResourceCalendar") > names.index("CalendarUID")
    assert read_mspdi(data).tasks[0].ignore_resource_calendar is ignore
    if mpxj_oracle.available():  # MPXJ reads the flag, and writes it back (so .mpp files bring theirs)
        assert read_with_mpxj(data, None).tasks[0].ignore_resource_calendar is ignore


def test_an_mspdi_file_imported_over_the_api(api: httpx.Client) -> None:
    flagged = write_mspdi(_document(True), None)
    plain = re.sub(rb"\s*<IgnoreResourceCalendar>1</IgnoreResourceCalendar>", b"", flagged)
    assert plain != flagged
    for data, want in ((plain, BOTH), (flagged, ALONE)):
        r = api.post("/plans/import", params={"format": "mspdi", "include": "plan"}, content=data)
        assert r.status_code == 201, r.text
        pid = r.json()["data"]["id"]
        assert _task(api, pid)["ignore_resource_calendar"] is (want == ALONE)
        assert _timeline(api, pid) == want


def test_json_export_and_import_keep_the_flag(api: httpx.Client) -> None:
    r = api.post("/plans/import", params={"format": "json", "include": "plan"},
                 json=_document(True).model_dump(mode="json"))  # fmt: skip
    assert r.status_code == 201, r.text
    exported = api.get(f"/plans/{r.json()['data']['id']}/export", params={"format": "json"}).json()
    assert exported["tasks"][0]["ignore_resource_calendar"] is True
    back = api.post("/plans/import", params={"format": "json", "include": "plan"}, json=exported)
    assert back.status_code == 201, back.text
    assert _task(api, back.json()["data"]["id"])["ignore_resource_calendar"] is True
    assert _timeline(api, back.json()["data"]["id"]) == ALONE
    del exported["tasks"][0]["ignore_resource_calendar"]  # an export made before the flag: the time both work
    old = api.post("/plans/import", params={"format": "json", "include": "plan"}, json=exported)
    assert _timeline(api, old.json()["data"]["id"]) == BOTH


def test_patching_the_flag_moves_the_task(api: httpx.Client) -> None:
    pid = api.post("/plans", json={"name": "patched", "start_date": str(START.date())}).json()["data"]["id"]
    body = {"name": "Late crew", "calendar": LATE.model_dump(mode="json")}
    rid = api.post(f"/plans/{pid}/resources", json=body).json()["data"]["id"]
    sent = {"name": "a", "duration": 8, "duration_unit": "hours", "calendar": OWN.model_dump(mode="json"),
            "assigned_resources": [rid]}  # fmt: skip
    r = api.post(f"/plans/{pid}/tasks", json=sent)
    assert r.status_code == 201 and r.json()["data"]["ignore_resource_calendar"] is False
    tid = r.json()["data"]["id"]
    assert _timeline(api, pid) == BOTH
    patched = api.patch(f"/plans/{pid}/tasks/{tid}", json={"ignore_resource_calendar": True})
    assert patched.status_code == 200 and patched.json()["data"]["ignore_resource_calendar"] is True
    assert _timeline(api, pid) == ALONE
    assert api.patch(f"/plans/{pid}/tasks/{tid}", json={"ignore_resource_calendar": None}).status_code == 422
    assert api.patch(f"/plans/{pid}/tasks/{tid}", json={"ignore_resource_calendar": False}).status_code == 200
    assert _timeline(api, pid) == BOTH


@pytest.mark.parametrize("which", BACKENDS)
def test_tasks_stored_before_keep_the_time_both_work(which: str, make_database_url) -> None:
    task = {"id": "t", "plan_id": "p", "position": 1, "parent_id": None, "tags": [], "status": "pending",
            "duration_unit": "days", "priority": "medium"}  # fmt: skip
    plan = {"id": "p", "tags": [], "status": "active"}
    db = upgraded(make_database_url(which), "0018", {"plans": [plan], "tasks": [task]})
    with db.store() as store:
        assert store.get_task("p", "t").ignore_resource_calendar is False
    db.dispose()
