"""A scenario against its base plan: finish, cost, critical path and the dates of each task that moved.

Works on the schedules' result arrays (no per-task objects), so a compare of two 10,000-task schedules
costs milliseconds besides the two schedules themselves."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from prometheus.core.model import Plan
from prometheus.core.scheduler import Schedule


def _hours(a: datetime, b: datetime) -> float:
    return round((b - a).total_seconds() / 3600, 4)


def plan_cost(plan: Plan, s: Schedule) -> float:
    """The plan's cost as `resources.costs` totals it (each assignment's cost rounded to cents, summed over
    the tasks under the top-level ones that are scheduled), without its per-task tables."""
    t = s.table
    hours = {
        tid: (0.0 if summary else minutes / 60)
        for tid, minutes, summary in zip(t.ids, t.duration.tolist(), t.summary.tolist(), strict=True)
    }
    rates = {r.id: r.cost_rate for r in plan.resources or []}
    tasks = plan.tasks or []
    ids = {x.id for x in tasks}
    children: dict[str, list[str]] = {}
    for x in tasks:
        if x.parent_id in ids:
            children.setdefault(x.parent_id, []).append(x.id)
    stack = [x.id for x in tasks if x.parent_id not in ids and x.id in hours]
    included: set[str] = set()
    while stack:
        tid = stack.pop()
        included.add(tid)
        stack.extend(children.get(tid, []))
    costs = [
        round(hours.get(x.id, 0.0) * a.units * rates[a.resource_id], 2)
        for x in tasks
        if x.assignments and x.id in included
        for a in x.assignments
    ]
    return round(sum(costs), 2)


def _main_path(s: Schedule) -> list[str]:
    """The main critical chain as the critical-path report names it: the longest in working time."""
    minutes = dict(zip(s.table.ids, s.table.duration.tolist(), strict=True))
    return max(s.critical_paths, key=lambda p: sum(minutes[t] for t in p), default=[])


def side(plan: Plan, s: Schedule) -> dict:
    """One side of a compare: finish, working days, cost, critical tasks and path, tasks."""
    return {
        "project_start": s.project_start,
        "project_finish": s.project_finish,
        "duration_days": round(s.span_minutes / s.minutes_per_day, 4),
        "cost": plan_cost(plan, s),
        "critical_tasks": s.critical_tasks,
        "critical_path": _main_path(s),
        "tasks": len(plan.tasks or []),
    }


def _when(value: np.datetime64) -> datetime:
    return value.astype("datetime64[us]").item()


def compare(
    base: Plan,
    base_s: Schedule,
    scenario: Plan,
    scen_s: Schedule,
    *,
    limit: int = 100,
    base_side: dict | None = None,
) -> dict:
    """What the scenario changes in the schedule; `tasks` lists the tasks whose dates moved and those only one
    side has (at most `limit`: added and removed first, then the biggest finish shifts). `base_side`: the
    base's `side()`, when it is kept."""
    a, b = base_side or side(base, base_s), side(scenario, scen_s)
    ta, tb = base_s.table, scen_s.table
    where_b = {tid: i for i, tid in enumerate(tb.ids)}
    common_a = [i for i, tid in enumerate(ta.ids) if tid in where_b]
    ia = np.array(common_a, dtype=np.int64)
    ib = np.array([where_b[ta.ids[i]] for i in common_a], dtype=np.int64)
    start_shift = tb.start[ib] - ta.start[ia]
    finish_shift = tb.finish[ib] - ta.finish[ia]
    moved = np.flatnonzero((start_shift != np.timedelta64(0)) | (finish_shift != np.timedelta64(0)))
    in_a = set(ta.ids)
    added = [i for i, tid in enumerate(tb.ids) if tid not in in_a]
    removed = [i for i, tid in enumerate(ta.ids) if tid not in where_b]
    order = moved[
        np.argsort(-np.abs(finish_shift[moved].astype("timedelta64[m]").astype(np.int64)), kind="stable")
    ]
    keys = {t.id: t.key for t in base.tasks or []}

    def row(tid: str, name: str, change: str, i: int | None, j: int | None) -> dict:
        x = (_when(ta.start[i]), _when(ta.finish[i])) if i is not None else (None, None)
        y = (_when(tb.start[j]), _when(tb.finish[j])) if j is not None else (None, None)
        both = i is not None and j is not None
        return {
            "task_id": tid, "key": keys.get(tid), "name": name, "change": change,
            "base_start": x[0], "base_finish": x[1], "scenario_start": y[0], "scenario_finish": y[1],
            "start_shift_hours": _hours(x[0], y[0]) if both else None,
            "finish_shift_hours": _hours(x[1], y[1]) if both else None,
        }  # fmt: skip

    rows = [row(tb.ids[j], tb.names[j], "added", None, j) for j in added[:limit]]
    rows += [row(ta.ids[i], ta.names[i], "removed", i, None) for i in removed[: max(0, limit - len(rows))]]
    for k in order[: max(0, limit - len(rows))].tolist():
        i, j = int(ia[k]), int(ib[k])
        rows.append(row(ta.ids[i], tb.names[j], "moved", i, j))
    crit_a, crit_b = set(a["critical_tasks"]), set(b["critical_tasks"])
    return {
        "plan_id": base.id,
        "base": a,
        "scenario": b,
        "difference": {
            "finish_shift_hours": _hours(a["project_finish"], b["project_finish"]),
            "duration_days": round(b["duration_days"] - a["duration_days"], 4),
            "cost": round(b["cost"] - a["cost"], 2),
            "critical_added": sorted(crit_b - crit_a),
            "critical_removed": sorted(crit_a - crit_b),
            "tasks_moved": len(moved),
            "tasks_added": len(added),
            "tasks_removed": len(removed),
        },
        "tasks": rows,
        "tasks_truncated": len(moved) + len(added) + len(removed) > limit,
    }
