"""Resource leveling, the fast heuristic: a serial schedule generation scheme.

Tasks are taken in order of priority (`critical` priority first, then the earliest late start, then the
least total slack) once all their predecessors are placed, each at the earliest working minute where its
links allow it and every resource it uses has the units free for its whole duration. Tasks that must not
move (critical priority, metadata `do_not_delay`, MSO/MFO constraints, started tasks) are placed first, at
their dates. The result delays tasks the way Microsoft Project's leveling delay does; `leveled_tasks`
turns the delays into SNET constraints, so the ordinary scheduler gives the leveled dates, slack and
critical path. Works in the plan calendar's working time.
"""

from __future__ import annotations

import heapq
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from prometheus.core import rcpsp
from prometheus.core.calendar import MINUTES_PER_DAY, SchedulingError
from prometheus.core.cpm.rules import early_bound, leaves_finish, reaches_finish, start_distance
from prometheus.core.model import ConstraintType, Priority, Task
from prometheus.core.scheduler import Network
from prometheus.core.usage import Busy, busy, check_stretches

GA_CELLS = 5_000_000  # periods x resources of the genetic algorithm's capacity table, at most
# tasks x resources they use of CP-SAT's demand table, at most (5,000 tasks on 5,000 resources built their
# model for 16 s past its time limit; a plan may have 50,000 tasks and 10,000 resources: 4 GB)
EXACT_CELLS = 20_000_000
MAX_LOADING_PERIODS = 500_000  # periods (days or weeks) x resources of one loading table, at most


@dataclass
class LevelingResult:
    delays: dict[str, int]  # task id -> working minutes moved later
    starts: dict[str, datetime]  # leveled start of every task that moved
    impossible: list[dict] = field(default_factory=list)  # demand above a resource's capacity


class _Profile:
    """Units in use of one resource over working time: sorted change points, each with the level that holds
    from it to the next (none before the first). Neighbours of the same level are merged, so a resource
    booked back to back is one stretch however many tasks fill it."""

    def __init__(self, capacity: float):
        self.capacity = capacity
        self.points: list[int] = []
        self.levels: list[float] = []

    def _point(self, t: int) -> int:
        """The index of change point `t`, made (at the level already holding there) if missing."""
        i = bisect_left(self.points, t)
        if i == len(self.points) or self.points[i] != t:
            self.points.insert(i, t)
            self.levels.insert(i, self.levels[i - 1] if i else 0.0)
        return i

    def _merge(self, i: int) -> None:
        """Drop change point `i` when it changes nothing."""
        if i < len(self.points) and abs(self.levels[i] - (self.levels[i - 1] if i else 0.0)) < 1e-12:
            del self.points[i], self.levels[i]

    def add(self, start: int, end: int, units: float) -> None:
        if end <= start:
            return
        i, j = self._point(start), self._point(end)
        for k in range(i, j):
            self.levels[k] += units
        self._merge(j)
        self._merge(i)

    def free_from(self, start: int, end: int, units: float) -> int:
        """The earliest shift d >= 0 such that `units` are free over [start + d, end + d), or 0 for units
        the resource never has (reported as impossible, left where the links put it). One pass over the
        stretches from `start` on: a window that meets a stretch without room starts again at its end."""
        if units > self.capacity + 1e-9:
            return 0
        points, levels, room = self.points, self.levels, self.capacity + 1e-9 - units
        length, t = max(end - start, 1), start
        k = max(bisect_right(points, t) - 1, 0)
        while k + 1 < len(points) and points[k] < t + length:
            if levels[k] > room and points[k + 1] > t:
                t = points[k + 1]
            k += 1
        return t - start


def _first_fit(profiles: dict[str, _Profile], t: int, intervals: list[Busy]) -> int:
    """The earliest start >= t at which every resource of a task is free for each of its busy intervals."""
    while True:
        later = max((t + profiles[r].free_from(t + a, t + b, u) for r, a, b, u in intervals), default=t)
        if later == t:
            return t
        t = later


def level(net: Network, tasks: list[Task], capacity: dict[str, float]) -> LevelingResult:
    """Level a solved network. `capacity`: units per resource (its availability)."""
    check_stretches(tasks)
    c = net.compiled
    n, pred, succ, ltype, lag, dur = c.n, c.pred, c.succ, c.link_type, c.lag_working, c.duration
    by_id = {t.id: t for t in tasks}
    leaves = [by_id[i] for i in c.task_ids]
    demand = [
        [b for b in busy(t, int(d)) if b[0] in capacity] for t, d in zip(leaves, dur.tolist(), strict=True)
    ]
    fixed = np.array([_fixed(t) for t in leaves], dtype=bool)
    profiles = {r: _Profile(c) for r, c in capacity.items()}
    ins: list[list[int]] = [[] for _ in range(n)]
    outs: list[list[int]] = [[] for _ in range(n)]
    for e, (a, b) in enumerate(zip(pred.tolist(), succ.tolist(), strict=True)):
        ins[b].append(e)
        outs[a].append(e)
    start = net.early_start.copy()  # links and constraints as scheduled, before leveling
    waiting = np.array([len(x) for x in ins])
    rank = {Priority.critical: 0, Priority.high: 1, Priority.medium: 2, Priority.low: 3}
    heap = [
        (
            not fixed[i],
            int(net.late_start[i]),
            int(net.late_finish[i] - net.early_finish[i]),
            rank[leaves[i].priority],
            i,
        )
        for i in range(n)
        if waiting[i] == 0
    ]
    heapq.heapify(heap)
    impossible = []
    while heap:
        *_, i = heapq.heappop(heap)
        bound = int(net.early_start[i])
        for e in ins[i]:  # links from the placed predecessors, at their leveled dates
            p = pred[e]
            from_finish = bool(leaves_finish(ltype[e]))
            base = int(start[p] + (dur[p] if from_finish else 0))
            if net.compiled.lag_is_elapsed[e]:  # elapsed lags run in calendar time
                wc = net.compiled.plan_calendar
                at = (wc.finish_of(base) if from_finish else wc.start_of(base)) + net.compiled.lag_elapsed[e]
                base = int(wc.index_of(at))
            else:
                base += int(lag[e])
            bound = max(bound, int(early_bound(base, 0, reaches_finish(ltype[e]), dur[i])))
        t = bound if fixed[i] else _first_fit(profiles, bound, demand[i])
        for r, a, b, u in demand[i]:
            profiles[r].add(t + a, t + b, u)
        for x in leaves[i].assignments:
            if x.resource_id in capacity and x.units > capacity[x.resource_id] + 1e-9:
                impossible.append({"task_id": leaves[i].id, "resource_id": x.resource_id, "units": x.units,
                                   "capacity": capacity[x.resource_id]})  # fmt: skip
        start[i] = t
        for e in outs[i]:
            s = succ[e]
            waiting[s] -= 1
            if waiting[s] == 0:
                heapq.heappush(
                    heap,
                    (
                        not fixed[s],
                        int(net.late_start[s]),
                        int(net.late_finish[s] - net.early_finish[s]),
                        rank[leaves[s].priority],
                        s,
                    ),
                )
    moved = np.flatnonzero(start > net.early_start)
    starts = (
        net.compiled.plan_calendar.datetimes(net.compiled.plan_calendar.start_of(start[moved]))
        .astype("datetime64[us]")
        .tolist()
        if moved.size
        else []
    )
    return LevelingResult(
        delays={net.compiled.task_ids[i]: int(start[i] - net.early_start[i]) for i in moved.tolist()},
        starts={net.compiled.task_ids[i]: when for i, when in zip(moved.tolist(), starts, strict=True)},
        impossible=impossible,
    )


def _fixed(t: Task) -> bool:
    """Tasks leveling never moves: critical priority, `do_not_delay`, pinned dates, already started,
    manually scheduled."""
    return (
        t.priority is Priority.critical
        or bool(t.metadata.get("do_not_delay"))
        or t.constraint_type in (ConstraintType.MSO, ConstraintType.MFO)
        or t.actual_start is not None
        or (t.manual and t.manual_start is not None)
    )


def level_exact(
    net: Network, tasks: list[Task], capacity: dict[str, float], *, time_limit: float = 10.0
) -> LevelingResult:
    """Level a solved network with OR-Tools CP-SAT (`rcpsp.cpsat`): the shortest finish it can find or
    prove in `time_limit` seconds, started from the better of the heuristic's schedule and the genetic
    algorithm's (`rcpsp.heuristic`, up to 30 % of the time, where the plan is small enough). Working
    minutes are divided by their greatest common step (a day, an hour) first; elapsed lags count as their
    working share."""
    heuristic_result = level(net, tasks, capacity)
    by_id = {t.id: t for t in tasks}
    leaves = [by_id[i] for i in net.compiled.task_ids]
    used = {a.resource_id for t in leaves for a in t.assignments}
    res = [r for r in capacity if r in used]
    if len(leaves) * len(res) > EXACT_CELLS:
        raise SchedulingError(
            f"{len(leaves):,} tasks on {len(res):,} resources are more than the cpsat solver takes "
            f"({EXACT_CELLS:,} tasks x resources): level with solver=heuristic"
        )
    column = {r: k for k, r in enumerate(res)}
    dur = net.compiled.duration.astype(np.int64)
    p, s = net.compiled.pred, net.compiled.succ
    lag = net.compiled.lag_working + np.rint(
        net.compiled.lag_elapsed * net.compiled.minutes_per_day / MINUTES_PER_DAY
    ).astype(np.int64)
    dist = start_distance(net.compiled.link_type, lag, dur[p], dur[s])
    origin = int(net.early_start.min(initial=0))
    release = net.early_start - origin
    step = int(np.gcd.reduce(np.abs(np.concatenate([dur, dist, release, [0]])))) or 1
    demand = np.zeros((len(leaves), len(res)), dtype=np.int64)  # units in hundredths
    for i, t in enumerate(leaves):
        for a in t.assignments:
            if a.resource_id in column:
                demand[i, column[a.resource_id]] += round(100 * a.units)
    cap = np.array([round(100 * capacity[r]) for r in res], dtype=np.int64)
    fixed = np.array([_fixed(t) for t in leaves], dtype=bool)
    problem = rcpsp.Problem(dur // step, p, s, dist // step, np.minimum(demand, cap), cap,
                            release=release // step, fixed=fixed)  # fmt: skip
    hint = net.early_start.copy()
    for tid, delay in heuristic_result.delays.items():
        hint[net.compiled.task_ids.index(tid)] += delay
    hint = (hint - origin) // step
    usable = not rcpsp.check(problem, hint)
    t0 = time.perf_counter()
    if problem.horizon() * max(len(res), 1) <= GA_CELLS:  # the GA's capacity table stays small
        ga = rcpsp.heuristic(problem, time_limit=0.3 * time_limit, settle=True)
        better = not usable or ga.makespan < rcpsp.makespan(problem, hint)
        if better and not rcpsp.check(problem, ga.start):  # a pinned task's links can rule it out
            hint, usable = ga.start, True
    left = max(time_limit - (time.perf_counter() - t0), 0.1 * time_limit)
    solution = rcpsp.cpsat(problem, time_limit=left, hint=hint if usable else None)
    start = solution.start * step + origin
    moved = np.flatnonzero(start > net.early_start)
    when = (
        net.compiled.plan_calendar.datetimes(net.compiled.plan_calendar.start_of(start[moved]))
        .astype("datetime64[us]")
        .tolist()
        if moved.size
        else []
    )
    return LevelingResult(
        delays={net.compiled.task_ids[i]: int(start[i] - net.early_start[i]) for i in moved.tolist()},
        starts={net.compiled.task_ids[i]: w for i, w in zip(moved.tolist(), when, strict=True)},
        impossible=heuristic_result.impossible,
    )


def leveled_tasks(tasks: list[Task], result: LevelingResult) -> list[Task]:
    """The tasks with each leveling delay expressed as a start-no-earlier-than date."""
    return [
        t.model_copy(update={"constraint_type": ConstraintType.SNET, "constraint_date": result.starts[t.id]})
        if t.id in result.starts
        else t
        for t in tasks
    ]


def over_allocations(net: Network, tasks: list[Task], capacity: dict[str, float]) -> list[dict]:
    """Where the scheduled tasks ask more of a resource than it has: resource, from, to, units."""
    check_stretches(tasks)
    by_id = {t.id: t for t in tasks}
    profiles = {r: _Profile(cap) for r, cap in capacity.items()}
    for i, tid in enumerate(net.compiled.task_ids):  # each task's busy intervals worked out once
        at = int(net.early_start[i])
        for r, a, b, u in busy(by_id[tid], int(net.early_finish[i]) - at):
            if r in profiles:
                profiles[r].add(at + a, at + b, u)
    spans = []  # resource, capacity, working index from, to, units: over capacity
    for r, cap in capacity.items():
        points, levels = profiles[r].points, profiles[r].levels
        spans.extend(
            (r, cap, points[j], points[j + 1], round(levels[j], 4))
            for j in range(len(points) - 1)
            if levels[j] > cap + 1e-9
        )
    if not spans:
        return []
    cal = net.compiled.plan_calendar  # every span's dates in one conversion
    starts = cal.datetimes(cal.start_of(np.array([s[2] for s in spans]))).astype("datetime64[us]").tolist()
    ends = cal.datetimes(cal.finish_of(np.array([s[3] for s in spans]))).astype("datetime64[us]").tolist()
    return [
        {"resource_id": r, "from": start_at, "to": end_at, "units": units, "capacity": cap}
        for (r, cap, _, _, units), start_at, end_at in zip(spans, starts, ends, strict=True)
    ]


def level_plan(
    tasks: list[Task],
    deps,
    *,
    capacity: dict[str, float],
    rounds: int = 4,
    solved: Network | None = None,
    solver: str = "heuristic",
    time_limit: float = 10.0,
    **schedule_args,  # noqa: ANN001
) -> tuple[list[Task], LevelingResult, Network]:
    """Level, schedule the result, and level again while anything is still over-allocated (links the
    heuristic read more simply, such as lags over holidays, can move a task a little further).
    `solved`: the tasks' network, already solved, when the caller has it. `solver`: "heuristic" (serial
    schedule generation, fast) or "cpsat" (CP-SAT for up to `time_limit` seconds, then the heuristic for
    anything the approximations left)."""
    current = tasks
    total: dict[str, int] = {}
    impossible: list[dict] = []
    for round_ in range(rounds):
        if round_ == 0 and solved is not None:
            net = solved
        else:
            net = Network(current, deps, **schedule_args)
            net.solve()
        if not over_allocations(net, current, capacity):
            break
        if solver == "cpsat" and round_ == 0:
            result = level_exact(net, current, capacity, time_limit=time_limit)
        else:
            result = level(net, current, capacity)
        impossible = result.impossible
        for tid, d in result.delays.items():
            total[tid] = total.get(tid, 0) + d
        current = leveled_tasks(current, result)
    else:
        net = Network(current, deps, **schedule_args)
        net.solve()
    starts = {t.id: t.constraint_date for t in current if t.id in total}
    return current, LevelingResult(delays=total, starts=starts, impossible=impossible), net


def loading(
    net: Network, tasks: list[Task], capacity: dict[str, float], *, period: str = "day"
) -> list[dict]:
    """Work booked on each resource per day or week (hours), against what it can give (availability x
    working hours), with the over-allocated periods marked. Plan calendar. At most MAX_LOADING_PERIODS
    periods of all resources together (else SchedulingError, before anything is built)."""
    from datetime import timedelta

    if not net.compiled.n:
        return []
    check_stretches(tasks)
    wc = net.compiled.plan_calendar
    first = wc.datetimes(wc.start_of(int(net.early_start.min()))).astype("datetime64[D]").astype(object)
    last = wc.datetimes(wc.finish_of(int(net.early_finish.max()))).astype("datetime64[D]").astype(object)
    last = max(last, first)  # milestones alone finish (the working day before) where they start
    if period == "week":  # whole weeks, Monday to Sunday
        first, last = first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())
    days = (last - first).days + 1
    step = 7 if period == "week" else 1
    if len(capacity) * (days // step) > MAX_LOADING_PERIODS:
        raise SchedulingError(
            f"the loading table would hold {len(capacity):,} resources x {days // step:,} {period}s, more "
            f"than {MAX_LOADING_PERIODS:,} periods in all" + (": ask per week" if step == 1 else "")
        )
    bounds = wc.day_starts(first, days)  # working index at each midnight
    booked = {r: np.zeros(days) for r in capacity}
    by_id = {t.id: t for t in tasks}
    for i, tid in enumerate(net.compiled.task_ids):
        at = int(net.early_start[i])
        for r, a, b, u in busy(by_id[tid], int(net.early_finish[i]) - at):
            if r in booked:  # over the days the interval touches only
                lo = max(int(np.searchsorted(bounds, at + a, "right")) - 1, 0)
                hi = min(int(np.searchsorted(bounds, at + b, "left")), days)
                booked[r][lo:hi] += (
                    np.clip(
                        np.minimum(bounds[lo + 1 : hi + 1], at + b) - np.maximum(bounds[lo:hi], at + a),
                        0,
                        None,
                    )
                    * u
                    / 60
                )
    available = np.diff(bounds) / 60
    starts = [first + timedelta(days=k) for k in range(0, days, step)]
    out = []
    for r, hours in booked.items():
        h = hours.reshape(-1, step).sum(axis=1)
        cap = (available * capacity[r]).reshape(-1, step).sum(axis=1)
        over = (h > cap + 1e-6).tolist()
        rows = [
            {"start": when, "booked_hours": round(x, 2), "available_hours": round(y, 2), "over": o}
            for when, x, y, o in zip(starts, h.tolist(), cap.tolist(), over, strict=True)
            if x or y
        ]
        out.append({"resource_id": r, "periods": rows, "over_allocated": any(over)})
    return out
