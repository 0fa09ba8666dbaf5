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
from typing import ClassVar

import numpy as np

from prometheus.core.calendar import WorkCalendar
from prometheus.core.graph import find_cycle
from prometheus.core.model import (
    Calendar,
    ConstraintType,
    Dependency,
    DurationUnit,
    LagUnit,
    LinkType,
    Task,
    TaskStatus,
)

FS, SS, FF, SF = 0, 1, 2, 3
_LINK = {"FS": FS, "SS": SS, "FF": FF, "SF": SF}
_C = {c.value: i for i, c in enumerate(ConstraintType)}
ASAP, ALAP, SNET, SNLT, FNET, FNLT, MSO, MFO = (
    _C[c] for c in ("ASAP", "ALAP", "SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO")
)
_CT = {c: i for i, c in enumerate(ConstraintType)}
_LT = {LinkType.FS: FS, LinkType.SS: SS, LinkType.FF: FF, LinkType.SF: SF}
_LAG_UNITS = {u: i for i, u in enumerate(LagUnit)}  # hours, days, weeks, then the elapsed ones
MAX_PATHS = 100


class CycleError(ValueError):
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
) -> Schedule:
    """Schedule tasks from `start`: early/late dates, slack, critical paths, summary roll-up, conflicts."""
    with _no_gc():
        return _schedule(tasks, dependencies, start=start, calendar=calendar, deadline=deadline)


def _schedule(
    tasks: list[Task],
    dependencies: list[Dependency],
    *,
    start: datetime | date,
    calendar: Calendar | None = None,
    deadline: datetime | date | None = None,
) -> Schedule:
    """Schedule tasks from `start`: early/late dates, slack, critical paths, summary roll-up, conflicts."""
    cal = calendar or Calendar()
    if not isinstance(start, datetime):
        start = datetime.combine(start, time(0))
    start = _naive(start)
    if deadline is not None and not isinstance(deadline, datetime):
        deadline = datetime.combine(deadline + timedelta(days=1), time(0))  # a date deadline: end of that day
    deadline = _naive(deadline)

    active = [t for t in tasks if t.status != TaskStatus.cancelled]
    by_id = {t.id: t for t in active}
    names = {t.id: t.name for t in tasks}
    children: dict[str, list[str]] = defaultdict(list)
    for t in active:
        if t.parent_id in by_id:
            children[t.parent_id].append(t.id)
    leaves = [t for t in active if t.id not in children]
    pos = {t.id: i for i, t in enumerate(leaves)}
    n = len(leaves)

    def leaf_ids(tid: str) -> list[str]:
        out, stack = [], [tid]
        while stack:
            x = stack.pop()
            if x in children:
                stack.extend(children[x])
            else:
                out.append(x)
        return out

    # -- calendar and epoch ---------------------------------------------------------------------------------
    moments = [start] + [
        _naive(m) for t in leaves for m in (t.constraint_date, t.actual_start, t.deadline) if m is not None
    ]
    epoch = min(moments).date() - timedelta(days=7)
    total_days = sum(t.duration for t in leaves) * 7 + 366  # generous first guess; grown on demand
    wc = WorkCalendar(cal, epoch, days=int(min(total_days, 5000)))
    mpd = wc.minutes_per_day

    # -- compile tasks -----------------------------------------------------------------------------------
    unit_minutes = {DurationUnit.hours: 60, DurationUnit.days: mpd, DurationUnit.weeks: wc.minutes_per_week}
    dur = np.rint(
        np.array([t.duration for t in leaves], dtype=np.float64)
        * np.array([unit_minutes[t.duration_unit] for t in leaves], dtype=np.float64)
    ).astype(np.int64)
    ctype = np.array([_CT[t.constraint_type] for t in leaves], dtype=np.int64)
    cidx = np.zeros(n, dtype=np.int64)
    for i in np.flatnonzero((ctype != ASAP) & (ctype != ALAP)).tolist():
        when = leaves[i].constraint_date
        if when is None:
            ctype[i] = ASAP
        else:
            cidx[i] = wc.index_of(wc.minutes(_naive(when)))
    actual = np.zeros(n, dtype=bool)
    for i in [i for i, t in enumerate(leaves) if t.actual_start is not None]:
        t = leaves[i]
        actual[i] = True
        ctype[i] = MSO
        cidx[i] = wc.index_of(wc.minutes(_naive(t.actual_start)))
        if t.actual_finish is not None:
            dur[i] = max(0, int(wc.index_of(wc.minutes(_naive(t.actual_finish)))) - int(cidx[i]))
    constrained = bool((ctype != ASAP).any())
    task_deadline = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    for i in [i for i, t in enumerate(leaves) if t.deadline is not None]:
        task_deadline[i] = wc.index_of(wc.minutes(_naive(leaves[i].deadline)))

    # -- compile links (summary links apply to every subtask) -------------------------------------------
    get = pos.get
    links = np.array(
        [
            (get(d.predecessor_id, -1), get(d.successor_id, -1), _LT[d.type], d.lag, _LAG_UNITS[d.lag_unit])
            for d in dependencies
        ],
        dtype=np.float64,
    ).reshape(-1, 5)
    ok = (links[:, 0] >= 0) & (links[:, 1] >= 0)
    spread = [  # links to or from summary tasks reach every subtask
        (pos[p], pos[q], _LT[d.type], d.lag, _LAG_UNITS[d.lag_unit])
        for i in np.flatnonzero(~ok).tolist()
        if (d := dependencies[i]).predecessor_id in by_id and d.successor_id in by_id
        for p in leaf_ids(d.predecessor_id)
        for q in leaf_ids(d.successor_id)
    ]
    links = np.vstack([links[ok], np.array(spread, dtype=np.float64)]) if spread else links[ok]
    ep, es, et = (links[:, k].astype(np.int64) for k in range(3))
    lag_value = links[:, 3]
    lag_unit = links[:, 4].astype(np.int64)
    is_elapsed = lag_unit >= 3
    factors = np.array([60, mpd, wc.minutes_per_week, 60, 1440, 10080], dtype=np.float64)
    lag_minutes = np.rint(lag_value * factors[lag_unit]).astype(np.int64)
    lag = np.where(is_elapsed, 0, lag_minutes)
    elag = np.where(is_elapsed, lag_minutes, 0)
    pred, succ, ltype = ep, es, et
    lagw, lage = lag, elag
    any_elapsed = bool(is_elapsed.any())
    from_finish = (ltype == FS) | (ltype == FF)  # the link leaves the predecessor's finish
    to_finish = (ltype == FF) | (ltype == SF)  # the link arrives at the successor's finish

    level = _levels(n, pred, succ)
    if level is None:
        cyc = find_cycle(
            [t.id for t in leaves], [(leaves[p].id, leaves[s].id) for p, s in zip(ep, es, strict=True)]
        )
        raise CycleError(cyc or [], names)
    nlevels = int(level.max()) + 1 if n else 0
    t_order, t_bounds = _groups(level, nlevels)
    f_order, f_bounds = _groups(level[succ], nlevels)
    b_order, b_bounds = _groups(level[pred], nlevels)

    ps = int(wc.index_of(wc.minutes(start)))
    has_pred = np.bincount(succ, minlength=n) > 0 if n else np.zeros(0, dtype=bool)
    # a task without predecessors starts at the project start, or on its SNET/FNET date (even if earlier)
    first = np.where(ctype == SNET, cidx, np.where(ctype == FNET, cidx - dur, ps))
    alap_link = np.zeros(pred.size, dtype=bool)
    is_alap = ctype == ALAP
    ES = np.zeros(n, dtype=np.int64)
    EF = np.zeros(n, dtype=np.int64)
    LS = np.zeros(n, dtype=np.int64)
    LF = np.zeros(n, dtype=np.int64)
    link_driven = np.zeros(n, dtype=np.int64)
    never = np.iinfo(np.int64).min // 4

    zero = dur == 0
    any_zero = bool(zero.any())
    rd = np.zeros(n, dtype=bool)  # a zero-duration task's date reads as a finish (Fri 17:00, not Mon 08:00)
    finish_kind = (ctype == FNET) | (ctype == FNLT) | (ctype == MFO)
    n_fin = np.zeros(n, dtype=np.int64)  # per milestone: tight links arriving at an end / a start of work
    n_sta = np.zeros(n, dtype=np.int64)

    def forward(use_late: np.ndarray) -> None:
        """Early dates level by level; links out of ALAP tasks use their late dates when use_late says so."""
        for lv in range(nlevels):
            T = t_order[t_bounds[lv] : t_bounds[lv + 1]]
            E = f_order[f_bounds[lv] : f_bounds[lv + 1]]
            ES[T] = np.where(has_pred[T], never, first[T])
            milestones = any_zero and bool(zero[T].any())
            if E.size:
                p, s = pred[E], succ[E]
                late = use_late[E]
                fin = np.where(late, LF[p], EF[p])
                sta = np.where(late, LS[p], ES[p])
                ff = from_finish[E]
                base = np.where(ff, fin, sta)
                # how the moment the link leaves reads: a milestone's own reading, else finish or start
                base_fin = np.where(zero[p], rd[p] | late, ff)  # late milestone dates read as finishes
                cand = base + lagw[E] - np.where(to_finish[E], dur[s], 0)
                if milestones:
                    lw = lagw[E]
                    edge_fin = np.where(lw > 0, True, np.where(lw < 0, False, base_fin))
                if any_elapsed:
                    el = is_elapsed[E]
                    if el.any():  # Microsoft Project takes off the duration first, then the elapsed lag
                        d_el = np.where(to_finish[E][el], dur[s][el], 0)
                        reading = np.where(d_el > 0, False, base_fin[el])
                        b = base[el] - d_el
                        raw = np.where(reading, wc.finish_of(b), wc.start_of(b)) + lage[E][el]
                        cand[el] = wc.index_of(raw)
                        if milestones:
                            edge_fin[el] = raw == wc.finish_of(cand[el])
                clamp = (ltype[E] == FF) & (cand < ps)  # FF never pulls before the project start
                if milestones:  # ... nor to the finish just before it
                    clamp |= (ltype[E] == FF) & (cand == ps) & edge_fin
                cand = np.where(clamp, ps, cand)
                np.maximum.at(ES, s, cand)
                if milestones:
                    tight_in = (cand == ES[s]) & zero[s]
                    edge_fin &= ~clamp
                    n_fin[T] = 0
                    n_sta[T] = 0
                    np.add.at(n_fin, s[tight_in & edge_fin], 1)
                    np.add.at(n_sta, s[tight_in & ~edge_fin], 1)
                    rd[T] = (n_fin[T] > 0) & (n_sta[T] == 0)
            elif milestones:
                rd[T] = False
            if constrained:
                link_driven[T] = ES[T]
                c, ci, d = ctype[T], cidx[T], dur[T]
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
                        | (~has_pred[T] & ((c == SNET) | (c == FNET)))
                    )
                    # same working minute, other moment: SNET's start beats a finish, FNLT's finish a start
                    cur = rd[T]
                    binding |= (c == SNET) & (ES[T] == ci) & cur
                    binding |= (c == FNLT) & (ES[T] == ci - d) & ~cur
                    rd[T] = np.where(binding, finish_kind[T], rd[T])
                ES[T] = es_t
            EF[T] = ES[T] + dur[T]

    forward(alap_link)
    finish_idx = int(EF.max()) if n else ps
    dl_idx = int(wc.index_of(wc.minutes(deadline))) if deadline else None

    # -- backward pass ------------------------------------------------------------------------------------
    LF[:] = finish_idx if dl_idx is None else min(finish_idx, dl_idx)
    np.minimum(LF, task_deadline, out=LF)
    for lv in range(nlevels - 1, -1, -1):
        T = t_order[t_bounds[lv] : t_bounds[lv + 1]]
        E = b_order[b_bounds[lv] : b_bounds[lv + 1]]
        if E.size:
            p, s = pred[E], succ[E]
            base = np.where(to_finish[E], LF[s], LS[s])
            cand = base - lagw[E] + np.where(from_finish[E], 0, dur[p])
            if any_elapsed:
                el = is_elapsed[E]
                if el.any():  # SF: the duration goes on first, then the elapsed lag comes off
                    sf = (ltype[E] == SF)[el]
                    b = base[el] + np.where(sf, dur[p][el], 0)
                    # FS reads a milestone successor's late start as it stands; SS takes the next work start
                    fin_read = to_finish[E][el] | (zero[s][el] & (ltype[E][el] == FS))
                    at = np.where(fin_read, wc.finish_of(b), wc.start_of(b))
                    cand[el] = wc.index_of(at - lage[E][el]) + np.where(
                        from_finish[E][el] | sf, 0, dur[p][el]
                    )
            np.minimum.at(LF, p, cand)
        if constrained:
            c, ci, d = ctype[T], cidx[T], dur[T]
            lf = LF[T]
            lf = np.where(c == FNLT, np.minimum(lf, ci), lf)
            lf = np.where(c == SNLT, np.minimum(lf, ci + d), lf)
            lf = np.where(c == MSO, ci + d, lf)
            lf = np.where(c == MFO, ci, lf)
            LF[T] = np.minimum(lf, task_deadline[T])
        LS[T] = LF[T] - dur[T]

    if is_alap.any():  # Microsoft Project: ALAP tasks sit on their late dates and their successors follow
        alap_link = is_alap[pred] & ~is_alap[succ]
        forward(alap_link)
    SS_ = np.where(is_alap, LS, ES)  # the scheduled dates
    SF_ = np.where(is_alap, LF, EF)

    # -- slack ------------------------------------------------------------------------------------------
    total_slack = np.minimum(LS - ES, LF - EF)
    total_slack[is_alap] = 0
    free = total_slack.copy()
    tight = np.zeros(pred.size, dtype=bool)
    if pred.size:
        base = np.where(from_finish, SF_[pred], SS_[pred])
        cand = base + lagw
        if any_elapsed and is_elapsed.any():
            cand[is_elapsed] = wc.elapsed_shift(base[is_elapsed], lage[is_elapsed], from_finish[is_elapsed])
        target = np.where(to_finish, SF_[succ], SS_[succ])
        link_slack = target - cand
        free = np.where(np.bincount(pred, minlength=n) > 0, np.iinfo(np.int64).max, free)
        np.minimum.at(free, pred, link_slack)
        tight = link_slack <= 0
    free = np.maximum(free, 0)
    critical = total_slack <= 0

    # -- dates ------------------------------------------------------------------------------------------
    fin_read = rd & zero
    late_fin_read = zero  # late dates always read as a finish (MS Project moves them back to the last work)

    def starts(idx: np.ndarray, finish_reading: np.ndarray) -> np.ndarray:
        return wc.datetimes(np.where(finish_reading, wc.finish_of(idx), wc.start_of(idx)))

    def finishes(idx: np.ndarray, finish_reading: np.ndarray) -> np.ndarray:
        return wc.datetimes(np.where(zero & ~finish_reading, wc.start_of(idx), wc.finish_of(idx)))

    es_dt, ef_dt = starts(ES, fin_read), finishes(EF, fin_read)
    ls_dt, lf_dt = starts(LS, late_fin_read), finishes(LF, late_fin_read)
    st_dt = np.where(is_alap, ls_dt, es_dt)
    fi_dt = np.where(is_alap, lf_dt, ef_dt)

    out_deg = np.bincount(pred, minlength=n) if n else np.zeros(0, dtype=np.int64)
    percent = np.array(
        [100.0 if t.status == TaskStatus.completed else t.percent_complete for t in leaves], dtype=np.float64
    )
    table = _Table(
        ids=[t.id for t in leaves],
        names=[t.name for t in leaves],
        summary=np.zeros(n, dtype=bool),
        milestone=zero | np.array([t.milestone for t in leaves], dtype=bool),
        duration=dur,
        start=st_dt,
        finish=fi_dt,
        early_start=es_dt,
        early_finish=ef_dt,
        late_start=ls_dt,
        late_finish=lf_dt,
        total_slack=total_slack,
        free_slack=free,
        critical=critical,
        percent=percent,
        successors=out_deg,
    )
    table = _roll_up(table, [t for t in active if t.id in children], pos, leaf_ids, wc)

    # -- conflicts --------------------------------------------------------------------------------------
    conflicts: list[Conflict] = []
    if constrained:
        honoured_late = (link_driven > ES) & np.isin(ctype, [SNLT, FNLT, MSO, MFO])
        for i in np.flatnonzero(honoured_late & ~actual):
            t = leaves[i]
            when = wc.datetimes(wc.start_of(link_driven[i])).astype("datetime64[us]").tolist()
            conflicts.append(
                Conflict(
                    t.id,
                    "constraint",
                    f"'{t.name}': its links would start it at {when:%Y-%m-%d %H:%M}, later than its "
                    f"{t.constraint_type.value} constraint allows; the constraint wins over the links",
                )
            )
    for i in np.flatnonzero(task_deadline < EF):
        t = leaves[i]
        conflicts.append(Conflict(t.id, "deadline", f"'{t.name}' finishes after its deadline {t.deadline}"))
    if dl_idx is not None and finish_idx > dl_idx:
        late_by = (finish_idx - dl_idx) / mpd
        conflicts.append(
            Conflict(
                None, "project_deadline", f"the project finishes {late_by:g} working days after its deadline"
            )
        )

    paths, truncated = _critical_paths(n, pred, succ, tight, critical)
    project_finish = wc.datetimes(wc.finish_of(finish_idx)).astype("datetime64[us]").tolist() if n else start
    if n and finish_idx == ps:
        project_finish = wc.datetimes(wc.start_of(ps)).astype("datetime64[us]").tolist()
    project_start = wc.datetimes(wc.start_of(ps)).astype("datetime64[us]").tolist()
    return Schedule(
        project_start=project_start,
        project_finish=project_finish,
        minutes_per_day=mpd,
        table=table,
        critical_paths=[[leaves[i].id for i in path] for path in paths],
        paths_truncated=truncated,
        conflicts=conflicts,
        deadline=deadline,
        span_minutes=max(0, finish_idx - ps),
    )


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
