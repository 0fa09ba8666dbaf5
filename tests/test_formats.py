"""Import and export: lossless JSON, CSV, MSPDI checked against MPXJ, iCalendar, and over HTTP."""

from __future__ import annotations

import json
import os
from datetime import datetime

import httpx
import pytest

from prometheus.core.model import Dependency as Link
from prometheus.core.model import Plan, Resource, Task
from prometheus.core.scheduler import Network
from prometheus.formats.csv_format import read_csv, write_csv
from prometheus.formats.document import canonical, to_document, wbs_order
from prometheus.formats.mspdi import read_mspdi, write_mspdi
from prometheus.formats.registry import import_bytes
from tests.conftest import add_task, link
from tests.mpxj_oracle import available, sf_finish_reading
from tests.plan_generator import Features, random_plan_with_resources

ORACLE = available()
needs_oracle = pytest.mark.skipif(
    not ORACLE and os.environ.get("CI", "").lower() != "true", reason="MPXJ oracle not installed"
)


def as_plan(seed: int, n: int | None = None, resource_calendars: bool = True) -> tuple[Plan, datetime]:
    tasks, deps, start, cal, resources = random_plan_with_resources(
        seed, n=n, features=Features(deadlines=True)
    )
    if not resource_calendars:
        resources = [r.model_copy(update={"calendar": None}) for r in resources]
    tasks = [t.model_copy(update={"position": i + 1, "tags": [f"tag{i % 3}"]}) for i, t in enumerate(tasks)]
    plan = Plan(id="p", name=f"Plan {seed}", start_date=start.date(), calendar=cal, tasks=tasks,
                dependencies=deps, resources=resources)  # fmt: skip
    return plan, start


def network(plan: Plan, start: datetime) -> Network:
    return Network(
        plan.tasks, plan.dependencies, start=start, calendar=plan.calendar, resources=plan.resources
    )


def scheduled(plan: Plan, start: datetime):  # noqa: ANN201
    return network(plan, start).solve()


@pytest.mark.parametrize("seed", range(20))
def test_json_document_round_trip_is_lossless(seed: int) -> None:
    plan, _ = as_plan(seed)
    doc = to_document(plan)
    again = import_bytes(json.dumps(doc.model_dump(mode="json")).encode(), "json")
    assert canonical(again) == canonical(doc)


@pytest.mark.parametrize("seed", range(20))
def test_csv_round_trip_keeps_tasks_links_lags_and_hierarchy(seed: int) -> None:
    plan, start = as_plan(seed)
    doc = to_document(plan)
    back = read_csv(write_csv(doc, scheduled(plan, start)), "x")
    fields = ("name", "duration", "duration_unit", "milestone", "constraint_type", "priority", "tags")
    ordered = [t for t, _ in wbs_order(doc)]
    assert [[getattr(t, f) for f in fields] for t in back.tasks] == [
        [getattr(t, f) for f in fields] for t in ordered
    ]
    doc = doc.model_copy(update={"tasks": ordered})
    a, b = canonical(doc), canonical(back)
    assert [t["parent"] for t in a["tasks"]] == [t["parent"] for t in b["tasks"]]
    keys = ("predecessor", "successor", "type", "lag", "lag_unit")
    assert [{k: d[k] for k in keys} for d in a["dependencies"]] == [
        {k: d[k] for k in keys} for d in b["dependencies"]
    ]


def test_csv_reads_microsoft_project_style_predecessors() -> None:
    data = (
        b"ID,Name,Duration,Predecessors,Resource Names,Outline Level\n"
        b'1,Phase,5d,,,1\n2,Design,3d,,Ana,2\n3,Build,2w,"2FS+2d,1SS",Ana;Bo[50%],2\n4,Ship,0d,3FF-4h,,1\n'
    )
    doc = read_csv(data, "From Project")
    design, build, ship = doc.tasks[1], doc.tasks[2], doc.tasks[3]
    assert design.parent == doc.tasks[0].key and ship.parent is None
    assert (build.duration, build.duration_unit.value) == (2, "weeks")
    assert [(d.predecessor, d.type.value, d.lag, d.lag_unit.value) for d in doc.dependencies] == [
        (design.key, "FS", 2, "days"),
        (doc.tasks[0].key, "SS", 0, "days"),
        (build.key, "FF", -4, "hours"),
    ]
    assert [a.units for a in build.assignments] == [1, 0.5] and len(doc.resources) == 2
    with pytest.raises(Exception, match="line 3"):
        read_csv(b"ID,Name,Duration,Predecessors\n1,A,1d,\n2,B,1d,9FS\n", "x")
    with pytest.raises(Exception, match="duration"):
        read_csv(b"Name,Duration\nA,three days\n", "x")


def test_csv_reads_percent_lags_as_part_of_the_predecessors_duration() -> None:
    """Project writes a lag as a percentage of the predecessor's duration (`1FS+50%`, elapsed `2SS-25e%`):
    it becomes that part of the predecessor's duration in its unit, as the MSPDI reader makes it."""
    doc = read_csv(
        b'ID,Name,Duration,Predecessors\r\n1,A,4 days,\r\n2,B,2 wks,\r\n3,C,2 days,"1FS+50%,2SS-25e%"\r\n'
    )
    assert [(d.type.value, d.lag, d.lag_unit.value) for d in doc.dependencies] == [
        ("FS", 2, "days"),
        ("SS", -0.5, "eweeks"),
    ]
    with pytest.raises(Exception, match="cannot read the duration"):
        read_csv(b"ID,Name,Duration,Predecessors\n1,A,1d,\n2,B,1d,1FS+5d%\n")


@pytest.mark.parametrize("seed", range(15))
def test_mspdi_round_trip(seed: int) -> None:
    plan, start = as_plan(seed)
    doc = to_document(plan)
    back = read_mspdi(write_mspdi(doc, scheduled(plan, start)))
    fields = ("name", "duration_unit", "milestone", "constraint_type", "constraint_date", "deadline")
    assert [[getattr(t, f) for f in fields] for t in back.tasks] == [
        [getattr(t, f) for f in fields] for t, _ in _wbs(doc)
    ]
    assert [round(t.duration, 4) for t in back.tasks] == [round(t.duration, 4) for t, _ in _wbs(doc)]
    assert len(back.dependencies) == len(doc.dependencies) and back.plan.calendar == doc.plan.calendar
    assert [(r.name, r.cost_rate, r.calendar) for r in back.resources] == [
        (r.name, r.cost_rate, r.calendar) for r in doc.resources
    ]
    names = {r.key: r.name for r in doc.resources}
    back_names = {r.key: r.name for r in back.resources}
    assert [sorted((back_names[a.resource], a.units) for a in t.assignments) for t in back.tasks] == [
        sorted((names[a.resource], a.units) for a in t.assignments) for t, _ in _wbs(doc)
    ]


def test_mspdi_keeps_work_and_effort_driven() -> None:
    plan, start = as_plan(3)
    doc = to_document(plan)
    doc.tasks[0] = doc.tasks[0].model_copy(update={"work": 12.5, "effort_driven": True})
    back = {t.name: t for t in read_mspdi(write_mspdi(doc, scheduled(plan, start))).tasks}
    assert (back[doc.tasks[0].name].work, back[doc.tasks[0].name].effort_driven) == (12.5, True)
    others = [back[t.name] for t in doc.tasks[1:]]
    assert all(t.work is None and not t.effort_driven for t in others)


def _wbs(doc):  # noqa: ANN001, ANN202
    return wbs_order(doc)


@needs_oracle
@pytest.mark.parametrize("seed", range(25))
def test_microsoft_project_schedules_our_mspdi_as_we_do(seed: int) -> None:
    """MPXJ reads the XML we write, schedules it like Microsoft Project, and gets our dates. (Resources keep
    the plan calendar here: Project schedules work on resource calendars through the assignments' work, which
    our task-calendar model matches only for single-resource tasks.)"""
    import tempfile

    from tests.mpxj_oracle import _jvm, _ldt, _py

    plan, start = as_plan(seed, resource_calendars=False)
    net = network(plan, start)
    s = net.solve()
    _jvm()
    from org.mpxj.cpm import MicrosoftScheduler
    from org.mpxj.reader import UniversalProjectReader

    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        f.write(write_mspdi(to_document(plan), s))
        f.flush()
        project = UniversalProjectReader().read(f.name)
    MicrosoftScheduler().schedule(project, _ldt(start))
    theirs = {
        str(t.getName()): (_py(t.getStart()), _py(t.getFinish())) for t in project.getTasks() if t.getID()
    }
    ours = {st.name: (st.start, st.finish) for st in s.tasks.values()}
    ids = {st.name: st.id for st in s.tasks.values()}
    assert theirs.keys() == ours.keys()
    bad = [
        (name, ours[name], theirs[name])
        for name in ours
        if ours[name] != theirs[name]
        and not (
            ours[name][0] == theirs[name][0]
            and sf_finish_reading(net, plan.dependencies, ids[name], ours[name][1], theirs[name][1])
        )
    ]
    assert bad == []


@needs_oracle
@pytest.mark.parametrize("seed", range(10))
def test_dates_stored_by_microsoft_project_match_our_schedule_of_the_file(seed: int) -> None:
    """A file written by MPXJ after scheduling like Microsoft Project: importing it and scheduling it here
    gives the Start and Finish the file carries."""
    import tempfile

    from tests.mpxj_oracle import _ldt, build_project

    plan, start = as_plan(seed, resource_calendars=False)  # our model has no task calendars to read
    file, _ = build_project(plan.tasks, plan.dependencies, plan.calendar, plan.resources)
    from org.mpxj.cpm import MicrosoftScheduler
    from org.mpxj.mspdi import MSPDIWriter

    MicrosoftScheduler().schedule(file, _ldt(start))
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        MSPDIWriter().write(file, f.name)
        with open(f.name, "rb") as written:
            data = written.read()
    doc = read_mspdi(data)
    when = datetime.fromisoformat
    stored = {
        t.key: (when(e.findtext("{*}Start")), when(e.findtext("{*}Finish")))
        for t, e in zip(doc.tasks, _task_elements(data), strict=True)
    }
    tasks = [Task(id=t.key, plan_id="p", parent_id=t.parent, name=t.name, duration=t.duration,
                  duration_unit=t.duration_unit, milestone=t.milestone, constraint_type=t.constraint_type,
                  constraint_date=t.constraint_date, deadline=t.deadline,
                  assignments=[{"resource_id": a.resource, "units": a.units} for a in t.assignments])
             for t in doc.tasks]  # fmt: skip
    links = [Link(id=str(i), plan_id="p", predecessor_id=d.predecessor, successor_id=d.successor, type=d.type,
                  lag=d.lag, lag_unit=d.lag_unit) for i, d in enumerate(doc.dependencies)]  # fmt: skip
    resources = [Resource(id=r.key, plan_id="p", name=r.name, calendar=r.calendar) for r in doc.resources]
    net = Network(tasks, links, start=start, calendar=doc.plan.calendar, resources=resources)
    s = net.solve()
    for key, (begin, end) in stored.items():
        assert s.tasks[key].start == begin, key
        assert s.tasks[key].finish == end or sf_finish_reading(net, links, key, s.tasks[key].finish, end), key


def _task_elements(data: bytes):  # noqa: ANN202
    from lxml import etree

    root = etree.fromstring(data)
    return [
        e
        for e in root.iter("{*}Task")
        if (e.findtext("{*}OutlineLevel") or "1") != "0" and e.findtext("{*}UID")
    ]


def test_export_and_import_over_http(api: httpx.Client) -> None:
    pid = api.post("/plans", json={"name": "Exported", "start_date": "2026-11-30", "tags": ["x"]}).json()[
        "data"
    ]["id"]
    dev = api.post(f"/plans/{pid}/resources", json={"name": "Dev", "cost_rate": 50}).json()["data"]
    phase = add_task(api, pid, "Phase")
    a = add_task(api, pid, "Design", duration=2, parent_id=phase["id"], assigned_resources=[dev["id"]])
    b = add_task(
        api, pid, "Build", duration=3, parent_id=phase["id"], optimistic_duration=2, pessimistic_duration=5
    )
    c = add_task(api, pid, "Ship", milestone=True)
    link(api, pid, a["id"], b["id"], lag=1)
    link(api, pid, phase["id"], c["id"], type="FS")

    r = api.get(f"/plans/{pid}/export", params={"format": "json"})
    assert r.status_code == 200 and 'filename="Exported.json"' in r.headers["content-disposition"]
    first = r.content
    imported = api.post("/plans/import", params={"format": "json"}, content=first)
    assert imported.status_code == 201, imported.text
    new_id = imported.json()["data"]["id"]
    again = api.post(f"/plans/{new_id}/export").content
    from prometheus.core.documents import PlanDocument

    assert canonical(PlanDocument.model_validate_json(again)) == canonical(
        PlanDocument.model_validate_json(first)
    )
    assert (
        api.get(f"/plans/{new_id}/critical-path").json()["data"]["project_finish"]
        == api.get(f"/plans/{pid}/critical-path").json()["data"]["project_finish"]
    )

    csv_text = api.get(f"/plans/{pid}/export", params={"format": "csv"}).text
    assert ",2FS+1d," in csv_text and ",1FS," in csv_text  # Build after Design (ID 2), Ship after Phase
    from_csv = api.post(
        "/plans/import",
        params={"filename": "x.csv", "name": "From CSV", "include": "plan"},
        content=csv_text.encode(),
    )
    assert from_csv.status_code == 201 and len(from_csv.json()["data"]["tasks"]) == 4

    for fmt, media, ext in (
        ("mspdi", "application/xml", "xml"),
        ("mpp", "application/vnd.ms-project", "mpp"),
    ):
        x = api.get(f"/plans/{pid}/export", params={"format": fmt})
        assert x.status_code == 200 and x.headers["content-type"].startswith(media)
        assert f'filename="Exported.{ext}"' in x.headers["content-disposition"]
        assert b"schemas.microsoft.com/project" in x.content
    back = api.post("/plans/import", params={"format": "mspdi", "include": "plan"}, content=x.content)
    assert back.status_code == 201 and {t["name"] for t in back.json()["data"]["tasks"]} == {
        "Phase", "Design", "Build", "Ship",
    }  # fmt: skip

    ics = api.get(f"/plans/{pid}/export", params={"format": "ics"}).text
    assert ics.startswith("BEGIN:VCALENDAR") and ics.count("BEGIN:VEVENT") == 3 and "SUMMARY:Design" in ics

    bad = api.get(f"/plans/{pid}/export", params={"format": "pdf"})
    assert bad.status_code == 400 and bad.json()["error_code"] == "VALIDATION_ERROR"
    assert api.post("/plans/import", params={"format": "json"}, content=b"{oops").status_code == 400
    assert api.post("/plans/import", content=b"whatever").status_code == 400
    doc = json.loads(first)
    doc["dependencies"].append({"predecessor": doc["tasks"][3]["key"], "successor": doc["tasks"][1]["key"]})
    cyc = api.post("/plans/import", params={"format": "json"}, content=json.dumps(doc).encode())
    assert (
        cyc.status_code == 409
        and cyc.json()["error_code"] == "DEPENDENCY_ERROR"
        and "'Ship'" in cyc.json()["message"]
    )
    before = len(api.get("/plans", params={"limit": 1000}).json()["data"])
    assert api.post("/plans/import", params={"format": "mspdi"}, content=b"<a/>").status_code == 422
    assert len(api.get("/plans", params={"limit": 1000}).json()["data"]) == before  # nothing half-imported


@needs_oracle
def test_import_through_mpxj_over_http(api: httpx.Client, tmp_path) -> None:  # noqa: ANN001
    """An .mpx file (written by MPXJ) comes in through MPXJ with its tasks, durations and links."""
    from tests.mpxj_oracle import build_project

    plan, _ = as_plan(3, resource_calendars=False)
    file, _ = build_project(plan.tasks, plan.dependencies, plan.calendar)
    from org.mpxj.mpx import MPXWriter

    target = tmp_path / "plan.mpx"
    MPXWriter().write(file, str(target))
    r = api.post(
        "/plans/import",
        params={"filename": "plan.mpx", "name": "From MPX", "include": "plan"},
        content=target.read_bytes(),
    )
    assert r.status_code == 201, r.text
    got = r.json()["data"]
    assert sorted(t["name"] for t in got["tasks"]) == sorted(t.name for t in plan.tasks)
    assert len(got["dependencies"]) == len(plan.dependencies)
    minutes = {"hours": 60, "days": 480, "weeks": 2400}
    got_work = {t["name"]: t["duration"] * minutes[t["duration_unit"]] for t in got["tasks"]}
    parents = {t.parent_id for t in plan.tasks}
    for t in plan.tasks:
        if t.id not in parents:  # summary durations are computed, not stored
            assert got_work[t.name] == pytest.approx(t.duration * minutes[t.duration_unit.value]), t.name
    bad = api.post("/plans/import", params={"filename": "x.mpp"}, content=b"not a project file")
    assert bad.status_code == 422 and "MPXJ" in bad.json()["message"]
