"""Assignments' timephased work in Microsoft Project XML (MSPDI): Project saves a split task as periods of
work (TimephasedData of type 1, remaining work, and 2, actual work) with pauses between them. We read the
pauses back as the task's splits, and write each part of a split task as one record per working day."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from lxml import etree

from prometheus.core.calendar import WorkCalendar
from prometheus.core.documents import DocAssignment, DocResource, PlanDocument
from prometheus.core.model import Assignment, Calendar, TaskSplit, WorkContour
from prometheus.core.scheduler import Schedule
from prometheus.core.splits import parts, pauses
from prometheus.core.task_types import assignments_span
from prometheus.formats.mspdi_values import NS, UNIT_OF_FORMAT, XmlOut, minutes, number, pt, text, when

UNASSIGNED = "-65535"  # the resource of a task's work when no resource is assigned to it
_WORK = ("1", "2")  # remaining and actual work
Period = tuple[datetime, datetime, float | None]  # start, finish, working minutes of its work
CONTOUR_CODE = {c: i for i, c in enumerate(WorkContour)}  # flat 0, back loaded 1, ... contoured 8
_CONTOUR = {str(i): c for c, i in CONTOUR_CODE.items()}


def read_assignments(
    root: etree._Element, known: set[str], working: set[str]
) -> tuple[dict[str, list[DocAssignment]], dict[str, bool], dict[str, float]]:
    """Per task key, its assignments of known work resources: units, the assignment's own work (hours),
    delay (working hours, with the delay leveling gave it in working time) and contour; the tasks an
    assignment of which leveling delayed, each with whether their assignments tell their span (delays in
    working time, which Project's Duration may not count) or not (an elapsed delay); and per task whose
    assignments still hold overtime to do, the working minutes the longest of them needs at its units for
    the rest of its work without that overtime (Project ends such a task when that work is done after its
    resume date; its RemainingDuration then says something else). An assignment of a task under way keeps
    the work it has left (hours). Material and cost resources are left out: in Project they take no part
    in scheduling (their units are quantities), here an assignment puts its resource's working time into
    the task's."""
    under_way = _under_way(root)
    out: dict[str, list[DocAssignment]] = {}
    leveled: dict[str, bool] = {}
    left: dict[str, float] = {}
    overtime: set[str] = set()
    for a in root.iter(f"{{{NS}}}Assignment"):
        key = f"t{text(a, 'TaskUID')}"
        lag = max(0.0, float(text(a, "LevelingDelay") or 0))  # tenths of a minute
        if lag:
            unit = UNIT_OF_FORMAT.get(int(text(a, "LevelingDelayFormat") or 8), "edays")
            leveled[key] = leveled.get(key, True) and not unit.startswith("e")
            lag = 0.0 if unit.startswith("e") else lag
        rkey, units = f"r{text(a, 'ResourceUID')}", float(text(a, "Units") or 1)
        if rkey not in working or units <= 0:  # at no units: no work
            continue
        extra = minutes(text(a, "OvertimeWork")) - minutes(text(a, "ActualOvertimeWork"))
        if extra > 0:
            overtime.add(key)
        regular = max(0.0, minutes(text(a, "RemainingWork")) - max(0.0, extra)) / units
        left[key] = max(left.get(key, 0.0), regular)
        if rkey not in known:
            continue
        own = text(a, "Work") is not None
        rest = _work_left(a) if key in under_way else None
        out.setdefault(key, []).append(
            DocAssignment(
                resource=rkey,
                units=min(units, 100.0),
                work=round(minutes(text(a, "Work")) / 60, 6) if own else None,
                delay=max(0.0, round((float(text(a, "Delay") or 0) + lag) / 600, 6)),
                contour=_CONTOUR.get(text(a, "WorkContour") or "0", WorkContour.flat),
                remaining_work=rest,
            )
        )
    return out, leveled, {k: left[k] for k in overtime}


def _work_left(a: etree._Element) -> float | None:
    """An assignment's RemainingWork in hours; where it is not written (MPXJ's writer leaves out a zero),
    its Work less its ActualWork; None where neither says."""
    rest = text(a, "RemainingWork")
    if rest is None and text(a, "Work") is None:
        return None
    hours = minutes(rest) if rest is not None else minutes(text(a, "Work")) - minutes(text(a, "ActualWork"))
    return max(0.0, round(hours / 60, 6))


# the UIDs of the tasks started and not finished (a non-empty ActualStart, no non-empty ActualFinish; the
# first child of each name counts, as text() reads it), in libxml2 rather than a pass over every task here
_UNDER_WAY = etree.XPath(
    "descendant::p:Task[p:ActualStart[1] != '' and not(p:ActualFinish[1] != '')]/p:UID[1]/text()",
    namespaces={"p": NS},
)


def _under_way(root: etree._Element) -> set[str]:
    """The keys of the tasks started and not finished."""
    return {f"t{uid}" for uid in _UNDER_WAY(root)}


def own_span(assignments: list[DocAssignment]) -> float | None:
    """The span in working hours the assignments' own work, delays and contours make (None: not all say)."""
    if not assignments or any(a.work is None for a in assignments):  # most: no work of their own
        return None
    return assignments_span(
        [Assignment(resource_id=a.resource, **a.model_dump(exclude={"resource"})) for a in assignments]
    )


def agrees(span_hours: float, duration: float) -> bool:
    """A span and a duration (minutes) the same to a minute, or to 1% of a long one."""
    return abs(span_hours * 60 - duration) <= max(1.0, duration / 100)


def _dates_fixed(task: etree._Element) -> bool:
    """A task whose dates its progress or its mode decide, not its assignments: started, manual, a summary
    or a milestone."""
    return bool(text(task, "ActualStart")) or "1" in (
        text(task, "Manual"),
        text(task, "Summary"),
        text(task, "Milestone"),
    )


def span_minutes(
    task: etree._Element, stored: float, assignments: list[DocAssignment], unit: str, leveled: bool = False
) -> float:
    """A task's duration in minutes: the one the file stores (Project computed it from the assignments and
    its dates follow from it: it decides, whatever its assignments seem to say). A file that gives none
    (another tool's), or a task whose assignments leveling delayed (`leveled`: Project ends it when the
    last is done, whatever Duration it kept), gets the span its work assignments make (their delays, work
    at their units, contours: `core.task_types`), for the tasks Project stretches with their assignments:
    not fixed duration, manual, started, summary or milestone, in working time, and no overtime."""
    if (
        (text(task, "Duration") is not None and not leveled)
        or not assignments
        or unit.startswith("e")
        or text(task, "Type") == "1"
        or _dates_fixed(task)
        or minutes(text(task, "OvertimeWork")) > 0
    ):
        return stored
    span = own_span(assignments)
    if span is None or agrees(span, stored):
        return stored
    return span * 60


def first_start(root: etree._Element) -> str | None:
    """The earliest Start of the file's tasks, for a file without the project's StartDate (another
    program's)."""
    starts = root.xpath("p:Tasks/p:Task/p:Start/text()", namespaces={"p": NS})
    return min(starts, key=datetime.fromisoformat) if starts else None


def dated_span(
    task: etree._Element, unit: str, cal: Calendar, laid_out: dict[int, WorkCalendar]
) -> float | None:
    """The minutes between a task's Start and Finish, of work on `cal` (of the clock for an elapsed unit),
    for a task the file gives dates but no Duration (another program's file; a Finish without a time is
    the end of that day); None for others, summaries and milestones."""
    start, finish = text(task, "Start"), text(task, "Finish")
    if text(task, "Duration") is not None or not start or not finish or _dates_fixed(task):
        return None
    a, b = datetime.fromisoformat(start), datetime.fromisoformat(finish)
    b += timedelta(days="T" not in finish)
    if unit.startswith("e"):
        return max(0.0, (b - a).total_seconds() / 60)
    wc = _laid_out(cal, min(a, b), laid_out)
    return float(max(0, _index(wc, b) - _index(wc, a)))


def each_resource_works(
    task: etree._Element,
    assignments: list[DocAssignment],
    working_times: dict[str, str],
    regular: float | None,
) -> float | None:
    """The working minutes each resource of a task works when its resources work on different calendars
    (`working_times`: a key of each own calendar's working time, by resource key; others work the task's):
    their assignments' work at their units (the longest), or `regular`, the longest regular work where
    they hold overtime (Project does the overtime besides, in the same span). Project's own Duration of
    such a task is its span on all their working time together, not what one resource works (None: one
    calendar, or a task whose dates its progress or its mode decide)."""
    if (
        len(assignments) < 2
        or any(a.work is None or a.delay or a.contour != WorkContour.flat for a in assignments)
        or _dates_fixed(task)
        or text(task, "IgnoreResourceCalendar") == "1"
        or text(task, "CalendarUID") not in (None, "-1")
        or len({working_times.get(a.resource, "") for a in assignments}) < 2
    ):
        return None
    if regular is not None:
        return regular
    return max(a.work * 60 / a.units for a in assignments if a.work is not None)


def worked_periods(root: etree._Element, working: set[str]) -> dict[str, list[tuple[str, list[Period]]]]:
    """Per task UID, each of its assignments of a work resource (or of none) with the periods in which it
    does some work and the working minutes that work takes at its units (None for a contoured one)."""
    out: dict[str, list[tuple[str, list[Period]]]] = {}
    for a in root.iter(f"{{{NS}}}Assignment"):
        rkey, units = f"r{text(a, 'ResourceUID')}", float(text(a, "Units") or 1)
        if rkey not in working and rkey != f"r{UNASSIGNED}":  # a material's use says nothing of pauses
            continue
        flat = (text(a, "WorkContour") or "0") == "0" and units > 0
        periods = []
        for tp in a.iterfind(f"{{{NS}}}TimephasedData"):
            # costs and baselines are timephased too (a cost is no duration)
            if text(tp, "Type") not in _WORK:
                continue
            start, finish, work = text(tp, "Start"), text(tp, "Finish"), minutes(text(tp, "Value"))
            if start and finish and work > 0:
                at = (datetime.fromisoformat(start), datetime.fromisoformat(finish))
                periods.append((*at, work / units if flat else None))
        if periods:
            out.setdefault(text(a, "TaskUID") or "", []).append((rkey, sorted(periods, key=lambda p: p[:2])))
    return out


def _packed(pairs: list[tuple[int, int]], need: list[float | None]) -> list[tuple[int, int]]:
    """Worked index ranges of one assignment, a period only partly worked shrunk to its work: at its end
    when work follows it without a break (the work resumed in it), else at its start (it stopped)."""
    out = []
    for j, (a, b) in enumerate(pairs):
        n = need[j]
        if n is not None and b - a > n + 1:
            after = j + 1 < len(pairs) and pairs[j + 1][0] <= b
            before = j > 0 and pairs[j - 1][1] >= a
            if after and not before:
                a = b - round(n)
            elif not after:
                b = a + round(n)
        out.append((a, b))
    return out


def _index(wc: WorkCalendar, at: datetime) -> int:
    return int(wc.index_of(wc.minutes(at)))


def _laid_out(cal: Calendar, first: datetime, laid_out: dict[int, WorkCalendar]) -> WorkCalendar:
    if id(cal) not in laid_out:
        laid_out[id(cal)] = WorkCalendar(cal, first.date() - timedelta(days=7))
    return laid_out[id(cal)]


def read_splits(
    assignments: list[tuple[str, list[Period]]],
    start: str | None,
    cal: Calendar,
    laid_out: dict[int, WorkCalendar],
    calendars: dict[str, Calendar],
) -> list[TaskSplit]:
    """The pauses of a task, in working time of its calendar `cal` from its start: the times no assignment
    works within the span of one that works before and after, and could have worked on its resource's
    calendar (`calendars`; an assignment's delay is no pause). `laid_out` keeps each calendar laid out
    once per file."""
    if sum(len(p) for _, p in assignments) < 2:
        return []
    first = min(p[0][0] for _, p in assignments)
    origin = datetime.fromisoformat(start) if start else first
    wc = _laid_out(cal, min(origin, first), laid_out)
    o = _index(wc, origin)
    spans, worked = [], []
    for rkey, periods in assignments:
        moments = [wc.minutes(m) for p in periods for m in p[:2]]
        index = wc.index_of(np.array(moments, dtype=np.int64)).tolist()
        pairs = _packed(list(zip(index[::2], index[1::2], strict=True)), [p[2] for p in periods])
        spans.append((pairs[0][0], pairs[-1][1], calendars.get(rkey, cal)))
        worked.extend(pairs)
    merged: list[list[int]] = []
    for a, b in sorted(worked):
        if b <= a:
            continue
        if merged and a <= merged[-1][1] + 1:  # a minute at most between (periods keep seconds): one part
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])

    def paused(stop: int, resume: int) -> bool:
        """Some assignment spans the gap, and every one that does had working time in it."""
        covering = [c for lo, hi, c in spans if lo < stop and resume < hi]
        t0 = wc.epoch_dt + timedelta(minutes=int(wc.finish_of(stop)))
        t1 = wc.epoch_dt + timedelta(minutes=int(wc.start_of(resume)))
        return bool(covering) and all(
            c is cal or _index(own := _laid_out(c, first, laid_out), t1) > _index(own, t0) for c in covering
        )

    return [
        TaskSplit(at=(x[1] - o) / 60, hours=(y[0] - x[1]) / 60)
        for x, y in zip(merged, merged[1:], strict=False)
        if x[1] > o and paused(x[1], y[0])
    ]


def write_work(
    out: XmlOut,
    parent: int,
    uid: int,
    start: datetime,
    finish: datetime,
    gaps: list[tuple[int, int]],
    cal: Calendar,
    units: float,
    laid_out: dict[int, WorkCalendar],
) -> None:
    """An assignment's remaining work over the parts of its split task, one record per working day
    (`laid_out` keeps each calendar laid out once per file)."""
    wc = _laid_out(cal, start.replace(tzinfo=None), laid_out)
    origin = _index(wc, start.replace(tzinfo=None))
    span = _index(wc, finish.replace(tzinfo=None)) - origin

    def moment(minute: int) -> datetime:
        return wc.epoch_dt + timedelta(minutes=minute)

    for a, b in parts(span, gaps):
        lo, hi = origin + a, origin + b
        while lo < hi:
            begins = moment(int(wc.start_of(lo)))
            midnight = datetime.combine(begins.date() + timedelta(days=1), datetime.min.time())
            end = min(hi, _index(wc, midnight))
            period = {
                "Type": 1,
                "UID": uid,
                "Start": when(begins),
                "Finish": when(moment(int(wc.finish_of(end)))),
            }
            out.element(parent, "TimephasedData", period | {"Unit": 2, "Value": pt((end - lo) * units)})
            lo = end


def write_resources(out: XmlOut, parent: int, resources: list[DocResource], cal_uid: dict[str, int]) -> dict:
    """Each resource as a work resource (with its calendar's UID in `cal_uid`); their UIDs by key."""
    res_uid = {r.key: i + 1 for i, r in enumerate(resources)}
    for r in resources:
        f = {"UID": res_uid[r.key], "ID": res_uid[r.key], "Name": r.name, "Type": 1}  # work
        f |= {"MaxUnits": f"{r.availability:.2f}", "StandardRate": number(r.cost_rate)}
        out.element(parent, "Resource", f | {"CalendarUID": cal_uid.get(r.key)})
    return res_uid


def write_assignments(
    out: XmlOut,
    parent: int,
    doc: PlanDocument,
    s: Schedule | None,
    uid: dict[str, int],
    res_uid: dict[str, int],
    factor: dict[str, float],
    cal: Calendar,
) -> None:
    """Each task's assignments (a split task without any: its own work, unassigned), their work (done as
    the task's progress says; on a task under way, what an assignment says it has left is left) and, for
    a split task, its periods of work."""
    n = 0
    res_cal = {r.key: r.calendar for r in doc.resources if r.calendar is not None}
    laid_out: dict = {}
    for t in doc.tasks:
        minutes = t.duration * factor[t.duration_unit.value]
        st = s.tasks.get(t.key) if s and t.splits else None
        span = own_span(t.assignments)  # the assignments' own work, only where it makes the task's span
        own_work = span is not None and agrees(span, minutes)
        under_way = t.actual_start is not None and t.actual_finish is None
        for a in t.assignments or ([DocAssignment(resource=UNASSIGNED)] if st else []):
            n += 1
            work = a.work * 60 if own_work and a.work is not None else minutes * a.units
            done = work * t.percent_complete / 100
            if under_way and a.remaining_work is not None:  # Work = ActualWork + RemainingWork
                done = max(0.0, work - a.remaining_work * 60)
                work = done + a.remaining_work * 60
            f = {"UID": n, "TaskUID": uid[t.key], "ResourceUID": res_uid.get(a.resource, UNASSIGNED)}
            f["ActualWork"] = pt(done)
            if own_work and a.delay:
                f["Delay"] = round(a.delay * 600)  # tenths of a minute
            f |= {"RemainingWork": pt(work - done), "Units": number(a.units), "Work": pt(work)}
            if own_work and a.contour is not WorkContour.flat:
                f["WorkContour"] = CONTOUR_CODE[a.contour]
            if st is None:
                out.element(parent, "Assignment", f)
            else:  # a split task's parts: its work in periods with pauses between
                el = out.sub(parent, "Assignment")
                out.leaves(el, f)
                own = t.calendar or res_cal.get(a.resource, cal)
                write_work(out, el, n, st.start, st.finish, pauses(t.splits), own, a.units, laid_out)
