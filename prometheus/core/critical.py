"""The critical path report of a schedule, and its bottlenecks: long critical tasks, and critical hubs that
many tasks wait on. Both read the schedule's arrays, not an object per task."""

from __future__ import annotations

import numpy as np

from prometheus.core.model import Plan
from prometheus.core.scheduler import Schedule

FAN_OUT = 3  # successors from which a task counts as a hub


def bottlenecks(s: Schedule, limit: int = 10) -> list[dict]:
    """Long critical tasks and critical hubs many tasks wait on, the most serious first (from the
    schedule's arrays: a big plan has many critical tasks and few bottlenecks)."""
    t = s.table
    crit = np.flatnonzero(t.critical & ~t.summary)
    if not crit.size:
        return []
    minutes, successors = t.duration[crit], t.successors[crit]
    long = (minutes > 0) & (minutes >= 1.5 * (int(minutes.sum()) / crit.size))
    hub = successors >= FAN_OUT
    out = []
    for k in np.flatnonzero(long | hub).tolist():
        i = int(crit[k])
        out.append(
            {
                "task_id": t.ids[i],
                "name": t.names[i],
                "reasons": ["long critical task"] * bool(long[k]) + ["high fan-out"] * bool(hub[k]),
                "duration_days": round(int(minutes[k]) / s.minutes_per_day, 4),
                "successors": int(successors[k]),
            }
        )
    out.sort(key=lambda b: (-len(b["reasons"]), -b["duration_days"], -b["successors"]))
    return out[:limit]


def critical_path_report(plan: Plan, s: Schedule) -> dict:
    """The critical paths, longest first (by the working time of their tasks), the first one's tasks, the
    bottlenecks and conflicts; from the schedule's arrays (no object per task)."""
    flat, ends = s.paths
    starts = [0, *ends[:-1].tolist()]
    length = np.add.reduceat(s.table.duration[flat], starts).tolist() if ends.size else []
    order = sorted(range(len(starts)), key=lambda k: -length[k]) if ends.size else []
    paths = [s.critical_paths[k] for k in order]
    main = s.pick(flat[starts[order[0]] : ends[order[0]]].tolist()) if order else []
    return {
        "plan_id": plan.id,
        "project_start": s.project_start,
        "project_finish": s.project_finish,
        "deadline": s.deadline,
        "critical_path": [
            {
                "task_id": t.id,
                "name": t.name,
                "start": t.start,
                "finish": t.finish,
                "duration_days": round(t.duration_minutes / s.minutes_per_day, 4),
            }
            for t in main
        ],
        "critical_paths": paths,
        "paths_truncated": s.paths_truncated,
        "critical_tasks": s.critical_tasks,
        "bottlenecks": bottlenecks(s),
        "conflicts": [c.__dict__ for c in s.conflicts],
    }
