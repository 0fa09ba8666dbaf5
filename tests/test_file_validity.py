"""The files Prometheus writes are files their programs take: Microsoft Project XML in its schema's element
order with its required elements and value forms (Project refuses a file that is not), CSV as spreadsheets
open it and save it, iCalendar as RFC 5545 has it; and a varied plan comes back the same through each."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import time

import httpx
import pytest
from lxml import etree

from prometheus.core.documents import PlanDocument
from prometheus.errors import ValidationFailed
from prometheus.formats.csv_format import read_csv, write_csv
from prometheus.formats.ics import write_ics
from prometheus.formats.mspdi import read_mspdi, write_mspdi
from prometheus.formats.registry import detect, import_bytes, read_plan
from tests.test_roundtrip import drop, export_import, view
from tests.varied_plan import ODD, scheduled, varied

P = "{http://schemas.microsoft.com/project}"
# the elements Prometheus writes, in the order of their sequence in Project 2013's schema (mspdi_pj15.xsd);
# each element's children must come in this order (each may be left out but where REQUIRED says)
SCHEMA_ORDER = {
    "Project": (
        "SaveVersion", "UID", "Name", "GUID", "Title", "ScheduleFromStart", "StartDate", "FinishDate",
        "CurrencyCode", "CalendarUID", "DefaultStartTime", "DefaultFinishTime", "MinutesPerDay",
        "MinutesPerWeek", "MoveRemainingStartsForward", "StatusDate", "Calendars", "Tasks", "Resources",
        "Assignments",
    ),
    "Task": (
        "UID", "ID", "Name", "Type", "OutlineLevel", "Priority", "Start", "Finish", "Duration",
        "DurationFormat", "Work", "Resume", "EffortDriven", "Milestone", "Summary", "Critical", "EarlyStart",
        "EarlyFinish", "LateStart", "LateFinish", "PercentComplete", "ActualStart", "ActualFinish",
        "ActualDuration", "RemainingDuration", "ConstraintType", "CalendarUID", "ConstraintDate",
        "Deadline", "LevelingDelay", "LevelingDelayFormat", "IgnoreResourceCalendar", "Notes",
        "PredecessorLink", "Active", "Manual", "ManualStart", "ManualFinish",
    ),
    "PredecessorLink": ("PredecessorUID", "Type", "LinkLag", "LagFormat"),
    "Resource": ("UID", "ID", "Name", "Type", "MaxUnits", "StandardRate", "CalendarUID"),
    "Assignment": (
        "UID", "TaskUID", "ResourceUID", "ActualWork", "Delay", "RemainingWork", "Units", "Work",
        "WorkContour", "TimephasedData",
    ),
    "TimephasedData": ("Type", "UID", "Start", "Finish", "Unit", "Value"),
    "Calendar": ("UID", "Name", "IsBaseCalendar", "BaseCalendarUID", "WeekDays", "Exceptions"),
    "WeekDay": ("DayType", "DayWorking", "WorkingTimes"),
    "Exception": (
        "EnteredByOccurrences", "TimePeriod", "Occurrences", "Name", "Type", "DayWorking", "WorkingTimes",
    ),
    "TimePeriod": ("FromDate", "ToDate"),
    "WorkingTime": ("FromTime", "ToTime"),
}  # fmt: skip
REQUIRED = {
    "Project": ("SaveVersion", "CurrencyCode"),
    "Task": ("UID",),
    "Resource": ("UID",),
    "Assignment": ("UID",),
    "Calendar": ("UID",),
    "WeekDay": ("DayType",),
}
INTEGER = re.compile(r"^-?\d+$")
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
DURATION = re.compile(r"^-?PT\d+H\d+M\d+S$")
KIND = {  # the schema's type of each field Prometheus writes, where it is not a string
    DECIMAL: ("StandardRate", "MaxUnits", "Units"),
    INTEGER: ("UID", "ID", "SaveVersion", "CalendarUID", "MinutesPerDay", "MinutesPerWeek", "OutlineLevel",
              "Priority", "PercentComplete", "ConstraintType", "DurationFormat", "LevelingDelay", "Delay",
              "LinkLag", "LagFormat", "PredecessorUID", "TaskUID", "ResourceUID", "Type", "DayType",
              "Occurrences", "Unit", "WorkContour", "BaseCalendarUID"),
    re.compile("^[01]$"): ("ScheduleFromStart", "Active", "Manual", "Milestone", "Summary", "Critical",
                           "EffortDriven", "IgnoreResourceCalendar", "IsBaseCalendar", "DayWorking",
                           "EnteredByOccurrences", "MoveRemainingStartsForward"),
    DATE_TIME: ("StartDate", "FinishDate", "StatusDate", "Start", "Finish", "EarlyStart", "EarlyFinish",
                "LateStart", "LateFinish", "ActualStart", "ActualFinish", "ConstraintDate", "Deadline",
                "Resume", "ManualStart", "ManualFinish", "FromDate", "ToDate"),
    DURATION: ("Duration", "Work", "ActualDuration", "RemainingDuration", "ActualWork", "RemainingWork"),
    re.compile(r"^\d\d:\d\d:\d\d$"): ("DefaultStartTime", "DefaultFinishTime", "FromTime", "ToTime"),
}  # fmt: skip
MAX_LENGTH = {"Project": 255, "Task": 512, "Resource": 512, "Calendar": 512, "Exception": 512}  # of Name


def _name(el: etree._Element) -> str:
    return etree.QName(el).localname


def schema_problems(data: bytes) -> list[str]:
    """Where the file leaves the schema: elements out of order or missing, values of the wrong form."""
    problems = []
    for el in etree.fromstring(data).iter(etree.Element):
        tags = [_name(c) for c in el]
        parent = _name(el)
        if parent in SCHEMA_ORDER:
            order = SCHEMA_ORDER[parent]
            unknown = [t for t in tags if t not in order]
            ranks = [order.index(t) for t in tags if t in order]
            if unknown or ranks != sorted(ranks):
                problems.append(f"{parent}: {tags}")
        problems += [f"{parent} without {t}" for t in REQUIRED.get(parent, ()) if t not in tags]
        if parent == "WorkingTimes" and len(el) > 5:  # the most periods of a day the schema holds
            problems.append(f"{len(el)} WorkingTime")
        if not len(el) and el.getparent() is not None:
            for form, fields in KIND.items():
                if parent in fields and not form.match(el.text or ""):
                    problems.append(f"{parent} {el.text!r}")
            if parent == "Name" and len(el.text) > MAX_LENGTH[_name(el.getparent())]:
                problems.append(f"{_name(el.getparent())} Name of {len(el.text)} characters")
    return problems


@pytest.mark.parametrize("with_schedule", [True, False])
def test_mspdi_export_fits_microsoft_projects_schema(with_schedule: bool) -> None:
    doc = varied()
    doc.resources[0].calendar.name = "Part time " * 60  # a calendar's Name holds 512 characters
    data = write_mspdi(doc, scheduled(doc) if with_schedule else None)
    assert schema_problems(data) == []
    root = etree.fromstring(data)
    tags = {t.findtext(f"{P}Name"): [_name(c) for c in t] for t in root.iter(f"{P}Task")}
    assert tags["Manual"][:3] == ["UID", "ID", "Name"]
    assert tags["Manual"][-3:] == ["Manual", "ManualStart", "ManualFinish"]
    assert tags["Cancelled"][-2:] == ["Active", "Manual"]
    assert root.findtext(f"{P}CurrencyCode") == "USD"


def test_the_schema_check_finds_what_project_refuses() -> None:
    """The check above fails on a file out of order, without a required element or with a value of the
    wrong form (so that it cannot pass whatever the writer does)."""
    ns = 'xmlns="http://schemas.microsoft.com/project"'
    bad = (
        f"<Project {ns}><Name>x</Name><SaveVersion>14</SaveVersion><Tasks><Task><Name>t</Name><UID>1</UID>"
        "<Milestone>yes</Milestone><Duration>P1D</Duration></Task></Tasks><Resources><Resource><UID>1</UID>"
        "<StandardRate>1e+06</StandardRate></Resource></Resources></Project>"
    )
    assert schema_problems(bad.encode()) == [
        "Project: ['Name', 'SaveVersion', 'Tasks', 'Resources']",
        "Project without CurrencyCode",
        "Task: ['Name', 'UID', 'Milestone', 'Duration']",
        "Milestone 'yes'",
        "Duration 'P1D'",
        "StandardRate '1e+06'",
    ]


def test_a_long_plan_name_comes_back_whole_from_mspdi() -> None:
    """Project's Name holds 255 characters, its Title 512: a longer plan name is cut in Name, whole in
    Title, and read whole again; resource rates keep every digit."""
    doc = varied()
    assert len(doc.plan.name) > 255
    again = read_mspdi(write_mspdi(doc, scheduled(doc)))
    assert again.plan.name == doc.plan.name
    assert [t.name for t in again.tasks] == [t.name for t in doc.tasks]
    assert {r.name: r.cost_rate for r in again.resources}["Ana & Co"] == 1234567.25


def _same_plan(a: PlanDocument, b: PlanDocument) -> None:
    """The same tasks (every field but keys), links (by task names) and plan."""
    names_a, names_b = ({t.key: t.name for t in d.tasks} for d in (a, b))
    assert [t.model_dump(exclude={"key", "parent"}) for t in a.tasks] == [
        t.model_dump(exclude={"key", "parent"}) for t in b.tasks
    ]
    assert [names_a.get(t.parent) for t in a.tasks] == [names_b.get(t.parent) for t in b.tasks]
    links = [
        sorted((n[d.predecessor], n[d.successor], d.type, d.lag, d.lag_unit) for d in doc.dependencies)
        for doc, n in ((a, names_a), (b, names_b))
    ]
    assert links[0] == links[1]
    assert a.plan == b.plan


def _as_excel_saves(data: bytes, delimiter: str, encoding: str, empty_rows: int = 2) -> bytes:
    """The CSV as a spreadsheet saves it: its separator, CRLF line ends, every row as wide as the widest
    with empty cells after (and rows of empty cells at the end), in the encoding asked for."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    width = max(map(len, rows)) + 2
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows + [[]] * empty_rows:
        w.writerow(row + [""] * (width - len(row)))
    return out.getvalue().encode(encoding)


def test_csv_export_opens_in_a_spreadsheet_as_utf8() -> None:
    """Excel reads a CSV as the system's code page unless it begins with a UTF-8 byte order mark."""
    doc = varied()
    data = write_csv(doc, scheduled(doc))
    assert data.startswith(b"\xef\xbb\xbfID,Outline Level,Name,")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0]["Name"].startswith("Varied & <plan> ☃")
    assert rows[1]["Name"].startswith("Phase ") and rows[2]["Notes"] == ODD
    assert rows[3]["Actual Start"] == "2026-12-02T08:00" and rows[3]["Duration"] == "2w"


@pytest.mark.parametrize(
    "delimiter, encoding",
    [(",", "utf-8-sig"), (";", "utf-8-sig"), ("\t", "utf-8"), (";", "cp1252"), ("\t", "utf-16")],
)
def test_csv_saved_by_a_spreadsheet_imports_as_exported(delimiter: str, encoding: str) -> None:
    """Excel saves `;`-separated CSV where `,` is the decimal comma (German, French...), its "Unicode Text"
    tab-separated in UTF-16, CRLF line ends,
    empty cells and rows it had shown, and "CSV (Comma delimited)" in the Windows code page."""
    doc = varied(long_names=False)
    if encoding == "cp1252":  # what that code page holds
        doc = PlanDocument.model_validate_json(
            doc.model_dump_json().encode(encoding, "replace").decode(encoding)
        )
    data = write_csv(doc, scheduled(doc))
    exported = read_csv(data)
    _same_plan(read_csv(_as_excel_saves(data, delimiter, encoding)), exported)


def _events(data: bytes) -> list[dict[str, str]]:
    """The events of an iCalendar file, unfolded (RFC 5545 3.1), each property by name."""
    lines = data.decode().replace("\r\n ", "").split("\r\n")
    events, event = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            event = {}
        elif line == "END:VEVENT":
            events.append(event)
            event = None
        elif event is not None:
            name, _, value = line.partition(":")
            event[name] = value
    return events


def test_ics_export_keeps_rfc_5545() -> None:
    """Lines of at most 75 octets, folded between UTF-8 characters; TEXT escaped; DTEND after DTSTART
    (a milestone, an instant, has DTSTART alone: 3.6.1); STATUS one of an event's (3.8.1.11)."""
    doc = varied()
    doc.tasks[1].description = ODD + "☃" * 100
    data = write_ics(doc, scheduled(doc), "p1")
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode()  # no character split between lines
    assert b"\n" not in data.replace(b"\r\n", b"")
    events = {e["SUMMARY"]: e for e in _events(data)}
    for e in events.values():
        assert re.fullmatch(r"\d{8}T\d{6}", e["DTSTART"]), e
        assert "DTEND" not in e or e["DTEND"] > e["DTSTART"], e
        assert e["STATUS"] in ("TENTATIVE", "CONFIRMED", "CANCELLED"), e
    milestone = events["◆ Milestone ◆"]
    assert "DTEND" not in milestone and milestone["DTSTART"] == "20270121T103000"
    assert events["Done"]["STATUS"] == "CONFIRMED" and "COMPLETED" in events["Done"]["CATEGORIES"]
    assert "Cancelled" not in events  # it schedules nothing
    a = events["=cmd|' /C calc'!A0"]["DESCRIPTION"]
    assert a.startswith("a & b < c > d \"q\" 's' \\; \\, \\\\ \ttab\\nnew\\nline ☃ 日本 🚀")


def test_a_file_scheduled_without_a_server_keeps_its_assignments_work() -> None:
    """`prometheus schedule FILE` reads the file as a plan: its assignments' own work, delay and contour
    (what resource usage and leveling go by) are the file's, as an import to the server keeps them."""
    doc = varied(long_names=False)
    plan = read_plan(json.dumps(doc.model_dump(mode="json")).encode(), "varied.json")
    work = next(t for t in plan.tasks if t.name == "Work")
    assert [(a.resource_id, a.work, a.delay, a.contour.value) for a in work.assignments] == [
        ("r1", 16, 0, "back_loaded"),
        ("r3", 8, 4, "flat"),
    ]


@pytest.mark.parametrize("fmt", ["json", "csv", "mspdi"])
def test_varied_plan_comes_back_the_same_through_each_format(api: httpx.Client, fmt: str) -> None:
    """Export, import: the same tasks, links and scheduled dates (a CSV carries no calendars, splits nor
    assignments' own work: its plan has none); what each format leaves out is in README."""
    doc = varied(calendars=fmt != "csv")
    r = api.post("/plans/import", params={"format": "json"}, json=doc.model_dump(mode="json"))
    assert r.status_code == 201, r.text
    pid = r.json()["data"]["id"]
    before = view(api, pid)
    new_id, _ = export_import(api, pid, fmt)
    after = view(api, new_id)
    assert after["dates"] == before["dates"] and after["project"] == before["project"]
    assert after["links"] == before["links"] and len(before["links"]) == len(doc.dependencies)
    not_carried = {
        "json": {},
        "csv": {"top": ("resources",)},
        "mspdi": {"tasks": ("tags", "remaining", "actual_cost"), "plan": ("end_date", "tags", "description")},
    }[fmt]
    assert drop(after, **not_carried) == drop(before, **not_carried)
    assert api.get(f"/plans/{new_id}").json()["data"]["name"] == doc.plan.name


def test_csv_keeps_every_digit_of_its_numbers() -> None:
    """Durations, lags, work, percentages and costs are written whole (`%g` kept 6 digits: an actual cost
    of 1,234,567.25 came back as 1,234,570, a duration of 1234.5678 days as 1234.57)."""
    doc = PlanDocument.model_validate(
        {
            "plan": {"name": "digits", "start_date": "2026-12-01"},
            "tasks": [
                {"key": "a", "name": "A", "duration": 1234.5678, "percent_complete": 33.333333,
                 "actual_start": "2026-12-01T08:00:00", "status": "in_progress", "actual_cost": 1234567.25,
                 "work": 12345.67, "leveling_delay": 1.234567, "remaining_duration": 0.00001},
                {"key": "b", "name": "B", "duration": 0.00001},
            ],
            "dependencies": [
                {"predecessor": "a", "successor": "b", "lag": -0.123456789, "lag_unit": "hours"}
            ],
        }
    )  # fmt: skip
    again = read_csv(write_csv(doc, None))
    fields = ("duration", "percent_complete", "actual_cost", "work", "leveling_delay", "remaining_duration")
    assert [[getattr(t, f) for f in fields] for t in again.tasks] == [
        [getattr(t, f) for f in fields] for t in doc.tasks
    ]
    assert again.dependencies[0].lag == -0.123456789


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_json_saved_with_a_byte_order_mark_imports(encoding: str) -> None:
    """Notepad and PowerShell save JSON with a byte order mark (Windows PowerShell's `>` in UTF-16): RFC
    8259 lets a reader ignore the mark, and a marked UTF-16 or UTF-32 text says its encoding."""
    doc = varied(long_names=False)
    text = json.dumps(doc.model_dump(mode="json"), ensure_ascii=False)
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    assert import_bytes(data, detect("plan.json", None, data)) == doc
    with pytest.raises(ValidationFailed, match="not valid JSON"):
        import_bytes(b"\xff\xfe{\x00\xd8", "json")  # a mark, then no UTF-16


def test_csv_as_microsoft_project_saves_it_imports() -> None:
    """Project's CSV export writes durations in words (`5 days`, `2 wks`, `30 mins`, `1 mon`, `3 edays`,
    `1 day?` when estimated), `NA` for a date it has not, `25%`, constraints by name and priorities as
    numbers."""
    data = (
        b"ID,Name,Duration,Predecessors,Outline Level,% Complete,Priority,Constraint Type,Constraint Date,"
        b"Deadline,Actual Start,Actual Finish\r\n"
        b"1,Phase,10 days,,1,0%,500,As Soon As Possible,NA,NA,NA,NA\r\n"
        b"2,Design,2 wks,,2,25%,700,Start No Earlier Than,2026-12-02T08:00,NA,2026-12-02T08:00,NA\r\n"
        b"3,Call,30 mins,2FS+4 hrs,2,0%,300,Finish No Later Than,2026-12-24T17:00,2026-12-31T17:00,NA,NA\r\n"
        b"4,Cure,3 edays,3,2,0%,1000,As Late As Possible,NA,NA,NA,NA\r\n"
        b"5,Wait,1 mon,4SS+1 ewk,2,0%,500,Must Start On,2027-01-04T08:00,NA,NA,NA\r\n"
        b"6,Guess,1 day?,5,1,0%,500,As Soon As Possible,NA,NA,NA,NA\r\n"
    )
    doc = read_csv(data)
    assert [(t.duration, t.duration_unit.value) for t in doc.tasks] == [
        (10, "days"), (2, "weeks"), (0.5, "hours"), (3, "edays"), (20, "days"), (1, "days"),
    ]  # fmt: skip
    assert [t.constraint_type.value for t in doc.tasks] == ["ASAP", "SNET", "FNLT", "ALAP", "MSO", "ASAP"]
    assert [t.priority.value for t in doc.tasks] == ["medium", "high", "low", "critical", "medium", "medium"]
    design = doc.tasks[1]
    assert design.percent_complete == 25 and design.actual_start.isoformat() == "2026-12-02T08:00:00"
    assert design.actual_finish is None and doc.tasks[0].deadline is None
    assert [(d.type.value, d.lag, d.lag_unit.value) for d in doc.dependencies] == [
        ("FS", 4, "hours"), ("FS", 0, "days"), ("SS", 1, "eweeks"), ("FS", 0, "days"),
    ]  # fmt: skip


def test_mspdi_day_of_more_working_periods_than_project_holds() -> None:
    """Project holds at most 5 working periods a day: periods that touch are one (written joined), more
    than 5 apart cannot be written (a 422 naming the calendar, not a file Project refuses)."""
    hours = [["06:00", "07:00"], ["07:00", "08:00"], ["09:00", "10:00"], ["11:00", "12:00"],
             ["13:00", "14:00"], ["15:00", "16:00"]]  # fmt: skip
    shifts = {"name": "Shifts", "working_hours": hours}
    doc = PlanDocument.model_validate(
        {
            "plan": {"name": "p", "start_date": "2026-12-01", "calendar": shifts},
            "tasks": [{"key": "a", "name": "A"}],
        }
    )
    data = write_mspdi(doc, scheduled(doc))
    assert schema_problems(data) == []
    again = read_mspdi(data)
    periods = again.plan.calendar.working_hours
    assert [(a.isoformat("minutes"), b.isoformat("minutes")) for a, b in periods][:2] == [
        ("06:00", "08:00"), ("09:00", "10:00"),
    ]  # fmt: skip
    doc.plan.calendar.working_hours[1] = (time(7, 30), time(8))
    with pytest.raises(ValidationFailed, match="'Shifts' has 6 working periods"):
        write_mspdi(doc, None)
