"""Assignments as Microsoft Project keeps them: each with its own work, delay and work contour, the task's
span being the last of them to finish; read from and written to MSPDI (and through MPXJ), kept by the API."""

from __future__ import annotations

import re

import httpx
import pytest

from prometheus.core.documents import DocAssignment, DocPlan, DocResource, DocTask, PlanDocument
from prometheus.core.model import Assignment
from prometheus.core.task_types import assignment_hours, assignments_span
from prometheus.formats.mspdi import read_mspdi, write_mspdi
from tests import mpxj_oracle
from tests.conftest import add_task


def test_an_assignment_ends_after_its_delay_and_its_stretched_work() -> None:
    def a(**k) -> Assignment:  # noqa: ANN003
        return Assignment(resource_id="r", **k)

    assert assignment_hours(a(work=16)) == 16
    assert assignment_hours(a(work=16, units=0.5, delay=4)) == 36
    assert assignment_hours(a(work=8, contour="bell")) == 16  # half the units on average: twice as long
    assert assignment_hours(a(work=6, contour="front_loaded")) == pytest.approx(10)
    assert assignment_hours(a(work=7, contour="turtle")) == pytest.approx(10)
    assert assignment_hours(a(work=8, contour="contoured")) is None  # drawn by hand: the file's dates tell
    assert assignment_hours(a()) is None
    assert assignments_span([a(work=16), a(work=8, delay=8, contour="bell")]) == 24
    assert assignments_span([a(work=16), a()]) is None


def _document(duration: float, task_type: str = "fixed_units") -> PlanDocument:
    return PlanDocument(
        plan=DocPlan(name="spans"),
        resources=[DocResource(key="ann", name="Ann"), DocResource(key="bob", name="Bob")],
        tasks=[
            DocTask(
                key="t", name="Shared", duration=duration, task_type=task_type,
                assignments=[DocAssignment(resource="ann", work=16),
                             DocAssignment(resource="bob", work=8, delay=8, contour="bell")],
            )
        ],
    )  # fmt: skip


def test_mspdi_keeps_assignments_and_their_span() -> None:
    data = write_mspdi(_document(3), None)  # 3 days: Bob's 8 hours after a day, stretched by his bell
    text = data.decode()
    assert "<Delay>4800</Delay>" in text and "<WorkContour>6</WorkContour>" in text
    back = read_mspdi(data).tasks[0]
    assert back.duration == 3 and back.duration_unit == "days"
    assert [(a.work, a.delay, a.contour) for a in back.assignments] == [(16, 0, "flat"), (8, 8, "bell")]
    stored = re.sub(r"<Duration>PT24H0M0S</Duration>", "<Duration>PT8H0M0S</Duration>", text).encode()
    assert read_mspdi(stored).tasks[0].duration == 1  # the duration Project stored decides
    bare = re.sub(r"<Duration>PT24H0M0S</Duration>", "", text).encode()
    assert read_mspdi(bare).tasks[0].duration == 3  # without one, the assignments' span
    idle = text.replace("<Units>1</Units>", "<Units>0</Units>", 1).encode()  # Ann at no units: no work
    assert [a.resource for a in read_mspdi(idle).tasks[0].assignments] == ["r2"]
    fixed = write_mspdi(_document(1, "fixed_duration"), None)
    assert read_mspdi(fixed).tasks[0].duration == 1  # a fixed duration stays


def test_assignments_that_do_not_make_the_span_are_written_as_the_task_says() -> None:
    text = write_mspdi(_document(5), None).decode()  # the duration was changed after the import
    assert "<Delay>" not in text and "<WorkContour>" not in text
    assert re.findall(r"<Assignment>.*?<Work>(.*?)</Work>", text, re.S) == ["PT40H0M0S", "PT40H0M0S"]
    assert read_mspdi(text.encode()).tasks[0].duration == 5


@pytest.mark.skipif(not mpxj_oracle.available(), reason="needs mpxj and Java")
def test_mpxj_reads_delay_and_contour_and_its_import_keeps_them(tmp_path) -> None:  # noqa: ANN001
    data = write_mspdi(_document(3), None)
    mpxj_oracle._jvm()
    from org.mpxj.reader import UniversalProjectReader

    path = tmp_path / "spans.xml"
    path.write_bytes(data)
    project = UniversalProjectReader().read(str(path))
    bob = [a for a in project.getResourceAssignments() if str(a.getResource().getName()) == "Bob"][0]
    assert (str(bob.getDelay()), str(bob.getWorkContour())) == ("480.0m", "BELL")  # 8 hours

    from prometheus.formats.mpxj_import import read_with_mpxj

    back = read_with_mpxj(data, "again").tasks[0]
    assert back.duration == 3
    assert [(a.work, a.delay, a.contour) for a in back.assignments] == [(16, 0, "flat"), (8, 8, "bell")]


def test_the_api_keeps_an_assignments_work_delay_and_contour(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    ann = api.post(f"/plans/{pid}/resources", json={"name": "Ann"}).json()["data"]["id"]
    plain = add_task(api, pid, "Plain", assignments=[{"resource_id": ann}])
    assert plain["assignments"] == [{"resource_id": ann, "units": 1.0}]  # only what is set is shown
    shaped = {"resource_id": ann, "units": 0.5, "work": 7.0, "delay": 4.0, "contour": "turtle"}
    t = add_task(api, pid, "Shaped", assignments=[shaped])
    assert t["assignments"] == [shaped]
    assert (t["duration"], t["duration_unit"], t["work"]) == (24, "hours", 7)  # 4 h, then 7 h at 50%, turtle
    assert api.get(f"/plans/{pid}/tasks/{t['id']}").json()["data"]["assignments"] == [shaped]
    work = {x["name"]: x["work_hours"] for x in api.get(f"/plans/{pid}/costs").json()["data"]["tasks"]}
    assert work == {"Plain": 8, "Shaped": 7}  # an assignment's own work counts as it is
    bad = api.patch(f"/plans/{pid}/tasks/{t['id']}", json={"assignments": [shaped | {"contour": "zigzag"}]})
    assert bad.status_code == 422
    doc = api.get(f"/plans/{pid}/export", params={"format": "json"}).json()
    assert doc["tasks"][1]["assignments"][0]["contour"] == "turtle"
    back = api.post("/plans/import", params={"format": "json"}, json=doc)
    assert back.status_code == 201, back.text
    again = {x["name"]: x for x in api.get(f"/plans/{back.json()['data']['id']}").json()["data"]["tasks"]}
    assert [{k: v for k, v in a.items() if k != "resource_id"} for a in again["Shaped"]["assignments"]] == [
        {"units": 0.5, "work": 7.0, "delay": 4.0, "contour": "turtle"}
    ]
