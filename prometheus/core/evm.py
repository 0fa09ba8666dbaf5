"""Baselines, variances and earned value (with earned schedule), computed in the plan's working time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np

from prometheus.core.calendar import WorkCalendar
from prometheus.core.graph import children_first
from prometheus.core.model import Baseline, BaselineTask, Calendar, Plan
from prometheus.core.scheduler import Schedule


def task_costs(plan: Plan, s: Schedule) -> dict[str, float]:
    """Budgeted cost of each task: its work (duration x units) at its resources' hourly rates; summary tasks
    add up their subtasks."""
    rates = {r.id: r.cost_rate for r in plan.resources or []}
    costs: dict[str, float] = {}
    for t in plan.tasks or []:
        st = s.tasks.get(t.id)
        if st is None or st.summary:
            continue
        hours = st.duration_minutes / 60
        costs[t.id] = sum(hours * a.units * rates.get(a.resource_id, 0.0) for a in t.assignments)
    children: dict[str, list[str]] = {}
    for t in plan.tasks or []:
        if t.parent_id:
            children.setdefault(t.parent_id, []).append(t.id)

    total: dict[str, float] = {}
    for tid in children_first((t.id for t in plan.tasks or []), children):  # subtasks first
        total[tid] = sum(total[c] for c in children[tid]) if tid in children else costs.get(tid, 0.0)
    return {t.id: round(total[t.id], 2) for t in plan.tasks or [] if t.id in s.tasks}


def snapshot(plan: Plan, s: Schedule, saved_at: datetime) -> Baseline:
    costs = task_costs(plan, s)
    parents = {t.parent_id for t in plan.tasks or [] if t.parent_id}
    return Baseline(
        plan_id=plan.id,
        number=0,
        name="Baseline",
        saved_at=saved_at,
        project_start=s.project_start,
        project_finish=s.project_finish,
        total_cost=round(sum(c for tid, c in costs.items() if tid not in parents), 2),
        tasks=[
            BaselineTask(
                task_id=tid,
                name=st.name,
                start=st.start,
                finish=st.finish,
                duration_days=round(st.duration_minutes / s.minutes_per_day, 4),
                cost=costs.get(tid, 0.0),
            )
            for tid, st in s.tasks.items()
        ],
    )


class Clock:
    """Working minutes of the plan calendar between moments."""

    def __init__(self, plan: Plan, moments: list[datetime]):
        cal = plan.calendar or Calendar()
        first = min(moments).date() if moments else date.today()
        self.wc = WorkCalendar(cal, first - timedelta(days=7))
        self.mpd = self.wc.minutes_per_day

    def index(self, when: datetime) -> int:
        return int(self.wc.index_of(self.wc.minutes(when.replace(tzinfo=None))))

    def days(self, a: datetime, b: datetime) -> float:
        """Working days from a to b (negative when b is earlier)."""
        return round((self.index(b) - self.index(a)) / self.mpd, 4)


def variance(plan: Plan, s: Schedule, baseline: Baseline) -> dict:
    """Current schedule against a baseline: start, finish, duration and cost variance per task and plan
    (positive: later, longer, dearer)."""
    costs = task_costs(plan, s)
    moments = [baseline.project_start, s.project_start]
    clock = Clock(plan, moments)
    base = {b.task_id: b for b in baseline.tasks}
    rows = []
    for tid, st in s.tasks.items():
        b = base.get(tid)
        if b is None:
            continue
        duration = round(st.duration_minutes / s.minutes_per_day, 4)
        rows.append(
            {
                "task_id": tid,
                "name": st.name,
                "baseline_start": b.start,
                "start": st.start,
                "start_variance_days": clock.days(b.start, st.start),
                "baseline_finish": b.finish,
                "finish": st.finish,
                "finish_variance_days": clock.days(b.finish, st.finish),
                "baseline_duration_days": b.duration_days,
                "duration_days": duration,
                "duration_variance_days": round(duration - b.duration_days, 4),
                "baseline_cost": b.cost,
                "cost": costs.get(tid, 0.0),
                "cost_variance": round(costs.get(tid, 0.0) - b.cost, 2),
            }
        )
    parents = {t.parent_id for t in plan.tasks or [] if t.parent_id}
    cost_now = round(sum(c for tid, c in costs.items() if tid not in parents), 2)
    return {
        "plan_id": plan.id,
        "baseline": {"number": baseline.number, "name": baseline.name, "saved_at": baseline.saved_at},
        "plan": {
            "baseline_finish": baseline.project_finish,
            "finish": s.project_finish,
            "finish_variance_days": clock.days(baseline.project_finish, s.project_finish),
            "baseline_cost": baseline.total_cost,
            "cost": cost_now,
            "cost_variance": round(cost_now - baseline.total_cost, 2),
        },
        "tasks": rows,
        "added_tasks": [tid for tid in s.tasks if tid not in base],
        "removed_tasks": [b.task_id for b in baseline.tasks if b.task_id not in s.tasks],
    }


def _pv_curve(start: np.ndarray, finish: np.ndarray, budget: np.ndarray) -> tuple[np.ndarray, ...]:
    """Planned value as a piecewise linear function of working time: each task spends its budget evenly
    from its start to its finish (a milestone all at once). Returns breakpoints, values there, and slopes
    after them."""
    span = finish - start
    spread = span > 0
    rate = np.where(spread, budget / np.where(spread, span, 1), 0.0)
    points = np.unique(np.concatenate([start, finish]))
    delta = np.zeros(points.size)
    np.add.at(delta, np.searchsorted(points, start[spread]), rate[spread])
    np.add.at(delta, np.searchsorted(points, finish[spread]), -rate[spread])
    jumps = np.zeros(points.size)
    np.add.at(jumps, np.searchsorted(points, finish[~spread]), budget[~spread])
    slopes = np.cumsum(delta)
    gains = np.concatenate([[0.0], slopes[:-1] * np.diff(points)]) + jumps
    return points, np.cumsum(gains), slopes


def _pv_at(points: np.ndarray, values: np.ndarray, slopes: np.ndarray, at: int) -> float:
    k = int(np.searchsorted(points, at, side="right")) - 1
    if k < 0:
        return 0.0
    return float(values[k] + slopes[k] * (at - points[k]))


def _time_of(points: np.ndarray, values: np.ndarray, slopes: np.ndarray, value: float, origin: int) -> float:
    """The first working index at which planned value reaches `value` (earned schedule)."""
    if value <= 0 or not points.size:
        return float(origin)
    k = int(np.searchsorted(values, value, side="left"))
    if k == 0:
        return float(points[0])
    if k >= points.size:
        return float(points[-1])
    # value is reached in the segment after points[k-1], or by the jump at points[k]
    before = values[k - 1]
    if slopes[k - 1] > 0:
        reach = points[k - 1] + (value - before) / slopes[k - 1]
        if reach <= points[k]:
            return float(reach)
    return float(points[k])


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def _end_of(day: date | datetime) -> datetime:
    """A date as the end of that day (a datetime stays as it is), without a time zone."""
    if not isinstance(day, datetime):
        day = datetime.combine(day + timedelta(days=1), time(0))
    return day.replace(tzinfo=None)


def _spent_by(clock: Clock, start: datetime, end: datetime, status: datetime) -> float:
    """The share of a task's actual span, `start` to `end` in working time, that lies before `status`."""
    a, b, now = clock.index(start), clock.index(end), clock.index(status)
    if now <= a:
        return 0.0 if b > a or now < a else 1.0
    return 1.0 if now >= b else (now - a) / (b - a)


def earned_value(
    plan: Plan,
    s: Schedule,
    baseline: Baseline | None,
    status: date | datetime,
    reported: date | datetime | None = None,
) -> dict:
    """PV, EV and AC as of the status date, the indices, and earned schedule ES, SPI(t). Against the baseline
    when given, else against the current schedule. Values are costs when the plan has rates, else work hours.

    `reported`: when the recorded progress (percent complete, actual dates and costs) was true (the plan's
    status date, else now); default: the status date. For an earlier status date, each started task's
    progress and reported actual cost are taken back along its actual span: from its actual start (the
    scheduled start when only a percent was recorded) to its actual finish, or to `reported` while it runs,
    evenly in working time. A task finished by the status date counts whole; one not started by then, not
    at all. AC from rates counts the working time from the actual start to the status date (or finish; a
    running task's to `reported` at most)."""
    status = _end_of(status)
    reported = _end_of(reported) if reported is not None else status
    reference = baseline or snapshot(plan, s, status)
    tasks = {t.id: t for t in plan.tasks or []}
    parents = {t.parent_id for t in plan.tasks or [] if t.parent_id}
    leaves = [b for b in reference.tasks if b.task_id not in parents and b.task_id in tasks]
    basis = "cost" if any(b.cost > 0 for b in leaves) else "hours"
    clock = Clock(plan, [reference.project_start, status, reported])
    rates = {r.id: r.cost_rate for r in plan.resources or []}

    start_i = np.array([clock.index(b.start) for b in leaves], dtype=np.int64)
    finish_i = np.array([clock.index(b.finish) for b in leaves], dtype=np.int64)
    if basis == "cost":
        budget = np.array([b.cost for b in leaves], dtype=np.float64)
    else:
        budget = np.array([b.duration_days * clock.mpd / 60 for b in leaves], dtype=np.float64)

    points, values, slopes = _pv_curve(start_i, finish_i, budget)
    now = clock.index(status)
    pv = _pv_at(points, values, slopes, now)
    bac = float(budget.sum())
    ev = 0.0
    ac = 0.0
    for b, value in zip(leaves, budget, strict=True):
        t = tasks[b.task_id]
        st = s.tasks.get(t.id)
        pc = 100.0 if t.status == "completed" else t.percent_complete
        began = t.actual_start.replace(tzinfo=None) if t.actual_start else (st.start if st else None)
        if t.actual_finish is not None:
            ended = t.actual_finish.replace(tzinfo=None)
        else:
            ended = (st.finish if st else reported) if pc >= 100 else reported
        share = 1.0
        if status < reported and began is not None and (pc > 0 or t.actual_start or t.actual_cost):
            share = _spent_by(clock, began, max(began, ended), status)
        ev += value * pc / 100 * share
        if t.actual_cost is not None and basis == "cost":
            ac += t.actual_cost * share
        elif t.actual_start is not None:
            # running: worked up to when progress was recorded at most (a later status date keeps it)
            end = (
                min(t.actual_finish.replace(tzinfo=None), status)
                if t.actual_finish
                else min(status, reported)
            )
            worked = max(0, clock.index(end) - clock.index(t.actual_start.replace(tzinfo=None))) / 60
            if basis == "cost":
                ac += worked * sum(a.units * rates.get(a.resource_id, 0.0) for a in t.assignments)
            else:
                ac += worked
    cpi = _ratio(ev, ac)
    eac = round(bac * ac / ev, 2) if ev and ac else None  # BAC / CPI, with CPI unrounded

    # earned schedule: when the baseline planned the value earned so far
    origin = clock.index(reference.project_start)
    es_at = _time_of(points, values, slopes, ev, origin)
    es_days = (es_at - origin) / clock.mpd
    at_days = (now - origin) / clock.mpd
    planned_days = (clock.index(reference.project_finish) - origin) / clock.mpd
    spi_t = _ratio(es_days, at_days)
    return {
        "plan_id": plan.id,
        "status_date": status,
        "progress_as_of": reported,
        "basis": basis,
        "against": f"baseline {baseline.number}" if baseline else "current schedule",
        "BAC": round(bac, 2),
        "PV": round(pv, 2),
        "EV": round(ev, 2),
        "AC": round(ac, 2),
        "SV": round(ev - pv, 2),
        "CV": round(ev - ac, 2),
        "SPI": _ratio(ev, pv),
        "CPI": cpi,
        "EAC": eac,
        "ETC": round(eac - ac, 2) if eac is not None else None,
        "VAC": round(bac - eac, 2) if eac is not None else None,
        "TCPI": _ratio(bac - ev, bac - ac),
        "earned_schedule": {
            "ES_days": round(float(es_days), 4),
            "AT_days": round(at_days, 4),
            "SV_t_days": round(float(es_days - at_days), 4),
            "SPI_t": spi_t,
            "planned_duration_days": round(planned_days, 4),
            "IEAC_t_days": round(planned_days / spi_t, 4) if spi_t else None,
        },
    }
