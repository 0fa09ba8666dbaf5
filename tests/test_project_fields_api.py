"""Microsoft Project's task fields through the API and the database (migration 0012) and through MSPDI
import and export: manual scheduling with its dates, task calendars, leveling delay, remaining duration of a
started task, and the plan's default start time."""

from __future__ import annotations

from datetime import datetime, time

import httpx
from lxml import etree

from prometheus.core.documents import DocLink, DocPlan, DocTask, PlanDocument
from prometheus.core.model import Calendar
from prometheus.formats.mspdi import write_mspdi
from tests.conftest import add_task, link

NS = {"p": "http://schemas.microsoft.com/project"}
WEEKEND = {"name": "Weekend", "working_days": [5, 6], "working_hours": [["09:00", "15:00"]]}


def _rows(api: httpx.Client, pid: str) -> dict[str, dict]:
    r = api.get(f"/plans/{pid}/timeline")
    assert r.status_code == 200, r.text
    return {t["name"]: t for t in r.json()["data"]["tasks"]}


def test_task_fields_are_stored_exposed_and_scheduled(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]  # starts Tue 2026-12-01
    r = api.patch(f"/plans/{pid}", json={"default_start_time": "09:00:00"})
    assert r.status_code == 200 and r.json()["data"]["default_start_time"] == "09:00:00"
    a = add_task(api, pid, "Design", duration=2)
    manual = {"manual": True, "manual_start": "2026-12-01T09:00:00", "manual_finish": "2026-12-01T17:00:00"}
    m = add_task(api, pid, "Kick-off", duration=1, **manual)
    w = add_task(api, pid, "Weekend job", duration=6, duration_unit="hours", calendar=WEEKEND)
    d = add_task(api, pid, "Delayed", duration=1, leveling_delay=2, leveling_delay_unit="edays")
    assert m["manual"] is True and m["manual_start"] == "2026-12-01T09:00:00"
    assert w["calendar"]["working_days"] == [5, 6] and d["leveling_delay"] == 2
    assert d["leveling_delay_unit"] == "edays" and a["manual"] is False and a["calendar"] is None
    for p, q in ((a, m), (a, w), (a, d)):
        assert link(api, pid, p["id"], q["id"]).status_code == 201

    rows = _rows(api, pid)
    assert rows["Design"]["start"] == "2026-12-01T09:00:00"  # the plan's default start time
    assert rows["Design"]["finish"] == "2026-12-03T09:00:00"
    assert (rows["Kick-off"]["start"], rows["Kick-off"]["finish"]) == (
        "2026-12-01T09:00:00",
        "2026-12-01T17:00:00",
    )
    assert (rows["Weekend job"]["start"], rows["Weekend job"]["finish"]) == (
        "2026-12-05T09:00:00",
        "2026-12-05T15:00:00",
    )
    assert rows["Delayed"]["start"] == "2026-12-07T08:00:00"  # Thu 09:00 + 48 h: Sat, then Monday
    conflicts = api.get(f"/plans/{pid}/critical-path").json()["data"]["conflicts"]
    assert [(c["task_id"], c["kind"]) for c in conflicts] == [(m["id"], "manual")]

    r = api.patch(
        f"/plans/{pid}/tasks/{m['id']}", json={"manual": False, "calendar": None, "leveling_delay": None}
    )
    assert r.status_code == 200, r.text
    got = api.get(f"/plans/{pid}/tasks/{m['id']}").json()["data"]
    assert got["manual"] is False and got["leveling_delay"] == 0
    assert _rows(api, pid)["Kick-off"]["start"] == "2026-12-03T09:00:00"  # now the link drives it

    paused = {"percent_complete": 50, "resume": "2026-12-07T09:00:00Z"}  # a day done, a day left from Monday
    r = api.put(f"/plans/{pid}/tasks/{a['id']}/progress", json=paused)
    assert r.status_code == 200 and r.json()["data"]["resume"] == "2026-12-07T09:00:00"
    assert _rows(api, pid)["Design"]["finish"] == "2026-12-08T09:00:00"


def _document() -> PlanDocument:
    weekend = Calendar(name="Weekend", working_days=[5, 6], working_hours=[(time(9), time(15))])
    return PlanDocument(
        plan=DocPlan(name="From Project", start_date="2026-12-01", default_start_time=time(9)),
        tasks=[
            DocTask(key="a", name="Design", duration=2),
            DocTask(
                key="m",
                name="Kick-off",
                duration=1,
                manual=True,
                manual_start=datetime(2026, 12, 1, 9),
                manual_finish=datetime(2026, 12, 1, 17),
            ),  # fmt: skip
            DocTask(key="w", name="Weekend job", duration=6, duration_unit="hours", calendar=weekend),
            DocTask(key="d", name="Delayed", duration=1, leveling_delay=2),
            DocTask(
                key="s",
                name="Started",
                duration=4,
                percent_complete=50,
                status="in_progress",
                actual_start=datetime(2026, 12, 1, 9),
                remaining_duration=3,
            ),  # fmt: skip
            DocTask(
                key="p",
                name="Paused",
                duration=4,
                percent_complete=50,
                status="in_progress",
                actual_start=datetime(2026, 12, 1, 9),
                resume=datetime(2026, 12, 7, 9),
            ),  # fmt: skip
        ],
        dependencies=[DocLink(predecessor="a", successor=k) for k in "mwd"],
    )


def test_mspdi_import_and_export_keep_the_fields(api: httpx.Client) -> None:
    data = write_mspdi(_document(), None)
    r = api.post("/plans/import", params={"format": "mspdi"}, content=data)
    assert r.status_code == 201, r.text
    pid = r.json()["data"]["id"]
    plan = api.get(f"/plans/{pid}").json()["data"]
    assert plan["default_start_time"] == "09:00:00"
    tasks = {t["name"]: t for t in plan["tasks"]}
    assert tasks["Kick-off"]["manual"] and tasks["Kick-off"]["manual_finish"] == "2026-12-01T17:00:00"
    assert tasks["Weekend job"]["calendar"]["working_days"] == [5, 6]
    assert (tasks["Delayed"]["leveling_delay"], tasks["Delayed"]["leveling_delay_unit"]) == (2, "edays")
    assert tasks["Started"]["remaining_duration"] == 3 and tasks["Started"]["actual_start"].startswith(
        "2026-12-01T09"
    )
    rows = _rows(api, pid)
    assert rows["Design"]["start"] == "2026-12-01T09:00:00"
    assert rows["Kick-off"]["finish"] == "2026-12-01T17:00:00"
    assert rows["Weekend job"]["start"] == "2026-12-05T09:00:00"
    assert rows["Delayed"]["start"] == "2026-12-07T08:00:00"
    # 2 days done of 4 and 3 left: 5 days from Tue 09:00
    assert rows["Started"]["finish"] == "2026-12-08T09:00:00"
    # 2 days done, then a stop: the 2 days left from the resume date, Mon 09:00
    assert tasks["Paused"]["resume"] == "2026-12-07T09:00:00"
    assert rows["Paused"]["finish"] == "2026-12-09T09:00:00"

    exported = api.get(f"/plans/{pid}/export", params={"format": "mspdi"})
    assert exported.status_code == 200
    root = etree.fromstring(exported.content)
    assert root.findtext("p:DefaultStartTime", namespaces=NS) == "09:00:00"
    by_name = {t.findtext("p:Name", namespaces=NS): t for t in root.iterfind("p:Tasks/p:Task", NS)}
    kick = by_name["Kick-off"]
    assert kick.findtext("p:Manual", namespaces=NS) == "1"
    assert kick.findtext("p:ManualStart", namespaces=NS) == "2026-12-01T09:00:00"
    assert by_name["Delayed"].findtext("p:LevelingDelay", namespaces=NS) == str(2 * 1440 * 10)
    assert by_name["Paused"].findtext("p:Resume", namespaces=NS) == "2026-12-07T09:00:00"
    uid = by_name["Weekend job"].findtext("p:CalendarUID", namespaces=NS)
    names = {
        c.findtext("p:UID", namespaces=NS): c.findtext("p:Name", namespaces=NS)
        for c in root.iter(f"{{{NS['p']}}}Calendar")
    }
    assert names[uid] == "Weekend"
    again = api.post("/plans/import", params={"format": "mspdi"}, content=exported.content)
    assert again.status_code == 201
    for name, row in _rows(api, again.json()["data"]["id"]).items():  # the same dates after a round trip
        assert (row["start"], row["finish"]) == (rows[name]["start"], rows[name]["finish"]), name


def test_csv_keeps_task_mode_leveling_delay_resume_and_start_time(api: httpx.Client) -> None:
    r = api.post("/plans/import", params={"format": "mspdi"}, content=write_mspdi(_document(), None))
    pid = r.json()["data"]["id"]
    exported = api.get(f"/plans/{pid}/export", params={"format": "csv"})
    assert exported.status_code == 200 and b"Manually Scheduled" in exported.content
    again = api.post("/plans/import", params={"format": "csv"}, content=exported.content)
    assert again.status_code == 201, again.text
    qid = again.json()["data"]["id"]
    plan = api.get(f"/plans/{qid}").json()["data"]
    assert plan["default_start_time"] == "09:00:00"
    tasks = {t["name"]: t for t in plan["tasks"]}
    assert tasks["Kick-off"]["manual"] and tasks["Kick-off"]["manual_start"] == "2026-12-01T09:00:00"
    assert (tasks["Delayed"]["leveling_delay"], tasks["Delayed"]["leveling_delay_unit"]) == (2, "edays")
    assert tasks["Paused"]["resume"] == "2026-12-07T09:00:00"
    before, after = _rows(api, pid), _rows(api, qid)
    for name in before.keys() - {"Weekend job"}:  # CSV carries no calendars
        assert (after[name]["start"], after[name]["finish"]) == (
            before[name]["start"],
            before[name]["finish"],
        )
