"""Microsoft Project XML (MSPDI): what Microsoft Project opens and saves as "XML Format"."""

from __future__ import annotations

import re
import threading
from datetime import date, datetime, time

from lxml import etree

from prometheus.core.calendar import unit_minutes
from prometheus.core.documents import DocAssignment, DocLink, DocPlan, DocResource, DocTask, PlanDocument
from prometheus.core.model import Calendar
from prometheus.core.scheduler import Schedule
from prometheus.errors import ValidationFailed
from prometheus.formats.document import wbs_order
from prometheus.formats.mspdi_calendars import read_calendars, write_calendar

NS = "http://schemas.microsoft.com/project"
_CONSTRAINT = {"ASAP": 0, "ALAP": 1, "MSO": 2, "MFO": 3, "SNET": 4, "SNLT": 5, "FNET": 6, "FNLT": 7}
_LINK = {"FF": 0, "FS": 1, "SF": 2, "SS": 3}
_FORMAT = {"hours": 5, "days": 7, "weeks": 9, "ehours": 6, "edays": 8, "eweeks": 10}
_PRIORITY = {"low": 300, "medium": 500, "high": 700, "critical": 900}
_DURATION = re.compile(r"^-?PT(\d+(?:\.\d+)?)H(\d+(?:\.\d+)?)M(\d+(?:\.\d+)?)S$")


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # XML 1.0 cannot hold these


def _sub(parent: etree._Element, tag: str, text: object | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        el.text = _NOT_XML.sub("", str(text))
    return el


def _when(dt: datetime | date | None) -> str | None:
    if dt is None:
        return None
    if not isinstance(dt, datetime):
        dt = datetime.combine(dt, time(0))
    return dt.replace(tzinfo=None).isoformat(timespec="seconds")


def _pt(minutes: float) -> str:
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    return f"{sign}PT{int(minutes // 60)}H{int(minutes % 60)}M0S"


def write_mspdi(doc: PlanDocument, s: Schedule | None) -> bytes:
    cal = doc.plan.calendar or Calendar()
    mpd = round(cal.hours_per_day * 60)
    mpw = round(cal.hours_per_week * 60)
    first_hour = doc.plan.default_start_time or cal.working_hours[0][0]
    root = etree.Element(f"{{{NS}}}Project", nsmap={None: NS})
    _sub(root, "SaveVersion", 14)
    _sub(root, "Name", doc.plan.name)
    _sub(root, "Title", doc.plan.name)
    _sub(root, "ScheduleFromStart", 1)
    if s is not None:
        _sub(root, "StartDate", _when(s.project_start))
        _sub(root, "FinishDate", _when(s.project_finish))
    elif doc.plan.start_date:
        _sub(root, "StartDate", _when(datetime.combine(doc.plan.start_date, first_hour)))
    _sub(root, "CalendarUID", 1)
    _sub(root, "MinutesPerDay", mpd)
    _sub(root, "MinutesPerWeek", mpw)
    _sub(root, "DefaultStartTime", first_hour.strftime("%H:%M:%S"))
    _sub(root, "DefaultFinishTime", cal.working_hours[-1][1].strftime("%H:%M:%S"))
    if doc.plan.status_date:
        _sub(root, "StatusDate", _when(doc.plan.status_date))
    calendars = _sub(root, "Calendars")
    write_calendar(_sub, calendars, 1, "Standard", cal)
    cal_uid: dict[str, int] = {}
    for r in doc.resources:
        if r.calendar is not None:
            cal_uid[r.key] = len(cal_uid) + 2
            write_calendar(_sub, calendars, cal_uid[r.key], r.calendar.name, r.calendar)
    task_cal: dict[str, int] = {}
    for t in doc.tasks:
        if t.calendar is not None:
            task_cal[t.key] = len(cal_uid) + len(task_cal) + 2
            write_calendar(_sub, calendars, task_cal[t.key], t.calendar.name, t.calendar)

    order = wbs_order(doc)
    uid = {t.key: i + 1 for i, (t, _) in enumerate(order)}
    parents = {t.parent for t in doc.tasks if t.parent}
    preds: dict[str, list[DocLink]] = {}
    for d in doc.dependencies:
        preds.setdefault(d.successor, []).append(d)
    factor = unit_minutes(mpd, mpw)
    tasks = _sub(root, "Tasks")
    for t, level in order:
        el = _sub(tasks, "Task")
        _sub(el, "UID", uid[t.key])
        _sub(el, "ID", uid[t.key])
        _sub(el, "Name", t.name)
        _sub(el, "Manual", int(t.manual))
        _sub(el, "Type", 0 if t.effort_driven else 1)  # fixed units (effort-driven) or fixed duration
        _sub(el, "OutlineLevel", level)
        _sub(el, "Priority", _PRIORITY[t.priority.value])
        st = s.tasks.get(t.key) if s else None
        if st is not None:
            _sub(el, "Start", _when(st.start))
            _sub(el, "Finish", _when(st.finish))
            _sub(el, "EarlyStart", _when(st.early_start))
            _sub(el, "EarlyFinish", _when(st.early_finish))
            _sub(el, "LateStart", _when(st.late_start))
            _sub(el, "LateFinish", _when(st.late_finish))
            _sub(el, "Critical", int(st.critical))
        elif t.manual and t.manual_start and t.manual_finish:
            _sub(el, "Start", _when(t.manual_start))
            _sub(el, "Finish", _when(t.manual_finish))
        minutes = t.duration * factor[t.duration_unit.value]
        done = minutes * t.percent_complete / 100
        _sub(el, "Duration", _pt(minutes))
        if t.manual and t.manual_start and t.manual_finish:
            _sub(el, "ManualStart", _when(t.manual_start))
            _sub(el, "ManualFinish", _when(t.manual_finish))
        _sub(el, "DurationFormat", _FORMAT[t.duration_unit.value])
        _sub(el, "ActualDuration", _pt(done))
        left = (
            minutes - done
            if t.remaining_duration is None
            else t.remaining_duration * factor[t.duration_unit.value]
        )
        _sub(el, "RemainingDuration", _pt(left))
        if t.leveling_delay:
            _sub(el, "LevelingDelay", round(t.leveling_delay * factor[t.leveling_delay_unit.value] * 10))
            _sub(el, "LevelingDelayFormat", _FORMAT[t.leveling_delay_unit.value])
        _sub(el, "Milestone", int(t.milestone))
        if t.work is not None:
            _sub(el, "Work", _pt(t.work * 60))
        _sub(el, "EffortDriven", int(t.effort_driven))
        _sub(el, "Summary", int(t.key in parents))
        _sub(el, "PercentComplete", round(t.percent_complete))
        _sub(el, "ConstraintType", _CONSTRAINT[t.constraint_type.value])
        if t.key in task_cal:
            _sub(el, "CalendarUID", task_cal[t.key])
        if t.constraint_date:
            _sub(el, "ConstraintDate", _when(t.constraint_date))
        if t.deadline:
            _sub(el, "Deadline", _when(t.deadline))
        if t.actual_start:
            _sub(el, "ActualStart", _when(t.actual_start))
        if t.actual_finish:
            _sub(el, "ActualFinish", _when(t.actual_finish))
        if t.resume:
            _sub(el, "Resume", _when(t.resume))
        if t.notes:
            _sub(el, "Notes", t.notes)
        for d in preds.get(t.key, []):
            link = _sub(el, "PredecessorLink")
            _sub(link, "PredecessorUID", uid[d.predecessor])
            _sub(link, "Type", _LINK[d.type.value])
            _sub(link, "LinkLag", round(d.lag * factor[d.lag_unit.value] * 10))
            _sub(link, "LagFormat", _FORMAT[d.lag_unit.value])
    resources = _sub(root, "Resources")
    res_uid = {r.key: i + 1 for i, r in enumerate(doc.resources)}
    for r in doc.resources:
        el = _sub(resources, "Resource")
        _sub(el, "UID", res_uid[r.key])
        _sub(el, "ID", res_uid[r.key])
        _sub(el, "Name", r.name)
        _sub(el, "Type", 1)  # work
        _sub(el, "MaxUnits", f"{r.availability:.2f}")
        _sub(el, "StandardRate", f"{r.cost_rate:g}")
        if r.key in cal_uid:
            _sub(el, "CalendarUID", cal_uid[r.key])
    assignments = _sub(root, "Assignments")
    n = 0
    for t in doc.tasks:
        minutes = t.duration * factor[t.duration_unit.value]
        for a in t.assignments:
            n += 1
            work = minutes * a.units
            done = work * t.percent_complete / 100
            el = _sub(assignments, "Assignment")
            _sub(el, "UID", n)
            _sub(el, "TaskUID", uid[t.key])
            _sub(el, "ResourceUID", res_uid[a.resource])
            _sub(el, "Units", f"{a.units:g}")
            _sub(el, "Work", _pt(work))
            _sub(el, "ActualWork", _pt(done))
            _sub(el, "RemainingWork", _pt(work - done))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True, pretty_print=True)


# --- reading ---------------------------------------------------------------------------------------------


_children = threading.local()  # the element read last and its children's texts by tag, per thread


def _text(el: etree._Element, tag: str) -> str | None:
    """The text of el's child `tag` (None when there is none). A file is read element by element, each
    asked for many children: their texts are gathered once per element (one pass over it, not one
    search per field)."""
    seen = _children.__dict__
    if seen.get("el") is not el:
        seen["el"], seen["texts"] = el, {c.tag: c.text for c in reversed(el)}  # the first of a tag wins
    return seen["texts"].get(f"{{{NS}}}{tag}")


def _minutes(text: str | None) -> float:
    if not text:
        return 0.0
    m = _DURATION.match(text.strip())
    if not m:
        raise ValidationFailed(f"cannot read the MSPDI duration {text!r}")
    value = float(m.group(1)) * 60 + float(m.group(2)) + float(m.group(3)) / 60
    return -value if text.startswith("-") else value


def read_mspdi(data: bytes, plan_name: str | None = None) -> PlanDocument:
    """A Microsoft Project XML file in the portable form."""
    try:
        return _read_mspdi(data, plan_name)
    finally:
        _children.__dict__.clear()  # no element of the file is kept


def _read_mspdi(data: bytes, plan_name: str | None) -> PlanDocument:
    try:
        root = etree.fromstring(
            data, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        )
    except etree.XMLSyntaxError as exc:
        raise ValidationFailed(f"not a readable XML file: {exc}") from None
    if etree.QName(root).localname != "Project" or etree.QName(root).namespace != NS:
        raise ValidationFailed("not a Microsoft Project XML (MSPDI) file")
    mpd = float(_text(root, "MinutesPerDay") or 480)
    mpw = float(_text(root, "MinutesPerWeek") or 2400)
    calendars = read_calendars(root)

    def calendar(uid: str | None) -> Calendar | None:
        return calendars.get(uid)

    project_cal = calendar(_text(root, "CalendarUID"))
    if project_cal is not None:
        project_cal = project_cal.model_copy(update={"hours_per_day": mpd / 60, "hours_per_week": mpw / 60})
    start = _text(root, "StartDate")
    begins = datetime.fromisoformat(start).time() if start and "T" in start else None
    begins = begins if begins != time(0) else None  # midnight: a date without its time (MPX, ...)
    default_start = _text(root, "DefaultStartTime")
    plan = DocPlan(
        name=plan_name or _text(root, "Name") or _text(root, "Title") or "Imported plan",
        start_date=datetime.fromisoformat(start).date() if start else None,
        calendar=project_cal,
        status_date=datetime.fromisoformat(_text(root, "StatusDate")).date()
        if _text(root, "StatusDate")
        else None,
        # the project starts at the time its start date carries (else at its default start time)
        default_start_time=begins or (time.fromisoformat(default_start) if default_start else None),
    )
    resources = []
    for r in root.iter(f"{{{NS}}}Resource"):
        uid, name = _text(r, "UID"), _text(r, "Name")
        if uid is None or not name:
            continue
        resources.append(
            DocResource(
                key=f"r{uid}",
                name=name,
                availability=min(1.0, float(_text(r, "MaxUnits") or 1)),
                cost_rate=float(_text(r, "StandardRate") or 0),
                calendar=calendar(_text(r, "CalendarUID"))
                if _text(r, "CalendarUID") != _text(root, "CalendarUID") and (_text(r, "Type") or "1") == "1"
                else None,  # material and cost resources work on no calendar
            )
        )
    known_resources = {r.key for r in resources}
    units: dict[str, list[DocAssignment]] = {}
    for a in root.iter(f"{{{NS}}}Assignment"):
        rkey = f"r{_text(a, 'ResourceUID')}"
        if rkey in known_resources:
            units.setdefault(f"t{_text(a, 'TaskUID')}", []).append(
                DocAssignment(resource=rkey, units=float(_text(a, "Units") or 1))
            )
    by_format = {
        3: "hours",
        4: "ehours",
        5: "hours",
        6: "ehours",
        7: "days",
        8: "edays",
        9: "weeks",
        10: "eweeks",
    }
    by_format |= {11: "days", 12: "edays"} | {k + 32: v for k, v in by_format.items()}  # months; estimated
    per = unit_minutes(mpd, mpw)
    priority = lambda p: "low" if p < 400 else "medium" if p < 600 else "high" if p < 800 else "critical"  # noqa: E731
    constraint = {v: k for k, v in _CONSTRAINT.items()}
    link_type = {v: k for k, v in _LINK.items()}
    tasks, links, stack = [], [], []
    by_outline: dict[str, str] = {}
    for el in root.iter(f"{{{NS}}}Task"):
        level = int(_text(el, "OutlineLevel") or 1)
        uid = _text(el, "UID")
        if uid is None or level == 0 or _text(el, "IsNull") == "1":
            continue
        key = f"t{uid}"
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent = stack[-1][1] if stack else None
        stack.append((level, key))
        outline = _text(el, "OutlineNumber")
        if outline:  # the outline number names the parent even when tasks are not in outline order
            by_outline[outline] = key
            parent = by_outline.get(outline.rpartition(".")[0]) if "." in outline else None
        unit = by_format.get(int(_text(el, "DurationFormat") or 7), "days")
        minutes = _minutes(_text(el, "Duration"))
        done = _text(el, "ActualStart"), _text(el, "ActualFinish")
        manual = _text(el, "Manual") == "1" and not done[0]
        delay_unit = by_format.get(int(_text(el, "LevelingDelayFormat") or 8), "edays")
        running = done[0] and not done[1] and _text(el, "RemainingDuration")
        tasks.append(
            DocTask(
                key=key,
                parent=parent,
                name=_text(el, "Name") or f"Task {uid}",
                duration=round(minutes / per[unit], 6),
                duration_unit=unit,
                milestone=_text(el, "Milestone") == "1",
                priority=priority(int(_text(el, "Priority") or 500)),
                percent_complete=float(_text(el, "PercentComplete") or 0),
                status="completed" if done[1] else "in_progress" if done[0] else "pending",
                constraint_type=constraint.get(int(_text(el, "ConstraintType") or 0), "ASAP"),
                constraint_date=_text(el, "ConstraintDate")
                if int(_text(el, "ConstraintType") or 0) > 1
                else None,
                deadline=_text(el, "Deadline"),
                actual_start=done[0],
                actual_finish=done[1],
                notes=_text(el, "Notes") or "",
                work=_minutes(_text(el, "Work")) / 60 if _text(el, "Work") else None,
                effort_driven=_text(el, "EffortDriven") == "1",
                remaining_duration=round(_minutes(_text(el, "RemainingDuration")) / per[unit], 6)
                if running
                else None,
                manual=manual,
                manual_start=(_text(el, "ManualStart") or _text(el, "Start")) if manual else None,
                manual_finish=(_text(el, "ManualFinish") or _text(el, "Finish")) if manual else None,
                calendar=calendar(_text(el, "CalendarUID")),
                leveling_delay=max(
                    0.0, round(float(_text(el, "LevelingDelay") or 0) / 10 / per[delay_unit], 6)
                ),
                leveling_delay_unit=delay_unit,
                resume=_text(el, "Resume") if done[0] and not done[1] else None,
                assignments=units.get(key, []),
            )
        )
        for link in el.findall(f"{{{NS}}}PredecessorLink"):
            fmt = by_format.get(int(_text(link, "LagFormat") or 7), "days")
            lag_minutes = float(_text(link, "LinkLag") or 0) / 10
            links.append(
                DocLink(
                    predecessor=f"t{_text(link, 'PredecessorUID')}",
                    successor=key,
                    type=link_type.get(int(_text(link, "Type") or 1), "FS"),
                    lag=round(lag_minutes / per[fmt], 6),
                    lag_unit=fmt,
                )
            )
    keys = {t.key for t in tasks}
    links = [d for d in links if d.predecessor in keys]  # links to the project summary task are dropped
    return PlanDocument(plan=plan, resources=resources, tasks=tasks, dependencies=links)
