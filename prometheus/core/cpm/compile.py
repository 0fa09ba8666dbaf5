"""Compiling a plan to arrays over its leaf tasks: calendars per task, durations in working minutes,
progress, constraints, links expanded from summary tasks onto their subtasks, and the topological levels.
A part of `Network`; the result is also offered read-only as a `CompiledNetwork`."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import numpy as np

from prometheus.core.bounds import EARLIEST_YEAR, LATEST_YEAR
from prometheus.core.calendar import Calendars, SchedulingError, WorkCalendar, unit_minutes
from prometheus.core.cpm.columns import read
from prometheus.core.cpm.compiled import CompiledNetwork
from prometheus.core.cpm.order import csr, groups, no_gc
from prometheus.core.cpm.progress import DATE_FIELDS, FIRST_DATES, Progress, naive
from prometheus.core.cpm.rules import (
    ALAP,
    ASAP,
    FNET,
    FNLT,
    LINK_CODE,
    MFO,
    leaves_finish,
    reaches_finish,
)
from prometheus.core.cpm.table import LAG_UNIT_CODE, PlanTable
from prometheus.core.cpm.task_times import TaskTimes, task_calendars
from prometheus.core.graph import find_cycle, hierarchy_loop, levels
from prometheus.core.model import (
    Calendar,
    Dependency,
    DurationUnit,
    LagUnit,
    LinkType,
)
from prometheus.core.structure import loop_error

_UNITS = list(DurationUnit)  # in the order of UNIT_CODE
ROUND_THE_CLOCK = Calendar(
    name="elapsed time",
    working_days=list(range(7)),
    working_hours=[(time(0), time(0))],
    hours_per_day=24,
    hours_per_week=168,
)


class CycleError(SchedulingError):
    """The links form a cycle; `cycle` lists the task ids, first and last the same."""

    def __init__(self, cycle: list[str], names: dict[str, str]):
        self.cycle = cycle
        super().__init__("dependency cycle: " + " -> ".join(f"'{names.get(t, t)}'" for t in cycle))


class Compiler(TaskTimes, Progress):
    """Network's compile step (its arrays keep short names inside this package; `compiled` names them)."""

    def _build(self) -> None:
        table, start, cal, deadline, resources = self._source
        if self._changed:  # tasks set_duration changed since the last compile
            table = table.with_tasks(self._changed.values())
            self._source = (table, *self._source[1:])
            self._changed = {}
        with no_gc():
            self.earliest: dict[str, str] = {}
            self._compile(table, start, cal, deadline, resources)
            from_start = self.children and [
                d.predecessor_id
                for d in table.links.dependencies
                if d.predecessor_id in self.children and d.type in (LinkType.SS, LinkType.SF)
            ]
            if from_start:  # a link from a summary's start leaves its earliest subtask, as MS Project
                self.earliest = self._earliest_subtasks(table, start, cal, deadline, resources, from_start)
                self._compile(table, start, cal, deadline, resources)

    def _earliest_subtasks(self, table, start, cal, deadline, resources, summaries) -> dict[str, str]:  # noqa: ANN001
        """The subtask of each summary that starts first when links on summary tasks are left out."""
        pos = self.pos
        plain = [d for d in table.links.dependencies if d.predecessor_id in pos and d.successor_id in pos]
        pre = type(self)(
            table.tasks,
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
        out, stack = [], [sid]
        while stack:  # depth first, each summary's direct leaves before those of its summary children
            kids = self.children[stack.pop()]
            out.extend(k for k in kids if k not in self.children)
            stack.extend(reversed([k for k in kids if k in self.children]))
        return out

    # -- compiling ----------------------------------------------------------------------------------------

    def _compile(self, table: PlanTable, start, cal, deadline, resources) -> None:  # noqa: ANN001, C901
        if not isinstance(start, datetime):
            start = datetime.combine(start, time(0))
        start = naive(start)
        if deadline is not None and not isinstance(deadline, datetime):
            _check_inputs([datetime.combine(deadline, time(0))], np.zeros(0))
            deadline = datetime.combine(deadline + timedelta(days=1), time(0))  # a date: the end of that day
        self.start, self.deadline = start, naive(deadline)

        leaf = table.leaves()
        every = table.columns
        loop = leaf.children and hierarchy_loop(dict(zip(every["id"], every["parent_id"], strict=True)))
        if loop:  # however it came (a scenario over a changed plan): a 409 naming it, never an endless walk
            raise loop_error(loop, dict(zip(every["id"], every["name"], strict=True)))
        self.leaves, cols, rows = leaf.tasks, leaf.columns, leaf.rows
        self.children, self.summaries, active_ids = leaf.children, leaf.summaries, leaf.active_ids
        leaves, ids, status = self.leaves, cols["id"], cols["status"]
        self.ids, self.leaf_names = ids, cols["name"]
        self.pos = pos = table.row if leaf.row is None else dict(zip(ids, range(len(ids)), strict=True))
        self.n = n = len(leaves)

        dated = np.flatnonzero(rows.dated).tolist()
        dates = read([leaves[i] for i in dated], DATE_FIELDS)
        moments = [start] + [naive(m) for k in FIRST_DATES for m in dates[k] if m is not None]
        every_date = [naive(m) for k in DATE_FIELDS for m in dates[k] if isinstance(m, datetime)]
        _check_inputs([*moments, *every_date], rows.duration)
        epoch = min(moments).date() - timedelta(days=7)
        total_days = float(rows.duration.sum()) * 7 + 366  # a generous first guess, grown on demand
        days = int(min(total_days, 5000))
        self.wc = wc = WorkCalendar(cal, epoch, days=days)
        self.mpd = mpd = wc.minutes_per_day
        # task calendars: the project's (number 0), the task's own, or its resources' calendars; a link's
        # working lag runs on its successor's own calendar, else the plan's: never on its resources'
        # calendars, nor on an elapsed task's clock (Project: "lag uses the base calendar", KB 159773)
        work_calendars = [wc]
        kal, self.lag_kal, self.spread = task_calendars(leaf, resources, cal, epoch, days, work_calendars)
        self.kal = kal
        unit_code = rows.unit
        elapsed = np.flatnonzero(unit_code >= 3).tolist()
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
        self.unit_minutes = unit_minutes(mpd, wc.minutes_per_week)

        # tasks
        per_unit = np.array([self.unit_minutes[u] for u in _UNITS], dtype=np.float64)[unit_code]
        self.dur = dur = np.rint(rows.duration * per_unit).astype(np.int64)
        self.ctype = ctype = rows.constraint.copy()
        self.cidx = cidx = np.zeros(n, dtype=np.int64)
        self.actual = actual = np.zeros(n, dtype=bool)
        self.manual = np.zeros(n, dtype=bool)  # manually scheduled: its own dates, whatever its links say
        self.task_deadline = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        self._apply_dates(dated, dates, per_unit)
        self._split_spans(leaves, cols["splits"])
        self.spread_mask = np.zeros(n, dtype=bool)
        self.spread_mask[list(self.spread)] = True
        self.work_dur = dur.copy()  # the duration each resource works (the span may be longer)
        self._leveling_delays(leaves, cols["leveling_delay"])
        self.not_before: np.ndarray | None = None
        if self.status_date is not None:
            self._apply_status_date(status, cols["actual_start"])
        self.flagged_milestone = rows.milestone
        done = rows.done
        self.percent = np.where(done, 100.0, rows.percent)
        self.constrained = bool((ctype != ASAP).any())
        self.finished = actual & (done | self.finished_at)  # an actual finish, or completed

        # links (a link to or from a summary task reaches every subtask)
        links = table.links
        dependencies, ltype, lag, lag_unit = links.dependencies, links.type, links.lag, links.lag_unit
        pred, succ = links.pred, links.succ
        if leaf.row is not None:  # table rows to leaf numbers (-1: not a leaf)
            number = np.full(table.n + 1, -1, dtype=np.int64)  # the last entry answers row -1
            number[leaf.row] = np.arange(n)
            pred, succ = number[pred], number[succ]
        ok = (pred >= 0) & (succ >= 0)
        if not ok.all():
            active_ids = active_ids or set(ids)
            spread = [
                (pos[p], pos[q], LINK_CODE[d.type], d.lag, LAG_UNIT_CODE[d.lag_unit])
                for i in np.flatnonzero(~ok).tolist()
                if (d := dependencies[i]).predecessor_id in active_ids and d.successor_id in active_ids
                for p in self._link_sources(d)
                for q in self.leaf_ids(d.successor_id)
            ]
            extra = np.array(spread, dtype=np.float64).reshape(-1, 5)
            pred, succ, ltype = (
                np.concatenate([a[ok], extra[:, k].astype(np.int64)])
                for k, a in enumerate((pred, succ, ltype))
            )
            lag = np.concatenate([lag[ok], extra[:, 3]])
            lag_unit = np.concatenate([lag_unit[ok], extra[:, 4].astype(np.int64)])
        self.pred, self.succ, self.ltype = pred, succ, ltype
        self.is_elapsed = lag_unit >= 3
        factors = np.array([self.unit_minutes[u] for u in LagUnit], dtype=np.float64)
        lag_minutes = np.rint(lag * factors[lag_unit]).astype(np.int64)
        self.lagw = np.where(self.is_elapsed, 0, lag_minutes)
        self.lage = np.where(self.is_elapsed, lag_minutes, 0)
        self.any_elapsed = bool(self.is_elapsed.any())
        self.lag_apart = bool(((self.lag_kal[succ] != self.kal[succ]) & (self.lagw != 0)).any())
        self.from_finish = leaves_finish(ltype)  # the link leaves the predecessor's finish
        self.to_finish = reaches_finish(ltype)  # the link arrives at the successor's finish

        level = levels(n, pred, succ)
        if level is None:
            cyc = find_cycle(
                [t.id for t in leaves],
                [(leaves[p].id, leaves[q].id) for p, q in zip(pred, succ, strict=True)],
            )
            raise CycleError(cyc or [], dict(zip(table.columns["id"], table.columns["name"], strict=True)))
        self.level = level
        self.nlevels = int(level.max()) + 1 if n else 0
        self.t_order, self.t_bounds = groups(level, self.nlevels)
        self.by_level: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # links by level, as the passes need
        self.in_order, self.in_ptr = csr(succ, n)
        self.out_order, self.out_ptr = csr(pred, n)

        self.ps_k = np.array([int(c.index_of(c.minutes(start))) for c in self.cal.cals], dtype=np.int64)
        self.ps = ps = int(self.ps_k[0])
        self.start_at = int(wc.minutes(start))  # the project start in minutes since epoch, working or not
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
        self._at_start: np.ndarray | None = None  # the early finishes the last result read as starts
        self._moved_late: set[int] = set()
        self.compiled = CompiledNetwork(
            tasks=self.leaves,
            task_ids=self.ids,
            task_names=self.leaf_names,
            duration=self.dur,
            work_duration=self.work_dur,
            calendar_of=self.kal,
            constraint_type=ctype,
            constraint_at=cidx,
            started=actual,
            manual=self.manual,
            finished=self.finished,
            has_predecessor=self.has_pred,
            pred=pred,
            succ=succ,
            link_type=ltype,
            from_finish=self.from_finish,
            to_finish=self.to_finish,
            lag_working=self.lagw,
            lag_elapsed=self.lage,
            lag_is_elapsed=self.is_elapsed,
            calendars=self.cal,
            plan_calendar=wc,
            minutes_per_day=mpd,
            unit_minutes=self.unit_minutes,
            project_start=ps,
            topological_order=self.t_order,
        )

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


def _check_inputs(moments: list[datetime], durations: np.ndarray) -> None:
    """What no plan may hold, whoever calls the core (the API's inputs refuse them first): a date outside
    the years EARLIEST_YEAR..LATEST_YEAR (year 1 was an OverflowError), a duration that is not a finite
    number of at least 0 (NaN was a ValueError, -5 days a task finishing before it started)."""
    outside = [m for m in moments if not EARLIEST_YEAR <= m.year <= LATEST_YEAR]
    if outside:
        raise SchedulingError(
            f"the date {outside[0].date().isoformat()} is outside the years {EARLIEST_YEAR}..{LATEST_YEAR}"
        )
    bad = durations[~(np.isfinite(durations) & (durations >= 0))]
    if bad.size:
        raise SchedulingError(f"a duration of {bad[0]} is not a finite number of at least 0")
