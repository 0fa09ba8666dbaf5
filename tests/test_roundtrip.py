"""Round trips through the real API: a plan exported as json, csv, mspdi and mpp and imported again (by the
file name the export gave) schedules to the same dates and keeps what each format carries; iCalendar says
it cannot be imported; CSV cells are safe in a spreadsheet; any plan name makes a valid download."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from email.message import Message
from urllib.parse import unquote

import httpx
import pytest
from lxml import etree

from prometheus.core.documents import DocPlan, DocTask, PlanDocument
from prometheus.formats.csv_format import neutralise, read_csv, restore, write_csv
from prometheus.formats.ics import write_ics
from prometheus.formats.mspdi import read_mspdi, write_mspdi
from prometheus.formats.registry import content_disposition, detect
from tests.conftest import add_task, link

CALENDAR = {  # Monday to Thursday, with a holiday on Tuesday Dec 8
    "name": "Four days",
    "working_days": [0, 1, 2, 3],
    "holidays": ["2026-12-08"],
    "hours_per_week": 32,
}


def build(api: httpx.Client, name: str, *, calendar: dict | None, remaining: bool) -> str:
    """Two resources, a summary task, links of every kind with lags, constraints, a deadline, an
    effort-driven task, a finished task and one in progress (before the status date)."""
    pid = api.post(
        "/plans",
        json={"name": name, "start_date": "2026-12-01", "end_date": "2027-02-26", "status_date": "2026-12-03",
              "calendar": calendar, "tags": ["roundtrip"], "description": "Plan to check round trips"},
    ).json()["data"]["id"]  # fmt: skip
    ana = api.post(f"/plans/{pid}/resources", json={"name": "Ana", "cost_rate": 50}).json()["data"]
    bo = api.post(
        f"/plans/{pid}/resources", json={"name": "Bo", "cost_rate": 40, "availability": 0.5}
    ).json()["data"]
    phase = add_task(api, pid, "Phase", tags=["wbs"])
    design = add_task(api, pid, "Design", duration=3, parent_id=phase["id"], assigned_resources=[ana["id"]])
    build_ = add_task(
        api, pid, "Build", duration=2, duration_unit="weeks", parent_id=phase["id"], priority="high",
        assignments=[{"resource_id": ana["id"], "units": 1}, {"resource_id": bo["id"], "units": 0.5}],
    )  # fmt: skip
    review = add_task(
        api, pid, "Review", work=12, effort_driven=True, assigned_resources=[ana["id"]],
        constraint_type="SNET", constraint_date="2026-12-21T08:00:00",
    )  # fmt: skip
    ship = add_task(api, pid, "Ship", milestone=True, deadline="2027-01-15T17:00:00")
    docs = add_task(api, pid, "Docs", duration=6, duration_unit="hours", constraint_type="FNLT",
                    constraint_date="2027-01-14T17:00:00")  # fmt: skip
    assert link(api, pid, design["id"], build_["id"], type="SS", lag=1).status_code == 201
    assert link(api, pid, build_["id"], review["id"], type="FF", lag=-2, lag_unit="hours").status_code == 201
    assert link(api, pid, phase["id"], ship["id"]).status_code == 201
    assert link(api, pid, review["id"], docs["id"], lag=1, lag_unit="edays").status_code == 201
    progress = [
        (design, {"actual_start": "2026-12-01T08:00:00", "actual_finish": "2026-12-03T17:00:00",
                  "percent_complete": 100, "status": "completed", "actual_cost": 1150}),
        (build_, {"actual_start": "2026-12-02T08:00:00", "percent_complete": 25, "notes": "signed off"}
         | ({"remaining_duration": 1.5} if remaining else {})),
    ]  # fmt: skip
    for task, body in progress:
        r = api.put(f"/plans/{pid}/tasks/{task['id']}/progress", json=body)
        assert r.status_code == 200, r.text
    return pid


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).replace(tzinfo=None) if value else None


def view(api: httpx.Client, pid: str) -> dict:
    """What a user sees of a plan, by names (ids differ between copies)."""
    plan = api.get(f"/plans/{pid}").json()["data"]
    tl = api.get(f"/plans/{pid}/timeline").json()["data"]
    task_name = {t["id"]: t["name"] for t in plan["tasks"]}
    resource = {r["id"]: r for r in plan["resources"]}
    cal = plan["calendar"] or {}
    return {
        "plan": {k: plan[k] for k in ("start_date", "end_date", "status_date", "tags", "description")},
        "calendar": {k: cal.get(k) for k in ("working_days", "working_hours", "holidays", "hours_per_day")},
        "dates": {
            t["name"]: (_when(t["start"]), _when(t["finish"]), t["duration_days"]) for t in tl["tasks"]
        },
        "project": (_when(tl["project_start"]), _when(tl["project_finish"])),
        "links": sorted(
            (task_name[d["predecessor_id"]], task_name[d["successor_id"]], d["type"], d["lag"], d["lag_unit"])
            for d in plan["dependencies"]
        ),
        "tasks": {
            t["name"]: {
                "parent": task_name.get(t["parent_id"]),
                "duration": (round(t["duration"], 4), t["duration_unit"]),
                "milestone": t["milestone"],
                "constraint": (t["constraint_type"], _when(t["constraint_date"])),
                "deadline": _when(t["deadline"]),
                "progress": (t["percent_complete"], _when(t["actual_start"]), _when(t["actual_finish"])),
                "status": t["status"],
                "assignments": sorted(
                    (resource[a["resource_id"]]["name"], a["units"]) for a in t["assignments"]
                ),
                "effort": (t["work"], t["effort_driven"]),
                "priority": t["priority"],
                "notes": t["notes"],
                "tags": t["tags"],
                "remaining": t["remaining_duration"],
                "actual_cost": t["actual_cost"],
            }
            for t in plan["tasks"]
        },
        "resources": {
            r["name"]: (r["cost_rate"], r["availability"], r["calendar"]) for r in plan["resources"]
        },
    }


def export_import(api: httpx.Client, pid: str, fmt: str, **params: str) -> tuple[str, httpx.Response]:
    """Export, then import by the file name the download was given; the new plan's id."""
    exported = api.post(f"/plans/{pid}/export", params={"format": fmt})
    assert exported.status_code == 200, exported.text
    msg = Message()
    msg["content-disposition"] = exported.headers["content-disposition"]
    filename = msg.get_filename()
    imported = api.post("/plans/import", params={"filename": filename, **params}, content=exported.content)
    assert imported.status_code == 201, imported.text
    return imported.json()["data"]["id"], exported


def drop(
    v: dict, *, tasks: tuple[str, ...] = (), top: tuple[str, ...] = (), plan: tuple[str, ...] = ()
) -> dict:
    out = {k: x for k, x in v.items() if k not in top}
    out["tasks"] = {n: {k: x for k, x in t.items() if k not in tasks} for n, t in v["tasks"].items()}
    out["plan"] = {k: x for k, x in v["plan"].items() if k not in plan}
    return out


def test_json_round_trip_keeps_everything(api: httpx.Client) -> None:
    pid = build(api, "Round trip", calendar=CALENDAR, remaining=True)
    before = view(api, pid)
    new_id, exported = export_import(api, pid, "json")
    assert exported.headers["content-type"].startswith("application/json")
    assert exported.json()["plan"]["name"] == "Round trip"  # the plan itself, not an envelope
    assert view(api, new_id) == before
    # Mon-Thu, holiday Tue Dec 8: Design Tue Dec 1 - Thu Dec 3 as recorded; the plan finishes after it
    assert before["dates"]["Design"][:2] == (datetime(2026, 12, 1, 8), datetime(2026, 12, 3, 17))
    again, _ = export_import(api, pid, "json", format="json")  # no file name needed either way
    assert view(api, again) == before
    # the same file again, whatever the database and the new ids: links in the order of their tasks
    _, exported_again = export_import(api, new_id, "json")
    assert _by_name(exported_again.json()) == _by_name(exported.json())


def _by_name(doc: dict) -> dict:
    """A JSON export with each key replaced by the name it stands for, lists kept in their order."""
    names = {x["key"]: x["name"] for x in doc["tasks"] + doc["resources"]}
    text = json.dumps({k: v for k, v in doc.items() if k != "plan"})
    for key, name in names.items():
        text = text.replace(f'"{key}"', json.dumps(name))
    return json.loads(text)


def test_csv_round_trip_keeps_the_plan_start_and_the_dates(api: httpx.Client) -> None:
    """A CSV carries no calendar and no resource rates (the JSON and MSPDI do): on the standard calendar
    every date, link, constraint, assignment and progress field comes back."""
    pid = build(api, "CSV trip", calendar=None, remaining=True)
    before = view(api, pid)
    new_id, exported = export_import(api, pid, "csv")
    assert exported.headers["content-type"].startswith("text/csv")
    after = view(api, new_id)
    assert api.get(f"/plans/{new_id}").json()["data"]["name"] == "CSV trip"  # from the project row
    assert drop(after, top=("resources",)) == drop(before, top=("resources",))
    assert {n: r[:2] for n, r in after["resources"].items()} == {"Ana": (0.0, 1.0), "Bo": (0.0, 1.0)}
    assert before["plan"]["start_date"] == "2026-12-01"
    assert before["dates"]["Design"][:2] == (datetime(2026, 12, 1, 8), datetime(2026, 12, 3, 17))
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0]["ID"] == "0" and rows[0]["Outline Level"] == "0" and rows[0]["Name"] == "CSV trip"
    assert rows[0]["Start"] == "2026-12-01T08:00" and rows[0]["Status Date"] == "2026-12-03"


@pytest.mark.parametrize("fmt", ["mspdi", "mpp"])
def test_microsoft_project_xml_round_trip(api: httpx.Client, fmt: str) -> None:
    """MSPDI carries calendars, resources with rates and calendars, assignments, work and progress; not
    tags, remaining durations, actual costs nor the plan's deadline and description."""
    pid = build(api, "XML trip", calendar=CALENDAR, remaining=False)
    before = view(api, pid)
    new_id, exported = export_import(api, pid, fmt)
    media, name = {
        "mspdi": ("application/xml", "XML_trip.xml"),
        "mpp": ("application/vnd.ms-project", "XML_trip.mpp"),
    }[fmt]
    assert exported.headers["content-type"].startswith(media)
    assert f'filename="{name}"' in exported.headers["content-disposition"]
    after = view(api, new_id)
    not_carried = dict(tasks=("tags", "remaining", "actual_cost"), plan=("end_date", "tags", "description"))
    assert drop(after, **not_carried) == drop(before, **not_carried)
    assert after["calendar"]["holidays"] == ["2026-12-08"] and after["resources"]["Bo"][:2] == (40.0, 0.5)


def test_import_tells_the_format_from_the_name_or_the_content(api: httpx.Client) -> None:
    pid = build(api, "Named", calendar=None, remaining=False)
    xml = api.get(f"/plans/{pid}/export", params={"format": "mspdi"}).content
    for params in ({"filename": "plan.mspdi"}, {"filename": "plan.xml"}, {"filename": "plan.mpp"}, {}):
        r = api.post("/plans/import", params=params, content=xml)
        assert r.status_code == 201, (params, r.text)
    doc = api.get(f"/plans/{pid}/export").content
    assert api.post("/plans/import", content=doc).status_code == 201  # JSON shows itself
    csv_data = api.get(f"/plans/{pid}/export", params={"format": "csv"}).content
    r = api.post("/plans/import", content=csv_data, headers={"content-type": "text/csv"})
    assert r.status_code == 201, r.text
    r = api.post("/plans/import", content=csv_data)
    assert r.status_code == 400 and "say which format" in r.json()["message"]

    ics = api.get(f"/plans/{pid}/export", params={"format": "ics"}).content
    for params in ({"filename": "Named.ics"}, {}, {"format": "ics"}):
        r = api.post("/plans/import", params=params, content=ics)
        assert r.status_code == 415, r.text
        assert r.json()["error_code"] == "UNSUPPORTED_FORMAT" and "cannot be imported" in r.json()["message"]
        assert "json, csv or mspdi" in r.json()["message"]


def test_detect_without_a_server() -> None:
    assert detect("x.mspdi", None) == "mspdi" and detect("x.MPP", None) == "mpxj"
    assert detect(
        "x.mpp", None, b'<?xml version="1.0"?><Project xmlns="http://schemas.microsoft.com/project">'
    )
    assert detect("x.mpp", None, b"\xd0\xcf\x11\xe0rest") == "mpxj"
    assert detect(None, "mpp", b"<Project xmlns='http://schemas.microsoft.com/project'/>") == "mspdi"
    assert detect("x.xml", None, b"<APIBusinessObjects/>") == "mpxj"  # Primavera PMXML: MPXJ reads it


FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "'=already quoted", "''+x"]


def test_csv_cells_cannot_run_as_formulas_and_the_round_trip_keeps_the_text(api: httpx.Client) -> None:
    doc = {
        "plan": {"name": "=cmd|' /C calc'!A0", "start_date": "2026-11-30", "tags": ["-x"]},
        "resources": [{"key": "r", "name": "@Ana"}],
        "tasks": [
            {"key": f"t{i}", "name": name, "notes": f"-note {i}", "tags": ["=tag", "ok"],
             "assignments": [{"resource": "r"}]}
            for i, name in enumerate(FORMULAS)
        ],
        "dependencies": [{"predecessor": "t0", "successor": "t1", "lag": -1}],  # "1FS-1d": not text
    }  # fmt: skip
    pid = api.post("/plans/import", params={"format": "json"}, json=doc).json()["data"]["id"]
    data = api.get(f"/plans/{pid}/export", params={"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    for row in rows:
        for column in ("Name", "Resource Names", "Tags", "Notes"):
            assert not re.match(r"[=+\-@\t\r]", row[column]), (column, row[column])
    assert [r["Name"] for r in rows] == [
        "'=cmd|' /C calc'!A0", "'=HYPERLINK(\"http://x\",\"y\")", "'+1+1", "'-2+3", "'@SUM(A1)",
        "''=already quoted", "'''+x",
    ]  # fmt: skip
    assert rows[0]["Tags"] == "'-x" and rows[1]["Resource Names"] == "'@Ana" and rows[1]["Tags"] == "'=tag;ok"
    assert rows[1]["Notes"] == "'-note 0"
    assert rows[2]["Predecessors"] == "1FS-1d" and rows[2]["% Complete"] == "0"  # numbers stay numbers
    back = api.post("/plans/import", params={"filename": "x.csv", "include": "plan"}, content=data.encode())
    assert back.status_code == 201, back.text
    plan = back.json()["data"]
    assert (plan["name"], plan["tags"], plan["resources"][0]["name"]) == (
        "=cmd|' /C calc'!A0",
        ["-x"],
        "@Ana",
    )
    assert [t["name"] for t in plan["tasks"]] == FORMULAS
    assert [(t["notes"], t["tags"]) for t in plan["tasks"]] == [
        (f"-note {i}", ["=tag", "ok"]) for i in range(len(FORMULAS))
    ]


@pytest.mark.parametrize(
    "text", ["=1", "+", "-", "@", "\t=x", "\rx", "'=x", "''@", "'", "plain", "", "a=b", "'a"]
)
def test_neutralise_and_restore_are_inverse(text: str) -> None:
    assert restore(neutralise(text)) == text
    assert not re.match(r"[=+\-@\t\r]", neutralise(text))


def test_a_plan_name_in_any_script_makes_a_valid_download(api: httpx.Client) -> None:
    pid = api.post("/plans", json={"name": "計画 Ω/2026", "start_date": "2026-11-30"}).json()["data"]["id"]
    add_task(api, pid, "タスク", duration=2)
    for fmt, ext in (("json", "json"), ("csv", "csv"), ("mspdi", "xml"), ("mpp", "mpp"), ("ics", "ics")):
        for method in ("GET", "POST"):
            r = api.request(method, f"/plans/{pid}/export", params={"format": fmt})
            assert r.status_code == 200, (fmt, r.text)
            header = r.headers["content-disposition"]
            header.encode("latin-1")  # a valid HTTP header value
            assert 'filename="Omega' not in header and re.search(r'filename="[\x20-\x7e]+"', header)
            star = re.search(r"filename\*=UTF-8''([^;]+)", header).group(1)
            assert unquote(star) == f"計画 Ω_2026.{ext}"
    only = api.post("/plans", json={"name": "計画"}).json()["data"]["id"]
    header = api.get(f"/plans/{only}/export").headers["content-disposition"]
    assert f'filename="plan_{only}.json"' in header and "filename*=UTF-8''%E8%A8%88%E7%94%BB.json" in header
    assert content_disposition("Launch.csv") == 'attachment; filename="Launch.csv"'


def _doc(name: str, notes: str, description: str = "") -> PlanDocument:
    return PlanDocument(
        plan=DocPlan(name=name, start_date="2026-11-30"),
        tasks=[DocTask(key="a", name=name, notes=notes, description=description)],
    )


def test_ics_escapes_every_line_break_and_control_character() -> None:
    from prometheus.core.scheduler import schedule
    from prometheus.formats.document import to_plan

    doc = _doc("A;b,c\\d", "")
    # stored before NUL was refused at the edge: the writers still cope with it
    doc.tasks[0].description = "one\rtwo\r\nthree\nfour\x00\x01\x1b\tend"
    plan = to_plan(doc)
    s = schedule(plan.tasks, [], start=datetime(2026, 11, 30, 8))
    data = write_ics(doc, s, "p")
    assert b"\r" not in data.replace(b"\r\n", b"") and b"\n" not in data.replace(b"\r\n", b"")
    assert re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", data.replace(b"\r\n", b"")) is None
    text = data.decode().replace("\r\n ", "")  # unfolded
    assert "DESCRIPTION:one\\ntwo\\nthree\\nfour\tend\r\n" in text and "SUMMARY:A\\;b\\,c\\\\d\r\n" in text


def test_mspdi_export_of_control_characters_is_valid_xml() -> None:
    doc = _doc("Badname\x01", "line\x0bone\x1f\ttwo\nthree")
    doc.plan.name = "Bad\x00name\x01"  # stored before NUL was refused at the edge
    root = etree.fromstring(write_mspdi(doc, None))
    ns = {"p": "http://schemas.microsoft.com/project"}
    assert root.findtext("p:Name", namespaces=ns) == "Badname"
    assert root.findtext("p:Tasks/p:Task/p:Notes", namespaces=ns) == "lineone\ttwo\nthree"


def test_csv_reader_refuses_bad_cells_clearly() -> None:
    for data, needle in (
        (b"ID,Outline Level,Name\n1,one,A\n", "Outline Level"),
        (b"ID,Outline Level,Name\n1,1,A\n0,0,Project\n", "project row"),
        (b"Name,Remaining Duration\nA,2ed\n", "elapsed"),
        (b"Name,Actual Start\nA,yesterday\n", "line 2"),
        (b"ID,Outline Level,Name,Start\n0,0,P,someday\n1,1,A,\n", "project row"),
    ):
        with pytest.raises(Exception, match=needle):
            read_csv(data)
    doc = read_csv(b"Name,Duration\nA,2d\n")  # no project row: named by the caller or "Imported plan"
    assert doc.plan.name == "Imported plan" and doc.plan.start_date is None
    assert write_csv(doc, None).startswith(b"\xef\xbb\xbfID,Outline Level,Name")  # UTF-8, for Excel


def test_elapsed_durations_round_trip_through_csv_and_mspdi() -> None:
    doc = read_csv(b"Name,Duration,Remaining Duration\nCure,2ed,12eh\nDig,3d,\n")
    assert [(t.duration, t.duration_unit.value, t.remaining_duration) for t in doc.tasks] == [
        (2, "edays", 0.5),
        (3, "days", None),
    ]
    for again in (read_csv(write_csv(doc, None)), read_mspdi(write_mspdi(doc, None))):
        assert [(t.duration, t.duration_unit.value) for t in again.tasks] == [(2, "edays"), (3, "days")]


RESOURCE_NAMES = ["Ana;Bo", "Smith, John", "Lab [B]", "Ana[50%]", "C:\\", "x\\;y", "=Ana", "Plain"]


def test_csv_round_trip_keeps_any_resource_name_and_the_descriptions(api: httpx.Client) -> None:
    """`Resource Names` escapes a `\\`, `;`, `,` or `[` of a name (`Ana\\;Bo[50%]`), so that every name comes
    back as it was with its units; a task's description comes back in its own column."""
    doc = {
        "plan": {"name": "names"},
        "resources": [{"key": f"r{i}", "name": n} for i, n in enumerate(RESOURCE_NAMES)],
        "tasks": [
            {"key": "a", "name": "A", "description": "why A\nand how", "notes": "-noted",
             "assignments": [{"resource": f"r{i}", "units": 0.5 if i % 2 else 1}
                             for i in range(len(RESOURCE_NAMES))]},
            {"key": "b", "name": "B", "description": "=B's own"},
        ],
    }  # fmt: skip
    pid = api.post("/plans/import", params={"format": "json"}, json=doc).json()["data"]["id"]
    data = api.get(f"/plans/{pid}/export", params={"format": "csv"}).content
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1]["Resource Names"].startswith("Ana\\;Bo;Smith\\, John[50%];Lab \\[B];"), rows[1]
    back = api.post("/plans/import", params={"format": "csv", "include": "plan"}, content=data)
    assert back.status_code == 201, back.text
    plan = back.json()["data"]
    name = {r["id"]: r["name"] for r in plan["resources"]}
    assert sorted(name.values()) == sorted(RESOURCE_NAMES)
    a, b = plan["tasks"]
    assert [(name[x["resource_id"]], x["units"]) for x in a["assignments"]] == [
        (n, 0.5 if i % 2 else 1) for i, n in enumerate(RESOURCE_NAMES)
    ]
    assert (a["description"], a["notes"], b["description"]) == ("why A\nand how", "-noted", "=B's own")
    two = read_csv(b"Name,Resource Names\nA,Smith; John\n")  # as Microsoft Project reads it: two names
    assert [r.name for r in two.resources] == ["Smith", "John"]


def test_a_plan_that_cannot_be_scheduled_is_still_exported_as_json(api: httpx.Client) -> None:
    """JSON holds the data alone: a plan whose schedule would span too long (a million weeks, within the
    API's bounds) can still be taken out whole; the formats that carry dates say why they cannot."""
    pid = api.post("/plans", json={"name": "Too long", "start_date": "2027-01-04"}).json()["data"]["id"]
    api.post(f"/plans/{pid}/tasks", json={"name": "Forever", "duration": 1_000_000, "duration_unit": "weeks"})
    assert api.get(f"/plans/{pid}/timeline").status_code == 422
    r = api.get(f"/plans/{pid}/export", params={"format": "json"})
    assert r.status_code == 200 and r.json()["tasks"][0]["duration"] == 1_000_000, r.text[:300]
    r = api.get(f"/plans/{pid}/export", params={"format": "csv"})
    assert r.status_code == 422 and "200 years" in r.json()["message"], r.text
