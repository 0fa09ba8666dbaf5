"""Critical path scheduling in calendar time, as Microsoft Project does it.

The network is compiled to integer arrays over the plan's leaf tasks (summary-task links are expanded onto
their subtasks), ordered in topological levels, and both passes run level by level with NumPy, in working
minutes of the plan calendar (see calendar.py). Summary tasks are rolled up afterwards.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from itertools import repeat
from operator import attrgetter
from typing import ClassVar

import numpy as np

from prometheus.core.calendar import Calendars, SchedulingError, WorkCalendar
from prometheus.core.graph import find_cycle
from prometheus.core.model import (
    Calendar,
    ConstraintType,
    Dependency,
    DurationUnit,
    LagUnit,
    LinkType,
    Resource,
    Task,
    TaskStatus,
)
from prometheus.core.task_times import TaskTimes

FS, SS, FF, SF = 0, 1, 2, 3
_LINK = {"FS": FS, "SS": SS, "FF": FF, "SF": SF}
_C = {c.value: i for i, c in enumerate(ConstraintType)}
ASAP, ALAP, SNET, SNLT, FNET, FNLT, MSO, MFO = (
    _C[c] for c in ("ASAP", "ALAP", "SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO")
)
_CT = {c: i for i, c in enumerate(ConstraintType)}
_LT = {LinkType.FS: FS, LinkType.SS: SS, LinkType.FF: FF, LinkType.SF: SF}
_LAG_UNITS = {u: i for i, u in enumerate(LagUnit)}  # hours, days, weeks, then the elapsed ones
_ELAPSED = (DurationUnit.ehours, DurationUnit.edays, DurationUnit.eweeks)
ROUND_THE_CLOCK = Calendar(
    name="elapsed time",
    working_days=list(range(7)),
    working_hours=[(time(0), time(0))],
    hours_per_day=24,
    hours_per_week=168,
)
MAX_PATHS = 100
_NEVER = np.iinfo(np.int64).min // 4
_ID = attrgetter("id")
_TASK_COLUMNS = attrgetter(
    "id",
    "name",
    "duration",
    "duration_unit",
    "constraint_type",
    "milestone",
    "percent_complete",
    "status",
    "actual_start",
    "deadline",
    "manual",
    "leveling_delay",
    "calendar",
)
_LINK_COLUMNS = attrgetter("predecessor_id", "successor_id", "type", "lag", "lag_unit")


class CycleError(SchedulingError):
    """The links form a cycle; `cycle` lists the task ids, first and last the same."""

    def __init__(self, cycle: list[str], names: dict[str, str]):
        self.cycle = cycle
        super().__init__("dependency cycle: " + " -> ".join(f"'{names.get(t, t)}'" for t in cycle))


@dataclass
class ScheduledTask:
    id: str
    name: str
    summary: bool
    milestone: bool
    duration_minutes: int
    start: datetime
    finish: datetime
    early_start: datetime
    early_finish: datetime
    late_start: datetime
    late_finish: datetime
    total_slack_minutes: int
    free_slack_minutes: int
    critical: bool
    percent_complete: float
    successors: int = 0

    def as_dict(self, minutes_per_day: int) -> dict:
        return {
            "task_id": self.id,
            "name": self.name,
            "summary": self.summary,
            "milestone": self.milestone,
            "duration_days": round(self.duration_minutes / minutes_per_day, 4),
            "start": self.start,
            "finish": self.finish,
            "early_start": self.early_start,
            "early_finish": self.early_finish,
            "late_start": self.late_start,
            "late_finish": self.late_finish,
            "total_slack_days": round(self.total_slack_minutes / minutes_per_day, 4),
            "free_slack_days": round(self.free_slack_minutes / minutes_per_day, 4),
            "critical": self.critical,
            "percent_complete": self.percent_complete,
        }


@dataclass
class Conflict:
    task_id: str | None
    kind: str
    message: str


@dataclass
class _Table:
    """Per-task results as arrays: leaves first, then summary tasks."""

    ARRAYS: ClassVar[tuple[str, ...]] = (
        "summary",
        "milestone",
        "duration",
        "start",
        "finish",
        "early_start",
        "early_finish",
        "late_start",
        "late_finish",
        "total_slack",
        "free_slack",
        "critical",
        "percent",
        "successors",
    )
    ids: list[str]
    names: list[str]
    summary: np.ndarray
    milestone: np.ndarray
    duration: np.ndarray
    start: np.ndarray
    finish: np.ndarray
    early_start: np.ndarray
    early_finish: np.ndarray
    late_start: np.ndarray
    late_finish: np.ndarray
    total_slack: np.ndarray
    free_slack: np.ndarray
    critical: np.ndarray
    percent: np.ndarray
    successors: np.ndarray


@dataclass
class Schedule:
    project_start: datetime
    project_finish: datetime
    minutes_per_day: int
    table: _Table
    critical_paths: list[list[str]]
    paths_truncated: bool
    conflicts: list[Conflict] = field(default_factory=list)
    deadline: datetime | None = None
    span_minutes: int = 0  # working minutes from the project start to its finish

    @cached_property
    def tasks(self) -> dict[str, ScheduledTask]:
        """Each task's results as an object (built on first use; the arrays are in `table`)."""
        t = self.table
        cols = [
            t.ids,
            t.names,
            t.summary.tolist(),
            t.milestone.tolist(),
            t.duration.tolist(),
            *(getattr(t, f).astype("datetime64[us]").tolist() for f in _DATES),
            t.total_slack.tolist(),
            t.free_slack.tolist(),
            t.critical.tolist(),
            t.percent.tolist(),
            t.successors.tolist(),
        ]
        return {row[0]: ScheduledTask(*row) for row in zip(*cols, strict=True)}

    @property
    def critical_tasks(self) -> list[str]:
        t = self.table
        return [t.ids[i] for i in np.flatnonzero(t.critical & ~t.summary).tolist()]


_DATES = ("start", "finish", "early_start", "early_finish", "late_start", "late_finish")


def _naive(dt: datetime | None) -> datetime | None:
    return None if dt is None else dt.replace(tzinfo=None)


def _levels(n: int, pred: np.ndarray, succ: np.ndarray) -> np.ndarray | None:
    """Topological level of every node (longest edge count from a source), or None on a cycle."""
    level = np.full(n, -1, dtype=np.int64)
    indeg = np.bincount(succ, minlength=n)
    order = np.argsort(pred, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(np.bincount(pred, minlength=n))
    out_succ = succ[order]
    frontier = np.flatnonzero(indeg == 0)
    lvl = 0
    while frontier.size:
        level[frontier] = lvl
        starts = indptr[frontier]
        counts = indptr[frontier + 1] - starts
        total = int(counts.sum())
        if total == 0:
            break
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
        targets = out_succ[offsets]
        np.subtract.at(indeg, targets, 1)
        frontier = np.unique(targets[indeg[targets] == 0])
        lvl += 1
    return None if (level < 0).any() else level


def _groups(keys: np.ndarray, nlevels: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(nlevels + 1))
    return order, bounds


def _csr(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Edge numbers grouped by key (a task), and where each task's group starts."""
    order = np.argsort(keys, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    ptr[1:] = np.cumsum(np.bincount(keys, minlength=n))
    return order, ptr


def _gather(order: np.ndarray, ptr: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """The edges of the given tasks from a CSR grouping."""
    starts = ptr[nodes]
    counts = ptr[nodes + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    return order[np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)]


@contextmanager
def _no_gc() -> Iterator[None]:
    """Compiling a big plan allocates many small objects; cyclic GC passes over the plan objects only cost."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def schedule(
    tasks: list[Task],
    dependencies: list[Dependency],
    *,
    start: datetime | date,
    calendar: Calendar | None = None,
    deadline: datetime | date | None = None,
    resources: list[Resource] | None = None,
    status_date: datetime | date | None = None,
) -> Schedule:
    """Schedule tasks from `start`: early/late dates, slack, critical paths, summary roll-up, conflicts.

    A task assigned to a resource with a calendar of its own works on that calendar. With a status date,
    work not done yet is scheduled from it: unstarted tasks start no earlier, started tasks finish their
    remaining duration after it."""
    return Network(
        tasks,
        dependencies,
        start=start,
        calendar=calendar,
        deadline=deadline,
        resources=resources,
        status_date=status_date,
    ).solve()


class Network(TaskTimes):
    """A plan compiled to arrays for scheduling. It keeps its state, so that after `solve()` a change of one
    task's duration (`set_duration`) reschedules only the tasks the change reaches."""

    def __init__(
        self,
        tasks: list[Task],
        dependencies: list[Dependency],
        *,
        start: datetime | date,
        calendar: Calendar | None = None,
        deadline: datetime | date | None = None,
        resources: list[Resource] | None = None,
        status_date: datetime | date | None = None,
    ):
        self.status_date = status_date
        self._source = (list(tasks), dependencies, start, calendar or Calendar(), deadline, resources or [])
        self._source_pos: dict[str, int] | None = None
        self._build()

    def _build(self) -> None:
        tasks, dependencies, start, cal, deadline, resources = self._source
        with _no_gc():
            self.earliest: dict[str, str] = {}
            self._compile(tasks, dependencies, start, cal, deadline, resources)
            from_start = [
                d.predecessor_id
                for d in dependencies
                if d.predecessor_id in self.children and d.type in (LinkType.SS, LinkType.SF)
            ]
            if from_start:  # a link from a summary's start leaves its earliest subtask, as MS Project
                self.earliest = self._earliest_subtasks(
                    tasks, dependencies, start, cal, deadline, resources, from_start
                )
                self._compile(tasks, dependencies, start, cal, deadline, resources)

    def _earliest_subtasks(
        self, tasks, dependencies, start, cal, deadline, resources, summaries
    ) -> dict[str, str]:  # noqa: ANN001
        """The subtask of each summary that starts first when links on summary tasks are left out."""
        plain = [d for d in dependencies if d.predecessor_id in self.pos and d.successor_id in self.pos]
        pre = Network(
            tasks,
            plain,
            start=start,
            calendar=cal,
            deadline=deadline,
            resources=resources,
            status_date=self.status_date,
        )
        pre._forward(pre.no_late)
        at = pre.cal.moment(pre.kal, pre.ES, pre.rd & pre.zero)
        out = {}
        for sid in dict.fromkeys(summaries):
            order = self._subtasks_in_order(sid)
            out[sid] = min(order, key=lambda x: at[pre.pos[x]])  # the first of equals, as MPXJ
        return out

    def _subtasks_in_order(self, sid: str) -> list[str]:
        """Leaf subtasks: the direct ones in order, then those of each summary child (MPXJ's order)."""
        kids = self.children[sid]
        out = [k for k in kids if k not in self.children]
        for k in kids:
            if k in self.children:
                out.extend(self._subtasks_in_order(k))
        return out

    # -- compiling ----------------------------------------------------------------------------------------

    def _compile(self, tasks, dependencies, start, cal, deadline, resources) -> None:  # noqa: ANN001, C901
        if not isinstance(start, datetime):
            start = datetime.combine(start, time(0))
        start = _naive(start)
        if deadline is not None and not isinstance(deadline, datetime):
            deadline = datetime.combine(deadline + timedelta(days=1), time(0))  # a date: the end of that day
        self.start, self.deadline = start, _naive(deadline)

        active = [t for t in tasks if t.status != TaskStatus.cancelled]
        active_ids = set(map(_ID, active))
        children: dict[str, list[str]] = defaultdict(list)
        for t in active:
            if t.parent_id is not None and t.parent_id in active_ids:
                children[t.parent_id].append(t.id)
        self.children = children
        self.summaries = [t for t in active if t.id in children]
        self.leaves = leaves = [t for t in active if t.id not in children] if children else active
        cols = list(zip(*map(_TASK_COLUMNS, leaves), strict=True)) or [()] * 13
        ids, names, duration, unit, constraint, milestone, percent, status, actual_start, deadline_at = cols[
            :10
        ]
        manual, delays, own_calendars = cols[10:]
        self.ids, self.leaf_names = list(ids), list(names)
        self.pos = pos = dict(zip(ids, range(len(ids)), strict=True))
        self.n = n = len(leaves)

        dated = [
            i
            for i, (c, a, d, m) in enumerate(zip(constraint, actual_start, deadline_at, manual, strict=True))
            if c is not ConstraintType.ASAP or a is not None or d is not None or m
        ]
        moments = [start] + [
            _naive(m)
            for i in dated
            for m in (leaves[i].constraint_date, actual_start[i], deadline_at[i], leaves[i].manual_start)
            if m is not None
        ]
        epoch = min(moments).date() - timedelta(days=7)
        total_days = sum(duration) * 7 + 366  # a generous first guess, grown on demand
        days = int(min(total_days, 5000))
        self.wc = wc = WorkCalendar(cal, epoch, days=days)
        self.mpd = mpd = wc.minutes_per_day
        # task calendars: the project's (number 0), the task's own, or its resources' calendars
        self.kal = kal = np.zeros(n, dtype=np.int64)
        work_calendars = [wc]
        self.spread = (
            self._task_calendars(leaves, resources, cal, epoch, days, work_calendars)
            if any(r.calendar is not None for r in resources) or any(c is not None for c in own_calendars)
            else {}
        )
        elapsed = [i for i, u in enumerate(unit) if u in _ELAPSED]
        self.elapsed_task = np.zeros(n, dtype=bool)
        self.base_kal = kal.copy()  # an elapsed task still starts and ends in working time of this calendar
        if elapsed:  # an elapsed duration runs on the clock, nights, weekends and holidays included
            self.elapsed_task[elapsed] = True
            for i in elapsed:
                self.spread.pop(i, None)
            kal[elapsed] = len(work_calendars)
            work_calendars.append(WorkCalendar(ROUND_THE_CLOCK, epoch, days=days))
        self.cal = Calendars(work_calendars)
        self.multi = not self.cal.single
        self.unit_minutes = {
            DurationUnit.hours: 60,
            DurationUnit.days: mpd,
            DurationUnit.weeks: wc.minutes_per_week,
            DurationUnit.ehours: 60,
            DurationUnit.edays: 1440,
            DurationUnit.eweeks: 10080,
        }

        # tasks
        per_unit = np.fromiter(map(self.unit_minutes.__getitem__, unit), dtype=np.float64, count=n)
        self.dur = dur = np.rint(np.array(duration, dtype=np.float64) * per_unit).astype(np.int64)
        self.ctype = ctype = np.fromiter(map(_CT.__getitem__, constraint), dtype=np.int64, count=n)
        self.cidx = cidx = np.zeros(n, dtype=np.int64)
        self.actual = actual = np.zeros(n, dtype=bool)
        self.manual = np.zeros(n, dtype=bool)  # manually scheduled: its own dates, whatever its links say
        self.task_deadline = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        for i in dated:
            t = leaves[i]
            wc = self.cal.cals[kal[i]]
            if ctype[i] not in (ASAP, ALAP):
                if t.constraint_date is None:
                    ctype[i] = ASAP
                else:
                    cidx[i] = wc.index_of(wc.minutes(_naive(t.constraint_date)))
            if t.manual and t.manual_start is not None and t.actual_start is None:
                self.manual[i], ctype[i] = True, MSO
                cidx[i] = wc.index_of(wc.minutes(_naive(t.manual_start)))
                if t.manual_finish is not None:
                    dur[i] = max(0, int(wc.index_of(wc.minutes(_naive(t.manual_finish)))) - int(cidx[i]))
            if t.actual_start is not None:
                actual[i] = True
                ctype[i] = MSO
                cidx[i] = wc.index_of(wc.minutes(_naive(t.actual_start)))
                if t.actual_finish is not None:
                    dur[i] = max(0, int(wc.index_of(wc.minutes(_naive(t.actual_finish)))) - int(cidx[i]))
            if t.deadline is not None:
                self.task_deadline[i] = wc.index_of(wc.minutes(_naive(t.deadline)))
            if t.actual_start is not None and t.actual_finish is None and t.remaining_duration is not None:
                done = dur[i] * t.percent_complete / 100  # work done, then what is left of it
                dur[i] = int(round(done + t.remaining_duration * self.unit_minutes[t.duration_unit]))
            if t.resume is not None and t.actual_start is not None and t.actual_finish is None:
                per = self.unit_minutes[t.duration_unit]  # the work left starts again at the resume date
                left = dur[i] * (1 - t.percent_complete / 100)
                if t.remaining_duration is not None:
                    left = t.remaining_duration * per
                resumes = int(wc.index_of(wc.minutes(_naive(t.resume)))) - int(cidx[i])
                dur[i] = max(int(dur[i]), resumes + int(round(left)))
        wc = self.wc
        self.spread_mask = np.zeros(n, dtype=bool)
        self.spread_mask[list(self.spread)] = True
        self.work_dur = dur.copy()  # the duration each resource works (the span may be longer)
        self._leveling_delays(leaves, delays)
        self.not_before: np.ndarray | None = None
        if self.status_date is not None:
            self._apply_status_date(leaves, status, actual_start)
        self.flagged_milestone = np.array(milestone, dtype=bool)
        done = np.array([x is TaskStatus.completed for x in status], dtype=bool)
        self.percent = np.where(done, 100.0, np.array(percent, dtype=np.float64))
        self.constrained = bool((ctype != ASAP).any())
        self.finished = actual & done
        for i in dated:  # finished: an actual finish, or completed
            self.finished[i] |= actual[i] and leaves[i].actual_finish is not None

        # links (a link to or from a summary task reaches every subtask)
        m = len(dependencies)
        p_ids, s_ids, kinds, lags, lag_units = (
            list(zip(*map(_LINK_COLUMNS, dependencies), strict=True)) or [()] * 5
        )
        links = np.empty((m, 5), dtype=np.float64)
        links[:, 0] = np.fromiter(map(pos.get, p_ids, repeat(-1, m)), dtype=np.float64, count=m)
        links[:, 1] = np.fromiter(map(pos.get, s_ids, repeat(-1, m)), dtype=np.float64, count=m)
        links[:, 2] = np.fromiter(map(_LT.__getitem__, kinds), dtype=np.float64, count=m)
        links[:, 3] = np.array(lags, dtype=np.float64)
        links[:, 4] = np.fromiter(map(_LAG_UNITS.__getitem__, lag_units), dtype=np.float64, count=m)
        ok = (links[:, 0] >= 0) & (links[:, 1] >= 0)
        spread = [
            (pos[p], pos[q], _LT[d.type], d.lag, _LAG_UNITS[d.lag_unit])
            for i in np.flatnonzero(~ok).tolist()
            if (d := dependencies[i]).predecessor_id in active_ids and d.successor_id in active_ids
            for p in self._link_sources(d)
            for q in self.leaf_ids(d.successor_id)
        ]
        links = np.vstack([links[ok], np.array(spread, dtype=np.float64)]) if spread else links[ok]
        self.pred, self.succ, self.ltype = (links[:, k].astype(np.int64) for k in range(3))
        pred, succ, ltype = self.pred, self.succ, self.ltype
        lag_unit = links[:, 4].astype(np.int64)
        self.is_elapsed = lag_unit >= 3
        factors = np.array([60, mpd, wc.minutes_per_week, 60, 1440, 10080], dtype=np.float64)
        lag_minutes = np.rint(links[:, 3] * factors[lag_unit]).astype(np.int64)
        self.lagw = np.where(self.is_elapsed, 0, lag_minutes)
        self.lage = np.where(self.is_elapsed, lag_minutes, 0)
        self.any_elapsed = bool(self.is_elapsed.any())
        self.from_finish = (ltype == FS) | (ltype == FF)  # the link leaves the predecessor's finish
        self.to_finish = (ltype == FF) | (ltype == SF)  # the link arrives at the successor's finish

        level = _levels(n, pred, succ)
        if level is None:
            cyc = find_cycle(
                [t.id for t in leaves],
                [(leaves[p].id, leaves[q].id) for p, q in zip(pred, succ, strict=True)],
            )
            raise CycleError(cyc or [], {t.id: t.name for t in tasks})
        self.level = level
        self.nlevels = int(level.max()) + 1 if n else 0
        self.t_order, self.t_bounds = _groups(level, self.nlevels)
        self.f_order, self.f_bounds = _groups(level[succ], self.nlevels)
        self.b_order, self.b_bounds = _groups(level[pred], self.nlevels)
        self.in_order, self.in_ptr = _csr(succ, n)
        self.out_order, self.out_ptr = _csr(pred, n)

        self.ps_k = np.array([int(c.index_of(c.minutes(start))) for c in self.cal.cals], dtype=np.int64)
        self.ps = ps = int(self.ps_k[0])
        self.has_pred = np.bincount(succ, minlength=n) > 0 if n else np.zeros(0, dtype=bool)
        # a task without predecessors starts at the project start, or on its SNET/FNET date (even if earlier)
        self.is_alap = ctype == ALAP
        self.zero = dur == 0
        self.finish_kind = (ctype == FNET) | (ctype == FNLT) | (ctype == MFO)
        self.ES, self.EF, self.LS, self.LF = (np.zeros(n, dtype=np.int64) for _ in range(4))
        self.link_driven = np.zeros(n, dtype=np.int64)
        self.rd = np.zeros(n, dtype=bool)  # a zero-duration task's date reads as a finish (Fri 17:00)
        self.n_fin = np.zeros(n, dtype=np.int64)  # per milestone: tight links arriving at an end / a start
        self.n_sta = np.zeros(n, dtype=np.int64)
        self.no_late = np.zeros(pred.size, dtype=bool)
        self.finish_at = int(wc.start_of(ps))  # the project finish, minutes since epoch
        self.finish_k = self.ps_k.copy()  # ... as an index of each calendar
        self.dl_k = (
            np.array([int(c.index_of(c.minutes(self.deadline))) for c in self.cal.cals], dtype=np.int64)
            if self.deadline
            else None
        )
        self.out_degree = np.bincount(pred, minlength=n) if n else np.zeros(0, dtype=np.int64)
        self._dates: dict[
            str, np.ndarray
        ] = {}  # datetime arrays of the last result, updated where tasks moved
        self._moved_early: set[int] = set()
        self._moved_late: set[int] = set()

    def _apply_status_date(self, leaves: list[Task], status: tuple, actual_start: tuple) -> None:
        """Work not done by the status date comes after it: unstarted tasks start no earlier, started ones
        finish their remaining work after it."""
        when = self.status_date
        if not isinstance(when, datetime):
            when = datetime.combine(when + timedelta(days=1), time(0))  # a date: progress up to its end
        at = self.wc.minutes(_naive(when))
        status_k = np.array([int(c.index_of(at)) for c in self.cal.cals], dtype=np.int64)[self.kal]
        open_ = np.array([x not in (TaskStatus.completed,) for x in status], dtype=bool)
        unstarted = open_ & np.array([a is None for a in actual_start], dtype=bool)
        self.not_before = np.where(unstarted, status_k, _NEVER)
        for i in np.flatnonzero(open_ & self.actual & ~unstarted).tolist():
            t = leaves[i]
            if t.actual_finish is None:
                left = self.dur[i] * (1 - t.percent_complete / 100)
                if t.remaining_duration is not None:
                    left = t.remaining_duration * self.unit_minutes[t.duration_unit]
                self.dur[i] = max(int(self.dur[i]), int(status_k[i] - self.cidx[i] + round(left)))

    def _link_sources(self, d: Dependency) -> list[str]:
        if d.predecessor_id in self.earliest and d.type in (LinkType.SS, LinkType.SF):
            return [self.earliest[d.predecessor_id]]
        return self.leaf_ids(d.predecessor_id)

    def leaf_ids(self, tid: str) -> list[str]:
        out, stack = [], [tid]
        while stack:
            x = stack.pop()
            if x in self.children:
                stack.extend(self.children[x])
            else:
                out.append(x)
        return out

    # -- the passes ---------------------------------------------------------------------------------------

    def _first(self, T: np.ndarray) -> np.ndarray:
        c = self.ctype[T]
        ps = self.ps_k[self.kal[T]] if self.multi else self.ps
        return np.where(c == SNET, self.cidx[T], np.where(c == FNET, self.cidx[T] - self.dur[T], ps))

    def _to_succ(
        self, p: np.ndarray, s: np.ndarray, base: np.ndarray, base_fin: np.ndarray, elapsed: np.ndarray
    ) -> np.ndarray:
        """Move the points links leave into the successors' calendars, in place, except for elapsed lags
        (they run from the moment itself). Returns the calendar each base is now expressed in."""
        if not self.multi:
            return self.kal[s]
        cross = (self.kal[p] != self.kal[s]) & ~elapsed
        if cross.any():
            ks = self.kal[s][cross]
            at = self.cal.moment(self.kal[p][cross], base[cross], base_fin[cross])
            base[cross] = self.cal.index_of(ks, at)
            base_fin[cross] = at == self.cal.finish_of(ks, base[cross])
        return np.where(elapsed, self.kal[p], self.kal[s])

    def _forward_level(self, T: np.ndarray, E: np.ndarray, use_late: np.ndarray) -> None:
        """Early dates of tasks T from their incoming links E (links out of ALAP tasks may use late dates)."""
        ES, EF, dur, zero, rd, C = self.ES, self.EF, self.dur, self.zero, self.rd, self.cal
        ES[T] = np.where(self.has_pred[T], _NEVER, self._first(T))
        milestones = bool(zero[T].any())
        if E.size:
            p, s = self.pred[E], self.succ[E]
            late = use_late[E]
            ff = self.from_finish[E]
            base = np.where(ff, np.where(late, self.LF[p], EF[p]), np.where(late, self.LS[p], ES[p]))
            # how the moment the link leaves reads: a milestone's own reading (late ones: a finish)
            base_fin = np.where(zero[p], rd[p] | late, ff)
            k_base = self._to_succ(p, s, base, base_fin, self.is_elapsed[E])
            ks = self.kal[s]
            ps = self.ps_k[ks] if self.multi else self.ps
            lw = self.lagw[E]
            cand = base + lw - np.where(self.to_finish[E], dur[s], 0)
            edge_fin = np.where(lw > 0, True, np.where(lw < 0, False, base_fin)) if milestones else None
            if self.any_elapsed:
                el = self.is_elapsed[E]
                if el.any():  # Microsoft Project takes off the duration first, then the elapsed lag
                    d_el = np.where(self.to_finish[E][el], dur[s][el], 0)
                    at = C.moment(k_base[el], base[el], base_fin[el])  # the moment the link leaves
                    less = d_el > 0
                    if less.any():
                        at[less] = C.start_of(ks[el][less], C.index_of(ks[el][less], at[less]) - d_el[less])
                    raw = at + self.lage[E][el]
                    cand[el] = C.index_of(ks[el], raw)
                    if milestones:
                        edge_fin[el] = raw == C.finish_of(ks[el], cand[el])
            is_ff = self.ltype[E] == FF
            clamp = is_ff & (cand < ps)  # FF never pulls before the project start
            if milestones:  # ... nor to the finish just before it
                clamp |= is_ff & (cand == ps) & edge_fin
            cand = np.where(clamp, ps, cand)
            np.maximum.at(ES, s, cand)
            if milestones:
                tight_in = (cand == ES[s]) & zero[s]
                edge_fin &= ~clamp
                self.n_fin[T] = 0
                self.n_sta[T] = 0
                np.add.at(self.n_fin, s[tight_in & edge_fin], 1)
                np.add.at(self.n_sta, s[tight_in & ~edge_fin], 1)
                rd[T] = (self.n_fin[T] > 0) & (self.n_sta[T] == 0)
        elif milestones:
            rd[T] = False
        if self.not_before is not None:
            ES[T] = np.maximum(ES[T], self.not_before[T])
        if self.delayed:  # leveling delay: the start waits this long after what the links allow
            ES[T] += self.delay_w[T]
            late = T[self.delay_e[T] > 0]
            if late.size:
                k = self.kal[late]
                ES[late] = C.index_of(k, C.start_of(k, ES[late]) + self.delay_e[late])
        if self.constrained:
            self.link_driven[T] = ES[T]
            c, ci, d = self.ctype[T], self.cidx[T], dur[T]
            es_t = ES[T]
            es_t = np.where(c == SNET, np.maximum(es_t, ci), es_t)
            es_t = np.where(c == FNET, np.maximum(es_t, ci - d), es_t)
            es_t = np.where(c == SNLT, np.minimum(es_t, ci), es_t)
            es_t = np.where(c == FNLT, np.minimum(es_t, ci - d), es_t)
            es_t = np.where(c == MSO, ci, es_t)
            es_t = np.where(c == MFO, ci - d, es_t)
            if milestones:
                binding = (
                    (es_t != ES[T])
                    | (c == MSO)
                    | (c == MFO)
                    | (~self.has_pred[T] & ((c == SNET) | (c == FNET)))
                )
                # same working minute, other moment: SNET's start beats a finish, FNLT's finish a start
                cur = rd[T]
                binding |= (c == SNET) & (ES[T] == ci) & cur
                binding |= (c == FNLT) & (ES[T] == ci - d) & ~cur
                rd[T] = np.where(binding, self.finish_kind[T], rd[T])
            ES[T] = es_t
        if self.elapsed_task.any():
            self._snap(T, ES, start=True)
        if self.spread:
            self._spread_finish(T)
        EF[T] = ES[T] + dur[T]

    def _late_cap(self, T: np.ndarray) -> np.ndarray:
        k = self.kal[T]
        cap = self.finish_k[k] if self.dl_k is None else np.minimum(self.finish_k[k], self.dl_k[k])
        return np.minimum(cap, self.task_deadline[T])

    def _backward_level(self, T: np.ndarray, E: np.ndarray) -> None:
        """Late dates of tasks T from their outgoing links E."""
        LF, LS, dur, C = self.LF, self.LS, self.dur, self.cal
        LF[T] = self._late_cap(T)
        if E.size:
            p, s = self.pred[E], self.succ[E]
            tf, ff = self.to_finish[E], self.from_finish[E]
            base = np.where(tf, LF[s], LS[s])
            cand = base - self.lagw[E] + np.where(ff, 0, dur[p])
            if self.any_elapsed:
                el = self.is_elapsed[E]
                if el.any():  # SF: the duration goes on first, then the elapsed lag comes off
                    lt = self.ltype[E][el]
                    sf = lt == SF
                    b = base[el] + np.where(sf, dur[p][el], 0)
                    # FS reads a milestone successor's late start as it stands; SS takes the next work start
                    fin_read = tf[el] | (self.zero[s][el] & (lt == FS))
                    at = C.moment(self.kal[s][el], b, fin_read)
                    kp = self.kal[p][el]
                    cand[el] = C.index_of(kp, at - self.lage[E][el]) + np.where(ff[el] | sf, 0, dur[p][el])
            if self.multi:
                cross = self.kal[p] != self.kal[s]
                if cross.any():
                    cand[cross] = self._late_across(E[cross])
            np.minimum.at(LF, p, cand)
        if self.constrained:
            c, ci, d = self.ctype[T], self.cidx[T], dur[T]
            lf = LF[T]
            lf = np.where(c == FNLT, np.minimum(lf, ci), lf)
            lf = np.where(c == SNLT, np.minimum(lf, ci + d), lf)
            lf = np.where((c == MSO) & ~self.actual[T] & ~self.manual[T], ci + d, lf)
            lf = np.where(c == MFO, ci, lf)
            LF[T] = np.minimum(lf, self.task_deadline[T])
        LF[T] = np.where(self.finished[T], self.EF[T], LF[T])  # done work has no late dates of its own
        if self.elapsed_task.any():
            self._snap(T, LF, start=False)
        LS[T] = np.where(self.actual[T], self.ES[T], LF[T] - dur[T])  # a started task's start is fixed
        if self.spread:
            self._spread_start(T)

    def _late_across(self, E: np.ndarray) -> np.ndarray:
        """Late finish limits that links between two calendars put on their predecessors, via moments."""
        C, p, s, lt = self.cal, self.pred[E], self.succ[E], self.ltype[E]
        kp, ks, lw, le, dp = self.kal[p], self.kal[s], self.lagw[E], self.lage[E], self.dur[p]
        tf = self.to_finish[E]
        at = C.moment(ks, np.where(tf, self.LF[s], self.LS[s]), tf | self.zero[s])  # the dates as they stand
        ss = lt == SS
        if ss.any():  # SS: the next work start in the predecessor's calendar
            at[ss] = C.start_of(kp[ss], C.index_of(kp[ss], at[ss]))
        sf = lt == SF
        if sf.any():  # SF: the predecessor's duration goes on in its calendar before the lag comes off
            ends = C.index_of(kp[sf], at[sf]) + dp[sf]
            at[sf] = np.where(dp[sf] > 0, C.finish_of(kp[sf], ends), at[sf])
        working = (lw != 0) & ~self.is_elapsed[E]
        if working.any():  # the lag comes off in the successor's calendar
            shifted = C.index_of(ks[working], at[working]) - lw[working]
            at[working] = C.moment(ks[working], shifted, lw[working] < 0)
        at -= le
        return C.index_of(kp, at) + np.where(self.from_finish[E] | sf, 0, dp)

    def _forward(self, use_late: np.ndarray) -> None:
        for lv in range(self.nlevels):
            T = self.t_order[self.t_bounds[lv] : self.t_bounds[lv + 1]]
            self._forward_level(T, self.f_order[self.f_bounds[lv] : self.f_bounds[lv + 1]], use_late)

    def _backward(self) -> None:
        for lv in range(self.nlevels - 1, -1, -1):
            T = self.t_order[self.t_bounds[lv] : self.t_bounds[lv + 1]]
            self._backward_level(T, self.b_order[self.b_bounds[lv] : self.b_bounds[lv + 1]])

    def solve(self) -> Schedule:
        """Schedule the whole network."""
        with _no_gc():
            self._dates = {}
            self._forward(self.no_late)
            self._set_finish()
            self._backward()
            if self.is_alap.any():  # Microsoft Project: ALAP tasks sit on their late dates, successors follow
                self._forward(self.is_alap[self.pred] & ~self.is_alap[self.succ])
            return self._result()

    def set_duration(self, task_id: str, duration: float, unit: DurationUnit | None = None) -> Schedule:
        """Change one task's duration and reschedule only what the change reaches."""
        i = self.pos[task_id]
        task = self.leaves[i]
        unit = unit or task.duration_unit
        self.leaves[i] = changed = task.model_copy(update={"duration": duration, "duration_unit": unit})
        if self._source_pos is None:
            self._source_pos = {t.id: k for k, t in enumerate(self._source[0])}
        self._source[0][self._source_pos[task_id]] = changed
        if self.earliest or self.actual[i] or self.spread_mask[i]:  # compile again: a summary's first
            # subtask, progress, or the span of resources on several calendars may move
            self._build()
            return self.solve()
        minutes = int(round(duration * self.unit_minutes[unit]))
        if self.zero[i] != (minutes == 0) or self.is_alap.any() or self.actual[i]:
            self.dur[i] = minutes
            self.zero = self.dur == 0
            return self.solve()  # milestone-ness or ALAP shifts reach further than links: redo it all
        self.dur[i] = minutes
        with _no_gc():
            self._moved_early, self._moved_late = {i}, {i}
            self._propagate_forward(i)
            if self._set_finish():
                self._backward()
                self._dates = {k: v for k, v in self._dates.items() if k.startswith("early")}
            else:
                self._propagate_backward(i)
            return self._result()

    def _set_finish(self) -> bool:
        """The project finish: the latest early finish (a milestone may sit on a start). True if it moved."""
        if not self.n:
            return False
        if self.multi:
            at = int(self.cal.moment(self.kal, self.EF, ~(self.zero & ~self.rd)).max())
        else:
            last = int(self.EF.max())
            on_start = bool((self.zero & ~self.rd & (last == self.EF)).any())
            at = int(self.wc.start_of(last) if on_start else self.wc.finish_of(last))
        moved = at != self.finish_at
        self.finish_at = at
        self.finish_k = np.array([int(c.index_of(at)) for c in self.cal.cals], dtype=np.int64)
        return moved

    def _propagate_forward(self, start: int) -> None:
        pending: dict[int, set[int]] = {int(self.level[start]): {start}}
        while pending:
            lv = min(pending)
            T = np.fromiter(pending.pop(lv), dtype=np.int64)
            before = (self.ES[T].copy(), self.EF[T].copy(), self.rd[T].copy())
            self._forward_level(T, _gather(self.in_order, self.in_ptr, T), self.no_late)
            moved = T[(self.ES[T] != before[0]) | (self.EF[T] != before[1]) | (self.rd[T] != before[2])]
            self._moved_early.update(moved.tolist())
            for q in self.succ[_gather(self.out_order, self.out_ptr, moved)].tolist():
                pending.setdefault(int(self.level[q]), set()).add(q)

    def _propagate_backward(self, start: int) -> None:
        pending: dict[int, set[int]] = {int(self.level[start]): {start}}
        while pending:
            lv = max(pending)
            T = np.fromiter(pending.pop(lv), dtype=np.int64)
            before = (self.LS[T].copy(), self.LF[T].copy())
            self._backward_level(T, _gather(self.out_order, self.out_ptr, T))
            moved = T[(self.LS[T] != before[0]) | (self.LF[T] != before[1])]
            self._moved_late.update(moved.tolist())
            for q in self.pred[_gather(self.in_order, self.in_ptr, moved)].tolist():
                pending.setdefault(int(self.level[q]), set()).add(q)

    # -- results ------------------------------------------------------------------------------------------

    def _result(self) -> Schedule:
        n, wc, pred, succ = self.n, self.wc, self.pred, self.succ
        ES, EF, LS, LF, zero, is_alap = self.ES, self.EF, self.LS, self.LF, self.zero, self.is_alap
        sched_start = np.where(is_alap, LS, ES)
        sched_finish = np.where(is_alap, LF, EF)

        total_slack = np.where(self.actual, LF - EF, np.minimum(LS - ES, LF - EF))
        total_slack[is_alap & ~self.actual] = 0
        free = total_slack.copy()
        tight = np.zeros(pred.size, dtype=bool)
        if pred.size:
            base = np.where(self.from_finish, sched_finish[pred], sched_start[pred])
            base_fin = np.where(zero[pred], self.rd[pred], self.from_finish)
            el = self.is_elapsed
            k_base = self._to_succ(pred, succ, base, base_fin, el)
            cand = base + self.lagw
            if self.any_elapsed:
                at = self.cal.moment(k_base[el], base[el], base_fin[el]) + self.lage[el]
                cand[el] = self.cal.index_of(self.kal[succ][el], at)
            link_slack = np.where(self.to_finish, sched_finish[succ], sched_start[succ]) - cand
            free = np.where(np.bincount(pred, minlength=n) > 0, np.iinfo(np.int64).max, free)
            np.minimum.at(free, pred, link_slack)
            tight = link_slack <= 0
        free = np.clip(free, 0, np.maximum(total_slack, 0))  # free slack never exceeds total slack
        critical = (total_slack <= 0) & ~self.finished  # finished work is never critical (MS Project)

        dates = self._dated()
        table = _Table(
            ids=self.ids,
            names=self.leaf_names,
            summary=np.zeros(n, dtype=bool),
            milestone=zero | self.flagged_milestone,
            duration=np.where(self.spread_mask, self.work_dur, self.dur),
            start=np.where(is_alap, dates["late_start"], dates["early_start"]),
            finish=np.where(is_alap, dates["late_finish"], dates["early_finish"]),
            **{k: v.copy() for k, v in dates.items()},
            total_slack=total_slack,
            free_slack=free,
            critical=critical,
            percent=self.percent.copy(),
            successors=self.out_degree,
        )
        table = _roll_up(table, self.summaries, self.pos, self.leaf_ids, wc)
        paths, truncated = _critical_paths(n, pred, succ, tight, critical)
        ps = self.ps
        as_py = lambda m: wc.datetimes(m).astype("datetime64[us]").tolist()  # noqa: E731
        project_finish = as_py(self.finish_at)
        return Schedule(
            project_start=as_py(wc.start_of(ps)),
            project_finish=project_finish,
            minutes_per_day=self.mpd,
            table=table,
            critical_paths=[[self.ids[i] for i in path] for path in paths],
            paths_truncated=truncated,
            conflicts=self._conflicts(),
            deadline=self.deadline,
            span_minutes=max(0, int(self.finish_k[0]) - ps),
        )

    def _dated(self) -> dict[str, np.ndarray]:
        """Early and late dates as datetimes: all of them after a full pass, else only where tasks moved."""
        C, zero, kal = self.cal, self.zero, self.kal

        def convert(
            idx: np.ndarray, is_start: bool, finish_reading: np.ndarray, z: np.ndarray, k
        ) -> np.ndarray:  # noqa: ANN001
            reading = finish_reading if is_start else ~(z & ~finish_reading)
            return self.wc.datetimes(C.moment(k, idx, reading))

        # late dates of milestones always read as a finish (MS Project moves them back to the last work)
        spec = {
            "early_start": (self.ES, True, self.rd & zero, self._moved_early),
            "early_finish": (self.EF, False, self.rd & zero, self._moved_early),
            "late_start": (self.LS, True, zero, self._moved_late),
            "late_finish": (self.LF, False, zero, self._moved_late),
        }
        for key, (idx, is_start, reading, moved) in spec.items():
            if key not in self._dates:
                self._dates[key] = convert(idx, is_start, reading, zero, kal)
            elif moved:
                m = np.fromiter(moved, dtype=np.int64)
                self._dates[key][m] = convert(idx[m], is_start, reading[m], zero[m], kal[m])
        self._moved_early, self._moved_late = set(), set()
        return self._dates

    def _conflicts(self) -> list[Conflict]:
        wc, leaves, out = self.wc, self.leaves, []
        if self.constrained:
            honoured_late = (self.link_driven > self.ES) & np.isin(self.ctype, [SNLT, FNLT, MSO, MFO])
            for i in np.flatnonzero(self.manual & self.has_pred & (self.link_driven > self.ES)).tolist():
                t = leaves[i]
                when = wc.datetimes(self.cal.cals[self.kal[i]].start_of(self.link_driven[i]))
                out.append(
                    Conflict(
                        t.id,
                        "manual",
                        f"'{t.name}' is scheduled manually: its links would move it to "
                        f"{when.astype('datetime64[us]').tolist():%Y-%m-%d %H:%M}; it keeps its own dates",
                    )
                )
            for i in np.flatnonzero(honoured_late & ~self.actual & ~self.manual).tolist():
                t = leaves[i]
                start_at = self.cal.cals[self.kal[i]].start_of(self.link_driven[i])
                when = wc.datetimes(start_at).astype("datetime64[us]").tolist()
                out.append(
                    Conflict(
                        t.id,
                        "constraint",
                        f"'{t.name}': its links would start it at {when:%Y-%m-%d %H:%M}, later than its "
                        f"{t.constraint_type.value} constraint allows; the constraint wins over the links",
                    )
                )
        for i in np.flatnonzero(self.task_deadline < self.EF).tolist():
            t = leaves[i]
            out.append(Conflict(t.id, "deadline", f"'{t.name}' finishes after its deadline {t.deadline}"))
        if self.dl_k is not None and self.finish_k[0] > self.dl_k[0]:
            late_by = (self.finish_k[0] - self.dl_k[0]) / self.mpd
            out.append(
                Conflict(
                    None,
                    "project_deadline",
                    f"the project finishes {late_by:g} working days after its deadline",
                )
            )
        return out


def _roll_up(table: _Table, summaries: list[Task], pos: dict[str, int], leaf_ids, wc: WorkCalendar) -> _Table:  # noqa: ANN001
    """Append summary rows: they span their subtasks; progress is weighted by duration."""
    if not summaries:
        return table
    rows: dict[str, list] = {f: [] for f in _Table.ARRAYS}
    for t in summaries:
        idx = np.array([pos[x] for x in leaf_ids(t.id)], dtype=np.int64)
        rows["start"].append(table.start[idx].min())
        rows["finish"].append(table.finish[idx].max())
        rows["early_start"].append(table.early_start[idx].min())
        rows["early_finish"].append(table.early_finish[idx].max())
        rows["late_start"].append(table.late_start[idx].min())
        rows["late_finish"].append(table.late_finish[idx].max())
        work = table.duration[idx]
        total = int(work.sum())
        rows["percent"].append(round(float((work * table.percent[idx]).sum() / total), 2) if total else 0.0)
        rows["successors"].append(0)
        rows["free_slack"].append(0)
    minutes = lambda key: (np.array(rows[key]) - wc.datetimes(0)).astype("timedelta64[m]").astype(np.int64)  # noqa: E731
    span = wc.index_of(minutes("finish")) - wc.index_of(minutes("start"))
    slack = wc.index_of(minutes("late_finish")) - wc.index_of(minutes("early_finish"))
    rows["duration"] = span
    rows["total_slack"] = slack
    rows["critical"] = slack <= 0
    rows["summary"] = np.ones(len(summaries), dtype=bool)
    rows["milestone"] = np.zeros(len(summaries), dtype=bool)
    return _Table(
        ids=table.ids + [t.id for t in summaries],
        names=table.names + [t.name for t in summaries],
        **{
            f: np.concatenate([getattr(table, f), np.asarray(rows[f], dtype=getattr(table, f).dtype)])
            for f in _Table.ARRAYS
        },
    )


def _critical_paths(n: int, pred, succ, tight, critical) -> tuple[list[list[int]], bool]:  # noqa: ANN001
    """Every chain of critical tasks joined by driving links, from a critical start to a critical end."""
    crit_edge = tight & critical[pred] & critical[succ] if pred.size else np.zeros(0, dtype=bool)
    nxt: dict[int, list[int]] = defaultdict(list)
    for p, s in zip(pred[crit_edge].tolist(), succ[crit_edge].tolist(), strict=True):
        nxt[p].append(s)
    has_in = np.zeros(n, dtype=bool)
    has_in[succ[crit_edge]] = True
    paths: list[list[int]] = []
    for root in np.flatnonzero(critical & ~has_in).tolist():
        path = [root]
        branches = [iter(nxt.get(root, ()))]  # depth-first, one iterator of successors per path position
        if root not in nxt:
            paths.append([root])
        while branches:
            step = next(branches[-1], None)
            if step is None:
                branches.pop()
                path.pop()
                continue
            path.append(step)
            if step in nxt:
                branches.append(iter(nxt[step]))
            else:
                paths.append(path.copy())
                path.pop()
                if len(paths) >= MAX_PATHS:
                    return paths, True
        if len(paths) >= MAX_PATHS:
            return paths, True
    return paths, False
