"""Random Microsoft Project files built in MPXJ (a ProjectFile, as Project would hold it), written as MSPDI
XML by MPXJ's writer, with the dates MPXJ's MicrosoftScheduler gives each task: a file-level differential
check of what `prometheus schedule FILE` reads and schedules. Each file mixes some features at random:
project calendars (weekday hours, recurring and working exceptions, work weeks, 24 hours), the project's
start time, resources on their own calendars (night shifts, holidays), assignments at units, elapsed
durations and lags, manual tasks, progress, constraints, summaries, task calendars, leveling delays."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from tests import mpxj_oracle
from tests.mpxj_oracle import _ldt

FEATURES = (
    "hours", "weekdays", "exceptions", "recurring", "worked", "workweek", "24h", "start_time", "resources",
    "res_calendar", "night", "units", "task_types", "elapsed", "manual", "progress", "constraints",
    "summaries", "task_calendar", "leveling_delay", "links", "uneven",
)  # fmt: skip
_HOURS = {  # a working day's hours, and MinutesPerDay as a file would keep it
    "standard": ([(8, 0, 12, 0), (13, 0, 17, 0)], 480),
    "early": ([(7, 30, 11, 30), (12, 0, 16, 0)], 480),
    "late": ([(9, 0, 13, 0), (14, 0, 18, 0)], 480),
    "short": ([(8, 0, 12, 0), (12, 30, 16, 0)], 450),
    "short 8h days": ([(8, 0, 12, 0), (12, 30, 16, 0)], 480),  # a day of duration is not a working day
}
NIGHT = {0: [(23, 0, 0, 0)], 5: [(0, 0, 3, 0), (4, 0, 8, 0)]} | {
    d: [(0, 0, 3, 0), (4, 0, 8, 0), (23, 0, 0, 0)] for d in range(1, 5)
}
NEEDS = {"res_calendar": {"resources"}, "night": {"resources", "res_calendar"}, "units": {"resources"},
         "task_types": {"resources"}, "uneven": {"resources"}}  # fmt: skip
_UNITS = {"hours": "HOURS", "days": "DAYS", "weeks": "WEEKS", "edays": "ELAPSED_DAYS",
          "ehours": "ELAPSED_HOURS"}  # fmt: skip
MATERIAL = 0.15  # the share of material resources
_LINKS = ("FINISH_START", "START_START", "FINISH_FINISH", "START_FINISH")


@dataclass
class Made:
    """A file: its MSPDI bytes, MPXJ's start and finish per task name, and the features it holds."""

    xml: bytes
    expected: dict[str, tuple[datetime, datetime]]
    features: set[str] = field(default_factory=set)


def _j():  # noqa: ANN202
    mpxj_oracle._jvm()
    import org.mpxj as m

    return m


def _ld(d: date):  # noqa: ANN202
    from java.time import LocalDate

    return LocalDate.of(d.year, d.month, d.day)


def _range(a: int, b: int, c: int, d: int):  # noqa: ANN202
    from java.time import LocalTime

    return _j().LocalTimeRange(LocalTime.of(a, b), LocalTime.of(c, d))


def _week(cal, hours: dict[int, list]) -> None:  # noqa: ANN001
    """Set each weekday (0 = Monday) of a calendar or work week to its hours ([]: not worked)."""
    from java.time import DayOfWeek

    m = _j()
    for d in range(7):
        dow = DayOfWeek.of(d + 1)
        h = cal.getCalendarHours(dow) or cal.addCalendarHours(dow)
        h.clear()
        cal.setCalendarDayType(dow, m.DayType.WORKING if hours.get(d) else m.DayType.NON_WORKING)
        for span in hours.get(d, []):
            h.add(_range(*span))


def _off(cal, first: date, last: date, check_only: bool = False) -> bool:  # noqa: ANN001
    """Days off from `first` to `last` (`check_only`: only whether they are free), unless an exception
    of the calendar covers one of them already: Project does not let exceptions overlap (MPXJ then misses
    some)."""
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    if any(cal.getException(_ld(d)) is not None for d in days):
        return False
    if not check_only:
        cal.addCalendarException(_ld(first), _ld(last))
    return True


class _Builder:
    def __init__(self, seed: int, only: set[str] | None):
        self.r = random.Random(seed)
        self.on = {f for f in FEATURES if self.r.random() < 0.35} if only is None else set(only)
        for f in list(self.on):
            self.on |= NEEDS.get(f, set())
        self.m = _j()
        self.file = self.m.ProjectFile()
        self.used: set[str] = set()

    def has(self, feature: str, p: float = 1.0) -> bool:
        hit = feature in self.on and self.r.random() < p
        if hit:
            self.used.add(feature)
        return hit

    def calendar(self) -> tuple[object, list, int]:
        r, file = self.r, self.file
        cal = file.addDefaultBaseCalendar()
        file.setDefaultCalendar(cal)
        kind = r.choice(list(_HOURS)) if self.has("hours") else "standard"
        day, mpd = _HOURS[kind]
        if self.has("24h", 0.3):
            day, mpd = [(0, 0, 0, 0)], 480
            _week(cal, {d: day for d in range(7)})
            cal.setName("24 Hours")
            return cal, day, mpd
        hours = {d: day for d in range(5)}
        if self.has("weekdays"):
            hours[4] = [day[0]]  # a short Friday
            hours[5] = [(8, 0, 12, 0)] if r.random() < 0.5 else []
        _week(cal, hours)
        return cal, day, mpd

    def exceptions(self, cal, first: date) -> None:  # noqa: ANN001
        r, m = self.r, self.m
        if self.has("exceptions"):
            for _ in range(r.randint(1, 3)):
                a = first + timedelta(days=r.randint(0, 40))
                _off(cal, a, a + timedelta(days=r.randint(0, 2)))
        if self.has("recurring"):
            from java.lang import Integer
            from java.time import DayOfWeek

            rd = m.RecurringData()
            rd.setStartDate(_ld(first))
            rd.setFinishDate(_ld(first + timedelta(days=r.randint(20, 90))))
            rd.setUseEndDate(True)
            if r.random() < 0.5:
                rd.setRecurrenceType(m.RecurrenceType.WEEKLY)
                rd.setWeeklyDay(DayOfWeek.of(r.randint(1, 5)), True)
                rd.setFrequency(Integer(r.choice([1, 2])))
            else:
                rd.setRecurrenceType(m.RecurrenceType.MONTHLY)
                rd.setRelative(True)
                rd.setDayOfWeek(DayOfWeek.of(r.randint(1, 5)))
                rd.setDayNumber(Integer(r.randint(1, 4)))
                rd.setFrequency(Integer(1))
            cal.addCalendarException(rd)
        if self.has("worked"):
            sat = first + timedelta(days=(5 - first.weekday()) % 7 + 7 * r.randint(0, 3))
            if _off(cal, sat, sat, check_only=True):
                cal.addCalendarException(_ld(sat), _ld(sat)).add(_range(9, 0, 13, 0))
        if self.has("workweek"):
            week = cal.addWorkWeek()
            a = first + timedelta(days=r.randint(3, 20))
            week.setDateRange(m.LocalDateRange(_ld(a), _ld(a + timedelta(days=r.randint(7, 30)))))
            _week(week, {d: [(7, 0, 11, 0), (11, 30, 15, 30)] for d in range(4)} | {4: []})

    def plain(self, base):  # noqa: ANN001, ANN201
        """A resource's calendar that is its base calendar's time."""
        cal = self.file.addDefaultDerivedCalendar()
        cal.setParent(base)
        cal.setName(f"Plain {self.r.randint(0, 999)}")
        return cal

    def resource_calendar(self, base, first: date):  # noqa: ANN001, ANN201
        r = self.r
        if self.has("night", 0.5):
            cal = self.file.addCalendar()
            cal.setName(f"Night {r.randint(0, 999)}")
            _week(cal, NIGHT)
        else:
            cal = self.file.addDefaultDerivedCalendar()
            cal.setParent(base)
            cal.setName(f"Crew {r.randint(0, 999)}")
            if r.random() < 0.4:  # works Saturdays too
                from java.time import DayOfWeek

                _week(cal, {d: [(7, 0, 12, 0), (13, 0, 16, 0)] for d in range(6)})
                cal.setCalendarDayType(DayOfWeek.SUNDAY, self.m.DayType.NON_WORKING)
        for _ in range(r.randint(0, 2)):  # the resource's own holidays
            a = first + timedelta(days=r.randint(0, 30))
            _off(cal, a, a + timedelta(days=r.randint(0, 3)))
        return cal


def _duration(m, value: float, unit: str):  # noqa: ANN001, ANN202
    return m.Duration.getInstance(float(value), getattr(m.TimeUnit, _UNITS[unit]))


def build(seed: int, only: set[str] | None = None) -> Made:
    """A random file (`only`: the features it may use, else a random choice of them)."""
    b = _Builder(seed, only)
    r, m, file = b.r, b.m, b.file
    from java.lang import Double, Integer

    cal, day, mpd = b.calendar()
    props = file.getProjectProperties()
    props.setMinutesPerDay(Integer(mpd))
    props.setMinutesPerWeek(Integer(mpd * 5))
    first = date(2027, 1, 4) + timedelta(days=r.randint(0, 60))
    b.exceptions(cal, first)
    begins = time(day[0][0], day[0][1])
    if b.has("start_time"):
        begins = r.choice([time(9), time(10), time(9, 30)]) if day[0][:2] != (0, 0) else time(9)
    start = _ldt(datetime.combine(first, begins))
    start = cal.getNextWorkStart(start)
    props.setStartDate(start)
    props.setDefaultStartTime(start.toLocalTime())
    resources = []
    if b.has("resources"):
        for k in range(r.randint(1, 4)):
            res = file.addResource()
            res.setName(f"R{k}")
            material = r.random() < MATERIAL
            res.setType(m.ResourceType.MATERIAL if material else m.ResourceType.WORK)
            if not material:  # as in Project: each work resource has a calendar, its own or on the base
                res.setCalendar(
                    b.resource_calendar(cal, first) if b.has("res_calendar", 0.7) else b.plain(cal)
                )
            resources.append(res)
    other = None
    if b.has("task_calendar"):
        other = file.addCalendar()
        other.setName("Task calendar")
        _week(other, {d: [(6, 0, 14, 0)] for d in range(6)})
    n = r.randint(6, 18)
    tasks, parents = [], []
    for i in range(n):
        parent = r.choice(parents) if parents and r.random() < 0.5 else file
        if b.has("summaries", 0.2) and len(parents) < 3:
            p = parent.addTask()
            p.setName(f"S{i}")
            parents.append(p)
            tasks.append(p)  # a summary only if some task is put under it
            continue
        t = parent.addTask()
        t.setName(f"T{i}")
        tasks.append(t)
    placed: list = []
    for t in tasks:
        unit = "days"
        value = r.choice([1, 2, 3, 5, 0.5, 1.5])
        if b.has("elapsed", 0.3):
            unit, value = r.choice([("edays", r.choice([1, 2, 0.5])), ("ehours", r.choice([6, 12, 30]))])
        elif r.random() < 0.3:
            unit, value = r.choice([("hours", r.choice([2, 4, 6, 12])), ("weeks", 1)])
        if r.random() < 0.05 and not placed:
            value = 0
        t.setDuration(_duration(m, value, unit))
        t.setMilestone(value == 0)
        minutes = t.getDuration().convertUnits(m.TimeUnit.MINUTES, props).getDuration()
        if other is not None and r.random() < 0.4:
            t.setCalendar(other)
        work_res = [x for x in resources if x.getType() == m.ResourceType.WORK]
        if resources and not unit.startswith("e") and value and r.random() < 0.7:
            for res in r.sample(resources, r.randint(1, min(2, len(resources)))):
                units = r.choice([1.0, 0.5, 2.0]) if b.has("units", 0.6) else 1.0
                a = t.addResourceAssignment(res)
                a.setUnits(Double(units * 100))
                if res in work_res:
                    w = m.Duration.getInstance(minutes * units / 60, m.TimeUnit.HOURS)
                    a.setWork(w)
                    a.setRemainingWork(w)
                    a.setActualWork(m.Duration.getInstance(0.0, m.TimeUnit.HOURS))
            mine = [a for a in t.getResourceAssignments() if a.getResource() in work_res]
            plain = t.getCalendar() is None and all(
                str(a.getResource().getCalendar().getName()).startswith("Plain") for a in mine
            )
            if len(mine) > 1 and plain and b.has("uneven", 0.6):  # one does more: the task lasts longer
                a = r.choice(mine)
                w = m.Duration.getInstance(a.getWork().getDuration() * r.choice([1.5, 2.0]), m.TimeUnit.HOURS)
                a.setWork(w)
                a.setRemainingWork(w)
                hours = max(x.getWork().getDuration() * 100 / x.getUnits().doubleValue() for x in mine)
                span = m.Duration.getInstance(hours, m.TimeUnit.HOURS)
                t.setDuration(span.convertUnits(t.getDuration().getUnits(), props))  # Project's: the longest
            if b.has("task_types", 0.5):
                # MPXJ schedules a fixed-duration task on its own calendar, not on its resources' (Project
                # does): only tasks on the base calendar with resources on its time are fixed duration here
                kinds = [m.TaskType.FIXED_WORK, m.TaskType.FIXED_UNITS]
                t.setType(r.choice([*kinds, m.TaskType.FIXED_DURATION] if plain else kinds))
                t.setEffortDriven(r.random() < 0.5)
        t.setActualDuration(_duration(m, 0, unit))
        t.setRemainingDuration(t.getDuration())
        t.setConstraintType(m.ConstraintType.AS_SOON_AS_POSSIBLE)
        free = [p for p in placed if not _kin(p, t)]
        for p in r.sample(free, min(len(free), r.choice([0, 1, 1, 2]))):
            kind = r.choice(_LINKS) if b.has("links", 0.5) else "FINISH_START"
            lag = _duration(m, 0, "days")
            # no lag on links to a finish: MPXJ puts the lag on the successor's start ((date - duration) +
            # lag), which falls short of Project's date + lag for the finish when a break lies between
            if r.random() < 0.3 and kind not in ("FINISH_FINISH", "START_FINISH"):
                lag_unit = (
                    r.choice(["edays", "ehours"]) if b.has("elapsed", 0.5) else r.choice(["days", "hours"])
                )
                lag = _duration(m, r.choice([1, 2, -1, 0.5, 4]), lag_unit)
            rel = m.Relation.Builder().predecessorTask(p).type(getattr(m.RelationType, kind)).lag(lag)
            t.addPredecessor(rel)
        if b.has("constraints", 0.3):
            kind = r.choice(["START_NO_EARLIER_THAN", "FINISH_NO_EARLIER_THAN", "START_NO_LATER_THAN",
                             "FINISH_NO_LATER_THAN", "MUST_START_ON", "MUST_FINISH_ON"])  # fmt: skip
            # MPXJ leaves the finish of an elapsed task, or of one whose resources work on several
            # calendars, at the date, whatever the start it gives them and their work make of it
            works = [
                a.getResource().getCalendar()
                for a in t.getResourceAssignments()
                if a.getResource() in work_res
            ]
            several = len(works) > 1 and (
                t.getCalendar() is not None or len({str(c.getName()) for c in works}) > 1
            )
            if (unit.startswith("e") or several) and "FINISH" in kind:
                kind = "START_NO_EARLIER_THAN"
            on = first + timedelta(days=r.randint(0, 20))
            while not cal.isWorkingDate(_ld(on)):  # a date Project would show on a working day
                on += timedelta(days=1)
            # in the task's working time (MPXJ keeps a date in other time as it is, Project moves the task
            # into working time): of its own calendar, else its first work resource's
            own = t.getCalendar() or next(
                (a.getResource().getCalendar() for a in t.getResourceAssignments()
                 if a.getResource() in work_res), cal)  # fmt: skip
            at = own.getNextWorkStart(_ldt(datetime.combine(on, begins)))
            if "FINISH" in kind:
                end = time(day[-1][2], day[-1][3]) if day[-1][2] else time(17)
                at = own.getPreviousWorkFinish(_ldt(datetime.combine(on, end)))
            t.setConstraintType(getattr(m.ConstraintType, kind))
            t.setConstraintDate(at)
        elif not list(t.getResourceAssignments()) and b.has("constraints", 0.1):  # MPXJ's late dates on
            t.setConstraintType(m.ConstraintType.AS_LATE_AS_POSSIBLE)  # resource calendars are not Project's
        # MPXJ adds a leveling delay only to tasks with no links (a summary's count) and no date constraint,
        # from the project calendar's next working time: Project delays any task, from its early start
        free = t.getConstraintType() == m.ConstraintType.AS_SOON_AS_POSSIBLE and t.getParentTask() is None
        free = free and t.getCalendar() is None and not list(t.getResourceAssignments())
        if free and not t.getPredecessors() and b.has("leveling_delay", 0.3):
            t.setLevelingDelay(_duration(m, r.choice([1, 2, 3]), "edays"))
        placed.append(t)
    _manual_and_progress(b, tasks, cal, start)
    if b.has("progress", 0.5):  # a status date alone moves nothing in Project (nor here, for its files)
        b.file.getProjectProperties().setStatusDate(start.plusDays(r.randint(3, 20)))
    return _written_and_scheduled(b, start)


def _kin(a, b) -> bool:  # noqa: ANN001
    """One task is the other's summary (a link between them would make a loop)."""

    def line(t) -> list:  # noqa: ANN001
        out = []
        while t is not None:
            out.append(t.getUniqueID())
            t = t.getParentTask()
        return out

    return a.getUniqueID() in line(b) or b.getUniqueID() in line(a)


def _manual_and_progress(b: _Builder, tasks: list, cal, start) -> None:  # noqa: ANN001
    r, m = b.r, b.m
    from java.lang import Double

    for t in tasks:
        if not t.getDuration().getDuration() or t.hasChildTasks():  # summaries roll up (in MPXJ half)
            continue
        if b.has("manual", 0.2):
            s = cal.getNextWorkStart(start.plusDays(r.randint(0, 15)).plusHours(r.choice([0, 0, 2])))
            t.setTaskMode(m.TaskMode.MANUALLY_SCHEDULED)
            t.setStart(s)
            t.setFinish(cal.getDate(s, t.getDuration()))
        elif not t.getPredecessors() and b.has("progress", 0.4):
            s = cal.getNextWorkStart(start.plusDays(r.randint(0, 3)).plusHours(r.choice([0, 0, 1, 3])))
            pct = r.choice([25.0, 50.0, 75.0, 100.0])
            dur = t.getDuration()
            t.setActualStart(s)
            t.setPercentageComplete(Double(pct))
            t.setActualDuration(m.Duration.getInstance(dur.getDuration() * pct / 100, dur.getUnits()))
            t.setRemainingDuration(
                m.Duration.getInstance(dur.getDuration() * (1 - pct / 100), dur.getUnits())
            )
            if pct == 100:
                t.setActualFinish(cal.getDate(s, dur))


def _written_and_scheduled(b: _Builder, start) -> Made:  # noqa: ANN001
    import os
    import tempfile

    from org.mpxj.cpm import MicrosoftScheduler
    from org.mpxj.mspdi import MSPDIWriter

    file = b.file
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "plan.xml")
        file.getTasks().synchronizeTaskIDToHierarchy()  # written in outline order, as Project writes
        MSPDIWriter().write(file, path)
        with open(path, "rb") as f:
            xml = f.read()
    try:
        MicrosoftScheduler().schedule(file, start)
    except Exception as exc:  # noqa: BLE001 - a loop through a summary: Project refuses such a file too
        if "Cycle" not in type(exc).__name__:
            raise
        return Made(xml, {}, b.used)
    expected = {
        str(t.getName()): (mpxj_oracle._py(t.getStart()), mpxj_oracle._py(t.getFinish()))
        for t in file.getTasks()
        if t.getName() is not None
    }
    return Made(xml, expected, b.used)


def ours(
    xml: bytes,
) -> tuple[dict[str, tuple[datetime, datetime]], Callable[[str, datetime, datetime], bool]]:
    """Each task's start and finish as `prometheus schedule FILE` gives them (the reader the API uses too),
    by name, and whether a finish of ours and MPXJ's differ only as MPXJ reads an SF-set finish
    (`mpxj_oracle.sf_finish_reading`)."""
    from prometheus.core.analysis import plan_network
    from prometheus.formats.registry import read_plan

    plan = read_plan(xml, "plan.xml")
    net = plan_network(plan, date(2027, 1, 1))
    s = net.solve()
    ids = {t.name: t.id for t in plan.tasks or []}
    dates = {t.name: (t.start.replace(tzinfo=None), t.finish.replace(tzinfo=None)) for t in s.tasks.values()}
    links = plan.dependencies or []
    return dates, lambda name, a, b: mpxj_oracle.sf_finish_reading(net, links, ids[name], a, b)


def disagreements(made: Made) -> list[tuple[str, str, datetime, datetime]]:
    """(task, field, ours, MPXJ's) for every start or finish that differs (but as MPXJ reads an SF-set
    finish)."""
    mine, sf_reading = ours(made.xml)
    out = []
    for name, dates in made.expected.items():
        for k, f in enumerate(("start", "finish")):
            if name in mine and mine[name][k] != dates[k]:
                if k == 1 and sf_reading(name, mine[name][k], dates[k]):
                    continue
                out.append((name, f, mine[name][k], dates[k]))
    return out
