"""A plan's status_date_moves_work: Microsoft Project schedules work not done by the status date after it
only when its option "move start of remaining parts forward to the status date" is on (off by default, the
file's MoveRemainingStartsForward); plans made here move it unless told not to."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from lxml import etree

from prometheus.core.analysis import schedule_plan
from prometheus.core.documents import DocPlan, DocTask, PlanDocument
from prometheus.formats.document import to_plan
from prometheus.formats.mpxj_import import read_with_mpxj
from prometheus.formats.mspdi import read_mspdi, write_mspdi
from prometheus.formats.mspdi_values import NS
from tests import mpxj_oracle
from tests.conftest import BACKENDS, add_task
from tests.test_persistence import upgraded

# Mon 7 Dec 2026 start, status date Wed 16 Dec: "Behind" (2 days, not started) was due on 7-8 Dec; "Started"
# (10 days from 7 Dec, 20% done) has 8 days left. Project (option off) keeps both where they were planned.
FILE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project xmlns="http://schemas.microsoft.com/project">
  <Name>behind</Name><StartDate>2026-12-07T08:00:00</StartDate><MinutesPerDay>480</MinutesPerDay>
  {option}<StatusDate>2026-12-16T17:00:00</StatusDate>
  <Tasks>
    <Task><UID>1</UID><ID>1</ID><Name>Behind</Name><OutlineLevel>1</OutlineLevel>
      <Start>2026-12-07T08:00:00</Start><Finish>2026-12-08T17:00:00</Finish>
      <Duration>PT16H0M0S</Duration><DurationFormat>7</DurationFormat></Task>
    <Task><UID>2</UID><ID>2</ID><Name>Started</Name><OutlineLevel>1</OutlineLevel>
      <Start>2026-12-07T08:00:00</Start><Finish>2026-12-18T17:00:00</Finish>
      <Duration>PT80H0M0S</Duration><DurationFormat>7</DurationFormat><PercentComplete>20</PercentComplete>
      <ActualStart>2026-12-07T08:00:00</ActualStart><ActualDuration>PT16H0M0S</ActualDuration>
      <RemainingDuration>PT64H0M0S</RemainingDuration></Task>
  </Tasks>
</Project>"""
PROJECT = {
    "Behind": ("2026-12-07T08:00:00", "2026-12-08T17:00:00"),
    "Started": ("2026-12-07T08:00:00", "2026-12-18T17:00:00"),
}
MOVED = {
    "Behind": ("2026-12-17T08:00:00", "2026-12-18T17:00:00"),
    "Started": ("2026-12-07T08:00:00", "2026-12-28T17:00:00"),
}


def project_file(option: str | None) -> bytes:
    """The file, with MoveRemainingStartsForward set to `option` (None: left out, as Project may)."""
    element = "" if option is None else f"<MoveRemainingStartsForward>{option}</MoveRemainingStartsForward>"
    return FILE.format(option=element).encode()


def scheduled(data: bytes) -> dict[str, tuple[str, str]]:
    """Each task's dates as `prometheus schedule FILE` gives them (the reader, no database)."""
    plan = to_plan(read_mspdi(data))
    s = schedule_plan(plan, date(2027, 1, 1))
    names = {t.id: t.name for t in plan.tasks or []}
    return {names[k]: (v.start.isoformat()[:19], v.finish.isoformat()[:19]) for k, v in s.tasks.items()}


def dates(api: httpx.Client, pid: str) -> dict[str, tuple[str, str]]:
    rows = api.get(f"/plans/{pid}/timeline").json()["data"]["tasks"]
    return {t["name"]: (t["start"][:19], t["finish"][:19]) for t in rows}


@pytest.mark.parametrize("option", [None, "0"])
def test_a_project_file_keeps_projects_dates_behind_its_status_date(api: httpx.Client, option) -> None:
    doc = read_mspdi(project_file(option))
    assert doc.plan.status_date_moves_work is False and str(doc.plan.status_date) == "2026-12-16"
    assert scheduled(project_file(option)) == PROJECT
    r = api.post("/plans/import", params={"format": "mspdi", "include": "plan"}, content=project_file(option))
    assert r.status_code == 201, r.text
    plan = r.json()["data"]
    assert plan["status_date"] == "2026-12-16" and plan["status_date_moves_work"] is False
    assert dates(api, plan["id"]) == PROJECT
    ev = api.get(f"/plans/{plan['id']}/earned-value").json()["data"]
    assert ev["status_date"].startswith("2026-12-17T00:00")  # earned value still as of the file's status date


def test_a_project_file_with_the_option_on_moves_the_work(api: httpx.Client) -> None:
    assert read_mspdi(project_file("1")).plan.status_date_moves_work is True
    assert scheduled(project_file("1")) == MOVED
    r = api.post("/plans/import", params={"format": "mspdi", "include": "plan"}, content=project_file("1"))
    assert r.status_code == 201, r.text
    assert r.json()["data"]["status_date_moves_work"] is True
    assert dates(api, r.json()["data"]["id"]) == MOVED


def test_a_plan_made_here_moves_the_work_until_patched_not_to(api: httpx.Client) -> None:
    sent = {"name": "here", "start_date": "2026-12-07", "status_date": "2026-12-16"}
    r = api.post("/plans", json=sent)
    assert r.status_code == 201 and r.json()["data"]["status_date_moves_work"] is True
    pid = r.json()["data"]["id"]
    add_task(api, pid, "Behind", duration=2)
    assert dates(api, pid)["Behind"] == MOVED["Behind"]
    patched = api.patch(f"/plans/{pid}", json={"status_date_moves_work": False})
    assert patched.status_code == 200 and patched.json()["data"]["status_date_moves_work"] is False
    assert dates(api, pid)["Behind"] == PROJECT["Behind"]
    assert api.get(f"/plans/{pid}").json()["data"]["status_date"] == "2026-12-16"
    assert api.patch(f"/plans/{pid}", json={"status_date_moves_work": None}).status_code == 422
    put = api.put(f"/plans/{pid}", json=sent)
    assert put.status_code == 200 and put.json()["data"]["status_date_moves_work"] is True  # PUT: the default


def test_exports_keep_the_setting(api: httpx.Client) -> None:
    fields = {"name": "kept", "status_date": "2026-12-16", "status_date_moves_work": False}
    r = api.post("/plans", json=fields)
    pid = r.json()["data"]["id"]
    for fmt in ("json", "mspdi"):
        exported = api.get(f"/plans/{pid}/export", params={"format": fmt})
        back = api.post("/plans/import", params={"format": fmt, "include": "plan"}, content=exported.content)
        assert back.status_code == 201 and back.json()["data"]["status_date_moves_work"] is False, fmt
    old = api.get(f"/plans/{pid}/export", params={"format": "json"}).json()
    del old["plan"]["status_date_moves_work"]  # an export made before the setting: the move, as then
    back = api.post("/plans/import", params={"format": "json", "include": "plan"}, json=old)
    assert back.status_code == 201 and back.json()["data"]["status_date_moves_work"] is True


@pytest.mark.parametrize("moves", [True, False])
def test_mspdi_writes_the_option(moves: bool) -> None:
    doc = PlanDocument(
        plan=DocPlan(name="p", status_date="2026-12-16", status_date_moves_work=moves),
        tasks=[DocTask(key="a", name="a")],
    )
    data = write_mspdi(doc, None)
    assert etree.fromstring(data).findtext(f"{{{NS}}}MoveRemainingStartsForward") == str(int(moves))
    assert read_mspdi(data).plan.status_date_moves_work is moves
    if mpxj_oracle.available():  # MPXJ reads the option (and so .mpp files bring theirs through it)
        assert read_with_mpxj(data, None).plan.status_date_moves_work is moves


@pytest.mark.parametrize("which", BACKENDS)
def test_plans_stored_before_keep_the_move(which: str, make_database_url) -> None:
    db = upgraded(make_database_url(which), "0017", {"plans": [{"id": "p", "tags": [], "status": "active"}]})
    with db.store() as store:
        assert store.get_plan("p", include_children=False).status_date_moves_work is True
    db.dispose()
