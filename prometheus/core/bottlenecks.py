"""Bottlenecks of a schedule: long critical tasks, and critical hubs that many tasks wait on."""

from __future__ import annotations

import numpy as np

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
