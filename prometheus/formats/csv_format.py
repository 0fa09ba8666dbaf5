r"""CSV in Microsoft Project's export layout: one task a row, `Outline Level` for the WBS, predecessors as
`3FS+2d` (task ID, link type, lag; a lag `+50%` or `-25e%` is that part of the predecessor's duration),
resources as `Ana;Bo[50%]`.

The first row (ID 0, outline level 0) is the project itself, as Project's project summary task: its name,
start date, deadline (`Deadline`), status date, tags and description (`Notes`). The task rows carry
durations, constraints, deadlines, links, assignments and progress (% complete, actual start and finish,
remaining duration, actual cost), notes (`Notes`) and description (`Description`). A CSV has no place for
calendars or resource rates: the JSON and MSPDI exports carry those. Each row's `ID` is its own.

`Resource Names` lists names separated by `;` (`,` is read as one too), each followed by its units as
`[50%]` when they are not 100%. In a name, a `\`, `;`, `,` or `[` is written behind a backslash
(`Smith\; John`, `Lab \[B]`), so that any name comes back as it was; a backslash before any other
character is itself. A cell `Smith; John` names two resources, as Microsoft Project reads it.

Text cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
return; OWASP's CSV injection guidance) are written with a leading `'`, which the reader takes off again.

The file is UTF-8 with a byte order mark, so that Excel reads it as UTF-8. The reader takes what
spreadsheets save: UTF-8, marked UTF-16 or Excel's Windows code page, `,`, `;` or tab between cells, rows
of empty cells; and what Project's own CSV export writes: `5 days`, `30 mins`, `NA` dates, `25%`,
`Start No Earlier Than`, priorities as numbers, dates in its short formats (`Mon 12/1/26 8:00 AM`:
csv_cells.py).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from pydantic import ValidationError

from prometheus.core.documents import DocAssignment, DocLink, DocPlan, DocResource, DocTask, PlanDocument
from prometheus.core.model import Calendar
from prometheus.core.scheduler import Schedule
from prometheus.errors import ValidationFailed
from prometheus.formats.csv_cells import ISO_DATE, blank, iso_dates, money, spreadsheet_rows
from prometheus.formats.document import refused, wbs_order
from prometheus.formats.mspdi_links import percent_lag
from prometheus.formats.mspdi_values import number as exact  # every digit, no exponent

COLUMNS = [
    "ID", "Outline Level", "Name", "Duration", "Start", "Finish", "Predecessors", "Resource Names",
    "% Complete", "Priority", "Status", "Milestone", "Constraint Type", "Constraint Date", "Tags", "Notes",
    "Deadline", "Actual Start", "Actual Finish", "Remaining Duration", "Actual Cost", "Work", "Effort Driven",
    "Type", "Status Date", "Task Mode", "Leveling Delay", "Resume", "Description",
]  # fmt: skip
MANUAL = "Manually Scheduled"  # Task Mode, as Microsoft Project writes it; Start and Finish are its dates
# a task field's column, for naming a refused cell
_FIELD_COLUMNS = {c.lower().replace(" ", "_"): c for c in COLUMNS} | {"percent_complete": "% Complete"}
_FIELD_COLUMNS |= {"task_type": "Type", "manual_start": "Start", "manual_finish": "Finish"}
TEXT_COLUMNS = ("Name", "Resource Names", "Tags", "Notes", "Description")  # user text: kept from formulas
_UNIT = {"hours": "h", "days": "d", "weeks": "w", "ehours": "eh", "edays": "ed", "eweeks": "ew"}
_WORDS = {"hr": "hours", "hrs": "hours", "hour": "hours", "day": "days", "wk": "weeks", "wks": "weeks"}
_WORDS |= {"week": "weeks"} | {u: u for u in ("hours", "days", "weeks")}  # as Project writes them
_UNIT_BACK = {v: k for k, v in _UNIT.items()} | _WORDS | {"e" + w: "e" + u for w, u in _WORDS.items()}
# minutes and months (Project's: 20 working days, 30 elapsed) in the units a plan has
_SCALED = {"min": (1 / 60, "hours"), "mins": (1 / 60, "hours"), "mon": (20.0, "days"), "mons": (20.0, "days")}
_SCALED |= {"emin": (1 / 60, "ehours"), "emins": (1 / 60, "ehours"), "emon": (30.0, "edays")}
_SCALED |= {"emons": (30.0, "edays")}
_CONSTRAINT_NAMES = {  # Project's names of the constraint types
    "as soon as possible": "ASAP", "as late as possible": "ALAP", "must start on": "MSO",
    "must finish on": "MFO", "start no earlier than": "SNET", "start no later than": "SNLT",
    "finish no earlier than": "FNET", "finish no later than": "FNLT",
}  # fmt: skip
_HOURS = {"hours": 1.0, "days": 8.0, "weeks": 40.0}  # a CSV has no calendar: the standard one
_HOURS |= {"ehours": 1.0, "edays": 24.0, "eweeks": 168.0}
_AMOUNT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*\??\s*$")
_PRED = re.compile(
    r"^\s*(\d+)\s*(FS|SS|FF|SF)?\s*(?:([+-])\s*(\d+(?:\.\d+)?)\s*([a-z]*%?))?\s*$", re.IGNORECASE
)
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")  # what a spreadsheet runs, behind any quotes already there
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")
_NAME_ESCAPE = re.compile(r"\\([\\;,\[])")  # \; in a resource name: a ; of the name
_ASSIGNED = re.compile(r"(?:\\[\\;,\[]|[^;,])+")  # one name with its units, up to a separator
_UNITS = re.compile(r"^((?:\\[\\;,\[]|.)*?)(?:\[(\d+(?:\.\d+)?)%\])?$", re.DOTALL)


def neutralise(text: str) -> str:
    """`=1+1` -> `'=1+1` (OWASP). A text that already starts with quotes before such a character gets one
    more, so that `restore` gives back exactly what was written."""
    return "'" + text if _FORMULA.match(text) else text


def restore(cell: str) -> str:
    """The text `neutralise` was given."""
    return cell[1:] if _ESCAPED.match(cell) else cell


def _resource_cell(name: str, units: float) -> str:
    """A name in `Resource Names`, its separators and brackets escaped, with its units unless 100%."""
    return re.sub(r"([\\;,\[])", r"\\\1", name) + (f"[{units:.0%}]" if units != 1 else "")


def _resources_of(cell: str) -> list[tuple[str, float]]:
    """The names and units a `Resource Names` cell lists (what `_resource_cell` wrote, joined by `;`)."""
    out = []
    for part in _ASSIGNED.findall(cell):
        m = _UNITS.match(part.strip())
        name = _NAME_ESCAPE.sub(r"\1", m.group(1)).strip()
        if name:
            out.append((name, float(m.group(2)) / 100 if m.group(2) else 1.0))
    return out


def _amount(value: float, unit: str) -> str:
    return f"{exact(value)}{_UNIT[unit]}"


def _when(dt: datetime | None) -> str:
    if dt is None:
        return ""
    return dt.isoformat(timespec="minutes" if not (dt.second or dt.microsecond) else "seconds")


def write_csv(doc: PlanDocument, s: Schedule | None) -> bytes:
    order = wbs_order(doc)  # rows in outline order, so that Outline Level rebuilds the hierarchy
    number = {t.key: i + 1 for i, (t, _) in enumerate(order)}
    names = {r.key: r.name for r in doc.resources}
    preds: dict[str, list[str]] = {}
    for d in doc.dependencies:
        lag = ""
        if d.lag:
            lag = ("+" if d.lag > 0 else "-") + _amount(abs(d.lag), d.lag_unit.value)
        preds.setdefault(d.successor, []).append(f"{number[d.predecessor]}{d.type.value}{lag}")

    out = io.StringIO()
    w = csv.DictWriter(out, COLUMNS)
    w.writeheader()
    p = doc.plan
    start = s.project_start if s else None
    if p.start_date is not None:  # the plan's own start date, even on a day off
        start = datetime.combine(
            p.start_date, p.default_start_time or (p.calendar or Calendar()).working_hours[0][0]
        )
    project = {
        "ID": 0,
        "Outline Level": 0,
        "Name": p.name,
        "Duration": _amount(round(s.span_minutes / s.minutes_per_day, 4), "days") if s else "",
        "Start": _when(start),
        "Finish": _when(s.project_finish) if s else "",
        "Tags": ";".join(p.tags),
        "Notes": p.description,
        "Deadline": p.end_date.isoformat() if p.end_date else "",
        "Status Date": p.status_date.isoformat() if p.status_date else "",
    }
    rows = [project]
    for t, level in order:
        st = s.tasks.get(t.key) if s else None
        unit = t.duration_unit.value
        rows.append(
            {
                "ID": number[t.key],
                "Outline Level": level,
                "Name": t.name,
                "Duration": _amount(t.duration, unit),
                "Start": _when(st.start) if st else _when(t.manual_start if t.manual else None),
                "Finish": _when(st.finish) if st else _when(t.manual_finish if t.manual else None),
                "Predecessors": ";".join(preds.get(t.key, [])),
                "Resource Names": ";".join(_resource_cell(names[a.resource], a.units) for a in t.assignments),
                "% Complete": exact(t.percent_complete),
                "Priority": t.priority.value,
                "Status": t.status.value,
                "Milestone": "Yes" if t.milestone else "No",
                "Constraint Type": t.constraint_type.value,
                "Constraint Date": _when(t.constraint_date),
                "Tags": ";".join(t.tags),
                "Notes": t.notes,
                "Description": t.description,
                "Deadline": _when(t.deadline),
                "Actual Start": _when(t.actual_start),
                "Actual Finish": _when(t.actual_finish),
                "Remaining Duration": _amount(t.remaining_duration, unit)
                if t.remaining_duration is not None
                else "",
                "Actual Cost": exact(t.actual_cost) if t.actual_cost is not None else "",
                "Work": _amount(t.work, "hours") if t.work is not None else "",
                "Effort Driven": "Yes" if t.effort_driven else "No",
                "Type": t.task_type.value.replace("_", " ").title(),  # Fixed Units, as Project names it
                "Task Mode": MANUAL if t.manual else "Auto Scheduled",
                "Leveling Delay": _amount(t.leveling_delay, t.leveling_delay_unit.value)
                if t.leveling_delay
                else "",
                "Resume": _when(t.resume),
            }
        )
    for row in rows:
        for column in TEXT_COLUMNS:
            row[column] = neutralise(str(row.get(column) or ""))
        w.writerow(row)
    return out.getvalue().encode("utf-8-sig")  # the byte order mark: Excel reads the file as UTF-8


def _parse_amount(text: str, where: str) -> tuple[float, str]:
    m = _AMOUNT.match(text.lower())
    if not m or (m.group(2) and m.group(2) not in _UNIT_BACK and m.group(2) not in _SCALED):
        raise ValidationFailed(f"{where}: cannot read the duration {text!r} (use e.g. 3d, 4h, 2w, 1ed)")
    if m.group(2) in _SCALED:
        factor, unit = _SCALED[m.group(2)]
        return round(float(m.group(1)) * factor, 6), unit
    return float(m.group(1)), _UNIT_BACK.get(m.group(2) or "d", "days")


def _date(row: dict, column: str) -> str | None:
    """A date cell; None for an empty one and Project's `NA`."""
    text = (row.get(column) or "").strip()
    return None if text in ("", "NA") else text


def _choices(row: dict) -> dict:
    """% Complete (`25` or Project's `25%`), Priority (a name, or Project's number 0-1000) and Constraint
    Type (ASAP..., or Project's name of it)."""
    priority = (row.get("Priority") or "medium").strip().lower()
    if priority.isdigit():
        n = int(priority)
        priority = "low" if n < 400 else "medium" if n < 600 else "high" if n < 800 else "critical"
    kind = (row.get("Constraint Type") or "ASAP").strip()
    percent = (row.get("% Complete") or "0").strip()
    try:
        done = float(percent.removesuffix("%") or 0)
    except ValueError:
        raise ValueError(f"% Complete: {percent[:100]!r} is not a number (e.g. 25 or 25%)") from None
    return {
        "percent_complete": done,
        "priority": priority,
        "constraint_type": _CONSTRAINT_NAMES.get(kind.lower(), kind.upper()),
    }


def _in_unit(text: str, unit: str, where: str) -> float:
    """A duration cell (e.g. `4h`) in `unit`, at the standard 8 hours a day and 40 a week."""
    value, given = _parse_amount(text, where)
    if given.startswith("e") != unit.startswith("e"):
        kind = (
            ("elapsed", "working (h, d, w)") if given.startswith("e") else ("working", "elapsed (eh, ed, ew)")
        )
        raise ValidationFailed(f"{where}: {text!r} is {kind[0]} time; give {kind[1]} time, as the duration")
    return round(value * _HOURS[given] / _HOURS[unit], 6)


def _level(row: dict, line: int) -> int:
    text = (row.get("Outline Level") or "1").strip()
    if not text.isdigit():
        raise ValidationFailed(f"line {line}: the Outline Level {text!r} is not a whole number")
    return int(text)


def _task_type(value: str | None, line: int) -> str:
    """Fixed Units, Fixed Duration or Fixed Work (blank: fixed units)."""
    kind = (value or "").strip().lower().replace(" ", "_") or "fixed_units"
    if kind not in ("fixed_units", "fixed_duration", "fixed_work"):
        raise ValidationFailed(
            f"line {line}: Type is Fixed Units, Fixed Duration or Fixed Work, not {value!r}"
        )
    return kind


def _yes(value: str | None) -> bool:
    return (value or "").strip().lower() in ("yes", "true", "1")


def _project(row: dict, plan_name: str | None) -> DocPlan:
    """The plan from the project row (ID 0, outline level 0)."""
    try:
        start = (row.get("Start") or "").strip()
        begins = datetime.fromisoformat(start).time() if len(start) > 10 else None
        return DocPlan(
            name=plan_name or restore(row.get("Name") or "").strip() or "Imported plan",
            description=restore(row.get("Notes") or ""),
            tags=[x for x in restore(row.get("Tags") or "").split(";") if x],
            start_date=datetime.fromisoformat(start).date() if start else None,
            end_date=(_date(row, "Deadline") or "")[:10] or None,
            status_date=(_date(row, "Status Date") or "")[:10] or None,
            default_start_time=begins,
        )
    except ValueError as exc:
        raise ValidationFailed(f"line 2 (the project row): {exc}") from None


def _ms_project_fields(row: dict, line: int) -> dict:
    """Task Mode (a manual task's Start and Finish are its own dates), Leveling Delay and Resume."""
    out: dict = {"resume": _date(row, "Resume")}
    if (row.get("Task Mode") or "").strip().lower() == MANUAL.lower():
        start, finish = _date(row, "Start"), _date(row, "Finish")
        out |= {"manual": bool(start and finish), "manual_start": start, "manual_finish": finish}
    delay = (row.get("Leveling Delay") or "").strip()
    if delay:
        out["leveling_delay"], out["leveling_delay_unit"] = _parse_amount(delay, f"line {line}")
    return out


def read_csv(data: bytes, plan_name: str | None = None) -> PlanDocument:
    try:
        rows = spreadsheet_rows(data)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValidationFailed(f"not a readable CSV file: {exc}") from None
    if not rows or "Name" not in rows[0]:
        raise ValidationFailed("the CSV needs a header row with at least a Name column")
    iso_dates(rows)  # as Project's export or a spreadsheet wrote them: ISO 8601 from here on
    starts = sorted(c for r in rows if ISO_DATE.match(c := (r.get("Start") or "").strip()))
    # no project row (Project's export writes none): the plan starts where its first task does, not today
    plan = _project({"Start": starts[0]} if starts else {}, plan_name)
    if _level(rows[0], 2) == 0:
        plan = _project(rows[0], plan_name)
    tasks, links, resources = [], [], {}
    stack: list[tuple[int, str]] = []
    ids: dict[str, str] = {}
    for line, row in enumerate(rows, start=2):
        if blank(row):
            continue
        level = _level(row, line)
        if level == 0:
            if line == 2:
                continue
            raise ValidationFailed(f"line {line}: outline level 0 is the project row, which comes first")
        key, number = f"t{line}", (row.get("ID") or str(line - 1)).strip()
        if number in ids:
            raise ValidationFailed(f"line {line}: the ID {number} is already the ID of another row")
        ids[number] = key
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent = stack[-1][1] if stack else None
        stack.append((level, key))
        duration, unit = _parse_amount(row.get("Duration") or "1d", f"line {line}")
        assignments = []
        for name, units in _resources_of(restore(row.get("Resource Names") or "")):
            resources.setdefault(name, DocResource(key=f"r{len(resources) + 1}", name=name))
            assignments.append(DocAssignment(resource=resources[name].key, units=units))
        remaining = (row.get("Remaining Duration") or "").strip()
        work = (row.get("Work") or "").strip()
        try:
            task = DocTask(
                key=key,
                parent=parent,
                name=restore(row.get("Name") or "").strip(),
                duration=duration,
                duration_unit=unit,
                status=(row.get("Status") or "pending").strip().lower(),
                milestone=_yes(row.get("Milestone")),
                constraint_date=_date(row, "Constraint Date"),
                deadline=_date(row, "Deadline"),
                tags=[x for x in restore(row.get("Tags") or "").split(";") if x],
                notes=restore(row.get("Notes") or ""),
                description=restore(row.get("Description") or ""),
                assignments=assignments,
                actual_start=_date(row, "Actual Start"),
                actual_finish=_date(row, "Actual Finish"),
                remaining_duration=_in_unit(remaining, unit, f"line {line}") if remaining else None,
                actual_cost=money(row.get("Actual Cost") or ""),
                work=_in_unit(work, "hours", f"line {line}") if work else None,
                effort_driven=_yes(row.get("Effort Driven")),
                task_type=(row.get("Type") or "fixed units").strip().lower().replace(" ", "_")
                or "fixed_units",
                **_ms_project_fields(row, line),
                **_choices(row),
            )
        except ValidationError as exc:
            raise ValidationFailed(f"line {line}: {refused(exc, _FIELD_COLUMNS)}") from None
        except ValueError as exc:
            raise ValidationFailed(f"line {line}: {exc}") from None
        tasks.append(task)
        for part in filter(None, (x.strip() for x in re.split(r"[;,]", row.get("Predecessors") or ""))):
            m = _PRED.match(part)
            if not m:
                raise ValidationFailed(f"line {line}: cannot read the predecessor {part!r} (use e.g. 3FS+2d)")
            lag, lag_unit = 0.0, "days"
            if m.group(5) in ("%", "e%", "E%"):  # Project's percent of the predecessor's duration
                lag, lag_unit = float(m.group(4)), m.group(5).lower()
            elif m.group(3):
                lag, lag_unit = _parse_amount(m.group(4) + (m.group(5) or "d"), f"line {line}")
            lag = -lag if m.group(3) == "-" else lag
            links.append((m.group(1), key, (m.group(2) or "FS").upper(), lag, lag_unit, line))
    deps, by_key = [], {t.key: t for t in tasks}
    for pred, succ, kind, lag, unit, line in links:
        if pred not in ids:
            raise ValidationFailed(f"line {line}: predecessor {pred} is not a task ID in this file")
        if unit in ("%", "e%"):
            before = by_key[ids[pred]]
            lag, unit = percent_lag(lag, unit == "e%", before.duration, before.duration_unit.value)
        deps.append(DocLink(predecessor=ids[pred], successor=succ, type=kind, lag=lag, lag_unit=unit))
    return PlanDocument(plan=plan, resources=list(resources.values()), tasks=tasks, dependencies=deps)
