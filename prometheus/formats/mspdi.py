"""Microsoft Project XML (MSPDI): what Microsoft Project opens and saves as "XML Format"."""

from __future__ import annotations

from datetime import datetime, time

from lxml import etree
from pydantic import ValidationError

from prometheus.core.calendar import unit_minutes
from prometheus.core.documents import DocLink, DocPlan, DocResource, PlanDocument
from prometheus.core.model import Calendar
from prometheus.core.scheduler import Schedule
from prometheus.errors import ValidationFailed
from prometheus.formats.document import wbs_order
from prometheus.formats.mspdi_assignments import (
    dated_span,
    each_resource_works,
    first_start,
    read_assignments,
    read_splits,
    span_minutes,
    worked_periods,
    write_assignments,
    write_resources,
)
from prometheus.formats.mspdi_calendars import read_calendars, write_calendar
from prometheus.formats.mspdi_links import percent_lags, read_links
from prometheus.formats.mspdi_values import (
    CONSTRAINT,
    FORMAT,
    LINK,
    NAME_LENGTH,
    NS,
    PRIORITY,
    TASK_TYPE,
    UNIT_OF_FORMAT,
    Stamps,
    XmlOut,
    children,
    day_and_week,
    forget_elements,
    nearest_minute,
    percent_done,
    project_name,
    pt,
    text,
    unique_name,
    when,
)
from prometheus.formats.mspdi_values import minutes as read_minutes


def write_mspdi(doc: PlanDocument, s: Schedule | None) -> bytes:
    """The plan as MSPDI, each element's children in the order of Project's schema (Project 2013's
    mspdi_pj15.xsd): Project refuses a file whose elements come in another order."""
    cal = doc.plan.calendar or Calendar()
    mpd = round(cal.hours_per_day * 60)
    mpw = round(cal.hours_per_week * 60)
    first_hour = doc.plan.default_start_time or cal.working_hours[0][0]
    out = XmlOut("Project")
    sub, root = out.sub, 0
    sub(root, "SaveVersion", 14)
    sub(root, "Name", doc.plan.name[:NAME_LENGTH])  # Title holds the whole name
    sub(root, "Title", doc.plan.name)
    sub(root, "ScheduleFromStart", 1)
    if doc.plan.start_date:  # its own start, which a day off does not move (milestones stay there)
        sub(root, "StartDate", when(datetime.combine(doc.plan.start_date, first_hour)))
    elif s is not None:
        sub(root, "StartDate", when(s.project_start))
    if s is not None:
        sub(root, "FinishDate", when(s.project_finish))
    sub(root, "CurrencyCode", "USD")  # the schema requires one; a plan's costs have no currency
    sub(root, "CalendarUID", 1)
    sub(root, "DefaultStartTime", first_hour.strftime("%H:%M:%S"))
    sub(root, "DefaultFinishTime", cal.working_hours[-1][1].strftime("%H:%M:%S"))
    sub(root, "MinutesPerDay", mpd)
    sub(root, "MinutesPerWeek", mpw)
    sub(root, "MoveRemainingStartsForward", int(doc.plan.status_date_moves_work))
    if doc.plan.status_date:
        sub(root, "StatusDate", when(doc.plan.status_date))
    calendars = sub(root, "Calendars")
    write_calendar(out, calendars, 1, "Standard", cal)
    cal_uid: dict[str, int] = {}
    for r in doc.resources:
        if r.calendar is not None:
            cal_uid[r.key] = len(cal_uid) + 2
            write_calendar(out, calendars, cal_uid[r.key], r.calendar.name, r.calendar)
    task_cal: dict[str, int] = {}
    for t in doc.tasks:
        if t.calendar is not None:
            task_cal[t.key] = len(cal_uid) + len(task_cal) + 2
            write_calendar(out, calendars, task_cal[t.key], t.calendar.name, t.calendar)

    order = wbs_order(doc)
    uid = {t.key: i + 1 for i, (t, _) in enumerate(order)}
    parents = {t.parent for t in doc.tasks if t.parent}
    preds: dict[str, list[DocLink]] = {}
    for d in doc.dependencies:
        preds.setdefault(d.successor, []).append(d)
    factor = unit_minutes(mpd, mpw)
    stamp, leaves, element = Stamps(), out.leaves, out.element
    tasks = sub(root, "Tasks")
    for t, level in order:
        el = sub(tasks, "Task")
        f = {"UID": uid[t.key], "ID": uid[t.key], "Name": t.name, "Type": TASK_TYPE[t.task_type]}
        f |= {"OutlineLevel": level, "Priority": PRIORITY[t.priority]}
        st = s.tasks.get(t.key) if s else None
        fixed = t.manual and t.manual_start and t.manual_finish
        if st is not None or fixed:
            f["Start"] = stamp[st.start if st else t.manual_start]
            f["Finish"] = stamp[st.finish if st else t.manual_finish]
        minutes = t.duration * factor[t.duration_unit]
        done = minutes * t.percent_complete / 100
        f["Duration"], f["DurationFormat"] = pt(minutes), FORMAT[t.duration_unit]
        if t.work is not None:
            f["Work"] = pt(t.work * 60)
        if t.resume:
            f["Resume"] = stamp[t.resume]
        f |= {
            "EffortDriven": int(t.effort_driven),
            "Milestone": int(t.milestone),
            "Summary": int(t.key in parents),
        }
        if st is not None:
            f |= {"Critical": int(st.critical), "EarlyStart": stamp[st.early_start]}
            f |= {"EarlyFinish": stamp[st.early_finish], "LateStart": stamp[st.late_start]}
            f["LateFinish"] = stamp[st.late_finish]
        f["PercentComplete"] = round(t.percent_complete)
        if t.actual_start:
            f["ActualStart"] = stamp[t.actual_start]
        if t.actual_finish:
            f["ActualFinish"] = stamp[t.actual_finish]
        f["ActualDuration"] = pt(done)
        left = minutes - done
        if t.remaining_duration is not None:
            left = t.remaining_duration * factor[t.duration_unit]
        f["RemainingDuration"], f["ConstraintType"] = pt(left), CONSTRAINT[t.constraint_type]
        f["CalendarUID"] = task_cal.get(t.key)
        if t.constraint_date:
            f["ConstraintDate"] = stamp[t.constraint_date]
        if t.deadline:
            f["Deadline"] = stamp[t.deadline]
        if t.leveling_delay:
            f["LevelingDelay"] = round(t.leveling_delay * factor[t.leveling_delay_unit] * 10)
            f["LevelingDelayFormat"] = FORMAT[t.leveling_delay_unit]
        if t.ignore_resource_calendar:
            f["IgnoreResourceCalendar"] = 1
        f["Notes"] = t.notes or None
        leaves(el, f)
        for d in preds.get(t.key, ()):
            lag = round(d.lag * factor[d.lag_unit] * 10)
            link = {"PredecessorUID": uid[d.predecessor], "Type": LINK[d.type], "LinkLag": lag}
            element(el, "PredecessorLink", link | {"LagFormat": FORMAT[d.lag_unit]})
        # a cancelled task is Project's inactive task: kept, scheduling nothing
        f = {"Active": 0} if t.status == "cancelled" else {}
        f["Manual"] = int(t.manual)
        if fixed:
            f["ManualStart"], f["ManualFinish"] = stamp[t.manual_start], stamp[t.manual_finish]
        leaves(el, f)
    res_uid = write_resources(out, sub(root, "Resources"), doc.resources, cal_uid)
    write_assignments(out, sub(root, "Assignments"), doc, s, uid, res_uid, factor, cal)
    return out.bytes()


# --- reading ---------------------------------------------------------------------------------------------


def read_mspdi(data: bytes, plan_name: str | None = None) -> PlanDocument:
    """A Microsoft Project XML file in the portable form; a date, time or number it cannot read is a
    ValidationFailed naming it (the document's own checks keep their errors)."""
    try:
        return _read_mspdi(data, plan_name)
    except ValidationError:
        raise
    except ValueError as exc:  # fromisoformat, int() and float() of the file's texts
        raise ValidationFailed(f"not a valid Microsoft Project XML value: {exc}") from None
    finally:
        forget_elements()  # no element of the file is kept


def _read_mspdi(data: bytes, plan_name: str | None) -> PlanDocument:
    try:
        root = etree.fromstring(
            data, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        )
    except etree.XMLSyntaxError as exc:
        raise ValidationFailed(f"not a readable XML file: {exc}") from None
    if etree.QName(root).localname != "Project" or etree.QName(root).namespace not in (NS, None):
        raise ValidationFailed("not a Microsoft Project XML (MSPDI) file")
    if etree.QName(root).namespace is None:  # another program's file, written without the namespace
        for el in root.iter(etree.Element):
            el.tag = f"{{{NS}}}{el.tag}"
    mpd, mpw = day_and_week(root)
    calendars = read_calendars(root)

    def calendar(uid: str | None) -> Calendar | None:
        return calendars.get(uid)

    project_cal = calendar(text(root, "CalendarUID"))
    if project_cal is not None:
        project_cal = project_cal.model_copy(update={"hours_per_day": mpd / 60, "hours_per_week": mpw / 60})
    start = text(root, "StartDate") or first_start(root)
    begins = datetime.fromisoformat(start).time() if start and "T" in start else None
    default_start = text(root, "DefaultStartTime")
    plan = DocPlan(
        name=plan_name or project_name(root) or "Imported plan",
        start_date=datetime.fromisoformat(start).date() if start else None,
        calendar=project_cal,
        status_date=datetime.fromisoformat(text(root, "StatusDate")).date()
        if text(root, "StatusDate")
        else None,
        # Project moves work not done by the status date after it only with this option on (off by default)
        status_date_moves_work=text(root, "MoveRemainingStartsForward") == "1",
        # the project starts at the time its start date carries (else at its default start time)
        default_start_time=begins or (time.fromisoformat(default_start) if default_start else None),
    )
    resources = []
    taken: set[str] = set()  # Project lets two resources share a name, a plan does not
    for r in root.iter(f"{{{NS}}}Resource"):
        uid, name = text(r, "UID"), text(r, "Name")
        if uid is None or not name:
            continue
        resources.append(
            DocResource(
                key=f"r{uid}",
                name=unique_name(name, taken),
                availability=min(1.0, float(text(r, "MaxUnits") or 1)),
                cost_rate=float(text(r, "StandardRate") or 0),
                calendar=calendar(text(r, "CalendarUID"))
                if text(r, "CalendarUID") != text(root, "CalendarUID") and (text(r, "Type") or "1") == "1"
                else None,  # material and cost resources work on no calendar
            )
        )
    working = {
        f"r{text(r, 'UID')}" for r in root.iter(f"{{{NS}}}Resource") if (text(r, "Type") or "1") == "1"
    }
    units, leveled, overtime_left = read_assignments(root, {r.key for r in resources}, working)
    res_cal = {r.key: r.calendar for r in resources if r.calendar is not None}
    working_times = {k: c.model_dump_json() for k, c in res_cal.items()}
    periods, laid_out = worked_periods(root, working), {}
    per = unit_minutes(mpd, mpw)
    priority = lambda p: "low" if p < 400 else "medium" if p < 600 else "high" if p < 800 else "critical"  # noqa: E731
    constraint = {v: k for k, v in CONSTRAINT.items()}
    link_type = {v: k for k, v in LINK.items()}
    task_type = {str(v): k for k, v in TASK_TYPE.items()}
    tasks, links, stack = [], [], []
    by_outline: dict[str, str] = {}
    for el in root.iter(f"{{{NS}}}Task"):
        get = children(el).get  # the task's fields by tag
        level = int(get("OutlineLevel") or 1)
        uid = get("UID")
        if uid is None or level == 0 or get("IsNull") == "1":
            continue
        key = f"t{uid}"
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent = stack[-1][1] if stack else None
        stack.append((level, key))
        outline = get("OutlineNumber")
        if outline:  # the outline number names the parent even when tasks are not in outline order
            by_outline[outline] = key
            parent = by_outline.get(outline.rpartition(".")[0]) if "." in outline else None
        unit = UNIT_OF_FORMAT.get(int(get("DurationFormat") or 7), "days")
        assigned = units.get(key, [])
        first = assigned[0] if assigned else None
        own_cal = None  # the task's working time, where its dates are read in it
        if get("Duration") is None or uid in periods:
            own_cal = calendar(get("CalendarUID")) or (first and res_cal.get(first.resource)) or project_cal
        minutes = read_minutes(get("Duration"), mpd, mpw)
        if get("Duration") is None:  # another program's file: the span of its dates, if it gives them
            minutes = dated_span(el, unit, own_cal or Calendar(), laid_out) or minutes
        if key not in leveled:
            minutes = span_minutes(el, minutes, assigned, unit)
            if not unit.startswith("e"):
                regular = overtime_left.get(key)
                minutes = each_resource_works(el, assigned, working_times, regular) or minutes
        elif leveled[key]:  # leveling delayed its assignments in working time: the last one ends it
            minutes = span_minutes(el, minutes, assigned, unit, leveled=True)
        done = get("ActualStart"), get("ActualFinish")
        state = "completed" if done[1] else "in_progress" if done[0] else "pending"
        # a task of another project (a cross-project link's end, an inserted project not expanded here)
        # keeps the dates its own project gave it, as a manual task does
        elsewhere = get("ExternalTask") == "1" or (get("IsSubproject") == "1" and get("Summary") != "1")
        manual = (get("Manual") == "1" or elsewhere) and not done[0]
        delay_unit = UNIT_OF_FORMAT.get(int(get("LevelingDelayFormat") or 8), "edays")
        running = done[0] and not done[1] and get("RemainingDuration")
        splits = []
        if uid in periods:  # read_splits finds none in no periods
            splits = read_splits(periods[uid], get("Start"), own_cal or Calendar(), laid_out, res_cal)
        kind = int(get("ConstraintType") or 0)
        work = get("Work")
        tasks.append(
            dict(
                key=key,
                parent=parent,
                name=get("Name") or f"Task {uid}",
                duration=round(minutes / per[unit], 6),
                duration_unit=unit,
                milestone=get("Milestone") == "1",
                priority=priority(int(get("Priority") or 500)),
                percent_complete=percent_done(get("PercentComplete"), get("ActualDuration"), get("Duration")),
                status="cancelled" if get("Active") == "0" else state,  # inactive: schedules nothing
                constraint_type=constraint.get(kind, "ASAP"),
                constraint_date=get("ConstraintDate") if kind > 1 else None,
                deadline=get("Deadline"),
                actual_start=done[0],
                actual_finish=done[1],
                notes=get("Notes") or "",
                work=read_minutes(work) / 60 if work else None,
                effort_driven=get("EffortDriven") == "1" or get("Type") == "2",
                task_type=task_type.get(get("Type") or "0", "fixed_units"),
                remaining_duration=round(
                    overtime_left.get(key, read_minutes(get("RemainingDuration"))) / per[unit], 6
                )
                if running
                else None,
                manual=manual,
                manual_start=(get("ManualStart") or get("Start")) if manual else None,
                manual_finish=(get("ManualFinish") or get("Finish")) if manual else None,
                calendar=calendar(get("CalendarUID")),
                ignore_resource_calendar=get("IgnoreResourceCalendar") == "1",
                leveling_delay=max(0.0, round(float(get("LevelingDelay") or 0) / 10 / per[delay_unit], 6)),
                leveling_delay_unit=delay_unit,
                resume=nearest_minute(get("Resume")) if done[0] and not done[1] else None,
                assignments=assigned,
                splits=splits,
            )
        )
        links.extend(read_links(el, key, per, link_type))
    links = percent_lags(links, tasks)
    # the tasks and links are checked all at once (in one call of pydantic, not one per task or link)
    doc = PlanDocument.model_validate(
        {"plan": plan, "resources": resources, "tasks": tasks, "dependencies": links}
    )
    keys = {t.key for t in doc.tasks}
    doc.dependencies = [d for d in doc.dependencies if d.predecessor in keys]  # not to the project's task
    return doc
