"""The correctness oracle: MPXJ's MicrosoftScheduler (a reproduction of Microsoft Project's scheduling).

Builds an MPXJ ProjectFile from our domain model, schedules it in the JVM (JPype) and reads the dates back.
Optional: needs the `mpxj` package (extra `oracle`) and Java 17+.
"""

from __future__ import annotations

import shutil
from datetime import datetime

from prometheus.core.model import Calendar, Dependency, Resource, Task

_UNITS = {
    "hours": "HOURS",
    "days": "DAYS",
    "weeks": "WEEKS",
    "ehours": "ELAPSED_HOURS",
    "edays": "ELAPSED_DAYS",
    "eweeks": "ELAPSED_WEEKS",
}
_LINKS = {"FS": "FINISH_START", "SS": "START_START", "FF": "FINISH_FINISH", "SF": "START_FINISH"}
_CONSTRAINTS = {
    "ASAP": "AS_SOON_AS_POSSIBLE",
    "ALAP": "AS_LATE_AS_POSSIBLE",
    "SNET": "START_NO_EARLIER_THAN",
    "SNLT": "START_NO_LATER_THAN",
    "FNET": "FINISH_NO_EARLIER_THAN",
    "FNLT": "FINISH_NO_LATER_THAN",
    "MSO": "MUST_START_ON",
    "MFO": "MUST_FINISH_ON",
}


def available() -> bool:
    try:
        import jpype  # noqa: F401
        import mpxj  # noqa: F401
    except ImportError:
        return False
    return shutil.which("java") is not None


def _jvm():  # noqa: ANN202
    import jpype
    import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)

    if not jpype.isJVMStarted():
        jpype.startJVM("-Xmx2g")
    return jpype


def _ldt(dt: datetime):  # noqa: ANN202
    from java.time import LocalDateTime

    return LocalDateTime.of(dt.year, dt.month, dt.day, dt.hour, dt.minute)


def _py(ldt) -> datetime | None:  # noqa: ANN001
    return None if ldt is None else datetime.fromisoformat(str(ldt.toString()))


def _configure(pcal, cal: Calendar) -> None:  # noqa: ANN001
    from java.time import DayOfWeek, LocalDate, LocalTime
    from org.mpxj import DayType, LocalTimeRange

    for d in range(7):
        dow = DayOfWeek.of(d + 1)
        hours = pcal.getCalendarHours(dow) or pcal.addCalendarHours(dow)
        hours.clear()
        if d in cal.working_days:
            pcal.setCalendarDayType(dow, DayType.WORKING)
            for a, b in cal.working_hours:
                hours.add(LocalTimeRange(LocalTime.of(a.hour, a.minute), LocalTime.of(b.hour, b.minute)))
        else:
            pcal.setCalendarDayType(dow, DayType.NON_WORKING)
    for h in cal.holidays:
        pcal.addCalendarException(LocalDate.of(h.year, h.month, h.day), LocalDate.of(h.year, h.month, h.day))


def build_project(  # noqa: ANN201
    tasks: list[Task],
    deps: list[Dependency],
    calendar: Calendar | None = None,
    resources: list[Resource] | None = None,
):
    """An MPXJ ProjectFile holding the plan; returns (file, {our id: MPXJ task}).

    A task assigned to a resource with a calendar is assigned to it there too (work = its duration): it
    works on the resource's calendar, its links' lags on the project calendar (as in Project)."""
    _jvm()
    from java.lang import Double as JDouble
    from org.mpxj import ConstraintType, Duration, ProjectFile, Relation, RelationType, TaskMode, TimeUnit

    file = ProjectFile()
    pcal = file.addDefaultBaseCalendar()
    file.setDefaultCalendar(pcal)
    _configure(pcal, calendar or Calendar())
    own = {}
    for r in resources or []:
        if r.calendar is not None:
            jcal = file.addCalendar()
            jcal.setName(f"cal {r.id}")
            _configure(jcal, r.calendar)
            own[r.id] = file.addResource()
            own[r.id].setName(r.name)
            own[r.id].setCalendar(jcal)

    made: dict[str, object] = {}
    pending = list(tasks)
    while pending:
        rest = []
        for t in pending:
            if t.parent_id and t.parent_id not in made:
                rest.append(t)
                continue
            parent = made[t.parent_id] if t.parent_id else file
            jt = parent.addTask()
            jt.setName(t.name)
            unit = getattr(TimeUnit, _UNITS[t.duration_unit.value])
            jt.setDuration(Duration.getInstance(float(t.duration), unit))
            done = float(t.duration) * t.percent_complete / 100 if t.actual_start is not None else 0.0
            jt.setActualDuration(Duration.getInstance(done, unit))
            jt.setRemainingDuration(Duration.getInstance(float(t.duration) - done, unit))
            if t.actual_start is not None:
                jt.setActualStart(_ldt(t.actual_start))
                jt.setPercentageComplete(JDouble(float(t.percent_complete)))
            if t.actual_finish is not None:
                jt.setActualFinish(_ldt(t.actual_finish))
            if t.manual and t.manual_start and t.manual_finish:
                jt.setTaskMode(TaskMode.MANUALLY_SCHEDULED)
                jt.setStart(_ldt(t.manual_start))
                jt.setFinish(_ldt(t.manual_finish))
            if t.duration == 0:
                jt.setMilestone(True)
            jt.setConstraintType(getattr(ConstraintType, _CONSTRAINTS[t.constraint_type.value]))
            if t.constraint_date is not None:
                jt.setConstraintDate(_ldt(t.constraint_date))
            if t.deadline is not None:
                jt.setDeadline(_ldt(t.deadline))
            worker = next((own[a.resource_id] for a in t.assignments if a.resource_id in own), None)
            if worker is not None:
                a = jt.addResourceAssignment(worker)
                a.setUnits(JDouble(100.0))
                a.setWork(jt.getDuration())
                a.setActualWork(jt.getActualDuration())
                a.setRemainingWork(jt.getRemainingDuration())
            made[t.id] = jt
        if len(rest) == len(pending):
            raise ValueError("tasks name parents that are not in the plan")
        pending = rest
    for d in deps:
        lag = Duration.getInstance(float(d.lag), getattr(TimeUnit, _UNITS[d.lag_unit.value]))
        builder = (
            Relation.Builder()
            .predecessorTask(made[d.predecessor_id])
            .type(getattr(RelationType, _LINKS[d.type.value]))
        )
        made[d.successor_id].addPredecessor(builder.lag(lag))
    return file, made


def schedule_with_mpxj(
    tasks: list[Task],
    deps: list[Dependency],
    start: datetime,
    calendar: Calendar | None = None,
    resources: list[Resource] | None = None,
) -> dict[str, dict[str, datetime | None]]:
    """Early/late dates per task id, as MPXJ's MicrosoftScheduler computes them."""
    file, made = build_project(tasks, deps, calendar, resources)
    from org.mpxj.cpm import MicrosoftScheduler

    MicrosoftScheduler().schedule(file, _ldt(start))
    return {
        tid: {
            "early_start": _py(jt.getEarlyStart()),
            "early_finish": _py(jt.getEarlyFinish()),
            "late_start": _py(jt.getLateStart()),
            "late_finish": _py(jt.getLateFinish()),
            "start": _py(jt.getStart()),
            "finish": _py(jt.getFinish()),
        }
        for tid, jt in made.items()
    }


def minutes_unit():  # noqa: ANN201
    """MPXJ's minutes, to read a calendar's working time on a date."""
    _jvm()
    from org.mpxj import TimeUnit

    return TimeUnit.MINUTES


def sf_finish_reading(net, links, task_id: str, ours: datetime, theirs: datetime) -> bool:  # noqa: ANN001
    """A finish where MPXJ's MicrosoftScheduler and Project read one working moment apart: Project keeps the
    finish an SF link sets at its predecessor's start (a start of work: Monday 08:00; MPXJ's own
    mpp*relations and legacy/sample test files, saved by Project 98 to 2010, store it so), MPXJ reads it as
    the end of the work before (Friday 17:00). True where the plan has such a link (no working lag, or a
    negative one) and the two are the same moment of work on the task's calendar (a summary's: on one of
    the plan's calendars, its last subtask's)."""
    if not any(d.type == "SF" and d.lag <= 0 for d in links) or ours <= theirs:
        return False
    i = net.pos.get(task_id)
    if i is not None and net.dur[i] == 0:  # a milestone's reading is its own
        return False
    for wc in [net.cal.cals[net.kal[i]]] if i is not None else net.cal.cals:
        if int(wc.index_of(wc.minutes(ours))) == int(wc.index_of(wc.minutes(theirs))):
            return True
    return False
