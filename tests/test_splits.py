"""Split tasks (Microsoft Project): a task's work pauses, and its span is its work plus its pauses in its own
working time, wherever its links move it. Dates checked by hand on the standard calendar (8-12, 13-17,
Monday to Friday), through the core, MSPDI (Project's timephased work, read back by MPXJ too) and the API."""

from __future__ import annotations

from datetime import date, datetime

import httpx
import pytest
from lxml import etree
from pydantic import ValidationError

from prometheus.core.documents import DocAssignment, DocLink, DocPlan, DocResource, DocTask, PlanDocument
from prometheus.core.model import Dependency, Task, TaskSplit
from prometheus.core.scheduler import schedule
from prometheus.core.splits import parts, split_span
from prometheus.formats.mspdi import read_mspdi, write_mspdi
from tests import mpxj_oracle
from tests.conftest import add_task, link

NS = {"p": "http://schemas.microsoft.com/project"}
MON = date(2026, 12, 7)
ANN = [DocAssignment(resource="r")]
PAUSE = [TaskSplit(at=8, hours=16)]  # work one day, pause two days, then the rest
TWO = [TaskSplit(at=4, hours=12), TaskSplit(at=24, hours=8)]


def task(i: str, d: float, **k) -> Task:  # noqa: ANN003
    return Task(id=i, plan_id="p", name=i, duration=d, **k)


def dep(a: str, b: str) -> Dependency:
    return Dependency(id=f"{a}{b}", plan_id="p", predecessor_id=a, successor_id=b)


def test_the_span_is_the_work_and_the_pauses_before_its_end() -> None:
    assert split_span(960, [(480, 960)]) == 1920
    assert split_span(480, [(480, 960)]) == 480  # the work is done when the pause would begin
    assert split_span(960, [(240, 60), (600, 120)]) == 1140
    assert parts(1920, [(480, 960)]) == [(0, 480), (1440, 1920)]
    assert parts(480, [(480, 960)]) == [(0, 480)]


def test_a_split_task_spans_its_pauses_and_keeps_them_when_moved() -> None:
    s = schedule([task("A", 2, splits=PAUSE), task("B", 1)], [dep("A", "B")], start=MON)
    a, b = s.tasks["A"], s.tasks["B"]
    assert (a.start, a.finish) == (datetime(2026, 12, 7, 8), datetime(2026, 12, 10, 17))  # Mon, Thu
    assert b.start == datetime(2026, 12, 11, 8)
    moved = schedule([task("P", 1), task("A", 2, splits=PAUSE)], [dep("P", "A")], start=MON).tasks["A"]
    assert (moved.start, moved.finish) == (datetime(2026, 12, 8, 8), datetime(2026, 12, 11, 17))  # Tue, Fri
    over_weekend = schedule([task("A", 2, splits=[TaskSplit(at=12, hours=8)])], [], start=MON).tasks["A"]
    assert over_weekend.finish == datetime(2026, 12, 9, 17)  # 1.5 d, a day's pause, then 0.5 d
    done = schedule([task("A", 1, splits=[TaskSplit(at=8, hours=8)])], [], start=MON).tasks["A"]
    assert done.finish == datetime(2026, 12, 7, 17)  # a pause after the work is no pause


def test_a_new_duration_keeps_the_pauses() -> None:
    from prometheus.core.scheduler import Network

    net = Network([task("A", 2, splits=PAUSE), task("B", 1)], [dep("A", "B")], start=MON)
    net.solve()
    after = net.set_duration("A", 3)
    assert after.tasks["A"].finish == datetime(2026, 12, 11, 17)  # Mon, pause Tue-Wed, Thu-Fri
    assert after.tasks["B"].start == datetime(2026, 12, 14, 8)


def test_a_started_task_stopped_and_resumed_counts_its_stop_once() -> None:
    started = {"actual_start": datetime(2026, 12, 7, 8), "percent_complete": 25, "status": "in_progress"}
    resumed = task("A", 4, resume=datetime(2026, 12, 10, 8), splits=[TaskSplit(at=8, hours=16)], **started)
    a = schedule([resumed], [], start=MON).tasks["A"]
    assert a.finish == datetime(2026, 12, 14, 17)  # 1 day done, stopped Tue-Wed, 3 days from Thursday
    later = task("A", 4, splits=[TaskSplit(at=8, hours=16), TaskSplit(at=40, hours=8)], **started)
    b = schedule([later.model_copy(update={"resume": datetime(2026, 12, 10, 8)})], [], start=MON).tasks["A"]
    assert b.finish == datetime(2026, 12, 15, 17)  # and a later pause still counts


@pytest.mark.parametrize(
    "splits",
    [
        [{"at": 8, "hours": 8}, {"at": 12, "hours": 8}],  # overlapping
        [{"at": 8, "hours": 8}, {"at": 16, "hours": 8}],  # no work between
        [{"at": -1, "hours": 8}],
        [{"at": 8, "hours": 0}],
    ],
)
def test_bad_splits_are_refused(splits: list) -> None:
    with pytest.raises(ValidationError):
        DocTask(key="a", name="a", splits=splits)


def _document() -> PlanDocument:
    return PlanDocument(
        plan=DocPlan(name="splits", start_date=MON),
        resources=[DocResource(key="r", name="Ann")],
        tasks=[
            DocTask(key="a", name="Alone", duration=2, splits=PAUSE),
            DocTask(key="b", name="Staffed", duration=3, splits=TWO, assignments=ANN),
            DocTask(key="c", name="After", duration=1),
        ],
        dependencies=[DocLink(predecessor="a", successor="c")],
    )


def _schedule(doc: PlanDocument):  # noqa: ANN202
    tasks = [
        task(
            t.key,
            t.duration,
            splits=t.splits,
            assignments=[{"resource_id": a.resource} for a in t.assignments],
        )
        for t in doc.tasks
    ]
    return schedule(tasks, [dep(d.predecessor, d.successor) for d in doc.dependencies], start=MON)


def test_mspdi_keeps_splits_as_project_writes_them() -> None:
    doc = _document()
    s = _schedule(doc)
    assert s.tasks["b"].finish == datetime(2026, 12, 14, 12)  # 3 d of work, 1.5 d + 1 d of pauses
    data = write_mspdi(doc, s)
    root = etree.fromstring(data)
    alone = root.xpath("//p:Assignment[p:TaskUID='1']", namespaces=NS)
    assert [a.findtext("p:ResourceUID", namespaces=NS) for a in alone] == ["-65535"]
    days = [(x.findtext("p:Start", namespaces=NS), x.findtext("p:Value", namespaces=NS))
            for x in alone[0].xpath("p:TimephasedData", namespaces=NS)]  # fmt: skip
    assert days == [("2026-12-07T08:00:00", "PT8H0M0S"), ("2026-12-10T08:00:00", "PT8H0M0S")]
    back = read_mspdi(data)
    assert [t.splits for t in back.tasks] == [t.splits for t in doc.tasks]
    assert [r.key for r in back.resources] == ["r1"] and len(back.tasks[0].assignments) == 0
    named = [t.model_copy(update={"key": t.name}) for t in back.tasks]
    links = [DocLink(predecessor="Alone", successor="After")]
    again = _schedule(back.model_copy(update={"tasks": named, "dependencies": links}))
    assert {k: (v.start, v.finish) for k, v in again.tasks.items()} == {
        n: (s.tasks[k].start, s.tasks[k].finish)
        for k, n in (("a", "Alone"), ("b", "Staffed"), ("c", "After"))
    }


@pytest.mark.skipif(not mpxj_oracle.available(), reason="needs mpxj and Java")
def test_mpxj_reads_our_split_tasks_and_its_import_keeps_them(tmp_path) -> None:  # noqa: ANN001
    doc = _document()
    data = write_mspdi(doc, _schedule(doc))
    mpxj_oracle._jvm()
    from org.mpxj.reader import UniversalProjectReader

    path = tmp_path / "split.xml"
    path.write_bytes(data)
    project = UniversalProjectReader().read(str(path))
    staffed = next(t for t in project.getTasks() if str(t.getName()) == "Staffed")
    ranges = [(str(r.getStart()), str(r.getEnd())) for r in staffed.getWorkSplits()]
    assert ranges[0] == ("2026-12-07T08:00", "2026-12-07T12:00")  # half a day, a pause of 1.5 days
    assert ranges[-1][1] == "2026-12-14T12:00" and len(ranges) >= 3

    from prometheus.formats.mpxj_import import read_with_mpxj

    back = read_with_mpxj(data, "again")
    assert [t.splits for t in back.tasks] == [t.splits for t in doc.tasks]
    project_saved = read_with_mpxj(PROJECT_FILE.encode(), "saved by Project")
    assert [t.splits for t in project_saved.tasks] == [[TaskSplit(at=8, hours=8)], []]


def test_splits_through_the_api(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]  # starts Tue 2026-12-01
    first = add_task(api, pid, "First", duration=1)
    split = add_task(api, pid, "Split", duration=2, splits=[{"at": 8, "hours": 16}])
    assert split["splits"] == [{"at": 8.0, "hours": 16.0}]
    assert link(api, pid, first["id"], split["id"]).status_code == 201
    rows = {t["name"]: t for t in api.get(f"/plans/{pid}/timeline").json()["data"]["tasks"]}
    assert (rows["Split"]["start"], rows["Split"]["finish"]) == ("2026-12-02T08:00:00", "2026-12-07T17:00:00")
    assert rows["Split"]["parts"] == [
        {"start": "2026-12-02T08:00:00", "finish": "2026-12-02T17:00:00"},  # Wed, a pause Thu-Fri
        {"start": "2026-12-07T08:00:00", "finish": "2026-12-07T17:00:00"},  # then Monday
    ]
    assert "parts" not in rows["First"]
    bad = api.patch(
        f"/plans/{pid}/tasks/{split['id']}", json={"splits": [{"at": 8, "hours": 8}, {"at": 9, "hours": 1}]}
    )
    assert bad.status_code == 422 and bad.json()["status"] == "error"
    assert api.get(f"/plans/{pid}/costs").json()["data"]["work_hours"] == 0  # nobody assigned
    crew = api.post(f"/plans/{pid}/resources", json={"name": "Crew", "cost_rate": 10}).json()["data"]
    api.patch(f"/plans/{pid}/tasks/{split['id']}", json={"assigned_resources": [crew["id"]]})
    costs = api.get(f"/plans/{pid}/costs").json()["data"]
    assert (costs["work_hours"], costs["cost"]) == (16, 160)  # the two worked days, not the pause
    r = api.patch(f"/plans/{pid}/tasks/{split['id']}", json={"splits": None})
    assert r.status_code == 200 and r.json()["data"]["splits"] == []
    assert api.get(f"/plans/{pid}/costs").json()["data"]["work_hours"] == 16
    exported = api.get(f"/plans/{pid}/export", params={"format": "json"}).json()
    assert [t.get("splits") for t in exported["tasks"]] == [[], []]


def test_a_delayed_assignment_is_no_split() -> None:
    from prometheus.core.model import Calendar
    from prometheus.formats.mspdi_assignments import read_splits

    def day(d: int, hours: int = 9) -> tuple[datetime, datetime, None]:
        return datetime(2026, 12, d, 8), datetime(2026, 12, d, 8 + hours), None

    start = "2026-12-07T08:00:00"
    delayed = [("ann", [day(7), day(8)]), ("bob", [day(10)])]  # Bob delayed to Thursday: nobody works Wed
    assert read_splits(delayed, start, Calendar(), {}, {}) == []
    split = [("ann", [day(7), day(10)]), ("bob", [day(7, 4)])]  # Ann stops Tue-Wed, Bob works Monday only
    assert read_splits(split, start, Calendar(), {}, {}) == [TaskSplit(at=8, hours=16)]
    # Bob works Monday, Wednesday and Friday: Ann done on Tuesday, nobody works Thursday, and no pause
    part_time = {"bob": Calendar(working_days=[0, 2, 4])}
    shared = [("ann", [day(7), day(8)]), ("bob", [day(7), day(9), day(11)])]
    assert read_splits(shared, start, Calendar(), {}, part_time) == []
    assert read_splits(shared, start, Calendar(), {}, {}) == [TaskSplit(at=24, hours=8)]  # both full-time
    # day-long records partly worked: Monday's 4 hours before the pause, Thursday's 4 after it
    days = [
        [
            (datetime(2026, 12, d, 8), datetime(2026, 12, d + 1, 8), w)
            for d, w in ((7, 240), (10, 240), (11, 480))
        ]
    ]
    assert read_splits([("ann", days[0])], start, Calendar(), {}, {}) == [
        TaskSplit(at=4, hours=24)
    ]  # Mon 12:00 - Thu 13:00


PROJECT_FILE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project xmlns="http://schemas.microsoft.com/project">
  <Name>split</Name><StartDate>2026-12-07T08:00:00</StartDate><MinutesPerDay>480</MinutesPerDay>
  <Tasks>
    <Task><UID>0</UID><ID>0</ID><Name>split</Name><OutlineLevel>0</OutlineLevel><Summary>1</Summary></Task>
    <Task><UID>1</UID><ID>1</ID><Name>Pour</Name><OutlineLevel>1</OutlineLevel><Type>0</Type>
      <Start>2026-12-07T08:00:00</Start><Finish>2026-12-10T17:00:00</Finish>
      <Duration>PT24H0M0S</Duration><DurationFormat>7</DurationFormat><Work>PT24H0M0S</Work></Task>
    <Task><UID>2</UID><ID>2</ID><Name>Cure</Name><OutlineLevel>1</OutlineLevel>
      <Start>2026-12-11T08:00:00</Start><Finish>2026-12-11T17:00:00</Finish>
      <Duration>PT8H0M0S</Duration><DurationFormat>7</DurationFormat>
      <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type></PredecessorLink></Task>
  </Tasks>
  <Resources><Resource><UID>1</UID><ID>1</ID><Name>Crew</Name><Type>1</Type></Resource></Resources>
  <Assignments>
    <Assignment><UID>1</UID><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID><Units>1</Units>
      <Work>PT24H0M0S</Work>
      <TimephasedData><Type>1</Type><UID>1</UID><Start>2026-12-07T08:00:00</Start>
        <Finish>2026-12-08T08:00:00</Finish><Unit>2</Unit><Value>PT8H0M0S</Value></TimephasedData>
      <TimephasedData><Type>1</Type><UID>1</UID><Start>2026-12-08T08:00:00</Start>
        <Finish>2026-12-09T08:00:00</Finish><Unit>2</Unit><Value>PT0H0M0S</Value></TimephasedData>
      <TimephasedData><Type>1</Type><UID>1</UID><Start>2026-12-09T08:00:00</Start>
        <Finish>2026-12-10T08:00:00</Finish><Unit>2</Unit><Value>PT8H0M0S</Value></TimephasedData>
      <TimephasedData><Type>1</Type><UID>1</UID><Start>2026-12-10T08:00:00</Start>
        <Finish>2026-12-10T17:00:00</Finish><Unit>2</Unit><Value>PT8H0M0S</Value></TimephasedData>
    </Assignment>
  </Assignments>
</Project>"""


def test_a_split_task_saved_by_project_imports_with_the_dates_project_stored(api: httpx.Client) -> None:
    r = api.post(
        "/plans/import", params={"format": "mspdi", "include": "plan"}, content=PROJECT_FILE.encode()
    )
    assert r.status_code == 201, r.text
    pour = next(t for t in r.json()["data"]["tasks"] if t["name"] == "Pour")
    assert pour["splits"] == [{"at": 8.0, "hours": 8.0}] and pour["duration"] == 3
    rows = {
        t["name"]: t for t in api.get(f"/plans/{r.json()['data']['id']}/timeline").json()["data"]["tasks"]
    }
    stored = etree.fromstring(PROJECT_FILE.encode()).xpath("//p:Task[p:UID>0]", namespaces=NS)
    for el in stored:
        name = el.findtext("p:Name", namespaces=NS)
        dates = (el.findtext("p:Start", namespaces=NS), el.findtext("p:Finish", namespaces=NS))
        assert (rows[name]["start"], rows[name]["finish"]) == dates, name
