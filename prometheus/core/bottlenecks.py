"""Bottlenecks of a schedule: long critical tasks, and critical hubs that many tasks wait on."""

from __future__ import annotations

from prometheus.core.model import Plan
from prometheus.core.scheduler import Schedule

FAN_OUT = 3  # successors from which a task counts as a hub


def bottlenecks(plan: Plan, s: Schedule, limit: int = 10) -> list[dict]:
    """Long critical tasks and critical hubs many tasks wait on, the most serious first."""
    leaves = [t for t in s.tasks.values() if not t.summary]
    crit = [t for t in leaves if t.critical]
    if not crit:
        return []
    mean = sum(t.duration_minutes for t in crit) / len(crit)
    out = []
    for t in crit:
        reasons = []
        if t.duration_minutes > 0 and t.duration_minutes >= 1.5 * mean:
            reasons.append("long critical task")
        if t.successors >= FAN_OUT:
            reasons.append("high fan-out")
        if reasons:
            out.append(
                {
                    "task_id": t.id,
                    "name": t.name,
                    "reasons": reasons,
                    "duration_days": round(t.duration_minutes / s.minutes_per_day, 4),
                    "successors": t.successors,
                }
            )
    out.sort(key=lambda b: (-len(b["reasons"]), -b["duration_days"], -b["successors"]))
    return out[:limit]
